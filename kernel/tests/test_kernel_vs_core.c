/* SPDX-License-Identifier: MIT */
/*
 * test_kernel_vs_core - the kernel tree's writer (fz_backend_kernel) and
 * the core's (uprb_synth_write on uprb-sim) run the same random schedule,
 * side by side, each in a ring of its own; after every top-level step the
 * two must agree on every byte of the ring memory (control page and data),
 * data_head, the writer state (head, lost, wake-up stamp, events, nest,
 * paused), the wake-ups delivered, each source's lost_samples and every
 * write's return code.
 *
 * A schedule: one ring geometry (64-byte to 4 KiB pages, 0-8 of them),
 * forward or backward, overwrite or not, a watermark, 1-4 sources with
 * sample_id trailers (any mix of the six fields), wakeup_events and their
 * own pid/tid/cpu; then steps: writes, an honest consumer freeing space
 * (whole or record by record), a hostile data_tail, pause and resume.
 * Every write may carry one nested write (a higher context level, up to
 * NMI), injected before the nth access of one seam site (our own hook);
 * the nested write may carry one in turn. The backends access the seam in
 * different orders, so a site only one of them has is mapped to its twin
 * in the other (B_wmb to B_head_store, wakeup_signal to the wake-up
 * callback, an overwrite ring's A_tail_load to the head cmpxchg), and a
 * plan whose site a write never reaches runs its nested write right after
 * that write: both backends then run it at the same point.
 *
 *   test_kernel_vs_core [--seed S] [--runs N] [--run R] [--steps N] [-v]
 *                       [--plant N] (a planted fault of the -planted build)
 *                       [--only-site SITE] (plans inject only there)
 *
 * Run R of seed S replays alone with --seed S --run R; the seed is printed
 * first, every failure says what differed, where and the replay command.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "backend_kernel.h"
#include "uprb/port.h"
#include "uprb/uprb.h"
#include "uprb/uprb_check.h"

#define MAX_SRC 4u
#define MAX_PLAN 4u /* a write and up to three nested ones */

/* --- random ------------------------------------------------------------- */

static uint64_t rng;
/* libFuzzer build: the input's bytes, then the generator, decide. */
static const uint8_t *in_data;
static size_t in_left;

static uint64_t next(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	if (in_left) {
		/* one byte per decision: most decisions are small choices */
		z = (z & ~0xffull) | *in_data++;
		in_left--;
	}
	return z;
}

static unsigned below(unsigned n)
{
	return n ? (unsigned)(next() % n) : 0;
}

static bool chance(unsigned percent)
{
	return below(100) < percent;
}

/* --- one schedule --------------------------------------------------------- */

struct plan {
	unsigned src, size, level;
	uint32_t seq;
	uint64_t time;
	enum uprb_site site; /* inject plan[+1] before the nth access here */
	unsigned nth;
	int ret[2];          /* write's return code, per backend */
};

enum { CORE, KERNEL };

/* A writer running in one backend: the innermost frame gets the accesses. */
struct frame {
	struct plan *p;
	unsigned count[UPRB_SITE_COUNT];
	unsigned wakeups;
	uint64_t copied;   /* bytes copied so far */
	unsigned lost_len; /* of the LOST record in front, if any */
	bool injected;
};

struct side {
	struct uprb_ring *rb;
	struct uprb_source src[MAX_SRC];
	void *w;               /* the kernel writer */
	struct frame stack[MAX_PLAN + 1];
	unsigned depth;
	uint64_t wakeups, accesses, writes;
};

struct run {
	uint64_t seed;
	unsigned index;
	struct uprb_ring_opts o;
	unsigned nsrc;
	struct side side[2];
	int running;           /* CORE or KERNEL */
	uint32_t seq[MAX_SRC][UPRB_LEVEL_COUNT];
	uint64_t clock;
	bool honest;           /* data_tail is one the consumer wrote */
	bool lost_samples;     /* the tree counts them (6.0 on) */
	unsigned step;
	char what[160];
};

