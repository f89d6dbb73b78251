/* SPDX-License-Identifier: MIT */
/* diff.c - the differential mode's record and compare (diff.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "input.h"
#include "model.h"

/* One recorded point: the scalars, and the ring bytes in pool[]. */
struct point {
	struct fz_diff_view v;
	size_t off;
};

#define MAX_STEPS (FZ_MAX_OPS + 1)
#define MAX_IRQS (FZ_MAX_IRQS * 4u)

static struct {
	unsigned pass;
	struct point pt[FZ_MAX_CPUS][MAX_STEPS];
	unsigned char pool[FZ_MAX_CPUS][MAX_STEPS][MODEL_MAX_RING];
	/* the interrupts pass 0 fired, in order: (step, write, irq) */
	uint32_t irq[MAX_IRQS][3];
	unsigned nirq, seen;
	unsigned recorded, diverged, compared;
} d;

bool fz_diff_planted(void)
{
	static int plant = -1;

	if (plant < 0) {
		const char *e = getenv("UPRB_SIM_DIFF_PLANT");

		plant = e && !strcmp(e, "1");
	}
	return plant;
}

void fz_diff_begin(unsigned pass)
{
	d.pass = pass;
	d.seen = 0;
	if (pass == 0)
		d.nirq = d.recorded = 0;
	d.diverged = d.compared = 0;
}

bool fz_diff_irq(unsigned step, unsigned write, unsigned irq)
{
	if (d.pass == 0) {
		if (d.nirq < MAX_IRQS) {
			d.irq[d.nirq][0] = step;
			d.irq[d.nirq][1] = write;
			d.irq[d.nirq][2] = irq;
		}
		d.nirq++;
		return true;
	}
	if (d.diverged)
		return false;
	if (d.seen >= d.nirq || d.seen >= MAX_IRQS ||
	    d.irq[d.seen][0] != step || d.irq[d.seen][1] != write ||
	    d.irq[d.seen][2] != irq) {
		d.diverged = step;
		return false;
	}
	d.seen++;
	return true;
}

static const char *differ(unsigned cpu, const struct point *a,
			  const unsigned char *abytes,
			  const struct fz_diff_view *b)
{
	static char why[256];
	const struct fz_diff_view *x = &a->v;

#define SAME(field, name)                                                      \
	if (x->field != b->field) {                                            \
		snprintf(why, sizeof(why), "cpu %u: %s %#llx, then %#llx", cpu, \
			 name, (unsigned long long)x->field,                    \
			 (unsigned long long)b->field);                         \
		return why;                                                    \
	}
	SAME(data_head, "data_head")
	SAME(data_tail, "data_tail")
	SAME(st.head, "rb->head")
	SAME(st.lost, "pending drops (rb->lost)")
	SAME(st.wakeup, "wake-up stamp")
	SAME(st.events, "rb->events")
	SAME(st.nest, "nest")
	SAME(st.paused, "paused")
	SAME(wakeups, "wake-ups signalled")
	for (unsigned i = 0; i < x->nsrc; i++)
		SAME(src_lost[i], "a source's lost_samples")
#undef SAME
	for (uint64_t i = 0; i < x->data_size; i++)
		if (abytes[i] != b->data[i]) {
			snprintf(why, sizeof(why),
				 "cpu %u: ring byte %#llx is %#x, then %#x", cpu,
				 (unsigned long long)i, abytes[i], b->data[i]);
			return why;
		}
	return NULL;
}

const char *fz_diff_point(unsigned cpu, unsigned step,
			  const struct fz_diff_view *v)
{
	struct point *p;
	const char *why;

	if (cpu >= FZ_MAX_CPUS || step >= MAX_STEPS ||
	    v->data_size > MODEL_MAX_RING)
		return NULL;
	p = &d.pt[cpu][step];
	if (d.pass == 0) {
		p->v = *v;
		p->v.data = NULL;
		if (v->data_size) /* a ring of no pages has no data area */
			memcpy(d.pool[cpu][step], v->data, v->data_size);
		if (fz_diff_planted() && step == 1 && v->data_size)
			d.pool[cpu][step][0] ^= 0x5a;
		if (step > d.recorded)
			d.recorded = step;
		return NULL;
	}
	if (step > d.recorded)
		return NULL; /* the first run ended there (infeasible schedule) */
	/* All interrupts pass 0 fired up to here must have fired again. */
	if (d.diverged || (d.seen < d.nirq && d.seen < MAX_IRQS &&
			   d.irq[d.seen][0] <= step)) {
		if (!d.diverged)
			d.diverged = step;
		return NULL;
	}
	why = differ(cpu, p, d.pool[cpu][step], v);
	if (!why && cpu == 0)
		d.compared = step;
	return why;
}

unsigned fz_diff_diverged(void)
{
	return d.diverged;
}

unsigned fz_diff_compared(void)
{
	return d.compared;
}
