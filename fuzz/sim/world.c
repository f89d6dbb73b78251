/* SPDX-License-Identifier: MIT */
/*
 * world.c - the simulated world of world.h: one to four CPUs, a ring each,
 * writers at four levels injected at seam accesses (and writes of other
 * CPUs), the consumer (merged across CPUs: merge.h), hostile user space.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "diff.h"
#include "memory.h"
#include "merge.h"
#include "model.h"
#include "rings.h"
#include "schedcov.h"
#include "uprb/uprb_check.h"
#include "uprb/uprb_reader.h"
#include "world.h"
#include "world_state.h"

/* Store buffers and the consumer's view (memory.h): large, so not per CPU. */
static struct fz_mem mem;
static struct fz_world world = { .mem = &mem };

static void run_action(struct fz_world *w, const struct fz_action *a);

static void set_where(struct fz_cpu *c)
{
	struct model *m = &c->model;

	if (c->depth) {
		m->where.level = c->stack[c->depth - 1].level;
		m->where.site = c->stack[c->depth - 1].last;
	} else {
		m->where.level = USER_LEVEL;
	}
}

/* The top-level operation running (1-based), as the models know it. */
static unsigned c_step(const struct fz_world *w)
{
	return w->cur->model.where.step;
}

/*
 * Schedule coverage (schedcov.h): the world tells it what it sees at its
 * interposition points, by CPU, context level, site and address; nothing
 * here changes what a run does.
 */
static void sc_ring(struct fz_world *w, struct fz_cpu *c)
{
	struct fz_sc_ring r = {
		.data_head = &c->rb->user_page->data_head,
		.data_tail = &c->rb->user_page->data_tail,
		.data = c->rb->nr_pages ? c->rb->data_pages[0] : NULL,
		.size = c->rb->nr_pages ? c->rb->data_size : 0,
	};

	w->be->addrs(c->wr, &r.w);
	fz_schedcov_ring(c->index, &r);
}

/* Where @c's running writer is: the access it is preempted before. */
static struct fz_sc_where sc_where(const struct fz_cpu *c)
{
	if (!c->depth)
		return (struct fz_sc_where){ .site = 0xff, .level = FZ_SC_USER };
	return (struct fz_sc_where){ .site = (uint8_t)c->stack[c->depth - 1].last,
				     .level = (uint8_t)c->stack[c->depth - 1].level };
}

static void sc_inject(struct fz_world *w, struct fz_cpu *c,
		      const struct fz_frame *f, enum uprb_site site,
		      const struct fz_action *act)
{
	unsigned to_cpu = c->index, to_level = FZ_SC_NONE;
	struct fz_writer_state ws;
	struct fz_sc_state st = { 0 };

	if (act->kind == FZ_WRITE) {
		to_cpu = w->prog.writes[act->write].cpu;
		to_level = w->prog.writes[act->write].level;
	} else if (act->kind == FZ_CONSUME || act->kind == FZ_PAUSE) {
		to_level = FZ_SC_USER;
	}
	if (w->schedcov & FZ_SC_STATE) {
		w->be->state(c->wr, &ws);
		st = (struct fz_sc_state){
			.head = ws.head, .data_head = c->rb->user_page->data_head,
			.tail = c->rb->user_page->data_tail,
			.size = c->rb->nr_pages ? c->rb->data_size : 0,
			.backward = c->rb->backward, .paused = ws.paused,
		};
	}
	fz_schedcov_inject(c->index, f->id, f->level, c->depth, site,
			   f->count[site], act->kind, to_cpu, to_level, &st);
}

