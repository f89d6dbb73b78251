#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bad_inputs.py - the bad-input suite: every tool given what a new user (or
a hostile file, or a signal) gives it must answer with the exit status and
the first line the table says. One case per CTest test (bad_input.<id>).

  bad_inputs.py --table T --case ID --bin NAME=PATH ... [--data DIR]
  bad_inputs.py --table T --list        the case ids, one a line

The table (bad_inputs.tsv) has one case a line, tab-separated:

  id    status    first-line regex    command    [directives]

* status: the exit status; -N for "killed by signal N"; a|b for either.
* first line: the first non-empty line of stdout and stderr together must
  match (re.search); "-" accepts any.
* command: shell words; @NAME@ is a --bin path, @data@ the hostile
  perf.data files (mkperfdata.py), @tmp@ a fresh directory of this case.
* directives, space-separated:
    signal=SIG@T      send SIG (INT, TERM) T seconds after the start
    signal2=A,B@T     send A, then B at once (two kinds: they cannot merge
                      into one pending signal as two of a kind can)
    within=S          it must end within S seconds after the last signal
    expect=REGEX      some line must match (repeatable; _ stands for a blank)
    timeout=S         give up after S seconds (default 30): a hang fails
    skip77            the tool may say "cannot run here" (77): skip, not fail
A tool that exits 77 when a case did not expect it makes the case skip
(exit 77) only with skip77; otherwise it fails.
"""
import argparse
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def load(path):
    cases = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 4:
                raise SystemExit(f"{path}:{n}: want id, status, first line, command")
            cid, status, first, cmd = cols[:4]
            if cid in cases:
                raise SystemExit(f"{path}:{n}: case {cid} twice")
            cases[cid] = (n, [int(x) for x in status.split("|")], first, cmd,
                          cols[4] if len(cols) > 4 else "")
    return cases


def directives(text):
    d = {"signals": [], "expect": [], "timeout": 30.0, "within": None,
         "skip77": False}
    for word in text.split():
        key, _, val = word.partition("=")
        if key in ("signal", "signal2"):
            sigs, _, at = val.partition("@")
            for k, sig in enumerate(sigs.split(",")):
                d["signals"].append((float(at), k, getattr(signal, "SIG" + sig)))
        elif key == "within":
            d["within"] = float(val)
        elif key == "expect":
            d["expect"].append(val.replace("_", " "))
        elif key == "timeout":
            d["timeout"] = float(val)
        elif key == "skip77":
            d["skip77"] = True
        else:
            raise SystemExit(f"unknown directive {word}")
    return d


def expand(cmd, bins, data, tmp):
    words = []
    for w in shlex.split(cmd):
        for name, path in bins.items():
            w = w.replace(f"@{name}@", path)
        words.append(w.replace("@data@", data).replace("@tmp@", tmp))
    return words


def run_case(cid, case, bins, data):
    line, want, first_re, cmd, extra = case
    d = directives(extra)
    with tempfile.TemporaryDirectory(prefix=f"bad-{cid}-") as tmp:
        argv = expand(cmd, bins, data, tmp)
        print("case  " + cid + " (bad_inputs.tsv:" + str(line) + "): " +
              " ".join(shlex.quote(a) for a in argv))
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        last_signal = None
        for at, _, num in sorted(d["signals"]):
            delay = t0 + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            if p.poll() is None:
                os.kill(p.pid, num)
                last_signal = time.monotonic()
        try:
            out, _ = p.communicate(timeout=d["timeout"])
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, _ = p.communicate()
            print(f"FAIL  {cid}: no answer within {d['timeout']} s (a hang); output:")
            print(out.decode(errors="replace")[-2000:])
            return 1
        took_after = time.monotonic() - last_signal if last_signal else None
    text = out.decode(errors="replace")
    lines = [l for l in text.splitlines() if l.strip()]
    first = lines[0] if lines else ""
    got = p.returncode
    problems = []
    if got == 77 and 77 not in want and d["skip77"]:
        print(f"skip  {cid}: the tool cannot run here: {first}")
        return 77
    if got not in want:
        problems.append(f"exit status {got}, want {' or '.join(map(str, want))}")
    if first_re != "-" and not re.search(first_re, first):
        problems.append(f"first line {first!r} does not match /{first_re}/")
    for e in d["expect"]:
        if not any(re.search(e, l) for l in lines):
            problems.append(f"no line matches /{e}/")
    if d["within"] is not None and took_after is not None and took_after > d["within"]:
        problems.append(f"ended {took_after:.2f} s after the signal, want <= {d['within']} s")
    if problems:
        print(f"FAIL  {cid}: " + "; ".join(problems))
        print("  output (last 30 lines):")
        for l in text.splitlines()[-30:]:
            print("    " + l)
        return 1
    print(f"ok    {cid}: exit {got}, first line: {first[:200]}")
    return 0


def main(argv):
    ap = argparse.ArgumentParser(description="the bad-input suite (see the module doc)")
    ap.add_argument("--table", required=True)
    ap.add_argument("--case", action="append", default=[])
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--bin", action="append", default=[], metavar="NAME=PATH")
    ap.add_argument("--data", default=None, help="the hostile perf.data files (made if missing)")
    a = ap.parse_args(argv)
    cases = load(a.table)
    if a.list:
        for cid in cases:
            print(cid)
        return 0
    bins = dict(b.split("=", 1) for b in a.bin)
    data = a.data or os.path.join(tempfile.gettempdir(), "uprb-bad-inputs-data")
    if not os.path.exists(os.path.join(data, "valid.data")):
        subprocess.run([sys.executable, os.path.join(HERE, "mkperfdata.py"), data], check=True)
    todo = a.case or list(cases)
    for cid in todo:
        if cid not in cases:
            print(f"bad_inputs.py: no case '{cid}'", file=sys.stderr)
            return 2
    results = [run_case(cid, cases[cid], bins, data) for cid in todo]
    if len(results) == 1:
        return results[0]
    print(f"bad_inputs: {results.count(0)} passed, {results.count(1)} failed, "
          f"{results.count(77)} skipped")
    return 1 if 1 in results else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