static struct run *R;
static uint64_t total_acc[2], total_writes[2];
static int verbose;
static const char *argv0 = "test_kernel_vs_core";
static enum uprb_site only_site = UPRB_SITE_COUNT; /* --only-site */
static const struct fz_backend *kernel = &fz_backend_kernel;

/* Writer sites the plans pick from: both backends', and the kernel's own. */
static const enum uprb_site plan_sites[] = {
	UPRB_SITE_PAUSED_LOAD,    UPRB_SITE_LOST_ADD_PAUSED,
	UPRB_SITE_SOURCE_LOST_ADD, UPRB_SITE_LOST_PEEK,
	UPRB_SITE_NEST_GET_LOAD,  UPRB_SITE_NEST_GET_STORE,
	UPRB_SITE_WAKEUP_SNAPSHOT, UPRB_SITE_HEAD_LOAD,
	UPRB_SITE_A_TAIL_LOAD,    UPRB_SITE_HEAD_CAS,
	UPRB_SITE_WAKEUP_LOAD,    UPRB_SITE_WAKEUP_STEP,
	UPRB_SITE_LOST_XCHG,      UPRB_SITE_LOST_ADD_FAIL,
	UPRB_SITE_COPY,           UPRB_SITE_EVENTS_ADD,
	UPRB_SITE_EVENTS_SUB,     UPRB_SITE_WAKEUP_BUMP,
	UPRB_SITE_NEST_PUT_LOAD,  UPRB_SITE_NEST_PUT_DEC,
	UPRB_SITE_PUT_BARRIER_1,  UPRB_SITE_PUT_HEAD_LOAD,
	UPRB_SITE_B_WMB,          UPRB_SITE_B_HEAD_STORE,
	UPRB_SITE_PUT_BARRIER_2,  UPRB_SITE_NEST_CLEAR,
	UPRB_SITE_PUT_BARRIER_3,  UPRB_SITE_PUT_HEAD_RECHECK,
	UPRB_SITE_NEST_AGAIN,     UPRB_SITE_WAKEUP_CHECK,
	UPRB_SITE_WAKEUP_SIGNAL,
};
#define NPLAN_SITES (sizeof(plan_sites) / sizeof(plan_sites[0]))

/* The plans' sites: all, or the one asked for (--only-site). */
static bool plannable(enum uprb_site s)
{
	if (only_site != UPRB_SITE_COUNT)
		return s == only_site;
	return s != UPRB_SITE_SOURCE_LOST_ADD || R->lost_samples;
}

/* The site of @backend that stands for the plan's site (see the top). */
static enum uprb_site twin(int backend, enum uprb_site s)
{
	if (backend == CORE) {
		if (s == UPRB_SITE_B_WMB)
			return UPRB_SITE_B_HEAD_STORE;
		if (s == UPRB_SITE_A_TAIL_LOAD && R->o.overwrite)
			return UPRB_SITE_HEAD_CAS;
	}
	return s;
}

__attribute__((format(printf, 1, 2), noreturn)) static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL run %u step %u (%s): ", R->index, R->step, R->what);
	if (in_data)
		fprintf(stderr, "(libFuzzer input) ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (R->side[KERNEL].w) {
		struct fz_writer_state ks;
		const struct uprb_ring *c = R->side[CORE].rb;

		kernel->state(R->side[KERNEL].w, &ks);
		fprintf(stderr, "\n  core:   head %#" PRIx64 " lost %" PRIu64 " wakeup %#" PRIx64
				" events %" PRIu64 " nest %u paused %u wake-ups %" PRIu64,
			(uint64_t)c->head, (uint64_t)c->lost, (uint64_t)c->wakeup,
			(uint64_t)c->events, c->nest, c->paused, R->side[CORE].wakeups);
		fprintf(stderr, "\n  kernel: head %#" PRIx64 " lost %" PRIu64 " wakeup %#" PRIx64
				" events %" PRIu64 " nest %u paused %u wake-ups %" PRIu64,
			ks.head, ks.lost, ks.wakeup, ks.events, ks.nest, ks.paused,
			R->side[KERNEL].wakeups);
	}
	fprintf(stderr, "\n  ring: %u x %u bytes, %s, %s, watermark %" PRIu64
			", %u sources (%s)\n  replay: %s --seed %" PRIu64
			" --run %u%s%s", R->o.nr_pages, R->o.page_size,
		R->o.backward ? "backward" : "forward",
		R->o.overwrite ? "overwrite" : "non-overwrite", R->o.watermark,
		R->nsrc, kernel->version, argv0, R->seed, R->index,
		only_site != UPRB_SITE_COUNT ? " --only-site " : "",
		only_site != UPRB_SITE_COUNT ? uprb_site_name(only_site) : "");
	if (uprb_k_plant)
		fprintf(stderr, " --plant %d", uprb_k_plant);
	fprintf(stderr, " -v\n");
	if (in_data)
		abort();
	exit(1);
}

