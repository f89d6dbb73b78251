#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""schedcov_bench.py - what schedule coverage (fuzz/sim/schedcov.h) buys and costs.

    schedcov_bench.py ttf --build B --out R.jsonl [--cases ...] [--seeds 1-5]
                      [--modes 1,0] [--cap 600] [--runs N] [--jobs 1]
        time to find: every case (a barrier-matrix cell caught today, a
        ci/mutants fault, or the planted schedule-only bug of
        UPRB_SIM_SCHEDCOV_PLANT=bug) fuzzed by libFuzzer from an empty corpus (nothing
        but the target's dictionary), one process per run, once per seed
        and mode (UPRB_SIM_SCHEDCOV value: 1 features on, 0 off, or a list
        of families), the modes of a case and seed interleaved (with
        --jobs 2 they run side by side). A run ends at its first failure,
        which must replay as the case's fault (it fails with the fault and
        passes without it), or at --cap seconds (or --runs executions).
        Results go to R.jsonl, one line a run; a run already in R.jsonl is
        not run again, so an interrupted benchmark resumes.
    schedcov_bench.py table R.jsonl [--markdown]
        per case and mode: how many seeds found it, median seconds and
        executions (a run that found nothing sorts last), the ratio
        of the medians; then over all runs.
    schedcov_bench.py cost --build B [--targets ...] [--rounds 5] [--runs N]
        exec/s of each world target with features on and off, the same
        binary, the modes alternating: libFuzzer -runs=N -seed=round from a
        copy of the target's compiled seeds (what fuzzing gets, including what each
        mode's corpus grows into), and the fixed work of running every input
        of the union of both grown corpora as individual inputs (the same
        inputs: what the world's runs cost, without libFuzzer's bookkeeping
        of the extra features); executions per CPU second (the process's own
        CPU time: the machine is shared); medians and ranges of the
        per-round on/off ratios.
    schedcov_bench.py list
        the cases.

B is a libFuzzer build (cmake --preset libfuzzer -B B; -DUPRB_SANITIZE= for
one without sanitizers, twice as fast: every case fails on a model
invariant). Mutant cases build the mutated tree's target in --mutant-dir
(default B/../ttf-mutants-<build name>) once, with the libfuzzer preset and
B's sanitizers (ci/mutants' edits, as ci/campaign --mutant does). Every run prints its command line; a failure is kept under the
results' folder with the command that replays it.

