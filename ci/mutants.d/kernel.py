"""kernel.py - the hand-chosen mutants of a kernel tree's own writer
(ci/mutants --kernel): the kernel counterparts of the port's mutants
(ci/mutants, MUTANTS), plus a few slips only the kernel's text can make,
applied to the build's copy of the tree's kernel/events/ring_buffer.c and
internal.h (WORK/krb/, workspace.py's kernel_copy()), never to the user's
tree and never to a file of this repository: the copies are GPL code and
live in the build folder only.

Each mutant is a list of textual edits, each of which must match its file
exactly once, in every tree CI knows (Debian's 6.1 and 6.12): an edit
that no longer matches a tree is named before anything is built. An edit
keeps every shared access of the fast path in the text, or says which
line of the site rules changes with it (the build's copy of
kernel/tools/site_rules.txt): kernel/tools/gen_sites.py stops a build
whose accesses and rules disagree, as it would stop a kernel patch that
adds one without its rule. Edits stay on their lines where they can.
"""
import os
import re

# name: (file, description, [(old, new), ...] applied in order to the file,
#        [(rule, new rule or ""), ...] applied to site_rules.txt)
# A rule is matched by its columns, blanks collapsed.
KERNEL_MUTANTS = {
    "no-again-loop": (
        "ring_buffer.c", "perf_output_put_handle never re-publishes after a late nested write",
        [("if (unlikely(head != local_read(&rb->head))) {",
          "if (unlikely(head != local_read(&rb->head) && 0)) {")], []),
    "clear-nest-before-publish": (
        "ring_buffer.c", "nest cleared before data_head is stored (Yabin Cui's bug)",
        [("\tWRITE_ONCE(rb->user_page->data_head, head);", "@@publish@@"),
         ("\tWRITE_ONCE(rb->nest, 0);", "\tWRITE_ONCE(rb->user_page->data_head, head);"),
         ("@@publish@@", "\tWRITE_ONCE(rb->nest, 0);")], []),
    "inner-writer-publishes": (
        "ring_buffer.c", "inner writers publish data_head too",
        [("\tif (nest > 1) {", "\tif (nest > 1 && 0) {")], []),
    "space-off-by-one": (
        "ring_buffer.c", "the space rule allows one byte more than CIRC_SPACE",
        [("return CIRC_SPACE(head, tail, data_size) >= size;",
          "return CIRC_SPACE(head, tail, data_size) + 1 >= size;"),
         ("return CIRC_SPACE(tail, head, data_size) >= size;",
          "return CIRC_SPACE(tail, head, data_size) + 1 >= size;")], []),
    "lost-not-reset": (
        "ring_buffer.c", "the LOST record reads the drop count without taking it",
        [("= local_xchg(&rb->lost, 0);", "= local_read(&rb->lost);")],
        [("__perf_output_begin | local_xchg(&rb->lost, 0) | 1 | LOST_XCHG",
          "__perf_output_begin | local_read(&rb->lost) | 2 | LOST_XCHG")]),
    "no-lost-room": (
        "ring_buffer.c", "no room reserved for the LOST record in front",
        [("\t\tsize += sizeof(lost_event);", "\t\tsize += 0;")], []),
    "no-page-advance": (
        "internal.h", "a copy does not move on to the next page",
        [("handle->page++;", "(void)0;")], []),
    "paused-not-counted": (
        "ring_buffer.c", "paused drops are not counted",
        [("if (rb->nr_pages) {\n\t\t\tlocal_inc(&rb->lost);",
          "if (rb->nr_pages) {\n\t\t\tif (0) local_inc(&rb->lost);")], []),
    "watermark-not-strict": (
        "ring_buffer.c", "the watermark step fires at equality",
        [("head - local_read(&rb->wakeup) > rb->watermark)",
          "head - local_read(&rb->wakeup) >= rb->watermark)")], []),
    "backward-no-fixup": (
        "ring_buffer.c", "backward reservations write at the old head",
        [("\tif (backward) {\n\t\toffset = head;\n", "\tif (backward) {\n\t\t(void)0;\n")], []),
    # The port's ring-memory mutants (layout.c): the tree's rb_free() gives
    # back what its rb_alloc() took (the backend frees every ring when the
    # replay ends: LeakSanitizer, and the backend's count of the pages).
    "rb-free-leaks-rb": (
        "ring_buffer.c", "rb_free forgets the perf_buffer (LSan at replay exit)",
        [("\t\tperf_mmap_free_page(rb->data_pages[i]);\n\tkfree(rb);\n}",
          "\t\tperf_mmap_free_page(rb->data_pages[i]);\n}")], []),
    "rb-free-keeps-user-page": (
        "ring_buffer.c", "rb_free keeps the control page (the backend counts the pages back)",
        [("\tperf_mmap_free_page(rb->user_page);\n\tfor (i = 0; i < rb->nr_pages; i++)",
          "\tfor (i = 0; i < rb->nr_pages; i++)")], []),
    # Only the kernel's text: B is two accesses, the wake-up a call, the
    # per-event drop count (6.0) a second counter.
    "no-wmb-before-head": (
        "ring_buffer.c", "no smp_wmb() between the record's stores and data_head (B gone)",
        [("\tsmp_wmb();", "\t(void)0;")],
        [("perf_output_put_handle | smp_wmb() | 1 | B_WMB", "")]),
    "wakeup-not-signalled": (
        "ring_buffer.c", "the outermost writer never wakes the reader",
        [("if (handle->wakeup != local_read(&rb->wakeup))",
          "if (handle->wakeup != local_read(&rb->wakeup) && 0)")], []),
    "wakeup-not-pending": (
        "ring_buffer.c", "the wake-up is queued without marking it pending (perf_pending_irq sends none)",
        [("handle->event->pending_wakeup = 1;", "handle->event->pending_wakeup = 0;")], []),
    "drop-returns-positive": (
        "ring_buffer.c", "a dropped write returns ENOSPC, not -ENOSPC (bpf_perf_event_output() hands it on)",
        [("\trcu_read_unlock();\n\n\treturn -ENOSPC;", "\trcu_read_unlock();\n\n\treturn ENOSPC;")],
        []),
    "detached-event-written": (
        "ring_buffer.c", "an event without a buffer is not refused (the backend tries one per ring)",
        [("\tif (unlikely(!rb))\n\t\tgoto out;", "\tif (0)\n\t\tgoto out;")], []),
    "resume-stays-paused": (
        "internal.h", "rb_toggle_paused leaves the ring paused on resume (the world checks the state asked for)",
        [("\t\trb->paused = 0;\n\telse\n\t\trb->paused = 1;",
          "\t\trb->paused = 1;\n\telse\n\t\trb->paused = 1;")], []),
    "source-lost-not-counted": (
        "ring_buffer.c", "a drop for lack of space is not counted in the event's lost_samples",
        [("fail:\n\tlocal_inc(&rb->lost);\n\tatomic64_inc(&event->lost_samples);",
          "fail:\n\tlocal_inc(&rb->lost);\n\tif (0) atomic64_inc(&event->lost_samples);")], []),
}