/* The plan of the running writer @f: actions due at this access, in order. */
static void interrupts(struct fz_world *w, struct fz_frame *f,
		       const struct uprb_sim_access *a)
{
	enum uprb_site site = a->site;
	const struct fz_write *wr = f->w;

	for (unsigned i = 0; i < wr->nirq; i++) {
		const struct fz_irq *q = &w->prog.irqs[wr->irq + i];
		bool due = q->site == FZ_SITE_ANY ?
			q->nth == f->total :
			q->site == site && q->nth == f->count[site];

		if (!due)
			continue;
		if (w->second)
			fz_diff_irq(c_step(w), (unsigned)(wr - w->prog.writes),
				    wr->irq + i,
				    model_position(&w->cur->model, f->id) ^
				    w->cur->index);
		w->st.irqs++;
		if (w->verbose > 1) {
			fprintf(stderr, "  %*s%s at %s#%u of the %s writer",
				2 * (int)f->level, "", fz_kind_name(q->act.kind),
				uprb_site_name(site), q->nth,
				fz_level_name(f->level));
			if (w->prog.cfg.cpu_bytes)
				fprintf(stderr, " on cpu %u", w->cur->index);
			if (a->loc)
				fprintf(stderr, " [%s]", a->loc);
			fputc('\n', stderr);
		}
		if (w->schedcov)
			sc_inject(w, w->cur, f, site, &q->act);
		run_action(w, &q->act);
	}
}

/* Which simulated CPU makes an access: user space, or the writer's CPU. */
static enum fz_mem_cpu cpu_of(enum uprb_site site)
{
	switch (site) {
	case UPRB_SITE_PAUSE_STORE:
	case UPRB_SITE_C_HEAD_LOAD:
	case UPRB_SITE_READ_HEADER:
	case UPRB_SITE_READ_DATA:
	case UPRB_SITE_D_TAIL_STORE:
		return FZ_MEM_READER;
	default:
		return FZ_MEM_WRITER;
	}
}

static void abandon(struct fz_world *w, const char *why)
{
	w->abandoned = true;
	w->st.abandoned = true;
	if (w->verbose)
		fprintf(stderr, "  run ends here, infeasible: %s\n", why);
}

/*
 * A relaxed data_tail load (A weakened, weak model) is not ordered before
 * the writer's later stores: it may return a tail the consumer stores only
 * later (load buffering). The largest such tail is the data_head the
 * consumer will read up to; the world takes it, and judges the stores that
 * become visible in the space it frees (check_promise()).
 */
static uint64_t promise_tail(struct fz_cpu *c, uint64_t tail)
{
	uint64_t head = c->rb->user_page->data_head;
	uint64_t ahead = c->rb->backward ? tail - head : head - tail;

	if (!ahead || ahead > c->rb->data_size)
		return tail;
	c->promised = true;
	c->promise = head;
	c->model.tail_promise = true;
	return head;
}

/*
 * A writer store became visible in bytes the consumer has yet to read
 * before its data_tail reaches the promised value. Over a record body the
 * consumer reads them torn: a real failure. Over a header the consumer's
 * walk, and so the tail it stores, would change: the schedule has no
 * consistent ending, and the run stops there.
 */
static void check_promise(struct fz_world *w, struct fz_cpu *c, size_t off,
			  size_t len)
{
	uint64_t size = c->rb->data_size, from = c->r.prev;
	uint64_t lo = c->rb->backward ? c->promise : from;
	uint64_t span = c->rb->backward ? from - c->promise : c->promise - from;
	bool hit = false;

	if (!span || span > size)
		return;
	for (size_t i = 0; i < len; i++) {
		uint64_t in = ((uint64_t)off + i - lo) & (size - 1);

		if (in >= span)
			continue;
		if (model_is_header(&c->model, lo + in)) {
			abandon(w, "a promised data_tail freed a header still to be read");
			return;
		}
		hit = true;
	}
	if (hit)
		model_fail(&c->model, "premature-tail-reuse",
			   "the writer read data_tail %#llx before the consumer stored it (relaxed A) "
			   "and its store to ring offset %#zx+%zu became visible before the consumer "
			   "read the record there",
			   (unsigned long long)c->promise, off, len);
}