static void write_plan(int backend, struct plan *p);

/* Run the nested write planned after @f's, on @backend. */
static void inject(int backend, struct frame *f)
{
	f->injected = true;
	if (verbose > 1)
		fprintf(stderr, "    %*s%s: nested %s write at %s#%u\n",
			2 * f->p->level, "", backend == CORE ? "core" : "kernel",
			f->p[1].level == 3 ? "NMI" : "irq", uprb_site_name(f->p->site),
			f->p->nth);
	write_plan(backend, f->p + 1);
}

static uint64_t hook(void *ctx, const struct uprb_sim_access *a)
{
	struct side *s = &R->side[R->running];
	struct frame *f;

	(void)ctx;
	s->accesses++;
	if (s->depth && (unsigned)a->site < UPRB_SITE_COUNT) {
		f = &s->stack[s->depth - 1];
		f->count[a->site]++;
		if (a->site == UPRB_SITE_LOST_XCHG) {
			const struct uprb_source *src = &s->src[f->p->src];

			f->lost_len = UPRB_LOST_RECORD_SIZE +
				      (src->sample_id_all ? src->id_header_size : 0);
		}
		if (!f->injected && f->p->nth &&
		    a->site == twin(R->running, f->p->site)) {
			/*
			 * The backends cut the LOST record's trailer into copies
			 * differently: a copy plan counts the record's own bytes
			 * (the same pieces in both), the nth from 16 bytes on.
			 */
			if (a->site == UPRB_SITE_COPY ?
			    f->copied >= f->lost_len + 16u * (f->p->nth - 1) :
			    f->count[a->site] == f->p->nth)
				inject(R->running, f);
		}
		if (a->site == UPRB_SITE_COPY)
			f->copied += a->len;
	}
	return uprb_sim_perform(a);
}

static const struct uprb_sim_hooks hooks = { hook, NULL };

/* The wake-up callback, both backends: the kernel's wakeup_signal twin. */
static void wakeup_cb(struct uprb_ring *rb, void *arg)
{
	struct side *s = arg;
	struct frame *f = s->depth ? &s->stack[s->depth - 1] : NULL;

	(void)rb;
	s->wakeups++;
	if (f && R->running == CORE && !f->injected && f->p->nth &&
	    f->p->site == UPRB_SITE_WAKEUP_SIGNAL && ++f->wakeups == f->p->nth)
		inject(CORE, f);
}

/* The clock of the running write (a nested one has its own). */
static uint64_t clock_fn(void *arg)
{
	struct side *s = arg;

	return s->depth ? s->stack[s->depth - 1].p->time : 0;
}

static void write_plan(int backend, struct plan *p)
{
	struct side *s = &R->side[backend];
	struct frame *f = &s->stack[s->depth++];
	int ret;

	memset(f, 0, sizeof(*f));
	f->p = p;
	s->writes++;
	if (backend == CORE)
		ret = uprb_synth_write(s->rb, &s->src[p->src], p->size,
				       (uint16_t)p->src, (uint8_t)p->level, 0, p->seq);
	else
		ret = kernel->write(s->w, p->src, p->size, (uint8_t)p->level, 0,
				    p->seq);
	p->ret[backend] = ret;
	s->depth--;
	/* Not reached (or not there in this backend): right after the write. */
	if (p->nth && !f->injected) {
		f->injected = true;
		write_plan(backend, p + 1);
	}
}

