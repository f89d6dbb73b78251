/* SPDX-License-Identifier: MIT */
/*
 * encode_reader.c - text to bytes for fuzz_reader_corrupt (layout:
 * fuzz/sim/rinput.h; text: fuzz/README.md). Kinds are encoded as their
 * index in the decoder's own tables (fzr_ops, fzr_inner), names as their
 * index in its name tables, so the two cannot drift apart.
 */
#include <string.h>

#include "rinput.h"
#include "script.h"

_Static_assert(SC_MAX_CHILD >= FZR_MAX_INNER, "interrupts under a read");

static int r_mode;

/* The ring line, as words, before any byte is written. */
struct r_ring {
	unsigned dir, ow, legacy, sia;
	uint64_t page, pages, id, st, off, size, len, tail, head;
};

/* "write size Z" */
static void r_write(const struct sc_line *ln, int t)
{
	unsigned size = (unsigned)sc_keyed(ln, t, "size", 16 + 8 * 8188);

	if (r_mode != FZR_WRITTEN)
		sc_die(ln, "no writer in a %s ring", fzr_mode_names[r_mode]);
	if (size < 16 || size % 8)
		sc_die(ln, "size %u: a multiple of 8 from 16 to 65520", size);
	if ((size - 16) / 8 < 0xf0) {
		sc_put8((size - 16) / 8);
	} else {
		sc_put8(0xf0);
		sc_put16((size - 16) / 8);
	}
	sc_eol(ln, t + 2);
}

static void r_act(const struct sc_node *n, bool inner);

/* "read all|max N [resync] [keep]" and its "at event#N:" actions. */
static void r_read(const struct sc_node *n, int t)
{
	const struct sc_line *ln = n->ln;
	unsigned flags = 0, seen = 0;

	if (sc_is(ln, t, "all")) {
		t++;
	} else {
		flags = (unsigned)sc_keyed(ln, t, "max", FZR_READ_MAX);
		if (!flags)
			sc_die(ln, "max 0 is 'read all'");
		t += 2;
	}
	for (; t < ln->ntok; t++) {
		if (sc_is(ln, t, "resync")) {
			sc_once(ln, &seen, 0, "resync");
			flags |= FZR_READ_RESYNC;
		} else if (sc_is(ln, t, "keep")) {
			sc_once(ln, &seen, 1, "keep");
			flags |= FZR_READ_KEEP;
		} else {
			sc_die(ln, "unexpected '%s' in read", sc_tok(ln, t));
		}
	}
	sc_put8(flags);
	sc_put8((unsigned)n->nchild);
	sc_window_acts(n, "event", r_act);
}

/* "corrupt flip POS mask M", "corrupt zero|straddle rec R",
 * "corrupt size rec R to WHAT [V]" */
static void r_corrupt(const struct sc_line *ln, int t)
{
	unsigned how = sc_choose(ln, fzr_corrupt_names, FZR_CORRUPT_COUNT,
				 sc_tok(ln, t), "corrupt");

	sc_put8(how);
	t++;
	if (how == FZR_FLIP) {
		sc_flip(ln, t);
		return;
	}
	sc_put8((unsigned)sc_keyed(ln, t, "rec", 255));
	t += 2;
	if (how == FZR_SIZE) {
		unsigned to = sc_to(ln, &t, fzr_size_names, FZR_TO_COUNT,
				    "corrupt size");

		sc_put8(to);
		if (to == FZR_TO_VALUE)
			sc_put16((unsigned)sc_num(ln, sc_tok(ln, t++), 0xffff, "value"));
	}
	sc_eol(ln, t);
}

/* "scribble set|ahead|behind|unaligned V", "scribble mid rec R" */
static void r_scribble(const struct sc_line *ln, int t)
{
	static const uint64_t max[FZR_HEAD_COUNT] = {
		UINT64_MAX, 0xffff, 0xffff, 0xff, 0,
	};
	unsigned how = sc_choose(ln, fzr_head_names, FZR_HEAD_COUNT,
				 sc_tok(ln, t), "scribble");

	sc_put8(how);
	t++;
	if (how == FZR_MID) {
		sc_put8((unsigned)sc_keyed(ln, t, "rec", 255));
		t += 2;
	} else {
		uint64_t v = sc_num(ln, sc_tok(ln, t++), max[how], "scribble");

		if (how == FZR_SET)
			sc_put64(v);
		else if (how == FZR_UNALIGNED)
			sc_put8((unsigned)v);
		else
			sc_put16((unsigned)v);
	}
	sc_eol(ln, t);
}

