"""generic.py - ci/mutants --generic: a seeded random draw of the generic
operator mutants (generate.py), each built incrementally and replayed.

Two subjects:
- core/src (default): replayed through every fuzz target's committed
  corpus and regressions (CTest label "corpus"), then, for the ones that
  survive and with --unit, through the unit tests (label "core"). Scored
  per file and per operator.
- --kernel: the fast path of a kernel tree's writer, in the build's copy
  of its ring_buffer.c and internal.h (ksubject.py; never the tree),
  replayed through the kernel backend's corpus replays
  (fuzz.<t>.kernel.corpus: the model judging the tree), then, for the ones
  that survive and with --diff, through the differential tests
  (fuzz.<t>.diff.corpus: the tree against the core, step by step, and
  kernel_backend.vs_core: the same on random schedules). Scored
  per function and per operator. A mutant that makes the tree's code fail
  the site generator (kernel/tools/gen_sites.py stops the build on a
  shared access no rule covers, or a rule nothing matches) is "refused by
  the build", neither killed nor scored.

Killed / (compiled - equivalent), survivors with file:line. Equivalent
mutants (no input can tell them from the code as written) are marked by
hand (ci/mutants.d/equivalent, kequivalent), one a line with its reason;
they are drawn but not run, and left out of the score.
"""
import argparse
import json
import os
import random
import re
import sys
import tempfile
import time

import generate
import ksubject
from workspace import Workspace, cache_value, failure_of

HERE = os.path.dirname(os.path.abspath(__file__))
EQUIVALENT = os.path.join(HERE, "equivalent")
# The ring: writer, ring memory, reader. Left out by default: the checker,
# check.c, synth.c, kernel_records.c and record_parse.c (the oracle: a
# mutant of it judges a correct core, so only a stricter one can fail), kring.c (real kernel rings: perf_event_open,
# which no fuzz target reaches) and port.c (site labels and the plain
# performer of the sim seam).
DEFAULT_FILES = ["output.c", "reader.c", "layout.c"]
PARSE_ARGS = ["-DUPRB_PORT_SIM=1", "-D_GNU_SOURCE", "-std=gnu11",
              "-fsanitize=address,undefined"]
KERNEL_TESTS = r"^fuzz\..*\.kernel\.corpus$"
DIFF_TESTS = r"^fuzz\..*\.diff\.corpus$"
VS_CORE_TEST = r"^kernel_backend\.vs_core$"
SCORED = ("killed", "second", "survived")


def load_equivalent(path=EQUIVALENT):
    """{id: reason} from the hand-marked list. Format, one a line:
    ID  FILE:LINE OP 'OLD' -> 'NEW'  # why no input can tell it apart
    (FILE:LINE and the edit are for the reader; the id is what counts)."""
    eq = {}
    if not os.path.exists(path):
        return eq
    with open(path) as f:
        for no, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            mid, _, rest = line.partition(" ")
            reason = rest.partition("#")[2].strip()
            if not reason:
                raise SystemExit(f"{path}:{no}: an equivalent mutant needs its reason after '#'")
            eq[mid] = reason
    return eq


def parse_time(s):
    mult = {"s": 1, "m": 60, "h": 3600}
    if s and s[-1] in mult:
        return float(s[:-1]) * mult[s[-1]]
    return float(s)


def all_mutants(root, files):
    inc = os.path.join(root, "core", "include")
    out = []
    for f in files:
        path = os.path.join(root, "core", "src", f)
        if not os.path.exists(path):
            raise SystemExit(f"ci/mutants: no core/src/{f}")
        out += generate.mutants_of(path, f, ["-I" + inc] + PARSE_ARGS)
    return out


