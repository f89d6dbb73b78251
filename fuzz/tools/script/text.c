/* SPDX-License-Identifier: MIT */
/*
 * text.c - what the encoders of uprb-script share: lines of words, the
 * tree of operations and interrupts, numbers and labels, the output bytes,
 * and failing a call with "FILE:LINE: message" (script.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"

struct sc_state sc;

void sc_die(const struct sc_line *ln, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ln)
		n = snprintf(sc.err, sizeof(sc.err), "%s:%u: ", sc.file, ln->no);
	else
		n = snprintf(sc.err, sizeof(sc.err), "%s: ", sc.file);
	if (n < 0 || (size_t)n >= sizeof(sc.err))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(sc.err + n, sizeof(sc.err) - (size_t)n, fmt, ap);
	va_end(ap);
	longjmp(sc.fail, 1);
}

void *sc_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		sc_die(NULL, "out of memory");
	return q;
}

void sc_put(const void *p, size_t n)
{
	if (sc.len + n > sc.cap) {
		size_t cap = (sc.len + n) * 2 + 64;

		sc.out = sc_realloc(sc.out, cap);
		sc.cap = cap;
	}
	memcpy(sc.out + sc.len, p, n);
	sc.len += n;
}

void sc_put8(unsigned v)
{
	uint8_t b = (uint8_t)v;

	sc_put(&b, 1);
}

void sc_put16(unsigned v)
{
	sc_put8(v & 0xff);
	sc_put8((v >> 8) & 0xff);
}

void sc_put32(uint32_t v)
{
	sc_put16(v & 0xffff);
	sc_put16(v >> 16);
}

void sc_put64(uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		sc_put8((unsigned)(v >> (8 * i)) & 0xff);
}

uint64_t sc_num(const struct sc_line *ln, const char *s, uint64_t max,
		const char *what)
{
	uint64_t v = 0;
	unsigned base = 10, d;
	const char *p = s;

	if (!p)
		sc_die(ln, "%s: number missing", what);
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!*p)
		sc_die(ln, "%s: '%s' is not a number", what, s);
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			sc_die(ln, "%s: '%s' is not a number", what, s);
		if (v > (UINT64_MAX - d) / base)
			sc_die(ln, "%s: '%s' is out of range", what, s);
		v = v * base + d;
	}
	if (v > max)
		sc_die(ln, "%s: %s is above %llu", what, s, (unsigned long long)max);
	return v;
}

const char *sc_tok(const struct sc_line *ln, int i)
{
	return i >= 0 && i < ln->ntok ? ln->tok[i] : NULL;
}

bool sc_is(const struct sc_line *ln, int i, const char *word)
{
	return i >= 0 && i < ln->ntok && !strcmp(ln->tok[i], word);
}

uint64_t sc_keyed(const struct sc_line *ln, int i, const char *key,
		  uint64_t max)
{
	if (!sc_is(ln, i, key))
		sc_die(ln, "expected '%s', found '%s'", key,
		       sc_tok(ln, i) ? sc_tok(ln, i) : "end of line");
	return sc_num(ln, sc_tok(ln, i + 1), max, key);
}

void sc_eol(const struct sc_line *ln, int i)
{
	if (i < ln->ntok)
		sc_die(ln, "unexpected '%s'", ln->tok[i]);
}

int sc_lookup(const char *const *names, unsigned n, const char *s)
{
	for (unsigned i = 0; s && i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -1;
}

unsigned sc_choose(const struct sc_line *ln, const char *const *names,
		   unsigned n, const char *word, const char *what)
{
	char list[256] = "";
	int k = sc_lookup(names, n, word);

	if (k >= 0)
		return (unsigned)k;
	for (unsigned i = 0; i < n; i++) {
		size_t used = strlen(list);

		snprintf(list + used, sizeof(list) - used, "%s%s",
			 i ? (i + 1 == n ? " or " : ", ") : "", names[i]);
	}
	sc_die(ln, "%s: %s, not '%s'", what, list, word ? word : "end of line");
}

void sc_once(const struct sc_line *ln, unsigned *seen, unsigned bit,
	     const char *word)
{
	if (*seen & (1u << bit))
		sc_die(ln, "'%s' given twice", word);
	*seen |= 1u << bit;
}

unsigned sc_log2(uint64_t v)
{
	return (unsigned)__builtin_ctzll(v);
}

unsigned sc_first(const uint8_t *table, unsigned n, unsigned kind)
{
	for (unsigned i = 0; i < n; i++)
		if (table[i] == kind)
			return i;
	return 0;
}

void sc_split(void)
{
	char *p = sc.text, *next;
	unsigned no = 0;

	for (; p && *p; p = next) {
		struct sc_line ln = { .no = ++no };
		char *c, *save = NULL;

		next = strchr(p, '\n');
		if (next)
			*next++ = 0;
		c = strchr(p, '#');
		/* '#' starts a comment unless it is part of "site#n:". */
		while (c && c > p && c[-1] != ' ' && c[-1] != '\t')
			c = strchr(c + 1, '#');
		if (c)
			*c = 0;
		for (; *p == ' ' || *p == '\t'; p++) {
			if (*p == '\t')
				sc_die(&ln, "indent with spaces, not tabs");
			ln.indent++;
		}
		for (char *s = strtok_r(p, " \t\r", &save); s;
		     s = strtok_r(NULL, " \t\r", &save)) {
			if (ln.ntok == SC_MAX_TOK)
				sc_die(&ln, "more than %u words", SC_MAX_TOK);
			ln.tok[ln.ntok++] = s;
		}
		if (!ln.ntok)
			continue;
		if (sc.nlines == sc.lines_cap) {
			/* Doubling: one realloc per line copied every line
			 * before it (found by fuzz_script: 50 MB moved per
			 * 4 KiB script). */
			sc.lines_cap = sc.lines_cap ? 2 * sc.lines_cap : 16;
			sc.lines = sc_realloc(sc.lines,
					      sc.lines_cap * sizeof(*sc.lines));
		}
		sc.lines[sc.nlines++] = ln;
	}
}

