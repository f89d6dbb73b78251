#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""memory_matrix.py - which barrier of the core each memory model needs.

Every labelled barrier and ordered access of the writer and the reader is
removed (or relaxed) one at a time with the sim-only switch UPRB_SIM_WEAKEN,
and fuzz_weak_memory searches for a failure under each memory model
(UPRB_SIM_MEMORY = sc, tso, weak). A cell is "caught" with the time the
search took and the invariant that broke, or "not caught" within the time.

    memory_matrix.py search --fuzzer F --replay R --script U --seeds D
                            [--time S] [--jobs N] [--cells MODEL-SITE,...]
        run the search (libFuzzer binary F, replay binary R, starting from
        the compiled seeds D of fuzz_weak_memory); store each catching
        input as text (uprb-script U decodes it) in
        corpora/memory_matrix/<model>-<site>.uprb and the answers in
        corpora/memory_matrix/matrix.json (--cells: only those cells, the
        others kept as they are). A hand-written input that a search now
        replaces stays as the cell's regression (hand-<model>-<site>.uprb).
    memory_matrix.py check --replay R --inputs I --seeds D
        the bounded form CI runs (CTest fuzz.memory_matrix), over the
        stored inputs as the build compiled them (folder I) and the
        compiled seeds D: every caught cell's input (and its regressions)
        must fail under its cell with the recorded invariant and pass with
        the core as written;
        every stored input and the seeds must pass under the cells whose
        answer is "not caught"
    memory_matrix.py table
        print the matrix as the Markdown table kept in docs/memory.md

Every run prints what it does; a failure says which cell and how to replay
it (UPRB_SIM_MEMORY=M UPRB_SIM_WEAKEN=S <replay> FILE).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
STORE = os.path.join(ROOT, "corpora", "memory_matrix")
INDEX = os.path.join(STORE, "matrix.json")
MODELS = ["sc", "tso", "weak"]
STORY = re.compile(r"invariant (\S+) broke: .* at site (\S+), step (\d+)")

# Why a cell may stay uncaught, for the table's notes.
NOTES = {
    "paused_load": "not caught under any model: the model does not generate load "
                   "buffering at this load (a gap: \"Not modelled\" in docs/memory.md); "
                   "the kernel itself reads rb->paused with a plain READ_ONCE",
    "put_barrier_1": "guards the retry path only (nest_again, then the head load): "
                     "needs two NMIs in one put_handle, the second after the retry's "
                     "head load. The 90 s searches without schedule features did not "
                     "find it; searched again with them (fuzz/README.md, Schedule "
                     "coverage), 300 s each; the inputs first written by hand from that "
                     "analysis stay as the cells' regressions "
                     "(corpora/memory_matrix/hand-*-put_barrier_1.uprb)",
}


def sites(replay):
    """The sites UPRB_SIM_WEAKEN accepts, as the world lists them."""
    env = dict(os.environ, UPRB_SIM_WEAKEN="?")
    with tempfile.NamedTemporaryFile() as f:
        p = subprocess.run([replay, f.name], env=env, capture_output=True, text=True)
    m = re.search(r"one of: (.*)", p.stderr)
    if not m:
        sys.exit("memory_matrix: %s did not list its sites:\n%s" % (replay, p.stderr))
    return m.group(1).split()


def replay_story(replay, model, site, path):
    """Replay @path under a cell. Return: (failed, invariant or None, output)."""
    env = dict(os.environ, UPRB_SIM_MEMORY=model)
    env.pop("UPRB_SIM_WEAKEN", None)
    if site:
        env["UPRB_SIM_WEAKEN"] = site
    p = subprocess.run([replay, path], env=env, capture_output=True, text=True)
    out = p.stdout + p.stderr
    m = STORY.search(out)
    return p.returncode != 0, (m.group(1) if m else None), out


def keep_hand_written(cell):
    """A cell whose input was written by hand keeps it as a regression when
    a search replaces it (renamed hand-<cell>.uprb)."""
    if not cell or cell.get("found") != "by hand" or not cell.get("input"):
        return []
    old = os.path.join(STORE, cell["input"] + ".uprb")
    new = "hand-" + cell["input"]
    if os.path.exists(old):
        shutil.move(old, os.path.join(STORE, new + ".uprb"))
    return [new] + cell.get("regressions", [])


