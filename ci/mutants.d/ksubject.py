"""ksubject.py - what ci/mutants --generic --kernel mutates and how: the
fast path of a kernel tree's writer, in the build's copy of its
ring_buffer.c and internal.h (workspace.py's kernel_copy(): GPL code, in
the build folder only).

The fast path is what kernel/tools/gen_sites.py labels: every function the
site rules' roots reach through calls (__perf_output_begin,
perf_output_get_handle, perf_output_put_handle, the wake-up, the space
rule, perf_output_copy and the copy loop, ...), so the draw covers exactly
the code the world interrupts. Functions are parsed with the build's own
compile command of ring_buffer.c (libclang); the copy loop, a macro body
in internal.h, by its tokens (generate.macro_mutants_of). The kernel's
likely()/unlikely() are read as plain parentheses for the parse only, so
the conditions inside them are mutated too.

Equivalent mutants are marked by hand in ci/mutants.d/kequivalent, one a
line: ID TREES FUNCTION OP  # why no input can tell it apart
(TREES: the trees the entry was reviewed on, "6.1,6.12"; the entry names
the line by function and operator, in words, and copies no kernel code).
"""
import argparse
import json
import os
import shlex
import sys

import generate

HERE = os.path.dirname(os.path.abspath(__file__))
EQUIVALENT = os.path.join(HERE, "kequivalent")
PARSE_H = "uprb_kmutants_parse.h"


def _tools(root):
    tools = os.path.join(root, "kernel", "tools")
    if tools not in sys.path:
        sys.path.insert(0, tools)
    import gen_sites
    import ktree
    return gen_sites, ktree


def compile_args(build, rb):
    """The compiler arguments of @rb in @build's compile_commands.json,
    without output, sanitizers or -mllvm options: what libclang parses."""
    with open(os.path.join(build, "compile_commands.json")) as f:
        entries = json.load(f)
    cmd = None
    for e in entries:
        if os.path.realpath(e["file"]) == os.path.realpath(rb):
            cmd = e.get("arguments") or shlex.split(e["command"])
            break
    if cmd is None:
        raise SystemExit(f"ci/mutants: {build} does not compile {rb}")
    args, skip = [], False
    for a in cmd[1:]:
        if skip:
            skip = False
            continue
        if a in ("-o", "-c", "-mllvm"):
            skip = True
            continue
        if os.path.realpath(a) == os.path.realpath(rb) or a.startswith(
                ("-fsanitize", "-fno-sanitize")):
            continue
        args.append(a)
    return args


def fast_path(root, rb, ih, args):
    """The fast path's functions: {name: (file key RB|IH, kind)}, kind
    "function" or "macro-defined", and the macros the macro-defined ones
    expand (the copy loop): [(macro name)]. As gen_sites.py finds them,
    with the cut core.c pieces of the backend whose compiler @args these
    are (its generated folder is on their include path)."""
    gen_sites, ktree = _tools(root)
    shim = os.path.join(root, "kernel", "shim")
    rules = os.path.join(root, "kernel", "tools", "site_rules.txt")
    config = ktree.read_config([os.path.join(shim, "uprb_kconfig.h")])
    prims = gen_sites.primitives(os.path.join(shim, "uprb_kseam.h"))
    cuts = [os.path.join(a[2:], "uprb_kcore_cuts.c") for a in args if a.startswith("-I")]
    cuts = [c for c in cuts if os.path.exists(c)]
    if not cuts:
        raise SystemExit(f"ci/mutants: the compile command of {rb} has no generated "
                         f"folder with uprb_kcore_cuts.c (build the backend first)")
    cuts = cuts[0]
    ns = argparse.Namespace(file=[f"RB={rb}", f"IH={ih}", f"CP={cuts}"], ours=[])
    accesses, funcs, calls, owners, errors = gen_sites.load(ns, prims, config)
    roots = []
    with open(rules) as f:
        for line in f:
            if line.startswith("roots:"):
                roots += line[6:].split("#")[0].split()
    fast = gen_sites.fast_path(roots, funcs, calls)
    out, macros = {}, []
    for name in sorted(fast):
        src = owners[name]
        key = "RB" if src.path == rb else "IH" if src.path == ih else None
        if key is None:
            continue
        it = funcs[name]
        out[name] = (key, it.kind)
        if it.kind == "macro-defined":
            # The macros it expands, transitively, that hold statements.
            todo = [ktree.IDENT.match(src.text[it.start:it.end]).group(0)]
            seen = set()
            while todo:
                m = todo.pop()
                if m in seen or m not in src.macros:
                    continue
                seen.add(m)
                if ";" in src.macros[m].body and m not in macros:
                    macros.append(m)
                todo += sorted(ktree.idents(src.macros[m].body))
    return out, macros


def pool(root, build, rb, work):
    """Every generic mutant of the fast path in @rb (the build's copy of
    ring_buffer.c, compiled by @build) and the internal.h beside it."""
    ih = os.path.join(os.path.dirname(rb), "internal.h")
    if not os.path.exists(ih):
        raise SystemExit(f"ci/mutants: no internal.h beside {rb}")
    args = compile_args(build, rb)
    funcs, macros = fast_path(root, rb, ih, args)
    os.makedirs(work, exist_ok=True)
    parse_h = os.path.join(work, PARSE_H)
    with open(parse_h, "w") as f:
        f.write("/* ci/mutants: likely()/unlikely() as plain parentheses, for the "
                "parse only */\n#undef likely\n#undef unlikely\n#define likely\n"
                "#define unlikely\n")
    args = args + ["-include", parse_h]
    tu = generate.parse(rb, "ring_buffer.c", args)
    out = []
    for path, rel, key in ((rb, "ring_buffer.c", "RB"), (ih, "internal.h", "IH")):
        want = {n for n, (k, kind) in funcs.items() if k == key and kind == "function"}
        out += [m for m in generate.mutants_of(path, rel, args, tu=tu) if m.func in want]
    for m in macros:
        out += generate.macro_mutants_of(tu, ih, "internal.h", m)
    return out


def load_equivalent(path, tag):
    """({id: reason} of the entries reviewed on tree @tag ("6.1"), {id: tags}
    of every entry). Format: ID TREES FUNCTION OP  # reason."""
    eq, tags = {}, {}
    if not os.path.exists(path):
        return eq, tags
    with open(path) as f:
        for no, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            head, _, reason = line.partition("#")
            cols = head.split()
            if len(cols) < 2 or not reason.strip():
                raise SystemExit(f"{path}:{no}: an entry is ID TREES FUNCTION OP  # reason")
            tags[cols[0]] = cols[1].split(",")
            if tag in tags[cols[0]]:
                eq[cols[0]] = reason.strip()
    return eq, tags
