/* SPDX-License-Identifier: MIT */
/*
 * model_access.c - the model's judgement of each seam access of a writer
 * (model_access() in model.h): told apart by the address it touches
 * (var_of()), one handler per variable of the protocol: the paused flag,
 * the drop counts, the LOST record's take of them, nest, head (the
 * reservation), the wake-up stamp, rb->events, data_tail, data_head (the
 * publication) and the copies into the data area.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_impl.h"
#include "uprb/uprb_check.h"

/*
 * owner[pos, pos + len) = order (the hottest loop of a run): a short loop,
 * then doubling copies, which the sanitizers check once per copy rather
 * than once per element.
 */
static void set_owner(struct model *m, uint64_t pos, size_t len, uint32_t order)
{
	uint32_t *o = m->owner + pos;
	size_t done = len < 16 ? len : 16;

	for (size_t i = 0; i < done; i++)
		o[i] = order;
	while (done < len) {
		size_t n = done < len - done ? done : len - done;

		memcpy(o + done, o, n * sizeof(*o));
		done += n;
	}
}

static struct model_attempt *running(struct model *m, int id)
{
	NEED(id >= 0 && (unsigned)id < m->nattempts, "harness",
	     "a writer access with no writer running");
	return &m->att[id];
}

static void publish(struct model *m, uint64_t val)
{
	struct model_attempt *r;

	/*
	 * Judged by its effect, not by where in put_handle it happens: the
	 * value never goes back, is a record boundary, and exposes no
	 * unfinished reservation.
	 */
	if (forward(m))
		NEED((int64_t)(val - m->published) >= 0, "monotonic-head",
		     "data_head %#llx after %#llx", X64(val), X64(m->published));
	else
		NEED((int64_t)(m->published - val) >= 0, "monotonic-head",
		     "data_head %#llx after %#llx (backward)", X64(val),
		     X64(m->published));
	r = model_covering(m, val);
	NEED(val == 0 || val == m->head || (r && r->off == val), "exact-tiling",
	     "data_head %#llx is no record boundary (head %#llx)", X64(val),
	     X64(m->head));
	/* Every reservation below the new head must be finished. */
	for (unsigned i = 0; i < m->ninflight; i++) {
		r = &m->att[m->inflight[i]];
		if (r->state != MA_RESERVED || r->copied == r->total)
			continue;
		NEED(forward(m) ? (int64_t)(val - r->off) <= 0 :
				  (int64_t)(r->off - val) < 0,
		     "completeness",
		     "data_head %#llx exposes the unfinished %s reservation [%#llx, +%u)",
		     X64(val), fz_level_name(r->level), X64(r->off), r->total);
	}
	m->published = val;
	m->scribbled = false;
}