def search_cell(args, model, site, work):
    d = os.path.join(work, "%s-%s" % (model, site))
    corpus = os.path.join(d, "corpus")
    shutil.copytree(args.seeds, corpus)
    env = dict(os.environ, UPRB_SIM_MEMORY=model, UPRB_SIM_WEAKEN=site)
    t0 = time.monotonic()
    with open(os.path.join(d, "log"), "w") as log:
        subprocess.run([args.fuzzer, "-max_total_time=%d" % args.time,
                        "-artifact_prefix=%s/" % d, "-print_final_stats=1",
                        "-seed=%d" % args.seed, corpus],
                       env=env, stdout=log, stderr=subprocess.STDOUT)
    took = time.monotonic() - t0
    crashes = sorted(f for f in os.listdir(d) if f.startswith(("crash-", "timeout-", "oom-")))
    cell = {"model": model, "site": site, "caught": False, "seconds": round(took, 1),
            "limit": args.time, "seed": args.seed,
            "schedule_features": os.environ.get("UPRB_SIM_SCHEDCOV", "1")}
    if crashes:
        path = os.path.join(d, crashes[0])
        failed, inv, out = replay_story(args.replay, model, site, path)
        clean, _, _ = replay_story(args.replay, model, None, path)
        if failed and not clean:
            name = "%s-%s" % (model, site)
            regressions = keep_hand_written(args.previous.get((model, site)))
            store_text(args.script, path, os.path.join(STORE, name + ".uprb"),
                       model, site, inv or "sanitizer", took, args.seed)
            if regressions:
                cell["regressions"] = regressions
            cell.update(caught=True, invariant=inv or "sanitizer", input=name)
        else:
            cell["note"] = "a crash that does not replay as a weakening failure: %s" % path
    print("memory_matrix: %-5s %-16s %s" % (model, site, describe(cell)), flush=True)
    return cell


def store_text(script, path, dest, model, site, inv, took, seed):
    """The catching input @path as a text program with what it is for."""
    p = subprocess.run([script, "decode", "--target", "fuzz_weak_memory", path],
                       capture_output=True, text=True)
    if p.returncode:
        sys.exit("memory_matrix: %s decode %s failed: %s" % (script, path, p.stderr))
    head = ("Barrier matrix input (docs/memory.md#the-matrix; corpora/memory_matrix/matrix.json): "
            "the cell %s x %s. With UPRB_SIM_MEMORY=%s UPRB_SIM_WEAKEN=%s it must break "
            "%s; on the core as written it passes (CTest fuzz.memory_matrix). Found by "
            "the libFuzzer search (memory_matrix.py search, -seed=%d) in %.1f s."
            % (model, site, model, site, inv, seed, took))
    with open(dest, "w") as f:
        f.write("\n".join(textwrap.wrap(head, 76, initial_indent="# ",
                                        subsequent_indent="# ")) + "\n")
        f.write(p.stdout)


def describe(cell):
    if cell.get("caught"):
        return "caught in %.1f s (%s)" % (cell["seconds"], cell["invariant"])
    return "not caught in %d s" % cell["limit"]


def cmd_search(args):
    os.makedirs(STORE, exist_ok=True)
    names = sites(args.replay)
    cells = [(m, s) for s in names for m in MODELS]
    args.previous, limit = {}, args.time
    if os.path.exists(INDEX):
        with open(INDEX) as f:
            old = json.load(f)
        args.previous = {(c["model"], c["site"]): c for c in old["cells"]}
        if args.cells:
            limit = old.get("time_limit", limit)  # the others' search
    if args.cells:
        want = args.cells.split(",")
        cells = [(m, s) for m, s in cells if "%s-%s" % (m, s) in want]
        if len(cells) != len(want):
            sys.exit("memory_matrix: --cells: not all of %s are cells (MODEL-SITE)" % args.cells)
    print("memory_matrix: %d cells, up to %d s each, %d at a time, libFuzzer -seed=%d"
          % (len(cells), args.time, args.jobs, args.seed), flush=True)
    work = tempfile.mkdtemp(prefix="memory-matrix-")
    with ThreadPoolExecutor(args.jobs) as pool:
        out = list(pool.map(lambda c: search_cell(args, c[0], c[1], work), cells))
    if args.cells:
        done = {(c["model"], c["site"]): c for c in out}
        out = [done.get(k, c) for k, c in args.previous.items()]
    with open(INDEX, "w") as f:
        json.dump({"fuzzer": "fuzz_weak_memory (libFuzzer)", "time_limit": limit,
                   "cells": out}, f, indent=1)
        f.write("\n")
    print("memory_matrix: wrote %s (work in %s)" % (os.path.relpath(INDEX, ROOT), work))
    return 0


