#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_missing_symbol.py - a ring_buffer.c the shim cannot build fails,
through the backend's compiler launcher (kcc.py), with a message naming
what is missing: the build's own compile command of ring_buffer.c
(compile_commands.json), run on a copy that calls a kernel helper and
reads an event field the shim does not have."""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

# on one line: the lines after it keep their numbers (and site labels)
PATCH = ("perf_output_get_handle(handle);",
         "lockdep_assert_irqs_disabled(); handle->event->pending_work = 1; "
         "perf_output_get_handle(handle);")
WANT = [r"function lockdep_assert_irqs_disabled\s+\(ring_buffer\.c:(\d+)\)",
        r"field struct perf_event\.pending_work\s+\(ring_buffer\.c:(\d+)\)",
        r"add them to kernel/shim/"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--rb", required=True)
    ap.add_argument("--launcher", required=True)
    a = ap.parse_args()
    db = json.load(open(os.path.join(a.build, "compile_commands.json")))
    rb = os.path.realpath(a.rb)
    entry = next((e for e in db if os.path.realpath(e["file"]) == rb), None)
    if not entry:
        print("FAIL: no compile command for %s in compile_commands.json" % rb)
        return 1
    text = open(rb).read()
    if PATCH[0] not in text:
        print("SKIP: this tree has no '%s'" % PATCH[0])
        return 0
    text = text.replace(PATCH[0], PATCH[1], 1)
    line = text[:text.index(PATCH[1])].count("\n") + 1
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "ring_buffer.c")
        with open(copy, "w") as f:
            f.write(text)
        args = entry.get("arguments") or shlex.split(entry["command"])
        out = []
        skip = False
        for x in args:
            if skip:
                out.append(os.path.join(tmp, "ring_buffer.o"))
                skip = False
            elif x == "-o":
                out.append(x)
                skip = True
            elif os.path.realpath(x) == rb if os.path.exists(x) else False:
                out.append(copy)
            else:
                out.append(x)
        p = subprocess.run([sys.executable, a.launcher] + out, cwd=entry["directory"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
    ok = p.returncode != 0
    for w in WANT:
        m = re.search(w, p.stdout)
        ok = ok and m is not None and (not m.groups() or int(m.group(1)) == line)
    tail = "\n".join(p.stdout.splitlines()[-4:])
    print("%s a ring_buffer.c the shim cannot build (exit %d):\n%s" %
          ("ok" if ok else "FAIL", p.returncode, tail))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