The full nightly version: `ttf --cases all --seeds 1-5 --cap 600 --jobs N`
(N cores); what fuzz/README.md shows was run with the arguments it gives.
"""
import argparse
import importlib.machinery
import importlib.util
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MATRIX = os.path.join(ROOT, "corpora", "memory_matrix", "matrix.json")
STORY = re.compile(r"invariant (\S+) broke: .* at site (\S+)")
DEFAULT_MAX_LEN = 4096

# The target that catches a ci/mutants fault from an empty corpus: a world
# target for the writer's faults; the reader's faults only show in
# fuzz_reader_corrupt, which does not run the world (no schedule features:
# the two modes run the same search there).
MUTANT_TARGET = {
    "no-again-loop": "fuzz_writer_nest",
    "clear-nest-before-publish": "fuzz_writer_nest",
    "inner-writer-publishes": "fuzz_writer_nest",
    "space-off-by-one": "fuzz_writer_nest",
    "lost-not-reset": "fuzz_loss_wakeup",
    "no-lost-room": "fuzz_loss_wakeup",
    "no-page-advance": "fuzz_writer_nest",
    "paused-not-counted": "fuzz_loss_wakeup",
    "watermark-not-strict": "fuzz_loss_wakeup",
    "backward-no-fixup": "fuzz_writer_nest",
    "reader-no-size-check": "fuzz_reader_corrupt",
    "reader-tail-not-published": "fuzz_reader_corrupt",
}


def load_mutants():
    path = os.path.join(ROOT, "ci", "mutants")
    loader = importlib.machinery.SourceFileLoader("uprb_mutants", path)
    spec = importlib.util.spec_from_loader("uprb_mutants", loader)
    mod = importlib.util.module_from_spec(spec)
    loader.exec_module(mod)
    return mod


def all_cases():
    """Every case: the caught matrix cells, then the mutants."""
    cases = []
    with open(MATRIX) as f:
        for c in json.load(f)["cells"]:
            if c.get("caught"):
                cases.append({"name": "%s-%s" % (c["model"], c["site"]), "kind": "matrix",
                              "target": "fuzz_weak_memory",
                              "env": {"UPRB_SIM_MEMORY": c["model"],
                                      "UPRB_SIM_WEAKEN": c["site"]},
                              "invariant": c["invariant"]})
    for name in load_mutants().MUTANTS:
        cases.append({"name": name, "kind": "mutant",
                      "target": MUTANT_TARGET.get(name, "fuzz_writer_nest"),
                      "env": {}, "mutant": name})
    # A bug only the order of preemptions shows (schedcov.h): what the
    # features do where edges see nothing at all.
    cases.append({"name": "planted-schedule", "kind": "planted", "target": "fuzz_writer_nest",
                  "env": {"UPRB_SIM_SCHEDCOV_PLANT": "bug"}})
    return cases


def select(cases, spec):
    if spec in ("all", ""):
        return cases
    if spec in ("matrix", "mutants", "planted"):
        kind = {"matrix": "matrix", "mutants": "mutant", "planted": "planted"}[spec]
        return [c for c in cases if c["kind"] == kind]
    want = spec.split(",")
    out = [c for c in cases if c["name"] in want]
    missing = set(want) - {c["name"] for c in out}
    if missing:
        sys.exit("schedcov_bench: no case %s (list shows them)" % ", ".join(sorted(missing)))
    return out


def seeds_of(spec):
    out = []
    for part in spec.split(","):
        if "-" in part:
            a, b = part.split("-")
            out += range(int(a), int(b) + 1)
        else:
            out.append(int(part))
    return out


def registry(build):
    """The build's table of targets (fuzz/registry.txt as it wrote it):
    per target, its compiled dictionary, options file and compiled seeds."""
    path = os.path.join(build, "fuzz", "targets.tsv")
    rows = {}
    with open(path) as f:
        head = f.readline().lstrip("#").rstrip("\n").split("\t")
        for line in f:
            if line.strip():
                row = dict(zip(head, line.rstrip("\n").split("\t")))
                rows[row["name"]] = {k: ("" if v == "-" else v) for k, v in row.items()}
    return rows


def engine_options(build, target):
    """-max_len and -dict of a target, as ci/campaign reads them."""
    row = registry(build)[target]
    opts = ["-max_len=%d" % DEFAULT_MAX_LEN]
    if row["options"]:
        with open(row["options"]) as f:
            for line in f:
                m = re.match(r"\s*max_len\s*=\s*(\d+)", line)
                if m:
                    opts[0] = "-max_len=%s" % m.group(1)
    if row["dict"]:
        opts.append("-dict=%s" % row["dict"])
    return opts


def cache_value(build, key):
    """A CMake cache entry of @build ("" when unset)."""
    try:
        with open(os.path.join(build, "CMakeCache.txt")) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return ""


def build_mutant(name, target, mdir, jobs, sanitize):
    """The libFuzzer binary and replay binary of @target with mutant @name,
    built with the sanitizers @sanitize (those of the unmutated build)."""
    src = os.path.join(mdir, name, "src")
    bdir = os.path.join(mdir, name, "build")
    fuzzer = os.path.join(bdir, "fuzz", target)
    replay = os.path.join(bdir, "fuzz", target + "-replay")
    if os.path.exists(fuzzer) and os.path.exists(replay):
        return fuzzer, replay
    mutants = load_mutants()
    shutil.rmtree(src, ignore_errors=True)
    os.makedirs(src)
    for item in ("CMakeLists.txt", "CMakePresets.json"):
        shutil.copy2(os.path.join(ROOT, item), src)
    for item in ("core", "fuzz", "stress", "corpora", "cmake", "readers"):
        if os.path.isdir(os.path.join(ROOT, item)):
            shutil.copytree(os.path.join(ROOT, item), os.path.join(src, item))
    mutants.apply(src, name)
    log = os.path.join(mdir, name, "build.log")
    print("schedcov_bench: building mutant %s (%s), log %s" % (name, target, log), flush=True)
    with open(log, "w") as f:
        for cmd in (["cmake", "--preset", "libfuzzer", "-B", bdir, "-DUPRB_SEAMS=sim",
                     "-DUPRB_WERROR=OFF", "-DUPRB_SANITIZE=%s" % sanitize],
                    ["nice", "-n", "10", "cmake", "--build", bdir, "-j", str(jobs),
                     "--target", target, target + "-replay"]):
            if subprocess.run(cmd, cwd=src, stdout=f, stderr=subprocess.STDOUT).returncode:
                sys.exit("schedcov_bench: building mutant %s failed (log %s)" % (name, log))
    return fuzzer, replay


def replay(binary, path, env):
    """Return (failed, invariant or None)."""
    p = subprocess.run([binary, path], env=env, capture_output=True, text=True,
                       timeout=120)
    m = STORY.search(p.stdout + p.stderr)
    return p.returncode != 0, (m.group(1) if m else None)


def case_env(case, mode):
    env = dict(os.environ)
    for k in ("UPRB_SIM_MEMORY", "UPRB_SIM_WEAKEN", "UPRB_SIM_SCHEDCOV",
              "UPRB_SIM_SCHEDCOV_PLANT"):
        env.pop(k, None)
    env.update(case["env"])
    env["UPRB_SIM_SCHEDCOV"] = mode
    return env


def verify(case, bins, crash, mode):
    """The failure must be the case's fault: it fails with it, not without."""
    env = case_env(case, mode)
    failed, inv = replay(bins["replay"], crash, env)
    if not failed:
        return False, None, "does not fail again"
    if case["kind"] in ("matrix", "planted"):
        clean_env = dict(env)
        for k in ("UPRB_SIM_WEAKEN", "UPRB_SIM_SCHEDCOV_PLANT"):
            clean_env.pop(k, None)
        clean, _ = replay(bins["replay"], crash, clean_env)
    else:
        clean, _ = replay(bins["clean_replay"], crash, env)
    if clean:
        return False, inv, "fails without the fault too"
    return True, inv, None


