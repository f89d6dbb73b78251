/* SPDX-License-Identifier: MIT */
/*
 * encode_ring_opts.c - text to bytes for fuzz_ring_opts (layout:
 * fuzz/sim/roinput.h; text: fuzz/README.md). Names are encoded as their
 * index in the decoder's own tables, and a value in the shortest code the
 * decoder reads back as that value, so the seeds compile to the bytes the
 * earlier binary seeds held.
 */
#include <stdio.h>
#include <string.h>

#include "roinput.h"
#include "script.h"

/* The words of the option lines (ring, reset, reader), and which line
 * takes which. */
enum { W_PAGE_SIZE, W_PAGES, W_SAME, W_OPTS, W_BACKWARD, W_OVERWRITE,
       W_OVERSIZE, W_WATERMARK, W_FAIL, W_SCRATCH, W_FLUSH, W_COUNT };
static const char *const words[W_COUNT] = {
	"page-size", "pages", "same", "opts", "backward", "overwrite",
	"oversize", "watermark", "fail", "scratch", "flush",
};
#define W(x) (1u << (x))
#define MODES (W(W_BACKWARD) | W(W_OVERWRITE))
#define RING_WORDS (W(W_PAGE_SIZE) | W(W_PAGES) | W(W_OPTS) | MODES | \
		    W(W_OVERSIZE) | W(W_WATERMARK) | W(W_FAIL))
#define RESET_WORDS (W(W_PAGE_SIZE) | W(W_PAGES) | W(W_SAME) | MODES | W(W_OVERSIZE))
#define READER_WORDS (W(W_OPTS) | MODES | W(W_SCRATCH) | W(W_FLUSH))

/* An option line's words: which were given, and their values. */
struct ro_words {
	unsigned seen;
	uint64_t v[W_COUNT];
};

/* The words of option line @ln that @allowed names (bits of W()); @sz
 * names the opts values. */
static void ro_words(const struct sc_line *ln, int t, unsigned allowed,
		     const char *const *sz, struct ro_words *w)
{
	char list[160];
	size_t used = 0;

	list[0] = 0;
	for (unsigned k = 0; k < W_COUNT; k++)
		if (allowed & W(k))
			used += (size_t)snprintf(list + used, sizeof(list) - used,
						 "%s%s", used ? ", " : "", words[k]);
	memset(w, 0, sizeof(*w));
	for (; t < ln->ntok; t++) {
		int k = sc_lookup(words, W_COUNT, sc_tok(ln, t));
		const char *v = sc_tok(ln, t + 1);

		if (k < 0 || !(allowed & W(k)))
			sc_die(ln, "%s: unexpected '%s' (words: %s)", ln->tok[0],
			       sc_tok(ln, t), list);
		sc_once(ln, &w->seen, (unsigned)k, words[k]);
		switch (k) {
		case W_PAGE_SIZE:
		case W_PAGES:
			w->v[k] = sc_num(ln, v, UINT32_MAX, words[k]);
			break;
		case W_WATERMARK:
		case W_FLUSH:
			w->v[k] = sc_num(ln, v, 0xffff, words[k]);
			break;
		case W_OPTS:
			w->v[k] = sc_choose(ln, sz, ROI_SZ_COUNT, v, "opts");
			break;
		case W_FAIL:
			w->v[k] = sc_choose(ln, roi_fail_names, ROI_FAIL_COUNT, v, "fail");
			break;
		case W_SCRATCH:
			w->v[k] = sc_choose(ln, roi_scratch_names, ROI_SCRATCH_COUNT,
					    v, "scratch");
			break;
		case W_OVERSIZE:
			w->v[k] = sc_is(ln, t + 1, "wrap") ? UPRB_OVERSIZE_WRAP :
				  sc_is(ln, t + 1, "drop") ? UPRB_OVERSIZE_DROP :
				  sc_num(ln, v, UINT32_MAX, "oversize (wrap, drop or a number)");
			break;
		default:
			continue;   /* a word alone */
		}
		t++;
	}
}

/* A page size or count: the shortest code that decodes to @v. */
static void ro_put_num(uint32_t v)
{
	if (!v) {
		sc_put8(31);
	} else if (!(v & (v - 1)) && v < 1u << 31) {
		sc_put8(sc_log2(v));
	} else if (!((v - 1) & (v - 2)) && v - 1 < 1u << 31) {
		sc_put8(sc_log2(v - 1) | 0x20);
	} else {
		sc_put8(0x40);
		sc_put32(v);
	}
}

