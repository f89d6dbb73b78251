#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check_citations.py - every citation in the tree leads somewhere.

Checks, in every text file of the tree (git's list of files when the root
is a checkout, else every file outside .git and build*):

  - a path to a Markdown file (`docs/ring.md`, `../findings/x/REPORT.md`,
    `MEMORY.md`), resolved against the citing file's folder, then the root:
    the file must exist, and an `#anchor` after it must be one of its
    headings as GitHub renders them (a Markdown link `(#anchor)` is checked
    against the citing file's own headings);
  - "SPEC x.y" citations: that document is not in the tree (the ring's
    semantics are docs/ring.md);
  - issue numbers ("issue 5", "issue #5"): they mean nothing to a reader of
    the tree.

    check_citations.py [--root DIR]   check the tree; exit 1 on any failure
    check_citations.py --self-test    plant bad citations in a copy of docs/
                                      and require the checker to catch
                                      exactly those; exit 1 if it does not

Each failure is one line, `file:line: what: the citation`.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

# Markdown file names that are not citations: files the campaign writes.
NOT_CITATIONS = {"report.md", "OUT/report.md"}

SELF = "docs/check_citations.py"

MD_PATH = re.compile(
    r"(?<![\w./<>*$%{-])((?:\.{1,2}/)*(?:[\w.-]+/)*[\w-][\w.-]*\.md)(?![\w/])"
    r"(#[\w-]*)?")
LOCAL_ANCHOR = re.compile(r"\]\((#[^)\s]*)\)")
SPEC = re.compile(r"\bSPEC(?:\.md)?\s*§?\s*\d+(?:\.\d+)*")
ISSUE = re.compile(r"\bissues?\s+#?\d+", re.IGNORECASE)
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
HTML_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"", re.IGNORECASE)
FENCE = re.compile(r"^ {0,3}(```|~~~)")


def slug(text):
    """The anchor GitHub gives a heading (before de-duplication)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links: their text
    text = re.sub(r"<[^>]+>", "", text)                   # inline HTML
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)                  # punctuation, `, *
    return text.replace(" ", "-")


def anchors(path, cache={}):
    """Every anchor of a Markdown file: headings (GitHub's de-duplication:
    the second 'x' is 'x-1') and explicit <a id/name>."""
    if path in cache:
        return cache[path]
    seen, out, fenced = {}, set(), False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if FENCE.match(line):
                fenced = not fenced
                continue
            if fenced:
                continue
            out.update(HTML_ANCHOR.findall(line))
            m = HEADING.match(line)
            if not m:
                continue
            s = slug(m.group(2))
            n = seen.get(s, 0)
            seen[s] = n + 1
            out.add(s if n == 0 else "%s-%d" % (s, n))
    cache[path] = out
    return out


def tree_files(root):
    """Repository-relative paths of the files to check."""
    try:
        p = subprocess.run(["git", "-C", root, "ls-files", "-co", "--exclude-standard"],
                           capture_output=True, text=True, check=True)
        files = p.stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        files = []
        for d, dirs, names in os.walk(root):
            rel = os.path.relpath(d, root)
            dirs[:] = [x for x in dirs if x != ".git" and not
                       (rel == "." and x.startswith("build"))]
            files += [os.path.normpath(os.path.join(rel, n)) for n in names]
    return sorted(f for f in files if f and os.path.isfile(os.path.join(root, f)))


def read_text(path):
    """The file's lines, or None for a binary file (a seed, an image)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (UnicodeDecodeError, OSError):
        return None
    return None if "\0" in text else text.split("\n")


def resolve(root, rel, target):
    """The repository-relative file @target names from file @rel, or None."""
    for base in (os.path.dirname(rel), ""):
        cand = os.path.normpath(os.path.join(base, target))
        if not cand.startswith("..") and os.path.isfile(os.path.join(root, cand)):
            return cand
    return None


def check_line(root, rel, no, line, fail):
    """Check one line; return the number of citations it holds."""
    n = 0
    where = "%s:%d" % (rel, no)
    for m in MD_PATH.finditer(line):
        n += 1
        target, anchor = m.group(1), m.group(2)
        if target in NOT_CITATIONS:
            continue
        found = resolve(root, rel, target)
        if not found:
            norm = os.path.normpath(os.path.join(os.path.dirname(rel), target))
            fail.append("%s: no such file: %s" % (where, m.group(0)))
            continue
        if anchor and anchor[1:] not in anchors(os.path.join(root, found)):
            fail.append("%s: no heading %s in %s: %s" % (where, anchor, found, m.group(0)))
    if rel.endswith(".md"):
        for m in LOCAL_ANCHOR.finditer(line):
            n += 1
            if m.group(1)[1:] not in anchors(os.path.join(root, rel)):
                fail.append("%s: no heading %s in this file" % (where, m.group(1)))
    for m in SPEC.finditer(line):
        n += 1
        fail.append("%s: cites a document not in the tree (use docs/ring.md#...): %s"
                    % (where, m.group(0)))
    for m in ISSUE.finditer(line):
        n += 1
        fail.append("%s: an issue number means nothing in the tree (cite docs/ or "
                    "say it): %s" % (where, m.group(0)))
    return n


