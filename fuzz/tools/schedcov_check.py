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

    schedcov_check.py feeds --fuzzer F --script S
        the features feed libFuzzer: F (a libFuzzer binary of
        fuzz_writer_nest) merges three inputs (-merge=1, with and without
        -use_counters=0 as ci/campaign merges): one that sets up the ring,
        then two that differ only in where an NMI write preempts the task
        writer (put_barrier_1 or put_head_load: the same code runs, edges
        and hit counts alike). With the features off it keeps two, with
        them on all three. S is uprb-script (the inputs are text here).

    schedcov_check.py search --fuzzer F --seeds 1,2,3 --runs N [--env K=V ...]
                      --expect INVARIANT
        from an empty corpus, F (libFuzzer) with the features on must fail
        with INVARIANT within N executions for every seed; the same seeds
        with them off are run and reported (measured in executions).

    schedcov_check.py backends --replay R --other O --script S
        the features come from what the world sees, not from one writer:
        fuzz_writer_nest inputs (text here: nested writes, a consumer step
        and a pause at several sites) through R (the core) and O (the same
        target over another backend, e.g. the kernel tree's writer): each
        run passes on both, has features, the same in two processes, and
        the same features on both backends.

    schedcov_check.py afl --afl-binary A --replay R INPUT...
        AFL++ sees the features: A (a <target>-afl built by afl-clang-fast)
        registers FZ_SC_COUNTERS guard slots with AFL++'s runtime, and for
        each input afl-showmap counts at least as many more map entries
        with the features on as the replay binary R reports features.
        With --script S and a fuzz_writer_nest-afl: the two inputs of
        "feeds" give the same map with the features off, different maps
        with them on.

    schedcov_check.py union --fuzzer F --replay R DIR
        the campaign's measure (UPRB_SIM_SCHEDCOV_UNION=1, ci/campaign): the
        union of DIR's features that F (libFuzzer, -runs=0) prints must be
        the replay binary R's, and not zero. libFuzzer clears its extra
        counters after each run, so a union folded at the next run's start
        would count only the last run's (it did: 1 feature where the replay
        counted 353).

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
        base = dict(os.environ)
        base.pop("UPRB_SIM_SCHEDCOV", None)
        base.update(extra)
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


# fuzz_writer_nest inputs (uprb-script text): the ring alone, then one task
# write preempted by an NMI write at one of two sites that run the same code.
PAIR_RING = """target fuzz_writer_nest
ring page 64 pages 4 forward non-overwrite watermark 0
source 0 id 0x100 sample_type 0 wakeup_events 0 size 16
"""
PAIR_WRITE = """1: write task src 0 size 40
  at %s#1: write NMI src 0 size 24
2: consume 0
"""
PAIR_SITES = ("put_barrier_1", "put_head_load")


def pair_inputs(script, folder):
    """Write the ring input and the pair into @folder (named so that the
    ring input sorts first: merge runs files by size). Return their paths."""
    texts = [("0-ring", PAIR_RING)] + [("1-at-" + s, PAIR_RING + PAIR_WRITE % s)
                                        for s in PAIR_SITES]
    paths = []
    for name, text in texts:
        txt = os.path.join(folder, name + ".txt")
        out = os.path.join(folder, name)
        with open(txt, "w") as f:
            f.write(text)
        subprocess.run([script, "encode", txt, "-o", out], check=True)
        os.unlink(txt)
        paths.append(out)
    return paths


BACKEND_INPUTS = {
    "chain": """1: write task src 0 size 40
  at head_cas#1: write softirq src 0 size 24
    at copy#1: write hardirq src 0 size 16
      at nest_put_load#1: write NMI src 0 size 16
2: consume 0
""",
    "retry": """1: write task src 0 size 40
  at put_head_recheck#1: write NMI src 0 size 24
  at B_head_store#2: write NMI src 0 size 32
2: consume 0
""",
    "consume-pause": """1: write task src 0 size 48
2: write task src 0 size 40
  at copy#1: consume 0
  at A_tail_load#1: pause
  at nest_clear#1: resume
3: write task src 0 size 24
""",
}