/* The flags byte (@same: bit 4) and the oversize u32 it may need. */
static void ro_put_flags(const struct ro_words *w, bool same)
{
	uint64_t ov = w->v[W_OVERSIZE];
	unsigned code = ov <= 2 ? (unsigned)ov : 3;

	sc_put8((w->seen & W(W_OVERWRITE) ? 1u : 0) |
		(w->seen & W(W_BACKWARD) ? 2u : 0) |
		code << 2 | (same ? 0x10u : 0));
	if (code == 3)
		sc_put32((uint32_t)ov);
}

/* The sz code byte of enum roi_sz @sz. */
static void ro_put_sz(uint64_t sz)
{
	static const uint8_t codes[ROI_SZ_COUNT] = { 0, 5, 6, 7 };

	sc_put8(codes[sz]);
}

static void ro_need(const struct sc_line *ln, const struct ro_words *w,
		    unsigned k)
{
	if (!(w->seen & W(k)))
		sc_die(ln, "%s: '%s N' missing", ln->tok[0], words[k]);
}

/* "ring page-size P pages N [opts full|short|min|zero] [backward]
 * [overwrite] [oversize wrap|drop|V] [watermark W] [fail WHAT]"; whether
 * the target reads on after it. */
static bool ro_ring(const struct sc_line *ln, int t)
{
	struct ro_words w;
	struct roi_opts r = { 0 };

	ro_words(ln, t, RING_WORDS, roi_sz_names, &w);
	ro_need(ln, &w, W_PAGE_SIZE);
	ro_need(ln, &w, W_PAGES);
	ro_put_sz(w.v[W_OPTS]);
	ro_put_num((uint32_t)w.v[W_PAGE_SIZE]);
	ro_put_num((uint32_t)w.v[W_PAGES]);
	ro_put_flags(&w, false);
	sc_put16((unsigned)w.v[W_WATERMARK]);
	sc_put8((unsigned)w.v[W_FAIL]);
	r.sz = (uint8_t)w.v[W_OPTS];
	r.page_size = (uint32_t)w.v[W_PAGE_SIZE];
	r.nr_pages = (uint32_t)w.v[W_PAGES];
	r.oversize = (uint32_t)w.v[W_OVERSIZE];
	return roi_reads_on(&r);
}

/* "reset same|page-size P pages N [backward] [overwrite] [oversize X]";
 * "same" keeps the ring's geometry (the codes for 64 x 1 are written and
 * ignored). */
static void ro_reset(const struct sc_line *ln, int t)
{
	struct ro_words w;
	bool same;

	ro_words(ln, t, RESET_WORDS, roi_sz_names, &w);
	same = w.seen & W(W_SAME);
	if (same && (w.seen & (W(W_PAGE_SIZE) | W(W_PAGES))))
		sc_die(ln, "reset same keeps the ring's geometry: no page-size or pages");
	if (!same) {
		ro_need(ln, &w, W_PAGE_SIZE);
		ro_need(ln, &w, W_PAGES);
	}
	ro_put_num(same ? 64 : (uint32_t)w.v[W_PAGE_SIZE]);
	ro_put_num(same ? 1 : (uint32_t)w.v[W_PAGES]);
	ro_put_flags(&w, same);
}

/* "pause on|off on|off": two uprb_ring_pause() calls. */
static void ro_pause(const struct sc_line *ln, int t)
{
	static const char *const onoff[] = { "off", "on" };

	for (int i = 0; i < 2; i++)
		sc_put8(sc_choose(ln, onoff, 2, sc_tok(ln, t + i), "pause"));
	sc_eol(ln, t + 2);
}

/* "write size N|data[+-D]": the shortest size code for it. */
static void ro_write(const struct sc_line *ln, int t)
{
	const char *s;
	uint64_t v;

	if (!sc_is(ln, t, "size"))
		sc_die(ln, "expected 'size', found '%s'",
		       sc_tok(ln, t) ? sc_tok(ln, t) : "end of line");
	s = sc_tok(ln, t + 1);
	sc_eol(ln, t + 2);
	if (s && !strncmp(s, "data", 4)) {
		int d = 0;

		if (s[4] == '+')
			d = (int)sc_num(ln, s + 5, 15, "data+D");
		else if (s[4] == '-')
			d = -(int)sc_num(ln, s + 5, 16, "data-D");
		else if (s[4])
			sc_die(ln, "size '%s': data, data+D (D to 15) or data-D "
			       "(D to 16)", s);
		sc_put8(0x20u | (unsigned)(d + 16));
		return;
	}
	v = sc_num(ln, s, UINT32_MAX, "size");
	if (v < 32) {
		sc_put8((unsigned)v);
	} else if (v % 8 == 0 && v <= 256) {
		sc_put8(0x80u | (unsigned)(v - 8) / 8);
	} else if (v % 8 == 4 && v <= 260) {
		sc_put8(0xc0u | (unsigned)(v - 12) / 8);
	} else if (v >= 65519 && v <= 65550) {
		sc_put8(0x40u | (unsigned)(v - 65519));
	} else {
		sc_put8(0x60);
		sc_put32((uint32_t)v);
	}
}

