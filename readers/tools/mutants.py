#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mutants.py - prove the readers' oracles can fail: faults planted in our
own adapter path (readers/adapters/core.c), each of which the replay of
the fuzz_readers corpus must catch.

    mutants.py --list                         name and description of each
    mutants.py --apply NAME IN OUT            write the mutated adapter (CMake)
    mutants.py --build DIR --corpora D...     build DIR's mutant replays
                                              (target readers-mutants) and
                                              require each to fail on the
                                              corpora; the CTest readers.mutants

The mutants are built beside the real adapter (fuzz_readers-mut-<name>,
only when this runs): the same harness, judge and readers, our adapter
edited. Each must make the replay fail; the invariant that caught it and
the time are printed. The last line is "readers/mutants: N passed, M failed"
(a pass = a mutant caught).
"""
import os
import re
import subprocess
import sys
import time

# name: (description, old text of adapters/core.c, new text)
MUTANTS = {
    "record-truncated": (
        "the adapter hands over each record 8 bytes short",
        "\t\tit.len = rd_header_size(ev);",
        "\t\tit.len = rd_header_size(ev) - 8;"),
    "record-skipped": (
        "the adapter drops every other record (consumed, never handed over)",
        "\t\tv = deliver(arg, &it);",
        "\t\tv = (c->r.stats.records & 1) ? RD_CONTINUE : deliver(arg, &it);"),
    "endless-window": (
        "an empty window does not end the adapter's loop",
        "\t\tif (ret <= 0)\n\t\t\tbreak;",
        "\t\tif (ret < 0)\n\t\t\tbreak;\n\t\tif (ret == 0)\n\t\t\tcontinue;"),
}

STORY = re.compile(r"invariant \S+ broke[^\n]*")


def apply(name, src, dst):
    _, old, new = MUTANTS[name]
    with open(src) as f:
        text = f.read()
    if text.count(old) != 1:
        sys.exit("mutants.py: %s: readers/adapters/core.c no longer has the text "
                 "it edits (once); update MUTANTS" % name)
    os.makedirs(os.path.dirname(os.path.abspath(dst)), exist_ok=True)
    with open(dst + ".tmp", "w") as f:
        f.write(text.replace(old, new))
    os.replace(dst + ".tmp", dst)


def run(build, corpora):
    t0 = time.monotonic()
    p = subprocess.run(["cmake", "--build", build, "--target", "readers-mutants"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode:
        print(p.stdout.decode(errors="replace")[-3000:])
        print("readers/mutants: 0 passed, %d failed (the mutants did not build)"
              % len(MUTANTS))
        return 1
    print("readers/mutants: built in %.0f s" % (time.monotonic() - t0))
    caught = missed = 0
    for name, (what, _, _) in MUTANTS.items():
        binary = os.path.join(build, "fuzz", "fuzz_readers-mut-" + name)
        t = time.monotonic()
        try:
            p = subprocess.run([binary] + corpora, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=300,
                               env=dict(os.environ, UPRB_READERS="core"))
            out, rc = p.stdout.decode(errors="replace"), p.returncode
        except subprocess.TimeoutExpired:
            out, rc = "", None
        took = time.monotonic() - t
        story = STORY.search(out)
        if rc is None or rc != 0:
            caught += 1
            print("  %s: caught (%.1f s): %s" % (
                name, took, story.group(0)[:200] if story else
                "the replay hung" if rc is None else "exit %d" % rc))
        else:
            missed += 1
            print("  %s: NOT CAUGHT: %s" % (name, what))
    print("readers/mutants: %d passed, %d failed" % (caught, missed))
    return 0 if not missed else 1


def main(argv):
    if "--list" in argv:
        for name, (what, _, _) in MUTANTS.items():
            print("%-20s %s" % (name, what))
        return 0
    if argv[:1] == ["--apply"] and len(argv) == 4:
        apply(argv[1], argv[2], argv[3])
        return 0
    if argv[:1] == ["--build"] and len(argv) >= 4 and argv[2] == "--corpora":
        return run(argv[1], argv[3:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
