#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""gen_sites.py - label every shared access of a kernel tree's writer with
its seam site, by the rules of site_rules.txt, at build time.

Inputs: the files compiled against the shim, each under the key the shim
names its include depth by (RB=ring_buffer.c, IH=internal.h, CP=the cut
core.c pieces, GL/GP=ours, which must use no primitive); the shim's
uprb_kseam.h (the primitives: every macro that passes UPRB_K_ID(name));
core/include/uprb/port.h (the site names).

Outputs, in the build directory:
  uprb_ksites.h  UPRB_K_ID_<key>_<line>_<name> for every use of a
                 primitive: its index in the table; UPRB_K_PLAIN_FIELDS,
                 the fields whose plain C accesses tsan_rt.c routes
  uprb_ksites.c  the table: site, order, "ring_buffer.c:LINE (function)"

It stops (exit 1) with file:line and the text of any access in the fast
path that no rule covers, of any rule that matches nothing, and of any
plain mention of a shared field that no plain rule covers.
"""
import argparse
import os
import re
import sys

import ktree

ORDERS = {"ctrl": "UPRB_ORDER_CTRL", "acquire": "UPRB_ORDER_ACQUIRE",
          "release": "UPRB_ORDER_RELEASE", "once": "UPRB_ORDER_ONCE"}


class Failure(Exception):
    pass


class Rule:
    def __init__(self, func, access, nth, site, order, line, cond=None):
        self.func, self.access, self.nth = func, access, nth
        self.site, self.order, self.line = site, order, line
        self.cond = cond      # (file key, word): applies when the file has it
        self.plain = None
        m = re.fullmatch(r"plain\s+(\w+)\s+(read|write)", access)
        if m:
            self.plain = (m.group(1), m.group(2))
        self.hits = 0

    def __str__(self):
        return "%s | %s | %s | %s" % (self.func, self.access, self.nth, self.site)


def read_rules(path, sites, tree_files):
    """The rules of @path; a rule whose "if FILE has WORD" column is false
    for this tree (@tree_files: key -> text) is left out."""
    rules, roots, shared, private = [], [], set(), set()
    for n, line in enumerate(open(path), 1):
        s = line.split("#", 1)[0].strip()
        if not s:
            continue
        where = "%s:%d" % (path, n)
        if s.startswith("roots:"):
            roots += s[6:].split()
            continue
        if s.startswith("shared:"):
            shared |= set(s[7:].split())
            continue
        if s.startswith("private:"):
            private |= set(s[8:].split())
            continue
        cols = [c.strip() for c in s.split("|")]
        if len(cols) not in (4, 5, 6):
            raise Failure("%s: a rule is function | access | nth | site [| order] "
                          "[| if FILE has WORD]" % where)
        func, access, nth, site = cols[:4]
        order = cols[4] if len(cols) >= 5 else ""
        cond = None
        if len(cols) == 6:
            m = re.fullmatch(r"if\s+(\S+)\s+has\s+(\w+)", cols[5])
            if not m or m.group(1) not in tree_files:
                raise Failure("%s: condition '%s' is not 'if FILE has WORD' with FILE "
                              "one of %s" % (where, cols[5], " ".join(sorted(tree_files))))
            cond = (m.group(1), m.group(2))
            if not re.search(r"\b%s\b" % cond[1], tree_files[cond[0]]):
                continue
        if nth != "*" and not nth.isdigit():
            raise Failure("%s: nth '%s' is not a number or *" % (where, nth))
        if site != "PLAIN" and site not in sites:
            raise Failure("%s: no site %s in port.h's UPRB_SITES" % (where, site))
        if order == "-":
            order = ""
        if order and order not in ORDERS:
            raise Failure("%s: order '%s' is not one of %s" % (where, order, " ".join(ORDERS)))
        r = Rule(func, " ".join(access.split()), nth, site, order, where, cond)
        if r.plain and nth != "*":
            raise Failure("%s: a plain rule covers every mention (nth *)" % where)
        rules.append(r)
    return rules, roots, shared, private


def port_sites(path):
    text = open(path).read()
    return set(re.findall(r"X\((\w+),\s*\"", text))


def primitives(seam_h):
    """The shim's access primitives: macros that label themselves."""
    src = ktree.Source(seam_h)
    names = set()
    for m in src.macros.values():
        if m.params is None:
            continue
        body = m.body
        if re.search(r"\bUPRB_K_(ID|LD|ST|RMW)\b", body) and re.search(r"\b%s\b" % m.name, body):
            names.add(m.name)
    return names


