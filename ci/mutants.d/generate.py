"""generate.py - the generic operator mutants of a C file, found in its
syntax tree (libclang, Debian's python3-clang-14), not by regular
expressions: an operator is mutated only where the parser says it is one,
never in a comment, a string, a macro body or an #include.

Each mutant is one textual replacement [start, end) -> new of the file. Its
id is a hash of what it changes (file, function, the line's text, operator,
old and new text, and its rank among identical ones), not of a line
number, so the hand-marked equivalent list (ci/mutants.d/equivalent)
survives edits elsewhere in the file.

Operators (the per-operator table of ci/mutants --generic):
  rel-boundary  < <-> <=, > <-> >=
  rel-negate    < -> >=, <= -> >, > -> <=, >= -> <
  eq            == <-> !=
  logic         && <-> ||
  arith         + <-> -, * -> /, / -> *, % -> /
  bit           & <-> |, ^ -> |, << <-> >>
  assign-op     += <-> -=, &= <-> |=, <<= <-> >>=, ...
  incdec        ++ <-> --
  not           !x -> x, ~x -> x, -x -> x
  const         integer literal N -> N + 1, N - 1, 0
  off-by-one    the right side of a comparison, or the value of an integer
                assignment, e -> (e) + 1, (e) - 1
  stmt-del      an expression statement, return;, break;, continue; or goto
                deleted
"""
import hashlib
import os
import sys

OPERATORS = ["rel-boundary", "rel-negate", "eq", "logic", "arith", "bit",
             "assign-op", "incdec", "not", "const", "off-by-one", "stmt-del"]

BINARY = {
    "<": [("rel-boundary", "<="), ("rel-negate", ">=")],
    "<=": [("rel-boundary", "<"), ("rel-negate", ">")],
    ">": [("rel-boundary", ">="), ("rel-negate", "<=")],
    ">=": [("rel-boundary", ">"), ("rel-negate", "<")],
    "==": [("eq", "!=")],
    "!=": [("eq", "==")],
    "&&": [("logic", "||")],
    "||": [("logic", "&&")],
    "+": [("arith", "-")],
    "-": [("arith", "+")],
    "*": [("arith", "/")],
    "/": [("arith", "*")],
    "%": [("arith", "/")],
    "&": [("bit", "|")],
    "|": [("bit", "&")],
    "^": [("bit", "|")],
    "<<": [("bit", ">>")],
    ">>": [("bit", "<<")],
}
COMPOUND = {"+=": "-=", "-=": "+=", "*=": "/=", "/=": "*=", "&=": "|=",
            "|=": "&=", "^=": "|=", "<<=": ">>=", ">>=": "<<=", "%=": "/="}
COMPARE = {"<", "<=", ">", ">=", "==", "!="}
INT_TYPES = None  # set once clang is loaded


class Mutant:
    """One replacement of @file's bytes [start, end) by @new."""

    def __init__(self, file, func, line, col, start, end, old, new, op, linetext):
        self.file, self.func, self.line, self.col = file, func, line, col
        self.start, self.end, self.old, self.new, self.op = start, end, old, new, op
        self.linetext = linetext
        self.id = None

    def key(self):
        return "|".join([self.file, self.func, self.linetext, self.op,
                         self.old, self.new])

    def where(self):
        return f"{self.file}:{self.line}"

    def short(self, n=40):
        def cut(s):
            s = " ".join(s.split())
            return s if len(s) <= n else s[:n - 3] + "..."
        return f"'{cut(self.old)}' -> '{cut(self.new)}'"

    def apply(self, text):
        """@text (bytes of the file) with this mutant in it."""
        return text[:self.start] + self.new.encode() + text[self.end:]


