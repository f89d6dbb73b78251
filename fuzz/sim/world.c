/* SPDX-License-Identifier: MIT */
/*
 * world.c - the simulated world of world.h: one CPU, its ring, writers at
 * four levels injected at seam accesses, the consumer, hostile user space.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "uprb/uprb_check.h"
#include "uprb/uprb_reader.h"
#include "world.h"

/* A writer running on a CPU: the top of the stack is the one executing. */
struct fz_frame {
	const struct fz_write *w;
	unsigned id;             /* model attempt */
	unsigned level;
	unsigned wakeups;        /* wake-up callbacks during this writer */
	enum uprb_site last;     /* its latest access, for failure messages */
	uint32_t total;          /* its accesses so far */
	uint16_t count[FZ_WRITER_SITES];
};

/* One simulated CPU with its ring, its writers and its consumer. */
struct fz_cpu {
	unsigned index;
	struct uprb_ring *rb;
	struct uprb_source src[FZ_MAX_SOURCES];
	uint64_t src_time[FZ_MAX_SOURCES];
	uint64_t lost_ids[FZ_MAX_SOURCES];
	uint32_t seq[FZ_MAX_SOURCES][UPRB_LEVEL_COUNT];
	struct fz_frame stack[UPRB_LEVEL_COUNT];
	unsigned depth;
	bool op_paused, reader_paused;
	bool reader_ok;
	bool hostile;            /* user space wrote data_tail or data_head */
	struct uprb_reader r;
	struct uprb_check c;
	struct model model;
	unsigned char scratch[UPRB_SCRATCH_SIZE];
};

struct fz_world {
	const struct fz_profile *prof;
	struct fz_program prog;
	struct fz_cpu cpu[1];
	struct fz_cpu *cur;
	unsigned in_consumer;
	int verbose;
	struct fz_stats st;
};

static struct fz_world world;

#define USER_LEVEL UPRB_LEVEL_COUNT /* "-" in messages: no writer */

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

/* The plan of the running writer @f: actions due at this access, in order. */
static void interrupts(struct fz_world *w, struct fz_frame *f,
		       enum uprb_site site)
{
	const struct fz_write *wr = f->w;

	for (unsigned i = 0; i < wr->nirq; i++) {
		const struct fz_irq *q = &w->prog.irqs[wr->irq + i];
		bool due = q->site == FZ_SITE_ANY ?
			q->nth == f->total :
			q->site == site && q->nth == f->count[site];

		if (!due)
			continue;
		w->st.irqs++;
		if (w->verbose > 1)
			fprintf(stderr, "  %*s%s at %s#%u of the %s writer\n",
				2 * (int)f->level, "", fz_kind_name(q->act.kind),
				uprb_site_name(site), q->nth,
				fz_level_name(f->level));
		run_action(w, &q->act);
	}
}

static uint64_t hook(void *ctx, const struct uprb_sim_access *a)
{
	struct fz_world *w = ctx;
	struct fz_cpu *c = w->cur;
	struct model *m = &c->model;
	int id = -1;
	uint64_t v;

	if ((unsigned)a->site < FZ_WRITER_SITES) {
		struct fz_frame *f;

		if (!c->depth)
			model_fail(m, "harness", "writer access at %s with no writer",
				   uprb_site_name(a->site));
		f = &c->stack[c->depth - 1];
		f->count[a->site]++;
		f->total++;
		f->last = a->site;
		/* The preemption point: whatever interrupts here runs first. */
		interrupts(w, f, a->site);
		id = (int)f->id;
		m->where.level = f->level;
	}
	m->where.site = a->site;
	model_pre_access(m, a);
	v = uprb_sim_perform(a);
	model_access(m, id, a, v);
	return v;
}