def cmd_check(args):
    with open(INDEX) as f:
        cells = json.load(f)["cells"]
    names = set(sites(args.replay))
    bad = 0
    stored = [os.path.join(args.inputs, c["input"]) for c in cells if c.get("caught")]
    stored += [os.path.join(args.inputs, r) for c in cells for r in c.get("regressions", [])]
    for c in cells:
        m, s = c["model"], c["site"]
        if s not in names:
            print("FAIL %s %s: the world no longer knows site %s" % (m, s, s))
            bad += 1
            continue
        if c.get("caught"):
            for name in [c["input"]] + c.get("regressions", []):
                path = os.path.join(args.inputs, name)
                if not os.path.exists(path):
                    bad += 1
                    print("FAIL %s %s: %s missing: corpora/memory_matrix/%s.uprb "
                          "not compiled (build the target uprb-seeds)" % (m, s, path, name))
                    continue
                failed, inv, out = replay_story(args.replay, m, s, path)
                clean, _, cout = replay_story(args.replay, m, None, path)
                # A regression may break another invariant than the search's find.
                ok = failed and (inv == c["invariant"] or name != c["input"]) and not clean
                if not ok:
                    bad += 1
                    print("FAIL %s %s: %s expected to break %s, got %s; as written: %s\n"
                          "  replay: UPRB_SIM_MEMORY=%s UPRB_SIM_WEAKEN=%s %s %s\n%s"
                          % (m, s, name, c["invariant"], inv if failed else "a pass",
                             "fails" if clean else "passes", m, s, args.replay, path,
                             (out if not failed or inv != c["invariant"] else cout)[-2000:]))
                else:
                    print("ok   %-5s %-16s %s breaks %s, passes as written" % (m, s, name, inv))
        else:
            # Nothing known catches it: none of the stored inputs may either.
            for path in stored + [args.seeds]:
                failed, inv, out = replay_story(args.replay, m, s, path)
                if failed:
                    bad += 1
                    print("FAIL %s %s: recorded as not caught, but %s breaks %s\n"
                          "  replay: UPRB_SIM_MEMORY=%s UPRB_SIM_WEAKEN=%s %s %s"
                          % (m, s, os.path.relpath(path, ROOT), inv, m, s, args.replay, path))
                    break
            else:
                print("ok   %-5s %-16s not caught: %d stored inputs and the seeds pass"
                      % (m, s, len(stored)))
    print("memory_matrix: %d cells, %d failed" % (len(cells), bad))
    return 1 if bad else 0


def cmd_table(args):
    with open(INDEX) as f:
        data = json.load(f)
    by = {(c["site"], c["model"]): c for c in data["cells"]}
    order = []
    for c in data["cells"]:
        if c["site"] not in order:
            order.append(c["site"])
    print("| removed or relaxed | SC | x86-TSO | weak |")
    print("| --- | --- | --- | --- |")
    for s in order:
        row = []
        for m in MODELS:
            c = by.get((s, m))
            if not c:
                row.append("-")
            elif c.get("caught") and c.get("found") == "by hand":
                row.append("**caught** by a hand-written input, %s (not found in %d s)"
                           % (c["invariant"], c["limit"]))
            elif c.get("caught") and c["limit"] != data["time_limit"]:
                row.append("**caught** %.1f s, %s (a %d s search)"
                           % (c["seconds"], c["invariant"], c["limit"]))
            elif c.get("caught"):
                row.append("**caught** %.1f s, %s" % (c["seconds"], c["invariant"]))
            else:
                row.append("not caught (%d s)" % c["limit"])
        print("| `%s` | %s |" % (s, " | ".join(row)))
    notes = [s for s in order if s in NOTES]
    if notes:
        print()
        for s in notes:
            print("- `%s`: %s" % (s, NOTES[s]))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("search")
    s.add_argument("--fuzzer", required=True)
    s.add_argument("--replay", required=True)
    s.add_argument("--time", type=int, default=120)
    s.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--script", required=True, help="uprb-script, to store finds as text")
    s.add_argument("--seeds", required=True, help="compiled fuzz_weak_memory seeds")
    s.add_argument("--cells", help="only these cells (MODEL-SITE,...), the others kept")
    c = sub.add_parser("check")
    c.add_argument("--replay", required=True)
    c.add_argument("--inputs", required=True, help="the stored inputs, compiled")
    c.add_argument("--seeds", required=True, help="compiled fuzz_weak_memory seeds")
    sub.add_parser("table")
    args = ap.parse_args()
    return {"search": cmd_search, "check": cmd_check, "table": cmd_table}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
