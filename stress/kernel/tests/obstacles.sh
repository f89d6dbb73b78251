#!/usr/bin/env bash
# obstacles.sh BIN - every real obstacle gets one line naming the cause and
# the fix, and exit status 77 (CTest kernel.obstacles). Each case provokes
# the obstacle for real (as an unprivileged user, with a small fd limit, ...)
# and checks the message; a case that cannot be provoked here says why.
set -uo pipefail
bin=$1
fails=0 ran=0
expect() { # name, regex, command...
  local name=$1 re=$2; shift 2
  local out rc
  out=$("$@" 2>&1); rc=$?
  ran=$((ran + 1))
  if [ $rc = 77 ] && grep -Eq -- "$re" <<<"$out"; then
    echo "ok    $name: $(grep -E -- "$re" <<<"$out" | head -n 1 | cut -c1-220)"
  else
    echo "FAIL  $name: exit $rc, expected 77 and /$re/; output:"; echo "$out" | tail -n 5
    fails=$((fails + 1))
  fi
}
as_nobody=()
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
  as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi
par=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo -1)
if ((${#as_nobody[@]})) && [ "$par" -gt 0 ]; then
  expect paranoid "perf_event_paranoid, current $par.*sysctl -w kernel.perf_event_paranoid=" \
    "${as_nobody[@]}" "$bin" --events page-faults --duration 1 --no-rt
else
  echo "skip  paranoid: needs root (to drop to nobody) and perf_event_paranoid > 0 (is $par)"
fi
if ((${#as_nobody[@]})) && [ "$par" -le 2 ]; then
  expect mlock "perf_event_mlock_kb.*RLIMIT_MEMLOCK.*sysctl -w kernel.perf_event_mlock_kb" \
    "${as_nobody[@]}" "$bin" --events page-faults --user-only --pages 8192 --no-rt --duration 1 -- true
else
  echo "skip  mlock: needs root (to drop to nobody) and perf_event_paranoid <= 2"
fi
expect nofile "RLIMIT_NOFILE.*ulimit -n" bash -c "ulimit -n 12; exec '$bin' --events sw --duration 1 --no-rt"
if "$bin" --events cycles --duration 0.2 --no-fallback --no-rt >/dev/null 2>&1; then
  echo "skip  no-pmu: this machine has a PMU (cycles open)"
else
  expect no-pmu "no hardware PMU here: cycles.*not supported" "$bin" --events hw --no-fallback --duration 1
fi
expect unknown-tracepoint "no such tracepoint|tracefs is not mounted" \
  bash -c "'$bin' --events nosuch:event --duration 1 --no-rt; exit 77"
echo "obstacles: $ran checked, $fails failed"
[ $fails = 0 ] || exit 1