RUNNING = set()
STOP = threading.Event()


def run_fuzzer(cmd, env, log, timeout):
    """One fuzzer in a session of its own, ended (with whatever it started)
    when it overruns or this script is stopped. Return its CPU seconds."""
    p = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT,
                         start_new_session=True)
    RUNNING.add(p.pid)

    def overrun():
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except OSError:
            pass
    timer = threading.Timer(timeout, overrun)
    timer.start()
    try:
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
    finally:
        timer.cancel()
        RUNNING.discard(p.pid)
    return ru.ru_utime + ru.ru_stime


def stop_running(signum=None, frame=None):
    STOP.set()
    for pid in list(RUNNING):
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    if signum is not None:
        sys.exit("schedcov_bench: stopped by signal %d" % signum)


def run_one(case, mode, seed, args, bins, outdir):
    work = tempfile.mkdtemp(prefix="ttf-", dir=args.work)
    corpus = os.path.join(work, "corpus")
    os.makedirs(corpus)
    cmd = ["nice", "-n", str(args.nice), bins["fuzzer"], "-seed=%d" % seed,
           "-max_total_time=%d" % args.cap, "-print_final_stats=1",
           "-artifact_prefix=%s/" % work] + engine_options(bins["build"], case["target"])
    if args.runs:
        cmd.append("-runs=%d" % args.runs)
    cmd.append(corpus)
    env = case_env(case, mode)
    shown = " ".join("%s=%s" % (k, v) for k, v in sorted(case["env"].items()))
    print("schedcov_bench: %-28s %-8s seed %d: %s UPRB_SIM_SCHEDCOV=%s %s" % (
        case["name"], mode, seed, shown, mode, " ".join(cmd[3:])), flush=True)
    t0 = time.monotonic()
    with open(os.path.join(work, "log"), "w") as log:
        cpu = run_fuzzer(cmd, env, log, args.cap + 120)
    took = time.monotonic() - t0
    with open(os.path.join(work, "log"), errors="replace") as f:
        text = f.read()
    m = re.search(r"stat::number_of_executed_units:\s+(\d+)", text)
    execs = int(m.group(1)) if m else None
    crashes = sorted(f for f in os.listdir(work) if f.startswith(("crash-", "timeout-",
                                                                  "oom-", "leak-")))
    res = {"case": case["name"], "kind": case["kind"], "target": case["target"],
           "mode": mode, "seed": seed, "cap": args.cap, "runs_cap": args.runs,
           "found": False, "seconds": round(took, 2), "cpu": round(cpu, 2), "execs": execs}
    if crashes:
        crash = os.path.join(work, crashes[0])
        ok, inv, why = verify(case, bins, crash, mode)
        keep = os.path.join(outdir, "%s-%s-s%d-%s" % (case["name"], mode, seed, crashes[0][:14]))
        shutil.copy(crash, keep)
        res.update(found=ok, invariant=inv, input=os.path.relpath(keep, ROOT))
        if not ok:
            res["note"] = why
            res["log"] = text[-3000:]
    elif execs is None:
        res["note"] = "libFuzzer printed no final stats"
        res["log"] = text[-3000:]
    shutil.rmtree(work, ignore_errors=True)
    print("schedcov_bench: %-28s %-8s seed %d: %s" % (
        case["name"], mode, seed,
        ("found in %.1f s, %s execs (%s)" % (took, execs, res.get("invariant")))
        if res["found"] else "not found in %.1f s, %s execs%s" % (
            took, execs, ", " + res["note"] if res.get("note") else "")), flush=True)
    return res


