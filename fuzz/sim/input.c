/* SPDX-License-Identifier: MIT */
/*
 * input.c - the total decoder of fuzz inputs (format in input.h) and a
 * printer for the programs it produces.
 */
#include <inttypes.h>
#include <string.h>

#include "input.h"

uint16_t fz_u16(struct fz_in *in)
{
	uint16_t lo = fz_u8(in);

	return (uint16_t)(lo | (uint16_t)fz_u8(in) << 8);
}

uint64_t fz_u64(struct fz_in *in)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)fz_u8(in) << (8 * i);
	return v;
}

static const uint64_t trailer_bits[6] = {
	PERF_SAMPLE_TID, PERF_SAMPLE_TIME, PERF_SAMPLE_ID,
	PERF_SAMPLE_STREAM_ID, PERF_SAMPLE_CPU, PERF_SAMPLE_IDENTIFIER,
};

static void decode_config(struct fz_config *c, const struct fz_profile *prof,
			  struct fz_in *in)
{
	static const uint32_t pages[5] = { 1, 2, 4, 8, 0 };
	unsigned sizes = prof->page_sizes ? prof->page_sizes : 7;
	uint8_t b;

	memset(c, 0, sizeof(*c));
	c->page_size = UPRB_MIN_PAGE_SIZE << (fz_u8(in) % sizes);
	c->nr_pages = pages[fz_u8(in) % 5];
	b = fz_u8(in);
	c->backward = !prof->forward_only && (b & 1);
	c->overwrite = !prof->forward_only && (b & 2);
	c->oversize_drop = b & 4;
	c->watermark = 8u * fz_u8(in);
	c->nsrc = 1 + fz_u8(in) % FZ_MAX_SOURCES;
	for (unsigned i = 0; i < c->nsrc; i++) {
		struct fz_src_cfg *s = &c->src[i];

		s->id = 0x100u * (i + 1) + fz_u8(in);
		b = fz_u8(in);
		for (unsigned k = 0; k < 6; k++)
			if (b & (1u << k))
				s->sample_type |= trailer_bits[k];
		s->sample_id_all = b & 0x40;
		b = fz_u8(in);
		s->wakeup_events = b % 4;
		s->size = (uint16_t)(16 + 8 * (b >> 2));
	}
	c->ncpu = 1;
	c->cpu_bytes = prof->cpus > 1;
	if (c->cpu_bytes)
		c->ncpu = 1 + fz_u8(in) % prof->cpus;
}

struct decoder {
	struct fz_program *prog;
	const struct fz_profile *prof;
	struct fz_in in;
};

static void decode_action(struct decoder *d, struct fz_action *a,
			  unsigned kind, unsigned cpu, unsigned level);

/* [cpu]: the CPU an operation or action names (0 without CPU bytes). */
static unsigned decode_cpu(struct decoder *d)
{
	const struct fz_config *c = &d->prog->cfg;

	return c->cpu_bytes ? fz_u8(&d->in) % c->ncpu : 0;
}

/* A write at @level on @cpu; returns its index, or -1 once the table is full. */
static int decode_write(struct decoder *d, unsigned cpu, unsigned level)
{
	struct fz_program *p = d->prog;
	struct fz_write *w;
	unsigned code, nirq;
	uint8_t b;
	int idx;

	if (p->nwrites == FZ_MAX_WRITES)
		return -1;
	idx = (int)p->nwrites++;
	w = &p->writes[idx];
	w->cpu = (uint8_t)cpu;
	w->level = (uint8_t)level;
	w->src = (uint8_t)(fz_u8(&d->in) % p->cfg.nsrc);
	code = fz_u8(&d->in);
	if (code == 0)
		w->size = p->cfg.src[w->src].size;
	else if (code < 0xf0)
		w->size = (uint16_t)(16 + 8 * (code - 1));
	else
		w->size = (uint16_t)(16 + 8 * (fz_u16(&d->in) % 8189));
	nirq = fz_u8(&d->in) % 4;
	if (nirq > FZ_MAX_IRQS - p->nirqs)
		nirq = FZ_MAX_IRQS - p->nirqs;
	/* Claim the slots first: nested writes take theirs after ours. */
	w->irq = (uint16_t)p->nirqs;
	w->nirq = (uint16_t)nirq;
	p->nirqs += nirq;
	for (unsigned i = 0; i < nirq; i++) {
		struct fz_irq *q = &p->irqs[w->irq + i];

		q->site = (uint8_t)(fz_u8(&d->in) % (FZ_WRITER_SITES + 1));
		/* Most sites come once or twice per write; copies many times. */
		b = fz_u8(&d->in);
		q->nth = (uint16_t)(b < 0x80 ? 1 + (b & 3) : 1 + (b & 0x7f));
		decode_action(d, &q->act, d->prof->acts[fz_u8(&d->in) % 8],
			      cpu, level);
	}
	return idx;
}

