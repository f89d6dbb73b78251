/* SPDX-License-Identifier: MIT */
/*
 * model.c - the reference model of one CPU's ring (see model.h).
 *
 * Positions are plain 64-bit counts that never wrap within a run: forward
 * rings count up from 0, backward rings down from 0 (read as int64 they are
 * negative), and a reservation covers [off, off + total) in both. Only
 * where a position meets memory is it reduced modulo the ring size. The
 * space rule is the one perf defines: one byte stays free, so a writer at
 * @head with the reader at @tail has S - 1 - (unread mod S) bytes.
 *
 * Accesses are told apart by address (struct fz_writer_addrs), never by
 * their site label or their order: the order of events is checked only
 * where the protocol demands it (docs/ring.md#22-begin-reserving-space,
 * docs/ring.md#24-end-publishing-the-head), by what the accesses say
 * (values loaded and stored) and by the bytes that end up in the ring. The
 * port's own order is conform.c's business.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "uprb/uprb_check.h"

void model_fail(const struct model *m, const char *invariant,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fz_story_vfail(&m->where, invariant, fmt, ap);
}

#define NEED(cond, inv, ...)                                                   \
	do {                                                                   \
		if (!(cond))                                                   \
			model_fail(m, inv, __VA_ARGS__);                       \
	} while (0)

#define X64(v) ((unsigned long long)(v))

static bool forward(const struct model *m)
{
	return !m->cfg.backward;
}

/* Unread bytes between a writer at @head and a reader at @tail. */
static uint64_t unread(const struct model *m, uint64_t head, uint64_t tail)
{
	return forward(m) ? head - tail : tail - head;
}

static uint64_t space(const struct model *m, uint64_t head, uint64_t tail)
{
	return m->size - 1 - unread(m, head, tail) % m->size;
}

static unsigned trailer_size(const struct model_src *s)
{
	static const uint64_t bits[] = {
		PERF_SAMPLE_TID, PERF_SAMPLE_TIME, PERF_SAMPLE_ID,
		PERF_SAMPLE_STREAM_ID, PERF_SAMPLE_CPU, PERF_SAMPLE_IDENTIFIER,
	};
	unsigned n = 0;

	for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		n += s->sample_type & bits[i] ? 8 : 0;
	return n;
}

/* Bytes of the LOST record source @s writes (0 without drops). */
static unsigned lost_size(const struct model_src *s)
{
	return UPRB_LOST_RECORD_SIZE + (s->sample_id_all ? trailer_size(s) : 0);
}

static unsigned char *put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
	return p + 8;
}

static unsigned char *put32x2(unsigned char *p, uint32_t a, uint32_t b)
{
	memcpy(p, &a, 4);
	memcpy(p + 4, &b, 4);
	return p + 8;
}

/* perf's struct sample_id, in its order. */
static unsigned char *put_trailer(unsigned char *p, const struct model_src *s)
{
	uint64_t t = s->sample_type;

	if (t & PERF_SAMPLE_TID)
		p = put32x2(p, s->pid, s->tid);
	if (t & PERF_SAMPLE_TIME)
		p = put64(p, s->time);
	if (t & PERF_SAMPLE_ID)
		p = put64(p, s->id);
	if (t & PERF_SAMPLE_STREAM_ID)
		p = put64(p, s->stream_id);
	if (t & PERF_SAMPLE_CPU)
		p = put32x2(p, s->cpu, 0);
	if (t & PERF_SAMPLE_IDENTIFIER)
		p = put64(p, s->id);
	return p;
}

/* The bytes reservation @a must hold, into @buf. Return: their number. */
static uint32_t build_expected(const struct model *m,
			       const struct model_attempt *a,
			       unsigned char *buf)
{
	const struct model_src *s = &m->cfg.src[a->src];
	unsigned char *p = buf;

	if (a->have_lost) {
		struct perf_event_header h = {
			.type = PERF_RECORD_LOST,
			.misc = 0,
			.size = (uint16_t)lost_size(s),
		};

		memcpy(p, &h, sizeof(h));
		p = put64(p + sizeof(h), s->id);
		p = put64(p, a->lost_value);
		if (s->sample_id_all)
			p = put_trailer(p, s);
	}
	uprb_synth_build(p, a->size, a->src, a->level, (uint8_t)m->where.cpu,
			 a->seq);
	return (uint32_t)(p - buf) + a->size;
}

static unsigned char ring_byte(const struct model *m, uint64_t pos)
{
	uint64_t p = pos % m->size;

	return m->rb->data_pages[p / m->cfg.page_size][p % m->cfg.page_size];
}