def check(root, out=sys.stdout, only=None):
    """Check the tree at @root (only the files in @only, if given). Return
    the list of failures."""
    fail = []
    cited = files = 0
    for rel in tree_files(root):
        if rel == SELF or (only is not None and rel not in only):
            continue
        lines = read_text(os.path.join(root, rel))
        if lines is None:
            continue
        files += 1
        for no, line in enumerate(lines, 1):
            cited += check_line(root, rel, no, line, fail)
    for f in fail:
        print(f, file=out)
    print("docs.citations: %d citations in %d files, %d broken"
          % (cited, files, len(fail)), file=out)
    return fail


# The planted faults of --self-test: (file, text, expected failure or None).
PLANTED = [
    ("core/good.c", "/* see docs/ring.md#24-end-publishing-the-head */", None),
    ("core/good.c", "/* docs/memory.md and docs/FINDINGS.md#lost-wakeup */", None),
    ("core/bad_anchor.c", "/* docs/ring.md#24-end-publishing-the-heads */",
     "no heading #24-end-publishing-the-heads"),
    ("core/bad_file.c", "/* docs/rings.md#11-the-mapping */", "no such file: docs/rings.md"),
    ("core/moved.c", "/* fuzz/MEMORY.md */", "no such file: fuzz/MEMORY.md"),
    ("core/spec.c", "/* (SP" "EC 2.3 step 6) */", "cites a document not in the tree"),
    ("core/issue.c", 'puts("see iss' 'ue #7");', "an issue number"),
    ("docs/extra.md", "# Top\n\nSee [below](#top) and [x](#nowhere) and "
     "[r](ring.md#61-monotonic-head).", "no heading #nowhere in this file"),
    ("findings/lost-wakeup/REPORT.md", "# A report", None),
    ("core/report.c", "/* findings/lost-wakeup/REPORT.md */", None),
    ("core/no_report.c", "/* findings/lost_wakeup/REPORT.md */",
     "no such file: findings/lost_wakeup/REPORT.md"),
]

# GitHub's anchors for headings of the kinds this tree uses.
SLUGS = [
    ("2.4 End: publishing the head", "24-end-publishing-the-head"),
    ("Benchmark (`--bench`; not a timed test)", "benchmark---bench-not-a-timed-test"),
    ("6.10 memory-safety", "610-memory-safety"),
    ("The text form: uprb-script", "the-text-form-uprb-script"),
    ("Errors: every obstacle, one line, cause and fix (exit 77)",
     "errors-every-obstacle-one-line-cause-and-fix-exit-77"),
]


def self_test(src_root):
    """Plant PLANTED beside a copy of docs/, check only the planted files,
    and require exactly the planted failures."""
    bad = []
    for text, want in SLUGS:
        if slug(text) != want:
            bad.append("slug(%r) is %r, GitHub's is %r" % (text, slug(text), want))
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(os.path.join(src_root, "docs"), os.path.join(tmp, "docs"))
        for rel, text, _ in PLANTED:
            os.makedirs(os.path.join(tmp, os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(tmp, rel), "a", encoding="utf-8") as f:
                f.write(text + "\n")
        with open(os.devnull, "w") as null:
            got = check(tmp, out=null, only={rel for rel, _, _ in PLANTED})
    for rel, _, want in PLANTED:
        mine = [g for g in got if g.startswith(rel + ":")]
        if want is None and mine:
            bad.append("a good citation was failed: %s" % mine[0])
        if want is not None and not any(want in g for g in mine):
            bad.append("planted in %s, not caught (want %r)" % (rel, want))
    planted = {rel for rel, _, _ in PLANTED}
    stray = [g for g in got if g.split(":")[0] not in planted]
    bad += ["a failure nobody planted: %s" % g for g in stray]
    for b in bad:
        print("self-test: %s" % b)
    print("docs.citations self-test: %d planted, %s" %
          (len(PLANTED), "all as expected" if not bad else "%d wrong" % len(bad)))
    return not bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(os.path.dirname(__file__), ".."),
                    help="the tree to check (default: this file's repository)")
    ap.add_argument("--self-test", action="store_true",
                    help="check the checker on planted bad citations")
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    if not os.path.isdir(os.path.join(root, "docs")):
        print("check_citations.py: %s has no docs/ folder: not this repository's root" % root)
        return 2
    if a.self_test:
        return 0 if self_test(root) else 1
    return 1 if check(root) else 0


if __name__ == "__main__":
    sys.exit(main())