def done_keys(path):
    keys = set()
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    keys.add((r["case"], r["mode"], r["seed"], r["cap"], r.get("runs_cap")))
    return keys


def cmd_ttf(args):
    cases = select(all_cases(), args.cases)
    seeds = seeds_of(args.seeds)
    modes = args.modes.split(";") if ";" in args.modes else args.modes.split(",")
    build = os.path.abspath(args.build)
    mdir = os.path.abspath(args.mutant_dir or os.path.join(
        build, "..", "ttf-mutants-" + os.path.basename(build)))
    outdir = os.path.splitext(os.path.abspath(args.out))[0] + ".inputs"
    os.makedirs(outdir, exist_ok=True)
    args.work = tempfile.mkdtemp(prefix="schedcov-bench-")
    bins = {}
    for c in cases:
        clean = {"fuzzer": os.path.join(build, "fuzz", c["target"]),
                 "replay": os.path.join(build, "fuzz", c["target"] + "-replay")}
        for b in clean.values():
            if not os.path.exists(b):
                sys.exit("schedcov_bench: %s missing: build it (cmake --build %s --target %s %s-replay)"
                         % (b, build, c["target"], c["target"]))
        if c["kind"] == "mutant":
            f, r = build_mutant(c["mutant"], c["target"], mdir, args.build_jobs,
                                cache_value(build, "UPRB_SANITIZE"))
            bins[c["name"]] = {"fuzzer": f, "replay": r, "clean_replay": clean["replay"]}
        else:
            bins[c["name"]] = clean
        bins[c["name"]]["build"] = build
    if args.prepare:
        print("schedcov_bench: %d cases ready" % len(cases))
        return 0
    done = done_keys(args.out)
    plan = []
    # Interleaved: per seed, per case, the modes in turn (the order flips
    # from one case and seed to the next), so every mode meets the same load.
    for si, seed in enumerate(seeds):
        for ci, c in enumerate(cases):
            order = modes if (si + ci) % 2 == 0 else list(reversed(modes))
            for m in order:
                if (c["name"], m, seed, args.cap, args.runs) not in done:
                    plan.append((c, m, seed))
    print("schedcov_bench: %d runs (%d cases x %d seeds x %d modes, %d done already), "
          "cap %d s%s, %d at a time, results %s" % (
              len(plan), len(cases), len(seeds), len(modes),
              len(cases) * len(seeds) * len(modes) - len(plan), args.cap,
              ", %d executions" % args.runs if args.runs else "", args.jobs, args.out),
          flush=True)

    def one(item):
        c, m, seed = item
        if STOP.is_set():
            return None
        r = run_one(c, m, seed, args, bins[c["name"]], outdir)
        with open(args.out, "a") as f:
            f.write(json.dumps(r) + "\n")
        return r

    signal.signal(signal.SIGTERM, stop_running)
    try:
        with ThreadPoolExecutor(args.jobs) as pool:
            results = list(pool.map(one, plan))
    finally:
        stop_running()
    shutil.rmtree(args.work, ignore_errors=True)
    bad = [r for r in results if r and r.get("note") and "fail" in r["note"]]
    for r in bad:
        print("schedcov_bench: %s %s seed %d: a failure that is not the case's fault (%s): %s"
              % (r["case"], r["mode"], r["seed"], r["note"], r.get("input")))
    return 0