/*
 * First byte of [@pos, @pos + @len) (mod S) where the ring differs from the
 * image, or -1. Compared chunk by chunk: the hot path of every run.
 */
static int64_t ring_diff(const struct model *m, uint64_t pos, uint64_t len)
{
	uint32_t ps = m->cfg.page_size;
	uint64_t done = 0;

	while (done < len) {
		uint64_t p = (pos + done) % m->size;
		uint64_t in = p % ps, n = ps - in;
		const unsigned char *r = m->rb->data_pages[p / ps] + in;

		if (n > len - done)
			n = len - done;
		if (memcmp(r, m->image + p, n))
			for (uint64_t i = 0; i < n; i++)
				if (r[i] != m->image[p + i])
					return (int64_t)(done + i);
		done += n;
	}
	return -1;
}

/*
 * The reservation covering position @pos, or NULL. Reservations tile the
 * positions in compare-and-swap order: upward forward, downward backward.
 */
static struct model_attempt *covering(struct model *m, uint64_t pos)
{
	int64_t want = (int64_t)pos;
	unsigned lo = 0, hi = m->nresv;

	/* First index whose start is past @pos (forward) / at or below it. */
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		int64_t off = (int64_t)m->att[m->resv[mid]].off;
		bool before = forward(m) ? off <= want : off > want;

		if (before)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (forward(m)) {
		struct model_attempt *a;

		if (!lo)
			return NULL;
		a = &m->att[m->resv[lo - 1]];
		return pos - a->off < a->total ? a : NULL;
	}
	if (lo == m->nresv)
		return NULL;
	{
		struct model_attempt *a = &m->att[m->resv[lo]];

		return pos - a->off < a->total ? a : NULL;
	}
}

int model_init(struct model *m, const struct model_cfg *cfg,
	       struct uprb_ring *rb, const struct fz_backend *be, void *w,
	       bool conform)
{
	uint64_t size = (uint64_t)cfg->page_size * cfg->nr_pages;

	if (size > MODEL_MAX_RING || cfg->nsrc > MODEL_MAX_SOURCES)
		return -EINVAL;
	/* The scalar state; attempts are cleared as they begin. */
	memset(m, 0, offsetof(struct model, att));
	m->cfg = *cfg;
	m->rb = rb;
	m->be = be;
	m->w = w;
	be->addrs(w, &m->addrs);
	m->conform = conform;
	m->size = size;
	m->watermark = cfg->watermark < size ? cfg->watermark : size;
	if (!m->watermark)
		m->watermark = size / 2;
	m->paused = cfg->nr_pages == 0;
	m->honest = true;
	m->where.level = UPRB_LEVEL_COUNT;
	m->where.site = UPRB_SITE_COUNT;
	/* A new ring is zero-filled. */
	memset(m->owner, 0, size * sizeof(m->owner[0]));
	memset(m->image, 0, size);
	return 0;
}

unsigned model_begin(struct model *m, unsigned src, unsigned size,
		     unsigned level, uint32_t seq)
{
	struct model_attempt *a;
	unsigned id;

	NEED(m->nattempts < MODEL_MAX_ATTEMPTS &&
	     m->ninflight <= UPRB_LEVEL_COUNT, "harness", "too many attempts");
	id = m->nattempts++;
	a = &m->att[id];
	memset(a, 0, sizeof(*a));
	a->src = (uint8_t)src;
	a->level = (uint8_t)level;
	a->size = (uint16_t)size;
	a->total = size;
	a->seq = seq;
	a->state = MA_BEGUN;
	a->slot = (uint8_t)m->ninflight;
	m->inflight[m->ninflight++] = id;
	if (m->cfg.nr_pages)
		m->attempted++;
	return id;
}

void model_pre_access(struct model *m, const struct uprb_sim_access *a)
{
	const unsigned char *p;
	uint32_t ps = m->cfg.page_size;

	if (a->op == UPRB_OP_COPY_TO) {
		p = a->addr;
		for (uint32_t i = 0; i < m->cfg.nr_pages; i++) {
			const unsigned char *pg = m->rb->data_pages[i];

			if (p < pg || p >= pg + ps)
				continue;
			/* Chunks need not be adjacent: a copy ends at one. */
			NEED(a->len <= (size_t)(pg + ps - p), "memory-safety",
			     "copy of %zu bytes at chunk %u offset %#zx runs past the chunk end",
			     a->len, i, (size_t)(p - pg));
			return;
		}
		model_fail(m, "memory-safety",
			   "copy of %zu bytes to %p, outside every data chunk",
			   a->len, a->addr);
	}
	if (a->op == UPRB_OP_COPY_FROM) {
		/* The reader sees the data area as one mapping. */
		const unsigned char *base = m->size ? m->rb->data_pages[0] : NULL;

		p = a->src;
		NEED(base && p >= base && a->len <= m->size &&
		     (size_t)(p - base) <= m->size - a->len, "memory-safety",
		     "reader copies %zu bytes from %p, outside the data area",
		     a->len, a->src);
	}
}

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
	r = covering(m, val);
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
		build_expected(m, a, m->slot[a->slot]);
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

