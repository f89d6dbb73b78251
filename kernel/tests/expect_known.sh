#!/bin/sh
# expect_known.sh NAME defect|fixed TREE breaks|shows REGEX COMMAND [ARGS...]
# - a known defect of a kernel tree's ring_buffer.c, replayed through the
# kernel backend (kernel/CMakeLists.txt, uprb_kernel_known()).
#
# How the defect shows: "breaks": COMMAND fails with a line matching REGEX
# (an invariant's story line); "shows": COMMAND passes and prints a line
# matching REGEX (a count the world reports, for a defect that breaks no
# invariant). "defect": the tree has it, so it must show; a run without it
# is an UNEXPECTED PASS (the tree no longer has it). "fixed": the tree is
# past the fix, so COMMAND must pass without it.
name=$1 expect=$2 tree=$3 how=$4 regex=$5
shift 5
case $expect/$how in
defect/breaks|defect/shows|fixed/breaks|fixed/shows) ;;
*) echo "expect_known: $name: usage: NAME defect|fixed TREE breaks|shows REGEX COMMAND..."
   exit 2 ;;
esac
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
seen=0
if printf '%s\n' "$out" | grep -Eq -- "$regex"; then
  seen=1
fi
# "breaks" needs the failure and its line; "shows" needs a passing run.
if [ "$how" = shows ] && [ "$rc" != 0 ]; then
  echo "expect_known: $name: the replay failed (exit $rc): not the known defect"
  exit 1
fi
if [ "$seen" = 1 ] && { [ "$how" = shows ] || [ "$rc" != 0 ]; }; then
  if [ "$expect" = defect ]; then
    echo "expect_known: $name: present in $tree, as expected (findings/$name/REPORT.md)"
    exit 0
  fi
  echo "expect_known: $name: $tree should be past the fix but shows the defect"
  exit 1
fi
if [ "$rc" = 0 ]; then
  if [ "$expect" = fixed ]; then
    echo "expect_known: $name: $tree passes without the defect, as a tree past the fix should"
    exit 0
  fi
  echo "expect_known: $name: UNEXPECTED PASS: $tree does not show this defect any more;"
  echo "expect_known: record the version that fixed it (kernel/CMakeLists.txt, FIXED) and in findings/$name/REPORT.md"
  exit 1
fi
echo "expect_known: $name: the replay failed otherwise (exit $rc): not the known defect"
exit 1
