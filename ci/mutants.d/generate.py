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


def parse(path, rel, args):
    """The translation unit of the C file @path (named @rel in messages)."""
    ci_ = load_clang()
    tu = ci_.Index.create().parse(path, args=args)
    errors = [d for d in tu.diagnostics if d.severity >= d.Error]
    if errors:
        raise SystemExit(f"ci/mutants: {rel}: libclang cannot parse it: {errors[0]}")
    return tu


def file_tokens(tu, path):
    """The tokens of @path (the main file or a header @tu includes) as
    written, by offset."""
    ci_ = load_clang()
    if tu.spelling == path:
        extent = tu.cursor.extent
    else:
        f = tu.get_file(path)
        size = os.path.getsize(path)
        extent = ci_.SourceRange.from_locations(
            ci_.SourceLocation.from_offset(tu, f, 0),
            ci_.SourceLocation.from_offset(tu, f, size))
    toks = {}
    for t in tu.get_tokens(extent=extent):
        if t.location.file and t.location.file.name == path:
            toks[t.extent.start.offset] = t
    return toks


def _finish(out):
    """One mutant per distinct edit, in source order; ids by content."""
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


def mutants_of(path, rel, args, tu=None):
    """Every mutant of the C file @path (named @rel in reports), parsed
    with compiler @args, or found in @tu (a translation unit that includes
    @path: a header's functions). Return: the list, in source order."""
    ci_ = load_clang()
    CK = ci_.CursorKind
    if tu is None:
        tu = parse(path, rel, args)
    with open(path, "rb") as f:
        text = f.read()
    lines = text.decode(errors="replace").split("\n")
    # Tokens of the file as written, by offset: a cursor's operator is
    # mutated only if the token the tree points at really is that operator
    # (a macro's expansion points at the macro's name instead).
    toks = file_tokens(tu, path)
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
    return _finish(out)


class _Tok:
    """A token of a macro body: its spelling, kind and [start, end)."""

    def __init__(self, spelling, kind, start, end):
        self.spelling, self.kind, self.start, self.end = spelling, kind, start, end


# Statements that open with one of these are declarations or carry a
# value: not deleted (as stmt_dels() leaves them).
_KEEP = {"unsigned", "signed", "int", "long", "short", "char", "struct", "union",
         "enum", "const", "volatile", "static", "void", "return", "u8", "u16",
         "u32", "u64", "bool", "size_t"}


def macro_mutants_of(tu, path, rel, macro):
    """The mutants of the body of the function-like macro @macro of @path
    (a loop written as a macro, as the kernel's output copy is), found
    among its tokens: the syntax tree only sees the macro's expansions.
    Operators whose role tokens cannot tell (`*`, `&` and the unary/binary
    sign) are mutated only where the token before them says it is binary
    (an operand ends there); `off-by-one` needs the tree and is left out."""
    ci_ = load_clang()
    TK = ci_.TokenKind
    with open(path, "rb") as f:
        text = f.read()
    lines = text.decode(errors="replace").split("\n")
    by_offset = file_tokens(tu, path)
    toks = [by_offset[k] for k in sorted(by_offset)]
    start = None
    for i in range(len(toks) - 3):
        if (toks[i].spelling == "#" and toks[i + 1].spelling == "define"
                and toks[i + 2].spelling == macro and toks[i + 3].spelling == "("):
            start = i + 3
            break
    if start is None:
        raise SystemExit(f"ci/mutants: {rel}: no macro {macro}")
    # The body: after the parameter list, to the end of the logical line.
    i = start
    while toks[i].spelling != ")":
        i += 1
    first = i + 1
    eol = text.index(b"\n", toks[first].extent.start.offset)
    while text[eol - 1:eol] == b"\\":
        eol = text.index(b"\n", eol + 1)
    # A token after a line continuation is spelled with it ("\\\n{"):
    # compared and edited without it.
    body = []
    for t in toks[first:]:
        if t.extent.start.offset >= eol:
            break
        sp, s = t.spelling, t.extent.start.offset
        while sp.startswith("\\\n"):
            sp, s = sp[2:], s + 2
        if sp:
            body.append(_Tok(sp, t.kind, s, t.extent.end.offset))
    out = []

    def add(t0, t1, new, op):
        s, e = t0.start, t1.end
        line = text.count(b"\n", 0, s) + 1
        col = s - (text.rfind(b"\n", 0, s) + 1) + 1
        out.append(Mutant(rel, macro, line, col, s, e, text[s:e].decode(), new, op,
                          lines[line - 1].strip().rstrip("\\").strip()))

    def operand_end(t):
        return (t.kind in (TK.IDENTIFIER, TK.LITERAL) or t.spelling in (")", "]"))

    for k, t in enumerate(body):
        sp, prev = t.spelling, body[k - 1] if k else None
        if t.kind == TK.LITERAL:
            for new in _literal_mutations(sp):
                add(t, t, new, "const")
        if t.kind != TK.PUNCTUATION:
            continue
        binary = prev is not None and operand_end(prev)
        if sp in COMPOUND:
            add(t, t, COMPOUND[sp], "assign-op")
        elif sp in ("++", "--"):
            add(t, t, "--" if sp == "++" else "++", "incdec")
        elif sp in ("!", "~") or (sp == "-" and not binary):
            add(t, t, "", "not")
        elif sp in BINARY and sp not in ("*", "&") and binary:
            for op, new in BINARY[sp]:
                add(t, t, new, op)
    # Statement deletion: the expression statements of the body.
    k, n = 0, len(body)
    while k < n:
        t = body[k]
        begins = k == 0 or body[k - 1].spelling in ("{", "}", ";", "else", "do")
        if body[k - 1].spelling == ")" and k:
            # after the ) of an if/while header
            depth, j = 0, k - 1
            while j >= 0:
                depth += body[j].spelling == ")"
                depth -= body[j].spelling == "("
                if depth == 0:
                    break
                j -= 1
            begins = j > 0 and body[j - 1].spelling in ("if", "while", "for")
        if begins and t.spelling not in _KEEP and t.kind != TK.KEYWORD or \
                (begins and t.spelling == "return" and body[k + 1].spelling == ";"):
            j = k
            while j < n and body[j].spelling not in (";", "{", "}"):
                j += 1
            if j < n and body[j].spelling == ";" and j > k:
                add(body[k], body[j - 1], "(void)0", "stmt-del")
        k += 1
    return _finish(out)
