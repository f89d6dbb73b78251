/* SPDX-License-Identifier: MIT */
/*
 * conform.c - the port-only conformance layer of the model (model.h): the
 * core's writer (core/src/output.c) makes the kernel's accesses in the
 * kernel's order, site by site, and this checks that order, on top of what
 * model.c judges by address and value. Other backends (a kernel tree's own
 * ring_buffer.c) make other, equally valid orders and never run it; for the
 * core it is on unless UPRB_SIM_CONFORM=0.
 *
 * One attempt of the port, in site labels (port.h):
 *
 *   paused_load [lost_add_paused source_lost_add]            (paused: done)
 *   lost_peek nest_get_load nest_get_store wakeup_snapshot head_load
 *   { A_tail_load (non-overwrite) then lost_add_fail source_lost_add put,
 *     or head_cas, again from A_tail_load if it failed }
 *   wakeup_load [wakeup_step] [lost_xchg] copy... [events_add
 *   [events_sub wakeup_bump]] put
 *
 *   put: nest_put_load, then nest_put_dec (inner), or put_barrier_1
 *   put_head_load B_head_store put_barrier_2 nest_clear put_barrier_3
 *   put_head_recheck [nest_again, back to put_barrier_1] wakeup_check.
 *
 * Each check runs before the access is judged, on the attempt's state as
 * model.c left it after the previous one.
 */
#include "model.h"

#define NEED(cond, ...)                                                        \
	do {                                                                   \
		if (!(cond))                                                   \
			model_fail(m, "conformance", __VA_ARGS__);             \
	} while (0)

void model_conform(struct model *m, struct model_attempt *a,
		   const struct uprb_sim_access *acc, uint64_t ret)
{
	(void)ret;
	switch (acc->site) {
	case UPRB_SITE_PAUSED_LOAD:
		NEED(a->state == MA_BEGUN && !a->peeked, "paused read %s",
		     a->peeked ? "after the lost check" : "twice");
		break;
	case UPRB_SITE_LOST_ADD_PAUSED:
		NEED(a->state == MA_PAUSED, "paused drop counted by a writer that was not paused");
		break;
	case UPRB_SITE_LOST_PEEK:
		NEED(a->state == MA_BEGUN && !a->peeked, "lost read %s",
		     a->state == MA_PAUSED ? "after a paused drop" : "twice");
		break;
	case UPRB_SITE_NEST_GET_LOAD:
	case UPRB_SITE_NEST_GET_STORE:
		NEED(a->peeked && !a->entered, "get_handle %s",
		     a->entered ? "twice" : "before the lost check");
		break;
	case UPRB_SITE_WAKEUP_SNAPSHOT:
		NEED(a->entered && !a->snap_seen && a->state == MA_HANDLE,
		     "wake-up snapshot outside get_handle");
		break;
	case UPRB_SITE_HEAD_LOAD:
		NEED(a->state == MA_HANDLE && a->snap_seen && !a->head_seen,
		     "head read before the snapshot or twice");
		a->tail_fresh = false;
		break;
	case UPRB_SITE_A_TAIL_LOAD:
		NEED(!m->cfg.overwrite, "an overwrite ring read data_tail");
		NEED(a->state == MA_HANDLE && a->head_seen,
		     "data_tail read outside the reservation loop");
		a->tail_fresh = true;
		break;
	case UPRB_SITE_HEAD_CAS:
		NEED(m->cfg.overwrite || a->tail_fresh,
		     "compare-and-swap without data_tail read after head");
		/* A failed one goes round again: the tail is read anew. */
		a->tail_fresh = false;
		break;
	case UPRB_SITE_LOST_ADD_FAIL:
		NEED(a->state == MA_HANDLE && (m->cfg.overwrite || a->tail_fresh),
		     "no-space drop without data_tail read after head");
		break;
	case UPRB_SITE_WAKEUP_LOAD:
		NEED(a->state == MA_RESERVED && !a->wakeup_loaded,
		     "watermark check %s", a->wakeup_loaded ? "twice" :
		     "without a reservation");
		break;
	case UPRB_SITE_WAKEUP_STEP:
		NEED(a->step_due, "stamp stepped without a watermark crossing");
		break;
	case UPRB_SITE_LOST_XCHG:
		NEED(a->wakeup_loaded && !a->copied,
		     "LOST exchange not right after the watermark check");
		break;
	case UPRB_SITE_COPY:
		NEED(a->state != MA_RESERVED || a->wakeup_loaded,
		     "copy before the watermark check");
		break;
	case UPRB_SITE_NEST_PUT_LOAD:
		NEED(a->in_nest && !a->left, "put_handle %s",
		     a->left ? "twice" : "without get_handle");
		break;
	case UPRB_SITE_WAKEUP_CHECK:
		NEED(a->outermost && a->left && !a->in_nest,
		     "wake-up check by an inner writer");
		break;
	default:
		break;
	}
}
