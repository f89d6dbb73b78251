#!/usr/bin/env python3
"""backend_bench.py - exec/s of each world target over the kernel backend
against the core, same build flags, same run (fuzz/README.md, "The kernel
backend's speed").

For every world writer target (fuzz/targets.tsv), each round runs the
libFuzzer binaries <t> (core) and <t>-kernel one after the other, in an
order that alternates by round, each for -runs=N from a copy of the
target's compiled seeds with the same -seed, and takes the executions per
CPU-second of the process (user + system time from the kernel's rusage:
robust to a loaded machine, where wall time is not). It prints per target
the median of the per-round ratios kernel/core, their spread, and the
median rates; --json writes them all.

  fuzz/tools/backend_bench.py --build build/libfuzzer [--rounds 5]
      [--runs 20000] [--seed 1] [--targets a,b] [--json FILE]
"""
import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile


def rate(binary, seeds, runs, seed, env=None):
    """Executions per CPU-second of one libFuzzer run of @runs inputs."""
    with tempfile.TemporaryDirectory() as corpus:
        for name in os.listdir(seeds):
            shutil.copy(os.path.join(seeds, name), corpus)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        p = subprocess.run([binary, "-runs=%d" % runs, "-seed=%d" % seed,
                            "-print_final_stats=1", corpus],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           env=env)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit("backend_bench: %s failed (exit %d): a finding, not a figure "
                 "(its crash file is in the current folder):\n%s"
                 % (binary, p.returncode, p.stderr[-2000:]))
    execs = runs
    for line in p.stderr.splitlines():
        if line.startswith("stat::number_of_executed_units:"):
            execs = int(line.split()[-1])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return execs / cpu if cpu > 0 else float("inf")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True, help="a libfuzzer-preset build with the kernel backend")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--targets", help="comma-separated (default: every world writer target)")
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--past", default="stale-tail",
                    help="known kernel defects the kernel runs look past (UPRB_SIM_PAST; "
                    "default stale-tail: a 6.1 tree finds it in seconds; '' for none)")
    a = ap.parse_args()
    if a.rounds < 1 or a.runs < 1:
        ap.error("--rounds and --runs must be positive")
    tsv = os.path.join(a.build, "fuzz", "targets.tsv")
    if not os.path.exists(tsv):
        ap.error("%s: no such file (configure the build first)" % tsv)
    rows = []
    with open(tsv) as f:
        cols = f.readline().lstrip("#").rstrip("\n").split("\t")
        for line in f:
            if line.strip():
                rows.append(dict(zip(cols, line.rstrip("\n").split("\t"))))
    targets = [r for r in rows if r["world_writer"] == "yes"]
    if a.targets:
        want = a.targets.split(",")
        targets = [r for r in targets if r["name"] in want]
    out = {"host": platform.node(), "machine": platform.machine(),
           "load": os.getloadavg(), "rounds": a.rounds, "runs": a.runs,
           "seed": a.seed, "targets": {}}
    print("backend_bench: %d rounds of %d runs, seed %d, load %.1f; exec per CPU-second"
          % (a.rounds, a.runs, a.seed, os.getloadavg()[0]))
    print("%-20s %12s %12s %8s  %s" % ("target", "core", "kernel", "ratio", "per round"))
    for r in targets:
        t = r["name"]
        core = os.path.join(a.build, "fuzz", t)
        kern = os.path.join(a.build, "fuzz", t + "-kernel")
        for b in (core, kern):
            if not os.access(b, os.X_OK):
                ap.error("%s: not built (cmake --build %s --target %s)"
                         % (b, a.build, os.path.basename(b)))
        rc, rk, ratios = [], [], []
        for i in range(a.rounds):
            kenv = dict(os.environ, UPRB_SIM_PAST=a.past) if a.past else None
            order = [(core, rc, None), (kern, rk, kenv)]
            if i % 2:
                order.reverse()
            for b, acc, env in order:
                acc.append(rate(b, r["seeds"], a.runs, a.seed + i, env))
            ratios.append(rk[-1] / rc[-1])
        med = statistics.median(ratios)
        print("%-20s %12.0f %12.0f %8.2f  %s" % (
            t, statistics.median(rc), statistics.median(rk), med,
            " ".join("%.2f" % x for x in ratios)), flush=True)
        out["targets"][t] = {"core": rc, "kernel": rk, "ratios": ratios, "median": med}
    if a.json:
        with open(a.json, "w") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