static void reserve(struct model *m, unsigned id, struct model_attempt *a,
		    const struct uprb_sim_access *acc, uint64_t old)
{
	uint64_t want = forward(m) ? a->view + a->total : a->view - a->total;

	NEED(acc->expect == a->view, "reservation",
	     "compare-and-swap expects head %#llx, the writer read %#llx",
	     X64(acc->expect), X64(a->view));
	NEED(old == m->head, "reservation",
	     "rb->head is %#llx at the compare-and-swap, the model's %#llx",
	     X64(old), X64(m->head));
	NEED(a->peeked, "lost-placement",
	     "reserves without having looked for pending drops");
	if (!m->cfg.overwrite)
		NEED(a->tail_seen && space(m, a->view, a->tail) >= a->total,
		     "non-overwrite-safety",
		     "reserves %u bytes at %#llx with %llu free (data_tail %#llx%s)",
		     a->total, X64(a->view), X64(space(m, a->view, a->tail)),
		     X64(a->tail), a->tail_seen ? "" : ", never read");
	else if (m->cfg.oversize_drop)
		NEED(a->total <= m->size, "reservation",
		     "reserves %u bytes in a ring of %llu with oversize DROP",
		     a->total, X64(m->size));
	NEED(acc->val == want, "reservation",
	     "reserves [%#llx -> %#llx), the model wants %u bytes (record %u%s)",
	     X64(acc->expect), X64(acc->val), a->total, a->size,
	     a->have_lost ? " + LOST" : "");
	if (old != acc->expect) {
		/* A nested writer reserved first: retry from where it left. */
		a->view = old;
		return;
	}
	a->state = MA_RESERVED;
	a->off = forward(m) ? a->view : want;
	a->new_head = want;
	m->head = want;
	a->order = ++m->nresv;
	m->resv[a->order - 1] = (uint16_t)id;
	if (a->total > m->size)
		m->oversized = true;
	if (!m->cfg.overwrite && m->honest && m->tail_promise)
		NEED(unread(m, a->view, a->tail) < m->size,
		     "non-overwrite-safety", "data_tail %#llx, head %#llx",
		     X64(a->tail), X64(a->view));
	if (!m->cfg.overwrite && m->honest && !m->tail_promise &&
	    unread(m, want, m->tail) > m->size - 1 && m->cfg.past_stale_tail &&
	    unread(m, a->view, a->tail) >= m->size) {
		/* The known stale-tail defect: counted, the consumer unjudged. */
		m->known_hits++;
		m->honest = false;
	}
	if (!m->cfg.overwrite && m->honest && !m->tail_promise)
		NEED(unread(m, want, m->tail) <= m->size - 1,
		     "non-overwrite-safety",
		     "head %#llx is %llu bytes past the reader's data_tail %#llx: "
		     "the writer judged the space from data_tail %#llx and head %#llx "
		     "(%llu bytes free by the space rule, %llu unread)",
		     X64(want), X64(unread(m, want, m->tail)), X64(m->tail),
		     X64(a->tail), X64(a->view), X64(space(m, a->view, a->tail)),
		     X64(unread(m, a->view, a->tail)));
}

/* The attempt left the nest the first time: its record must be done. */
static void check_put(struct model *m, struct model_attempt *a)
{
	const struct model_src *s = &m->cfg.src[a->src];

	NEED(a->state == MA_RESERVED || a->state == MA_FAILED, "reservation",
	     "put_handle with neither a reservation nor a drop");
	if (a->state != MA_RESERVED)
		return;
	NEED(a->copied == a->total, "exact-write",
	     "put_handle after %llu of %u reserved bytes", X64(a->copied),
	     a->total);
	NEED(a->have_lost == a->xchg_done, "lost-placement",
	     "%s", a->have_lost ? "drops were pending, no LOST record taken" :
				  "LOST record taken without pending drops");
	NEED(a->wakeup_loaded && !a->step_due, "wakeup",
	     "%s", a->wakeup_loaded ? "watermark crossed, stamp not stepped" :
				      "reservation without a watermark check");
	if (s->wakeup_events)
		NEED(a->sampled && a->ev_stage == 3, "wakeup",
		     "wakeup_events accounting incomplete (stage %u)",
		     a->ev_stage);
}

/* What an access touches, by its address. */
enum model_var {
	V_OTHER, V_PAUSED, V_LOST, V_NEST, V_HEAD, V_WAKEUP, V_EVENTS,
	V_SRC_LOST, V_DATA_HEAD, V_DATA_TAIL, V_DATA,
};

static enum model_var var_of(const struct model *m,
			     const struct uprb_sim_access *acc, unsigned *src)
{
	const struct fz_writer_addrs *ad = &m->addrs;
	const void *p = acc->addr;

	if (acc->op == UPRB_OP_FENCE)
		return V_OTHER;
	if (acc->op == UPRB_OP_COPY_TO || acc->op == UPRB_OP_COPY_FROM)
		return V_DATA;
	if (p == ad->head)
		return V_HEAD;
	if (p == ad->nest)
		return V_NEST;
	if (p == ad->lost)
		return V_LOST;
	if (p == ad->wakeup)
		return V_WAKEUP;
	if (p == ad->events)
		return V_EVENTS;
	if (p == ad->paused)
		return V_PAUSED;
	if (p == &m->rb->user_page->data_head)
		return V_DATA_HEAD;
	if (p == &m->rb->user_page->data_tail)
		return V_DATA_TAIL;
	for (unsigned i = 0; i < m->cfg.nsrc; i++)
		if (p == ad->src_lost[i]) {
			*src = i;
			return V_SRC_LOST;
		}
	return V_OTHER;
}