/* A buffered store of @who became visible (memory.h). */
static void on_visible(void *ctx, enum fz_mem_cpu who, const struct fz_store *s)
{
	struct fz_world *w = ctx;
	struct fz_cpu *c = w->cur;
	size_t off;

	if (w->abandoned)
		return;
	if (w->schedcov && (w->sc_flush || (w->schedcov & FZ_SC_ALIAS))) {
		const struct fz_store *o = fz_mem_oldest(w->mem, who);
		struct fz_sc_where at = sc_where(c);

		fz_schedcov_visible(c->index, who == FZ_MEM_READER, &s->a,
				    o && o->seq < s->seq ? &o->a : NULL,
				    w->sc_flush ? &at : NULL);
	}
	if (who == FZ_MEM_READER) {
		/* The model follows data_tail and paused as the writer sees them. */
		model_access(&c->model, -1, &s->a, 0);
		return;
	}
	if (s->a.op != UPRB_OP_COPY_TO || !fz_user_strict(c))
		return;
	off = (size_t)((unsigned char *)s->a.addr - w->mem->data);
	if (fz_mem_open_overlap(w->mem, off, s->len))
		model_fail(&c->model, "premature-tail-reuse",
			   "the writer's store to ring offset %#zx+%u became visible while the "
			   "consumer's load of those bytes was not yet ordered before its "
			   "data_tail store or resume (D, P): it may return the new bytes",
			   off, s->len);
	if (c->promised)
		check_promise(w, c, off, s->len);
}

/* Perform @a of attempt @id (-1: none) under the memory model, and tell the model. */
static uint64_t perform(struct fz_world *w, struct fz_cpu *c, int id,
			const struct uprb_sim_access *a)
{
	struct model *m = &c->model;
	enum fz_mem_cpu who = cpu_of(a->site);
	uint64_t v, stale = w->mem->stale_bytes;

	if (w->abandoned)
		return fz_mem_access(w->mem, who, a);
	model_pre_access(m, a);
	v = fz_mem_access(w->mem, who, a);
	if (fz_sc_watch)
		fz_schedcov_access(c->index, who == FZ_MEM_READER || !c->depth ?
				   FZ_SC_USER : c->stack[c->depth - 1].level,
				   who == FZ_MEM_READER, a, v);
	if (w->mem->stale_bytes != stale && w->schedcov) {
		struct fz_sc_where at = sc_where(c);

		fz_schedcov_stale(c->index, a->site, &at);
	}
	if (who == FZ_MEM_WRITER && a->op == UPRB_OP_LOAD &&
	    a->addr == &c->rb->user_page->data_tail &&
	    a->order == UPRB_ORDER_ONCE && w->memory == FZ_MEM_WEAK &&
	    fz_user_strict(c) && c->reader_ok)
		v = promise_tail(c, v);
	/* The consumer's buffered stores reach the model once visible. */
	if (!(w->memory != FZ_MEM_SC && who == FZ_MEM_READER &&
	      a->op == UPRB_OP_STORE && fz_mem_shared(w->mem, a)))
		model_access(m, id, a, v);
	return v;
}

static void release_held(struct fz_world *w, struct fz_cpu *c,
			 struct fz_frame *f)
{
	struct uprb_sim_access a = f->held_a;

	f->held = HELD_NONE;
	c->model.where.site = a.site;
	perform(w, c, (int)f->id, &a);
}