def load_clang():
    """libclang's Python bindings (Debian's python3-clang-14), whatever
    python3 runs this."""
    global ci, INT_TYPES
    try:
        import clang.cindex as cindex
    except ImportError:
        sys.path.append("/usr/lib/python3/dist-packages")
        try:
            import clang.cindex as cindex
        except ImportError:
            raise SystemExit("ci/mutants: --generic needs libclang's Python bindings "
                             "(apt-get install python3-clang-14; ci/deps installs it)")
    lib = "/usr/lib/x86_64-linux-gnu/libclang-14.so.1"
    if os.path.exists(lib) and not cindex.Config.loaded:
        cindex.Config.set_library_file(lib)
    ci = cindex
    K = ci.TypeKind
    INT_TYPES = {K.BOOL, K.CHAR_U, K.UCHAR, K.USHORT, K.UINT, K.ULONG,
                 K.ULONGLONG, K.CHAR_S, K.SCHAR, K.SHORT, K.INT, K.LONG,
                 K.LONGLONG, K.ENUM}
    return ci


def _int_type(t):
    t = t.get_canonical()
    return t.kind in INT_TYPES


def _literal_mutations(spelling):
    """N -> N+1, N-1, 0 with the literal's base and suffix kept."""
    s = spelling
    i = len(s)
    while i and s[i - 1] in "uUlL":
        i -= 1
    body, suffix = s[:i], s[i:]
    try:
        v = int(body, 0) if not (len(body) > 1 and body[0] == "0" and body[1].isdigit()) \
            else int(body, 8)
    except ValueError:
        return []
    fmt = (lambda x: hex(x)) if body.lower().startswith("0x") else str
    out = [v + 1]
    if v > 0:
        out.append(v - 1)
    if v > 1:
        out.append(0)
    return [fmt(x) + suffix for x in dict.fromkeys(out)]