/* The value a read-modify-write or store leaves: add, exchange, store. */
static uint64_t written(const struct uprb_sim_access *acc, uint64_t old)
{
	return acc->op == UPRB_OP_ADD ? old + acc->val : acc->val;
}

static bool is_load(const struct uprb_sim_access *acc)
{
	return acc->op == UPRB_OP_LOAD;
}

static void on_paused(struct model *m, struct model_attempt *a,
		      const struct uprb_sim_access *acc, uint64_t ret)
{
	if (!a) {
		/* User space: pause/resume (PERF_EVENT_IOC_PAUSE_OUTPUT). */
		NEED(acc->op == UPRB_OP_STORE && acc->val <= 1 &&
		     (acc->val || m->cfg.nr_pages), "pause",
		     "paused set to %llu (%u pages)", X64(acc->val),
		     m->cfg.nr_pages);
		m->paused = (uint32_t)acc->val;
		return;
	}
	NEED(is_load(acc), "pause", "a writer changes the paused flag");
	NEED(ret == m->paused, "pause", "writer read paused %llu, the ring's is %u",
	     X64(ret), m->paused);
	/* Only a writer that has not taken the nest yet acts on it. */
	if (ret && a->state == MA_BEGUN) {
		a->state = MA_PAUSED;
		if (m->cfg.nr_pages)
			m->drops_paused++;
	}
}

/* A drop counted in the ring: paused, or no room for the reservation. */
static void on_drop(struct model *m, struct model_attempt *a, uint64_t ret)
{
	NEED(ret == m->pending, "loss-conservation",
	     "rb->lost %llu, the model's %llu", X64(ret), X64(m->pending));
	if (a->state == MA_PAUSED) {
		NEED(m->cfg.nr_pages && !a->counted, "pause",
		     "paused drop counted for an attempt that %s",
		     a->counted ? "was counted already" : "has no pages");
	} else {
		NEED(a->state == MA_HANDLE && !a->counted, "reservation",
		     "drop counted by a writer that %s",
		     a->counted ? "counted one already" :
		     a->state == MA_RESERVED ? "has its reservation" :
		     "is not reserving");
		if (!m->cfg.overwrite)
			NEED(a->tail_seen && a->head_seen &&
			     space(m, a->view, a->tail) < a->total, "reservation",
			     "drops %u bytes at %#llx with %llu free (data_tail %#llx)",
			     a->total, X64(a->view),
			     X64(space(m, a->view, a->tail)), X64(a->tail));
		else
			NEED(m->cfg.oversize_drop && a->total > m->size,
			     "reservation",
			     "overwrite ring drops %u bytes (ring %llu)",
			     a->total, X64(m->size));
		m->drops_nospace++;
		a->state = MA_FAILED;
	}
	m->pending++;
	a->counted = true;
}