/* An operation (@inner false) or an action inside a read window. */
static void r_act(const struct sc_node *n, bool inner)
{
	const struct sc_line *ln = n->ln;
	const uint8_t *table = inner ? fzr_inner : fzr_ops;
	unsigned ntable = inner ? 4 : 8;
	int t = n->t + 1;
	unsigned k = sc_choose(ln, fzr_kind_names, FZR_KIND_COUNT,
			       sc_tok(ln, n->t), "operation");

	if (inner && (k == FZR_READ || k == FZR_RESYNC))
		sc_die(ln, "'%s' cannot run inside a read window", sc_tok(ln, n->t));
	if (n->nchild && k != FZR_READ)
		sc_die(sc.nodes[n->child[0]].ln, "only a read has interrupts");
	if (k == FZR_NOP) {
		/* A write decodes as nothing where no writer is. */
		if (r_mode == FZR_WRITTEN)
			sc_die(ln, "'nop' is only in bytes and raw rings");
		sc_put8(sc_first(table, ntable, FZR_WRITE));
		sc_eol(ln, t);
		return;
	}
	sc_put8(sc_first(table, ntable, k));
	switch (k) {
	case FZR_WRITE:
		r_write(ln, t);
		break;
	case FZR_READ:
		r_read(n, t);
		break;
	case FZR_CORRUPT:
		r_corrupt(ln, t);
		break;
	case FZR_SCRIBBLE:
		r_scribble(ln, t);
		break;
	default:
		sc_eol(ln, t);
		break;
	}
}

/* The words of "ring written|bytes|raw ..." into @r; which words a mode
 * takes is the decoder's layout (rinput.h). */
static void r_ring_words(const struct sc_line *ln, struct r_ring *r)
{
	static const char *const dirs[] = { "forward", "backward" };
	static const char *const ows[] = { "non-overwrite", "overwrite" };
	static const char *const keys[] = {
		"page", "pages", "id", "sample_type", "data_offset",
		"data_size", "len", "tail", "head", "sample_id_all", "legacy",
	};
	/* Which modes take each key: bit 0 written, 1 bytes, 2 raw. */
	static const uint8_t modes[] = { 3, 3, 1, 1, 4, 4, 4, 6, 6, 1, 2 };
	static const uint64_t max[] = { 4096, 8, 0x1ff, UINT64_MAX, 0xffff,
					0xffffffff, UINT64_MAX, UINT64_MAX,
					UINT64_MAX };
	uint64_t *val[] = { &r->page, &r->pages, &r->id, &r->st, &r->off,
			    &r->size, &r->len, &r->tail, &r->head };
	unsigned seen = 0;
	int k;

	for (int t = 2; t < ln->ntok; t++) {
		const char *w = sc_tok(ln, t);

		if ((k = sc_lookup(dirs, 2, w)) >= 0) {
			sc_once(ln, &seen, 11, "forward|backward");
			r->dir = (unsigned)k;
			continue;
		}
		if ((k = sc_lookup(ows, 2, w)) >= 0) {
			sc_once(ln, &seen, 12, "overwrite|non-overwrite");
			r->ow = (unsigned)k;
			continue;
		}
		k = sc_lookup(keys, sizeof(keys) / sizeof(keys[0]), w);
		if (k < 0 || !(modes[k] & (1u << r_mode)))
			sc_die(ln, "unexpected '%s' in a %s ring", w,
			       fzr_mode_names[r_mode]);
		sc_once(ln, &seen, (unsigned)k, w);
		if (!strcmp(w, "sample_id_all"))
			r->sia = 1;
		else if (!strcmp(w, "legacy"))
			r->legacy = 1;
		else
			*val[k] = sc_num(ln, sc_tok(ln, ++t), max[k], w);
	}
	if (r->page < 64 || r->page & (r->page - 1))
		sc_die(ln, "page: 64, 128, ... 4096");
	if (r->pages & (r->pages - 1))
		sc_die(ln, "pages: 0, 1, 2, 4 or 8");
	if (r->id < 0x100)
		sc_die(ln, "id: 0x100 to 0x1ff");
}