def glob(text, pattern):
    """@pattern matches all of @text, * standing for any text."""
    return re.fullmatch(".*".join(map(re.escape, pattern.split("*"))), text, re.S) is not None


def norm(text):
    t = " ".join(text.split())
    t = re.sub(r"\(\s+", "(", t)
    t = re.sub(r"\s+\)", ")", t)
    return t


class Access:
    def __init__(self, key, src, func, name, start, end, text):
        self.key, self.src, self.func, self.name = key, src, func, name
        self.start, self.end, self.text = start, end, text
        self.first = src.line_of(start)
        self.last = src.line_of(end - 1)
        self.file, self.line = src.reported(self.first)
        self.rule = None

    def where(self):
        return "%s:%d" % (self.src.path if self.src.name == self.file else self.file, self.line)


def scan(key, src, prims, derived):
    """Uses of primitives (and of tree macros that expand to one) in @src:
    (accesses, functions by name, call graph, plain field mentions)."""
    its = ktree.items(src)
    funcs = {}
    spans = []
    for it in its:
        if it.kind == "function":
            funcs.setdefault(it.name, it)
            spans.append((it.start, it.end, it.name))
        elif it.kind == "macro-defined":
            funcs.setdefault(it.name, it)
            spans.append((it.start, it.end, it.name))

    def owner(off):
        for s, e, name in spans:
            if s <= off < e:
                return name
        return None

    text = src.text
    names = prims | set(derived)
    acc = []
    pat = re.compile(r"\b(%s)\s*\(" % "|".join(sorted(map(re.escape, names))))
    for m in pat.finditer(text):
        k = m.start() - 1
        while k >= 0 and text[k].isspace():
            k -= 1
        if k >= 0 and (text[k] in ".>" ):
            continue   # a member, not the primitive
        start = m.start()
        end = ktree.match_paren(text, m.end() - 1)
        func = owner(start)
        call = norm(text[start:end])
        if m.group(1) in prims:
            acc.append(Access(key, src, func, m.group(1), start, end, call))
        else:
            for inner in sorted(derived[m.group(1)]):
                acc.append(Access(key, src, func, inner, start, end, call + " > " + inner))
    calls = {}
    for name, it in funcs.items():
        if it.kind == "function":
            body = text[it.body[0]:it.body[1]]
            calls[name] = {c.group(1) for c in re.finditer(r"\b(\w+)\s*\(", body)}
        else:
            args = text[it.start:it.end]
            calls[name] = set(ktree.idents(args))
            mac = ktree.IDENT.match(args).group(0)
            seen, todo = set(), [mac]
            while todo:
                x = todo.pop()
                if x in seen or x not in src.macros:
                    continue
                seen.add(x)
                calls[name] |= ktree.idents(src.macros[x].body)
                todo += list(ktree.idents(src.macros[x].body))
    return acc, funcs, calls


def derived_macros(sources, prims):
    """Macros of the tree whose body (transitively) uses a primitive."""
    macros = {}
    for src in sources:
        macros.update(src.macros)
    out = {}
    grew = True
    while grew:
        grew = False
        for name, m in macros.items():
            if m.params is None or name in prims:
                continue
            ids = ktree.idents(m.body)
            inner = (ids & prims) | set().union(*[out[x] for x in ids if x in out] or [set()])
            if inner and out.get(name) != inner:
                out[name] = inner
                grew = True
    return out


