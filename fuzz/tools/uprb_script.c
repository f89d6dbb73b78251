/* SPDX-License-Identifier: MIT */
/*
 * uprb_script.c - fuzz inputs as readable text, and text back to inputs.
 *
 *   uprb-script decode [--target NAME] FILE            text on stdout
 *   uprb-script encode [--target NAME] TEXT -o OUT     bytes into OUT
 *   uprb-script targets                                the targets known
 *
 * Decoding runs the targets' own decoders (input.c, rinput.c) and printers,
 * so the text is what `<target>-replay -vv` shows. Encoding parses that
 * text (format: fuzz/README.md) and writes the bytes those decoders turn
 * back into the same program: decode(encode(decode(x))) == decode(x).
 * The target is --target, else a "target NAME" line of the text, else
 * fuzz_writer_nest. Any error in the text is reported as FILE:LINE:
 * message; errors exit with 2, never with a crash.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "profiles.h"
#include "rinput.h"

#define MAX_TOK 48

static const char *const targets[] = {
	"fuzz_writer_nest", "fuzz_writer_tail", "fuzz_reader_corrupt",
	"fuzz_weak_memory", "fuzz_multi_cpu", "fuzz_loss_wakeup",
};

struct line {
	unsigned no;
	unsigned indent;
	int ntok;
	char *tok[MAX_TOK];
};

/* An operation or an interrupt, and the interrupts under it. */
struct node {
	struct line *ln;
	int t;              /* first token of its action */
	const char *site;   /* interrupt: "SITE#N:" split */
	unsigned nth;
	int child[FZR_MAX_INNER];
	int nchild;
};

static struct {
	const char *file;
	char *text;
	struct line *lines;
	unsigned nlines;
	struct node *nodes;
	unsigned nnodes;
	int *tops;
	unsigned ntops;
	unsigned char *out;
	size_t len, cap;
} S;

__attribute__((noreturn, format(printf, 2, 3)))
static void die_at(const struct line *ln, const char *fmt, ...)
{
	va_list ap;

	if (ln)
		fprintf(stderr, "%s:%u: ", S.file, ln->no);
	else
		fprintf(stderr, "%s: ", S.file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fprintf(stderr, "uprb-script: out of memory\n");
		exit(2);
	}
	return p;
}

static void put(const void *p, size_t n)
{
	if (S.len + n > S.cap) {
		S.cap = (S.len + n) * 2 + 64;
		S.out = xrealloc(S.out, S.cap);
	}
	memcpy(S.out + S.len, p, n);
	S.len += n;
}

static void put8(unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(&b, 1);
}

static void put16(unsigned v)
{
	put8(v & 0xff);
	put8((v >> 8) & 0xff);
}