/* --- comparing ----------------------------------------------------------- */

static void compare(void)
{
	struct side *c = &R->side[CORE], *k = &R->side[KERNEL];
	struct fz_writer_state ks;
	struct fz_writer_addrs ka;
	const unsigned char *cb = uprb_ring_base(c->rb), *kb = uprb_ring_base(k->rb);
	size_t len = uprb_ring_len(c->rb);

	kernel->state(k->w, &ks);
	if (verbose > 2)
		fprintf(stderr, "    state: head %#" PRIx64 " events %" PRId64 "/%" PRId64
				" wakeup %#" PRIx64 "/%#" PRIx64 "\n",
			ks.head, (int64_t)c->rb->events, (int64_t)ks.events,
			(uint64_t)c->rb->wakeup, ks.wakeup);
	if (ks.head != c->rb->head)
		fail("head: core %#" PRIx64 ", kernel %#" PRIx64, (uint64_t)c->rb->head,
		     ks.head);
	if (k->rb->user_page->data_head != c->rb->user_page->data_head)
		fail("data_head: core %#" PRIx64 ", kernel %#" PRIx64,
		     (uint64_t)c->rb->user_page->data_head,
		     (uint64_t)k->rb->user_page->data_head);
	if (ks.lost != c->rb->lost)
		fail("lost: core %" PRIu64 ", kernel %" PRIu64, (uint64_t)c->rb->lost,
		     ks.lost);
	if (ks.wakeup != c->rb->wakeup)
		fail("wake-up stamp: core %#" PRIx64 ", kernel %#" PRIx64,
		     (uint64_t)c->rb->wakeup, ks.wakeup);
	if (ks.events != c->rb->events)
		fail("events: core %" PRIu64 ", kernel %" PRIu64,
		     (uint64_t)c->rb->events, ks.events);
	if (ks.nest != 0 || c->rb->nest != 0)
		fail("nest after the step: core %u, kernel %u", c->rb->nest, ks.nest);
	if (!!ks.paused != !!c->rb->paused)
		fail("paused: core %u, kernel %u", c->rb->paused, ks.paused);
	if (k->wakeups != c->wakeups)
		fail("wake-ups: core %" PRIu64 ", kernel %" PRIu64, c->wakeups,
		     k->wakeups);
	/* trees before 6.0 keep no lost_samples (addrs: NULL) */
	kernel->addrs(k->w, &ka);
	for (unsigned i = 0; i < R->nsrc; i++)
		if (ka.src_lost[i] &&
		    kernel->src_lost(k->w, i) != c->src[i].lost_samples)
			fail("source %u lost_samples: core %" PRIu64 ", kernel %" PRIu64,
			     i, (uint64_t)c->src[i].lost_samples,
			     kernel->src_lost(k->w, i));
	/* the control page's struct, then the data area (the pad is poisoned) */
	for (size_t i = 0; i < len; i++) {
		size_t data = c->rb->user_page->data_offset;

		if (i == sizeof(struct perf_event_mmap_page) && (i = data) >= len)
			break;
		if (cb[i] != kb[i])
			fail("ring byte %zu (%s offset %zu): core %#04x, kernel %#04x",
			     i, i < data ? "control page" : "data area",
			     i < data ? i : i - data, cb[i], kb[i]);
	}
}

/* --- steps --------------------------------------------------------------- */

static unsigned pick_size(void)
{
	uint64_t data = (uint64_t)R->o.page_size * R->o.nr_pages;
	unsigned max;

	if (chance(5))
		max = (unsigned)(data + 256 < UPRB_MAX_RECORD ? data + 256 : UPRB_MAX_RECORD);
	else if (chance(30))
		max = (unsigned)(data / 2 > 64 ? (data / 2 < 2048 ? data / 2 : 2048) : 64);
	else
		max = 96;
	return 16 + 8 * below((max - 16) / 8 + 1);
}

