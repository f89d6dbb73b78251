#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""schedcov_check.py - schedule coverage (fuzz/sim/schedcov.h) checks for CTest.

    schedcov_check.py determinism --corpora DIR TARGET=REPLAY [ENV=VALUE,...]...
        every input of corpora/<target>/ (and corpora/regressions/<target>/)
        through the replay binary -v in two processes with the features on:
        each input's feature count and digest must be the same in both (the
        replay binary itself runs each input twice in one process and
        compares); at least one input per target must have features; and
        once with UPRB_SIM_SCHEDCOV=0: no features, and every other line of
        the run's account the same (the features only watch). A pair may
        carry environment settings after it, comma-separated
        (fuzz_weak_memory=R,UPRB_SIM_MEMORY=tso).

    schedcov_check.py feeds --fuzzer F --seeds 1,2,3 --runs N [--env K=V ...]
                      --expect INVARIANT
        the features feed the engine: from an empty corpus, F (libFuzzer)
        with the features on must fail with INVARIANT within N executions
        for every seed, and with them off (the same binary) for none.
        Measured in executions, not seconds.

Exit status 0 when the check holds; 1 with a line saying what broke and
how to reproduce it; 2 on usage errors.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

STORY = re.compile(r"invariant (\S+) broke")
FEATURES = re.compile(r"^\s+schedule features: (\d+) \(digest ([0-9a-f]+);")


def accounts(replay, paths, env):
    """Per input: the lines -v printed after its "ok" line."""
    p = subprocess.run([replay, "-v"] + paths, env=env, capture_output=True, text=True,
                       timeout=600)
    if p.returncode:
        print("FAIL %s -v %s: exit status %d\n%s" % (replay, " ".join(paths), p.returncode,
                                                   (p.stdout + p.stderr)[-3000:]))
        return None
    out, cur = {}, None
    for line in p.stdout.splitlines():
        m = re.match(r"^(.*): ok \(\d+ bytes\)$", line)
        if m:
            cur = m.group(1)
            out[cur] = []
        elif cur and line.startswith("  "):
            out[cur].append(line)
    return out


def cmd_determinism(args):
    bad = 0
    for spec in args.pairs:
        parts = spec.split(",")
        target, replay = parts[0].split("=", 1)
        extra = dict(p.split("=", 1) for p in parts[1:])
        paths = [os.path.join(args.corpora, target)]
        reg = os.path.join(args.corpora, "regressions", target)
        if os.path.isdir(reg):
            paths.append(reg)
        base = dict(os.environ, **extra)
        base.pop("UPRB_SIM_SCHEDCOV", None)
        label = "%s%s" % (target, "".join(" %s=%s" % kv for kv in extra.items()))
        first = accounts(replay, paths, base)
        second = accounts(replay, paths, base)
        off = accounts(replay, paths, dict(base, UPRB_SIM_SCHEDCOV="0"))
        if first is None or second is None or off is None:
            bad += 1
            continue
        with_features = 0
        for path, lines in first.items():
            feat = [FEATURES.match(l) for l in lines if FEATURES.match(l)]
            other = [l for l in lines if not FEATURES.match(l)]
            again = second.get(path)
            if again != lines:
                bad += 1
                print("FAIL %s: %s: two processes disagree:\n  %s\n  %s\n  replay: %s -v %s"
                      % (label, path, lines, again, replay, path))
                continue
            if not feat:
                bad += 1
                print("FAIL %s: %s: no schedule features line with the features on" % (label, path))
                continue
            with_features += int(feat[0].group(1)) > 0
            if off.get(path) != other:
                bad += 1
                print("FAIL %s: %s: the run's account changes with UPRB_SIM_SCHEDCOV=0:\n  %s\n  %s"
                      % (label, path, other, off.get(path)))
        if not with_features:
            bad += 1
            print("FAIL %s: no input recorded any schedule feature" % label)
        elif not bad:
            print("ok   %s: %d inputs, the same features in two processes (%d with features), "
                  "the same runs with them off" % (label, len(first), with_features))
    print("schedcov_check determinism: %s" % ("ok" if not bad else "%d failures" % bad))
    return 1 if bad else 0


def fuzz_once(fuzzer, seed, runs, env):
    """Return (failed, invariant, executions, log tail)."""
    work = tempfile.mkdtemp(prefix="schedcov-feeds-")
    try:
        corpus = os.path.join(work, "corpus")
        os.makedirs(corpus)
        p = subprocess.run([fuzzer, "-seed=%d" % seed, "-runs=%d" % runs,
                            "-print_final_stats=1", "-max_len=4096",
                            "-artifact_prefix=%s/" % work, corpus],
                           env=env, capture_output=True, text=True, timeout=1800)
        text = p.stdout + p.stderr
        m = re.search(r"stat::number_of_executed_units: (\d+)", text)
        s = STORY.search(text)
        crashed = any(f.startswith("crash-") for f in os.listdir(work))
        return crashed, (s.group(1) if s else None), (int(m.group(1)) if m else None), text[-2500:]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def cmd_feeds(args):
    env = dict(os.environ)
    env.pop("UPRB_SIM_SCHEDCOV", None)
    for kv in args.env or []:
        k, v = kv.split("=", 1)
        env[k] = v
    shown = " ".join(args.env or [])
    bad = 0
    for seed in [int(s) for s in args.seeds.split(",")]:
        for mode, want in (("1", True), ("0", False)):
            failed, inv, execs, tail = fuzz_once(args.fuzzer, seed, args.runs,
                                                 dict(env, UPRB_SIM_SCHEDCOV=mode))
            ok = (failed and inv == args.expect) if want else not failed
            what = ("found %s after %s executions" % (inv or "a failure without a story", execs)
                    if failed else "nothing in %s executions" % execs)
            print("%s features %s, seed %d: %s (expected: %s)" % (
                "ok  " if ok else "FAIL", "on " if mode == "1" else "off", seed, what,
                "%s within %d" % (args.expect, args.runs) if want else "nothing"))
            if not ok:
                bad += 1
                print("  reproduce: %s UPRB_SIM_SCHEDCOV=%s %s -seed=%d -runs=%d -max_len=4096 "
                      "EMPTY_DIR\n%s" % (shown, mode, args.fuzzer, seed, args.runs, tail))
    print("schedcov_check feeds: %s" % ("ok" if not bad else "%d failures" % bad))
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("determinism")
    d.add_argument("--corpora", required=True)
    d.add_argument("pairs", nargs="+")
    f = sub.add_parser("feeds")
    f.add_argument("--fuzzer", required=True)
    f.add_argument("--seeds", default="1,2,3")
    f.add_argument("--runs", type=int, required=True)
    f.add_argument("--env", action="append")
    f.add_argument("--expect", required=True)
    args = ap.parse_args()
    return {"determinism": cmd_determinism, "feeds": cmd_feeds}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
