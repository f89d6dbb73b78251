#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""kcc.py - compiler and linker launcher of the kernel backend's files
(CMake's C_COMPILER_LAUNCHER / C_LINKER_LAUNCHER): runs the command as it
is; when it fails on a kernel tree's code, ends the compiler's output with
one line per thing the shim lacks, named, with where the tree uses it:

  kernel backend: ring_buffer.c does not build against the shim; it needs:
    function lockdep_assert_irqs_disabled  (ring_buffer.c:40)
    field struct perf_event.pending_work    (ring_buffer.c:52)
  add them to kernel/shim/ (kernel/README.md: adding a kernel helper or a field)

Usage: kcc.py <command> [args...]; exit status: the command's.
"""
import re
import subprocess
import sys

# gcc quotes names with \u2018 \u2019 in a UTF-8 locale, with ' otherwise; clang with '
O, C = "[\u2018']", "[\u2019']"
NAME = O + r"(\w+)" + C
TYPE = O + r"((?:struct|union) \w+)" + C
# (kind, pattern): gcc 12 and clang 14 wordings of "this name is missing"
PATTERNS = [
    ("function", r"implicit declaration of function " + NAME),
    ("function", r"call to undeclared function " + NAME),
    ("function", r"undefined reference to [`\u2018'](\w+)['\u2019]"),
    ("type", r"unknown type name " + NAME),
    ("identifier", NAME + r" undeclared"),
    ("identifier", r"use of undeclared identifier " + NAME),
    ("field", TYPE + r" has no member named " + NAME),
    ("field", r"no member named " + NAME + r" in " + TYPE),
    ("type", r"incomplete definition of type " + TYPE),
    ("type", r"invalid use of undefined type " + TYPE),
    ("type", r"field has incomplete type " + TYPE),
    ("header", r"fatal error: ([\w/.]+\.h): No such file or directory"),
    ("header", r"fatal error: " + O + r"([\w/.]+\.h)" + C + r" file not found"),
]
WHERE = re.compile(r"^([^\s:]+):(\d+):(\d+:)? ")


def summarise(output):
    seen = {}
    for line in output.splitlines():
        for kind, pat in PATTERNS:
            m = re.search(pat, line)
            if not m:
                continue
            if kind == "field":
                a, b = m.groups()
                name = "%s.%s" % ((a, b) if a.startswith(("struct", "union")) else (b, a))
            else:
                name = m.group(1)
            w = WHERE.match(line)
            where = "%s:%s" % (w.group(1).rsplit("/", 1)[-1], w.group(2)) if w else ""
            seen.setdefault((kind, name), where)
            break
    return seen


def main():
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    sys.stderr.write(p.stdout)
    if p.returncode == 0:
        return 0
    missing = summarise(p.stdout)
    if missing:
        src = next((a for a in sys.argv[1:] if a.endswith(".c")), "the link")
        lines = ["kernel backend: %s does not build against the shim; it needs:" %
                 src.rsplit("/", 1)[-1]]
        width = max(len("%s %s" % k) for k in missing)
        for (kind, name), where in missing.items():
            lines.append("  %-*s  (%s)" % (width, "%s %s" % (kind, name), where or "?"))
        lines.append("add them to kernel/shim/ (kernel/README.md: adding a kernel "
                     "helper or a field)")
        sys.stderr.write("\n".join(lines) + "\n")
    return p.returncode


if __name__ == "__main__":
    sys.exit(main())
