/* SPDX-License-Identifier: MIT */
/*
 * ring.c - one ring of uprb-stress-core: its setup (ring, sources, checker,
 * eventfd), the invariants it must hold once every thread has ended, and
 * its teardown.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core_stress.h"

int cs_ring_setup(struct world *w, struct ring_ctx *r, unsigned int idx)
{
	const struct cs_opts *o = &w->o;
	struct uprb_ring_opts ro = {
		.sz = sizeof(ro),
		.page_size = (uint32_t)o->page_size,
		.nr_pages = o->pages,
		.overwrite = o->overwrite,
		.backward = o->backward,
		.wakeup = cs_ring_wakeup,
		.wakeup_arg = r,
	};
	struct uprb_check_opts co = {
		.sz = sizeof(co),
		.nsources = NSOURCES,
		.order = o->backward || o->overwrite ?
			 UPRB_CHECK_ORDER_NONE : UPRB_CHECK_ORDER_ASCENDING,
	};
	int err;

	r->idx = idx;
	r->o = o;
	r->efd = -1;
	if (o->wakeup) {
		r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (r->efd < 0)
			return -errno;
	}
	err = uprb_ring_new(&r->rb, &ro);
	if (err)
		return err;
	/* Fault the data in now, not inside the first lap's writes. */
	for (uint32_t i = 0; i < r->rb->nr_pages; i++)
		memset(r->rb->data_pages[i], 0, r->rb->page_size);
	/* LOST ids name the emitting source: ring and level, never 0. */
	for (int l = 0; l < NSOURCES; l++) {
		struct level *lv = l < NLEVELS ? &r->lv[l] : &r->intr;

		r->lost_ids[l] = (uint64_t)(idx + 1) << 8 | (unsigned int)l;
		uprb_source_init(&lv->src, r->lost_ids[l], 0, false);
		lv->rng = cs_rng_seed(o->seed, 1, idx, (unsigned int)l);
	}
	/*
	 * The outermost reservation (largest record + LOST) and what nests
	 * in it must together stay within the ring.
	 */
	if (o->overwrite)
		r->lap_budget = r->rb->data_size - cs_max_size(o) -
				UPRB_LOST_RECORD_SIZE;
	co.lost_ids = r->lost_ids;
	co.nlost_ids = NSOURCES;
	err = uprb_check_init(&r->c, &co);
	if (err)
		return err;
	r->have_check = true;
	r->rng = cs_rng_seed(o->seed, 2, idx, 0);
	return 0;
}

void cs_ring_teardown(struct ring_ctx *r)
{
	if (r->have_check)
		uprb_check_fini(&r->c);
	if (r->rb)
		uprb_ring_free(r->rb);
	r->rb = NULL;
	if (r->efd >= 0)
		close(r->efd);
	r->efd = -1;
}

/* After every thread has ended: the end-of-run invariants of one ring. */
void cs_ring_final_checks(struct ring_ctx *r)
{
	uint64_t attempted = cs_peek(&r->intr.attempted);
	uint64_t pending = r->rb->lost;
	uint64_t delivered = uprb_check_delivered(&r->c);

	for (int l = 0; l < NLEVELS; l++)
		attempted += cs_peek(&r->lv[l].attempted);
	if (!r->o->overwrite) {
		if (uprb_check_conservation(&r->c, attempted, pending))
			cs_ring_fail(r, "ring %u: %s", r->idx, r->c.what);
	} else if (delivered + r->c.lost_sum + pending > attempted) {
		/* Records may vanish in overwrite mode, never appear twice. */
		cs_ring_fail(r, "ring %u: overwrite: delivered %" PRIu64
			     " + lost %" PRIu64 " + pending %" PRIu64
			     " > attempted %" PRIu64 ": a record read twice",
			     r->idx, delivered, r->c.lost_sum, pending, attempted);
	}
	/*
	 * Eventual publication and nest balance
	 * (docs/ring.md#63-eventual-publication, docs/ring.md#64-nest-balance).
	 */
	if (uprb_ring_check(r->rb))
		cs_ring_fail(r, "ring %u: quiescent ring check: nest %" PRIu32
			     ", data_head %" PRIu64 ", head %" PRIu64, r->idx,
			     r->rb->nest, (uint64_t)r->rb->user_page->data_head,
			     (uint64_t)r->rb->head);
	/*
	 * Not an invariant of docs/ring.md#6-invariants (the kernel does the
	 * same), but worth saying: the wake-up stamp ahead of the bytes
	 * written means every reservation from then on signals a wake-up
	 * (docs/FINDINGS.md#stamp-runaway).
	 */
	r->stamp_lead = (int64_t)(r->rb->wakeup -
				  (r->o->backward ? -(uint64_t)r->rb->head :
				   (uint64_t)r->rb->head));
	if (r->timer_err)
		cs_ring_fail(r, "ring %u: timer_create/settime: %s", r->idx,
			     strerror(r->timer_err));
}
