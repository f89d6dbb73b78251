/* SPDX-License-Identifier: MIT */
/*
 * encode_world.c - text to bytes for the world's targets (layout:
 * fuzz/sim/input.h; text: fuzz/README.md). Each word becomes the byte the
 * decoder maps back to it under the target's profile: kinds are indexes
 * into its ops/acts tables, sites their position in port.h's list, levels
 * the step above the interrupted writer. So a text program keeps its
 * meaning when those lists change; the bytes follow them.
 */
#include <string.h>

#include "script.h"

static const struct fz_profile *prof;
static unsigned nwrites, nirqs, nsources, ncpus;

static const char *const levels[] = { "task", "softirq", "hardirq", "NMI" };

/* Index of @kind in @table (the profile's ops or acts), else fail. */
static unsigned kind_index(const struct sc_line *ln, const uint8_t *table,
			   unsigned kind, const char *where)
{
	for (unsigned i = 0; i < 8; i++)
		if (table[i] == kind)
			return i;
	sc_die(ln, "'%s' is not %s of %s (fuzz/registry.txt)",
	       fz_kind_name(kind), where, prof->name);
}

static int has_kind(const uint8_t *table, unsigned kind)
{
	for (unsigned i = 0; i < 8; i++)
		if (table[i] == kind)
			return (int)i;
	return -1;
}

static void w_action(const struct sc_node *n, bool irq, unsigned cpu,
		     unsigned level);

/* The writer site an interrupt names: a label of port.h, or "any". */
static unsigned w_site(const struct sc_node *q)
{
	unsigned site;

	if (!strcmp(q->site, "any"))
		return FZ_SITE_ANY;
	site = uprb_site_lookup(q->site);
	if (site >= FZ_WRITER_SITES)
		sc_die(q->ln, "'%s' is not a writer site of port.h (%s, ... %s, any)",
		       q->site, fz_site_label(0),
		       fz_site_label(FZ_WRITER_SITES - 1));
	return site;
}

/* "write [cpu J] LEVEL src S size Z": @cpu, @level are the write's own. */
static void w_write(const struct sc_node *n, unsigned cpu, unsigned level)
{
	const struct sc_line *ln = n->ln;
	int t = n->t + (prof->cpus > 1 ? 4 : 2);
	unsigned src, size;

	src = (unsigned)sc_keyed(ln, t, "src", 255);
	if (src >= nsources)
		sc_die(ln, "source %u not configured", src);
	size = (unsigned)sc_keyed(ln, t + 2, "size", 65520);
	sc_eol(ln, t + 4);
	if (size < 16 || size % 8)
		sc_die(ln, "size %u: a multiple of 8 from 16 to 65520", size);
	if (nwrites == FZ_MAX_WRITES)
		sc_die(ln, "more than %u writes", FZ_MAX_WRITES);
	nwrites++;
	sc_put8(src);
	if (size <= 16 + 8 * 238) {
		sc_put8(1 + (size - 16) / 8);
	} else {
		sc_put8(0xf0);
		sc_put16((size - 16) / 8);
	}
	if ((unsigned)n->nchild > FZ_MAX_IRQS - nirqs)
		sc_die(ln, "more than %u interrupts", FZ_MAX_IRQS);
	nirqs += (unsigned)n->nchild;
	sc_put8((unsigned)n->nchild);
	for (int i = 0; i < n->nchild; i++) {
		const struct sc_node *q = &sc.nodes[n->child[i]];
		unsigned site = w_site(q);

		if (q->nth < 1 || q->nth > 128)
			sc_die(q->ln, "occurrence %u: 1 to 128", q->nth);
		sc_put8(site);
		sc_put8(q->nth <= 4 ? q->nth - 1 : 0x80 + q->nth - 1);
		w_action(q, true, cpu, level);
	}
}

/* "cpu J" at @t of a multi-CPU target's write or pause: J; else 0. */
static unsigned w_cpu(const struct sc_line *ln, int t)
{
	unsigned j;

	if (prof->cpus <= 1)
		return 0;
	j = (unsigned)sc_keyed(ln, t, "cpu", 255);
	if (j >= ncpus)
		sc_die(ln, "cpu %u: %u CPUs configured ('cpus N')", j, ncpus);
	return j;
}

