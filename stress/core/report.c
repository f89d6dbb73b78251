/* SPDX-License-Identifier: MIT */
/*
 * report.c - what uprb-stress-core says: the header, a progress line a
 * second (stderr), the summary.
 */
#include <inttypes.h>
#include <stdio.h>

#include "core_stress.h"

static const char *const level_name[NLEVELS] = {
	"task", "softirq", "hardirq", "nmi",
};

struct totals {
	uint64_t attempted[NLEVELS], delivered[NLEVELS], dropped[NLEVELS];
	uint64_t inside[NLEVELS], skipped[NLEVELS];
	uint64_t records, wakeups, failures, intr;
	uint64_t bytes, lost_records, lost_sum, pending;
	uint64_t woken, timeouts, pauses;
};

static const char *signal_name(int mode)
{
	return mode == SIGNAL_TIMER ? "timer" : mode == SIGNAL_KILL ? "kill" :
	       "both";
}

void cs_print_header(const struct world *w, const struct sopt_prog *p)
{
	const struct cs_opts *o = &w->o;
	const struct sopt *sizes = sopt_find(p, "sizes");

	printf("%s: %u ring%s of %u x %" PRIu64 " B, %s %s, consumer %s, sizes %s\n",
	       CS_NAME, o->rings, o->rings == 1 ? "" : "s", o->pages,
	       o->page_size, o->backward ? "backward" : "forward",
	       o->overwrite ? "overwrite" : "non-overwrite",
	       o->wakeup ? "sleeps on wake-ups" : "polls",
	       sizes && sizes->arg ? sizes->arg : "16-512");
	printf("  signals: %s, %g/s per level per ring (SIGRTMIN+1..+3 = softirq, hardirq, nmi), %g s, seed %" PRIu64 "\n",
	       o->signal_rate > 0 ? signal_name(o->signal) : "none",
	       o->signal_rate, o->duration, o->seed);
	if (o->negative)
		printf("  negative control: a second thread writes ring 0 concurrently; corruption must be detected\n");
	if (UNDER_TSAN)
		printf("  note: ThreadSanitizer delays signals to safe points: fewer writes are interrupted\n");
	fflush(stdout);
}

void cs_progress(struct world *w, double t, uint64_t *last_records,
		 double *last_t)
{
	uint64_t records = 0, nested = 0, handled = 0, lost = 0, wakeups = 0;
	uint64_t failures = 0;

	for (unsigned int i = 0; i < w->nrings; i++) {
		struct ring_ctx *r = &w->rings[i];

		records += cs_peek(&r->pub_records);
		for (int l = UPRB_LEVEL_SOFTIRQ; l < NLEVELS; l++) {
			nested += cs_peek(&r->pub_level[l]);
			handled += cs_peek(&r->lv[l].attempted);
		}
		lost += cs_peek(&r->pub_lost);
		wakeups += cs_peek(&r->wakeups);
		failures += cs_peek(&r->pub_failures);
	}
	fprintf(stderr, "[%5.1fs] %10.0f records/s  nested %" PRIu64
		" written, %" PRIu64 " delivered  lost %" PRIu64 "  wake-ups %"
		PRIu64 "  failures %" PRIu64 "\n", t,
		(double)(records - *last_records) / (t - *last_t), handled,
		nested, lost, wakeups, failures);
	*last_records = records;
	*last_t = t;
}

static void add_ring(struct totals *t, struct ring_ctx *r)
{
	for (int l = 0; l < NLEVELS; l++) {
		t->attempted[l] += cs_peek(&r->lv[l].attempted);
		t->dropped[l] += cs_peek(&r->lv[l].dropped);
		t->inside[l] += cs_peek(&r->lv[l].inside);
		t->skipped[l] += cs_peek(&r->lv[l].skipped);
		for (int s = 0; s < NSOURCES; s++)
			t->delivered[l] += r->c.streams[s * UPRB_LEVEL_COUNT + l].delivered;
	}
	t->intr += cs_peek(&r->intr.attempted);
	t->records += uprb_check_delivered(&r->c);
	t->bytes += r->c.bytes;
	t->lost_records += r->c.lost_records;
	t->lost_sum += r->c.lost_sum;
	t->pending += r->rb->lost;
	t->wakeups += cs_peek(&r->wakeups);
	t->woken += r->woken;
	t->timeouts += r->timeouts;
	t->pauses += r->pauses;
	t->failures += r->failures;
}

static void print_levels(const struct totals *t, double secs)
{
	printf("  level       attempted   delivered     dropped   nested-in-a-write   attempts/s\n");
	for (int l = 0; l < NLEVELS; l++)
		printf("  %-8s %12" PRIu64 " %11" PRIu64 " %11" PRIu64
		       " %19" PRIu64 " %12.0f\n", level_name[l],
		       t->attempted[l], t->delivered[l], t->dropped[l],
		       t->inside[l], (double)t->attempted[l] / secs);
}

void cs_print_summary(struct world *w, double secs)
{
	struct totals t = { 0 };

	for (unsigned int i = 0; i < w->nrings; i++)
		add_ring(&t, &w->rings[i]);
	if (secs <= 0)
		secs = 1e-9;
	printf("summary (%.2f s):\n", secs);
	printf("  delivered   %" PRIu64 " records (%.0f/s), %.1f MB (%.1f MB/s)\n",
	       t.records, (double)t.records / secs, (double)t.bytes / 1e6,
	       (double)t.bytes / 1e6 / secs);
	print_levels(&t, secs);
	if (w->o.negative)
		printf("  intruder %12" PRIu64 " attempted (second writer of ring 0)\n",
		       t.intr);
	if (w->o.overwrite)
		printf("  skipped     %" PRIu64 " nested writes that would have lapped an in-flight write\n",
		       t.skipped[1] + t.skipped[2] + t.skipped[3]);
	printf("  nested      %" PRIu64 " records delivered from handlers\n",
	       t.delivered[1] + t.delivered[2] + t.delivered[3]);
	printf("  lost        %" PRIu64 " in %" PRIu64 " LOST records + %" PRIu64 " pending%s\n",
	       t.lost_sum, t.lost_records, t.pending,
	       w->o.overwrite ? " (overwritten records vanish uncounted)" : "");
	printf("  wake-ups    %" PRIu64 " signalled", t.wakeups);
	if (w->o.wakeup)
		printf(", consumer woken %" PRIu64 ", sleep timeouts %" PRIu64,
		       t.woken, t.timeouts);
	printf("\n");
	if (w->o.backward)
		printf("  pauses      %" PRIu64 " pause-read-resume windows\n",
		       t.pauses);
	if (w->o.signal & SIGNAL_KILL)
		printf("  kill        %" PRIu64 " sent, %" PRIu64 " refused (queue full)\n",
		       cs_peek(&w->kill_sent), cs_peek(&w->kill_full));
	printf("  checks      %s, quiescent ring state\n",
	       w->o.overwrite ? "record validity, nothing read twice" :
	       "conservation (attempted = delivered + LOST + pending)");
	for (unsigned int i = 0; i < w->nrings; i++)
		if (w->rings[i].stamp_lead > 0)
			printf("  note        ring %u: wake-up stamp %" PRId64
			       " B ahead of the bytes written (watermark %" PRIu64
			       "): every reservation now signals a wake-up\n",
			       i, w->rings[i].stamp_lead,
			       (uint64_t)w->rings[i].rb->watermark);
	printf("  invariant failures %" PRIu64 "\n", t.failures);
}