static void on_lost(struct model *m, struct model_attempt *a,
		    const struct uprb_sim_access *acc, uint64_t ret)
{
	NEED(a, "loss-conservation", "rb->lost changed with no writer running");
	switch (acc->op) {
	case UPRB_OP_LOAD:
		NEED(ret == m->pending, "lost-placement",
		     "writer sees %llu pending drops, the model %llu", X64(ret),
		     X64(m->pending));
		/* Before its reservation: the look that sizes it. */
		if (a->state == MA_BEGUN || a->state == MA_HANDLE) {
			a->total = a->size;
			a->peeked = true;
			a->have_lost = ret != 0;
			if (a->have_lost)
				a->total += lost_size(&m->cfg.src[a->src]);
		}
		break;
	case UPRB_OP_ADD:
		NEED(acc->val == 1, "loss-conservation",
		     "rb->lost += %llu", X64(acc->val));
		on_drop(m, a, ret);
		break;
	case UPRB_OP_XCHG:
		NEED(a->state == MA_RESERVED && a->have_lost && !a->xchg_done,
		     "lost-placement", "LOST exchange %s",
		     !a->have_lost ? "without pending drops at the look" :
		     a->xchg_done ? "twice" : "before the reservation");
		NEED(ret == m->pending && acc->val == 0, "lost-placement",
		     "LOST exchange takes %llu (leaves %llu), the model has %llu pending",
		     X64(ret), X64(acc->val), X64(m->pending));
		a->lost_value = ret;
		a->xchg_done = true;
		m->lost_reported += ret;
		m->pending = 0;
		break;
	default:
		model_fail(m, "loss-conservation", "rb->lost written directly (op %d)",
			   acc->op);
	}
}

static void on_src_lost(struct model *m, struct model_attempt *a,
			const struct uprb_sim_access *acc, uint64_t ret,
			unsigned src)
{
	NEED(a && acc->op == UPRB_OP_ADD && acc->val == 1, "loss-conservation",
	     "source %u lost_samples changed %s", src,
	     a ? "other than by one" : "with no writer running");
	NEED(src == a->src && a->counted && !a->src_counted, "loss-conservation",
	     "source %u drop counted %s", src,
	     src != a->src ? "for another source's attempt" :
	     a->src_counted ? "twice" : "without a ring drop");
	NEED(ret == m->src_lost[src], "loss-conservation",
	     "source %u lost_samples %llu, the model's %llu", src, X64(ret),
	     X64(m->src_lost[src]));
	m->src_lost[src]++;
	a->src_counted = true;
}

/*
 * nest, by the value written: entering (n -> n + 1), leaving (n -> n - 1;
 * from 1 the writer is the outermost and publishes), or the outermost
 * taking it again to publish a late nested write (0 -> 1).
 */
static void on_nest(struct model *m, struct model_attempt *a,
		    const struct uprb_sim_access *acc, uint64_t ret)
{
	uint64_t v;

	NEED(a, "nest-balance", "nest changed with no writer running");
	if (is_load(acc)) {
		NEED(ret == m->nest, "nest-balance", "nest %llu, %u writers inside",
		     X64(ret), m->nest);
		return;
	}
	NEED(acc->op == UPRB_OP_STORE || acc->op == UPRB_OP_ADD, "nest-balance",
	     "nest changed by op %d", acc->op);
	v = written(acc, m->nest) & 0xffffffffu;
	if (!a->in_nest && !a->left && v == m->nest + 1) {
		NEED(a->state == MA_BEGUN, "pause",
		     "a writer that read the paused flag set takes the nest");
		m->nest++;
		a->entered = a->in_nest = true;
		a->state = MA_HANDLE;
	} else if (a->in_nest && m->nest && v == m->nest - 1) {
		if (!a->left)
			check_put(m, a);
		a->outermost = m->nest == 1;
		m->nest--;
		a->in_nest = false;
		a->left = true;
	} else if (!a->in_nest && a->outermost && m->nest == 0 && v == 1) {
		m->nest = 1;
		a->in_nest = true;
	} else {
		model_fail(m, "nest-balance",
			   "a %s writer stores nest %llu with %u writers inside",
			   a->in_nest ? "nested-in" : a->left ? "finished" : "new",
			   X64(v), m->nest);
	}
}

