#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""campaign_profile.py - where a running ci/campaign spends its CPU time, by
process kind (the profile of ci/CAMPAIGN.md, "Where the time goes").

  campaign_profile.py --pid PID [--interval S] [--json FILE]
  campaign_profile.py --perf FILE      (perf record -e cpu-clock -g -- ci/campaign ...)

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

With --perf it reads a `perf record -g` of the campaign's process tree
instead (perf script): CPU samples per process kind, user and kernel apart,
and the kernel entry points (system calls, page faults, interrupts) that
the kernel samples of each kind went through.
"""
import argparse
import json
import os
import re
import subprocess
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
                # a zombie has no argv: keep the kind it had when alive
                p["kind"] = tops[key]["kind"] if key in tops else kind_of(p["argv"])
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


def kernel_entry(kframes):
    """What a kernel sample (leaf first) was doing: a context switch, a page
    fault, an interrupt, or the system call it came in by."""
    if any(f in ("__schedule", "schedule") for f in kframes):
        return "context switch"
    for f in kframes:
        if f in ("asm_exc_page_fault", "exc_page_fault", "do_user_addr_fault"):
            return "page fault"
    if kframes and kframes[-1].startswith(("asm_sysvec", "asm_common_interrupt")):
        return "interrupt"
    if "do_syscall_64" in kframes:
        i = kframes.index("do_syscall_64")
        if i > 0:
            return re.sub(r"^(__x64_sys_|__do_sys_|__se_sys_|ksys_|do_sys_)", "",
                          kframes[i - 1]) + "()"
    return kframes[-1] if kframes else "?"


def perf_kind(exe, parent_exe, root_child):
    """The process kind of a perf sample from its executable's path."""
    base = os.path.basename(exe or "?")
    if base == "afl-fuzz":
        return "afl-fuzz"
    if base.endswith("-afl"):
        return "AFL++ target (fork server, children)"
    if base.startswith("fuzz_") and base.endswith("-replay"):
        return "replay"
    if base.startswith("fuzz_"):
        return "libFuzzer process (parent)" if root_child else "libFuzzer -fork worker"
    if base.startswith("python"):
        return "ci/campaign (Python)"
    if base in ("sh", "dash", "bash"):
        return "shells (libFuzzer -fork runs workers through system())"
    if base in ("cmake", "gmake", "make", "ninja", "clang", "ld", "cc1", "clang-14", "ld.lld"):
        return "build"
    return "other: " + base


def perf_profile(path):
    """{kind: {"user": n, "kernel": n, "entries": {entry: n}}} from perf script."""
    cmd = ["perf", "script", "-i", path, "--show-mmap-events", "--show-task-events",
           "-F", "comm,pid,ip,sym,dso"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                         errors="replace")
    exe, parent, root = {}, {}, None
    execd = set()
    rows = {}
    sample = None

    def flush(sm):
        if not sm:
            return
        pid, frames = sm
        ppid = parent.get(pid)
        kind = perf_kind(exe.get(pid), exe.get(ppid), ppid == root)
        r = rows.setdefault(kind, {"user": 0, "kernel": 0, "entries": {}})
        kernel = bool(frames) and frames[0][1] == "[kernel.kallsyms]"
        r["kernel" if kernel else "user"] += 1
        if kernel:
            entry = kernel_entry([sym for sym, dso in frames if dso == "[kernel.kallsyms]"])
            r["entries"][entry] = r["entries"].get(entry, 0) + 1

    for line in p.stdout:
        if "PERF_RECORD_" in line:
            m = re.search(r"PERF_RECORD_COMM exec: \S+:(\d+)/", line)
            if m:
                pid = int(m.group(1))
                execd.add(pid)
                exe.pop(pid, None)
                if root is None and " python3 " in " " + line:
                    root = pid
                continue
            m = re.search(r"PERF_RECORD_FORK\((\d+):\d+\):\((\d+):\d+\)", line)
            if m:
                child, par = int(m.group(1)), int(m.group(2))
                if child != par:
                    parent[child] = par
                    exe[child] = exe.get(par)
                continue
            m = re.search(r"PERF_RECORD_MMAP2? (\d+)/\d+: .*\]: r-xp (/\S+)$", line.strip())
            if m:
                pid, f = int(m.group(1)), m.group(2)
                if pid in execd and ".so" not in f:
                    exe[pid] = f
                    execd.discard(pid)
            continue
        if line.strip() == "":
            flush(sample)
            sample = None
        elif not line.startswith((" ", "\t")):
            flush(sample)
            parts = line.split()
            try:
                sample = (int(parts[-1]), [])
            except (ValueError, IndexError):
                sample = None
        elif sample is not None:
            m = re.match(r"\s*[0-9a-f]+ (.*) \((.*)\)$", line.rstrip())
            if m:
                sample[1].append((m.group(1).split("+")[0], m.group(2)))
    flush(sample)
    p.wait()
    return rows


def print_perf(rows):
    total = sum(r["user"] + r["kernel"] for r in rows.values()) or 1
    print("%-55s %7s %7s %7s  %s" % ("kind", "share", "user", "kernel",
                                    "kernel samples by entry point (top 5)"))
    for k, r in sorted(rows.items(), key=lambda kv: -(kv[1]["user"] + kv[1]["kernel"])):
        n = r["user"] + r["kernel"]
        top = sorted(r["entries"].items(), key=lambda kv: -kv[1])[:5]
        print("%-55s %6.1f%% %6.1f%% %6.1f%%  %s" % (
            k, 100.0 * n / total, 100.0 * r["user"] / total, 100.0 * r["kernel"] / total,
            ", ".join("%s %.0f%%" % (e, 100.0 * c / max(1, r["kernel"])) for e, c in top)))
    k = sum(r["kernel"] for r in rows.values())
    print("samples %d, kernel %.1f%%" % (total, 100.0 * k / total))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pid", type=int)
    ap.add_argument("--perf", help="a perf.data of the campaign (perf record -g)")
    ap.add_argument("--interval", type=float, default=1.0)
    ap.add_argument("--json")
    a = ap.parse_args()
    if a.perf:
        rows = perf_profile(a.perf)
        print_perf(rows)
        if a.json:
            with open(a.json, "w") as f:
                json.dump(rows, f, indent=2)
        return 0
    if a.pid is None:
        ap.error("--pid or --perf")
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