/* RAW: data_offset, the data_size code and the length's delta. */
static void r_raw_geometry(const struct sc_line *ln, const struct r_ring *r)
{
	int64_t delta = (int64_t)r->len - (int64_t)(r->off +
		(r->size < FZR_RAW_SIZE_CAP ? r->size : FZR_RAW_SIZE_CAP));

	if (r->len > 0x7fffffff || delta < -32768 || delta > 32767)
		sc_die(ln, "len: within 32768 bytes of data_offset + "
		       "data_size (at most 65536 of it)");
	sc_put16((unsigned)r->off);
	if (r->size && !(r->size & (r->size - 1)) && r->size <= 65536) {
		sc_put8(sc_log2(r->size));
	} else {
		sc_put8(0x80);
		sc_put16((unsigned)(r->size & 0xffff));
		sc_put16((unsigned)(r->size >> 16));
	}
	sc_put16((unsigned)(uint16_t)(int16_t)delta);
}

static unsigned hexval(const struct sc_line *ln, char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (unsigned)(c - 'A' + 10);
	sc_die(ln, "fill: '%c' is not a hex digit", c);
}

/* "fill N [HEX]" at sc.lines[*@i], if there: the fill bytes. */
static void r_fill(unsigned *i)
{
	const struct sc_line *fl;
	const char *h;
	size_t n;
	unsigned nfill;

	if (*i >= sc.nlines || !sc_is(&sc.lines[*i], 0, "fill")) {
		sc_put16(0);
		return;
	}
	fl = &sc.lines[(*i)++];
	h = sc_tok(fl, 2);
	n = h ? strlen(h) : 0;
	nfill = (unsigned)sc_num(fl, sc_tok(fl, 1), FZR_MAX_FILL, "fill");
	if (!nfill || n % 2 || n / 2 > nfill || fl->ntok > 3)
		sc_die(fl, "fill N [HEX]: N bytes from 1 to %u, the first of "
		       "them as hex pairs, the rest zero", FZR_MAX_FILL);
	sc_put16(nfill);
	for (size_t k = 0; k < n; k += 2)
		sc_put8(hexval(fl, h[k]) << 4 | hexval(fl, h[k + 1]));
	for (size_t k = n / 2; k < nfill; k++)
		sc_put8(0);
}

void sc_encode_reader(void)
{
	static const uint64_t sbits[6] = {
		PERF_SAMPLE_TID, PERF_SAMPLE_TIME, PERF_SAMPLE_ID,
		PERF_SAMPLE_STREAM_ID, PERF_SAMPLE_CPU, PERF_SAMPLE_IDENTIFIER,
	};
	struct r_ring r = { .page = 64, .pages = 1, .id = 0x100, .size = 1 };
	const struct sc_line *ln;
	unsigned i = 0, tb = 0;

	if (!sc.nlines || !sc_is(&sc.lines[0], 0, "ring"))
		sc_die(sc.nlines ? &sc.lines[0] : NULL,
		       "the text starts with 'ring written|bytes|raw ...'");
	ln = &sc.lines[i++];
	r_mode = (int)sc_choose(ln, fzr_mode_names, FZR_MODE_COUNT, sc_tok(ln, 1),
				"ring");
	r_ring_words(ln, &r);
	sc_put8((r_mode == FZR_WRITTEN ? 0 : r_mode == FZR_BYTES ? 2 : 3) |
		r.dir << 2 | r.ow << 3);
	if (r_mode != FZR_RAW) {
		sc_put8(sc_log2(r.page / 64) | (r.legacy ? 0x80 : 0));
		sc_put8(r.pages == 0 ? 4 : sc_log2(r.pages));
	}
	if (r_mode == FZR_WRITTEN) {
		for (unsigned k = 0; k < 6; k++)
			if (r.st & sbits[k]) {
				tb |= 1u << k;
				r.st &= ~sbits[k];
			}
		if (r.st)
			sc_die(ln, "sample_type: only TID TIME ID STREAM_ID CPU "
			       "IDENTIFIER bits");
		sc_put8((unsigned)(r.id - 0x100));
		sc_put8(tb | (r.sia ? 0x40 : 0));
	} else {
		if (r_mode == FZR_RAW)
			r_raw_geometry(ln, &r);
		/* tail and head as absolute values: how 3. */
		sc_put8(3);
		sc_put64(r.tail);
		sc_put8(3);
		sc_put64(r.head);
		r_fill(&i);
	}
	sc_tree(i, FZR_MAX_INNER);
	if (sc.ntops > FZR_MAX_OPS)
		sc_die(sc.nodes[sc.tops[FZR_MAX_OPS]].ln, "more than %u operations",
		       FZR_MAX_OPS);
	for (unsigned k = 0; k < sc.ntops; k++)
		r_act(&sc.nodes[sc.tops[k]], false);
}