def plain_mentions(src, func_item, shared, private, acc_spans):
    """->FIELD mentions of shared fields in a function, outside primitives
    and not of a writer's private object (its output handle)."""
    out = []
    body = func_item.body if func_item.body else (func_item.start, func_item.end)
    for m in re.finditer(r"(\w+)\s*->\s*(%s)\b" % "|".join(sorted(shared)),
                         src.text[body[0]:body[1]]):
        off = body[0] + m.start(2)
        if m.group(1) in private or any(s <= off < e for s, e in acc_spans):
            continue
        out.append((m.group(2), off))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rules", required=True)
    ap.add_argument("--shim", required=True)
    ap.add_argument("--port-h", required=True)
    ap.add_argument("--file", action="append", default=[], metavar="KEY=PATH",
                    help="a file compiled against the shim; KEY is its depth name")
    ap.add_argument("--ours", action="append", default=[], metavar="KEY=PATH",
                    help="a file of ours that must use no primitive")
    ap.add_argument("--header", action="append", default=[], metavar="NAME=PATH",
                    help="a tree file the rules' conditions may read")
    ap.add_argument("--out-h", required=True)
    ap.add_argument("--out-c", required=True)
    a = ap.parse_args()
    try:
        run(a)
    except (Failure, ktree.KtreeError) as e:
        sys.stderr.write("gen_sites.py: %s\n" % e)
        sys.exit(1)


def load(a, prims, config):
    """Scan the files: (accesses, functions, their calls, their file), and
    the errors of primitives used in files of ours."""
    files = []
    for spec in a.file + a.ours:
        key, path = spec.split("=", 1)
        files.append((key, ktree.Source(path, config), spec in a.ours))
    derived = derived_macros([s for _, s, _ in files], prims)
    accesses, funcs, calls, owners, errors = [], {}, {}, {}, []
    for key, src, ours in files:
        acc, f, c = scan(key, src, prims, derived)
        if ours:
            errors += ["%s: %s in a file of ours: call the seam functions "
                       "(uprb_k_site_*) instead" % (x.where(), x.text) for x in acc]
            continue
        accesses += acc
        for name, it in f.items():
            if name not in funcs:
                funcs[name] = it
                owners[name] = src
                calls[name] = c.get(name, set())
    return accesses, funcs, calls, owners, errors


def fast_path(roots, funcs, calls):
    """Every function the roots reach through calls."""
    if not any(r in funcs for r in roots):
        raise Failure("none of the roots (%s) is defined in the files given" % " ".join(roots))
    fast, todo = set(), [r for r in roots if r in funcs]
    while todo:
        f = todo.pop()
        if f not in fast:
            fast.add(f)
            todo += [c for c in calls.get(f, ()) if c in funcs and c not in fast]
    return fast


def label(accesses, fast, rules, rules_path, errors):
    """Give each primitive use of the fast path its one rule."""
    by_func = {}
    for x in accesses:
        if x.func in fast:
            by_func.setdefault(x.func, []).append(x)
    for func, acc in by_func.items():
        acc.sort(key=lambda x: x.start)
        for r in rules:
            if r.plain or r.func != func:
                continue
            matched = [x for x in acc if glob(x.text, r.access)]
            for i, x in enumerate(matched, 1):
                if r.nth != "*" and int(r.nth) != i:
                    continue
                if x.rule:
                    errors.append("%s: %s matches two rules:\n    %s (%s)\n    %s (%s)" %
                                  (x.where(), x.text, x.rule, x.rule.line, r, r.line))
                    continue
                x.rule = r
                r.hits += 1
        errors += ["%s: shared access not covered by any rule of %s, in %s():\n    %s" %
                   (x.where(), rules_path, func, x.text) for x in acc if not x.rule]


def label_plain(accesses, fast, funcs, owners, rules, shared, private, rules_path,
                errors):
    """Cover each plain mention of a shared field on the fast path by a plain
    rule. Return: (field, "read"|"write") -> its rule."""
    for func in sorted(fast):
        it, src = funcs[func], owners[func]
        spans = [(x.start, x.end) for x in accesses if x.src is src]
        for field, off in plain_mentions(src, it, shared, private, spans):
            cover = [r for r in rules if r.plain and r.func == func and r.plain[0] == field]
            line = src.line_of(off)
            rfile, rline = src.reported(line)
            if not cover:
                errors.append("%s:%d: plain C access to rb->%s in %s() not covered by a "
                              "'plain %s read|write' rule of %s:\n    %s" %
                              (rfile, rline, field, func, field, rules_path,
                               " ".join(src.raw.split("\n")[line - 1].split())))
            for r in cover:
                r.hits += 1
                if not hasattr(r, "where"):
                    r.where = (rfile, rline, func)
    plain = {}
    for r in rules:
        if r.plain and r.hits:
            prev = plain.get(r.plain)
            if prev and prev.func != r.func:
                errors.append("%s: plain %s %s is also labelled by %s: the address "
                              "cannot tell them apart" % (r.line, r.plain[0], r.plain[1], prev.line))
            plain[r.plain] = r
    return plain


