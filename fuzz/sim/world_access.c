/* SPDX-License-Identifier: MIT */
/*
 * world_access.c - the seam hook of the world (world_state.h): every
 * access the core makes through the sim seam comes here. A writer's access
 * is counted in its frame and is the preemption point (world_interrupts.c);
 * then the access is performed under the memory model (memory.h), with the
 * sim-only weakening of one site (docs/memory.md#the-sim-only-switch), the
 * stores a removed compiler barrier lets move, and a relaxed data_tail
 * load that reads a value from the future; the model of the running CPU
 * judges each access, and each store as it becomes visible.
 */
#include <stdio.h>

#include "schedcov.h"
#include "world_state.h"

/* Where @c's running writer is: the access it is preempted before. */
static struct fz_sc_where sc_where(const struct fz_cpu *c)
{
	if (!c->depth)
		return (struct fz_sc_where){ .site = 0xff, .level = FZ_SC_USER };
	return (struct fz_sc_where){ .site = (uint8_t)c->stack[c->depth - 1].last,
				     .level = (uint8_t)c->stack[c->depth - 1].level };
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
void fz_world_on_visible(void *ctx, enum fz_mem_cpu who, const struct fz_store *s)
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

void fz_world_release_held(struct fz_world *w, struct fz_cpu *c,
			   struct fz_frame *f)
{
	struct uprb_sim_access a = f->held_a;

	f->held = HELD_NONE;
	c->model.where.site = a.site;
	perform(w, c, (int)f->id, &a);
}

uint64_t fz_world_access(void *ctx, const struct uprb_sim_access *acc)
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
				fz_world_release_held(w, c, f);
		}
		/* The preemption point: whatever interrupts here runs first. */
		fz_world_interrupts(w, f, a);
		m->where.level = f->level;
		if (f->held == HELD_AFTER) {
			fz_world_release_held(w, c, f);
		} else if (f->held == HELD_CROSSED && !removed) {
			/* The compiler keeps two accesses to one place in order. */
			if (f->held_a.addr == a->addr)
				fz_world_release_held(w, c, f);
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