static void make_plan(struct plan *p, unsigned level)
{
	memset(p, 0, sizeof(*p));
	p->src = below(R->nsrc);
	p->size = pick_size();
	p->level = level;
	p->seq = R->seq[p->src][level]++;
	p->time = ++R->clock;
	if (level + 1 < UPRB_LEVEL_COUNT && chance(level ? 50 : 80)) {
		do
			p->site = plan_sites[below(NPLAN_SITES)];
		while (!plannable(p->site));
		p->nth = chance(70) ? 1 : 1 + below(4);
		make_plan(p + 1, level + 1 + (chance(20) && level + 2 < UPRB_LEVEL_COUNT));
	}
}

static void step_write(void)
{
	struct plan plan[MAX_PLAN + 1], *p;

	make_plan(plan, UPRB_LEVEL_TASK);
	snprintf(R->what, sizeof(R->what), "write of %u bytes, source %u%s%s", plan[0].size,
		 plan[0].src, plan[0].nth ? ", nested at " : "",
		 plan[0].nth ? uprb_site_name(plan[0].site) : "");
	if (verbose)
		fprintf(stderr, "  step %u: %s\n", R->step, R->what);
	for (int b = CORE; b <= KERNEL; b++) {
		R->running = b;
		write_plan(b, plan);
	}
	for (p = plan;; p++) {
		if (p->ret[CORE] != p->ret[KERNEL])
			fail("return of the level-%u write (%u bytes): core %d, kernel %d",
			     p->level, p->size, p->ret[CORE], p->ret[KERNEL]);
		if (!p->nth)
			break;
	}
}

static uint64_t get_header_size(const struct uprb_ring *rb, uint64_t pos)
{
	unsigned char h[8];
	uint64_t mask = rb->data_size - 1;

	for (unsigned i = 0; i < 8; i++) {
		uint64_t off = (pos + i) & mask;

		h[i] = rb->data_pages[off >> rb->page_shift][off & (rb->page_size - 1)];
	}
	return (uint64_t)h[6] | (uint64_t)h[7] << 8;
}

static void set_tail(uint64_t tail)
{
	for (int b = CORE; b <= KERNEL; b++)
		R->side[b].rb->user_page->data_tail = tail;
}

/* The consumer frees space: all of it, or up to a record boundary. */
static void step_consume(void)
{
	struct uprb_ring *rb = R->side[CORE].rb;
	uint64_t head = rb->user_page->data_head, tail = rb->user_page->data_tail;
	uint64_t bound[64], pos;
	unsigned n = 0;

	snprintf(R->what, sizeof(R->what), "consume");
	if (!R->honest || chance(40)) {
		set_tail(head);
		R->honest = true;
		return;
	}
	/* Forward: walk from the tail; backward: from the head up to it. */
	pos = R->o.backward ? head : tail;
	while (n < 64 && pos != (R->o.backward ? tail : head)) {
		uint64_t size = get_header_size(rb, pos);
		uint64_t left = R->o.backward ? tail - pos : head - pos;

		if (size < 8 || size > left)
			break;
		pos += size;
		bound[n++] = pos;
	}
	if (!n)
		return;
	pos = bound[below(n)];
	/* backward: records [head, pos) stay unread, those above pos are read */
	set_tail(pos);
}

static void step_hostile(void)
{
	uint64_t head = R->side[CORE].rb->user_page->data_head;
	uint64_t v = chance(50) ? next() : head + (uint64_t)(int64_t)(below(512) - 256);

	snprintf(R->what, sizeof(R->what), "hostile data_tail %#" PRIx64, v);
	set_tail(v);
	R->honest = false;
}

static void step_pause(void)
{
	bool on = chance(60);
	int rc = uprb_ring_pause(R->side[CORE].rb, on);
	int rk;

	snprintf(R->what, sizeof(R->what), "%s", on ? "pause" : "resume");
	R->running = KERNEL;
	rk = kernel->pause(R->side[KERNEL].w, on);
	if (rc != rk)
		fail("pause(%d) returned: core %d, kernel %d", on, rc, rk);
}

