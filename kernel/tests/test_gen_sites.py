#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_gen_sites.py - gen_sites.py labels the tree's ring_buffer.c, and
stops with file:line and text on patched copies (in a temp dir) that add a
shared access no rule covers (in __perf_output_begin, and in a new helper
it calls), drop an access a rule needs, or add a plain access to a shared
field. Each case says what it checks; the exit status is the failures'."""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

CASES = [
    # name, (old, new)..., what the message must say
    ("unpatched tree", None, None),
    ("access no rule covers",
     ("have_lost = local_read(&rb->lost);",
      "have_lost = local_read(&rb->lost); local_inc(&rb->events);"),
     r"ring_buffer\.c:(\d+): shared access not covered by any rule .* in "
     r"__perf_output_begin\(\):\s+local_inc\(&rb->events\)"),
    ("access in a new helper on the fast path",
     ("static __always_inline int\n__perf_output_begin(",
      "static void uprb_extra(struct perf_buffer *rb) { local_dec(&rb->events); }\n"
      "static __always_inline int\n__perf_output_begin("),
     ("have_lost = local_read(&rb->lost);",
      "have_lost = local_read(&rb->lost); uprb_extra(rb);"),
     r"shared access not covered by any rule .* in uprb_extra\(\):\s+"
     r"local_dec\(&rb->events\)"),
    ("rule that matches nothing",
     ("local_xchg(&rb->lost, 0)", "0"),
     r"site_rules\.txt:\d+: rule matches nothing in __perf_output_begin\(\): "
     r"__perf_output_begin \| local_xchg\(&rb->lost, 0\) \| 1 \| LOST_XCHG"),
    ("plain access to a shared field",
     ("have_lost = local_read(&rb->lost);",
      "have_lost = local_read(&rb->lost); rb->lost.counter++;"),
     r"ring_buffer\.c:\d+: plain C access to rb->lost in __perf_output_begin\(\)"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tree", required=True)
    ap.add_argument("--cuts", required=True)
    ap.add_argument("--kernel-dir", required=True)
    ap.add_argument("--port-h", required=True)
    a = ap.parse_args()
    events = os.path.join(a.tree, "kernel", "events")
    rb = open(os.path.join(events, "ring_buffer.c")).read()
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for case in CASES:
            name, patches, want = case[0], case[1:-1], case[-1]
            text = rb
            missing = [p[0] for p in patches if p and p[0] not in text]
            if missing:
                print("SKIP %s: this tree has no '%s'" % (name, missing[0]))
                continue
            for p in patches:
                if p:
                    text = text.replace(p[0], p[1], 1)
            patch = patches[0]
            path = os.path.join(tmp, "ring_buffer.c")
            with open(path, "w") as f:
                f.write(text)
            cmd = [sys.executable, os.path.join(a.kernel_dir, "tools", "gen_sites.py"),
                   "--rules", os.path.join(a.kernel_dir, "tools", "site_rules.txt"),
                   "--shim", os.path.join(a.kernel_dir, "shim"), "--port-h", a.port_h,
                   "--file", "RB=" + path, "--file", "IH=" + os.path.join(events, "internal.h"),
                   "--file", "CP=" + a.cuts,
                   "--header", "perf_event.h=" + os.path.join(a.tree, "include", "linux",
                                                              "perf_event.h"),
                   "--out-h", os.path.join(tmp, "s.h"), "--out-c", os.path.join(tmp, "s.c")]
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               universal_newlines=True)
            out = " ".join(p.stdout.split())
            if want is None:
                ok = p.returncode == 0
            else:
                m = re.search(want, out)
                ok = p.returncode == 1 and m is not None
                if ok and m.groups():
                    # the line named is the line patched
                    line = text[:text.index(patch[1])].count("\n") + 1
                    ok = int(m.group(1)) == line
            print("%s %s (exit %d)" % ("ok  " if ok else "FAIL", name, p.returncode))
            if not ok:
                print("  expected: %s\n  got:\n%s" % (want or "exit 0", p.stdout))
                failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
