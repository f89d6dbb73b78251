/* SPDX-License-Identifier: MIT */
/*
 * user.c - the world's user space (world_state.h): the honest consumer,
 * each record it reads checked by its CPU's model and the record checker,
 * the merged consumer's rounds across CPUs (merge.h), and hostile stores
 * to the control page (data_tail, data_head).
 */
#include <errno.h>
#include <string.h>

#include "world_state.h"

/* The writer's own head (rb->head), as user space would guess it. */
static uint64_t writer_head(const struct fz_world *w, const struct fz_cpu *c)
{
	struct fz_writer_state st;

	w->be->state(c->wr, &st);
	return st.head;
}

bool fz_user_strict(const struct fz_cpu *c)
{
	/*
	 * Once user space lied, or a known defect was looked past, the
	 * reader may see anything.
	 */
	return !c->hostile && !c->model.known_hits;
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

/* Hand a record the model accepted to the merged consumer, with its time. */
static void merge_take(struct fz_world *w, struct fz_cpu *c,
		       const struct perf_event_header *ev)
{
	struct uprb_synth s;

	if (ev->type == PERF_RECORD_LOST) {
		fz_merge_take(&w->merge, c->index, true, 0, 0, 0, 0);
		return;
	}
	memcpy(&s, ev, sizeof(s));
	if (s.seq >= FZ_MAX_WRITES || s.source >= FZ_MAX_SOURCES ||
	    (s.header.misc & 0xff) >= UPRB_LEVEL_COUNT)
		model_fail(&c->model, "harness", "record seq %u source %u out of range",
			   s.seq, s.source);
	fz_merge_take(&w->merge, c->index, false, s.source, s.header.misc & 0xff,
		      s.seq, w->time[c->index][s.source][s.header.misc & 0xff][s.seq]);
}

/* One honest window: read up to @max records (0: all), consuming each. */
void fz_user_consume(struct fz_world *w, unsigned max)
{
	struct fz_cpu *c = w->cur;
	struct model *m = &c->model;
	const struct perf_event_header *ev;
	struct fz_story saved = m->where;
	uint64_t prev = c->r.prev, head, pos = c->r.start;
	bool backward = c->rb->backward, clean;
	int err;

	if (!c->reader_ok || w->abandoned)
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
	clean = fz_user_strict(c);
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
		if (clean && w->merged)
			merge_take(w, c, ev);
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

/*
 * A round of the merged consumer: every ring's window in CPU order (each
 * record checked by its CPU's model as it is read), then the flush of what
 * perf's FINISHED_ROUND rule lets go (merge.h).
 */
void fz_user_merged_round(struct fz_world *w, unsigned max)
{
	struct fz_cpu *saved = w->cur;

	for (unsigned i = 0; i < w->ncpu; i++) {
		w->cur = &w->cpu[i];
		fz_user_consume(w, max);
	}
	w->cur = saved;
	fz_merge_round_end(&w->merge, w->clock);
}

static uint64_t toward(const struct fz_cpu *c, uint64_t x, uint64_t d,
		       bool ahead)
{
	/* "Ahead" is the writing direction: up forward, down backward. */
	return ahead != c->rb->backward ? x + d : x - d;
}

void fz_user_hostile_tail(struct fz_world *w, const struct fz_action *a)
{
	struct fz_cpu *c = w->cur;
	struct perf_event_mmap_page *pc = c->rb->user_page;
	uint64_t head = writer_head(w, c), tail, v = a->arg, t;

	/* User space's own earlier stores come first (coherence). */
	fz_mem_drain(w->mem, FZ_MEM_READER);
	tail = pc->data_tail;
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
	fz_mem_user_store(w->mem, &pc->data_tail, t, 8);
	c->hostile = true;
	model_hostile_tail(&c->model);
	w->st.hostile++;
}

void fz_user_scribble(struct fz_world *w, const struct fz_action *a)
{
	struct fz_cpu *c = w->cur;
	uint64_t head = writer_head(w, c), v = a->arg, h;

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
	fz_mem_user_store(w->mem, &c->rb->user_page->data_head, h, 8);
	c->hostile = true;
	model_scribble(&c->model);
	w->st.hostile++;
}
