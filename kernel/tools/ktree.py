# SPDX-License-Identifier: MIT
"""ktree.py - read kernel C sources the way the kernel backend's generators
need: comments and literals blanked (line numbers kept), the #if branches a
given configuration selects, #define'd macros, and top-level items (function
definitions, struct/union/enum definitions, typedefs, prototypes) with the
lines they span.

This is not a C parser. It understands what kernel/events/ring_buffer.c,
internal.h, core.c and include/linux/perf_event.h are made of, and says so
(KtreeError) when it meets something it cannot place, rather than guessing.
"""
import re

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
KEYWORDS = set("""
auto break case char const continue default do double else enum extern float
for goto if inline int long register restrict return short signed sizeof
static struct switch typedef union unsigned void volatile while _Bool
__attribute__ __typeof__ typeof asm __asm__ __inline__ __inline
""".split())


class KtreeError(Exception):
    """A source the scanner cannot read: file:line and what."""


def blank_comments(text):
    """Comments, string and character literals replaced by spaces (a string
    keeps its quotes), newlines kept, so offsets and lines stay valid."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and i + 1 < n and text[i + 1] == "*":
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "/" and i + 1 < n and text[i + 1] == "/":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                if text[j] == "\\":
                    j += 1
                if j < n and text[j] == "\n":
                    break
                j += 1
            out.append(c + re.sub(r"[^\n]", " ", text[i + 1:j]) + (c if j < n else ""))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


class Macro:
    def __init__(self, name, params, body, line):
        self.name, self.params, self.body, self.line = name, params, body, line

    def __repr__(self):
        return "Macro(%s, line %d)" % (self.name, self.line)


def _eval_if(expr, defined, where):
    """Value of a #if expression: defined()/IS_ENABLED() from @defined,
    other identifiers their numeric value in @defined or 0."""
    e = re.sub(r"\bdefined\s*\(\s*(\w+)\s*\)", lambda m: "1" if m.group(1) in defined else "0", expr)
    e = re.sub(r"\bdefined\s+(\w+)", lambda m: "1" if m.group(1) in defined else "0", e)
    e = re.sub(r"\b(IS_ENABLED|IS_BUILTIN|IS_REACHABLE)\s*\(\s*(\w+)\s*\)",
               lambda m: "1" if m.group(2) in defined else "0", e)
    e = re.sub(r"\b(0x[0-9a-fA-F]+|\d+)[uUlL]+\b", r"\1", e)

    def ident(m):
        v = defined.get(m.group(0))
        return str(v) if isinstance(v, int) else "0"
    e = IDENT.sub(ident, e)
    e = e.replace("&&", " and ").replace("||", " or ")
    e = re.sub(r"!(?!=)", " not ", e)
    try:
        return bool(eval(e, {"__builtins__": {}}, {}))
    except Exception:
        raise KtreeError("%s: cannot evaluate #if %s" % (where, expr.strip()))


class Source:
    """One file as the compiler would see it under a configuration.

    text     the file with comments blanked and inactive #if branches and
             every directive line blanked (line count unchanged)
    raw      the file as it is
    macros   name -> Macro for the #defines in active branches
    lines    line number (1-based) -> the line number it reports as
             (#line directives), and linefile: the file it reports
    """

    def __init__(self, path, config=None, name=None):
        self.path = path
        self.name = name or path.rsplit("/", 1)[-1]
        with open(path, encoding="utf-8", errors="replace") as f:
            self.raw = f.read()
        self.config = dict(config or {})
        self._preprocess()

    def _preprocess(self):
        lines = blank_comments(self.raw).split("\n")
        defined = dict(self.config)
        out = []
        self.macros = {}
        self.linemap = {}
        self.linefile = {}
        stack = []          # (active_here, taken_any, parent_active)
        active = True
        report, rfile = 1, self.name
        i = 0
        while i < len(lines):
            line = lines[i]
            lineno = i + 1
            self.linemap[lineno] = report
            self.linefile[lineno] = rfile
            report += 1
            s = line.strip()
            if not s.startswith("#"):
                out.append(line if active else "")
                i += 1
                continue
            # a directive, possibly continued over several lines
            full, first = line, i
            while full.endswith("\\") and i + 1 < len(lines):
                i += 1
                full = full[:-1] + " " + lines[i]
                self.linemap[i + 1] = report
                self.linefile[i + 1] = rfile
                report += 1
            for _ in range(first, i + 1):
                out.append("")
            i += 1
            d = re.match(r"\s*#\s*(\w+)?(.*)$", full)
            kw, rest = (d.group(1) or ""), d.group(2)
            where = "%s:%d" % (self.path, first + 1)
            if kw in ("if", "ifdef", "ifndef"):
                if kw == "ifdef":
                    val = rest.split()[0] in defined if rest.split() else False
                elif kw == "ifndef":
                    val = rest.split()[0] not in defined if rest.split() else True
                else:
                    val = _eval_if(rest, defined, where) if active else False
                stack.append([active and val, active and val, active])
                active = active and val
            elif kw == "elif":
                if not stack:
                    raise KtreeError("%s: #elif without #if" % where)
                top = stack[-1]
                val = (not top[1]) and top[2] and _eval_if(rest, defined, where)
                top[0] = val
                top[1] = top[1] or val
                active = val
            elif kw == "else":
                if not stack:
                    raise KtreeError("%s: #else without #if" % where)
                top = stack[-1]
                top[0] = top[2] and not top[1]
                top[1] = True
                active = top[0]
            elif kw == "endif":
                if not stack:
                    raise KtreeError("%s: #endif without #if" % where)
                stack.pop()
                active = stack[-1][0] if stack else True
            elif not active:
                continue
            elif kw == "define":
                m = re.match(r"\s*(\w+)(\(([^)]*)\))?\s?(.*)$", rest)
                if m:
                    params = None
                    if m.group(2) is not None:
                        params = [p.strip() for p in m.group(3).split(",") if p.strip()]
                    self.macros[m.group(1)] = Macro(m.group(1), params, m.group(4),
                                                    self.linemap[first + 1])
                    val = m.group(4).strip()
                    defined[m.group(1)] = int(val) if re.fullmatch(r"\d+", val) else val
            elif kw == "undef":
                name = rest.split()[0] if rest.split() else ""
                defined.pop(name, None)
                self.macros.pop(name, None)
            elif kw == "line":
                m = re.match(r"\s*(\d+)(\s+\"([^\"]*)\")?", self.raw.split("\n")[first])
                if m:
                    report = int(m.group(1))
                    if m.group(3):
                        rfile = m.group(3).rsplit("/", 1)[-1]
        if stack:
            raise KtreeError("%s: unterminated #if" % self.path)
        self.text = "\n".join(out)
        self._line_starts = [0]
        for m in re.finditer("\n", self.text):
            self._line_starts.append(m.end())

    def line_of(self, offset):
        """Physical line (1-based) of a character offset in self.text."""
        lo, hi = 0, len(self._line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    def reported(self, line):
        """(file, line) that __FILE__/__LINE__ say at a physical line."""
        return self.linefile.get(line, self.name), self.linemap.get(line, line)


def match_paren(text, i):
    """Offset just past the bracket closing the one at text[i]."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    stack = []
    n = len(text)
    while i < n:
        c = text[i]
        if c in pairs:
            stack.append(pairs[c])
        elif c in ")]}":
            if not stack or stack.pop() != c:
                raise KtreeError("unbalanced '%s'" % c)
            if not stack:
                return i + 1
        i += 1
    raise KtreeError("unterminated bracket")


class Item:
    """A top-level item: kind is 'function', 'struct', 'union', 'enum',
    'typedef', 'prototype', 'variable' or 'macro-defined' (a top-level
    invocation of a macro whose body is a definition, e.g.
    DEFINE_OUTPUT_COPY(__output_copy, memcpy_common)); body is the offset
    range of a function's { ... }."""

    def __init__(self, kind, name, start, end, body=None):
        self.kind, self.name, self.start, self.end, self.body = kind, name, start, end, body

    def __repr__(self):
        return "Item(%s %s)" % (self.kind, self.name)


def _skip_ws(text, i):
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def items(src):
    """Top-level items of a Source, in order."""
    text = src.text
    defining = {m.name for m in src.macros.values()
                if m.params is not None and "{" in m.body}
    grew = True
    while grew:   # a macro expanding to one that defines, defines too
        more = {m.name for m in src.macros.values() if m.params is not None
                and m.name not in defining and idents(m.body) & defining}
        defining |= more
        grew = bool(more)
    out = []
    i, n = 0, len(text)
    while True:
        i = _skip_ws(text, i)
        if i >= n:
            break
        start = i
        m = IDENT.match(text, i)
        if m and m.group(0) in defining:
            j = _skip_ws(text, m.end())
            if j < n and text[j] == "(":
                end = match_paren(text, j)
                args = text[j + 1:end - 1].split(",")
                out.append(Item("macro-defined", args[0].strip(), start, end))
                i = end
                continue
        # scan to the end of the item: ';' at depth 0, or a function body
        j = i
        last_close = None   # end of the last (...) at depth 0
        paren_open = None
        while j < n:
            c = text[j]
            if c == "(":
                paren_open = j
                j = match_paren(text, j)
                last_close = j
                continue
            if c == "[":
                j = match_paren(text, j)
                continue
            if c == "{":
                head = text[start:j]
                between = text[last_close:j] if last_close else None
                is_func = (last_close is not None and re.fullmatch(
                    r"\s*(__\w+(\s*\(\s*\([^)]*\)\s*\))?\s*)*", between or "") is not None
                    and "=" not in head and not re.search(r"\b(struct|union|enum)\s*\w*\s*$", head))
                end = match_paren(text, j)
                if is_func:
                    name = _name_before(text, paren_open)
                    out.append(Item("function", name, start, end, (j, end)))
                    i = end
                    break
                j = end
                continue
            if c == ";":
                out.append(_classify(text, start, j + 1))
                i = j + 1
                break
            if c in ")]}":
                raise KtreeError("%s:%d: unbalanced '%s'" % (src.path, src.line_of(j), c))
            j += 1
        else:
            break
    return out


def _name_before(text, paren):
    """The identifier just before a '(' (a function's name)."""
    k = paren - 1
    while k >= 0 and text[k].isspace():
        k -= 1
    e = k + 1
    while k >= 0 and (text[k].isalnum() or text[k] == "_"):
        k -= 1
    return text[k + 1:e]


def _classify(text, start, end):
    t = text[start:end]
    flat = " ".join(t.split())
    m = re.match(r"(typedef\b.*)", flat)
    if m:
        fp = re.search(r"\(\s*\*\s*(\w+)\s*\)\s*\(", flat)
        if fp:
            return Item("typedef", fp.group(1), start, end)
        names = IDENT.findall(re.sub(r"\{.*\}", " ", flat))
        return Item("typedef", names[-1] if names else "", start, end)
    m = re.match(r"(struct|union|enum)\s+(\w+)\s*\{", flat)
    if m:
        after = flat[flat.rfind("}") + 1:]
        if not IDENT.search(re.sub(r"__\w+(\s*\(\(.*?\)\))?", "", after)):
            return Item(m.group(1), m.group(1) + " " + m.group(2), start, end)
        return Item("variable", IDENT.findall(after)[-1], start, end)
    m = re.match(r"(struct|union|enum)\s+(\w+)\s*;", flat)
    if m:
        return Item("declaration", m.group(1) + " " + m.group(2), start, end)
    p = t.find("(")
    if p >= 0 and "=" not in t[:p]:
        return Item("prototype", _name_before(text, start + p), start, end)
    names = IDENT.findall(re.sub(r"=.*", "", flat))
    return Item("variable", names[-1] if names else "", start, end)


def idents(text):
    """Identifiers in @text that are not member names (after . or ->)."""
    out = set()
    for m in IDENT.finditer(text):
        k = m.start() - 1
        while k >= 0 and text[k].isspace():
            k -= 1
        if k >= 0 and (text[k] == "." or (text[k] == ">" and k > 0 and text[k - 1] == "-")):
            continue
        out.add(m.group(0))
    return out - KEYWORDS


def struct_refs(text):
    """struct/union tags that @text uses by value (not only via pointers)."""
    out = set()
    for m in re.finditer(r"\b(struct|union|enum)\s+(\w+)", text):
        k = _skip_ws(text, m.end())
        if k < len(text) and text[k] in "*{":
            continue
        if m.group(1) != "enum":
            out.add(m.group(1) + " " + m.group(2))
    return out


def read_config(paths):
    """Macros a set of shim headers defines: CONFIG_* with their values,
    every other #define as defined (for #ifdef tests)."""
    config = {}
    for p in paths:
        with open(p, encoding="utf-8") as f:
            for line in blank_comments(f.read()).split("\n"):
                m = re.match(r"\s*#\s*define\s+(\w+)\s*(\S*)", line)
                if m:
                    v = m.group(2)
                    config[m.group(1)] = int(v) if re.fullmatch(r"\d+", v) else v
    return config