class Core:
    """core/src: our port, the reader and the ring's memory."""
    what = "core/src"
    keyname = "file"
    second_name = "unit tests"
    second_flag = "--unit"

    def __init__(self, root, a):
        self.root, self.a = root, a
        self.files = [f.strip() for f in a.files.split(",") if f.strip()]

    def title(self):
        return f"core/src ({', '.join(self.files)})"

    def key(self, r):
        return r["file"]

    def replay_args(self):
        return f" --files {','.join(self.files)}"

    def pool(self, ws=None):
        return all_mutants(self.root, self.files)

    def equivalent(self, pool, ops):
        """The hand-marked equivalents, or a message naming the stale ones."""
        eq = load_equivalent(self.a.equivalent or EQUIVALENT)
        ids = {m.id for m in pool}
        stale = [i for i in eq if i not in ids]
        if stale and not ops and set(self.files) >= set(DEFAULT_FILES):
            return eq, "\n".join(
                f"ci/mutants: {self.a.equivalent or EQUIVALENT}: {i} is no mutant of the "
                f"core any more (remove or re-mark it)" for i in stale)
        return eq, None

    def path(self, ws, m):
        return ws.source(os.path.join("core", "src", m.file))

    def tests(self, ws):
        return ws.tests("^corpus$")

    def second(self, ws):
        return ws.tests("^core$")

    def describe(self, r):
        return (f"`{' '.join(r['old'].split())[:60]}` -> "
                f"`{' '.join(r['new'].split())[:60]}`")


class Kernel:
    """The fast path of the kernel tree's writer, in the build's copy."""
    keyname = "function"
    second_name = "differential"
    second_flag = "--diff"

    def __init__(self, root, a):
        self.root, self.a = root, a
        self.tag = self.version = None

    def title(self):
        return f"the fast path of Linux {self.version}'s ring_buffer.c and internal.h"

    def key(self, r):
        return r["function"]

    def replay_args(self):
        return " --kernel" + (f" --kernel-src {self.a.kernel_src}" if self.a.kernel_src else "")

    def tree(self, build, rb):
        import kernel
        tree = os.path.dirname(os.path.dirname(os.path.dirname(rb)))
        self.version = kernel.tree_version(tree) or tree
        self.tag = ".".join(self.version.split(".")[:2])
        return tree

    def pool(self, ws=None):
        """From the workspace's copy, or from the build --build names (its
        own ring_buffer.c: the tree's, unless it compiles another)."""
        if ws is not None:
            build, rb = ws.build, os.path.join(ws.krb, "ring_buffer.c")
            self.tree(build, ws.cache("UPRB_KERNEL_RB_TREE_SOURCE"))
            return ksubject.pool(self.root, build, rb, ws.work)
        build = os.path.abspath(self.a.build)
        tree_rb = cache_value(build, "UPRB_KERNEL_RB_TREE_SOURCE")
        rb = cache_value(build, "UPRB_KERNEL_RB_SOURCE") or tree_rb
        if not rb:
            raise SystemExit(f"ci/mutants: {build} has no kernel backend")
        if self.a.kernel_rb:
            rb = tree_rb = os.path.abspath(self.a.kernel_rb)
        self.tree(build, tree_rb)
        with tempfile.TemporaryDirectory() as work:
            return ksubject.pool(self.root, build, rb, work)

    def equivalent(self, pool, ops):
        path = self.a.equivalent or ksubject.EQUIVALENT
        eq, tags = ksubject.load_equivalent(path, self.tag)
        ids = {m.id for m in pool}
        stale = [i for i in eq if i not in ids]
        if stale and not ops:
            return eq, "\n".join(
                f"ci/mutants: {path}: {i} is no mutant of Linux {self.tag} any more "
                f"(remove the tree from its entry, or re-mark it)" for i in stale)
        return eq, None

    def path(self, ws, m):
        return os.path.join(ws.krb, m.file)

    def tests(self, ws):
        return ws.tests("^corpus$", KERNEL_TESTS)

    def second(self, ws):
        # Every comparison of the tree with the core: the world's replays
        # step by step, and the random schedules of kernel_backend.vs_core.
        return (ws.tests("^corpus$", DIFF_TESTS)
                + ws.tests("^kernel-backend$", VS_CORE_TEST))

    def describe(self, r):
        """The edit in words and operators: no kernel code is copied into
        a report meant to be committed."""
        old, new = " ".join(r["old"].split()), " ".join(r["new"].split())
        if r["op"] == "stmt-del":
            return "statement deleted"
        if r["op"] == "off-by-one":
            return f"right-hand side {new[-3:]}"
        if r["op"] == "not" and not new:
            return f"`{old}` removed"
        return f"`{old}` -> `{new}`"