def cmd_table(args):
    with open(args.results) as f:
        rows = [json.loads(l) for l in f if l.strip()]
    cases, modes = [], []
    for r in rows:
        if r["case"] not in cases:
            cases.append(r["case"])
        if r["mode"] not in modes:
            modes.append(r["mode"])
    modes.sort(key=lambda m: (m == "0", m))  # features first, off last
    by = {}
    for r in rows:
        by.setdefault((r["case"], r["mode"]), []).append(r)

    def label(m):
        return "off" if m == "0" else ("on" if m == "1" else m)

    def med(rs, key):
        """Median of @key over runs, a run that found nothing sorting last;
        (value, censored): censored, the median is past what was run."""
        if all(r.get(key) is None for r in rs):
            return None
        vals = [(r[key] if r["found"] else None) for r in rs if r.get(key) is not None
                or not r["found"]]
        vals = [v if v is not None else float("inf") for v in vals]
        cap = max((r.get(key) or 0) for r in rs)
        if key == "seconds":
            cap = max(r["cap"] for r in rs)
        m = statistics.median(vals) if vals else float("inf")
        return (cap, True) if m == float("inf") else (m, False)

    def fmt(v, unit):
        return "-" if v is None else ("> " if v[1] else "") + unit(v[0])

    secs = lambda v: "%.1f" % v
    execs = lambda v: "%.3gk" % (v / 1000.0) if v < 1e6 else "%.3gM" % (v / 1e6)
    head = ["case", "target"]
    for m in modes:
        head += ["%s: found" % label(m), "%s: median s (CPU s)" % label(m),
                 "%s: median execs" % label(m)]
    two = len(modes) == 2
    if two:
        head += ["off/on: s", "off/on: execs"]
    out = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    ratios = {"seconds": [], "execs": []}
    pooled = {m: [] for m in modes}
    for c in cases:
        line = ["`%s`" % c, ""]
        meds = {}
        for m in modes:
            rs = by.get((c, m), [])
            if not rs:
                line += ["-", "-", "-"]
                continue
            line[1] = "`%s`" % rs[0]["target"]
            pooled[m] += rs
            meds[m] = {k: med(rs, k) for k in ("seconds", "cpu", "execs")}
            line += ["%d/%d" % (sum(r["found"] for r in rs), len(rs)),
                     "%s (%s)" % (fmt(meds[m]["seconds"], secs), fmt(meds[m]["cpu"], secs)),
                     fmt(meds[m]["execs"], execs)]
        if two and all(m in meds for m in modes):
            for k in ("seconds", "execs"):
                on, off = meds[modes[0]][k], meds[modes[1]][k]
                if on is None or off is None:
                    line.append("-")
                    continue
                r = off[0] / max(on[0], 0.01)
                ratios[k].append(r)
                line.append("%s%.2f" % ("> " if off[1] and not on[1] else "", r))
        out.append("| " + " | ".join(line) + " |")
    summary = ["**all runs**", ""]
    for m in modes:
        rs = pooled[m]
        summary += ["%d/%d" % (sum(r["found"] for r in rs), len(rs)),
                    "%s (%s)" % (fmt(med(rs, "seconds"), secs), fmt(med(rs, "cpu"), secs)),
                    fmt(med(rs, "execs"), execs)]
    if two and ratios["seconds"]:
        g = statistics.geometric_mean
        summary += ["per case: median %.2f, geo-mean %.2f" % (
                        statistics.median(ratios[k]), g(ratios[k]))
                    for k in ("seconds", "execs")]
    out.append("| " + " | ".join(summary) + " |")
    print("\n".join(out))
    print("\nA run that found nothing counts as not found by its cap (wall seconds) and "
          "sorts last; \"> x\": the median is such a run. Ratios off/on of the medians; "
          "\"> r\": off's median was not found.")
    return 0