static uint64_t hook(void *ctx, const struct uprb_sim_access *acc)
{
	struct fz_world *w = ctx;
	struct fz_cpu *c = w->cur;
	struct model *m = &c->model;
	struct uprb_sim_access weak;
	const struct uprb_sim_access *a = acc;
	bool removed = false;
	int id = -1;

	if (acc->site == UPRB_SITE_PAUSE_STORE && acc->order == UPRB_ORDER_ONCE &&
	    !w->pause_plain) {
		/*
		 * A kernel tree stores rb->paused plainly, inside the pause
		 * ioctl: a system call, which orders the caller's earlier
		 * loads of the ring before it (the port's release, barrier
		 * P). UPRB_SIM_PAUSE_PLAIN=1 takes the store as written.
		 */
		weak = *acc;
		weak.order = UPRB_ORDER_RELEASE;
		a = &weak;
	}
	if (acc->site == w->weaken ||
	    (w->weaken == UPRB_SITE_B_HEAD_STORE && acc->site == UPRB_SITE_B_WMB)) {
		/*
		 * The sim-only switch: this barrier gone, this access relaxed
		 * (B is the kernel's smp_wmb() and WRITE_ONCE() as one).
		 */
		weak = *a;
		removed = weak.op == UPRB_OP_FENCE;
		weak.order = UPRB_ORDER_ONCE;
		a = &weak;
	}
	if (w->abandoned)
		return removed ? 0 : fz_mem_access(w->mem, cpu_of(a->site), a);
	if ((unsigned)a->site < FZ_WRITER_SITES) {
		struct fz_frame *f;

		if (!c->depth)
			model_fail(m, "harness", "writer access at %s with no writer",
				   uprb_site_name(a->site));
		f = &c->stack[c->depth - 1];
		f->count[a->site]++;
		f->total++;
		f->last = a->site;
		id = (int)f->id;
		/* A held store: in place, unless the barrier after it is gone. */
		if (f->held == HELD_PENDING) {
			if (removed)
				f->held = HELD_CROSSED;
			else
				release_held(w, c, f);
		}
		/* The preemption point: whatever interrupts here runs first. */
		interrupts(w, f, a);
		m->where.level = f->level;
		if (f->held == HELD_AFTER) {
			release_held(w, c, f);
		} else if (f->held == HELD_CROSSED && !removed) {
			/* The compiler keeps two accesses to one place in order. */
			if (f->held_a.addr == a->addr)
				release_held(w, c, f);
			else
				f->held = HELD_AFTER;
		}
		m->where.site = a->site;
		if (removed)
			return 0;
		if (w->weaken_fence && a->op == UPRB_OP_STORE &&
		    f->held == HELD_NONE) {
			f->held_a = *a;
			f->held = HELD_PENDING;
			return 0;
		}
	} else if (removed) {
		return 0;
	}
	m->where.site = a->site;
	return perform(w, c, id, a);
}

static void on_wakeup(struct uprb_ring *rb, void *arg)
{
	struct fz_cpu *c = arg;

	(void)rb;
	if (!c->depth)
		model_fail(&c->model, "wakeup", "wake-up with no writer running");
	c->stack[c->depth - 1].wakeups++;
	c->wakeups++;
	world.st.wakeups++;
}

static uint64_t src_clock(void *arg)
{
	return *(const uint64_t *)arg;
}

static void do_write(struct fz_world *w, const struct fz_write *wr)
{
	struct fz_cpu *c = w->cur;
	struct fz_frame *f;
	uint32_t seq;
	int ret;

	if (c->depth == UPRB_LEVEL_COUNT)
		model_fail(&c->model, "harness", "writer stack overflow");
	seq = c->seq[wr->src][wr->level]++;
	if (seq < FZ_MAX_WRITES)
		w->time[c->index][wr->src][wr->level][seq] = (uint32_t)++w->clock;
	f = &c->stack[c->depth++];
	memset(f, 0, sizeof(*f));
	f->w = wr;
	f->level = wr->level;
	f->last = UPRB_SITE_COUNT;
	f->id = model_begin(&c->model, wr->src, wr->size, wr->level, seq);
	if (c->depth > w->st.max_depth)
		w->st.max_depth = c->depth;
	w->st.writes++;
	w->st.nested += c->depth > 1;

	ret = w->be->write(c->wr, wr->src, wr->size, (uint8_t)wr->level,
			   (uint8_t)c->index, seq);
	if (f->held != HELD_NONE)
		release_held(w, c, f);

	set_where(c);
	if (w->abandoned) {
		c->depth--;
		return;
	}
	model_end(&c->model, f->id, ret, f->wakeups);
	w->st.reserved += ret == 0;
	w->st.lost_records += ret == 0 && c->model.att[f->id].have_lost;
	w->st.paused += c->model.att[f->id].state == MA_PAUSED;
	w->st.nospace += c->model.att[f->id].state == MA_FAILED;
	c->depth--;
	set_where(c);
}

static void set_paused(struct fz_cpu *c)
{
	world.be->pause(c->wr, c->op_paused || c->reader_paused);
}

/*
 * The model takes the value the writer stored as the ring's paused state
 * (a store may still be buffered when pause returns): once everything has
 * settled it must be the state last asked for. A ring without data pages
 * stays paused.
 */