def table(rows, keyname, key, second, second_name):
    """Markdown rows: per @key, killed by the corpora, with the second tier
    (unit tests, differential replays), of the scored (compiled, not
    equivalent) mutants."""
    groups = {}
    for r in rows:
        groups.setdefault(key(r), []).append(r)
    lines = [f"| {keyname} | drawn | scored | corpora | corpora + {second_name} |",
             "| --- | ---: | ---: | ---: | ---: |"]

    def cell(k, n):
        return f"{k}/{n} ({100.0 * k / n:.1f}%)" if n else "-"

    tot = [0, 0, 0, 0]
    for k in sorted(groups):
        g = groups[k]
        scored = [r for r in g if r["status"] in SCORED]
        kc = sum(r["status"] == "killed" for r in scored)
        ku = kc + sum(r["status"] == "second" for r in scored)
        lines.append(f"| {k} | {len(g)} | {len(scored)} | {cell(kc, len(scored))} | "
                     f"{cell(ku, len(scored)) if second else 'not run'} |")
        for i, v in enumerate((len(g), len(scored), kc, ku)):
            tot[i] += v
    lines.append(f"| **all** | {tot[0]} | {tot[1]} | **{cell(tot[2], tot[1])}** | "
                 + (f"**{cell(tot[3], tot[1])}** |" if second else "not run |"))
    return lines


def summary(res, second):
    scored = [r for r in res if r["status"] in SCORED]
    kc = sum(r["status"] == "killed" for r in scored)
    ku = kc + sum(r["status"] == "second" for r in scored)
    n = len(scored)
    return {
        "drawn": len(res), "scored": n,
        "killed_corpora": kc, "killed_with_second": ku if second else None,
        "score_corpora": round(100.0 * kc / n, 1) if n else None,
        "score_with_second": round(100.0 * ku / n, 1) if n and second else None,
        "equivalent": sum(r["status"] == "equivalent" for r in res),
        "no_compile": sum(r["status"] == "no-compile" for r in res),
        "refused": sum(r["status"] == "refused" for r in res),
        "not_run": sum(r["status"] == "not-run" for r in res),
    }


def arguments(argv):
    ap = argparse.ArgumentParser(prog="ci/mutants --generic",
                                 description="generic operator mutants of core/src, or "
                                 "(--kernel) of the kernel tree's fast path")
    ap.add_argument("--generic", action="store_true")
    ap.add_argument("--kernel", action="store_true",
                    help="the kernel tree's ring_buffer.c and internal.h (the build's copy)")
    ap.add_argument("--kernel-src", help="with --kernel: the tree or tarball (default: "
                    "the build's, Debian's 6.1)")
    ap.add_argument("--build", help="with --kernel --list: take the mutants from this "
                    "build's ring_buffer.c, no copy, no build")
    ap.add_argument("--kernel-rb", help="with --build: another ring_buffer.c that "
                    "build compiles (a further tree's)")
    ap.add_argument("--seed", type=int, help="draw seed (default: random, printed)")
    ap.add_argument("--count", type=int, default=200,
                    help="mutants drawn (default 200; 0: all)")
    ap.add_argument("--files", default=",".join(DEFAULT_FILES),
                    help="core/src files (default %(default)s)")
    ap.add_argument("--ops", help="only these operators (comma separated)")
    ap.add_argument("--only", help="only these mutant ids (comma separated)")
    ap.add_argument("--unit", action="store_true",
                    help="run the unit tests (label core) on corpus survivors")
    ap.add_argument("--diff", action="store_true",
                    help="with --kernel: run the differential tests (the diff replays, "
                    "kernel_backend.vs_core) on corpus survivors")
    ap.add_argument("--time", help="budget: stop drawing after it (N, Ns, Nm, Nh)")
    ap.add_argument("--work", help="copy and build folder (default build/mutants)")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="build jobs (default 2)")
    ap.add_argument("--json", help="write the results as JSON here")
    ap.add_argument("--markdown", help="write the tables and survivors (Markdown) here")
    ap.add_argument("--list", action="store_true", help="list the mutants drawn, run none")
    ap.add_argument("--equivalent",
                    help="the hand-marked equivalent mutants (default "
                    "ci/mutants.d/equivalent, or kequivalent with --kernel)")
    ap.add_argument("--min-score", type=float,
                    help="exit 1 when the corpora's score is below this percentage")
    a = ap.parse_args(argv)
    if a.kernel and a.unit:
        ap.error("--unit is for core/src (the kernel's second tier is --diff)")
    if a.diff and not a.kernel:
        ap.error("--diff is for --kernel")
    if a.build and not (a.kernel and a.list):
        ap.error("--build is for --kernel --list")
    if a.kernel_rb and not a.build:
        ap.error("--kernel-rb is for --build")
    if a.kernel_src and not a.kernel:
        ap.error("--kernel-src is for --kernel")
    return a


