#!/bin/sh
# expect_known.sh NAME defect|fixed TREE REGEX COMMAND [ARGS...] - a known
# defect of a kernel tree's ring_buffer.c, replayed through the kernel
# backend (kernel/CMakeLists.txt, uprb_kernel_known()). "defect": the tree
# has it, so COMMAND must break the invariant REGEX names; a run that passes
# is an UNEXPECTED PASS (the tree no longer has it). "fixed": the tree is
# past the fix, so COMMAND must pass.
name=$1 expect=$2 tree=$3 regex=$4
shift 4
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if printf '%s\n' "$out" | grep -Eq "invariant $regex broke"; then
  if [ "$expect" = defect ]; then
    echo "expect_known: $name: present in $tree, as expected (findings/$name/REPORT.md)"
    exit 0
  fi
  echo "expect_known: $name: $tree should be past the fix but shows the defect"
  exit 1
fi
if [ "$rc" = 0 ]; then
  if [ "$expect" = fixed ]; then
    echo "expect_known: $name: $tree passes, as a tree past the fix should"
    exit 0
  fi
  echo "expect_known: $name: UNEXPECTED PASS: $tree does not show this defect any more;"
  echo "expect_known: record the version that fixed it (kernel/CMakeLists.txt, FIXED) and in findings/$name/REPORT.md"
  exit 1
fi
echo "expect_known: $name: the replay failed otherwise (exit $rc): not the known defect"
exit 1