def run_cpu(cmd, env):
    """Run @cmd; return (exit status, output, CPU seconds it used). CPU
    time, not wall time: on a machine shared with other work a process's
    own CPU time is what its code costs."""
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    return p.returncode, text, ru.ru_utime + ru.ru_stime


def fuzz_rate(cmd, env):
    """Executions per CPU second of a libFuzzer run, and its executions."""
    rc, text, cpu = run_cpu(cmd, env)
    n = re.search(r"stat::number_of_executed_units:\s+(\d+)", text)
    if rc or not n:
        sys.exit("schedcov_bench: %s failed (status %d):\n%s" % (" ".join(cmd), rc,
                                                               text[-2000:]))
    return int(n.group(1)) / cpu, int(n.group(1))


def fixed_pass(fuzzer, corpus, env, nice, times):
    """CPU seconds for libFuzzer to run every input of @corpus @times times
    as individual inputs (no mutation, no corpus: the world's own cost,
    without libFuzzer's feature bookkeeping)."""
    files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus))
    cmd = ["nice", "-n", str(nice), fuzzer, "-runs=%d" % times] + files
    rc, text, cpu = run_cpu(cmd, env)
    if rc:
        sys.exit("schedcov_bench: %s ... failed (status %d):\n%s" % (" ".join(cmd[:5]), rc,
                                                                   text[-2000:]))
    return cpu