def cmd_backends(args):
    env = dict(os.environ)
    env.pop("UPRB_SIM_SCHEDCOV", None)
    work = tempfile.mkdtemp(prefix="schedcov-backends-")
    bad = 0
    try:
        for name, ops in sorted(BACKEND_INPUTS.items()):
            txt = os.path.join(work, name + ".txt")
            path = os.path.join(work, name)
            with open(txt, "w") as f:
                f.write(PAIR_RING + ops)
            subprocess.run([args.script, "encode", txt, "-o", path], check=True)
            got = {}
            for label, binary in (("core", args.replay), ("other", args.other)):
                runs = [accounts(binary, [path], env) for _ in range(2)]
                lines = [r.get(path, []) if r else None for r in runs]
                feat = [FEATURES.match(l) for l in (lines[0] or []) if FEATURES.match(l)]
                if lines[0] is None or not feat or lines[0] != lines[1]:
                    bad += 1
                    print("FAIL %s on %s (%s): %s" % (name, label, binary, lines))
                    continue
                got[label] = (int(feat[0].group(1)), feat[0].group(2))
            if len(got) == 2:
                ok = got["core"] == got["other"] and got["core"][0] > 0
                bad += not ok
                print("%s %s: %d features (digest %s) on the core, %d (%s) on the other "
                      "backend" % ("ok  " if ok else "FAIL", name, got["core"][0], got["core"][1],
                                   got["other"][0], got["other"][1]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("schedcov_check backends: %s" % ("ok" if not bad else "%d failures" % bad))
    return 1 if bad else 0


def merged(fuzzer, inputs, env, extra):
    """How many of @inputs libFuzzer's -merge=1 keeps."""
    work = tempfile.mkdtemp(prefix="schedcov-merge-")
    try:
        out = os.path.join(work, "out")
        os.makedirs(out)
        p = subprocess.run([fuzzer, "-merge=1"] + extra + [out, inputs], env=env,
                           capture_output=True, text=True, timeout=300)
        m = re.search(r"MERGE-OUTER: (\d+) new files", p.stdout + p.stderr)
        return int(m.group(1)) if m else None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def cmd_feeds(args):
    env = dict(os.environ)
    env.pop("UPRB_SIM_SCHEDCOV", None)
    work = tempfile.mkdtemp(prefix="schedcov-feeds-")
    bad = 0
    try:
        inputs = os.path.join(work, "in")
        os.makedirs(inputs)
        pair_inputs(args.script, inputs)
        for extra in ([], ["-use_counters=0"]):
            for mode, want in (("0", 2), ("1", 3)):
                got = merged(args.fuzzer, inputs, dict(env, UPRB_SIM_SCHEDCOV=mode), extra)
                ok = got == want
                bad += not ok
                print("%s features %s, -merge=1 %s: kept %s of 3 (expected %d: %s)" % (
                    "ok  " if ok else "FAIL", "on " if mode == "1" else "off",
                    " ".join(extra) or "(counters)", got, want,
                    "the NMI's place is told apart" if want == 3 else
                    "the pair looks the same"))
        if bad:
            print("  reproduce: UPRB_SIM_SCHEDCOV=0|1 %s -merge=1 OUT %s (inputs: "
                  "schedcov_check.py PAIR_* texts)" % (args.fuzzer, inputs))
    finally:
        if not bad:
            shutil.rmtree(work, ignore_errors=True)
    print("schedcov_check feeds: %s" % ("ok" if not bad else "%d failures" % bad))
    return 1 if bad else 0


def fuzz_once(fuzzer, seed, runs, env):
    """Return (failed, invariant, executions, log tail)."""
    work = tempfile.mkdtemp(prefix="schedcov-search-")
    try:
        corpus = os.path.join(work, "corpus")
        os.makedirs(corpus)
        p = subprocess.run([fuzzer, "-seed=%d" % seed, "-runs=%d" % runs,
                            "-print_final_stats=1", "-max_len=4096",
                            "-artifact_prefix=%s/" % work, corpus],
                           env=env, capture_output=True, text=True, timeout=1800)
        text = p.stdout + p.stderr
        m = re.search(r"stat::number_of_executed_units:\s+(\d+)", text)
        s = STORY.search(text)
        crashed = any(f.startswith("crash-") for f in os.listdir(work))
        return crashed, (s.group(1) if s else None), (int(m.group(1)) if m else None), text[-2500:]
    finally:
        shutil.rmtree(work, ignore_errors=True)


def cmd_search(args):
    env = dict(os.environ)
    env.pop("UPRB_SIM_SCHEDCOV", None)
    for kv in args.env or []:
        k, v = kv.split("=", 1)
        env[k] = v
    shown = " ".join(args.env or [])
    bad = 0
    for seed in [int(s) for s in args.seeds.split(",")]:
        for mode in ("1", "0"):
            failed, inv, execs, tail = fuzz_once(args.fuzzer, seed, args.runs,
                                                 dict(env, UPRB_SIM_SCHEDCOV=mode))
            ok = mode == "0" or (failed and inv == args.expect)
            what = ("found %s after %s executions" % (inv or "a failure without a story", execs)
                    if failed else "nothing in %s executions" % execs)
            print("%s features %s, seed %d: %s" % ("ok  " if ok else "FAIL",
                                                  "on " if mode == "1" else "off", seed, what))
            if not ok:
                bad += 1
                print("  reproduce: %s UPRB_SIM_SCHEDCOV=%s %s -seed=%d -runs=%d -max_len=4096 "
                      "EMPTY_DIR\n%s" % (shown, mode, args.fuzzer, seed, args.runs, tail))
    print("schedcov_check search: %s" % ("ok" if not bad else "%d failures" % bad))
    return 1 if bad else 0


def showmap(binary, path, env):
    """AFL++'s map of one run of @binary on @path: a set of "index:count"."""
    with tempfile.NamedTemporaryFile() as out, open(path, "rb") as inp:
        p = subprocess.run(["afl-showmap", "-q", "-o", out.name, "--", binary], stdin=inp,
                           env=env, capture_output=True, timeout=120)
        if p.returncode not in (0, 1):
            return None
        with open(out.name) as f:
            return {l.strip() for l in f if l.strip()}


def cmd_afl(args):
    if not shutil.which("afl-showmap"):
        print("schedcov_check afl: no afl-showmap (ci/deps installs afl++)")
        return 2
    env = dict(os.environ, AFL_QUIET="1")
    env.pop("UPRB_SIM_SCHEDCOV", None)
    # The slots: AFL++'s map is the instrumented edges (its debug output
    # lists them per module) plus the counters (registered before its debug
    # output starts).
    p = subprocess.run([args.afl_binary], stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, env=dict(env, AFL_DEBUG="1"), timeout=120)
    edges = sum(int(n) for n in
                re.findall(r"__sanitizer_cov_trace_pc_guard_init: \S+ \((\d+) edges\)", p.stderr))
    p = subprocess.run([args.afl_binary], stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, env=dict(env, AFL_DUMP_MAP_SIZE="1"), timeout=120)
    size = int(p.stdout.split()[0]) if p.stdout.split() and p.stdout.split()[0].isdigit() else 0
    bad = 0
    if not edges or size < edges + 8192:
        bad += 1
        print("FAIL %s: AFL++ map of %d entries for %d instrumented edges: the 8192 counters "
              "have no slots" % (args.afl_binary, size, edges))
    else:
        print("ok   %s: AFL++ map of %d entries: %d edges and the 8192 counters"
              % (args.afl_binary, size, edges))
    paths = []
    for p in args.inputs:
        paths += sorted(os.path.join(p, f) for f in os.listdir(p)) if os.path.isdir(p) else [p]
    for path in paths:
        on = showmap(args.afl_binary, path, env)
        off = showmap(args.afl_binary, path, dict(env, UPRB_SIM_SCHEDCOV="0"))
        acc = accounts(args.replay, [path], env)
        feat = [FEATURES.match(l) for l in (acc or {}).get(path, []) if FEATURES.match(l)]
        n = int(feat[0].group(1)) if feat else None
        on = len(on) if on is not None else None
        off = len(off) if off is not None else None
        ok = on is not None and off is not None and n and on - off >= n
        print("%s %s: AFL++ map %s entries with the features, %s without; the replay counts "
              "%s features" % ("ok  " if ok else "FAIL", path, on, off, n))
        bad += not ok
    if args.script:
        work = tempfile.mkdtemp(prefix="schedcov-afl-")
        _, a, b = pair_inputs(args.script, work)
        for mode, same in (("0", True), ("1", False)):
            ma = showmap(args.afl_binary, a, dict(env, UPRB_SIM_SCHEDCOV=mode))
            mb = showmap(args.afl_binary, b, dict(env, UPRB_SIM_SCHEDCOV=mode))
            ok = ma is not None and mb is not None and (ma == mb) == same
            bad += not ok
            print("%s features %s: the NMI at %s or at %s: %s maps (expected %s)" % (
                "ok  " if ok else "FAIL", "on " if mode == "1" else "off", PAIR_SITES[0],
                PAIR_SITES[1], "the same" if ma == mb else "different",
                "the same" if same else "different"))
        shutil.rmtree(work, ignore_errors=True)
    print("schedcov_check afl: %s" % ("ok" if not bad else "%d failures" % bad))
    return 1 if bad else 0


UNION = re.compile(r"^schedcov: (\d+) features over (\d+) runs", re.M)


def cmd_union(args):
    env = dict(os.environ, UPRB_SIM_SCHEDCOV_UNION="1")
    counts = {}
    for name, cmd in (("libFuzzer", [args.fuzzer, "-runs=0", args.dir]),
                      ("replay", [args.replay, args.dir])):
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           env=env, timeout=600)
        m = UNION.search(p.stdout.decode(errors="replace"))
        if p.returncode or not m:
            print("union: %s failed or printed no union (rc %d): %s" %
                  (name, p.returncode, " ".join(cmd)))
            return 1
        counts[name] = int(m.group(1))
    print("union: libFuzzer %d, replay %d features over %s" %
          (counts["libFuzzer"], counts["replay"], args.dir))
    if counts["libFuzzer"] != counts["replay"] or not counts["replay"]:
        print("union: the campaign's measure differs from the replay's; reproduce: "
              "UPRB_SIM_SCHEDCOV_UNION=1 %s -runs=0 %s" % (args.fuzzer, args.dir))
        return 1
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("determinism")
    d.add_argument("--corpora", required=True)
    d.add_argument("pairs", nargs="+")
    f = sub.add_parser("feeds")
    f.add_argument("--fuzzer", required=True)
    f.add_argument("--script", required=True)
    se = sub.add_parser("search")
    se.add_argument("--fuzzer", required=True)
    se.add_argument("--seeds", default="1,2,3")
    se.add_argument("--runs", type=int, required=True)
    se.add_argument("--env", action="append")
    se.add_argument("--expect", required=True)
    b = sub.add_parser("backends")
    b.add_argument("--replay", required=True)
    b.add_argument("--other", required=True)
    b.add_argument("--script", required=True)
    a = sub.add_parser("afl")
    a.add_argument("--afl-binary", required=True)
    a.add_argument("--replay", required=True)
    a.add_argument("--script")
    a.add_argument("inputs", nargs="+")
    u = sub.add_parser("union")
    u.add_argument("--fuzzer", required=True)
    u.add_argument("--replay", required=True)
    u.add_argument("dir")
    args = ap.parse_args()
    return {"union": cmd_union, "determinism": cmd_determinism, "feeds": cmd_feeds, "search": cmd_search,
            "backends": cmd_backends, "afl": cmd_afl}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