static void paused_as_asked(const struct fz_cpu *c)
{
	bool on = c->op_paused || c->reader_paused || !c->rb->nr_pages;

	if (!c->model.paused != !on)
		model_fail(&c->model, "pause", "paused %u with the ring asked to %s",
			   c->model.paused, on ? "pause" : "run");
}

/* The backward reader pauses the writer for its window (docs/ring.md#33-reading-backward). */
static int reader_pause(void *arg, bool on)
{
	struct fz_cpu *c = arg;

	c->reader_paused = on;
	set_paused(c);
	return 0;
}

static void run_action(struct fz_world *w, const struct fz_action *a)
{
	struct fz_cpu *c = w->cur;

	if (w->abandoned)
		return;
	switch (a->kind) {
	case FZ_WRITE: {
		const struct fz_write *wr = &w->prog.writes[a->write];
		struct fz_cpu *on = &w->cpu[wr->cpu];

		if (on == c) {
			do_write(w, wr);
		} else if (on->depth) {
			/* Its writer is up the chain that led here. */
			w->st.busy++;
			if (w->verbose > 1)
				fprintf(stderr, "  cpu %u is busy: nothing\n", on->index);
		} else {
			/* A write on another CPU, while this one waits. */
			w->st.cross++;
			w->cur = on;
			do_write(w, wr);
			w->cur = c;
		}
		break;
	}
	case FZ_CONSUME:
		if (w->merged)
			fz_user_merged_round(w, a->arg8);
		else
			fz_user_consume(w, a->arg8);
		break;
	case FZ_PAUSE:
		c = &w->cpu[a->cpu];
		c->op_paused = a->arg8;
		set_paused(c);
		break;
	case FZ_TAIL:
		fz_user_hostile_tail(w, a);
		break;
	case FZ_SCRIBBLE:
		fz_user_scribble(w, a);
		break;
	case FZ_VISIBLE:
		w->sc_flush = true;
		w->st.visible += fz_mem_flush(w->mem, (enum fz_mem_cpu)(a->arg8 & 1),
					      a->arg8 >> 4, 1 + (a->arg8 >> 1 & 7));
		w->sc_flush = false;
		break;
	default:
		break;
	}
}

