"""generic.py - ci/mutants --generic: a seeded random draw of the generic
operator mutants of core/src (generate.py), each built incrementally and
replayed through every fuzz target's committed corpus and regressions
(CTest label "corpus"), then, for the ones that survive and with --unit,
through the unit tests (label "core"). Scores killed / (compiled -
equivalent) per file and per operator, lists the survivors with file:line.

Equivalent mutants (no input can tell them from the core as written) are
marked by hand in ci/mutants.d/equivalent, one a line with its reason;
they are drawn but not run, and left out of the score.
"""
import argparse
import json
import os
import random
import sys
import time

import generate
from workspace import Workspace, failure_of

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


def table(rows, keyname, key, unit):
    """Markdown rows: per @key, killed by the corpora, with the unit tests,
    of the scored (compiled, not equivalent) mutants."""
    groups = {}
    for r in rows:
        groups.setdefault(key(r), []).append(r)
    lines = [f"| {keyname} | drawn | scored | corpora | corpora + unit tests |",
             "| --- | ---: | ---: | ---: | ---: |"]

    def cell(k, n):
        return f"{k}/{n} ({100.0 * k / n:.1f}%)" if n else "-"

    tot = [0, 0, 0, 0]
    for k in sorted(groups):
        g = groups[k]
        scored = [r for r in g if r["status"] in ("killed", "unit", "survived")]
        kc = sum(r["status"] == "killed" for r in scored)
        ku = kc + sum(r["status"] == "unit" for r in scored)
        unit_ran = unit
        lines.append(f"| {k} | {len(g)} | {len(scored)} | {cell(kc, len(scored))} | "
                     f"{cell(ku, len(scored)) if unit_ran else 'not run'} |")
        for i, v in enumerate((len(g), len(scored), kc, ku)):
            tot[i] += v
    lines.append(f"| **all** | {tot[0]} | {tot[1]} | **{cell(tot[2], tot[1])}** | "
                 + (f"**{cell(tot[3], tot[1])}** |" if unit else "not run |"))
    return lines


def summary(res, unit):
    scored = [r for r in res if r["status"] in ("killed", "unit", "survived")]
    kc = sum(r["status"] == "killed" for r in scored)
    ku = kc + sum(r["status"] == "unit" for r in scored)
    n = len(scored)
    return {
        "drawn": len(res), "scored": n,
        "killed_corpora": kc, "killed_with_unit": ku if unit else None,
        "score_corpora": round(100.0 * kc / n, 1) if n else None,
        "score_with_unit": round(100.0 * ku / n, 1) if n and unit else None,
        "equivalent": sum(r["status"] == "equivalent" for r in res),
        "no_compile": sum(r["status"] == "no-compile" for r in res),
        "not_run": sum(r["status"] == "not-run" for r in res),
    }