static void put64(uint64_t v)
{
	for (unsigned i = 0; i < 8; i++)
		put8((unsigned)(v >> (8 * i)) & 0xff);
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;

	if (!f) {
		fprintf(stderr, "uprb-script: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	do {
		if (n + 4096 > cap) {
			cap = 2 * cap + 4096;
			buf = xrealloc(buf, cap + 1);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	if (ferror(f)) {
		fprintf(stderr, "uprb-script: %s: read error\n", path);
		exit(2);
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* Numbers: decimal, or hex with 0x. */
static uint64_t num(const struct line *ln, const char *s, uint64_t max,
		    const char *what)
{
	uint64_t v = 0;
	unsigned base = 10, d;
	const char *p = s;

	if (!p)
		die_at(ln, "%s: number missing", what);
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (!*p)
		die_at(ln, "%s: '%s' is not a number", what, s);
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			die_at(ln, "%s: '%s' is not a number", what, s);
		if (v > (UINT64_MAX - d) / base)
			die_at(ln, "%s: '%s' is out of range", what, s);
		v = v * base + d;
	}
	if (v > max)
		die_at(ln, "%s: %s is above %llu", what, s, (unsigned long long)max);
	return v;
}

static const char *tok(const struct line *ln, int i)
{
	return i < ln->ntok ? ln->tok[i] : NULL;
}

static bool is(const struct line *ln, int i, const char *word)
{
	return i < ln->ntok && !strcmp(ln->tok[i], word);
}

/* "key value" at @i: the value, or die. */
static uint64_t keyed(const struct line *ln, int i, const char *key,
		      uint64_t max)
{
	if (!is(ln, i, key))
		die_at(ln, "expected '%s', found '%s'", key,
		       tok(ln, i) ? tok(ln, i) : "end of line");
	return num(ln, tok(ln, i + 1), max, key);
}

static void end_of_line(const struct line *ln, int i)
{
	if (i < ln->ntok)
		die_at(ln, "unexpected '%s'", ln->tok[i]);
}

static int lookup(const char *const *names, unsigned n, const char *s)
{
	for (unsigned i = 0; s && i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -1;
}

static unsigned log2_exact(uint64_t v)
{
	return (unsigned)__builtin_ctzll(v);
}

/* Text into lines of tokens; comments (#) and blank lines dropped. */
static void split(void)
{
	char *p = S.text, *next;
	unsigned no = 0;

	for (; p && *p; p = next) {
		struct line ln = { .no = ++no };
		char *c;

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
				die_at(&ln, "indent with spaces, not tabs");
			ln.indent++;
		}
		for (char *s = strtok(p, " \t\r"); s; s = strtok(NULL, " \t\r")) {
			if (ln.ntok == MAX_TOK)
				die_at(&ln, "too many words");
			ln.tok[ln.ntok++] = s;
		}
		if (!ln.ntok)
			continue;
		S.lines = xrealloc(S.lines, (S.nlines + 1) * sizeof(*S.lines));
		S.lines[S.nlines++] = ln;
	}
}

static bool is_step(const char *s)
{
	size_t n = strlen(s);

	return n > 1 && s[n - 1] == ':' && strspn(s, "0123456789") == n - 1;
}

/*
 * Lines from @from on into a tree: unindented lines are operations (an
 * optional "N:" step number is ignored), "at SITE#N: ..." lines are
 * interrupts of the write or read above them with less indentation.
 */
static void tree(unsigned from, unsigned max_children)
{
	struct { unsigned indent; int node; } stack[64];
	unsigned depth = 0;

	S.nodes = xrealloc(S.nodes, (S.nlines + 1) * sizeof(*S.nodes));
	S.tops = xrealloc(S.tops, (S.nlines + 1) * sizeof(*S.tops));
	for (unsigned i = from; i < S.nlines; i++) {
		struct line *ln = &S.lines[i];
		struct node *n = &S.nodes[S.nnodes];
		int id = (int)S.nnodes++;

		memset(n, 0, sizeof(*n));
		n->ln = ln;
		if (is(ln, 0, "at")) {
			char *s = tok(ln, 1) ? strdup(tok(ln, 1)) : NULL;
			char *hash = s ? strchr(s, '#') : NULL;
			size_t k;
			struct node *parent;

			if (!hash || !(k = strlen(hash)) || hash[k - 1] != ':')
				die_at(ln, "expected 'at SITE#N:'");
			hash[k - 1] = 0;
			*hash = 0;
			n->site = s;
			n->nth = (unsigned)num(ln, hash + 1, 1000, "occurrence");
			n->t = 2;
			while (depth && stack[depth - 1].indent >= ln->indent)
				depth--;
			if (!ln->indent || !depth)
				die_at(ln, "an interrupt must be indented under its operation");
			parent = &S.nodes[stack[depth - 1].node];
			if (parent->nchild == (int)max_children)
				die_at(ln, "at most %u interrupts under one operation",
				       max_children);
			parent->child[parent->nchild++] = id;
		} else {
			if (ln->indent)
				die_at(ln, "only interrupts ('at ...') are indented");
			n->t = is_step(ln->tok[0]) ? 1 : 0;
			if (n->t >= ln->ntok)
				die_at(ln, "step number without an operation");
			depth = 0;
			S.tops[S.ntops++] = id;
		}
		if (depth == 64)
			die_at(ln, "interrupts nested too deep");
		stack[depth].indent = ln->indent;
		stack[depth++].node = id;
	}
}

/* --- the world's targets (input.h) -------------------------------------- */

static const struct fz_profile *prof;
static unsigned nwrites, nirqs, nsources, ncpus;

static unsigned kind_index(const struct line *ln, const uint8_t *table,
			   unsigned kind, const char *where)
{
	for (unsigned i = 0; i < 8; i++)
		if (table[i] == kind)
			return i;
	die_at(ln, "'%s' is not %s of %s", fz_kind_name(kind), where, prof->name);
}

static int has_kind(const uint8_t *table, unsigned kind)
{
	for (unsigned i = 0; i < 8; i++)
		if (table[i] == kind)
			return (int)i;
	return -1;
}

static void w_action(const struct node *n, bool irq, unsigned cpu,
		     unsigned level);

/* "write [cpu J] LEVEL src S size Z": @cpu, @level are the write's own. */
static void w_write(const struct node *n, unsigned cpu, unsigned level)
{
	const struct line *ln = n->ln;
	int t = n->t + (prof->cpus > 1 ? 4 : 2);
	unsigned src, size;

	src = (unsigned)keyed(ln, t, "src", 255);
	if (src >= nsources)
		die_at(ln, "source %u not configured", src);
	size = (unsigned)keyed(ln, t + 2, "size", 65520);
	end_of_line(ln, t + 4);
	if (size < 16 || size % 8)
		die_at(ln, "size %u: a multiple of 8 from 16 to 65520", size);
	if (nwrites == FZ_MAX_WRITES)
		die_at(ln, "more than %u writes", FZ_MAX_WRITES);
	nwrites++;
	put8(src);
	if (size <= 16 + 8 * 238) {
		put8(1 + (size - 16) / 8);
	} else {
		put8(0xf0);
		put16((size - 16) / 8);
	}
	if ((unsigned)n->nchild > FZ_MAX_IRQS - nirqs)
		die_at(ln, "more than %u interrupts", FZ_MAX_IRQS);
	nirqs += (unsigned)n->nchild;
	put8((unsigned)n->nchild);
	for (int i = 0; i < n->nchild; i++) {
		const struct node *q = &S.nodes[n->child[i]];
		unsigned site;

		if (!strcmp(q->site, "any")) {
			site = FZ_SITE_ANY;
		} else {
			site = uprb_site_lookup(q->site);
			if (site >= FZ_WRITER_SITES)
				die_at(q->ln, "'%s' is not a writer site of port.h",
				       q->site);
		}
		if (q->nth < 1 || q->nth > 128)
			die_at(q->ln, "occurrence %u: 1 to 128", q->nth);
		put8(site);
		put8(q->nth <= 4 ? q->nth - 1 : 0x80 + q->nth - 1);
		w_action(q, true, cpu, level);
	}
}

/* "cpu J" at @t of a multi-CPU target's write or pause: J; else 0. */
static unsigned w_cpu(const struct line *ln, int t)
{
	unsigned j;

	if (prof->cpus <= 1)
		return 0;
	j = (unsigned)keyed(ln, t, "cpu", 255);
	if (j >= ncpus)
		die_at(ln, "cpu %u: %u CPUs configured ('cpus N')", j, ncpus);
	return j;
}

/* @cpu, @level: the writer an interrupt action interrupts. */
static void w_action(const struct node *n, bool irq, unsigned cpu,
		     unsigned level)
{
	const struct line *ln = n->ln;
	const uint8_t *table = irq ? prof->acts : prof->ops;
	const char *where = irq ? "an interrupt action" : "an operation";
	const char *w = tok(ln, n->t);
	int t = n->t + 1, k;

	if (!strcmp(w, "write")) {
		unsigned on = w_cpu(ln, t);
		int lv;

		if (prof->cpus > 1)
			t += 2;
		lv = lookup((const char *const[]){ "task", "softirq",
				"hardirq", "NMI" }, UPRB_LEVEL_COUNT, tok(ln, t));
		if (lv < 0)
			die_at(ln, "write needs a level: task, softirq, hardirq, NMI");
		put8(kind_index(ln, table, FZ_WRITE, where));
		if (prof->cpus > 1)
			put8(on);
		if (!irq || on != cpu) {
			if (lv != UPRB_LEVEL_TASK)
				die_at(ln, "%s write at task level", irq ?
				       "writes on another CPU" : "operations");
		} else {
			if (level >= UPRB_LEVEL_NMI)
				die_at(ln, "nothing nests inside an NMI");
			if ((unsigned)lv <= level)
				die_at(ln, "a nested write goes above %s",
				       fz_level_name(level));
			put8((unsigned)lv - level - 1);
		}
		w_write(n, on, (unsigned)lv);
		return;
	}
	if (n->nchild)
		die_at(S.nodes[n->child[0]].ln, "only a write has interrupts");
	if (!strcmp(w, "nop")) {
		end_of_line(ln, t);
		k = has_kind(table, FZ_NOP);
		if (k >= 0) {
			put8((unsigned)k);
		} else if (irq && level >= UPRB_LEVEL_NMI) {
			/* A write inside an NMI decodes as nothing. */
			put8(kind_index(ln, table, FZ_WRITE, where));
			if (prof->cpus > 1)
				put8(cpu);
		} else if (nwrites == FZ_MAX_WRITES) {
			/* So does a write once the write table is full. */
			put8(kind_index(ln, table, FZ_WRITE, where));
			if (prof->cpus > 1)
				put8(cpu);
			if (irq)
				put8(0);
		} else {
			die_at(ln, "'nop' is not %s of %s here", where, prof->name);
		}
	} else if (!strcmp(w, "consume")) {
		put8(kind_index(ln, table, FZ_CONSUME, where));
		put8((unsigned)num(ln, tok(ln, t), 255, "consume"));
		end_of_line(ln, t + 1);
	} else if (!strcmp(w, "pause") || !strcmp(w, "resume")) {
		put8(kind_index(ln, table, FZ_PAUSE, where));
		if (!irq && prof->cpus > 1) {
			/* At top level it names its CPU; inside a writer, the writer's. */
			put8(w_cpu(ln, t));
			t += 2;
		}
		put8(w[0] == 'p');
		end_of_line(ln, t);
	} else if (!strcmp(w, "tail")) {
		static const char *const how[] = { "behind", "lap", "ahead",
						   "unaligned", "huge", "honest" };

		k = lookup(how, FZ_TAIL_COUNT, tok(ln, t));
		if (k < 0)
			die_at(ln, "tail: behind, lap, ahead, unaligned, huge or honest");
		put8(kind_index(ln, table, FZ_TAIL, where));
		put8((unsigned)k);
		if (k == FZ_TAIL_HUGE)
			put64(num(ln, tok(ln, t + 1), UINT64_MAX, "tail"));
		else
			put16((unsigned)num(ln, tok(ln, t + 1), 0xffff, "tail"));
		end_of_line(ln, t + 2);
	} else if (!strcmp(w, "scribble")) {
		static const char *const how[] = { "set", "ahead", "behind",
						   "unaligned" };

		k = lookup(how, FZ_HEAD_COUNT, tok(ln, t));
		if (k < 0)
			die_at(ln, "scribble: set, ahead, behind or unaligned");
		put8(kind_index(ln, table, FZ_SCRIBBLE, where));
		put8((unsigned)k);
		if (k == FZ_HEAD_SET)
			put64(num(ln, tok(ln, t + 1), UINT64_MAX, "scribble"));
		else
			put16((unsigned)num(ln, tok(ln, t + 1), 0xffff, "scribble"));
		end_of_line(ln, t + 2);
	} else if (!strcmp(w, "visible")) {
		int cpu = lookup((const char *const[]){ "writer", "consumer" },
				 2, tok(ln, t));
		unsigned count = (unsigned)num(ln, tok(ln, t + 1), 8, "visible");

		if (cpu < 0)
			die_at(ln, "visible: writer or consumer, a count 1..8, pick N");
		if (!count || !is(ln, t + 2, "pick"))
			die_at(ln, "expected 'visible writer|consumer COUNT pick N'");
		put8(kind_index(ln, table, FZ_VISIBLE, where));
		put8((unsigned)cpu | (count - 1) << 1 |
		     (unsigned)num(ln, tok(ln, t + 3), 15, "pick") << 4);
		end_of_line(ln, t + 4);
	} else {
		die_at(ln, "unknown operation '%s'", w);
	}
}

static void w_config(unsigned *from)
{
	static const char *const dirs[] = { "forward", "backward" };
	static const char *const ows[] = { "non-overwrite", "overwrite" };
	static const uint64_t sbits[6] = {
		PERF_SAMPLE_TID, PERF_SAMPLE_TIME, PERF_SAMPLE_ID,
		PERF_SAMPLE_STREAM_ID, PERF_SAMPLE_CPU, PERF_SAMPLE_IDENTIFIER,
	};
	uint64_t page = 64, pages = 1, wm = 0;
	int dir = 0, ow = 0, drop = 0;
	unsigned i = *from, nsrc = 0;
	unsigned char srcb[FZ_MAX_SOURCES][3];

	if (i < S.nlines && is(&S.lines[i], 0, "ring")) {
		const struct line *ln = &S.lines[i++];

		for (int t = 1; t < ln->ntok; t++) {
			int k;

			if (is(ln, t, "page")) {
				unsigned sizes = prof->page_sizes ? prof->page_sizes : 7;

				page = num(ln, tok(ln, ++t), 64u << (sizes - 1), "page");
				if (page < 64 || page & (page - 1))
					die_at(ln, "page: 64, 128, ... %u", 64u << (sizes - 1));
			} else if (is(ln, t, "pages")) {
				pages = num(ln, tok(ln, ++t), 8, "pages");
				if (pages & (pages - 1))
					die_at(ln, "pages: 0, 1, 2, 4 or 8");
			} else if (is(ln, t, "watermark")) {
				wm = num(ln, tok(ln, ++t), 8 * 255, "watermark");
				if (wm % 8)
					die_at(ln, "watermark: a multiple of 8");
			} else if ((k = lookup(dirs, 2, tok(ln, t))) >= 0) {
				dir = k;
			} else if ((k = lookup(ows, 2, tok(ln, t))) >= 0) {
				ow = k;
			} else if (is(ln, t, "oversize-drop")) {
				drop = 1;
			} else {
				die_at(ln, "unexpected '%s' in ring", tok(ln, t));
			}
			if ((dir || ow) && prof->forward_only)
				die_at(ln, "%s rings are forward non-overwrite", prof->name);
		}
	}
	for (; i < S.nlines && is(&S.lines[i], 0, "source"); i++) {
		const struct line *ln = &S.lines[i];
		uint64_t id, st, we = 0, size = 16, base;
		bool sia = false;
		unsigned tb = 0;
		int t;

		if (nsrc == FZ_MAX_SOURCES)
			die_at(ln, "at most %u sources", FZ_MAX_SOURCES);
		if (num(ln, tok(ln, 1), 255, "source") != nsrc)
			die_at(ln, "sources are numbered 0, 1, ... in order");
		base = 0x100u * (nsrc + 1);
		id = keyed(ln, 2, "id", UINT64_MAX);
		if (id < base || id > base + 255)
			die_at(ln, "id of source %u: %#llx to %#llx", nsrc,
			       (unsigned long long)base,
			       (unsigned long long)base + 255);
		st = keyed(ln, 4, "sample_type", UINT64_MAX);
		for (unsigned k = 0; k < 6; k++)
			if (st & sbits[k]) {
				tb |= 1u << k;
				st &= ~sbits[k];
			}
		if (st)
			die_at(ln, "sample_type: only TID TIME ID STREAM_ID CPU "
			       "IDENTIFIER bits");
		for (t = 6; t < ln->ntok; t++) {
			if (is(ln, t, "sample_id_all")) {
				sia = true;
			} else if (is(ln, t, "wakeup_events")) {
				we = num(ln, tok(ln, ++t), 3, "wakeup_events");
			} else if (is(ln, t, "size")) {
				size = num(ln, tok(ln, ++t), 16 + 8 * 63, "size");
				if (size < 16 || size % 8)
					die_at(ln, "size: a multiple of 8 from 16 to 520");
			} else {
				die_at(ln, "unexpected '%s' in source", tok(ln, t));
			}
		}
		srcb[nsrc][0] = (unsigned char)(id - base);
		srcb[nsrc][1] = (unsigned char)(tb | (sia ? 0x40 : 0));
		srcb[nsrc][2] = (unsigned char)(we | (size - 16) / 8 << 2);
		nsrc++;
	}
	if (!nsrc) {
		/* No source line: the one that zero bytes decode to. */
		memset(srcb[0], 0, sizeof(srcb[0]));
		nsrc = 1;
	}
	ncpus = 1;
	if (i < S.nlines && is(&S.lines[i], 0, "cpus")) {
		const struct line *ln = &S.lines[i++];

		if (prof->cpus <= 1)
			die_at(ln, "%s runs one CPU", prof->name);
		ncpus = (unsigned)num(ln, tok(ln, 1), prof->cpus, "cpus");
		if (!ncpus)
			die_at(ln, "cpus: 1 to %u", prof->cpus);
		end_of_line(ln, 2);
	}
	put8(log2_exact(page / 64));
	put8(pages == 0 ? 4 : log2_exact(pages));
	put8((unsigned)(dir | ow << 1 | drop << 2));
	put8((unsigned)(wm / 8));
	put8(nsrc - 1);
	for (unsigned k = 0; k < nsrc; k++)
		put(srcb[k], 3);
	if (prof->cpus > 1)
		put8(ncpus - 1);
	*from = i;
	nsources = nsrc;
}

static void encode_world(void)
{
	unsigned from = 0;

	w_config(&from);
	tree(from, 3);
	if (S.ntops > FZ_MAX_OPS)
		die_at(S.nodes[S.tops[FZ_MAX_OPS]].ln, "more than %u operations",
		       FZ_MAX_OPS);
	for (unsigned i = 0; i < S.ntops; i++)
		w_action(&S.nodes[S.tops[i]], false, 0, UPRB_LEVEL_COUNT);
}

/* --- fuzz_reader_corrupt (rinput.h) ------------------------------------- */

static int r_mode;

static void r_act(const struct node *n, bool inner)
{
	/* Indices into the decoder's tables (rinput.h). */
	static const uint8_t op_index[FZR_KIND_COUNT] = {
		[FZR_WRITE] = 0, [FZR_READ] = 3, [FZR_CORRUPT] = 5,
		[FZR_SCRIBBLE] = 6, [FZR_RESYNC] = 7,
	};
	static const uint8_t inner_index[FZR_KIND_COUNT] = {
		[FZR_SCRIBBLE] = 0, [FZR_CORRUPT] = 1, [FZR_WRITE] = 2,
	};
	const struct line *ln = n->ln;
	int t = n->t + 1, k = lookup(fzr_kind_names, FZR_KIND_COUNT, tok(ln, n->t));

	if (k < 0)
		die_at(ln, "unknown operation '%s'", tok(ln, n->t));
	if (inner && (k == FZR_READ || k == FZR_RESYNC))
		die_at(ln, "'%s' cannot run inside a read window", tok(ln, n->t));
	if (n->nchild && k != FZR_READ)
		die_at(S.nodes[n->child[0]].ln, "only a read has interrupts");
	if (k == FZR_NOP) {
		/* A write decodes as nothing where no writer is. */
		if (r_mode == FZR_WRITTEN)
			die_at(ln, "'nop' is only in bytes and raw rings");
		put8(inner ? inner_index[FZR_WRITE] : op_index[FZR_WRITE]);
		end_of_line(ln, t);
		return;
	}
	put8(inner ? inner_index[k] : op_index[k]);
	switch (k) {
	case FZR_WRITE: {
		unsigned size = (unsigned)keyed(ln, t, "size", 16 + 8 * 8188);

		if (r_mode != FZR_WRITTEN)
			die_at(ln, "no writer in a %s ring", fzr_mode_names[r_mode]);
		if (size < 16 || size % 8)
			die_at(ln, "size %u: a multiple of 8 from 16 to 65520", size);
		if ((size - 16) / 8 < 0xf0) {
			put8((size - 16) / 8);
		} else {
			put8(0xf0);
			put16((size - 16) / 8);
		}
		end_of_line(ln, t + 2);
		break;
	}
	case FZR_READ: {
		unsigned flags = 0;

		if (is(ln, t, "all")) {
			t++;
		} else {
			flags = (unsigned)keyed(ln, t, "max", FZR_READ_MAX);
			if (!flags)
				die_at(ln, "max 0 is 'read all'");
			t += 2;
		}
		for (; t < ln->ntok; t++) {
			if (is(ln, t, "resync"))
				flags |= FZR_READ_RESYNC;
			else if (is(ln, t, "keep"))
				flags |= FZR_READ_KEEP;
			else
				die_at(ln, "unexpected '%s' in read", tok(ln, t));
		}
		put8(flags);
		put8((unsigned)n->nchild);
		for (int i = 0; i < n->nchild; i++) {
			const struct node *q = &S.nodes[n->child[i]];

			if (strcmp(q->site, "event"))
				die_at(q->ln, "a read's interrupts are 'at event#N:'");
			if (q->nth < 1 || q->nth > 64)
				die_at(q->ln, "event#%u: 1 to 64", q->nth);
			put8(q->nth - 1);
			r_act(q, true);
		}
		break;
	}
	case FZR_CORRUPT: {
		int how = lookup(fzr_corrupt_names, FZR_CORRUPT_COUNT, tok(ln, t));

		if (how < 0)
			die_at(ln, "corrupt: flip, zero, size or straddle");
		put8((unsigned)how);
		t++;
		if (how == FZR_FLIP) {
			unsigned m;

			put16((unsigned)num(ln, tok(ln, t), 0xffff, "flip"));
			m = (unsigned)keyed(ln, t + 1, "mask", 0xff);
			if (!m)
				die_at(ln, "mask 0 flips nothing");
			put8(m);
			end_of_line(ln, t + 3);
			break;
		}
		put8((unsigned)keyed(ln, t, "rec", 255));
		t += 2;
		if (how == FZR_SIZE) {
			int to;

			if (!is(ln, t, "to"))
				die_at(ln, "corrupt size rec N to WHAT");
			to = lookup(fzr_size_names, FZR_TO_COUNT, tok(ln, t + 1));
			if (to < 0)
				die_at(ln, "size to: 0, 4, 12, huge, ring, ring+8, "
				       "past-head or value N");
			put8((unsigned)to);
			t += 2;
			if (to == FZR_TO_VALUE)
				put16((unsigned)num(ln, tok(ln, t++), 0xffff, "value"));
		}
		end_of_line(ln, t);
		break;
	}
	case FZR_SCRIBBLE: {
		int how = lookup(fzr_head_names, FZR_HEAD_COUNT, tok(ln, t));
		static const uint64_t max[FZR_HEAD_COUNT] = {
			UINT64_MAX, 0xffff, 0xffff, 0xff, 0,
		};

		if (how < 0)
			die_at(ln, "scribble: set, ahead, behind, unaligned or mid");
		put8((unsigned)how);
		t++;
		if (how == FZR_MID) {
			put8((unsigned)keyed(ln, t, "rec", 255));
			t += 2;
		} else {
			uint64_t v = num(ln, tok(ln, t++), max[how], "scribble");

			if (how == FZR_SET)
				put64(v);
			else if (how == FZR_UNALIGNED)
				put8((unsigned)v);
			else
				put16((unsigned)v);
		}
		end_of_line(ln, t);
		break;
	}
	default:
		end_of_line(ln, t);
		break;
	}
}

static unsigned hexval(const struct line *ln, char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (unsigned)(c - 'A' + 10);
	die_at(ln, "fill: '%c' is not a hex digit", c);
}

static void encode_reader(void)
{
	static const char *const dirs[] = { "forward", "backward" };
	static const char *const ows[] = { "non-overwrite", "overwrite" };
	uint64_t page = 64, pages = 1, id = 0x100, st = 0, off = 0, size = 1;
	uint64_t len = 0, tail = 0, head = 0;
	int dir = 0, ow = 0, legacy = 0, sia = 0;
	unsigned i = 0;
	const struct line *ln;

	if (!S.nlines || !is(&S.lines[0], 0, "ring"))
		die_at(S.nlines ? &S.lines[0] : NULL,
		       "the text starts with 'ring written|bytes|raw ...'");
	ln = &S.lines[i++];
	r_mode = lookup(fzr_mode_names, FZR_MODE_COUNT, tok(ln, 1));
	if (r_mode < 0)
		die_at(ln, "ring: written, bytes or raw");
	for (int t = 2; t < ln->ntok; t++) {
		const char *w = tok(ln, t);
		int k;

		if ((k = lookup(dirs, 2, w)) >= 0) {
			dir = k;
		} else if ((k = lookup(ows, 2, w)) >= 0) {
			ow = k;
		} else if (r_mode != FZR_RAW && !strcmp(w, "page")) {
			page = num(ln, tok(ln, ++t), 4096, "page");
			if (page < 64 || page & (page - 1))
				die_at(ln, "page: 64, 128, ... 4096");
		} else if (r_mode != FZR_RAW && !strcmp(w, "pages")) {
			pages = num(ln, tok(ln, ++t), 8, "pages");
			if (pages & (pages - 1))
				die_at(ln, "pages: 0, 1, 2, 4 or 8");
		} else if (r_mode == FZR_WRITTEN && !strcmp(w, "id")) {
			id = num(ln, tok(ln, ++t), 0x1ff, "id");
			if (id < 0x100)
				die_at(ln, "id: 0x100 to 0x1ff");
		} else if (r_mode == FZR_WRITTEN && !strcmp(w, "sample_type")) {
			st = num(ln, tok(ln, ++t), UINT64_MAX, "sample_type");
		} else if (r_mode == FZR_WRITTEN && !strcmp(w, "sample_id_all")) {
			sia = 1;
		} else if (r_mode == FZR_BYTES && !strcmp(w, "legacy")) {
			legacy = 1;
		} else if (r_mode == FZR_RAW && !strcmp(w, "data_offset")) {
			off = num(ln, tok(ln, ++t), 0xffff, "data_offset");
		} else if (r_mode == FZR_RAW && !strcmp(w, "data_size")) {
			size = num(ln, tok(ln, ++t), 0xffffffff, "data_size");
		} else if (r_mode == FZR_RAW && !strcmp(w, "len")) {
			len = num(ln, tok(ln, ++t), UINT64_MAX, "len");
		} else if (r_mode != FZR_WRITTEN && !strcmp(w, "tail")) {
			tail = num(ln, tok(ln, ++t), UINT64_MAX, "tail");
		} else if (r_mode != FZR_WRITTEN && !strcmp(w, "head")) {
			head = num(ln, tok(ln, ++t), UINT64_MAX, "head");
		} else {
			die_at(ln, "unexpected '%s' in a %s ring", w,
			       fzr_mode_names[r_mode]);
		}
	}
	put8((unsigned)((r_mode == FZR_WRITTEN ? 0 : r_mode == FZR_BYTES ? 2 : 3) |
			dir << 2 | ow << 3));
	if (r_mode != FZR_RAW) {
		put8(log2_exact(page / 64) | (legacy ? 0x80 : 0));
		put8(pages == 0 ? 4 : log2_exact(pages));
	}
	if (r_mode == FZR_WRITTEN) {
		static const uint64_t sbits[6] = {
			PERF_SAMPLE_TID, PERF_SAMPLE_TIME, PERF_SAMPLE_ID,
			PERF_SAMPLE_STREAM_ID, PERF_SAMPLE_CPU,
			PERF_SAMPLE_IDENTIFIER,
		};
		unsigned tb = 0;

		for (unsigned k = 0; k < 6; k++)
			if (st & sbits[k]) {
				tb |= 1u << k;
				st &= ~sbits[k];
			}
		if (st)
			die_at(ln, "sample_type: only TID TIME ID STREAM_ID CPU "
			       "IDENTIFIER bits");
		put8((unsigned)(id - 0x100));
		put8(tb | (sia ? 0x40 : 0));
	} else {
		unsigned nfill = 0;

		if (r_mode == FZR_RAW) {
			int64_t delta = (int64_t)len - (int64_t)(off +
				(size < FZR_RAW_SIZE_CAP ? size : FZR_RAW_SIZE_CAP));

			if (len > 0x7fffffff || delta < -32768 || delta > 32767)
				die_at(ln, "len: within 32768 bytes of data_offset + "
				       "data_size (at most 65536 of it)");
			put16((unsigned)off);
			if (size && !(size & (size - 1)) && size <= 65536) {
				put8(log2_exact(size));
			} else {
				put8(0x80);
				put16((unsigned)(size & 0xffff));
				put16((unsigned)(size >> 16));
			}
			put16((unsigned)(uint16_t)(int16_t)delta);
		}
		/* tail and head as absolute values: how 3. */
		put8(3);
		put64(tail);
		put8(3);
		put64(head);
		if (i < S.nlines && is(&S.lines[i], 0, "fill")) {
			const struct line *fl = &S.lines[i++];
			const char *h = tok(fl, 2);
			size_t n = h ? strlen(h) : 0;

			nfill = (unsigned)num(fl, tok(fl, 1), FZR_MAX_FILL, "fill");
			if (!nfill || n % 2 || n / 2 > nfill || fl->ntok > 3)
				die_at(fl, "fill N [HEX]: N bytes from 1 to %u, the "
				       "first of them as hex pairs, the rest zero",
				       FZR_MAX_FILL);
			put16(nfill);
			for (size_t k = 0; k < n; k += 2)
				put8(hexval(fl, h[k]) << 4 | hexval(fl, h[k + 1]));
			for (size_t k = n / 2; k < nfill; k++)
				put8(0);
		} else {
			put16(0);
		}
	}
	tree(i, FZR_MAX_INNER);
	if (S.ntops > FZR_MAX_OPS)
		die_at(S.nodes[S.tops[FZR_MAX_OPS]].ln, "more than %u operations",
		       FZR_MAX_OPS);
	for (unsigned k = 0; k < S.ntops; k++)
		r_act(&S.nodes[S.tops[k]], false);
}

/* --- commands ------------------------------------------------------------ */

static int usage(void)
{
	fprintf(stderr,
		"usage: uprb-script decode [--target NAME] FILE\n"
		"       uprb-script encode [--target NAME] TEXT -o OUT\n"
		"       uprb-script targets\n");
	return 2;
}

static bool known(const char *t)
{
	for (unsigned i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		if (!strcmp(targets[i], t))
			return true;
	return false;
}

static int decode(const char *target, const char *path)
{
	size_t len;
	unsigned char *data = (unsigned char *)read_all(path, &len);

	printf("target %s\n", target);
	if (!strcmp(target, "fuzz_reader_corrupt")) {
		static struct fzr_program p;

		fzr_decode(&p, data, len);
		fzr_program_print(stdout, &p);
	} else {
		static struct fz_program p;

		fz_decode(&p, fz_profile_find(target), data, len);
		fz_program_print(stdout, &p);
	}
	free(data);
	return fflush(stdout) ? 2 : 0;
}

static int encode(const char *target, const char *path, const char *out)
{
	size_t len;
	FILE *f;

	S.file = path;
	S.text = read_all(path, &len);
	if (strlen(S.text) != len)
		die_at(NULL, "not a text file (NUL byte)");
	split();
	/* "target NAME" first: the text says which layout it is. */
	if (S.nlines && is(&S.lines[0], 0, "target")) {
		const struct line *ln = &S.lines[0];

		if (ln->ntok != 2 || !known(ln->tok[1]))
			die_at(ln, "target: one of fuzz_writer_nest, "
			       "fuzz_writer_tail, fuzz_reader_corrupt, fuzz_weak_memory, "
			       "fuzz_multi_cpu, fuzz_loss_wakeup");
		if (target && strcmp(target, ln->tok[1]))
			die_at(ln, "text is for %s, --target says %s", ln->tok[1],
			       target);
		target = ln->tok[1];
		memmove(S.lines, S.lines + 1, --S.nlines * sizeof(*S.lines));
	}
	if (!target)
		target = "fuzz_writer_nest";
	if (!strcmp(target, "fuzz_reader_corrupt")) {
		encode_reader();
	} else {
		prof = fz_profile_find(target);
		encode_world();
	}
	f = fopen(out, "wb");
	if (!f || fwrite(S.out, 1, S.len, f) != S.len || fclose(f)) {
		fprintf(stderr, "uprb-script: %s: %s\n", out, strerror(errno));
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *target = NULL, *out = NULL, *in = NULL;
	int i;

	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "targets")) {
		for (unsigned k = 0; k < sizeof(targets) / sizeof(targets[0]); k++)
			printf("%s\n", targets[k]);
		return 0;
	}
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--target") && i + 1 < argc) {
			target = argv[++i];
			if (!known(target)) {
				fprintf(stderr, "uprb-script: unknown target %s "
					"(uprb-script targets)\n", target);
				return 2;
			}
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (argv[i][0] == '-' || in) {
			return usage();
		} else {
			in = argv[i];
		}
	}
	if (!in)
		return usage();
	if (!strcmp(argv[1], "decode") && !out)
		return decode(target ? target : "fuzz_writer_nest", in);
	if (!strcmp(argv[1], "encode") && out)
		return encode(target, in, out);
	return usage();
}