/* --- a run ---------------------------------------------------------------- */

static const uint32_t page_sizes[] = { 64, 64, 128, 256, 4096 };
static const uint32_t page_counts[] = { 0, 1, 2, 2, 4, 4, 8 };
static const uint64_t trailer_bits[] = {
	PERF_SAMPLE_TID, PERF_SAMPLE_TIME, PERF_SAMPLE_ID,
	PERF_SAMPLE_STREAM_ID, PERF_SAMPLE_CPU, PERF_SAMPLE_IDENTIFIER,
};

static void setup(struct run *r)
{
	uint64_t data;

	r->o.sz = sizeof(r->o);
	r->o.page_size = page_sizes[below(5)];
	r->o.nr_pages = page_counts[below(7)];
	r->o.backward = chance(30);
	r->o.overwrite = chance(40);
	data = (uint64_t)r->o.page_size * r->o.nr_pages;
	/* perf_event_open() takes any wakeup_watermark, not only multiples of 8. */
	r->o.watermark = chance(50) ? 0 : 8 * below((unsigned)(data / 8) + 8) +
					      (chance(50) ? below(8) : 0);
	r->o.wakeup = wakeup_cb;
	r->nsrc = 1 + below(MAX_SRC);
	r->honest = true;
	for (int b = CORE; b <= KERNEL; b++) {
		struct side *s = &r->side[b];

		r->o.wakeup_arg = s;
		if (uprb_ring_new(&s->rb, &r->o)) {
			fprintf(stderr, "uprb_ring_new failed\n");
			exit(2);
		}
	}
	for (unsigned i = 0; i < r->nsrc; i++) {
		uint64_t type = 0, id = 1 + below(1000);
		bool all = chance(60);
		struct uprb_source s;

		for (unsigned k = 0; k < 6; k++)
			if (chance(50))
				type |= trailer_bits[k];
		uprb_source_init(&s, id, type, all);
		s.wakeup_events = chance(50) ? 0 : 1 + below(3);
		s.pid = 100 + below(1000);
		s.tid = s.pid + below(3);
		s.cpu = below(8);
		for (int b = CORE; b <= KERNEL; b++) {
			r->side[b].src[i] = s;
			r->side[b].src[i].clock = clock_fn;
			r->side[b].src[i].clock_arg = &r->side[b];
		}
	}
	r->o.wakeup_arg = &r->side[KERNEL];
	r->side[KERNEL].w = kernel->open(r->side[KERNEL].rb, &r->o, r->side[KERNEL].src,
					 r->nsrc);
	if (!r->side[KERNEL].w) {
		fprintf(stderr, "kernel backend: open failed\n");
		exit(2);
	}
	{
		struct fz_writer_addrs ka;

		kernel->addrs(r->side[KERNEL].w, &ka);
		r->lost_samples = ka.src_lost[0] != NULL;
	}
	for (unsigned i = 0; i < r->nsrc; i++)
		if (r->side[KERNEL].src[i].id_header_size !=
		    (fz_backend_kernel_id_header_size(r->side[KERNEL].w, i)))
			fail("source %u: id_header_size core %u, kernel %u", i,
			     r->side[KERNEL].src[i].id_header_size,
			     fz_backend_kernel_id_header_size(r->side[KERNEL].w, i));
}