/*
 * A finished reservation: the ring must hold what the image says over all
 * of it (its bytes, or a nested writer's where one landed on it).
 */
static void check_write(struct model *m, const struct model_attempt *a)
{
	uint32_t lost = a->total - a->size;
	/* A record larger than the ring overwrote its own start. */
	uint32_t first = a->total > m->size ? (uint32_t)(a->total - m->size) : 0;

	int64_t d = ring_diff(m, a->off + first, a->total - first);
	uint32_t i = (uint32_t)(first + d);
	uint64_t p = (a->off + i) % m->size;

	NEED(d < 0, i < lost ? "lost-placement" : "exact-write",
	     "byte %u of the %s reservation [%#llx, +%u) (%s, ring offset %#llx) is %#x, want %#x",
	     i, fz_level_name(a->level), X64(a->off), a->total,
	     i < lost ? "LOST record" : "record", X64(p), ring_byte(m, p),
	     m->image[p]);
}

void model_end(struct model *m, unsigned id, int ret, unsigned wakeups)
{
	struct model_attempt *a = &m->att[id];

	NEED(m->ninflight && m->inflight[m->ninflight - 1] == id, "harness",
	     "attempt %u ends out of order", id);
	m->ninflight--;

	switch (a->state) {
	case MA_PAUSED:
		NEED(ret == -ENOSPC, "pause", "paused attempt returned %d", ret);
		NEED(!m->cfg.nr_pages || (a->counted && a->src_counted),
		     "loss-conservation", "paused drop not counted (ring %s, source %s)",
		     a->counted ? "yes" : "no", a->src_counted ? "yes" : "no");
		break;
	case MA_BEGUN:
		model_fail(m, "reservation",
			   "attempt returned %d with no reservation, no drop and no paused flag read",
			   ret);
	case MA_HANDLE:
		model_fail(m, "reservation",
			   "attempt returned %d with neither a reservation nor a drop",
			   ret);
	case MA_FAILED:
		NEED(ret == -ENOSPC, "reservation", "dropped attempt returned %d", ret);
		NEED(a->src_counted, "loss-conservation",
		     "no-space drop not counted for the source");
		break;
	case MA_RESERVED:
		NEED(ret == 0, "reservation", "reserved attempt returned %d", ret);
		break;
	}
	if (a->entered)
		NEED(a->left && !a->in_nest, "nest-balance",
		     "writer returned %s", a->left ? "inside the nest" :
						     "without put_handle");
	if (a->state == MA_RESERVED) {
		check_write(m, a);
		m->delivered++;
	}

	if (a->entered && a->outermost) {
		unsigned want = a->snap != a->check;

		NEED(a->snap_seen && a->wakeup_checked, "wakeup",
		     "outermost writer never %s the stamp",
		     a->snap_seen ? "checked" : "took a snapshot of");
		NEED(wakeups == want, "wakeup",
		     "outermost writer signalled %u wake-ups, stamp %#llx -> %#llx wants %u",
		     wakeups, X64(a->snap), X64(a->check), want);
		/* The reader is woken for every move up to this stamp. */
		if (wakeups)
			m->woke_stamp = a->check;
		/* docs/ring.md#63-eventual-publication: nothing finished stays unpublished. */
		if (!m->scribbled)
			NEED(m->rb->user_page->data_head == m->head,
			     "eventual-publication",
			     "data_head %#llx, head %#llx after the outermost put_handle",
			     X64(m->rb->user_page->data_head), X64(m->head));
	} else {
		NEED(wakeups == 0, "wakeup", "%s writer signalled %u wake-ups",
		     a->entered ? "an inner" : "a dropped", wakeups);
	}
}

void model_scribble(struct model *m)
{
	m->scribbled = true;
	/* The honest reader follows data_head: its tails are lies now too. */
	m->honest = false;
}

void model_hostile_tail(struct model *m)
{
	m->honest = false;
}

