/* SPDX-License-Identifier: MIT */
/*
 * model.c - the reference model of one CPU's ring (see model.h): an
 * attempt's life (begin, end, the idle checks) and the images of what the
 * ring must hold. Each seam access is judged in model_access.c, what a
 * reader is handed in model_read.c (model_impl.h: what they share).
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

#include "model_impl.h"
#include "uprb/uprb_check.h"

void model_fail(const struct model *m, const char *invariant,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fz_story_vfail(&m->where, invariant, fmt, ap);
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
uint32_t model_expected(const struct model *m, const struct model_attempt *a,
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

unsigned char model_ring_byte(const struct model *m, uint64_t pos)
{
	uint64_t p = pos % m->size;

	return m->rb->data_pages[p / m->cfg.page_size][p % m->cfg.page_size];
}

/*
 * First byte of [@pos, @pos + @len) (mod S) where the ring differs from the
 * image, or -1. Compared chunk by chunk: the hot path of every run.
 */
int64_t model_ring_diff(const struct model *m, uint64_t pos, uint64_t len)
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
struct model_attempt *model_covering(struct model *m, uint64_t pos)
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
 * A finished reservation: the ring must hold what the image says over all
 * of it (its bytes, or a nested writer's where one landed on it).
 */
static void check_write(struct model *m, const struct model_attempt *a)
{
	uint32_t lost = a->total - a->size;
	/* A record larger than the ring overwrote its own start. */
	uint32_t first = a->total > m->size ? (uint32_t)(a->total - m->size) : 0;

	int64_t d = model_ring_diff(m, a->off + first, a->total - first);
	uint32_t i = (uint32_t)(first + d);
	uint64_t p = (a->off + i) % m->size;

	NEED(d < 0, i < lost ? "lost-placement" : "exact-write",
	     "byte %u of the %s reservation [%#llx, +%u) (%s, ring offset %#llx) is %#x, want %#x",
	     i, fz_level_name(a->level), X64(a->off), a->total,
	     i < lost ? "LOST record" : "record", X64(p), model_ring_byte(m, p),
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
		int64_t p = model_ring_diff(m, 0, m->size);

		NEED(p < 0, "exact-write",
		     "ring offset %#llx holds %#x, want %#x from reservation #%u (a stray write)",
		     X64(p), model_ring_byte(m, (uint64_t)p), m->image[p], m->owner[p]);
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
