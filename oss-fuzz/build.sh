#!/bin/bash -eu
# SPDX-License-Identifier: MIT
# oss-fuzz/build.sh - builds every fuzz target for OSS-Fuzz / ClusterFuzzLite
# (ci/CAMPAIGN.md). Honours what the base-builder image sets:
#   $CC $CXX $CFLAGS $CXXFLAGS   compilers and flags (sanitizer, coverage)
#   $LIB_FUZZING_ENGINE          the engine's main (libFuzzer, AFL++ driver, ...)
#   $SRC $WORK $OUT              sources, scratch, output
# and writes to $OUT, per target <t> of fuzz/CMakeLists.txt's UPRB_FUZZ_TARGETS:
#   <t>                   the fuzzer
#   <t>_seed_corpus.zip   corpora/<t>/ and corpora/regressions/<t>/
#   <t>.dict, <t>.options fuzz/dict/ (max_len, dictionary)
# The core and the fuzz world are built by CMake (sim seam only, no
# project sanitizer or -Werror: the flags are OSS-Fuzz's); each target is
# compiled with $CC and linked with $CXX, as the engine libraries are C++.
# ringtorture's tree: next to this script, else $SRC/ringtorture.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -d "$here/../core" ]; then
  proj=$(cd "$here/.." && pwd)
elif [ -d "$SRC/ringtorture/core" ]; then
  proj=$SRC/ringtorture
else
  echo "build.sh: cannot find the ringtorture tree (next to $here or in \$SRC/ringtorture)" >&2
  exit 1
fi
build=$WORK/ringtorture-build
jobs=${JOBS:-$(nproc)}

cmake -S "$proj" -B "$build" -DCMAKE_BUILD_TYPE= \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" \
  -DUPRB_SEAMS=sim -DUPRB_SANITIZE= -DUPRB_WERROR=OFF -DUPRB_COVERAGE=OFF \
  -DUPRB_FUZZ_LIBFUZZER=OFF -DUPRB_FUZZ_AFL=OFF
cmake --build "$build" -j"$jobs" --target uprb-fuzz-world

includes=(-I"$proj/core/include" -I"$proj/fuzz/sim" -I"$proj/fuzz/model" -I"$proj/fuzz/driver")
libs=("$build/fuzz/libuprb-fuzz-world.a" "$build/core/libuprb-sim.a")
mapfile -t targets < "$build/fuzz/targets.txt"
for t in "${targets[@]}"; do
  [ -n "$t" ] || continue
  if [ -x "$build/fuzz/$t.ossfuzz.sh" ]; then
    # A target with sources and libraries of its own (fuzz_readers: readers/).
    "$build/fuzz/$t.ossfuzz.sh"
  else
  # shellcheck disable=SC2086 # CFLAGS and LIB_FUZZING_ENGINE are word lists
  $CC $CFLAGS -std=gnu11 -D_GNU_SOURCE -DUPRB_PORT_SIM=1 "${includes[@]}" \
    -c "$proj/fuzz/targets/$t.c" -o "$WORK/$t.o"
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS "$WORK/$t.o" "${libs[@]}" $LIB_FUZZING_ENGINE -o "$OUT/$t"
  fi

  seeds=()
  for d in "$proj/corpora/$t" "$proj/corpora/regressions/$t"; do
    if [ -d "$d" ]; then seeds+=("$d"); fi
  done
  rm -f "$OUT/${t}_seed_corpus.zip"
  if ((${#seeds[@]})); then
    (cd "$WORK" && find "${seeds[@]}" -maxdepth 1 -type f ! -name '.*' -print0 |
       xargs -0 zip -q -j "$OUT/${t}_seed_corpus.zip")
  fi
  for ext in dict options; do
    if [ -f "$proj/fuzz/dict/$t.$ext" ]; then cp "$proj/fuzz/dict/$t.$ext" "$OUT/"; fi
  done
  echo "build.sh: $OUT/$t"
done