void model_idle(struct model *m, bool final)
{
	const struct uprb_ring *rb = m->rb;
	struct fz_writer_state st;

	m->be->state(m->w, &st);
	m->where.phase = final ? "final" : "idle";
	NEED(m->ninflight == 0, "harness", "%u attempts still running", m->ninflight);
	NEED(st.nest == 0 && m->nest == 0, "nest-balance",
	     "nest %u with every writer idle", st.nest);
	NEED(st.head == m->head, "reservation", "rb->head %#llx, the model's %#llx",
	     X64(st.head), X64(m->head));
	if (!m->scribbled)
		NEED(rb->user_page->data_head == m->head, "eventual-publication",
		     "data_head %#llx, head %#llx with every writer idle",
		     X64(rb->user_page->data_head), X64(m->head));
	NEED(st.lost == m->pending, "loss-conservation",
	     "rb->lost %llu, the model's %llu", X64(st.lost), X64(m->pending));
	NEED(st.wakeup == m->wakeup && st.events == m->events, "wakeup",
	     "stamp %#llx events %llu, the model's %#llx and %llu",
	     X64(st.wakeup), X64(st.events), X64(m->wakeup), X64(m->events));
	NEED(!st.paused == !m->paused, "pause", "paused %u, the model's %u",
	     st.paused, m->paused);
	{
		/*
		 * docs/ring.md#615-no-lost-wake-up, as the reader sees it: a watermark crossing or
		 * wakeup_events moved the stamp, so some writer must have
		 * signalled it by the time all are idle. The per-writer check
		 * in model_end() asks the outermost writer to signal moves it
		 * saw; a move between an outer writer's nest increment and its
		 * snapshot of the stamp is seen by no one.
		 */
		uint64_t bytes = forward(m) ? m->head : -m->head;

		NEED(m->wakeup == m->woke_stamp || !m->cfg.lost_wakeup, "wakeup",
		     "lost wake-up: the stamp moved from %#llx to %#llx (head %#llx) and no writer signalled it",
		     X64(m->woke_stamp), X64(m->wakeup), X64(bytes));
		/* A nested writer's step can leave the stamp ahead (u64 wrap). */
		if (m->wakeup > bytes && m->wakeup - bytes < (1ull << 62))
			m->stamp_ahead++;
	}
	for (unsigned i = 0; i < m->cfg.nsrc; i++)
		NEED(m->be->src_lost(m->w, i) == m->src_lost[i], "loss-conservation",
		     "source %u lost_samples %llu, the model's %llu", i,
		     X64(m->be->src_lost(m->w, i)), X64(m->src_lost[i]));
	/* Stray writes anywhere: cheap enough each time on small rings. */
	if (final || m->size <= 4096) {
		int64_t p = ring_diff(m, 0, m->size);

		NEED(p < 0, "exact-write",
		     "ring offset %#llx holds %#x, want %#x from reservation #%u (a stray write)",
		     X64(p), ring_byte(m, (uint64_t)p), m->image[p], m->owner[p]);
	}
	if (final) {
		NEED(m->attempted == m->delivered + m->lost_reported + st.lost,
		     "loss-conservation",
		     "attempted %llu != written %llu + reported %llu + pending %llu",
		     X64(m->attempted), X64(m->delivered), X64(m->lost_reported),
		     X64(st.lost));
		NEED(m->drops_paused + m->drops_nospace == m->lost_reported + m->pending,
		     "loss-conservation",
		     "drops %llu paused + %llu no space != reported %llu + pending %llu",
		     X64(m->drops_paused), X64(m->drops_nospace),
		     X64(m->lost_reported), X64(m->pending));
	}
	m->where.phase = NULL;
}

/* Is the record of @len bytes at @pos, in reservation @a, still whole? */
static bool whole(const struct model *m, const struct model_attempt *a,
		  uint64_t pos, uint32_t len)
{
	uint64_t p = pos % m->size;

	if (a->copied != a->total || a->total > m->size)
		return false;
	/* len <= total <= size: at most one wrap, no division a byte. */
	for (uint32_t i = 0; i < len; i++, p++) {
		if (p == m->size)
			p = 0;
		if (m->owner[p] != a->order)
			return false;
	}
	return true;
}

/* The record unit at @pos: LOST record or the writer's, by its place. */
static uint32_t unit_len(const struct model_attempt *a, uint64_t pos)
{
	uint32_t lost = a->total - a->size;

	return pos == a->off && lost ? lost : a->size;
}