static void on_wakeup(struct uprb_ring *rb, void *arg)
{
	struct fz_cpu *c = arg;

	(void)rb;
	if (!c->depth)
		model_fail(&c->model, "wakeup", "wake-up with no writer running");
	c->stack[c->depth - 1].wakeups++;
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

	ret = uprb_synth_write(c->rb, &c->src[wr->src], wr->size, wr->src,
			       (uint8_t)wr->level, (uint8_t)c->index, seq);

	set_where(c);
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
	uprb_ring_pause(c->rb, c->op_paused || c->reader_paused);
}

/* The backward reader pauses the writer for its window (SPEC 3). */
static int reader_pause(void *arg, bool on)
{
	struct fz_cpu *c = arg;

	c->reader_paused = on;
	set_paused(c);
	return 0;
}

static bool strict(const struct fz_cpu *c)
{
	/* Once user space lied, the reader may see anything. */
	return !c->hostile;
}

static const char *reader_invariant(int err)
{
	switch (err) {
	case -ERANGE:
		return "monotonic-head";
	case -EOVERFLOW:
		return "non-overwrite-safety";
	case -EBADMSG:
	case -EILSEQ:
	case -EMSGSIZE:
	case -EPROTO:
		return "exact-tiling";
	default:
		return "reader";
	}
}

static void reader_error(struct fz_world *w, struct fz_cpu *c, int err,
			 uint64_t pos, bool clean)
{
	w->st.reader_errors++;
	if (clean)
		model_fail(&c->model, reader_invariant(err),
			   "reader: %s (%d) at %#llx, data_head %#llx",
			   uprb_read_strerror(err), err, (unsigned long long)pos,
			   (unsigned long long)c->rb->user_page->data_head);
	/* Hostile user space: a real reader would resync too. */
	uprb_read_resync(&c->r);
}

/* Return: false if the record is no longer whole (overwrite rings). */
static bool check_record(struct fz_cpu *c, uint64_t pos,
			 const struct perf_event_header *ev)
{
	struct model *m = &c->model;
	int src = model_check_record(m, pos, ev);

	if (src < 0)
		return false;
	/* LOST records carry the trailer of the source that wrote them. */
	c->c.o.layout.sample_type = m->cfg.src[src].sample_type;
	c->c.o.layout.sample_id_all = m->cfg.src[src].sample_id_all;
	if (uprb_check_record(&c->c, ev, pos))
		model_fail(m, "checker", "%s", c->c.what);
	return true;
}

/* One honest window: read up to @max records (0: all), consuming each. */
static void consume(struct fz_world *w, unsigned max)
{
	struct fz_cpu *c = w->cur;
	struct model *m = &c->model;
	const struct perf_event_header *ev;
	struct model_where saved = m->where;
	uint64_t prev = c->r.prev, head, pos = c->r.start;
	bool backward = c->rb->backward, clean;
	int err;

	if (!c->reader_ok)
		return;
	w->in_consumer++;
	m->where.level = USER_LEVEL;
	err = uprb_read_init(&c->r);
	if (err == -EAGAIN || err == -ENODATA)
		goto out;
	head = c->r.head;
	/*
	 * Non-overwrite rings must hold every unread record whole. In an
	 * overwrite ring a writer may have landed on one (a lap, or an outer
	 * writer resuming over a nested one): what the reader makes of such
	 * bytes is its own business, so such a window is only read.
	 */
	clean = strict(c);
	if (clean && c->rb->overwrite)
		clean = model_window_whole(m, head, prev);
	if (err) {
		reader_error(w, c, err, pos, clean);
		goto out;
	}
	/* Backward windows are read whole: the writer is paused for them. */
	for (unsigned n = 0; backward || !max || n < max; n++) {
		pos = c->r.start;
		err = uprb_read_event(&c->r, &ev);
		if (err <= 0)
			break;
		w->st.records_read++;
		if (clean)
			clean = check_record(c, pos, ev);
		uprb_consume(&c->r);
	}
	if (err < 0) {
		reader_error(w, c, err, pos, clean);
		goto out;
	}
	/* A lapped overwrite ring: find-range must stop where the model says. */
	if (clean && backward && prev - head > m->size &&
	    c->r.end != model_backward_cut(m, head))
		model_fail(m, "exact-tiling",
			   "backward window from %#llx ends at %#llx, the model's at %#llx",
			   (unsigned long long)head,
			   (unsigned long long)c->r.end,
			   (unsigned long long)model_backward_cut(m, head));
	uprb_read_done(&c->r);
out:
	w->in_consumer--;
	m->where = saved;
}