static void cpu_setup(struct fz_world *w, struct fz_cpu *c)
{
	const struct fz_config *cfg = &w->prog.cfg;
	struct uprb_ring_opts o = {
		.sz = sizeof(o),
		.page_size = cfg->page_size,
		.nr_pages = cfg->nr_pages,
		.overwrite = cfg->overwrite,
		.backward = cfg->backward,
		.oversize = cfg->oversize_drop ? UPRB_OVERSIZE_DROP :
						 UPRB_OVERSIZE_WRAP,
		.watermark = cfg->watermark,
		.wakeup = on_wakeup,
		.wakeup_arg = c,
	};
	struct uprb_reader_opts ro = {
		.sz = sizeof(ro),
		.overwrite = cfg->overwrite,
		.backward = cfg->backward,
		.pause = reader_pause,
		.pause_arg = c,
		.scratch = c->scratch,
		.scratch_size = sizeof(c->scratch),
	};
	struct uprb_check_opts co = {
		.sz = sizeof(co),
		.nsources = cfg->nsrc,
		.order = cfg->backward || cfg->overwrite ?
			UPRB_CHECK_ORDER_NONE : UPRB_CHECK_ORDER_ASCENDING,
		.lost_ids = c->lost_ids,
		.nlost_ids = cfg->nsrc,
	};
	struct model_cfg mc = {
		.page_size = cfg->page_size,
		.nr_pages = cfg->nr_pages,
		.backward = cfg->backward,
		.overwrite = cfg->overwrite,
		.oversize_drop = cfg->oversize_drop,
		.watermark = cfg->watermark,
		.lost_wakeup = w->lost_wakeup,
		.past_stale_tail = w->past_stale_tail,
		.nsrc = cfg->nsrc,
	};

	c->depth = 0;
	c->op_paused = c->reader_paused = c->hostile = c->promised = false;
	c->wakeups = 0;
	memset(c->seq, 0, sizeof(c->seq));
	c->rb = fz_ring_get(c->index, &o);
	for (unsigned i = 0; i < cfg->nsrc; i++) {
		const struct fz_src_cfg *s = &cfg->src[i];
		struct uprb_source *src = &c->src[i];
		struct model_src *ms = &mc.src[i];
		/* Per-CPU events have ids of their own. */
		uint64_t id = s->id + 0x1000u * c->index;

		uprb_source_init(src, id, s->sample_type, s->sample_id_all);
		src->wakeup_events = s->wakeup_events;
		/* Distinct values in every trailer field: a swap shows. */
		src->pid = 1000 + i;
		src->tid = 2000 + i;
		src->cpu = c->index;
		/*
		 * The kernel's sample_id carries event->id as stream_id too
		 * (no inherited events here): so does every backend.
		 */
		src->stream_id = id;
		c->src_time[i] = 0x7100 + i;
		src->clock = src_clock;
		src->clock_arg = &c->src_time[i];
		c->lost_ids[i] = id;
		*ms = (struct model_src){
			.id = id, .stream_id = src->stream_id,
			.time = c->src_time[i], .sample_type = s->sample_type,
			.sample_id_all = s->sample_id_all, .pid = src->pid,
			.tid = src->tid, .cpu = src->cpu,
			.wakeup_events = s->wakeup_events,
		};
	}
	c->wr = w->be->open(c->rb, &o, c->src, cfg->nsrc);
	if (!c->wr) {
		fprintf(stderr, "fuzz world: the %s backend cannot open a ring of %u x %u\n",
			w->be->name, cfg->nr_pages, cfg->page_size);
		abort();
	}
	if (c->index == 0) {
		/* The memory model is one ring's (SC with several CPUs). */
		unsigned char *base = uprb_ring_base(c->rb);
		struct fz_writer_addrs ad;

		w->be->addrs(c->wr, &ad);
		fz_mem_reset(w->mem, w->memory, base, base + uprb_ring_len(c->rb),
			     base + c->rb->user_page->data_offset,
			     c->rb->data_size, (uint32_t *)ad.paused, on_visible, w);
	}
	if (model_init(&c->model, &mc, c->rb, w->be, c->wr, w->conform)) {
		fprintf(stderr, "fuzz world: ring too large for the model\n");
		abort();
	}
	c->model.where.cpu = c->index;
	/*
	 * Forward overwrite rings cannot be read: no consumer
	 * (docs/ring.md#35-forward-overwrite-rings-cannot-be-read).
	 */
	c->reader_ok = uprb_reader_init(&c->r, uprb_ring_base(c->rb),
					uprb_ring_len(c->rb), &ro) == 0;
	if (uprb_check_init(&c->c, &co)) {
		fprintf(stderr, "fuzz world: no memory for the checker\n");
		abort();
	}
	if (w->schedcov)
		sc_ring(w, c);
}

/* Every store made so far becomes visible: they all do, eventually. */
void fz_world_settle(struct fz_world *w)
{
	fz_mem_drain(w->mem, FZ_MEM_WRITER);
	fz_mem_drain(w->mem, FZ_MEM_READER);
}

static void cpu_teardown(struct fz_world *w, struct fz_cpu *c)
{
	w->be->close(c->wr);
	c->wr = NULL;
	uprb_check_fini(&c->c);
	if (c->reader_ok)
		uprb_reader_fini(&c->r);
	/* The ring stays in the cache (rings.h), reset at its next use. */
	c->rb = NULL;
}

void fz_world_use(const struct fz_backend *be)
{
	world.be = be;
}

/* After top-level operation @step: compare (or record) every CPU's outcome. */
static void diff_point(struct fz_world *w, unsigned step, const char *what)
{
	for (unsigned k = 0; k < w->ncpu; k++) {
		struct fz_cpu *c = &w->cpu[k];
		struct fz_diff_view v = {
			.data = c->rb->data_pages[0],
			.data_size = c->rb->nr_pages ? c->rb->data_size : 0,
			.data_head = c->rb->user_page->data_head,
			.data_tail = c->rb->user_page->data_tail,
			.nsrc = w->prog.cfg.nsrc,
			.wakeups = c->wakeups,
		};
		const char *why;

		w->be->state(c->wr, &v.st);
		for (unsigned i = 0; i < v.nsrc; i++)
			v.src_lost[i] = w->be->src_lost(c->wr, i);
		why = fz_diff_point(k, step, &v);
		c->model.where.site = UPRB_SITE_COUNT;
		c->model.where.loc = NULL;
		if (why)
			model_fail(&c->model, "differential",
				   "after step %u (%s): %s backend, then %s backend: %s",
				   step, what, w->first->name, w->second->name, why);
	}
}