int model_check_record(struct model *m, uint64_t pos,
		       const struct perf_event_header *ev)
{
	struct model_attempt *a = covering(m, pos);
	uint32_t lost, at, len;

	NEED(a, "exact-tiling", "record at %#llx lies in no reservation (head %#llx)",
	     X64(pos), X64(m->head));
	lost = a->total - a->size;
	at = (uint32_t)(pos - a->off);
	NEED(at == 0 || (lost && at == lost), "exact-tiling",
	     "record at %#llx starts %u bytes into the reservation [%#llx, +%u)",
	     X64(pos), at, X64(a->off), a->total);
	len = unit_len(a, pos);
	NEED(a->copied == a->total, "completeness",
	     "reader got the record at %#llx of an unfinished %s writer",
	     X64(pos), fz_level_name(a->level));
	if (!whole(m, a, pos, len)) {
		NEED(m->cfg.overwrite, "non-overwrite-safety",
		     "reader got the record at %#llx, partly overwritten",
		     X64(pos));
		return -1;
	}
	NEED(ev->size == len, "exact-tiling",
	     "record at %#llx has size %u, the model's %u", X64(pos), ev->size, len);
	build_expected(m, a, m->expect);
	if (!memcmp(ev, m->expect + at, len))
		return a->src;
	/* Which byte differs, for the story line. */
	for (uint32_t i = 0; i < len; i++) {
		unsigned char b = ((const unsigned char *)ev)[i];
		unsigned char want = m->expect[at + i];

		NEED(b == want, at == 0 && lost ? "lost-placement" : "exact-write",
		     "byte %u of the record at %#llx reads %#x, want %#x", i,
		     X64(pos), b, want);
	}
	return a->src;
}

bool model_window_whole(const struct model *m, uint64_t lo, uint64_t hi)
{
	uint64_t pos = lo;

	while ((int64_t)(hi - pos) > 0 && pos - lo < m->size) {
		const struct model_attempt *a = covering((struct model *)m, pos);
		uint32_t len;

		if (!a)
			return true; /* a tiling failure: the record check says */
		len = unit_len(a, pos);
		/* Past a ring's worth, find-range reads only the header. */
		if (pos - lo + len > m->size)
			return whole(m, a, pos, sizeof(struct perf_event_header));
		if (!whole(m, a, pos, len))
			return false;
		pos += len;
	}
	return true;
}

uint64_t model_backward_cut(const struct model *m, uint64_t head)
{
	struct model_attempt *a = covering((struct model *)m, head);
	uint64_t cum = 0;

	if (!a)
		return head;
	/* Newest first: down the reservation order, up in addresses. */
	for (unsigned k = a->order; k-- > 0;) {
		const struct model_attempt *r = &m->att[m->resv[k]];
		uint32_t lost = r->total - r->size;

		if (lost) {
			if (cum + lost > m->size)
				break;
			cum += lost;
		}
		if (cum + r->size > m->size)
			break;
		cum += r->size;
	}
	return head + cum;
}

bool model_is_header(const struct model *m, uint64_t pos)
{
	/* The newest reservation holding @pos is what the ring has there. */
	for (unsigned k = m->nresv; k--;) {
		const struct model_attempt *a = &m->att[m->resv[k]];
		uint64_t in = pos - a->off, lost = a->total - a->size;

		if (in >= a->total)
			continue;
		return in < sizeof(struct perf_event_header) ||
		       (lost && in - lost < sizeof(struct perf_event_header));
	}
	return false;
}

uint64_t model_position(const struct model *m, unsigned id)
{
	const struct model_attempt *a = &m->att[id];
	/* What the attempt has seen and done; values only where it has. */
	const uint64_t part[] = {
		a->state, a->peeked, a->have_lost, a->entered, a->in_nest,
		a->left, a->outermost, a->wakeup_checked, a->xchg_done,
		a->counted, a->src_counted, a->step_due, a->wakeup_loaded,
		a->ev_stage, a->sampled, a->copied, a->total,
		a->head_seen ? a->view : ~0ull, a->tail_seen ? a->tail : ~0ull,
		a->snap_seen ? a->snap : ~0ull, a->order, a->publishes,
		/* and what its accesses changed that others see */
		m->nest, m->head, m->pending, m->wakeup, m->events,
		m->published, m->paused,
	};
	uint64_t h = 0xcbf29ce484222325ull;

	for (unsigned i = 0; i < sizeof(part) / sizeof(part[0]); i++) {
		h ^= part[i];
		h *= 0x100000001b3ull;
	}
	return h;
}
