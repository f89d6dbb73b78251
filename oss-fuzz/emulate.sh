#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# oss-fuzz/emulate.sh - runs oss-fuzz/build.sh as OSS-Fuzz's base-builder
# would (its environment variables, no docker), once per engine, and runs
# every target it produced briefly. The ci/test cell "oss-fuzz".
#
#   oss-fuzz/emulate.sh [libfuzzer] [afl]     (default both)
#
# Per engine: SRC WORK OUT in a scratch folder, CC/CXX/CFLAGS/CXXFLAGS with
# ASan as for SANITIZER=address, LIB_FUZZING_ENGINE = -fsanitize=fuzzer or
# AFL++'s libAFLDriver.a; then each $OUT/<t> must exist with its seed zip,
# run its seeds, and fuzz for a few seconds (libFuzzer -max_total_time,
# afl-fuzz -V) without a finding. Last line: "oss-fuzz: N passed, M failed".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
engines=("$@")
if ((${#engines[@]} == 0)); then engines=(libfuzzer afl); fi
seconds=${OSS_FUZZ_SECONDS:-3}
scratch=$(mktemp -d /tmp/uprb-oss-fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
passed=0 failed=0

ok() { echo "  ok: $*"; passed=$((passed + 1)); }
bad() { echo "  FAIL: $*"; failed=$((failed + 1)); }

for engine in "${engines[@]}"; do
  echo "=== oss-fuzz: $engine"
  base=$scratch/$engine
  mkdir -p "$base/src" "$base/work" "$base/out"
  san="-fsanitize=address -fsanitize-address-use-after-scope"
  common="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION $san"
  case $engine in
    libfuzzer)
      env=(CC=clang CXX=clang++ "CFLAGS=$common -fsanitize=fuzzer-no-link"
           "CXXFLAGS=$common -fsanitize=fuzzer-no-link" LIB_FUZZING_ENGINE=-fsanitize=fuzzer) ;;
    afl)
      driver=/usr/lib/afl/libAFLDriver.a
      [ -f "$driver" ] || { bad "afl: $driver missing (ci/deps installs afl++)"; continue; }
      env=(CC=afl-clang-fast CXX=afl-clang-fast++ "CFLAGS=$common" "CXXFLAGS=$common"
           "LIB_FUZZING_ENGINE=$driver" AFL_QUIET=1) ;;
    *) echo "oss-fuzz/emulate.sh: unknown engine $engine" >&2; exit 2 ;;
  esac
  # The project as OSS-Fuzz lays it out: $SRC/ringtorture, $SRC/build.sh.
  ln -s "$root" "$base/src/ringtorture"
  cp "$root/oss-fuzz/build.sh" "$base/src/build.sh"
  log=$base/build.log
  if ! (cd "$base/src/ringtorture" &&
        env "${env[@]}" SRC="$base/src" WORK="$base/work" OUT="$base/out" \
            SANITIZER=address FUZZING_ENGINE="$engine" ARCHITECTURE=x86_64 \
            bash -eu "$base/src/build.sh") >"$log" 2>&1; then
    tail -n 30 "$log"
    bad "$engine: build.sh failed"
    continue
  fi
  ok "$engine: build.sh"
  mapfile -t targets < "$base/work/ringtorture-build/fuzz/targets.txt"
  for t in "${targets[@]}"; do
    [ -n "$t" ] || continue
    bin=$base/out/$t
    if [ ! -x "$bin" ] || [ ! -f "$base/out/${t}_seed_corpus.zip" ]; then
      bad "$engine $t: \$OUT/$t or its seed corpus missing"; continue
    fi
    seeds=$base/seeds-$t
    mkdir -p "$seeds"
    unzip -q -o "$base/out/${t}_seed_corpus.zip" -d "$seeds"
    nseeds=$(find "$seeds" -type f | wc -l)
    if [ "$nseeds" = 0 ]; then bad "$engine $t: empty seed corpus"; continue; fi
    dict=()
    if [ -f "$base/out/$t.dict" ]; then dict=("$base/out/$t.dict"); fi
    tlog=$base/$t.log
    case $engine in
      libfuzzer)
        corpus=$base/corpus-$t
        mkdir -p "$corpus"
        if "$bin" -max_total_time="$seconds" -max_len=4096 ${dict:+-dict="${dict[0]}"} \
             -artifact_prefix="$base/" "$corpus" "$seeds" >"$tlog" 2>&1; then
          ok "$engine $t: $nseeds seeds, $(grep -Eo '^#[0-9]+.*exec/s: [0-9]+' "$tlog" | tail -n 1)"
        else
          tail -n 20 "$tlog"; bad "$engine $t: libFuzzer failed"
        fi ;;
      afl)
        # The driver runs files given as arguments (the seeds first), then fuzz.
        if ! "$bin" "$seeds"/* >"$tlog" 2>&1; then
          tail -n 20 "$tlog"; bad "$engine $t: seeds fail"; continue
        fi
        if AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 \
           AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CRASHES=1 \
           afl-fuzz -V "$seconds" -m none -i "$seeds" -o "$base/afl-$t" \
             ${dict:+-x "${dict[0]}"} -- "$bin" >>"$tlog" 2>&1 &&
           grep -q 'execs_done' "$base/afl-$t/default/fuzzer_stats"; then
          crashes=$(find "$base/afl-$t/default/crashes" -name 'id:*' | wc -l)
          execs=$(sed -nE 's/^execs_done *: *//p' "$base/afl-$t/default/fuzzer_stats")
          if [ "$crashes" = 0 ]; then ok "$engine $t: $nseeds seeds, $execs execs, no crash"
          else bad "$engine $t: $crashes crash(es) in $base/afl-$t (kept: see log)"; trap - EXIT; fi
        else
          tail -n 20 "$tlog"; bad "$engine $t: afl-fuzz failed"
        fi ;;
    esac
  done
done
echo "oss-fuzz: $passed passed, $failed failed"
((failed == 0))
