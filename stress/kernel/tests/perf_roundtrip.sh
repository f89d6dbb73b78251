#!/usr/bin/env bash
# perf_roundtrip.sh BIN DIR MODE - perf interoperability (CTest kernel.perf_*).
#   write:  a short stress run captured as perf.data; `perf script` must read
#           it and list exactly the samples our own reader finds in it
#           (event, tid, cpu, time, period), and `perf report --stdio` must
#           name every event with its sample count.
#   record: `perf record -e page-faults` of a short command; our reader must
#           validate its stream and count the samples `perf script` counts.
# Exit: 0 pass, 1 fail, 77 skip (no perf, no permission).
set -uo pipefail
bin=$1 dir=$2 mode=$3
mkdir -p "$dir"
command -v perf >/dev/null || { echo "skip reason: perf is not installed (ci/deps installs linux-perf)"; exit 77; }
# Compare two sample lists ("event tid cpu time_ns period"), as multisets.
compare() {
  python3 - "$1" "$2" <<'PY'
import re, sys
def perf_lines(path):
    out = []
    pat = re.compile(r'^\s*(-?\d+)\s+\[(\d+)\]\s+(\d+)\.(\d{9}):\s+(\d+)\s+(\S+):')
    for line in open(path):
        m = pat.match(line)
        if not m:
            if line.strip():
                print("unparsed perf script line: " + line.rstrip()); sys.exit(1)
            continue
        tid, cpu, s, ns, period, ev = m.groups()
        out.append((ev, int(tid), int(cpu), int(s) * 10**9 + int(ns), int(period)))
    return out
def our_lines(path):
    out = []
    for line in open(path):
        ev, tid, cpu, t, period = line.split()
        out.append((ev, int(tid), int(cpu), int(t), int(period)))
    return out
p, o = sorted(perf_lines(sys.argv[1])), sorted(our_lines(sys.argv[2]))
print("perf script: %d samples, checker: %d samples" % (len(p), len(o)))
if p != o:
    ps, os_ = set(p), set(o)
    print("first only in perf script:", sorted(ps - os_)[:3])
    print("first only in ours:", sorted(os_ - ps)[:3])
    sys.exit(1)
if not p:
    print("no samples at all"); sys.exit(1)
evs = {}
for e in p: evs[e[0]] = evs.get(e[0], 0) + 1
print("per event: " + ", ".join("%s %d" % kv for kv in sorted(evs.items())))
PY
}
case $mode in
write)
  "$bin" --events cpu-clock,page-faults,context-switches,syscalls:sys_enter_getppid \
         --duration 1 --pages 16 --seed 1 --progress 10 --perf-data "$dir/ks.data" >"$dir/run.log" 2>&1
  rc=$?
  tail -n 4 "$dir/run.log"
  [ $rc = 77 ] && exit 77
  [ $rc = 0 ] || { echo "FAIL: the stress run failed ($rc)"; cat "$dir/run.log"; exit 1; }
  "$bin" --read-perf-data "$dir/ks.data" --dump-samples "$dir/ours.txt" || { echo "FAIL: our reader rejects our file"; exit 1; }
  perf script -i "$dir/ks.data" -F event,tid,cpu,time,period --ns >"$dir/perf.txt" 2>"$dir/perf.err" ||
    { echo "FAIL: perf script cannot read the file:"; cat "$dir/perf.err"; exit 1; }
  compare "$dir/perf.txt" "$dir/ours.txt" || { echo "FAIL: perf script and the checker disagree"; exit 1; }
  perf report --stdio -i "$dir/ks.data" >"$dir/report.txt" 2>"$dir/report.err" ||
    { echo "FAIL: perf report cannot read the file:"; cat "$dir/report.err"; exit 1; }
  for ev in cpu-clock page-faults context-switches syscalls:sys_enter_getppid; do
    grep -q "of event '$ev'" "$dir/report.txt" || { echo "FAIL: perf report does not list $ev"; exit 1; }
  done
  grep "^# Samples" "$dir/report.txt"
  echo "perf.data round trip: ok";;
record)
  perf record -q -e page-faults,context-switches -c 1 --sample-cpu -m 1 -o "$dir/rec.data" -- \
    sh -c 'for i in 1 2 3; do dd if=/dev/zero bs=1M count=20 2>/dev/null | cat >/dev/null; done' \
    >"$dir/rec.log" 2>&1
  rc=$?
  if [ $rc != 0 ]; then
    if grep -qi 'permission\|paranoid' "$dir/rec.log"; then echo "skip reason: $(head -n 3 "$dir/rec.log")"; exit 77; fi
    echo "FAIL: perf record failed:"; cat "$dir/rec.log"; exit 1
  fi
  "$bin" --read-perf-data "$dir/rec.data" --dump-samples "$dir/rec-ours.txt" -v || { echo "FAIL: the checker rejects perf record's stream"; exit 1; }
  perf script -i "$dir/rec.data" -F event,tid,cpu,time,period --ns >"$dir/rec-perf.txt" 2>/dev/null ||
    { echo "FAIL: perf script cannot read perf record's file"; exit 1; }
  compare "$dir/rec-perf.txt" "$dir/rec-ours.txt" || { echo "FAIL: perf script and the checker disagree on perf record's file"; exit 1; }
  echo "perf record stream validated: ok";;
*) echo "usage: $0 BIN DIR write|record"; exit 2;;
esac