void sc_flip(const struct sc_line *ln, int t)
{
	unsigned m;

	sc_put16((unsigned)sc_num(ln, sc_tok(ln, t), 0xffff, "flip"));
	m = (unsigned)sc_keyed(ln, t + 1, "mask", 0xff);
	if (!m)
		sc_die(ln, "mask 0 flips nothing");
	sc_put8(m);
	sc_eol(ln, t + 3);
}

unsigned sc_to(const struct sc_line *ln, int *t, const char *const *names,
	       unsigned n, const char *what)
{
	unsigned to;

	if (!sc_is(ln, *t, "to"))
		sc_die(ln, "%s: expected 'to', found '%s'", what,
		       sc_tok(ln, *t) ? sc_tok(ln, *t) : "end of line");
	to = sc_choose(ln, names, n, sc_tok(ln, *t + 1), what);
	*t += 2;
	return to;
}

void sc_window_acts(const struct sc_node *n, const char *site,
		    void (*act)(const struct sc_node *q, bool inner))
{
	for (int i = 0; i < n->nchild; i++) {
		const struct sc_node *q = &sc.nodes[n->child[i]];

		if (strcmp(q->site, site))
			sc_die(q->ln, "a read's actions are 'at %s#N:', not 'at %s#'",
			       site, q->site);
		if (q->nth < 1 || q->nth > 64)
			sc_die(q->ln, "%s#%u: 1 to 64", site, q->nth);
		sc_put8(q->nth - 1);
		act(q, true);
	}
}

static bool is_step(const char *s)
{
	size_t n = strlen(s);

	return n > 1 && s[n - 1] == ':' && strspn(s, "0123456789") == n - 1;
}

/* "at SITE#N:" on @ln into @n->site and @n->nth; the action follows. */
static void interrupt(struct sc_node *n, struct sc_line *ln)
{
	const char *w = sc_tok(ln, 1);
	const char *hash = w ? strchr(w, '#') : NULL;
	size_t k = w ? strlen(w) : 0;

	if (!hash || hash == w || k < 3 || w[k - 1] != ':')
		sc_die(ln, "expected 'at SITE#N: ACTION', found 'at %s'",
		       w ? w : "");
	n->site = sc_realloc(NULL, (size_t)(hash - w) + 1);
	memcpy(n->site, w, (size_t)(hash - w));
	n->site[hash - w] = 0;
	/* The number between '#' and ':'. */
	w = ln->tok[1] = (char *)hash + 1;
	ln->tok[1][strlen(w) - 1] = 0;
	n->nth = (unsigned)sc_num(ln, w, 1000, "occurrence");
	n->t = 2;
	if (n->t >= ln->ntok)
		sc_die(ln, "an interrupt without an action");
}

/*
 * Lines from @from on into a tree: unindented lines are operations (an
 * optional "N:" step number is ignored), "at SITE#N: ..." lines are
 * interrupts of the operation or interrupt above them with less
 * indentation.
 */
void sc_tree(unsigned from, unsigned max_children)
{
	/*
	 * As deep as the lines go: a decoder nests interrupts as deep as its
	 * input says (a fixed 64 refused what fuzz_multi_cpu printed: found
	 * by fuzz_script). Kept between calls, so sc_die() leaks nothing.
	 */
	static struct { unsigned indent; int node; } *stack;
	static unsigned stack_cap;
	unsigned depth = 0;

	if (stack_cap < sc.nlines + 1) {
		stack = sc_realloc(stack, (sc.nlines + 1) * sizeof(*stack));
		stack_cap = sc.nlines + 1;
	}
	sc.nodes = sc_realloc(sc.nodes, (sc.nlines + 1) * sizeof(*sc.nodes));
	sc.tops = sc_realloc(sc.tops, (sc.nlines + 1) * sizeof(*sc.tops));
	for (unsigned i = from; i < sc.nlines; i++) {
		struct sc_line *ln = &sc.lines[i];
		struct sc_node *n = &sc.nodes[sc.nnodes];
		int id = (int)sc.nnodes++;

		memset(n, 0, sizeof(*n));
		n->ln = ln;
		if (sc_is(ln, 0, "at")) {
			struct sc_node *parent;

			interrupt(n, ln);
			while (depth && stack[depth - 1].indent >= ln->indent)
				depth--;
			if (!ln->indent || !depth)
				sc_die(ln, "an interrupt must be indented under its operation");
			parent = &sc.nodes[stack[depth - 1].node];
			if (parent->nchild == (int)max_children)
				sc_die(ln, "at most %u interrupts under one operation",
				       max_children);
			parent->child[parent->nchild++] = id;
		} else {
			if (ln->indent)
				sc_die(ln, "only interrupts ('at ...') are indented");
			n->t = is_step(ln->tok[0]) ? 1 : 0;
			if (n->t >= ln->ntok)
				sc_die(ln, "step number without an operation");
			depth = 0;
			sc.tops[sc.ntops++] = id;
		}
		stack[depth].indent = ln->indent;
		stack[depth++].node = id;
	}
}