RULES = os.path.join("kernel", "tools", "site_rules.txt")


def _norm_rule(line):
    return " | ".join(" ".join(c.split()) for c in line.split("#", 1)[0].split("|")).strip()


def edit_text(text, edits):
    """@text with @edits applied in order; or (None, the first edit that
    does not match exactly once, its count)."""
    for old, new in edits:
        n = text.count(old)
        if n != 1:
            return None, (old, n)
        text = text.replace(old, new, 1)
    return text, None


def edit_rules(text, edits):
    """site_rules.txt @text with the rule @edits; or (None, the rule not found)."""
    lines = text.split("\n")
    for old, new in edits:
        hit = [i for i, l in enumerate(lines) if _norm_rule(l) == _norm_rule(old)]
        if len(hit) != 1:
            return None, (old, len(hit))
        lines[hit[0]] = new
    return "\n".join(lines), None


def stale(name, texts, rules_text=None):
    """Why mutant @name does not apply to a tree whose files are @texts
    ({"ring_buffer.c": ..., "internal.h": ...}), or None when it does."""
    fname, _, edits, redits = KERNEL_MUTANTS[name]
    _, bad = edit_text(texts[fname], edits)
    if bad:
        return f"{fname} has {bad[1]} of {' '.join(bad[0].split())!r}, not one"
    if rules_text is not None:
        _, bad = edit_rules(rules_text, redits)
        if bad:
            return f"{RULES} has {bad[1]} of rule {bad[0]!r}, not one"
    return None


def tree_texts(events_dir):
    """{"ring_buffer.c": ..., "internal.h": ...} of a tree's kernel/events."""
    out = {}
    for f in ("ring_buffer.c", "internal.h"):
        with open(os.path.join(events_dir, f)) as fh:
            out[f] = fh.read()
    return out


def tree_version(tree):
    """"6.1.192" from a tree's Makefile ("" when it has none)."""
    try:
        with open(os.path.join(tree, "Makefile")) as f:
            head = f.read(2000)
    except OSError:
        return ""
    v = {k: re.search(r"^%s\s*=\s*(\S*)" % k, head, re.M)
         for k in ("VERSION", "PATCHLEVEL", "SUBLEVEL")}
    return ".".join(m.group(1) for m in v.values() if m and m.group(1))


class Applied:
    """One kernel mutant applied to the workspace (its build copy of the
    tree's files and its copy of site_rules.txt); undo() puts them back."""

    def __init__(self, ws, name):
        fname, _, edits, redits = KERNEL_MUTANTS[name]
        self.saved = {}
        path = os.path.join(ws.krb, fname)
        rules = ws.source(RULES)
        with open(path) as f:
            text, bad = edit_text(f.read(), edits)
        if bad:
            raise SystemExit(f"ci/mutants: {name}: {path} no longer has "
                             f"{' '.join(bad[0].split())!r} once")
        self._write(path, text)
        if redits:
            with open(rules) as f:
                rtext, bad = edit_rules(f.read(), redits)
            if bad:
                raise SystemExit(f"ci/mutants: {name}: {RULES} has no rule {bad[0]!r}")
            self._write(rules, rtext)

    def _write(self, path, text):
        with open(path) as f:
            self.saved[path] = f.read()
        with open(path, "w") as f:
            f.write(text)

    def undo(self):
        for path, text in self.saved.items():
            with open(path, "w") as f:
                f.write(text)
        self.saved = {}