def main(argv, root):
    ap = argparse.ArgumentParser(prog="ci/mutants --generic",
                                 description="generic operator mutants of core/src")
    ap.add_argument("--generic", action="store_true")
    ap.add_argument("--seed", type=int, help="draw seed (default: random, printed)")
    ap.add_argument("--count", type=int, default=200,
                    help="mutants drawn (default 200; 0: all)")
    ap.add_argument("--files", default=",".join(DEFAULT_FILES),
                    help="core/src files (default %(default)s)")
    ap.add_argument("--ops", help="only these operators (comma separated)")
    ap.add_argument("--only", help="only these mutant ids (comma separated)")
    ap.add_argument("--unit", action="store_true",
                    help="run the unit tests (label core) on corpus survivors")
    ap.add_argument("--time", help="budget: stop drawing after it (N, Ns, Nm, Nh)")
    ap.add_argument("--work", help="copy and build folder (default build/mutants)")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="build jobs (default 2)")
    ap.add_argument("--json", help="write the results as JSON here")
    ap.add_argument("--markdown", help="write the tables and survivors (Markdown) here")
    ap.add_argument("--list", action="store_true", help="list the mutants drawn, run none")
    ap.add_argument("--equivalent", default=EQUIVALENT,
                    help="the hand-marked equivalent mutants (default %(default)s)")
    ap.add_argument("--min-score", type=float,
                    help="exit 1 when the corpora's score is below this percentage")
    a = ap.parse_args(argv)

    files = [f.strip() for f in a.files.split(",") if f.strip()]
    ops = set(a.ops.split(",")) if a.ops else None
    if ops and ops - set(generate.OPERATORS):
        print(f"ci/mutants: unknown operators {sorted(ops - set(generate.OPERATORS))} "
              f"(known: {', '.join(generate.OPERATORS)})", file=sys.stderr)
        return 2
    pool = [m for m in all_mutants(root, files) if not ops or m.op in ops]
    equivalent = load_equivalent(a.equivalent)
    ids = {m.id for m in pool}
    stale = [i for i in equivalent if i not in ids]
    if stale and not ops and set(files) >= set(DEFAULT_FILES):
        for i in stale:
            print(f"ci/mutants: {a.equivalent}: {i} is no mutant of the core "
                  f"any more (remove or re-mark it)", file=sys.stderr)
        return 2
    seed = a.seed if a.seed is not None else int.from_bytes(os.urandom(4), "little")
    if a.only:
        want = a.only.split(",")
        drawn = [m for m in pool if m.id in want]
        missing = set(want) - {m.id for m in drawn}
        if missing:
            print(f"ci/mutants: no mutant {', '.join(sorted(missing))}", file=sys.stderr)
            return 2
    elif a.count and a.count < len(pool):
        drawn = random.Random(seed).sample(pool, a.count)
    else:
        drawn = list(pool)
    replay = (f"ci/mutants --generic --seed {seed} --count {a.count} --files {','.join(files)}"
              + (f" --ops {a.ops}" if a.ops else "") + (" --unit" if a.unit else ""))
    print(f"ci/mutants: generic: {len(pool)} mutants of {', '.join(files)}; "
          f"{len(drawn)} drawn with seed {seed}")
    print(f"ci/mutants: to replay this draw: {replay}")
    if a.list:
        for m in drawn:
            tag = "  equivalent" if m.id in equivalent else ""
            print(f"  {m.id} {m.where():16} {m.func:24} {m.op:12} {m.short(60)}{tag}")
        return 0

    budget = parse_time(a.time) if a.time else None
    work = a.work or os.path.join(root, "build", "mutants")
    ws = Workspace(root, os.path.abspath(work), a.jobs)
    t_start = time.monotonic()
    ws.sync()
    ws.configure()
    # CTest knows a test's program only once it is built: build it all once.
    ok, text = ws.build_targets(["all"])
    if not ok:
        print(text[-3000:])
        print("ci/mutants: the unmutated tree does not build", file=sys.stderr)
        return 2
    corpus = ws.tests("^corpus$")
    unit = ws.tests("^core$") if a.unit else []
    if not corpus:
        print("ci/mutants: CTest lists no corpus tests", file=sys.stderr)
        return 2
    # Per mutant the corpus replays are built first, the unit tests only
    # for a mutant that survives them.
    targets = ws.targets_of(corpus)
    unit_targets = ws.targets_of(unit) if unit else []
    # The tree as it is must pass, and gives each test its time.
    for t in corpus + unit:
        st, took, out = ws.run_test(t, 600)
        if st != "pass":
            print(out[-2000:])
            print(f"ci/mutants: {t.name} fails without a mutant: {failure_of(out)}",
                  file=sys.stderr)
            return 2
        t.baseline = took
    print(f"ci/mutants: baseline: {len(corpus)} corpus tests "
          f"{sum(t.baseline for t in corpus):.1f} s, {len(unit)} unit tests "
          f"{sum(t.baseline for t in unit):.1f} s; set-up {time.monotonic() - t_start:.0f} s")

    res = []
    originals = {}
    t_run = time.monotonic()
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
        path = ws.source(os.path.join("core", "src", m.file))
        if path not in originals:
            with open(path, "rb") as f:
                originals[path] = f.read()
        with open(path, "wb") as f:
            f.write(m.apply(originals[path]))
        try:
            ok, text = ws.build_targets(targets)
            if not ok:
                r["status"] = "no-compile"
                err = [l for l in text.splitlines() if "error:" in l]
                print(f"{head}: did not compile ({(err or ['?'])[0].split('error:')[-1].strip()[:80]})")
                continue
            r["status"], r["by"], r["how"] = "survived", None, None
            # The test that killed most so far goes first.
            for t in sorted(corpus, key=lambda t: -t.kills):
                st, took, out = ws.run_test(t, max(20.0, 10 * t.baseline))
                if st != "pass":
                    t.kills += 1
                    r["status"], r["by"] = "killed", t.name
                    r["how"] = "hang" if st == "hang" else failure_of(out)
                    break
            if r["status"] == "survived" and unit:
                r["unit_ran"] = True
                ok, text = ws.build_targets(unit_targets)
                if not ok:
                    r["status"], r["by"], r["how"] = "no-compile", None, None
                    print(f"{head}: the unit tests did not compile with it")
                    continue
                for t in sorted(unit, key=lambda t: -t.kills):
                    st, took, out = ws.run_test(t, max(20.0, 10 * t.baseline))
                    if st != "pass":
                        t.kills += 1
                        r["status"], r["by"] = "unit", t.name
                        r["how"] = "hang" if st == "hang" else failure_of(out)
                        break
        finally:
            with open(path, "wb") as f:
                f.write(originals[path])
        r["seconds"] = round(time.monotonic() - t0, 1)
        if r["status"] == "survived":
            print(f"{head}: SURVIVED ({m.func}, {r['seconds']} s)")
        else:
            word = "killed" if r["status"] == "killed" else "killed by the unit tests"
            print(f"{head}: {word} by {r['by']}: {r['how']} ({r['seconds']} s)")
        sys.stdout.flush()
    # Leave the build as the tree is: the next run starts from it.
    ws.build_targets(targets + unit_targets)

    s = summary(res, bool(unit))
    s.update({"seed": seed, "files": files, "replay": replay,
              "seconds": round(time.monotonic() - t_start), "pool": len(pool)})
    md = [f"Generic mutants of core/src ({', '.join(files)}): {len(drawn)} of "
          f"{len(pool)} drawn with seed {seed} (`{replay}`).", ""]
    md += table(res, "file", lambda r: r["file"], bool(unit)) + [""]
    md += table(res, "operator", lambda r: r["op"], bool(unit)) + [""]
    surv = [r for r in res if r["status"] == "survived"]
    unitk = [r for r in res if r["status"] == "unit"]
    if surv:
        md += ["Survivors:", ""] + [
            f"- `{r['id']}` {r['file']}:{r['line']} ({r['function']}) {r['op']}: "
            f"`{' '.join(r['old'].split())[:60]}` -> `{' '.join(r['new'].split())[:60]}`"
            for r in sorted(surv, key=lambda r: (r["file"], r["line"]))] + [""]
    if unitk:
        md += ["Killed only by the unit tests:", ""] + [
            f"- `{r['id']}` {r['file']}:{r['line']} ({r['function']}) {r['op']}: "
            f"`{' '.join(r['old'].split())[:60]}` -> `{' '.join(r['new'].split())[:60]}` "
            f"({r['by']})" for r in sorted(unitk, key=lambda r: (r["file"], r["line"]))] + [""]
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
    if unit:
        line += f", {s['killed_with_unit']} with the unit tests ({s['score_with_unit']}%)"
    line += (f"; {s['equivalent']} equivalent, {s['no_compile']} did not compile; "
             f"{s['seconds']} s")
    print(line)
    if partial:
        return 1
    if a.min_score is not None and (s["score_corpora"] or 0) < a.min_score:
        print(f"ci/mutants: the corpora's score is below {a.min_score}%")
        return 1
    return 0