def cmd_cost(args):
    build = os.path.abspath(args.build)
    targets = args.targets.split(",")
    print("schedcov_bench: executions per CPU second with schedule features on (1) and off "
          "(0), the same binary "
          "%s, %d rounds, the modes alternating; fuzz: -runs=%d -seed=round from a copy of "
          "the compiled seeds; fixed: every input of the union of the round's two grown corpora "
          "run %d times (-runs=%d FILES...), %d passes per mode, alternating" % (
              build, args.rounds, args.runs, args.fixed_times, args.fixed_times,
              args.fixed_reps),
          flush=True)
    summary = []
    for t in targets:
        fuzzer = os.path.join(build, "fuzz", t)
        seeds = registry(build)[t]["seeds"]
        fz = {"1": [], "0": []}
        ratios_fz, ratios_fx = [], []
        for rnd in range(1, args.rounds + 1):
            order = ["1", "0"] if rnd % 2 else ["0", "1"]
            work = tempfile.mkdtemp(prefix="sc-cost-")
            union = os.path.join(work, "union")
            os.makedirs(union)
            got = {}
            for mode in order:
                env = dict(os.environ, UPRB_SIM_SCHEDCOV=args.on if mode == "1" else mode)
                corpus = os.path.join(work, "c" + mode)
                shutil.copytree(seeds, corpus)
                got[mode], _ = fuzz_rate(["nice", "-n", str(args.nice), fuzzer,
                                          "-runs=%d" % args.runs, "-seed=%d" % rnd,
                                          "-print_final_stats=1",
                                          "-artifact_prefix=%s/" % work] +
                                         engine_options(build, t) + [corpus], env)
                for f in os.listdir(corpus):
                    shutil.copy(os.path.join(corpus, f), os.path.join(union, mode + "-" + f))
            # The same inputs for both modes: what a run costs, not what it finds.
            fixed = {"1": 0.0, "0": 0.0}
            for rep in range(args.fixed_reps):
                for mode in (order if rep % 2 == 0 else list(reversed(order))):
                    fixed[mode] += fixed_pass(fuzzer, union,
                                              dict(os.environ, UPRB_SIM_SCHEDCOV=args.on
                                                   if mode == "1" else mode), args.nice,
                                              args.fixed_times)
            n = len(os.listdir(union))
            shutil.rmtree(work, ignore_errors=True)
            for mode in ("1", "0"):
                fz[mode].append(got[mode])
            ratios_fz.append(got["1"] / got["0"])
            ratios_fx.append(fixed["0"] / fixed["1"])  # time off / on = rate on / off
            print("schedcov_bench: %-20s round %d: fuzz exec/s on %d off %d (%.2f); fixed work "
                  "(%d inputs x %d): %.2f CPU s on, %.2f off (%.2f)" % (
                      t, rnd, got["1"], got["0"], ratios_fz[-1], n, args.fixed_reps,
                      fixed["1"], fixed["0"], ratios_fx[-1]), flush=True)
        summary.append((t, statistics.median(fz["1"]), statistics.median(fz["0"]),
                        statistics.median(ratios_fz), min(ratios_fz), max(ratios_fz),
                        statistics.median(ratios_fx), min(ratios_fx), max(ratios_fx)))
    print()
    print("| target | fuzz exec/s on | off | on/off (median, range) | "
          "fixed work on/off (median, range) |")
    print("| --- | --- | --- | --- | --- |")
    for t, on, off, r, lo, hi, rx, xlo, xhi in summary:
        print("| `%s` | %d | %d | %.2f (%.2f-%.2f) | %.2f (%.2f-%.2f) |" % (
            t, on, off, r, lo, hi, rx, xlo, xhi))
    return 0


def cmd_list(args):
    for c in all_cases():
        print("%-28s %-7s %-18s %s" % (c["name"], c["kind"], c["target"],
                                       " ".join("%s=%s" % kv for kv in c["env"].items())))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n", 2)[2])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("ttf")
    t.add_argument("--build", required=True)
    t.add_argument("--out", required=True)
    t.add_argument("--cases", default="all")
    t.add_argument("--seeds", default="1-5")
    t.add_argument("--modes", default="1,0",
                   help="UPRB_SIM_SCHEDCOV values, comma-separated (';' when a value has commas)")
    t.add_argument("--cap", type=int, default=600)
    t.add_argument("--runs", type=int, default=0)
    t.add_argument("--jobs", type=int, default=1)
    t.add_argument("--nice", type=int, default=10)
    t.add_argument("--mutant-dir")
    t.add_argument("--build-jobs", type=int, default=2)
    t.add_argument("--prepare", action="store_true", help="build what the cases need, then stop")
    tb = sub.add_parser("table")
    tb.add_argument("results")
    c = sub.add_parser("cost")
    c.add_argument("--build", required=True)
    c.add_argument("--targets", default="fuzz_writer_nest,fuzz_writer_tail,fuzz_weak_memory,"
                   "fuzz_multi_cpu,fuzz_loss_wakeup")
    c.add_argument("--rounds", type=int, default=5)
    c.add_argument("--runs", type=int, default=100000)
    c.add_argument("--fixed-reps", type=int, default=2)
    c.add_argument("--fixed-times", type=int, default=10)
    c.add_argument("--on", default="1", help="UPRB_SIM_SCHEDCOV value of the 'on' runs")
    c.add_argument("--nice", type=int, default=10)
    sub.add_parser("list")
    args = ap.parse_args()
    return {"ttf": cmd_ttf, "table": cmd_table, "cost": cmd_cost, "list": cmd_list}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
