#!/bin/bash -eu
# SPDX-License-Identifier: MIT
# oss-fuzz/build.sh - builds every fuzz target for OSS-Fuzz / ClusterFuzzLite
# (ci/CAMPAIGN.md). Honours what the base-builder image sets:
#   $CC $CXX $CFLAGS $CXXFLAGS   compilers and flags (sanitizer, coverage)
#   $LIB_FUZZING_ENGINE          the engine's main (libFuzzer, AFL++ driver, ...)
#   $SRC $WORK $OUT              sources, scratch, output
# and writes to $OUT, per target <t> of fuzz/registry.txt:
#   <t>                   the fuzzer
#   <t>_seed_corpus.zip   its seeds and regressions (text in corpora/,
#                         compiled to bytes here) and campaign finds
#   <t>.options, <dict>   its options and dictionary (fuzz/dict/, the
#                         dictionary compiled: sites named by label)
# Two CMake builds: a host one (plain flags) that builds uprb-script and
# compiles the seeds and dictionaries, and the fuzz one (sim seam only, no
# project sanitizer or -Werror: the flags are OSS-Fuzz's) of the core and
# the fuzz world; each target is compiled with $CC and linked with $CXX, as
# the engine libraries are C++.
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
tools=$WORK/ringtorture-tools
jobs=${JOBS:-$(nproc)}

# Host tools: none of the engine's or sanitizers' flags (uprb-script runs
# here, during the build).
tools_cc=$(command -v clang || command -v cc || echo "${CC%% *}")
env -u CFLAGS -u CXXFLAGS -u LDFLAGS cmake -S "$proj" -B "$tools" -DCMAKE_BUILD_TYPE= \
  -DCMAKE_C_COMPILER="$tools_cc" -DCMAKE_C_FLAGS= \
  -DUPRB_SEAMS=sim -DUPRB_SANITIZE= -DUPRB_WERROR=OFF -DUPRB_COVERAGE=OFF \
  -DUPRB_FUZZ_LIBFUZZER=OFF -DUPRB_FUZZ_AFL=OFF
env -u CFLAGS -u CXXFLAGS -u LDFLAGS cmake --build "$tools" -j"$jobs" --target uprb-seeds

cmake -S "$proj" -B "$build" -DCMAKE_BUILD_TYPE= \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS" \
  -DUPRB_SEAMS=sim -DUPRB_SANITIZE= -DUPRB_WERROR=OFF -DUPRB_COVERAGE=OFF \
  -DUPRB_FUZZ_LIBFUZZER=OFF -DUPRB_FUZZ_AFL=OFF
cmake --build "$build" -j"$jobs" --target uprb-fuzz-world

includes=(-I"$proj/core/include" -I"$proj/fuzz/sim" -I"$proj/fuzz/model"
          -I"$proj/fuzz/driver" -I"$build/fuzz/gen")
libs=("$build/fuzz/libuprb-fuzz-world.a" "$build/core/libuprb-sim.a")
# The registry's targets (fuzz/targets.tsv: name input world_writer source
# link dict options seeds regressions finds built_by; "-" for none).
while IFS=$'\t' read -r t input _ source link dict options seeds regressions finds built_by; do
  case $t in ''|'#'*) continue ;; esac
  if [ "$built_by" != - ]; then
    # A target with sources, libraries and link options of its own
    # (fuzz_readers: readers/): the script its folder's CMake writes builds
    # it as below, with $CC $CFLAGS and $CXX $LIB_FUZZING_ENGINE.
    script=$build/fuzz/$t.ossfuzz.sh
    if [ ! -x "$script" ]; then
      echo "build.sh: $t is built by $built_by/ (fuzz/registry.txt), which wrote no $script" >&2
      exit 1
    fi
    "$script"
  else
    # Other libraries than the world (our parsers): built here, linked first,
    # their include folders and archives from the build's fuzz-link/<lib>.txt.
    extra_inc=() extra_libs=()
    if [ "$link" != world ]; then
      IFS=, read -ra parts <<<"$link"
      for l in "${parts[@]}"; do
        [ "$l" = uprb-fuzz-world ] && continue
        desc=$build/fuzz-link/$l.txt
        if [ ! -f "$desc" ]; then
          echo "build.sh: $t links '$l' (fuzz/registry.txt): no $desc describes it" >&2
          exit 1
        fi
        cmake --build "$build" -j"$jobs" --target "$l"
        while read -r kind path; do
          case $kind in
            archive) extra_libs+=("$path") ;;
            include) extra_inc+=(-I"$path") ;;
          esac
        done <"$desc"
      done
    fi
    # shellcheck disable=SC2086 # CFLAGS and LIB_FUZZING_ENGINE are word lists
    $CC $CFLAGS -std=gnu11 -D_GNU_SOURCE -DUPRB_PORT_SIM=1 "${includes[@]}" \
      "${extra_inc[@]}" -c "$source" -o "$WORK/$t.o"
    # shellcheck disable=SC2086
    $CXX $CXXFLAGS "$WORK/$t.o" "${extra_libs[@]}" "${libs[@]}" $LIB_FUZZING_ENGINE -o "$OUT/$t"
  fi

  # Seeds, regressions, finds: prefixed by their folder (names may repeat).
  stage=$WORK/seeds-$t
  rm -rf "$stage" "$OUT/${t}_seed_corpus.zip"
  mkdir -p "$stage"
  for d in "$seeds" "$regressions" "$finds"; do
    [ "$d" != - ] && [ -d "$d" ] || continue
    kind=$(basename "$(dirname "$d")")
    [ "$kind" = corpora ] && kind=seeds
    find "$d" -maxdepth 1 -type f ! -name '.*' -exec sh -c \
      'for f; do cp "$f" "$0/$1-$(basename "$f")"; done' "$stage" "$kind" {} +
  done
  if [ -z "$(ls -A "$stage")" ]; then
    echo "build.sh: $t: no compiled seeds in $seeds" >&2
    exit 1
  fi
  (cd "$stage" && zip -q "$OUT/${t}_seed_corpus.zip" ./*)
  [ "$options" = - ] || cp "$options" "$OUT/$t.options"
  [ "$dict" = - ] || cp "$dict" "$OUT/"
  echo "build.sh: $OUT/$t ($(ls "$stage" | wc -l) seeds)"
done < "$tools/fuzz/targets.tsv"