/* A write as an operation or an interrupt action (w_action). */
static void w_write_action(const struct sc_node *n, const uint8_t *table,
			   const char *where, bool irq, unsigned cpu,
			   unsigned level)
{
	const struct sc_line *ln = n->ln;
	int t = n->t + 1;
	unsigned on = w_cpu(ln, t), lv;

	if (prof->cpus > 1)
		t += 2;
	lv = sc_choose(ln, levels, UPRB_LEVEL_COUNT, sc_tok(ln, t), "write level");
	sc_put8(kind_index(ln, table, FZ_WRITE, where));
	if (prof->cpus > 1)
		sc_put8(on);
	if (!irq || on != cpu) {
		if (lv != UPRB_LEVEL_TASK)
			sc_die(ln, "%s write at task level", irq ?
			       "writes on another CPU" : "operations");
	} else {
		if (level >= UPRB_LEVEL_NMI)
			sc_die(ln, "nothing nests inside an NMI ('nop' is what "
			       "a write there decodes to)");
		if (lv <= level)
			sc_die(ln, "a nested write goes above %s",
			       fz_level_name(level));
		sc_put8(lv - level - 1);
	}
	w_write(n, on, lv);
}

/* "nop": a NOP kind if the table has one, else what decodes to nothing. */
static void w_nop(const struct sc_node *n, const uint8_t *table,
		  const char *where, bool irq, unsigned cpu, unsigned level)
{
	const struct sc_line *ln = n->ln;
	int k = has_kind(table, FZ_NOP);

	sc_eol(ln, n->t + 1);
	if (k >= 0) {
		sc_put8((unsigned)k);
	} else if (irq && level >= UPRB_LEVEL_NMI) {
		/* A write inside an NMI decodes as nothing. */
		sc_put8(kind_index(ln, table, FZ_WRITE, where));
		if (prof->cpus > 1)
			sc_put8(cpu);
	} else if (nwrites == FZ_MAX_WRITES) {
		/* So does a write once the write table is full. */
		sc_put8(kind_index(ln, table, FZ_WRITE, where));
		if (prof->cpus > 1)
			sc_put8(cpu);
		if (irq)
			sc_put8(0);
	} else {
		sc_die(ln, "'nop' is not %s of %s here", where, prof->name);
	}
}

/* "tail HOW V" and "scribble HOW V": hostile user space. */
static void w_user(const struct sc_line *ln, int t, const uint8_t *table,
		   const char *where, bool tail)
{
	static const char *const tails[] = { "behind", "lap", "ahead",
					     "unaligned", "huge", "honest" };
	static const char *const heads[] = { "set", "ahead", "behind",
					     "unaligned" };
	const char *where_value = tail ? "tail" : "scribble";
	unsigned k;

	if (tail)
		k = sc_choose(ln, tails, FZ_TAIL_COUNT, sc_tok(ln, t), "tail");
	else
		k = sc_choose(ln, heads, FZ_HEAD_COUNT, sc_tok(ln, t), "scribble");
	sc_put8(kind_index(ln, table, tail ? FZ_TAIL : FZ_SCRIBBLE, where));
	sc_put8(k);
	if (tail ? k == FZ_TAIL_HUGE : k == FZ_HEAD_SET)
		sc_put64(sc_num(ln, sc_tok(ln, t + 1), UINT64_MAX, where_value));
	else
		sc_put16((unsigned)sc_num(ln, sc_tok(ln, t + 1), 0xffff,
					  where_value));
	sc_eol(ln, t + 2);
}

/* "visible writer|consumer COUNT pick N" (memory.h). */
static void w_visible(const struct sc_line *ln, int t, const uint8_t *table,
		      const char *where)
{
	static const char *const cpus[] = { "writer", "consumer" };
	unsigned cpu = sc_choose(ln, cpus, 2, sc_tok(ln, t), "visible");
	unsigned count = (unsigned)sc_num(ln, sc_tok(ln, t + 1), 8, "visible count");
	unsigned pick;

	if (!count)
		sc_die(ln, "visible count: 1 to 8");
	pick = (unsigned)sc_keyed(ln, t + 2, "pick", 15);
	sc_eol(ln, t + 4);
	sc_put8(kind_index(ln, table, FZ_VISIBLE, where));
	sc_put8(cpu | (count - 1) << 1 | pick << 4);
}

