/* SPDX-License-Identifier: MIT */
/*
 * encode_readers.c - text to bytes for fuzz_readers (layout:
 * fuzz/sim/rdinput.h; text: fuzz/README.md). Kinds are encoded as their
 * first index in the decoder's own tables (rdi_ops, rdi_inner,
 * rdi_corrupts), names as their index in its name tables, so the two
 * cannot drift apart. A value is written in the shortest code the decoder
 * reads back as that value, so the seeds compile to the bytes the earlier
 * binary seeds held.
 */
#include <stdio.h>
#include <string.h>

#include "rdinput.h"
#include "script.h"

_Static_assert(SC_MAX_CHILD >= RDI_MAX_INNER, "actions under a read");

/* The largest record the decoder's size code gives: 16 + 8 * 8188. */
#define RD_SIZE_MAX 65520u
/* Records per write: 1 + b % 8. */
#define RD_COUNT_MAX 8u

/* "write size Z [xN]": N records of Z bytes. */
static void rd_write(const struct sc_line *ln, int t)
{
	unsigned size = (unsigned)sc_keyed(ln, t, "size", RD_SIZE_MAX);
	unsigned count = 1;
	const char *x = sc_tok(ln, t + 2);

	if (size < 16 || size % 8)
		sc_die(ln, "size %u: a multiple of 8 from 16 to %u", size,
		       RD_SIZE_MAX);
	t += 2;
	if (x) {
		if (x[0] != 'x')
			sc_die(ln, "write size Z xN: N records (1 to %u), not '%s'",
			       RD_COUNT_MAX, x);
		count = (unsigned)sc_num(ln, x + 1, RD_COUNT_MAX, "records (xN)");
		if (!count)
			sc_die(ln, "x0: 1 to %u records", RD_COUNT_MAX);
		t++;
	}
	if ((size - 16) / 8 < 0xf0) {
		sc_put8((size - 16) / 8);
	} else {
		sc_put8(0xf0);
		sc_put16((size - 16) / 8);
	}
	sc_put8(count - 1);
	sc_eol(ln, t);
}

/* "corrupt flip POS mask M", "corrupt zero|straddle rec R",
 * "corrupt size rec R to WHAT [V]", "corrupt type rec R to V",
 * "corrupt raw rec R to WHAT [V]" */
static void rd_corrupt(const struct sc_line *ln, int t)
{
	unsigned how = sc_choose(ln, rdi_corrupt_names, RDI_CORRUPT_COUNT,
				 sc_tok(ln, t), "corrupt");
	unsigned to;

	sc_put8(sc_first(rdi_corrupts, 8, how));
	t++;
	if (how == RDI_FLIP) {
		sc_flip(ln, t);
		return;
	}
	sc_put8((unsigned)sc_keyed(ln, t, "rec", 255));
	t += 2;
	switch (how) {
	case RDI_SIZE:
		to = sc_to(ln, &t, rdi_size_names, RDI_TO_COUNT, "corrupt size");
		sc_put8(to);
		if (to == RDI_TO_VALUE)
			sc_put16((unsigned)sc_num(ln, sc_tok(ln, t++), 0xffff, "value"));
		break;
	case RDI_TYPE:
		if (!sc_is(ln, t, "to"))
			sc_die(ln, "corrupt type: expected 'to', found '%s'",
			       sc_tok(ln, t) ? sc_tok(ln, t) : "end of line");
		sc_put32((uint32_t)sc_num(ln, sc_tok(ln, t + 1), UINT32_MAX, "type"));
		t += 2;
		break;
	case RDI_RAW:
		to = sc_to(ln, &t, rdi_raw_names, RDI_RAW_COUNT, "corrupt raw");
		sc_put8(to);
		if (to == RDI_RAW_VALUE)
			sc_put32((uint32_t)sc_num(ln, sc_tok(ln, t++), UINT32_MAX,
						  "value"));
		break;
	default:
		break;
	}
	sc_eol(ln, t);
}

/*
 * "head set V|ahead D|behind D|unaligned N|lap",
 * "tail ahead D|behind|unaligned N|set V": the how byte and the argument
 * the decoder's @args table gives it (enum rdi_arg).
 */
static void rd_move(const struct sc_line *ln, int t, const char *word,
		    const char *const *names, const uint8_t *args, unsigned n)
{
	unsigned how = sc_choose(ln, names, n, sc_tok(ln, t), word);
	const char *s = sc_tok(ln, t + 1);
	char what[32];
	uint64_t v;

	snprintf(what, sizeof(what), "%s %s", word, names[how]);
	sc_put8(how);
	switch (args[how]) {
	case RDI_ARG_U64:
		sc_put64(sc_num(ln, s, UINT64_MAX, what));
		break;
	case RDI_ARG_DISTANCE:
		v = sc_num(ln, s, 4096, what);
		if (v < 8 || v % 8)
			sc_die(ln, "%s %u: a multiple of 8 from 8 to 4096", what,
			       (unsigned)v);
		sc_put16((unsigned)v / 8 - 1);
		break;
	case RDI_ARG_UNALIGNED:
		v = sc_num(ln, s, 7, what);
		if (!v)
			sc_die(ln, "%s 0: 1 to 7 bytes", what);
		sc_put8((unsigned)v - 1);
		break;
	default:
		sc_eol(ln, t + 1);
		return;
	}
	sc_eol(ln, t + 2);
}

