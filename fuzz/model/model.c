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
 * The model checks the order of events only where the protocol demands
 * it (SPEC 2.3, 2.5): everything else is checked by what the accesses say
 * (values loaded and stored) and by the bytes that end up in the ring.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "uprb/uprb_check.h"

static const char *level_name(unsigned level)
{
	static const char *const names[] = { "task", "softirq", "hardirq",
					     "NMI" };

	return level < UPRB_LEVEL_COUNT ? names[level] : "-";
}

void model_fail(const struct model *m, const char *invariant,
		const char *fmt, ...)
{
	const struct model_where *w = &m->where;
	va_list ap;

	fprintf(stderr, "invariant %s broke: cpu %u level %s at site %s, step %u",
		invariant, w->cpu, level_name(w->level),
		w->site < UPRB_SITE_COUNT ? uprb_site_name(w->site) : "-",
		w->step);
	if (w->phase)
		fprintf(stderr, " (%s)", w->phase);
	fprintf(stderr, ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fflush(stderr);
	abort();
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
	       struct uprb_ring *rb, struct uprb_source *srcs)
{
	uint64_t size = (uint64_t)cfg->page_size * cfg->nr_pages;

	if (size > MODEL_MAX_RING || cfg->nsrc > MODEL_MAX_SOURCES)
		return -EINVAL;
	/* The scalar state; attempts are cleared as they begin. */
	memset(m, 0, offsetof(struct model, att));
	m->cfg = *cfg;
	m->rb = rb;
	m->srcs = srcs;
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
		if (r->state != MA_RESERVED || r->put_seen)
			continue;
		NEED(forward(m) ? (int64_t)(val - r->off) <= 0 :
				  (int64_t)(r->off - val) < 0,
		     "completeness",
		     "data_head %#llx exposes the unfinished %s reservation [%#llx, +%u)",
		     X64(val), level_name(r->level), X64(r->off), r->total);
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
	if (!m->cfg.overwrite)
		NEED(a->tail_fresh && a->fits, "non-overwrite-safety",
		     "reserves %u bytes at %#llx with %llu free (data_tail %#llx%s)",
		     a->total, X64(a->view), X64(space(m, a->view, a->tail)),
		     X64(a->tail), a->tail_fresh ? "" : ", not re-read");
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
		a->tail_fresh = false;
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
	if (!m->cfg.overwrite && m->honest && !m->tail_promise)
		NEED(unread(m, want, m->tail) <= m->size - 1,
		     "non-overwrite-safety",
		     "head %#llx is %llu bytes past the reader's data_tail %#llx",
		     X64(want), X64(unread(m, want, m->tail)), X64(m->tail));
}

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

void model_access(struct model *m, int id, const struct uprb_sim_access *acc,
		  uint64_t ret)
{
	struct model_attempt *a = NULL;
	const struct model_src *s = NULL;

	if (acc->site <= UPRB_SITE_WAKEUP_CHECK) {
		a = running(m, id);
		s = &m->cfg.src[a->src];
	}

	switch (acc->site) {
	case UPRB_SITE_PAUSED_LOAD:
		NEED(a->state == MA_BEGUN && !a->peeked, "pause",
		     "paused read twice");
		NEED(ret == m->paused, "pause", "writer read paused %llu, the ring's is %u",
		     X64(ret), m->paused);
		if (ret) {
			a->state = MA_PAUSED;
			if (m->cfg.nr_pages)
				m->drops_paused++;
		}
		break;
	case UPRB_SITE_LOST_ADD_PAUSED:
		NEED(a->state == MA_PAUSED && m->cfg.nr_pages && !a->counted,
		     "pause", "paused drop counted for an attempt that %s",
		     a->state != MA_PAUSED ? "was not paused" :
		     a->counted ? "was counted already" : "has no pages");
		NEED(ret == m->pending, "loss-conservation",
		     "rb->lost %llu, the model's %llu", X64(ret), X64(m->pending));
		m->pending++;
		a->counted = true;
		break;
	case UPRB_SITE_LOST_ADD_FAIL:
		NEED(a->state == MA_HANDLE && !a->counted, "reservation",
		     "no-space drop outside the reservation loop");
		if (!m->cfg.overwrite)
			NEED(a->tail_fresh && !a->fits, "reservation",
			     "drops %u bytes at %#llx with %llu free (data_tail %#llx)",
			     a->total, X64(a->view),
			     X64(space(m, a->view, a->tail)), X64(a->tail));
		else
			NEED(m->cfg.oversize_drop && a->total > m->size,
			     "reservation",
			     "overwrite ring drops %u bytes (ring %llu)",
			     a->total, X64(m->size));
		NEED(ret == m->pending, "loss-conservation",
		     "rb->lost %llu, the model's %llu", X64(ret), X64(m->pending));
		m->pending++;
		m->drops_nospace++;
		a->counted = true;
		a->state = MA_FAILED;
		break;
	case UPRB_SITE_SOURCE_LOST_ADD:
		NEED(a->counted && !a->src_counted, "loss-conservation",
		     "source drop counted without a ring drop");
		NEED(ret == m->src_lost[a->src], "loss-conservation",
		     "source %u lost_samples %llu, the model's %llu", a->src,
		     X64(ret), X64(m->src_lost[a->src]));
		m->src_lost[a->src]++;
		a->src_counted = true;
		break;
	case UPRB_SITE_LOST_PEEK:
		NEED(a->state == MA_BEGUN && !a->peeked, "pause",
		     "lost read %s", a->state == MA_PAUSED ? "after a paused drop" :
							   "twice");
		NEED(ret == m->pending, "lost-placement",
		     "writer sees %llu pending drops, the model %llu", X64(ret),
		     X64(m->pending));
		a->peeked = true;
		a->have_lost = ret != 0;
		if (a->have_lost)
			a->total += lost_size(s);
		break;
	case UPRB_SITE_NEST_GET_LOAD:
		NEED(a->peeked && !a->got_handle, "nest-balance",
		     "get_handle %s", a->got_handle ? "twice" :
						      "before the lost check");
		NEED(ret == m->nest, "nest-balance", "nest %llu, %u writers inside",
		     X64(ret), m->nest);
		break;
	case UPRB_SITE_NEST_GET_STORE:
		NEED(a->peeked && !a->got_handle, "nest-balance", "get_handle twice");
		NEED(acc->val == m->nest + 1, "nest-balance",
		     "get_handle stores nest %llu, %u writers were inside",
		     X64(acc->val), m->nest);
		m->nest++;
		a->got_handle = a->in_nest = true;
		a->state = MA_HANDLE;
		break;
	case UPRB_SITE_WAKEUP_SNAPSHOT:
		/*
		 * Before or after the nest increment: taken after it, a move
		 * of the stamp in between is lost (the lost-wake-up check of
		 * model_idle() says so), taken before it, it is not.
		 */
		NEED(a->peeked && !a->snap_seen && a->state != MA_PAUSED, "wakeup",
		     "wake-up snapshot outside get_handle");
		NEED(ret == m->wakeup, "wakeup", "stamp %#llx, the model's %#llx",
		     X64(ret), X64(m->wakeup));
		a->snap = ret;
		a->snap_seen = true;
		break;
	case UPRB_SITE_HEAD_LOAD:
		NEED(a->state == MA_HANDLE, "reservation",
		     "head read outside the reservation loop");
		NEED(ret == m->head, "reservation", "rb->head %#llx, the model's %#llx",
		     X64(ret), X64(m->head));
		a->view = ret;
		a->tail_fresh = false;
		break;
	case UPRB_SITE_A_TAIL_LOAD:
		NEED(!m->cfg.overwrite, "reservation",
		     "an overwrite ring read data_tail");
		NEED(a->state == MA_HANDLE, "reservation",
		     "data_tail read outside the reservation loop");
		if (m->honest && m->tail_promise)
			NEED(unread(m, a->view, ret) < m->size,
			     "non-overwrite-safety",
			     "data_tail %#llx, head %#llx", X64(ret), X64(a->view));
		else if (m->honest)
			NEED(ret == m->tail && unread(m, a->view, ret) < m->size,
			     "non-overwrite-safety",
			     "data_tail %#llx (reader at %#llx), head %#llx",
			     X64(ret), X64(m->tail), X64(a->view));
		a->tail = ret;
		a->tail_fresh = true;
		a->fits = space(m, a->view, ret) >= a->total;
		break;
	case UPRB_SITE_HEAD_CAS:
		NEED(a->state == MA_HANDLE, "reservation",
		     "compare-and-swap outside the reservation loop");
		reserve(m, (unsigned)id, a, acc, ret);
		break;
	case UPRB_SITE_WAKEUP_LOAD: {
		uint64_t h;

		NEED(a->state == MA_RESERVED && !a->wakeup_loaded, "wakeup",
		     "watermark check %s", a->wakeup_loaded ? "twice" :
							     "without a reservation");
		NEED(ret == m->wakeup, "wakeup", "stamp %#llx, the model's %#llx",
		     X64(ret), X64(m->wakeup));
		/*
		 * Bytes written so far against the stamp, in u64 as perf
		 * does: a nested writer may have moved the stamp past our
		 * own head, and the difference then wraps and steps.
		 */
		h = forward(m) ? a->new_head : -a->new_head;
		a->step_due = h - ret > m->watermark;
		a->wakeup_loaded = true;
		break;
	}
	case UPRB_SITE_WAKEUP_STEP:
		NEED(a->step_due, "wakeup", "stamp stepped without a watermark crossing");
		NEED(acc->val == m->watermark && ret == m->wakeup, "wakeup",
		     "stamp %#llx stepped by %llu, the model's %#llx by %llu",
		     X64(ret), X64(acc->val), X64(m->wakeup), X64(m->watermark));
		m->wakeup += m->watermark;
		a->step_due = false;
		break;
	case UPRB_SITE_LOST_XCHG:
		NEED(a->state == MA_RESERVED && a->have_lost && !a->xchg_done,
		     "lost-placement", "LOST exchange %s",
		     !a->have_lost ? "without pending drops at the peek" :
		     a->xchg_done ? "twice" : "before the reservation");
		NEED(ret == m->pending && acc->val == 0, "lost-placement",
		     "LOST exchange takes %llu (leaves %llu), the model has %llu pending",
		     X64(ret), X64(acc->val), X64(m->pending));
		a->lost_value = ret;
		a->xchg_done = true;
		m->lost_reported += ret;
		m->pending = 0;
		break;
	case UPRB_SITE_COPY: {
		const unsigned char *p = acc->addr;
		uint64_t pos = 0, at;

		NEED(a->state == MA_RESERVED, "exact-write",
		     "copy of %zu bytes without a reservation", acc->len);
		for (uint32_t i = 0; i < m->cfg.nr_pages; i++) {
			const unsigned char *pg = m->rb->data_pages[i];

			if (p >= pg && p < pg + m->cfg.page_size)
				pos = (uint64_t)i * m->cfg.page_size +
				      (uint64_t)(p - pg);
		}
		at = (a->off + a->copied) % m->size;
		NEED(pos == at, "exact-write",
		     "copy of %zu bytes at ring offset %#llx, the writer's cursor is at %#llx",
		     acc->len, X64(pos), X64(at));
		NEED(a->copied + acc->len <= a->total, "exact-write",
		     "copy of %zu bytes runs %llu past the reservation [%#llx, +%u)",
		     acc->len, X64(a->copied + acc->len - a->total), X64(a->off),
		     a->total);
		if (!a->built) {
			build_expected(m, a, m->slot[a->slot]);
			a->built = true;
		}
		/* What the ring must now hold there: our bytes, from us. */
		memcpy(m->image + pos, m->slot[a->slot] + a->copied, acc->len);
		set_owner(m, pos, acc->len, a->order);
		a->copied += acc->len;
		break;
	}
	case UPRB_SITE_EVENTS_ADD:
		NEED(a->state == MA_RESERVED && s->wakeup_events && !a->sampled &&
		     a->copied == a->total, "wakeup",
		     "sample counted %s", !s->wakeup_events ? "without wakeup_events" :
		     a->sampled ? "twice" : "before the record was written");
		NEED(ret == m->events && acc->val == 1, "wakeup",
		     "rb->events %llu + %llu, the model's %llu", X64(ret),
		     X64(acc->val), X64(m->events));
		m->events++;
		a->sampled = true;
		a->ev_stage = ret + 1 >= s->wakeup_events ? 1 : 3;
		break;
	case UPRB_SITE_EVENTS_SUB:
		NEED(a->ev_stage == 1, "wakeup", "rb->events reduced below wakeup_events");
		NEED(ret == m->events && acc->val == (uint64_t)-(uint64_t)s->wakeup_events,
		     "wakeup", "rb->events %llu - %llu, the model's %llu - %u",
		     X64(ret), X64(-acc->val), X64(m->events), s->wakeup_events);
		m->events -= s->wakeup_events;
		a->ev_stage = 2;
		break;
	case UPRB_SITE_WAKEUP_BUMP:
		NEED(a->ev_stage == 2, "wakeup", "stamp bumped without wakeup_events due");
		NEED(ret == m->wakeup && acc->val == 1, "wakeup",
		     "stamp %#llx + %llu, the model's %#llx + 1", X64(ret),
		     X64(acc->val), X64(m->wakeup));
		m->wakeup++;
		a->ev_stage = 3;
		break;
	case UPRB_SITE_NEST_PUT_LOAD:
		NEED(a->in_nest && !a->put_seen, "nest-balance",
		     "put_handle %s", a->put_seen ? "twice" : "without get_handle");
		NEED(ret == m->nest, "nest-balance", "nest %llu, %u writers inside",
		     X64(ret), m->nest);
		check_put(m, a);
		a->put_seen = true;
		a->outermost = ret == 1;
		break;
	case UPRB_SITE_NEST_PUT_DEC:
		NEED(a->put_seen && a->in_nest && !a->outermost && m->nest > 1 &&
		     acc->val == m->nest - 1, "nest-balance",
		     "inner put_handle stores nest %llu, %u writers inside%s",
		     X64(acc->val), m->nest, a->outermost ? " (outermost)" : "");
		m->nest--;
		a->in_nest = false;
		break;
	case UPRB_SITE_B_HEAD_STORE:
		publish(m, acc->val);
		break;
	case UPRB_SITE_NEST_CLEAR:
		NEED(a->outermost && a->in_nest && m->nest == 1 && acc->val == 0,
		     "nest-balance", "nest cleared to %llu with %u writers inside",
		     X64(acc->val), m->nest);
		m->nest = 0;
		a->in_nest = false;
		break;
	case UPRB_SITE_NEST_AGAIN:
		NEED(a->outermost && !a->in_nest && m->nest == 0 && acc->val == 1,
		     "nest-balance", "nest set to %llu again with %u writers inside",
		     X64(acc->val), m->nest);
		m->nest = 1;
		a->in_nest = true;
		break;
	case UPRB_SITE_WAKEUP_CHECK:
		NEED(a->outermost, "wakeup", "wake-up check by an inner writer");
		NEED(ret == m->wakeup, "wakeup", "stamp %#llx, the model's %#llx",
		     X64(ret), X64(m->wakeup));
		a->wakeup_checked = true;
		break;
	case UPRB_SITE_PAUSE_STORE:
		NEED(acc->val <= 1 && (acc->val || m->cfg.nr_pages), "pause",
		     "paused set to %llu (%u pages)", X64(acc->val),
		     m->cfg.nr_pages);
		m->paused = (uint32_t)acc->val;
		break;
	case UPRB_SITE_D_TAIL_STORE:
		m->tail = acc->val;
		break;
	default:
		/* Barriers, the reader's loads: nothing to account. */
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
	     i, level_name(a->level), X64(a->off), a->total,
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
		model_fail(m, "pause", "attempt returned %d without reading paused",
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
	if (a->got_handle)
		NEED(a->put_seen && !a->in_nest, "nest-balance",
		     "writer returned %s", a->put_seen ? "inside the nest" :
							 "without put_handle");
	if (a->state == MA_RESERVED) {
		check_write(m, a);
		m->delivered++;
	}

	if (a->got_handle && a->outermost) {
		unsigned want = a->snap != m->wakeup;

		NEED(a->wakeup_checked, "wakeup", "outermost writer never checked the stamp");
		NEED(wakeups == want, "wakeup",
		     "outermost writer signalled %u wake-ups, stamp %#llx -> %#llx wants %u",
		     wakeups, X64(a->snap), X64(m->wakeup), want);
		/* The reader is woken for every move up to this stamp. */
		if (wakeups)
			m->woke_stamp = m->wakeup;
		/* SPEC 6.3: nothing finished stays unpublished. */
		if (!m->scribbled)
			NEED(m->rb->user_page->data_head == m->head,
			     "eventual-publication",
			     "data_head %#llx, head %#llx after the outermost put_handle",
			     X64(m->rb->user_page->data_head), X64(m->head));
	} else {
		NEED(wakeups == 0, "wakeup", "%s writer signalled %u wake-ups",
		     a->got_handle ? "an inner" : "a dropped", wakeups);
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

	m->where.phase = final ? "final" : "idle";
	NEED(m->ninflight == 0, "harness", "%u attempts still running", m->ninflight);
	NEED(rb->nest == 0 && m->nest == 0, "nest-balance",
	     "nest %u with every writer idle", rb->nest);
	NEED(rb->head == m->head, "reservation", "rb->head %#llx, the model's %#llx",
	     X64(rb->head), X64(m->head));
	if (!m->scribbled)
		NEED(rb->user_page->data_head == m->head, "eventual-publication",
		     "data_head %#llx, head %#llx with every writer idle",
		     X64(rb->user_page->data_head), X64(m->head));
	NEED(rb->lost == m->pending, "loss-conservation",
	     "rb->lost %llu, the model's %llu", X64(rb->lost), X64(m->pending));
	NEED(rb->wakeup == m->wakeup && rb->events == m->events, "wakeup",
	     "stamp %#llx events %llu, the model's %#llx and %llu",
	     X64(rb->wakeup), X64(rb->events), X64(m->wakeup), X64(m->events));
	NEED(rb->paused == m->paused, "pause", "paused %u, the model's %u",
	     rb->paused, m->paused);
	{
		/*
		 * SPEC 6.15, as the reader sees it: a watermark crossing or
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
		NEED(m->srcs[i].lost_samples == m->src_lost[i], "loss-conservation",
		     "source %u lost_samples %llu, the model's %llu", i,
		     X64(m->srcs[i].lost_samples), X64(m->src_lost[i]));
	/* Stray writes anywhere: cheap enough each time on small rings. */
	if (final || m->size <= 4096) {
		int64_t p = ring_diff(m, 0, m->size);

		NEED(p < 0, "exact-write",
		     "ring offset %#llx holds %#x, want %#x from reservation #%u (a stray write)",
		     X64(p), ring_byte(m, (uint64_t)p), m->image[p], m->owner[p]);
	}
	if (final) {
		NEED(m->attempted == m->delivered + m->lost_reported + rb->lost,
		     "loss-conservation",
		     "attempted %llu != written %llu + reported %llu + pending %llu",
		     X64(m->attempted), X64(m->delivered), X64(m->lost_reported),
		     X64(rb->lost));
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

	if (!a->put_seen || a->total > m->size)
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
	NEED(a->put_seen, "completeness",
	     "reader got the record at %#llx of an unfinished %s writer",
	     X64(pos), level_name(a->level));
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