def table_of(accesses, plain):
    """The site table (0: plain), the ids by (file key, line, primitive) and
    the plain fields' (read, write) ids."""
    table = [("UPRB_K_PLAIN", "UPRB_K_ORDER_OWN", "plain access")]
    ids = {}
    for x in sorted(accesses, key=lambda x: (x.key, x.start)):
        if x.rule and x.rule.site != "PLAIN":
            idx = len(table)
            order = ORDERS[x.rule.order] if x.rule.order else "UPRB_K_ORDER_OWN"
            table.append(("UPRB_SITE_" + x.rule.site, order,
                          "%s:%d (%s)" % (x.file, x.line, x.func)))
        else:
            idx = 0
        for line in range(x.first, x.last + 1):
            k = (x.key, line, x.name)
            if k in ids and ids[k] != idx:
                raise Failure("%s: two %s accesses on one line cannot be told apart "
                              "(the label is found by __LINE__)" % (x.where(), x.name))
            ids[k] = idx
    plain_ids = {}
    for (field, d), r in sorted(plain.items()):
        if r.site != "PLAIN":
            plain_ids[(field, d)] = len(table)
            table.append(("UPRB_SITE_" + r.site, "UPRB_K_ORDER_OWN", "%s:%d (%s)" % r.where))
    return table, ids, plain_ids


def emit(a, table, ids, plain_ids):
    gen = "/* Generated by kernel/tools/gen_sites.py (%s): do not edit. */\n" % \
        os.path.basename(a.rules)
    h = [gen, "#ifndef UPRB_KSITES_H\n#define UPRB_KSITES_H\n\n"]
    for (key, line, name), idx in sorted(ids.items()):
        h.append("#define UPRB_K_ID_%s_%d_%s %d\n" % (key, line, name, idx))
    fields = sorted({f for f, _ in plain_ids})
    h.append("\n/* X(field, read id, write id): plain accesses routed by address */\n")
    h.append("#define UPRB_K_PLAIN_FIELDS(X)%s\n" % "".join(
        " \\\n\tX(%s, %d, %d)" % (f, plain_ids.get((f, "read"), 0),
                                   plain_ids.get((f, "write"), 0)) for f in fields))
    h.append("#define UPRB_K_NSITES %d\n\n#endif\n" % len(table))
    c = [gen, '#include "ksites.h"\n\n',
         "const struct uprb_k_site uprb_k_sites[UPRB_K_NSITES] = {\n"]
    for i, (site, order, loc) in enumerate(table):
        c.append('\t[%d] = { %s, %s, "%s" },\n' % (i, site, order, loc))
    c.append("};\n")
    for path, text in ((a.out_h, "".join(h)), (a.out_c, "".join(c))):
        old = open(path).read() if os.path.exists(path) else None
        if old != text:
            with open(path, "w") as f:
                f.write(text)


def run(a):
    tree_files = {}
    for spec in a.header:
        name, path = spec.split("=", 1)
        tree_files[name] = ktree.blank_comments(open(path, errors="replace").read())
    rules, roots, shared, private = read_rules(a.rules, port_sites(a.port_h), tree_files)
    prims = primitives(os.path.join(a.shim, "uprb_kseam.h"))
    config = ktree.read_config([os.path.join(a.shim, "uprb_kconfig.h")])
    accesses, funcs, calls, owners, errors = load(a, prims, config)
    fast = fast_path(roots, funcs, calls)
    label(accesses, fast, rules, a.rules, errors)
    plain = label_plain(accesses, fast, funcs, owners, rules, shared, private, a.rules,
                        errors)
    for r in rules:
        if not r.hits:
            errors.append("%s: rule matches nothing %s: %s" % (
                r.line, "in %s()" % r.func if r.func in fast else
                "(no %s() on the fast path)" % r.func, r))
    if errors:
        raise Failure("%d problem(s) labelling the kernel's shared accesses:\n  %s\n"
                      "(kernel/README.md: adding a site rule)" %
                      (len(errors), "\n  ".join(errors)))
    emit(a, *table_of(accesses, plain))


if __name__ == "__main__":
    main()