def draw(a, pool):
    """(seed, the mutants drawn) or raise SystemExit for unknown --only ids."""
    seed = a.seed if a.seed is not None else int.from_bytes(os.urandom(4), "little")
    if a.only:
        want = a.only.split(",")
        drawn = [m for m in pool if m.id in want]
        missing = set(want) - {m.id for m in drawn}
        if missing:
            print(f"ci/mutants: no mutant {', '.join(sorted(missing))}", file=sys.stderr)
            raise SystemExit(2)
    elif a.count and a.count < len(pool):
        drawn = random.Random(seed).sample(pool, a.count)
    else:
        drawn = list(pool)
    return seed, drawn


def set_up(ws, subj, a, second):
    """Build the workspace and time each test on the code as written.
    Return: (corpus tests, second-tier tests, their build targets)."""
    # CTest knows a test's program only once it is built: build it all once.
    ok, text = ws.build_targets(["all"])
    if not ok:
        print(text[-3000:])
        print("ci/mutants: the unmutated tree does not build", file=sys.stderr)
        raise SystemExit(2)
    corpus = subj.tests(ws)
    extra = subj.second(ws) if second else []
    if not corpus:
        print("ci/mutants: CTest lists no corpus tests for this subject", file=sys.stderr)
        raise SystemExit(2)
    # The code as it is must pass, and gives each test its time.
    for t in corpus + extra:
        st, took, out = ws.run_test(t, 600)
        if st != "pass":
            print(out[-2000:])
            print(f"ci/mutants: {t.name} fails without a mutant: {failure_of(out)}",
                  file=sys.stderr)
            raise SystemExit(2)
        t.baseline = took
    return corpus, extra


def first_failure(ws, tests):
    """Run @tests, the one that killed most so far first; return (status,
    test name, what broke) of the first to fail, or None."""
    for t in sorted(tests, key=lambda t: -t.kills):
        st, took, out = ws.run_test(t, max(20.0, 10 * t.baseline))
        if st != "pass":
            t.kills += 1
            return t.name, "hang" if st == "hang" else failure_of(out)
    return None


