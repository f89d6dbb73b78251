#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""table.py - the readers' behaviour per class of ring, from the seeds.

    readers/tools/table.py --replay build/<preset>/fuzz/fuzz_readers-replay
                           [--seeds build/<preset>/corpora/fuzz_readers]

Replays every seed of corpora/fuzz_readers/ as the build compiled it (one
class of hostile ring each, or an honest ring; the text of each, with what
it is for, is corpora/fuzz_readers/<seed>.uprb) with UPRB_READERS_SURVEY=1 (nothing fails, every
reader runs the whole input) and prints a Markdown table: a row per seed,
a column per reader, each cell what that reader did (readers/fuzz/judge.h),
with the known defect (readers/expect/) it is, and the readers' versions.
This is the table of readers/README.md.
"""
import argparse
import os
import re
import subprocess
import sys

OUTCOME = re.compile(r" (\w+) (honest-)?(\w+)(?: known (\S+))? \((\d+) windows")


def survey(replay, path):
    env = dict(os.environ, UPRB_READERS_SURVEY="1")
    p = subprocess.run([replay, "-v", path], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, env=env, timeout=300)
    out = p.stdout.decode(errors="replace")
    if p.returncode:
        sys.exit("table.py: %s failed:\n%s" % (path, out[-2000:]))
    line = [l for l in out.splitlines() if l.startswith("  ring of")][-1]
    return {m.group(1): (m.group(3), m.group(4)) for m in OUTCOME.finditer(line)}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--replay", required=True)
    ap.add_argument("--seeds", help="the compiled seeds (default: the replay's "
                    "build tree, <build>/corpora/fuzz_readers)")
    args = ap.parse_args(argv)
    seeds = args.seeds or os.path.join(os.path.dirname(os.path.abspath(args.replay)),
                                       "..", "corpora", "fuzz_readers")
    if not os.path.isdir(seeds):
        sys.exit("table.py: %s: no compiled seeds (build the tree first, or --seeds)"
                 % seeds)
    rows, readers = [], []
    for name in sorted(os.listdir(seeds), key=lambda n: (not n.startswith("honest"), n)):
        res = survey(args.replay, os.path.join(seeds, name))
        for r in res:
            if r not in readers:
                readers.append(r)
        rows.append((name, res))
    print("| ring (seed) | " + " | ".join("`%s`" % r for r in readers) + " |")
    print("| --- " * (len(readers) + 1) + "|")
    for name, res in rows:
        cells = []
        for r in readers:
            if r not in res:
                cells.append("-")
                continue
            b, known = res[r]
            cell = "**%s**" % b if b in ("garbage", "oob", "loops", "crashes", "skips") else b
            if known:
                cell += " (%s)" % known
            cells.append(cell)
        print("| `%s` | %s |" % (name, " | ".join(cells)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