static void on_head(struct model *m, int id, struct model_attempt *a,
		    const struct uprb_sim_access *acc, uint64_t ret)
{
	NEED(a, "reservation", "rb->head touched with no writer running");
	if (is_load(acc)) {
		NEED(ret == m->head, "reservation", "rb->head %#llx, the model's %#llx",
		     X64(ret), X64(m->head));
		if (a->state == MA_HANDLE) {
			a->view = ret;
			a->head_seen = true;
		}
		return;
	}
	NEED(acc->op == UPRB_OP_CMPXCHG && a->state == MA_HANDLE, "reservation",
	     "rb->head %s", acc->op != UPRB_OP_CMPXCHG ?
	     "changed other than by compare-and-swap" :
	     "compare-and-swap by a writer outside the nest or reserved already");
	reserve(m, (unsigned)id, a, acc, ret);
}

static void on_wakeup(struct model *m, struct model_attempt *a,
		      const struct uprb_sim_access *acc, uint64_t ret)
{
	NEED(a, "wakeup", "the wake-up stamp touched with no writer running");
	NEED(ret == m->wakeup, "wakeup", "stamp %#llx, the model's %#llx",
	     X64(ret), X64(m->wakeup));
	if (is_load(acc)) {
		if (a->state == MA_RESERVED && !a->left && !a->wakeup_loaded) {
			/*
			 * The watermark check. Bytes written so far against
			 * the stamp, in u64 as perf does: a nested writer may
			 * have moved the stamp past our own head, and the
			 * difference then wraps and steps.
			 */
			uint64_t h = forward(m) ? a->new_head : -a->new_head;

			a->step_due = h - ret > m->watermark;
			a->wakeup_loaded = true;
		} else if (a->left && a->outermost && !a->in_nest) {
			/* The outermost writer's check before it signals. */
			a->check = ret;
			a->wakeup_checked = true;
		} else if (!a->snap_seen && a->state != MA_PAUSED &&
			   a->state != MA_RESERVED && !a->left) {
			/* get_handle's snapshot (before or after the nest). */
			a->snap = ret;
			a->snap_seen = true;
		}
		return;
	}
	NEED(acc->op == UPRB_OP_ADD, "wakeup", "stamp changed by op %d", acc->op);
	if (a->step_due) {
		NEED(acc->val == m->watermark, "wakeup",
		     "stamp %#llx stepped by %llu, the watermark is %llu",
		     X64(ret), X64(acc->val), X64(m->watermark));
		a->step_due = false;
	} else {
		NEED(a->ev_stage == 2 && acc->val == 1, "wakeup", "%s",
		     a->ev_stage == 2 ? "wakeup_events bumps the stamp by more than 1" :
		     a->wakeup_loaded ? "stamp stepped without a watermark crossing" :
		     "stamp moved before the watermark check");
		a->ev_stage = 3;
	}
	m->wakeup += acc->val;
}

static void on_events(struct model *m, struct model_attempt *a,
		      const struct uprb_sim_access *acc, uint64_t ret)
{
	const struct model_src *s;

	NEED(a, "wakeup", "rb->events touched with no writer running");
	s = &m->cfg.src[a->src];
	NEED(ret == m->events, "wakeup", "rb->events %llu, the model's %llu",
	     X64(ret), X64(m->events));
	if (is_load(acc))
		return;
	NEED(acc->op == UPRB_OP_ADD && s->wakeup_events, "wakeup",
	     "rb->events changed %s", s->wakeup_events ?
	     "other than by an add" : "for a source without wakeup_events");
	if (acc->val == 1) {
		NEED(a->state == MA_RESERVED && !a->sampled &&
		     a->copied == a->total, "wakeup", "sample counted %s",
		     a->sampled ? "twice" : "before the record was written");
		m->events++;
		a->sampled = true;
		/*
		 * The kernel counts in an int: samples nested between
		 * another's add and sub can drive it below zero, and the
		 * next ones climb back before a wake-up is due.
		 */
		a->ev_stage = (int)(ret + 1) >= (int)s->wakeup_events ? 1 : 3;
	} else {
		NEED(a->ev_stage == 1 &&
		     acc->val == (uint64_t)-(uint64_t)s->wakeup_events, "wakeup",
		     "rb->events %llu + %lld with wakeup_events %u", X64(ret),
		     (long long)acc->val, s->wakeup_events);
		m->events -= s->wakeup_events;
		a->ev_stage = 2;
	}
}