def run_one(ws, subj, m, r, corpus, extra, originals):
    """Build and judge mutant @m, filling its result @r."""
    path = subj.path(ws, m)
    if path not in originals:
        with open(path, "rb") as f:
            originals[path] = f.read()
    with open(path, "wb") as f:
        f.write(m.apply(originals[path]))
    try:
        ok, text = ws.build_targets(ws.targets_of(corpus))
        if not ok:
            if "gen_sites.py:" in text:
                # The site generator's first problem: file:line and what.
                lines = text.splitlines()
                at = next((i for i, l in enumerate(lines) if "problem(s) labelling" in l), None)
                r["status"] = "refused"
                r["how"] = (" ".join(lines[at + 1].split()) if at is not None
                            and at + 1 < len(lines) else "gen_sites.py stopped the build")
                # The rules' path as in the repository, not the copy's.
                r["how"] = re.sub(r"\S*/(kernel/tools/)", r"\1", r["how"])
            else:
                r["status"] = "no-compile"
                err = [l for l in text.splitlines() if "error:" in l]
                r["how"] = (err or ["?"])[0].split("error:")[-1].strip()[:80]
            return
        r["status"], r["by"], r["how"] = "survived", None, None
        hit = first_failure(ws, corpus)
        if hit:
            r["status"], (r["by"], r["how"]) = "killed", hit
        elif extra:
            r["second_ran"] = True
            ok, text = ws.build_targets(ws.targets_of(extra))
            if not ok:
                r["status"], r["how"] = "no-compile", "the second tier did not build"
                return
            hit = first_failure(ws, extra)
            if hit:
                r["status"], (r["by"], r["how"]) = "second", hit
    finally:
        with open(path, "wb") as f:
            f.write(originals[path])


def report(res, subj, drawn, pool, seed, replay, second):
    """The Markdown tables and lists of a draw."""
    md = [f"Generic mutants of {subj.title()}: {len(drawn)} of {len(pool)} drawn with "
          f"seed {seed} (`{replay}`).", ""]
    md += table(res, subj.keyname, subj.key, second, subj.second_name) + [""]
    md += table(res, "operator", lambda r: r["op"], second, subj.second_name) + [""]

    def items(rs, tail=lambda r: ""):
        return [f"- `{r['id']}` {r['file']}:{r['line']} ({r['function']}) {r['op']}: "
                f"{subj.describe(r)}{tail(r)}"
                for r in sorted(rs, key=lambda r: (r["file"], r["line"]))] + [""]
    surv = [r for r in res if r["status"] == "survived"]
    sec = [r for r in res if r["status"] == "second"]
    refused = [r for r in res if r["status"] == "refused"]
    if surv:
        md += ["Survivors:", ""] + items(surv)
    if sec:
        md += [f"Killed only by the {subj.second_name}:", ""] + items(
            sec, lambda r: f" ({r['by']})")
    if refused:
        md += ["Refused by the build (the site generator):", ""] + items(refused)
    return md


def finish(a, subj, res, drawn, pool, seed, replay, second, seconds):
    """Print and keep (--markdown, --json) the results of a run; return its
    exit status (1: cut short by --time, or below --min-score)."""
    s = summary(res, second)
    s.update({"seed": seed, "subject": subj.title(), "replay": replay,
              "seconds": seconds, "pool": len(pool)})
    if not a.kernel:
        s["files"] = subj.files
    md = report(res, subj, drawn, pool, seed, replay, second)
    print()
    print("\n".join(md))
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write("\n".join(md) + "\n")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"summary": s, "mutants": res}, f, indent=1)
    partial = s["not_run"] > 0
    if partial:
        print(f"ci/mutants: the time budget ran out: {s['not_run']} of {len(drawn)} "
              f"drawn mutants not run; the score covers the rest")
    line = (f"ci/mutants: generic: {s['killed_corpora']} of {s['scored']} killed by the "
            f"corpora ({s['score_corpora']}%)")
    if second:
        line += (f", {s['killed_with_second']} with the {subj.second_name} "
                 f"({s['score_with_second']}%)")
    line += f"; {s['equivalent']} equivalent, {s['no_compile']} did not compile"
    if a.kernel:
        line += f", {s['refused']} refused by the build"
    line += f"; {s['seconds']} s"
    print(line)
    if partial:
        return 1
    if a.min_score is not None and (s["score_corpora"] or 0) < a.min_score:
        print(f"ci/mutants: the corpora's score is below {a.min_score}%")
        return 1
    return 0