static uint64_t toward(const struct fz_cpu *c, uint64_t x, uint64_t d,
		       bool ahead)
{
	/* "Ahead" is the writing direction: up forward, down backward. */
	return ahead != c->rb->backward ? x + d : x - d;
}

static void hostile_tail(struct fz_world *w, const struct fz_action *a)
{
	struct fz_cpu *c = w->cur;
	struct perf_event_mmap_page *pc = c->rb->user_page;
	uint64_t head = c->rb->head, tail = pc->data_tail, v = a->arg, t;

	switch (a->arg8) {
	case FZ_TAIL_BEHIND:
		t = toward(c, tail, 8 * (1 + v % 512), false);
		break;
	case FZ_TAIL_LAP:
		t = toward(c, head, c->rb->data_size + 8 * (v % 64), false);
		break;
	case FZ_TAIL_AHEAD:
		t = toward(c, head, 8 * (1 + v % 512), true);
		break;
	case FZ_TAIL_UNALIGNED:
		t = tail + 1 + v % 7;
		break;
	case FZ_TAIL_HUGE:
		t = v;
		break;
	default:
		t = c->r.prev;
		break;
	}
	/* User space writes its page directly, not through the core's seam. */
	__atomic_store_n(&pc->data_tail, t, __ATOMIC_RELEASE);
	c->hostile = true;
	model_hostile_tail(&c->model);
	w->st.hostile++;
}

static void scribble(struct fz_world *w, const struct fz_action *a)
{
	struct fz_cpu *c = w->cur;
	uint64_t head = c->rb->head, v = a->arg, h;

	switch (a->arg8) {
	case FZ_HEAD_SET:
		h = v;
		break;
	case FZ_HEAD_AHEAD:
		h = toward(c, head, 8 * (1 + v % 512), true);
		break;
	case FZ_HEAD_BEHIND:
		h = toward(c, head, 8 * (1 + v % 512), false);
		break;
	default:
		h = head + 1 + v % 7;
		break;
	}
	__atomic_store_n(&c->rb->user_page->data_head, h, __ATOMIC_RELEASE);
	c->hostile = true;
	model_scribble(&c->model);
	w->st.hostile++;
}

static void run_action(struct fz_world *w, const struct fz_action *a)
{
	struct fz_cpu *c = w->cur;

	switch (a->kind) {
	case FZ_WRITE:
		do_write(w, &w->prog.writes[a->write]);
		break;
	case FZ_CONSUME:
		consume(w, a->arg8);
		break;
	case FZ_PAUSE:
		c->op_paused = a->arg8;
		set_paused(c);
		break;
	case FZ_TAIL:
		hostile_tail(w, a);
		break;
	case FZ_SCRIBBLE:
		scribble(w, a);
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
		.nsrc = cfg->nsrc,
	};

	c->depth = 0;
	c->op_paused = c->reader_paused = c->hostile = false;
	memset(c->seq, 0, sizeof(c->seq));
	if (uprb_ring_new(&c->rb, &o)) {
		fprintf(stderr, "fuzz world: cannot make a ring of %u x %u\n",
			cfg->nr_pages, cfg->page_size);
		abort();
	}
	for (unsigned i = 0; i < cfg->nsrc; i++) {
		const struct fz_src_cfg *s = &cfg->src[i];
		struct uprb_source *src = &c->src[i];
		struct model_src *ms = &mc.src[i];

		uprb_source_init(src, s->id, s->sample_type, s->sample_id_all);
		src->wakeup_events = s->wakeup_events;
		/* Distinct values in every trailer field: a swap shows. */
		src->pid = 1000 + i;
		src->tid = 2000 + i;
		src->cpu = c->index;
		src->stream_id = s->id + 0x10000;
		c->src_time[i] = 0x7100 + i;
		src->clock = src_clock;
		src->clock_arg = &c->src_time[i];
		c->lost_ids[i] = s->id;
		*ms = (struct model_src){
			.id = s->id, .stream_id = src->stream_id,
			.time = c->src_time[i], .sample_type = s->sample_type,
			.sample_id_all = s->sample_id_all, .pid = src->pid,
			.tid = src->tid, .cpu = src->cpu,
			.wakeup_events = s->wakeup_events,
		};
	}
	if (model_init(&c->model, &mc, c->rb, c->src)) {
		fprintf(stderr, "fuzz world: ring too large for the model\n");
		abort();
	}
	c->model.where.cpu = c->index;
	/* Forward overwrite rings cannot be read (SPEC 3.4): no consumer. */
	c->reader_ok = uprb_reader_init(&c->r, uprb_ring_base(c->rb),
					uprb_ring_len(c->rb), &ro) == 0;
	if (uprb_check_init(&c->c, &co)) {
		fprintf(stderr, "fuzz world: no memory for the checker\n");
		abort();
	}
}

