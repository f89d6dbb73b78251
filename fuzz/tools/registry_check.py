#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""registry_check.py - the CTest fuzz.registry.check: the checks of
cmake/FuzzRegistry.cmake, proved on planted mistakes.

    registry_check.py --cmake CMAKE --module cmake/FuzzRegistry.cmake
                      --registry fuzz/registry.txt

Each case is a small tree (fuzz/registry.txt, fuzz/targets/*.c,
fuzz/dict/*, sub/CMakeLists.txt) read by the module in `cmake -P`: a good table must pass and
come out as the C header, every planted mistake must stop it with
"fuzz/registry.txt:LINE: what" (or the file it names). The tree's own
registry must pass too. Exit status 1 when a case is not handled so.
"""
import argparse
import os
import subprocess
import sys
import tempfile

WORLD = """target fuzz_a
input        world
world_writer yes
ops          write write write write write consume consume pause
acts         write write write write write consume consume pause
what         a target
"""

RAW = "target fuzz_a\ninput raw\nworld_writer no\nwhat x\n"

# name: (registry text, extra target files, expected message or None = passes,
#        text the generated header must hold)
CASES = {
    "good": (WORLD + "dict fuzz_a.dict\noptions fuzz_a.options\n"
             "checks       always\n", [], None,
             "P(fuzz_a, a, FZ_MEM_SC, 0, 0, false"),
    "good-reader-text": ("target fuzz_a\ninput reader\nworld_writer no\n"
                         "what  list; [brackets] \"quotes\" \\\\ and\n"
                         "      a continued line # and a comment\n", [], None,
                         'T(fuzz_a, FZ_INPUT_READER, false, "list; [brackets] '
                         '\\"quotes\\" \\\\\\\\ and a continued line")'),
    "good-profile": (WORLD.replace("world_writer yes", "world_writer yes\nmemory weak\n"
                                   "cpus 4\npage_sizes 3\nforward_only yes"), [], None,
                     "P(fuzz_a, a, FZ_MEM_WEAK, 4, 3, true"),
    "unknown-key": (WORLD + "colour blue\n", [], "fuzz/registry.txt:7: unknown key 'colour'",
                    None),
    "unknown-kind": (WORLD.replace("consume consume pause\nacts", "consume jump pause\nacts"),
                     [], "fuzz/registry.txt:4: ops: unknown kind 'jump'", None),
    "seven-kinds": (WORLD.replace("acts         write ", "acts         "), [],
                    "fuzz/registry.txt:5: acts: 8 kinds, found 7", None),
    "no-input": (WORLD.replace("input        world\n", ""), [],
                 "fuzz/registry.txt:1: target fuzz_a has no 'input'", None),
    "no-ops": (WORLD.replace("ops          write write write write write consume consume "
                             "pause\n", ""), [],
               "fuzz/registry.txt:1: world target fuzz_a has no 'ops'", None),
    "world-key-on-reader": ("target fuzz_a\ninput reader\nworld_writer no\ncpus 2\nwhat x\n",
                            [], "fuzz/registry.txt:4: 'cpus' is for input world only", None),
    "writer-without-world": ("target fuzz_a\ninput raw\nworld_writer yes\nwhat x\n", [],
                             "fuzz/registry.txt:3: world_writer yes needs input world", None),
    "bad-input": (WORLD.replace("input        world", "input        text"), [],
                  "fuzz/registry.txt:2: input 'text': world, reader, readers, ring_opts or raw", None),
    "missing-dict": (WORLD + "dict nosuch.dict\n", [],
                     "fuzz/registry.txt:7: dict: no file fuzz/dict/nosuch.dict", None),
    "missing-source": (WORLD + "source fuzz/targets/nosuch.c\n", [],
                       "fuzz/registry.txt:1: fuzz_a: no target file fuzz/targets/nosuch.c",
                       None),
    "twice": (WORLD + WORLD, [], "fuzz/registry.txt:7: target fuzz_a twice (first at line 1)",
              None),
    "key-twice": (WORLD + "what again\n", [],
                  "fuzz/registry.txt:7: what of fuzz_a twice (first at line 6)", None),
    "bad-name": (WORLD.replace("target fuzz_a", "target Fuzz-A"), [],
                 "fuzz/registry.txt:1: target 'Fuzz-A': a name fuzz_<what>", None),
    "key-before-target": ("input world\n" + WORLD, [],
                          "fuzz/registry.txt:1: 'input' before the first 'target NAME'", None),
    "orphan-continuation": ("   what\n" + WORLD, [], "fuzz/registry.txt:1: an indented line "
                            "continues a key's value, and there is none above it", None),
    "cpus-range": (WORLD.replace("world_writer yes", "world_writer yes\ncpus 9"), [],
                   "fuzz/registry.txt:4: cpus '9': 1 to 4", None),
    "orphan-target-file": (WORLD, ["fuzz_b.c"],
                           "fuzz/registry.txt: fuzz/targets/fuzz_b.c has no 'target fuzz_b' "
                           "block", None),
    "empty": ("# nothing\n", [], "fuzz/registry.txt: no targets", None),
    "good-built-by": (RAW + "built_by sub\n", [], None,
                      'T(fuzz_a, FZ_INPUT_RAW, false, "x")'),
    "good-readers": (RAW.replace("input raw", "input readers") + "built_by sub\n", [], None,
                     'T(fuzz_a, FZ_INPUT_READERS, false, "x")'),
    "good-ring-opts": (RAW.replace("input raw", "input ring_opts"), [], None,
                       'T(fuzz_a, FZ_INPUT_RING_OPTS, false, "x")'),
    "world-key-on-ring-opts": (RAW.replace("input raw", "input ring_opts") + "cpus 2\n", [],
                               "fuzz/registry.txt:5: 'cpus' is for input world only", None),
    "world-key-on-readers": (RAW.replace("input raw", "input readers") + "ops write\n", [],
                             "fuzz/registry.txt:5: 'ops' is for input world only", None),
    "built-by-missing": (RAW + "built_by nosuch\n", [],
                         "fuzz/registry.txt:5: built_by: no nosuch/CMakeLists.txt", None),
    "built-by-outside": (RAW + "built_by ../sub\n", [],
                         "fuzz/registry.txt:5: built_by '../sub': a folder of the tree", None),
    "built-by-with-link": (RAW + "link uprb-x\nbuilt_by sub\n", [],
                           "fuzz/registry.txt:5: link: fuzz_a is built by "
                           "sub/CMakeLists.txt, which links it", None),
}

DRIVER = """cmake_minimum_required(VERSION 3.21)
include(${MODULE})
uprb_fuzz_registry_read(${REGISTRY})
uprb_fuzz_registry_header(${OUT})
"""


def run_case(cmake, module, top, registry, work):
    """Read @registry of the tree @top; driver and header go to @work."""
    out = os.path.join(work, "fuzz_registry.h")
    driver = os.path.join(work, "driver.cmake")
    with open(driver, "w") as f:
        f.write(DRIVER)
    p = subprocess.run([cmake, "-DMODULE=" + module, "-DPROJECT_SOURCE_DIR=" + top,
                        "-DREGISTRY=" + registry, "-DOUT=" + out, "-P", driver],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    header = open(out).read() if os.path.exists(out) else ""
    return p.returncode, " ".join(p.stdout.split()), header


def check_cases(args, module):
    """Every case against @module. Return: the failures."""
    failures = []
    for name, (text, extra, want, header_has) in CASES.items():
        with tempfile.TemporaryDirectory(prefix="uprb-registry-") as top:
            for d in ("fuzz/targets", "fuzz/dict", "sub"):
                os.makedirs(os.path.join(top, d))
            # A folder that can build a target (built_by sub).
            open(os.path.join(top, "sub", "CMakeLists.txt"), "w").close()
            for f in ["fuzz_a.c"] + extra:
                open(os.path.join(top, "fuzz/targets", f), "w").close()
            for f in ("fuzz_a.dict", "fuzz_a.options"):
                open(os.path.join(top, "fuzz/dict", f), "w").close()
            reg = os.path.join(top, "fuzz/registry.txt")
            with open(reg, "w") as f:
                f.write(text)
            rc, out, header = run_case(args.cmake, module, top, reg, top)
        if want is None:
            ok = rc == 0 and header_has in header
            why = "must pass with %r in the header; status %d: %s\n%s" % (
                header_has, rc, out[-600:], header)
        else:
            ok = rc != 0 and want in out
            why = "must stop with %r; status %d: %s" % (want, rc, out[-600:])
        if module == args.module:
            print("%s %s" % ("ok  " if ok else "FAIL", name))
        if not ok:
            failures.append("%s: %s" % (name, why))
    return failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmake", required=True)
    ap.add_argument("--module", required=True)
    ap.add_argument("--registry", required=True)
    args = ap.parse_args()
    failures = check_cases(args, args.module)
    # The check proves itself: with its stops made into messages (a planted
    # fault), every mistake must get through, i.e. be reported here.
    with tempfile.TemporaryDirectory(prefix="uprb-registry-lax-") as tmp:
        lax = os.path.join(tmp, "FuzzRegistry.cmake")
        with open(args.module) as f:
            text = f.read()
        stop = 'message(FATAL_ERROR "${where}: ${msg}")'
        if stop not in text:
            failures.append("self-test: %s no longer stops with %s" % (args.module, stop))
        with open(lax, "w") as f:
            f.write(text.replace(stop, 'message(STATUS "${where}: ${msg}")'))
        missed = check_cases(args, lax)
    errors = sum(1 for c in CASES.values() if c[2])
    print("%s self-test: a lax module lets %d of the %d mistakes through" % (
        "ok  " if len(missed) == errors else "FAIL", len(missed), errors))
    if len(missed) != errors:
        failures.append("self-test: the lax module fails %d cases, not the %d mistakes"
                        % (len(missed), errors))
    # The tree's own table.
    top = os.path.dirname(os.path.dirname(os.path.abspath(args.registry)))
    with tempfile.TemporaryDirectory(prefix="uprb-registry-") as tmp:
        rc, out, header = run_case(args.cmake, args.module, top, args.registry, tmp)
    ok = rc == 0 and "FZ_REGISTRY_TARGETS" in header
    print("%s the tree's fuzz/registry.txt" % ("ok  " if ok else "FAIL"))
    if not ok:
        failures.append("fuzz/registry.txt: status %d: %s" % (rc, out[-600:]))
    for f in failures:
        print("FAIL " + f)
    print("registry_check: %d cases, %d failed" % (len(CASES) + 2, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