def main(argv, root):
    a = arguments(argv)
    subj = Kernel(root, a) if a.kernel else Core(root, a)
    second = a.diff or a.unit
    ops = set(a.ops.split(",")) if a.ops else None
    if ops and ops - set(generate.OPERATORS):
        print(f"ci/mutants: unknown operators {sorted(ops - set(generate.OPERATORS))} "
              f"(known: {', '.join(generate.OPERATORS)})", file=sys.stderr)
        return 2
    t_start = time.monotonic()
    ws = None
    if a.kernel and not a.build:
        # The kernel's mutants come from the build's copy: set it up first.
        ws = Workspace(root, os.path.abspath(a.work or os.path.join(root, "build", "mutants")),
                       a.jobs)
        ws.sync()
        ws.configure(kernel_src=a.kernel_src)
        if not ws.krb:
            print("ci/mutants: --kernel: this build has no kernel tree", file=sys.stderr)
            return 2
        ok, text = ws.build_targets(["uprb-kernel-gen"])
        if not ok:
            print(text[-3000:])
            return 2
    pool = [m for m in subj.pool(ws) if not ops or m.op in ops]
    equivalent, stale = subj.equivalent(pool, ops)
    if stale:
        print(stale, file=sys.stderr)
        return 2
    try:
        seed, drawn = draw(a, pool)
    except SystemExit as e:
        return e.code
    chosen = f" --only {a.only}" if a.only else f" --seed {seed} --count {a.count}"
    replay = (f"ci/mutants --generic{subj.replay_args()}{chosen}"
              + (f" --ops {a.ops}" if a.ops else "") + (" --unit" if a.unit else "")
              + (" --diff" if a.diff else ""))
    print(f"ci/mutants: generic: {len(pool)} mutants of {subj.title()}; "
          + (f"{len(drawn)} given" if a.only else f"{len(drawn)} drawn with seed {seed}"))
    print(f"ci/mutants: to replay this draw: {replay}")
    if a.list:
        for m in drawn:
            tag = "  equivalent" if m.id in equivalent else ""
            print(f"  {m.id} {m.where():16} {m.func:24} {m.op:12} {m.short(60)}{tag}")
        return 0

    budget = parse_time(a.time) if a.time else None
    if ws is None:
        ws = Workspace(root, os.path.abspath(a.work or os.path.join(root, "build", "mutants")),
                       a.jobs)
        ws.sync()
        ws.configure()
    corpus, extra = set_up(ws, subj, a, second)
    print(f"ci/mutants: baseline: {len(corpus)} corpus tests "
          f"{sum(t.baseline for t in corpus):.1f} s, {len(extra)} {subj.second_name} tests "
          f"{sum(t.baseline for t in extra):.1f} s; set-up {time.monotonic() - t_start:.0f} s")

    res = []
    originals = {}
    for i, m in enumerate(drawn, 1):
        r = {"id": m.id, "file": m.file, "line": m.line, "function": m.func,
             "op": m.op, "old": m.old, "new": m.new}
        res.append(r)
        head = f"[{i}/{len(drawn)}] {m.id} {m.where()} {m.op} {m.short()}"
        if m.id in equivalent:
            r["status"] = "equivalent"
            r["why"] = equivalent[m.id]
            print(f"{head}: equivalent ({equivalent[m.id]})")
            continue
        if budget is not None and time.monotonic() - t_start > budget:
            r["status"] = "not-run"
            continue
        t0 = time.monotonic()
        run_one(ws, subj, m, r, corpus, extra, originals)
        r["seconds"] = round(time.monotonic() - t0, 1)
        if r["status"] == "survived":
            print(f"{head}: SURVIVED ({m.func}, {r['seconds']} s)")
        elif r["status"] == "refused":
            print(f"{head}: refused by the build ({r['how'][:100]})")
        elif r["status"] == "no-compile":
            print(f"{head}: did not compile ({r['how']})")
        else:
            word = "killed" if r["status"] == "killed" else f"killed by the {subj.second_name}"
            print(f"{head}: {word} by {r['by']}: {r['how']} ({r['seconds']} s)")
        sys.stdout.flush()
    # Leave the build as the code is: the next run starts from it.
    ws.build_targets(ws.targets_of(corpus) + (ws.targets_of(extra) if extra else []))

    return finish(a, subj, res, drawn, pool, seed, replay, second,
                  round(time.monotonic() - t_start))
