#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""script_roundtrip.py - the CTest fuzz.script.roundtrip.

    script_roundtrip.py --script UPRB_SCRIPT --corpora DIR TARGET=REPLAY...

For every seed and regression of each TARGET (DIR/<target>/,
DIR/regressions/<target>/) and for random byte strings made from a fixed
seed: text T = decode(x), bytes B = encode(T); decode(B) must be T, and B
must replay exactly as x does (same -vv trace and counters). Bad text must
be refused with a FILE:LINE: message and exit status 2.
"""
import argparse
import os
import random
import re
import subprocess
import sys
import tempfile

RANDOM_PER_TARGET = 48


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def replay_trace(replay, path):
    env = dict(os.environ)
    r = run([replay, "-vv", path], env=env)
    if r.returncode != 0:
        return None
    # Path and length are all that may differ between x and B.
    out = r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")
    return re.sub(r"ok \(\d+ bytes\)", "ok", out.replace(path, "INPUT"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--script", required=True)
    ap.add_argument("--corpora", required=True)
    ap.add_argument("targets", nargs="+")
    args = ap.parse_args()
    failures = []
    checked = 0
    rng = random.Random(20240603)
    with tempfile.TemporaryDirectory(prefix="uprb-script-") as tmp:
        for spec in args.targets:
            target, replay = spec.split("=", 1)
            inputs = []
            for sub in (target, os.path.join("regressions", target)):
                d = os.path.join(args.corpora, sub)
                if os.path.isdir(d):
                    inputs += [os.path.join(d, f) for f in sorted(os.listdir(d))
                               if not f.startswith(".")]
            for i in range(RANDOM_PER_TARGET):
                p = os.path.join(tmp, "%s-random-%02d" % (target, i))
                n = rng.choice([0, 1, 5, 17, 40, 100, 300, 1000])
                with open(p, "wb") as f:
                    f.write(bytes(rng.randrange(256) for _ in range(n)))
                inputs.append(p)
            for x in inputs:
                checked += 1
                t1 = run([args.script, "decode", "--target", target, x])
                if t1.returncode:
                    failures.append("%s: decode failed: %s" % (x, t1.stderr.decode()))
                    continue
                text = os.path.join(tmp, "text")
                b = os.path.join(tmp, "bytes")
                with open(text, "wb") as f:
                    f.write(t1.stdout)
                e = run([args.script, "encode", text, "-o", b])
                if e.returncode:
                    failures.append("%s: encode of its own text failed: %s"
                                    % (x, e.stderr.decode()))
                    continue
                t2 = run([args.script, "decode", "--target", target, b])
                if t2.stdout != t1.stdout:
                    failures.append("%s: decode(encode(decode(x))) differs" % x)
                    continue
                rx, rb = replay_trace(replay, x), replay_trace(replay, b)
                if rx is None or rx != rb:
                    failures.append("%s: encode(decode(x)) replays differently" % x)
        # Bad text: a diagnostic with the line, status 2, never a crash.
        bad = {
            "no-such-op": "target fuzz_writer_nest\nring page 64 pages 4\n1: jump 3\n",
            "site": "ring page 64\n1: write task src 0 size 16\n  at nowhere#1: consume 0\n",
            "level": "1: write task src 0 size 16\n  at copy#1: write task src 0 size 16\n",
            "size": "1: write task src 0 size 17\n",
            "src": "1: write task src 3 size 16\n",
            "not-in-profile": "target fuzz_writer_nest\n1: tail huge 0x5\n",
            "number": "ring page 64 pages 4x\n",
            "reader-write-in-bytes": "target fuzz_reader_corrupt\nring bytes page 64\n1: write size 16\n",
            "reader-fill": "target fuzz_reader_corrupt\nring raw data_offset 8\nfill 2 abc\n",
            "reader-inner": "target fuzz_reader_corrupt\nring written\n1: read all\n  at event#0: resync\n",
            "orphan-irq": "  at copy#1: consume 0\n",
            "multi-backward": "target fuzz_multi_cpu\nring page 64 pages 4 backward\n",
            "multi-no-cpu": "target fuzz_multi_cpu\ncpus 2\n1: write task src 0 size 16\n",
            "multi-cpu-range": "target fuzz_multi_cpu\ncpus 2\n1: write cpu 2 task src 0 size 16\n",
            "multi-cross-level": "target fuzz_multi_cpu\ncpus 2\n1: write cpu 0 task src 0 size 16\n"
                                 "  at copy#1: write cpu 1 NMI src 0 size 16\n",
            "multi-cpus-range": "target fuzz_multi_cpu\ncpus 5\n",
            "single-cpus": "target fuzz_writer_nest\ncpus 2\n",
            "loss-page": "target fuzz_loss_wakeup\nring page 512 pages 1\n",
        }
        for name, text in bad.items():
            p = os.path.join(tmp, "bad-" + name)
            with open(p, "w") as f:
                f.write(text)
            r = run([args.script, "encode", p, "-o", os.path.join(tmp, "out")])
            msg = r.stderr.decode()
            checked += 1
            if r.returncode != 2 or not msg.startswith(p + ":") or "Sanitizer" in msg:
                failures.append("bad text %s: status %d, %r" % (name, r.returncode, msg))
    for f in failures:
        print("FAIL " + f)
    print("script_roundtrip: %d checked, %d failed" % (checked, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