static void on_data_tail(struct model *m, struct model_attempt *a,
			 const struct uprb_sim_access *acc, uint64_t ret)
{
	if (!a) {
		/* The consumer gives space back (D). */
		if (acc->op == UPRB_OP_STORE)
			m->tail = acc->val;
		return;
	}
	NEED(is_load(acc), "non-overwrite-safety", "the writer stores data_tail");
	if (m->cfg.overwrite)
		return; /* read and ignored (the kernel reads it anyway) */
	if (m->honest && !m->tail_promise)
		NEED(ret == m->tail, "non-overwrite-safety",
		     "data_tail %#llx read, the reader's is %#llx", X64(ret),
		     X64(m->tail));
	a->tail = ret;
	a->tail_seen = true;
}

static void on_copy(struct model *m, struct model_attempt *a,
		    const struct uprb_sim_access *acc)
{
	const unsigned char *p = acc->addr;
	uint64_t pos = 0, at;

	if (acc->op != UPRB_OP_COPY_TO)
		return; /* the reader's loads: model_pre_access() bounds them */
	NEED(a && a->state == MA_RESERVED, "exact-write",
	     "copy of %zu bytes without a reservation", acc->len);
	for (uint32_t i = 0; i < m->cfg.nr_pages; i++) {
		const unsigned char *pg = m->rb->data_pages[i];

		if (p >= pg && p < pg + m->cfg.page_size)
			pos = (uint64_t)i * m->cfg.page_size + (uint64_t)(p - pg);
	}
	at = (a->off + a->copied) % m->size;
	NEED(pos == at || !acc->len, "exact-write",
	     "copy of %zu bytes at ring offset %#llx, the writer's cursor is at %#llx",
	     acc->len, X64(pos), X64(at));
	NEED(a->copied + acc->len <= a->total, "exact-write",
	     "copy of %zu bytes runs %llu past the reservation [%#llx, +%u)",
	     acc->len, X64(a->copied + acc->len - a->total), X64(a->off),
	     a->total);
	if (!acc->len)
		return;
	if (!a->built) {
		model_expected(m, a, m->slot[a->slot]);
		a->built = true;
	}
	/* What the ring must now hold there: our bytes, from us. */
	memcpy(m->image + pos, m->slot[a->slot] + a->copied, acc->len);
	set_owner(m, pos, acc->len, a->order);
	a->copied += acc->len;
}

void model_access(struct model *m, int id, const struct uprb_sim_access *acc,
		  uint64_t ret)
{
	struct model_attempt *a = id >= 0 ? running(m, id) : NULL;
	unsigned src = 0;

	m->where.loc = acc->loc;
	/* The port's order first, on the state before this access. */
	if (a && m->conform)
		model_conform(m, a, acc, ret);
	switch (var_of(m, acc, &src)) {
	case V_PAUSED:
		on_paused(m, a, acc, ret);
		break;
	case V_LOST:
		on_lost(m, a, acc, ret);
		break;
	case V_SRC_LOST:
		on_src_lost(m, a, acc, ret, src);
		break;
	case V_NEST:
		on_nest(m, a, acc, ret);
		break;
	case V_HEAD:
		on_head(m, id, a, acc, ret);
		break;
	case V_WAKEUP:
		on_wakeup(m, a, acc, ret);
		break;
	case V_EVENTS:
		on_events(m, a, acc, ret);
		break;
	case V_DATA_HEAD:
		if (a) {
			NEED(acc->op == UPRB_OP_STORE, "monotonic-head",
			     "data_head changed by op %d", acc->op);
			publish(m, acc->val);
			a->publishes++;
		}
		break;
	case V_DATA_TAIL:
		on_data_tail(m, a, acc, ret);
		break;
	case V_DATA:
		on_copy(m, a, acc);
		break;
	case V_OTHER:
		/* Barriers, the wake-up's poll flag, ...: nothing to account. */
		break;
	}
}