/* @cpu, @level: the writer an interrupt action interrupts. */
static void w_action(const struct sc_node *n, bool irq, unsigned cpu,
		     unsigned level)
{
	const struct sc_line *ln = n->ln;
	const uint8_t *table = irq ? prof->acts : prof->ops;
	const char *where = irq ? "an interrupt action" : "an operation";
	const char *w = sc_tok(ln, n->t);
	int t = n->t + 1;

	if (!strcmp(w, "write")) {
		w_write_action(n, table, where, irq, cpu, level);
		return;
	}
	if (n->nchild)
		sc_die(sc.nodes[n->child[0]].ln, "only a write has interrupts");
	if (!strcmp(w, "nop")) {
		w_nop(n, table, where, irq, cpu, level);
	} else if (!strcmp(w, "consume")) {
		sc_put8(kind_index(ln, table, FZ_CONSUME, where));
		sc_put8((unsigned)sc_num(ln, sc_tok(ln, t), 255, "consume"));
		sc_eol(ln, t + 1);
	} else if (!strcmp(w, "pause") || !strcmp(w, "resume")) {
		sc_put8(kind_index(ln, table, FZ_PAUSE, where));
		if (!irq && prof->cpus > 1) {
			/* At top level it names its CPU; inside a writer, the writer's. */
			sc_put8(w_cpu(ln, t));
			t += 2;
		}
		sc_put8(w[0] == 'p');
		sc_eol(ln, t);
	} else if (!strcmp(w, "tail") || !strcmp(w, "scribble")) {
		w_user(ln, t, table, where, w[0] == 't');
	} else if (!strcmp(w, "visible")) {
		w_visible(ln, t, table, where);
	} else {
		sc_die(ln, "unknown operation '%s' (write, consume, pause, resume, "
		       "tail, scribble, visible, nop)", w);
	}
}

/* "ring page P pages N forward|backward overwrite|non-overwrite
 * [oversize-drop] watermark W": its four config bytes. */
static void w_ring(const struct sc_line *ln)
{
	static const char *const dirs[] = { "forward", "backward" };
	static const char *const ows[] = { "non-overwrite", "overwrite" };
	unsigned sizes = prof->page_sizes ? prof->page_sizes : 7;
	uint64_t page = 64, pages = 1, wm = 0;
	unsigned dir = 0, ow = 0, drop = 0, seen = 0;
	int k;

	for (int t = 1; t < ln->ntok; t++) {
		const char *w = sc_tok(ln, t);

		if (!strcmp(w, "page")) {
			sc_once(ln, &seen, 0, w);
			page = sc_num(ln, sc_tok(ln, ++t), 64u << (sizes - 1), "page");
			if (page < 64 || page & (page - 1))
				sc_die(ln, "page: 64, 128, ... %u", 64u << (sizes - 1));
		} else if (!strcmp(w, "pages")) {
			sc_once(ln, &seen, 1, w);
			pages = sc_num(ln, sc_tok(ln, ++t), 8, "pages");
			if (pages & (pages - 1))
				sc_die(ln, "pages: 0, 1, 2, 4 or 8");
		} else if (!strcmp(w, "watermark")) {
			sc_once(ln, &seen, 2, w);
			wm = sc_num(ln, sc_tok(ln, ++t), 8 * 255, "watermark");
			if (wm % 8)
				sc_die(ln, "watermark: a multiple of 8");
		} else if ((k = sc_lookup(dirs, 2, w)) >= 0) {
			sc_once(ln, &seen, 3, "forward|backward");
			dir = (unsigned)k;
		} else if ((k = sc_lookup(ows, 2, w)) >= 0) {
			sc_once(ln, &seen, 4, "overwrite|non-overwrite");
			ow = (unsigned)k;
		} else if (!strcmp(w, "oversize-drop")) {
			sc_once(ln, &seen, 5, w);
			drop = 1;
		} else {
			sc_die(ln, "unexpected '%s' in ring", w);
		}
		if ((dir || ow) && prof->forward_only)
			sc_die(ln, "%s rings are forward non-overwrite", prof->name);
	}
	sc_put8(sc_log2(page / 64));
	sc_put8(pages == 0 ? 4 : sc_log2(pages));
	sc_put8(dir | ow << 1 | drop << 2);
	sc_put8((unsigned)(wm / 8));
}

/* "source I id X sample_type X [sample_id_all] [wakeup_events N]
 * [size N]" into its three config bytes at @b. */