static void rd_act(const struct sc_node *n, bool inner);

/* "read all|max N" and the "at item#N: ACTION" lines under it. */
static void rd_read(const struct sc_node *n, int t)
{
	const struct sc_line *ln = n->ln;
	unsigned max = 0;

	if (sc_is(ln, t, "all")) {
		t++;
	} else if (sc_is(ln, t, "max")) {
		max = (unsigned)sc_keyed(ln, t, "max", 63);
		if (!max)
			sc_die(ln, "max 0 is 'read all'");
		t += 2;
	} else {
		sc_die(ln, "read: all or max N, not '%s'",
		       sc_tok(ln, t) ? sc_tok(ln, t) : "end of line");
	}
	sc_eol(ln, t);
	sc_put8(max | (unsigned)n->nchild << 6);
	sc_window_acts(n, "item", rd_act);
}

/* An operation (@inner false) or an action inside a read window. */
static void rd_act(const struct sc_node *n, bool inner)
{
	const struct sc_line *ln = n->ln;
	int t = n->t + 1;
	/* nop is no kind of the text: no byte decodes to it. */
	unsigned k = 1 + sc_choose(ln, rdi_kind_names + 1, RDI_KIND_COUNT - 1,
				   sc_tok(ln, n->t), "operation");

	if (inner && (k == RDI_READ || k == RDI_TAIL))
		sc_die(ln, "'%s' cannot run inside a read window (write, corrupt "
		       "and head can)", sc_tok(ln, n->t));
	if (n->nchild && k != RDI_READ)
		sc_die(sc.nodes[n->child[0]].ln, "only a read has actions under it");
	sc_put8(inner ? sc_first(rdi_inner, 4, k) : sc_first(rdi_ops, 8, k));
	switch (k) {
	case RDI_WRITE:
		rd_write(ln, t);
		break;
	case RDI_READ:
		rd_read(n, t);
		break;
	case RDI_CORRUPT:
		rd_corrupt(ln, t);
		break;
	case RDI_HEAD:
		rd_move(ln, t, "head", rdi_head_names, rdi_head_args,
			RDI_HEAD_COUNT);
		break;
	default:
		rd_move(ln, t, "tail", rdi_tail_names, rdi_tail_args,
			RDI_TAIL_COUNT);
		break;
	}
}

/* "ring [pages N] [forward [non-overwrite]|backward [overwrite]]": the
 * ring byte (pages 1 << (b & 3), bit 2 backward overwrite). */
static void rd_ring(const struct sc_line *ln)
{
	static const char *const dirs[] = { "forward", "backward" };
	static const char *const ows[] = { "non-overwrite", "overwrite" };
	unsigned seen = 0, dir = 0, pages = 1;
	int ow = -1, k;

	for (int t = 1; t < ln->ntok; t++) {
		const char *w = sc_tok(ln, t);

		if (!strcmp(w, "pages")) {
			sc_once(ln, &seen, 0, "pages");
			pages = (unsigned)sc_num(ln, sc_tok(ln, ++t), 8, "pages");
			if (!pages || pages & (pages - 1))
				sc_die(ln, "pages %u: 1, 2, 4 or 8", pages);
		} else if ((k = sc_lookup(dirs, 2, w)) >= 0) {
			sc_once(ln, &seen, 1, "forward|backward");
			dir = (unsigned)k;
		} else if ((k = sc_lookup(ows, 2, w)) >= 0) {
			sc_once(ln, &seen, 2, "overwrite|non-overwrite");
			ow = k;
		} else {
			sc_die(ln, "unexpected '%s' in ring: ring pages N "
			       "forward|backward", w);
		}
	}
	if (ow >= 0 && (unsigned)ow != dir)
		sc_die(ln, "%s %s: a forward ring here is non-overwrite, a "
		       "backward one overwrite (as perf record maps them)",
		       dirs[dir], ows[ow]);
	sc_put8(sc_log2(pages) | dir << 2);
}

void sc_encode_readers(void)
{
	unsigned from = 0;

	/* No ring line: what a zero byte decodes to, 1 page forward. */
	if (sc.nlines && sc_is(&sc.lines[0], 0, "ring"))
		rd_ring(&sc.lines[from++]);
	else
		sc_put8(0);
	sc_tree(from, RDI_MAX_INNER);
	if (sc.ntops > RDI_MAX_OPS)
		sc_die(sc.nodes[sc.tops[RDI_MAX_OPS]].ln, "more than %u operations",
		       RDI_MAX_OPS);
	for (unsigned k = 0; k < sc.ntops; k++)
		rd_act(&sc.nodes[sc.tops[k]], false);
}