/* Everything idle: read what is left and check the whole account. */
static void cpu_finish(struct fz_world *w, struct fz_cpu *c)
{
	struct model *m = &c->model;

	m->where.phase = "final drain";
	m->where.level = USER_LEVEL;
	consume(w, 0);
	/* A forward reader sees data_head again only at a window's end. */
	consume(w, 0);
	m->where.phase = NULL;
	model_idle(m, true);
	m->where.phase = "final";
	if (c->reader_ok && strict(c) && !c->rb->overwrite) {
		/* Exact tiling: the walk from 0 landed exactly on data_head. */
		if (c->r.prev != m->head)
			model_fail(m, "exact-tiling",
				   "reader stopped at %#llx, data_head %#llx",
				   (unsigned long long)c->r.prev,
				   (unsigned long long)m->head);
		if (uprb_check_conservation(&c->c, m->attempted, c->rb->lost))
			model_fail(m, "loss-conservation", "%s", c->c.what);
	}
	m->where.phase = NULL;
	w->st.strict = strict(c);
	w->st.bytes = c->rb->backward ? -m->head : m->head;
}

static void cpu_teardown(struct fz_cpu *c)
{
	uprb_check_fini(&c->c);
	if (c->reader_ok)
		uprb_reader_fini(&c->r);
	uprb_ring_free(c->rb);
	c->rb = NULL;
}

void fz_world_run(const struct fz_profile *prof, const uint8_t *data,
		  size_t len)
{
	static int verbose = -1;
	struct fz_world *w = &world;
	struct uprb_sim_hooks hooks = { .access = hook, .ctx = w };
	struct fz_cpu *c = &w->cpu[0];

	if (verbose < 0) {
		const char *e = getenv("UPRB_FUZZ_VERBOSE");

		verbose = e ? atoi(e) : 0;
	}
	w->verbose = verbose;
	w->prof = prof;
	memset(&w->st, 0, sizeof(w->st));
	fz_decode(&w->prog, prof, data, len);
	if (w->verbose > 1)
		fz_program_print(stderr, &w->prog);

	c->index = 0;
	w->cur = c;
	cpu_setup(w, c);
	uprb_sim_hooks = &hooks;
	for (unsigned i = 0; i < w->prog.nops; i++) {
		c->model.where.step = i + 1;
		if (w->verbose > 1)
			fprintf(stderr, "step %u: %s\n", i + 1,
				fz_kind_name(w->prog.ops[i].kind));
		run_action(w, &w->prog.ops[i]);
		model_idle(&c->model, false);
		w->st.ops++;
	}
	c->model.where.step = w->prog.nops;
	cpu_finish(w, c);
	uprb_sim_hooks = NULL;
	cpu_teardown(c);
}

const struct fz_stats *fz_world_stats(void)
{
	return &world.st;
}
