#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""gen_cuts.py - cut from a kernel tree, verbatim and into the build
directory, the kernel code the backend compiles beside ring_buffer.c:

  uprb_kcore_cuts.c   the core.c functions the PERF_RECORD_LOST path needs
                      (perf_event_header__init_id or perf_event_header__init,
                      perf_event__output_id_sample, perf_event__id_header_size)
                      with every static helper and macro of core.c they use,
                      in core.c's order, each under a #line back to core.c;
                      then one exported wrapper of ours per static root
  uprb_kperf_event.h  the items of include/linux/perf_event.h those files
                      use and the shim does not provide (the output handle,
                      the sample data, perf_output_put, prototypes, ...),
                      again verbatim under #line
  uprb_ktree.h        what the backend must know about the tree: the ring
                      struct's name, perf_output_begin()'s arguments, which
                      optional parts exist

Usage: gen_cuts.py --tree DIR --shim DIR --glue FILE... --out DIR
Exit status 1 with file:line and a reason when the tree lacks something.
"""
import argparse
import os
import re
import sys

import ktree

# Roots cut from core.c: (name, needed). The LOST record calls the first
# three (6.12 replaced perf_event_header__init_id by perf_event_header__init);
# the backend computes id_header_size with the tree's own function.
CORE_ROOTS = [
    ("perf_event_header__init_id", False),
    ("perf_event_header__init", False),
    ("perf_event__output_id_sample", True),
    ("perf_event__id_header_size", True),
]
# Wrappers of ours, appended to the cuts, for static roots the glue calls.
WRAPPERS = {
    "perf_event__id_header_size":
        "void uprb_kcut_id_header_size(struct perf_event *event)\n"
        "{\n\tperf_event__id_header_size(event);\n}\n",
}


def fail(msg):
    sys.stderr.write("gen_cuts.py: %s\n" % msg)
    sys.exit(1)


def shim_headers(shim):
    out = []
    for d, _, files in os.walk(shim):
        out += [os.path.join(d, f) for f in sorted(files) if f.endswith(".h")]
    return sorted(out)


def provided_names(paths, config):
    """Every name the shim (or the tree's UAPI header) defines."""
    names = set()
    for p in paths:
        src = ktree.Source(p, config)
        names |= set(src.macros)
        for it in ktree.items(src):
            names.add(it.name)
            if it.kind in ("struct", "union", "enum"):
                body = src.text[it.start:it.end]
                names |= {m.group(1) for m in
                          re.finditer(r"^\s*(\w+)\s*(=[^,]*)?,?\s*$", body, re.M)}
        for m in re.finditer(r"\btypedef\b[^;]*?\b(\w+)\s*;", src.text):
            names.add(m.group(1))
        for m in re.finditer(r"\benum\b[^{;]*\{([^}]*)\}", src.text):
            names |= {e.split("=")[0].strip() for e in m.group(1).split(",") if e.strip()}
    return names


def piece(src, it):
    """The raw text of item @it (columns kept), and its first line."""
    t = src.text
    sline, eline = src.line_of(it.start), src.line_of(it.end - 1)
    scol = it.start - t.rfind("\n", 0, it.start) - 1
    ecol = it.end - t.rfind("\n", 0, it.end - 1) - 1
    raw = src.raw.split("\n")
    if sline == eline:
        body = raw[sline - 1][scol:ecol]
    else:
        body = "\n".join([raw[sline - 1][scol:]] + raw[sline:eline - 1] +
                         [raw[eline - 1][:ecol]])
    return sline, body


def macro_piece(src, m):
    """The raw #define lines of macro @m (continuations included)."""
    raw = src.raw.split("\n")
    first = m.line - 1
    while first < len(raw) and not re.match(r"\s*#\s*define\s+%s\b" % re.escape(m.name), raw[first]):
        first += 1
    last = first
    while raw[last].endswith("\\"):
        last += 1
    return first + 1, "\n".join(raw[first:last + 1])


def line_directive(line, path):
    return '#line %d "%s"\n' % (line, path)


def cut_core(core, provided):
    """core.c: the roots and everything static of core.c they use."""
    byname = {}
    for it in ktree.items(core):
        if it.kind == "function":
            byname.setdefault(it.name, it)
    macros = core.macros
    want, order = [], []
    for name, needed in CORE_ROOTS:
        if name in byname:
            want.append(name)
        elif needed:
            fail("%s: no definition of %s (the LOST record needs it)" % (core.path, name))
    if not any(n in byname for n in ("perf_event_header__init_id", "perf_event_header__init")):
        fail("%s: neither perf_event_header__init_id nor perf_event_header__init" % core.path)
    seen = set()
    while want:
        name = want.pop()
        if name in seen or name in provided:
            continue
        seen.add(name)
        if name in byname:
            it = byname[name]
            order.append(("f", it))
            want += sorted(ktree.idents(core.text[it.start:it.end]))
        elif name in macros:
            order.append(("m", macros[name]))
            want += sorted(ktree.idents(macros[name].body))
    out = []
    pos = lambda e: core.line_of(e[1].start) if e[0] == "f" else e[1].line
    for kind, x in sorted(order, key=pos):
        if kind == "f":
            line, body = piece(core, x)
        else:
            line, body = macro_piece(core, x)
        out.append(line_directive(line, core.path) + body + "\n")
    names = {x.name for _, x in order}
    return out, names


def extract_header(hdr, users_text, provided):
    """include/linux/perf_event.h: the items @users_text needs."""
    its = ktree.items(hdr)
    table = {}
    for it in its:
        if it.kind in ("function", "prototype", "struct", "union", "typedef", "enum",
                       "macro-defined"):
            table.setdefault(it.name, []).append(it)
    want = set(ktree.idents(users_text))
    want |= {m.group(0) for m in re.finditer(r"\b(struct|union)\s+\w+", users_text)}
    want = {" ".join(w.split()) for w in want}
    chosen, seen = [], set()
    todo = sorted(want)
    while todo:
        name = todo.pop()
        if name in seen or name in provided:
            continue
        seen.add(name)
        found = table.get(name, [])
        if not found and name in hdr.macros:
            chosen.append(("m", hdr.macros[name]))
            todo += sorted(ktree.idents(hdr.macros[name].body))
            continue
        for it in found:
            chosen.append(("i", it))
            text = hdr.text[it.start:it.end]
            if it.kind in ("struct", "union"):
                todo += sorted(ktree.struct_refs(text))
                todo += sorted(n for n in ktree.idents(text) if n in hdr.macros)
            elif it.kind == "function":
                todo += sorted(ktree.idents(text))
            else:
                todo += sorted(n for n in ktree.idents(text) if n in hdr.macros or n in table)
    pos = lambda e: hdr.line_of(e[1].start) if e[0] == "i" else e[1].line
    out = []
    done = set()
    for kind, x in sorted(chosen, key=pos):
        key = (kind, pos((kind, x)))
        if key in done:
            continue
        done.add(key)
        line, body = piece(hdr, x) if kind == "i" else macro_piece(hdr, x)
        out.append(line_directive(line, hdr.path) + body + "\n")
    return out


def tree_facts(rb, internal, uapi, hdr):
    facts = {}
    m = re.search(r"\bstruct\s+(perf_buffer|ring_buffer)\s*\{", internal.text)
    if not m:
        fail("%s: no struct perf_buffer or struct ring_buffer definition" % internal.path)
    facts["UPRB_K_RB_STRUCT"] = m.group(1)
    fns = {it.name: it for it in ktree.items(rb) if it.kind == "function"}
    begin = fns.get("perf_output_begin")
    if not begin:
        fail("%s: no perf_output_begin()" % rb.path)
    head = rb.text[begin.start:begin.body[0]]
    params = head[head.index("(") + 1:head.rindex(")")]
    facts["UPRB_K_BEGIN_ARGS"] = str(params.count(",") + 1)
    facts["UPRB_K_HAS_TOGGLE_PAUSED"] = "1" if re.search(
        r"\brb_toggle_paused\s*\(", internal.text) else "0"
    # PERF_FORMAT_LOST (6.0): the event counts its drops (struct perf_event)
    facts["UPRB_K_HAS_LOST_SAMPLES"] = "1" if re.search(
        r"\blost_samples\b", hdr.text) else "0"
    facts["UPRB_K_HAS_WRITE_BACKWARD"] = "1" if re.search(
        r"\bwrite_backward\b", uapi.text) else "0"
    return facts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tree", required=True)
    ap.add_argument("--rb", help="the ring_buffer.c compiled (default: the tree's)")
    ap.add_argument("--shim", required=True)
    ap.add_argument("--glue", nargs="*", default=[])
    ap.add_argument("--out", required=True)
    a = ap.parse_args()

    shim = shim_headers(a.shim)
    config = ktree.read_config([os.path.join(a.shim, "uprb_kconfig.h")])
    ev = os.path.join(a.tree, "kernel", "events")
    uapi = os.path.join(a.tree, "include", "uapi", "linux", "perf_event.h")
    rb_path = a.rb or os.path.join(ev, "ring_buffer.c")
    # The internal.h that ring_buffer.c's #include "internal.h" finds: the
    # one beside it (ci/mutants' faulty copies), else the tree's.
    internal = os.path.join(os.path.dirname(os.path.abspath(rb_path)), "internal.h")
    paths = {
        "rb": rb_path,
        "internal": internal if os.path.exists(internal) else os.path.join(ev, "internal.h"),
        "core": os.path.join(ev, "core.c"),
        "header": os.path.join(a.tree, "include", "linux", "perf_event.h"),
        "uapi": uapi,
    }
    for k, p in paths.items():
        if not os.path.exists(p):
            fail("%s: missing (the kernel backend reads it)" % p)
    try:
        rb = ktree.Source(paths["rb"], config)
        internal = ktree.Source(paths["internal"], config)
        core = ktree.Source(paths["core"], config)
        hdr = ktree.Source(paths["header"], config)
        provided = provided_names(shim + [uapi], config)
        facts = tree_facts(rb, internal, ktree.Source(uapi, config), hdr)
        cuts, cut_names = cut_core(core, provided)
        glue_text = ""
        for g in a.glue:
            glue_text += ktree.blank_comments(open(g).read())
        users = rb.text + internal.text + "".join(cuts) + glue_text
        header = extract_header(hdr, users, provided | set(internal.macros) |
                                {it.name for it in ktree.items(internal)})
    except ktree.KtreeError as e:
        fail(str(e))

    os.makedirs(a.out, exist_ok=True)
    gen = "/* Generated by kernel/tools/gen_cuts.py from %s: do not edit. */\n" % a.tree
    tree_h = [gen, "#ifndef UPRB_KTREE_H\n#define UPRB_KTREE_H\n",
              '#define UPRB_K_UAPI_PERF_EVENT_H "%s"\n' % os.path.abspath(uapi)]
    tree_h += ["#define %s %s\n" % kv for kv in sorted(facts.items())]
    tree_h.append("#endif\n")
    files = {
        "uprb_ktree.h": "".join(tree_h),
        "uprb_kperf_event.h": gen + "#ifndef UPRB_KPERF_EVENT_H\n#define UPRB_KPERF_EVENT_H\n" +
        "\n".join(header) + "#endif\n",
        "uprb_kcore_cuts.c": gen + "#include <linux/perf_event.h>\n\n" + "\n".join(cuts) +
        '\n#line 1 "uprb_kcore_cuts.c (ringtorture wrappers)"\n' +
        "".join(w for n, w in WRAPPERS.items() if n in cut_names),
    }
    for name, text in files.items():
        path = os.path.join(a.out, name)
        old = open(path).read() if os.path.exists(path) else None
        if old != text:
            with open(path, "w") as f:
                f.write(text)


if __name__ == "__main__":
    main()