def mutants_of(path, rel, args):
    """Every mutant of the C file @path (named @rel in reports), parsed
    with compiler @args. Return: the list, in source order."""
    ci_ = load_clang()
    CK = ci_.CursorKind
    tu = ci_.Index.create().parse(path, args=args)
    errors = [d for d in tu.diagnostics if d.severity >= d.Error]
    if errors:
        raise SystemExit(f"ci/mutants: {rel}: libclang cannot parse it: {errors[0]}")
    with open(path, "rb") as f:
        text = f.read()
    lines = text.decode(errors="replace").split("\n")
    # Tokens of the file as written, by offset: a cursor's operator is
    # mutated only if the token the tree points at really is that operator
    # (a macro's expansion points at the macro's name instead).
    toks = {}
    for t in tu.get_tokens(extent=tu.cursor.extent):
        if t.location.file and t.location.file.name == path:
            toks[t.extent.start.offset] = t
    offsets = sorted(toks)
    out = []

    def in_file(c):
        return c.location.file is not None and c.location.file.name == path

    def token_at_or_after(off, limit):
        import bisect
        i = bisect.bisect_left(offsets, off)
        if i < len(offsets) and offsets[i] < limit:
            return toks[offsets[i]]
        return None

    def add(func, c_or_off, start, end, new, op):
        old = text[start:end].decode()
        line = text.count(b"\n", 0, start) + 1
        col = start - (text.rfind(b"\n", 0, start) + 1) + 1
        out.append(Mutant(rel, func, line, col, start, end, old, new, op,
                          lines[line - 1].strip()))

    def span_ok(c):
        s, e = c.extent.start, c.extent.end
        return (s.file is not None and s.file.name == path and e.file is not None
                and e.file.name == path and s.offset < e.offset
                and s.offset in toks)

    def walk(c, func):
        for ch in c.get_children():
            visit(ch, func)

    def visit(c, func):
        k = c.kind
        if k == CK.FUNCTION_DECL:
            if c.is_definition() and in_file(c):
                walk(c, c.spelling)
            return
        if func is None:
            walk(c, func)
            return
        if k == CK.COMPOUND_STMT or k in (CK.IF_STMT, CK.FOR_STMT, CK.WHILE_STMT,
                                          CK.DO_STMT):
            stmt_dels(c, func)
        if k in (CK.BINARY_OPERATOR, CK.COMPOUND_ASSIGNMENT_OPERATOR):
            binary(c, func)
        elif k == CK.UNARY_OPERATOR:
            unary(c, func)
        elif k == CK.INTEGER_LITERAL and span_ok(c):
            t = toks[c.extent.start.offset]
            if t.kind == ci_.TokenKind.LITERAL:
                for new in _literal_mutations(t.spelling):
                    add(func, c, t.extent.start.offset, t.extent.end.offset, new, "const")
        walk(c, func)

    def binary(c, func):
        kids = list(c.get_children())
        if len(kids) != 2 or not span_ok(kids[0]) or not span_ok(kids[1]):
            return
        lhs, rhs = kids
        t = token_at_or_after(lhs.extent.end.offset, rhs.extent.start.offset)
        if t is None or t.kind != ci_.TokenKind.PUNCTUATION:
            return
        s, e = t.extent.start.offset, t.extent.end.offset
        sp = t.spelling
        if c.kind == CK.COMPOUND_ASSIGNMENT_OPERATOR:
            if sp in COMPOUND:
                add(func, c, s, e, COMPOUND[sp], "assign-op")
            return
        for op, new in BINARY.get(sp, []):
            add(func, c, s, e, new, op)
        rs, re_ = rhs.extent.start.offset, rhs.extent.end.offset
        rtext = text[rs:re_].decode()
        # A literal alone is the const operator's.
        is_lit = len([t for t in toks if rs <= t < re_]) == 1 and \
            toks[rs].kind == ci_.TokenKind.LITERAL
        if (sp in COMPARE or (sp == "=" and _int_type(c.type))) and not is_lit \
                and _int_type(rhs.type):
            add(func, c, rs, re_, f"({rtext}) + 1", "off-by-one")
            add(func, c, rs, re_, f"({rtext}) - 1", "off-by-one")

    def unary(c, func):
        if not span_ok(c):
            return
        first = toks[c.extent.start.offset]
        kids = list(c.get_children())
        if first.kind == ci_.TokenKind.PUNCTUATION:
            sp = first.spelling
            s, e = first.extent.start.offset, first.extent.end.offset
            if sp in ("!", "~", "-") and kids and span_ok(kids[0]):
                add(func, c, s, e, "", "not")
            elif sp in ("++", "--"):
                add(func, c, s, e, "--" if sp == "++" else "++", "incdec")
            return
        # postfix ++/--: the token after the operand
        if kids and span_ok(kids[0]):
            t = token_at_or_after(kids[0].extent.end.offset, c.extent.end.offset)
            if t is not None and t.spelling in ("++", "--"):
                add(func, c, t.extent.start.offset, t.extent.end.offset,
                    "--" if t.spelling == "++" else "++", "incdec")

    def stmt_dels(c, func):
        kids = list(c.get_children())
        if c.kind != CK.COMPOUND_STMT:
            # The bodies of if/for/while/do (without braces) only.
            kids = [k for k in kids[1:] if k.kind != CK.COMPOUND_STMT] \
                if c.kind != CK.DO_STMT else kids[:1]
            if c.kind == CK.FOR_STMT:
                kids = kids[-1:]
        for k in kids:
            if k.kind in (CK.COMPOUND_STMT, CK.DECL_STMT, CK.IF_STMT, CK.FOR_STMT,
                          CK.WHILE_STMT, CK.DO_STMT, CK.SWITCH_STMT, CK.NULL_STMT,
                          CK.LABEL_STMT, CK.CASE_STMT, CK.DEFAULT_STMT):
                continue
            if k.kind == CK.RETURN_STMT and list(k.get_children()):
                continue
            if not span_ok(k):
                continue
            s, e = k.extent.start.offset, k.extent.end.offset
            if k.kind.is_expression() and k.kind != CK.CSTYLE_CAST_EXPR:
                add(func, k, s, e, "(void)0", "stmt-del")
            elif k.kind in (CK.RETURN_STMT, CK.BREAK_STMT, CK.CONTINUE_STMT,
                            CK.GOTO_STMT):
                add(func, k, s, e, "(void)0", "stmt-del")

    visit(tu.cursor, None)
    # One mutant per distinct edit, in source order; ids by content.
    seen, uniq = set(), []
    for m in sorted(out, key=lambda m: (m.start, m.end, m.op, m.new)):
        if (m.start, m.end, m.new) in seen:
            continue
        seen.add((m.start, m.end, m.new))
        uniq.append(m)
    rank = {}
    for m in uniq:
        k = m.key()
        rank[k] = rank.get(k, 0) + 1
        m.id = hashlib.sha1(f"{k}|{rank[k]}".encode()).hexdigest()[:10]
    return uniq