/* @cpu, @level: the writer the action interrupts; level COUNT: top level. */
static void decode_action(struct decoder *d, struct fz_action *a,
			  unsigned kind, unsigned cpu, unsigned level)
{
	bool top = level == UPRB_LEVEL_COUNT;

	memset(a, 0, sizeof(*a));
	a->kind = (uint8_t)(kind < FZ_KIND_COUNT ? kind : FZ_NOP);
	switch (a->kind) {
	case FZ_WRITE: {
		unsigned on = decode_cpu(d);
		int w;

		/* Top-level writes are task level; interrupts go higher. */
		if (top || on != cpu) {
			/* Another CPU: a write there, as from its task. */
			level = UPRB_LEVEL_TASK;
		} else if (level >= UPRB_LEVEL_NMI) {
			/* Nothing nests inside an NMI. */
			a->kind = FZ_NOP;
			break;
		} else {
			level = level + 1 +
				fz_u8(&d->in) % (UPRB_LEVEL_NMI - level);
		}
		w = decode_write(d, on, level);
		if (w < 0)
			a->kind = FZ_NOP;
		else
			a->write = (uint16_t)w;
		break;
	}
	case FZ_CONSUME:
		a->arg8 = fz_u8(&d->in);
		break;
	case FZ_PAUSE:
		a->cpu = (uint8_t)(top ? decode_cpu(d) : cpu);
		a->arg8 = fz_u8(&d->in) & 1;
		break;
	case FZ_TAIL:
		a->arg8 = fz_u8(&d->in) % FZ_TAIL_COUNT;
		a->arg = a->arg8 == FZ_TAIL_HUGE ? fz_u64(&d->in) :
						   fz_u16(&d->in);
		break;
	case FZ_SCRIBBLE:
		a->arg8 = fz_u8(&d->in) % FZ_HEAD_COUNT;
		a->arg = a->arg8 == FZ_HEAD_SET ? fz_u64(&d->in) :
						  fz_u16(&d->in);
		break;
	case FZ_VISIBLE:
		a->arg8 = fz_u8(&d->in);
		break;
	default:
		break;
	}
}

void fz_decode(struct fz_program *prog, const struct fz_profile *prof,
	       const uint8_t *data, size_t len)
{
	struct decoder d = { .prog = prog, .prof = prof,
			     .in = { .p = data, .len = len } };

	prog->nops = prog->nwrites = prog->nirqs = 0;
	decode_config(&prog->cfg, prof, &d.in);
	while (fz_more(&d.in) && prog->nops < FZ_MAX_OPS) {
		struct fz_action *a = &prog->ops[prog->nops++];

		/* UPRB_LEVEL_COUNT: "no writer yet", a write is task level. */
		decode_action(&d, a, prof->ops[fz_u8(&d.in) % 8], 0,
			      UPRB_LEVEL_COUNT);
	}
}

const char *fz_kind_name(unsigned kind)
{
	static const char *const names[] = { "nop", "write", "consume",
					     "pause", "tail", "scribble",
					     "visible" };

	return kind < FZ_KIND_COUNT ? names[kind] : "?";
}

const char *fz_site_label(unsigned site)
{
	return site == FZ_SITE_ANY ? "any" : uprb_site_name((enum uprb_site)site);
}

static void print_action(FILE *f, const struct fz_program *p,
			 const struct fz_action *a, unsigned indent, bool top);

static void print_write(FILE *f, const struct fz_program *p,
			const struct fz_write *w, unsigned indent)
{
	if (p->cfg.cpu_bytes)
		fprintf(f, "write cpu %u %s src %u size %u\n", w->cpu,
			fz_level_name(w->level), w->src, w->size);
	else
		fprintf(f, "write %s src %u size %u\n", fz_level_name(w->level),
			w->src, w->size);
	for (unsigned i = 0; i < w->nirq; i++) {
		const struct fz_irq *q = &p->irqs[w->irq + i];

		fprintf(f, "%*sat %s#%u: ", (int)indent + 2, "",
			fz_site_label(q->site), q->nth);
		print_action(f, p, &q->act, indent + 2, false);
	}
}

static void print_action(FILE *f, const struct fz_program *p,
			 const struct fz_action *a, unsigned indent, bool top)
{
	static const char *const tails[] = { "behind", "lap", "ahead",
					     "unaligned", "huge", "honest" };
	static const char *const heads[] = { "set", "ahead", "behind",
					     "unaligned" };

	switch (a->kind) {
	case FZ_WRITE:
		print_write(f, p, &p->writes[a->write], indent);
		break;
	case FZ_CONSUME:
		fprintf(f, "consume %u\n", a->arg8);
		break;
	case FZ_PAUSE:
		if (top && p->cfg.cpu_bytes)
			fprintf(f, "%s cpu %u\n", a->arg8 ? "pause" : "resume",
				a->cpu);
		else
			fprintf(f, "%s\n", a->arg8 ? "pause" : "resume");
		break;
	case FZ_TAIL:
		fprintf(f, "tail %s %#" PRIx64 "\n", tails[a->arg8], a->arg);
		break;
	case FZ_SCRIBBLE:
		fprintf(f, "scribble %s %#" PRIx64 "\n", heads[a->arg8], a->arg);
		break;
	case FZ_VISIBLE:
		fprintf(f, "visible %s %u pick %u\n",
			a->arg8 & 1 ? "consumer" : "writer",
			1 + (a->arg8 >> 1 & 7), a->arg8 >> 4);
		break;
	default:
		fprintf(f, "nop\n");
		break;
	}
}

void fz_program_print(FILE *f, const struct fz_program *p)
{
	const struct fz_config *c = &p->cfg;

	fprintf(f, "ring page %u pages %u %s %s%s watermark %u\n",
		c->page_size, c->nr_pages, c->backward ? "backward" : "forward",
		c->overwrite ? "overwrite" : "non-overwrite",
		c->oversize_drop ? " oversize-drop" : "", c->watermark);
	for (unsigned i = 0; i < c->nsrc; i++)
		fprintf(f, "source %u id %#" PRIx64 " sample_type %#" PRIx64
			"%s wakeup_events %u size %u\n",
			i, c->src[i].id, c->src[i].sample_type,
			c->src[i].sample_id_all ? " sample_id_all" : "",
			c->src[i].wakeup_events, c->src[i].size);
	if (c->cpu_bytes)
		fprintf(f, "cpus %u\n", c->ncpu);
	for (unsigned i = 0; i < p->nops; i++) {
		fprintf(f, "%u: ", i + 1);
		print_action(f, p, &p->ops[i], 0, true);
	}
}
