#!/bin/sh
# expect_defect.sh [--model] NAME COMMAND [ARGS...] - run a finding's
# reproducer as a CTest of a known kernel defect (findings/README.md): its
# exit 1 ("defect present") is a pass; exit 0 ("not present") fails loudly
# as an unexpected pass, since the kernel under test no longer shows the
# defect; exit 77 ("cannot tell here") stays 77, which CTest reports as
# skipped; anything else means the reproducer itself broke. --model: the
# command is the finding's user-space model, not a run on the kernel.
what="Linux $(uname -r)"
if [ "$1" = --model ]; then
  what="the user-space model of the kernel's code"
  shift
fi
name=$1
shift
"$@"
rc=$?
case $rc in
1)  echo "expect_defect: $name: defect present in $what, as expected (findings/$name/REPORT.md)"
    exit 0 ;;
0)  echo "expect_defect: $name: UNEXPECTED PASS: $what does not show this defect any more."
    echo "expect_defect: if a fix landed, record the version in findings/$name/REPORT.md and the README's Findings line, then retire or invert this test."
    exit 1 ;;
77) echo "expect_defect: $name: cannot tell on this machine (reason above): skipped"
    exit 77 ;;
*)  echo "expect_defect: $name: the reproducer failed with exit $rc (not 0, 1 or 77): it is broken, not the kernel"
    exit 2 ;;
esac