static void w_source(const struct sc_line *ln, unsigned nsrc, unsigned char *b)
{
	static const uint64_t sbits[6] = {
		PERF_SAMPLE_TID, PERF_SAMPLE_TIME, PERF_SAMPLE_ID,
		PERF_SAMPLE_STREAM_ID, PERF_SAMPLE_CPU, PERF_SAMPLE_IDENTIFIER,
	};
	uint64_t id, st, we = 0, size = 16, base = 0x100u * (nsrc + 1);
	unsigned tb = 0, seen = 0;

	if (nsrc == FZ_MAX_SOURCES)
		sc_die(ln, "at most %u sources", FZ_MAX_SOURCES);
	if (sc_num(ln, sc_tok(ln, 1), 255, "source") != nsrc)
		sc_die(ln, "sources are numbered 0, 1, ... in order");
	id = sc_keyed(ln, 2, "id", UINT64_MAX);
	if (id < base || id > base + 255)
		sc_die(ln, "id of source %u: %#llx to %#llx", nsrc,
		       (unsigned long long)base, (unsigned long long)base + 255);
	st = sc_keyed(ln, 4, "sample_type", UINT64_MAX);
	for (unsigned k = 0; k < 6; k++)
		if (st & sbits[k]) {
			tb |= 1u << k;
			st &= ~sbits[k];
		}
	if (st)
		sc_die(ln, "sample_type: only TID TIME ID STREAM_ID CPU "
		       "IDENTIFIER bits");
	for (int t = 6; t < ln->ntok; t++) {
		const char *w = sc_tok(ln, t);

		if (!strcmp(w, "sample_id_all")) {
			sc_once(ln, &seen, 0, w);
			tb |= 0x40;
		} else if (!strcmp(w, "wakeup_events")) {
			sc_once(ln, &seen, 1, w);
			we = sc_num(ln, sc_tok(ln, ++t), 3, "wakeup_events");
		} else if (!strcmp(w, "size")) {
			sc_once(ln, &seen, 2, w);
			size = sc_num(ln, sc_tok(ln, ++t), 16 + 8 * 63, "size");
			if (size < 16 || size % 8)
				sc_die(ln, "size: a multiple of 8 from 16 to 520");
		} else {
			sc_die(ln, "unexpected '%s' in source", w);
		}
	}
	b[0] = (unsigned char)(id - base);
	b[1] = (unsigned char)tb;
	b[2] = (unsigned char)(we | (size - 16) / 8 << 2);
}

/* The config lines (ring, source..., cpus) from sc.lines[*@from]. */
static void w_config(unsigned *from)
{
	unsigned i = *from, nsrc = 0;
	unsigned char srcb[FZ_MAX_SOURCES][3];

	if (i < sc.nlines && sc_is(&sc.lines[i], 0, "ring"))
		w_ring(&sc.lines[i++]);
	else
		sc_put(((const unsigned char[4]){ 0 }), 4);
	for (; i < sc.nlines && sc_is(&sc.lines[i], 0, "source"); i++, nsrc++)
		w_source(&sc.lines[i], nsrc, srcb[nsrc < FZ_MAX_SOURCES ? nsrc : 0]);
	if (!nsrc) {
		/* No source line: the one that zero bytes decode to. */
		memset(srcb[0], 0, sizeof(srcb[0]));
		nsrc = 1;
	}
	ncpus = 1;
	if (i < sc.nlines && sc_is(&sc.lines[i], 0, "cpus")) {
		const struct sc_line *ln = &sc.lines[i++];

		if (prof->cpus <= 1)
			sc_die(ln, "%s runs one CPU", prof->name);
		ncpus = (unsigned)sc_num(ln, sc_tok(ln, 1), prof->cpus, "cpus");
		if (!ncpus)
			sc_die(ln, "cpus: 1 to %u", prof->cpus);
		sc_eol(ln, 2);
	}
	sc_put8(nsrc - 1);
	for (unsigned k = 0; k < nsrc; k++)
		sc_put(srcb[k], 3);
	if (prof->cpus > 1)
		sc_put8(ncpus - 1);
	*from = i;
	nsources = nsrc;
}

void sc_encode_world(const struct fz_profile *p)
{
	unsigned from = 0;

	prof = p;
	nwrites = nirqs = 0;
	w_config(&from);
	sc_tree(from, SC_MAX_CHILD);
	if (sc.ntops > FZ_MAX_OPS)
		sc_die(sc.nodes[sc.tops[FZ_MAX_OPS]].ln, "more than %u operations",
		       FZ_MAX_OPS);
	for (unsigned i = 0; i < sc.ntops; i++)
		w_action(&sc.nodes[sc.tops[i]], false, 0, UPRB_LEVEL_COUNT);
}