static void run_once(struct fz_world *w, const struct fz_profile *prof,
		     const uint8_t *data, size_t len)
{
	struct uprb_sim_hooks hooks = { .access = hook, .ctx = w };
	struct fz_stats *st = &w->st;
	struct model *models[FZ_MAX_CPUS];

	fz_world_settings(w, prof);
	w->abandoned = false;
	memset(&w->st, 0, sizeof(w->st));
	fz_decode(&w->prog, prof, data, len);
	/* A backend without the drop-oversize policy has the kernel's: wrap. */
	if (!w->be->oversize_drop || (w->second && !w->second->oversize_drop))
		w->prog.cfg.oversize_drop = false;
	if (w->verbose > 1)
		fz_program_print(stderr, &w->prog);

	w->ncpu = w->prog.cfg.ncpu;
	w->merged = prof->cpus > 1;
	/* The memory model (memory.h) is one ring's: SC with several CPUs. */
	if (w->ncpu > 1)
		w->memory = FZ_MEM_SC;
	/* Differential mode: the features of both backends' runs. */
	w->schedcov = fz_schedcov_begin(w->memory != FZ_MEM_SC,
					!w->second || w->be == w->first);
	w->clock = 0;
	st->cpus = w->ncpu;
	for (unsigned i = 0; i < w->ncpu; i++) {
		w->cpu[i].index = i;
		w->cur = &w->cpu[i];
		cpu_setup(w, &w->cpu[i]);
		models[i] = &w->cpu[i].model;
	}
	w->cur = &w->cpu[0];
	if (w->merged)
		fz_merge_reset(&w->merge, w->ncpu, models, w->verbose);
	uprb_sim_hooks = &hooks;
	for (unsigned i = 0; i < w->prog.nops; i++) {
		const struct fz_action *a = &w->prog.ops[i];

		for (unsigned k = 0; k < w->ncpu; k++)
			w->cpu[k].model.where.step = i + 1;
		/* A top-level operation runs on the CPU it names. */
		w->cur = &w->cpu[a->kind == FZ_WRITE ? w->prog.writes[a->write].cpu :
				 a->kind == FZ_PAUSE ? a->cpu : 0];
		if (w->verbose > 1 && w->prog.cfg.cpu_bytes &&
		    (a->kind == FZ_WRITE || a->kind == FZ_PAUSE))
			fprintf(stderr, "step %u: %s on cpu %u\n", i + 1,
				fz_kind_name(a->kind), w->cur->index);
		else if (w->verbose > 1)
			fprintf(stderr, "step %u: %s\n", i + 1,
				fz_kind_name(a->kind));
		run_action(w, a);
		fz_world_settle(w);
		if (w->abandoned)
			break;
		for (unsigned k = 0; k < w->ncpu; k++) {
			model_idle(&w->cpu[k].model, false);
			paused_as_asked(&w->cpu[k]);
		}
		if (w->second)
			diff_point(w, i + 1, fz_kind_name(a->kind));
		w->st.ops++;
	}
	for (unsigned k = 0; k < w->ncpu; k++)
		w->cpu[k].model.where.step = w->prog.nops;
	fz_world_finish(w);
	uprb_sim_hooks = NULL;
	for (unsigned k = 0; k < w->ncpu; k++)
		cpu_teardown(w, &w->cpu[k]);
}