static void one_run(uint64_t seed, unsigned index, unsigned steps)
{
	struct run r;

	memset(&r, 0, sizeof(r));
	R = &r;
	r.seed = seed;
	r.index = index;
	rng = seed ^ (0x5851f42d4c957f2dull * (index + 1));
	next();
	setup(&r);
	if (verbose)
		fprintf(stderr, "run %u: %u x %u, %s, %s, watermark %" PRIu64
				", %u sources\n", index, r.o.nr_pages, r.o.page_size,
			r.o.backward ? "backward" : "forward",
			r.o.overwrite ? "overwrite" : "non-overwrite", r.o.watermark,
			r.nsrc);
	uprb_sim_hooks = &hooks;
	for (r.step = 0; r.step < steps; r.step++) {
		unsigned roll = below(100);

		if (roll < 75)
			step_write();
		else if (roll < 90 && !r.o.overwrite)
			step_consume();
		else if (roll < 93 && !r.o.overwrite)
			step_hostile();
		else if (roll < 97)
			step_pause();
		else
			step_write();
		compare();
	}
	uprb_sim_hooks = NULL;
	for (int b = CORE; b <= KERNEL; b++) {
		total_acc[b] += r.side[b].accesses;
		total_writes[b] += r.side[b].writes;
	}
	kernel->close(r.side[KERNEL].w);
	for (int b = CORE; b <= KERNEL; b++)
		uprb_ring_free(r.side[b].rb);
}

#ifdef KVC_LIBFUZZER
/*
 * fuzz_kernel_vs_core: one schedule per input, decided by its bytes (the
 * tree's file and glue carry libFuzzer's coverage); any difference aborts
 * with its story. Replay an input by running the binary on it.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned n;

	in_data = data;
	in_left = size;
	one_run(0, n++, 60);
	if (total_writes[CORE] != total_writes[KERNEL])
		abort();
	in_left = 0;
	return 0;
}
#else
static bool number(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return *s && !*end && !errno && *s != '-';
}

int main(int argc, char **argv)
{
	uint64_t seed = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 20);
	unsigned runs = 2000, only = ~0u, steps = 120;

	argv0 = argv[0];
	for (int i = 1; i < argc; i++) {
		uint64_t v = 0;
		bool valued = i + 1 < argc && strncmp(argv[i], "--", 2) == 0 &&
			      strcmp(argv[i], "--only-site") != 0;

		if (valued && !number(argv[i + 1], &v)) {
			fprintf(stderr, "%s: %s wants a number, not '%s'\n", argv[0],
				argv[i], argv[i + 1]);
			return 2;
		}
		if (!strcmp(argv[i], "--seed") && valued)
			seed = v;
		else if (!strcmp(argv[i], "--runs") && valued && v <= ~0u - 1)
			runs = (unsigned)v;
		else if (!strcmp(argv[i], "--run") && valued && v < ~0u)
			only = (unsigned)v;
		else if (!strcmp(argv[i], "--steps") && valued && v <= 1000000)
			steps = (unsigned)v;
		else if (!strcmp(argv[i], "--plant") && valued && v < 16)
			uprb_k_plant = (int)v;
		else if (!strcmp(argv[i], "--only-site") && i + 1 < argc &&
			 uprb_site_lookup(argv[i + 1]) != UPRB_SITE_COUNT) {
			only_site = uprb_site_lookup(argv[++i]);
			continue;
		}
		else if (!strcmp(argv[i], "-v")) {
			verbose++;
			continue;
		} else {
			fprintf(stderr, "usage: %s [--seed S] [--runs N] [--run R] "
					"[--steps N] [--plant N] [--only-site SITE] [-v]\n", argv[0]);
			return 2;
		}
		i++;
	}
	if (only != ~0u)
		runs = only + 1;
	printf("test_kernel_vs_core: seed %" PRIu64 ", %s\n", seed, kernel->version);
	fflush(stdout);
	for (unsigned i = 0; i < runs; i++) {
		if (only != ~0u && i != only)
			continue;
		one_run(seed, i, steps);
	}
	printf("ok: %u runs x %u steps, %" PRIu64 " writes; seam accesses per write: "
	       "core %.1f, kernel %.1f\n", only != ~0u ? 1 : runs, steps,
	       total_writes[CORE],
	       total_writes[CORE] ? (double)total_acc[CORE] / total_writes[CORE] : 0,
	       total_writes[KERNEL] ? (double)total_acc[KERNEL] / total_writes[KERNEL] : 0);
	return 0;
}
#endif /* KVC_LIBFUZZER */
