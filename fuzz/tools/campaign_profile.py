#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""campaign_profile.py - where a running ci/campaign spends its CPU time, by
process kind (the profile of ci/CAMPAIGN.md, "Where the time goes").

  campaign_profile.py --pid PID [--interval S] [--json FILE]

Samples /proc every S seconds (default 1) until PID ends, then prints one
row per process kind: processes seen, user and system seconds, minor
faults, voluntary and involuntary context switches.

A process's own time is its utime/stime. What a process's reaped children
used shows up only in its cutime/cstime, so the children of each engine
process (libFuzzer -fork workers, AFL++'s fork server and its test
children) are counted from their parent's cutime/cstime plus the ones
still alive at the last sample; short-lived helpers of the campaign itself
(the coverage polls with -runs=0, seed replays) are the campaign's cutime
less the engine processes it reaped. What a process used in the last
interval before it ended is lost: short runs under-count by up to S per
process.
"""
import argparse
import json
import os
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def read_proc(pid):
    """(ppid, start, utime, stime, cutime, cstime, minflt, cmaj, argv,
    vol, invol) of @pid, or None when it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            argv = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
        vol = invol = 0
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("voluntary_ctxt_switches"):
                    vol = int(line.split()[1])
                elif line.startswith("nonvoluntary_ctxt_switches"):
                    invol = int(line.split()[1])
    except (OSError, ValueError):
        return None
    rest = st[st.rindex(")") + 2:].split()
    # fields from 3 on: state ppid ... minflt(10) cminflt majflt cmajflt
    # utime(14) stime cutime cstime ... starttime(22)
    f = lambda n: int(rest[n - 3])
    return {"ppid": f(4), "start": f(22), "utime": f(14) / TICK, "stime": f(15) / TICK,
            "cutime": f(16) / TICK, "cstime": f(17) / TICK, "minflt": f(10),
            "cminflt": f(11), "argv": argv, "vol": vol, "invol": invol}


def kind_of(argv):
    """The process kind of a top-level child of the campaign."""
    if not argv:
        return "other"
    exe = os.path.basename(argv[0])
    if exe == "afl-fuzz":
        if "-c" in argv:
            return "afl-fuzz cmplog"
        return "afl-fuzz main" if "-M" in argv else "afl-fuzz secondary"
    if any(a.startswith("-fork=") for a in argv):
        return "libFuzzer -fork parent"
    if "-runs=0" in argv:
        return "coverage poll (-runs=0)"
    if exe.endswith("-replay"):
        return "replay (seeds, triage)"
    if exe.startswith("fuzz_"):
        return "libFuzzer process"
    return "other: " + exe


def snapshot():
    procs = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            p = read_proc(int(d))
            if p:
                procs[int(d)] = p
    return procs


def descendants(procs, root):
    kids = {}
    for pid, p in procs.items():
        kids.setdefault(p["ppid"], []).append(pid)
    out, todo = [], [root]
    while todo:
        for c in kids.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def profile(root, interval):
    """Sample until @root ends; return {kind: totals}."""
    tops = {}      # (pid, start) of the campaign's direct children -> last sample
    last_root = base = None
    while True:
        procs = snapshot()
        if root not in procs:
            break
        last_root = procs[root]
        if base is None:   # what was reaped before (the builds) is not ours
            base = (last_root["cutime"], last_root["cstime"])
        for pid in descendants(procs, root):
            p = procs[pid]
            key = (pid, p["start"])
            if p["ppid"] == root:
                p["kind"] = kind_of(p["argv"])
                tops[key] = p
        time.sleep(interval)
    rows = {}

    def add(kind, user, system, minflt=0, vol=0, invol=0, n=1):
        r = rows.setdefault(kind, {"processes": 0, "user_s": 0.0, "system_s": 0.0,
                                   "minflt": 0, "vol_cs": 0, "invol_cs": 0})
        r["processes"] += n
        r["user_s"] += user
        r["system_s"] += system
        r["minflt"] += minflt
        r["vol_cs"] += vol
        r["invol_cs"] += invol

    reaped_total = [0.0, 0.0]
    for key, p in tops.items():
        add(p["kind"], p["utime"], p["stime"], p["minflt"], p["vol"], p["invol"])
        # its children: the reaped ones in cutime/cstime, the live ones apart
        cu, cs = p["cutime"], p["cstime"]
        add(p["kind"] + ": children", cu, cs, p["cminflt"], n=0)
        reaped_total[0] += p["utime"] + cu
        reaped_total[1] += p["stime"] + cs
    if last_root:
        add("campaign (python)", last_root["utime"], last_root["stime"],
            last_root["minflt"], last_root["vol"], last_root["invol"])
        add("campaign helpers (reaped, not engines)",
            max(0.0, last_root["cutime"] - base[0] - reaped_total[0]),
            max(0.0, last_root["cstime"] - base[1] - reaped_total[1]), n=0)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--interval", type=float, default=1.0)
    ap.add_argument("--json")
    a = ap.parse_args()
    if not os.path.exists("/proc/%d" % a.pid):
        print("campaign_profile.py: no process %d" % a.pid, file=sys.stderr)
        return 2
    rows = profile(a.pid, a.interval)
    tot = sum(r["user_s"] + r["system_s"] for r in rows.values()) or 1.0
    print("%-42s %5s %9s %9s %6s %10s %9s %9s" % ("kind", "procs", "user s", "system s",
                                                  "sys %", "minflt", "vol cs", "invol cs"))
    for k, r in sorted(rows.items(), key=lambda kv: -(kv[1]["user_s"] + kv[1]["system_s"])):
        cpu = r["user_s"] + r["system_s"]
        print("%-42s %5d %9.1f %9.1f %5.0f%% %10d %9d %9d" % (
            k, r["processes"], r["user_s"], r["system_s"],
            100.0 * r["system_s"] / cpu if cpu else 0, r["minflt"], r["vol_cs"], r["invol_cs"]))
    print("total CPU %.1f s, of it system %.1f%%" % (
        tot, 100.0 * sum(r["system_s"] for r in rows.values()) / tot))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