/* "reader [opts full|short|min|none] [backward] [overwrite]
 * [scratch own|exact|short|larger] [flush F]" */
static void ro_reader(const struct sc_line *ln, int t)
{
	struct ro_words w;

	ro_words(ln, t, READER_WORDS, roi_reader_sz_names, &w);
	ro_put_sz(w.v[W_OPTS]);
	sc_put8((w.seen & W(W_OVERWRITE) ? 1u : 0) |
		(w.seen & W(W_BACKWARD) ? 2u : 0) |
		(unsigned)w.v[W_SCRATCH] << 2);
	sc_put16((unsigned)w.v[W_FLUSH]);
}

/* "unread B...": bytes the target does not read (after options it stops
 * at), kept as they are. */
static void ro_unread(const struct sc_line *ln, int t)
{
	if (t >= ln->ntok)
		sc_die(ln, "unread: one or more bytes");
	for (; t < ln->ntok; t++)
		sc_put8((unsigned)sc_num(ln, ln->tok[t], 0xff, "byte"));
}

/*
 * The parts in the decoder's order: ring, reset, pause, writes (at most
 * ROI_MAX_WRITES), reader; each may be left off with all after it. Writes
 * need the reader after them (the target reads the last 4 bytes as its
 * options), and after options the target stops at only "unread" lines
 * follow.
 */
enum { P_NONE, P_RING, P_RESET, P_PAUSE, P_WRITE, P_READER, P_UNREAD, P_COUNT };
static const char *const parts[P_COUNT] = {
	"", "ring", "reset", "pause", "write", "reader", "unread",
};

void sc_encode_ring_opts(void)
{
	unsigned last = P_NONE, nwrites = 0;
	bool reads_on = true;
	const struct sc_line *ln = NULL;

	for (unsigned i = 0; i < sc.nlines; i++)
		if (sc_is(&sc.lines[i], 0, "at"))
			sc_die(&sc.lines[i], "fuzz_ring_opts has no interrupts");
	sc_tree(0, 0);
	for (unsigned k = 0; k < sc.ntops; k++) {
		const struct sc_node *n = &sc.nodes[sc.tops[k]];
		unsigned p = (unsigned)sc_choose(n->ln, parts + 1, P_COUNT - 1,
						 sc_tok(n->ln, n->t), "part") + 1;
		static const unsigned after[P_COUNT] = {
			[P_RING] = P_NONE, [P_RESET] = P_RING, [P_PAUSE] = P_RESET,
			[P_WRITE] = P_PAUSE, [P_READER] = P_PAUSE, [P_UNREAD] = P_RING,
		};

		ln = n->ln;
		if (!(last == after[p] || (p == P_WRITE && last == P_WRITE) ||
		      (p == P_READER && last == P_WRITE) ||
		      (p == P_UNREAD && last == P_UNREAD)))
			sc_die(ln, "%s after %s: the parts are ring, reset, pause, "
			       "write..., reader (or ring, unread...), in that order",
			       parts[p], last ? parts[last] : "nothing");
		if (p == P_UNREAD && reads_on)
			sc_die(ln, "unread: the target reads on after this ring "
			       "(a valid ring of at most %u bytes): reset, pause, "
			       "write, reader", ROI_SMALL_RING);
		if (p == P_RESET && !reads_on)
			sc_die(ln, "reset: the target stops after this ring (refused "
			       "or over %u bytes): only unread bytes follow",
			       ROI_SMALL_RING);
		if (p == P_WRITE && ++nwrites > ROI_MAX_WRITES)
			sc_die(ln, "more than %u writes", ROI_MAX_WRITES);
		switch (p) {
		case P_RING:
			reads_on = ro_ring(ln, n->t + 1);
			break;
		case P_RESET:
			ro_reset(ln, n->t + 1);
			break;
		case P_PAUSE:
			ro_pause(ln, n->t + 1);
			break;
		case P_WRITE:
			ro_write(ln, n->t + 1);
			break;
		case P_READER:
			ro_reader(ln, n->t + 1);
			break;
		default:
			ro_unread(ln, n->t + 1);
			break;
		}
		last = p;
	}
	/* No bytes would decode as a default ring, which encodes to bytes. */
	if (last == P_NONE)
		sc_die(NULL, "the text starts with 'ring page-size P pages N ...'");
	if (last == P_WRITE)
		sc_die(ln, "writes need a reader line after them (the target "
		       "reads the last 4 bytes as the reader's options)");
}