void fz_world_run(const struct fz_profile *prof, const uint8_t *data,
		  size_t len)
{
	static int verbose = -1;
	struct fz_world *w = &world;

	if (verbose < 0) {
		const char *e = getenv("UPRB_FUZZ_VERBOSE");

		verbose = e ? atoi(e) : 0;
	}
	w->verbose = verbose;
	w->prof = prof;
	if (!w->second) {
		run_once(w, prof, data, len);
		fz_schedcov_end();
		return;
	}
	/* Differential: the first backend records, the second must agree. */
	fz_diff_begin(0);
	w->be = w->first;
	if (w->verbose > 1)
		fprintf(stderr, "differential: the %s backend\n", w->be->name);
	run_once(w, prof, data, len);
	fz_diff_begin(1);
	w->be = w->second;
	if (w->verbose > 1)
		fprintf(stderr, "differential: the %s backend\n", w->be->name);
	run_once(w, prof, data, len);
	w->st.diff_compared = fz_diff_compared();
	w->st.diff_diverged = fz_diff_diverged();
	fz_schedcov_end();
}

void fz_world_diff(const struct fz_backend *first,
		   const struct fz_backend *second)
{
	world.first = first;
	world.second = second;
}

const char *fz_world_summary(void)
{
	static char buf[800];
	const struct fz_stats *s = &world.st;
	int n;

	n = snprintf(buf, sizeof(buf),
		     "  %llu ops, %llu writes (%llu nested, depth %u, %llu interrupts), "
		     "%llu reserved, %llu paused, %llu no space, %llu LOST, "
		     "%llu wake-ups, %llu records read, %llu hostile, %llu reader errors, "
		     "%llu bytes, %s",
		     (unsigned long long)s->ops, (unsigned long long)s->writes,
		     (unsigned long long)s->nested, s->max_depth,
		     (unsigned long long)s->irqs, (unsigned long long)s->reserved,
		     (unsigned long long)s->paused, (unsigned long long)s->nospace,
		     (unsigned long long)s->lost_records,
		     (unsigned long long)s->wakeups,
		     (unsigned long long)s->records_read,
		     (unsigned long long)s->hostile,
		     (unsigned long long)s->reader_errors,
		     (unsigned long long)s->bytes,
		     s->strict ? "checked against the model" :
				 "consumer unchecked after hostile user space");
	if (s->known_hits && n > 0 && (size_t)n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      "\n  known defect looked past %llu times (UPRB_SIM_PAST)",
			      (unsigned long long)s->known_hits);
	if (s->stamp_ahead && n > 0 && (size_t)n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      "\n  wake-up stamp ahead of the head at %llu idle points "
			      "(every write then steps it and wakes the reader)",
			      (unsigned long long)s->stamp_ahead);
	if (s->buffered && n > 0 && (size_t)n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      "\n  memory %s: %llu stores buffered, %llu made visible by the input, "
			      "%llu stale bytes read%s",
			      fz_mem_model_name(world.memory),
			      (unsigned long long)s->buffered,
			      (unsigned long long)s->visible,
			      (unsigned long long)s->stale_bytes,
			      s->abandoned ? ", cut short: no consistent ending" : "");
	if (world.second && n > 0 && (size_t)n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      "\n  differential %s vs %s: %u of %llu steps identical%s",
			      world.first->name, world.second->name,
			      s->diff_compared, (unsigned long long)s->ops,
			      s->diff_diverged ? ", then the schedules diverge (an interrupt "
			      "fired at a different access)" : "");
	else if (world.be && world.be != &fz_backend_core && n > 0 &&
		 (size_t)n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      "\n  backend %s (%s)", world.be->name, world.be->version);
	if ((world.schedcov & FZ_SC_FAMILIES) && n > 0 && (size_t)n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      "\n  schedule features: %u (digest %016llx; %s)",
			      fz_schedcov_count(),
			      (unsigned long long)fz_schedcov_digest(),
			      fz_schedcov_describe());
	if (world.merged && n > 0 && (size_t)n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - (size_t)n,
			 "\n  %u CPUs: %llu writes run from another CPU's writer, %llu skipped (CPU busy), "
			 "%llu rounds, %llu records merged in time order, %llu late",
			 s->cpus, (unsigned long long)s->cross,
			 (unsigned long long)s->busy,
			 (unsigned long long)s->rounds,
			 (unsigned long long)s->merged,
			 (unsigned long long)s->late);
	return buf;
}
