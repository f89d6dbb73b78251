/* SPDX-License-Identifier: MIT */
/*
 * memory.c - store buffers and the consumer's view under the SC, TSO and
 * weak models of memory.h (docs/memory.md has the reasoning).
 */
#include <linux/perf_event.h>
#include <string.h>

#include "memory.h"

int fz_mem_model_lookup(const char *name)
{
	for (int i = 0; i < FZ_MEM_MODELS; i++)
		if (!strcmp(name, fz_mem_model_name((enum fz_mem_model)i)))
			return i;
	return -1;
}

const char *fz_mem_model_name(enum fz_mem_model model)
{
	static const char *const names[] = { "sc", "tso", "weak" };

	return (unsigned)model < FZ_MEM_MODELS ? names[model] : "?";
}

void fz_mem_reset(struct fz_mem *m, enum fz_mem_model model,
		  unsigned char *lo, unsigned char *hi, unsigned char *data,
		  size_t size, uint32_t *paused, fz_mem_visible_fn *visible,
		  void *ctx)
{
	m->model = model;
	m->lo = lo;
	m->hi = hi;
	m->data = data;
	m->size = size < FZ_MEM_MAX_DATA ? size : FZ_MEM_MAX_DATA;
	m->paused = paused;
	m->visible = visible;
	m->ctx = ctx;
	for (unsigned c = 0; c < FZ_MEM_CPUS; c++)
		m->buf[c].first = m->buf[c].n = m->buf[c].epoch = 0;
	m->now = m->floor = 0;
	m->undo_first = m->undo_n = 0;
	m->buffered = m->flushed = m->stale_bytes = 0;
	if (model == FZ_MEM_WEAK) {
		memset(m->obs, 0, m->size * sizeof(m->obs[0]));
		memset(m->open, 0, m->size);
	}
	m->any_open = false;
	if (model != FZ_MEM_SC) {
		/* The control page's pad up to data_offset is never touched. */
		memcpy(m->shadow, lo, sizeof(struct perf_event_mmap_page));
		memcpy(m->shadow + (data - lo), data, m->size);
		m->shadow_paused = *paused;
	}
}

/* The @i-th oldest store buffered in @b. */
static struct fz_store *slot(const struct fz_sbuf *b, unsigned i)
{
	return (struct fz_store *)&b->s[(b->first + i) & (FZ_MEM_SLOTS - 1)];
}

/* The consumer's copy of shared address @p. */
static unsigned char *shadow_of(struct fz_mem *m, const void *p)
{
	if (p == (const void *)m->paused)
		return (unsigned char *)&m->shadow_paused;
	return m->shadow + ((const unsigned char *)p - m->lo);
}

static bool in_data(const struct fz_mem *m, const void *p, size_t len)
{
	const unsigned char *c = p;

	return c >= m->data && c + len <= m->data + m->size;
}

bool fz_mem_shared(const struct fz_mem *m, const struct uprb_sim_access *a)
{
	const unsigned char *p = a->op == UPRB_OP_COPY_FROM ? a->src : a->addr;

	if (a->op == UPRB_OP_FENCE)
		return false;
	return (p >= m->lo && p < m->hi) || p == (const void *)m->paused;
}

static size_t store_len(const struct fz_store *s)
{
	return s->a.op == UPRB_OP_COPY_TO ? s->len : s->a.width;
}

/* 8-byte granules of shared memory a store covers; paused is the last. */
#define GRANULES (FZ_MEM_MAX_SHARED / 8 + 1)

static void granules(const struct fz_mem *m, const struct fz_store *s,
		     size_t *first, size_t *last)
{
	const unsigned char *p = s->a.addr;

	if (p == (const unsigned char *)m->paused) {
		*first = *last = GRANULES - 1;
		return;
	}
	*first = (size_t)(p - m->lo) / 8;
	*last = (size_t)(p - m->lo + store_len(s) - 1) / 8;
}

/*
 * Which entries of @b may become visible now, into @ok (TSO: the oldest
 * only). Weak: not a release with older stores pending, not behind an
 * smp_wmb() that older stores have yet to pass (epochs only grow, so the
 * oldest entry's epoch is the smallest), and no older store to the same
 * place (coherence, by 8-byte granule: a little stricter than bytes).
 * One pass: O(entries + bytes), not entries squared.
 */
static unsigned eligible(const struct fz_mem *m, const struct fz_sbuf *b,
			 unsigned *ok)
{
	static uint8_t seen[(GRANULES + 7) / 8];
	unsigned n = 0;

	if (!b->n)
		return 0;
	ok[n++] = 0;
	if (m->model != FZ_MEM_WEAK)
		return n;
	memset(seen, 0, sizeof(seen));
	for (unsigned i = 0; i < b->n; i++) {
		const struct fz_store *s = slot(b, i);
		size_t g, first, last;
		bool clash = false;

		granules(m, s, &first, &last);
		for (g = first; g <= last; g++)
			clash |= seen[g / 8] >> (g % 8) & 1;
		if (i && !clash && !s->release && s->epoch == slot(b, 0)->epoch)
			ok[n++] = i;
		for (g = first; g <= last; g++)
			seen[g / 8] |= (uint8_t)(1u << (g % 8));
	}
	return n;
}

static void remember(struct fz_mem *m, const struct fz_store *s,
		     const unsigned char *old)
{
	struct fz_undo *u;

	if (m->undo_n == FZ_MEM_UNDO) {
		/* Forgetting the oldest only narrows what stale loads may see. */
		u = &m->undo[m->undo_first];
		if (u->time > m->floor)
			m->floor = u->time;
		m->undo_first = (m->undo_first + 1) % FZ_MEM_UNDO;
		m->undo_n--;
	}
	u = &m->undo[(m->undo_first + m->undo_n++) % FZ_MEM_UNDO];
	u->time = m->now;
	u->off = (uint16_t)((unsigned char *)s->a.addr - m->data);
	u->len = s->len;
	memcpy(u->old, old, s->len);
}

/* Store @s of @cpu becomes visible: memory, the consumer's shadow, the world. */
static void apply(struct fz_mem *m, enum fz_mem_cpu cpu, const struct fz_store *s)
{
	m->now++;
	m->flushed++;
	if (s->a.op == UPRB_OP_COPY_TO) {
		unsigned char *sh = shadow_of(m, s->a.addr);

		if (m->model == FZ_MEM_WEAK && in_data(m, s->a.addr, s->len))
			remember(m, s, sh);
		memcpy(sh, s->bytes, s->len);
	} else {
		/* The writer has its own scalar stores in memory already. */
		if (cpu == FZ_MEM_READER)
			uprb_sim_perform(&s->a);
		if (s->a.width == 8) {
			uint64_t v = s->a.val;

			memcpy(shadow_of(m, s->a.addr), &v, 8);
		} else {
			uint32_t v = (uint32_t)s->a.val;

			memcpy(shadow_of(m, s->a.addr), &v, 4);
		}
	}
	if (m->visible)
		m->visible(m->ctx, cpu, s);
}

static void make_visible(struct fz_mem *m, enum fz_mem_cpu cpu, unsigned i)
{
	struct fz_sbuf *b = &m->buf[cpu];
	struct fz_store s = *slot(b, i);

	/* Close the gap from the nearer end. */
	if (i < b->n / 2) {
		for (unsigned k = i; k; k--)
			*slot(b, k) = *slot(b, k - 1);
		b->first = (b->first + 1) & (FZ_MEM_SLOTS - 1);
	} else {
		for (unsigned k = i; k + 1 < b->n; k++)
			*slot(b, k) = *slot(b, k + 1);
	}
	b->n--;
	apply(m, cpu, &s);
}

unsigned fz_mem_flush(struct fz_mem *m, enum fz_mem_cpu cpu, unsigned pick,
		      unsigned count)
{
	struct fz_sbuf *b = &m->buf[cpu];
	unsigned done = 0;

	while (done < count && b->n) {
		unsigned ok[FZ_MEM_SLOTS], n = eligible(m, b, ok);

		make_visible(m, cpu, ok[pick % n]);
		done++;
	}
	return done;
}

void fz_mem_drain(struct fz_mem *m, enum fz_mem_cpu cpu)
{
	struct fz_sbuf *b = &m->buf[cpu];
	unsigned n = b->n;

	/* In program order. Nothing stores while the callbacks run. */
	b->n = 0;
	for (unsigned i = 0; i < n; i++)
		apply(m, cpu, slot(b, i));
	b->first = 0;
}

static void advance_floor(struct fz_mem *m)
{
	m->floor = m->now;
	/* Views at or before the floor are never asked for again. */
	while (m->undo_n && m->undo[m->undo_first].time <= m->floor) {
		m->undo_first = (m->undo_first + 1) % FZ_MEM_UNDO;
		m->undo_n--;
	}
}

static void close_open(struct fz_mem *m)
{
	if (m->any_open)
		memset(m->open, 0, m->size);
	m->any_open = false;
}

static void buffer(struct fz_mem *m, enum fz_mem_cpu cpu,
		   const struct uprb_sim_access *a, const unsigned char *bytes,
		   size_t len)
{
	struct fz_sbuf *b = &m->buf[cpu];
	struct fz_store *s;

	if (b->n == FZ_MEM_SLOTS)
		make_visible(m, cpu, 0); /* a full buffer drains its oldest */
	s = slot(b, b->n++);
	s->a = *a;
	s->epoch = b->epoch;
	s->seq = (uint32_t)m->buffered;
	s->release = a->order == UPRB_ORDER_RELEASE;
	s->len = (uint16_t)len;
	if (a->op == UPRB_OP_COPY_TO)
		memcpy(s->bytes, bytes, len);
	m->buffered++;
}

static uint64_t store(struct fz_mem *m, enum fz_mem_cpu cpu,
		      const struct uprb_sim_access *a)
{
	/* A release orders the consumer's earlier loads before it (D, P). */
	if (m->model == FZ_MEM_WEAK && cpu == FZ_MEM_READER &&
	    a->order == UPRB_ORDER_RELEASE)
		close_open(m);
	/* The writer's memory is its own view: its stores land at once. */
	if (cpu == FZ_MEM_WRITER)
		uprb_sim_perform(a);
	if (a->op == UPRB_OP_STORE) {
		buffer(m, cpu, a, NULL, a->width);
		return 0;
	}
	for (size_t done = 0; done < a->len; done += FZ_MEM_CHUNK) {
		struct uprb_sim_access c = *a;
		size_t n = a->len - done < FZ_MEM_CHUNK ? a->len - done :
							  FZ_MEM_CHUNK;

		c.addr = (unsigned char *)a->addr + done;
		c.src = (const unsigned char *)a->src + done;
		c.len = n;
		buffer(m, cpu, &c, c.src, n);
	}
	return 0;
}

/*
 * A load: the writer reads its memory; the consumer its own newest
 * buffered store to the place, else its shadow.
 */
static uint64_t load(struct fz_mem *m, enum fz_mem_cpu cpu,
		     const struct uprb_sim_access *a)
{
	const struct fz_sbuf *b = &m->buf[cpu];
	uint64_t v = 0;

	if (cpu == FZ_MEM_WRITER)
		return uprb_sim_perform(a);
	for (unsigned i = b->n; i--;) {
		const struct fz_store *s = slot(b, i);

		if (s->a.op == UPRB_OP_STORE && s->a.addr == a->addr &&
		    s->a.width == a->width)
			return s->a.val;
	}
	if (a->width == 8) {
		memcpy(&v, shadow_of(m, a->addr), 8);
	} else {
		uint32_t v32;

		memcpy(&v32, shadow_of(m, a->addr), 4);
		v = v32;
	}
	if (m->model == FZ_MEM_WEAK && cpu == FZ_MEM_READER &&
	    a->order == UPRB_ORDER_ACQUIRE)
		advance_floor(m);
	return v;
}

/*
 * The consumer copies out of the data area: each byte as it was at the
 * oldest moment its view allows (the floor, or what it saw of that byte
 * last), found by undoing the visible stores made after that moment.
 */
static void copy_out(struct fz_mem *m, const struct uprb_sim_access *a)
{
	const unsigned char *src = shadow_of(m, a->src);
	unsigned char *dst = a->addr;
	size_t base = (size_t)((const unsigned char *)a->src - m->data);
	unsigned idx[FZ_MEM_UNDO], n = 0;

	for (unsigned k = 0; k < m->undo_n; k++) {
		const struct fz_undo *u = &m->undo[(m->undo_first + k) % FZ_MEM_UNDO];

		if (u->off < base + a->len && base < (size_t)u->off + u->len)
			idx[n++] = (m->undo_first + k) % FZ_MEM_UNDO;
	}
	for (size_t i = 0; i < a->len; i++) {
		size_t off = base + i;
		uint32_t t = m->obs[off] > m->floor ? m->obs[off] : m->floor;
		unsigned char v = src[i];

		/* The oldest store after the view's moment held the old byte. */
		for (unsigned k = 0; k < n; k++) {
			const struct fz_undo *u = &m->undo[idx[k]];

			if (u->time > t && off >= u->off && off < (size_t)u->off + u->len) {
				v = u->old[off - u->off];
				break;
			}
		}
		m->stale_bytes += v != src[i];
		dst[i] = v;
		m->obs[off] = t;
		if (a->site == UPRB_SITE_READ_DATA) {
			m->open[off] = 1;
			m->any_open = true;
		}
	}
}

static void fence(struct fz_mem *m, enum fz_mem_cpu cpu,
		  const struct uprb_sim_access *a)
{
	switch (a->order) {
	case UPRB_ORDER_WMB:
		m->buf[cpu].epoch++;
		break;
	case UPRB_ORDER_RMB:
		if (cpu == FZ_MEM_READER && m->model == FZ_MEM_WEAK)
			advance_floor(m);
		break;
	case UPRB_ORDER_MB:
		fz_mem_drain(m, cpu);
		if (cpu == FZ_MEM_READER && m->model == FZ_MEM_WEAK) {
			advance_floor(m);
			close_open(m);
		}
		break;
	default:
		/* barrier(): the compiler's business, handled by the world. */
		break;
	}
}

uint64_t fz_mem_access(struct fz_mem *m, enum fz_mem_cpu cpu,
		       const struct uprb_sim_access *a)
{
	if (m->model == FZ_MEM_SC)
		return uprb_sim_perform(a);
	if (a->op == UPRB_OP_FENCE) {
		fence(m, cpu, a);
		return 0;
	}
	if (!fz_mem_shared(m, a))
		return uprb_sim_perform(a);
	switch (a->op) {
	case UPRB_OP_STORE:
	case UPRB_OP_COPY_TO:
		return store(m, cpu, a);
	case UPRB_OP_LOAD:
		return load(m, cpu, a);
	case UPRB_OP_COPY_FROM:
		if (cpu == FZ_MEM_READER && m->model == FZ_MEM_WEAK &&
		    in_data(m, a->src, a->len))
			copy_out(m, a);
		else if (cpu == FZ_MEM_READER)
			memcpy(a->addr, shadow_of(m, a->src), a->len);
		else
			return uprb_sim_perform(a);
		return 0;
	default:
		/* A read-modify-write of shared memory: ordered, as a locked op. */
		fz_mem_drain(m, cpu);
		return uprb_sim_perform(a);
	}
}

void fz_mem_user_store(struct fz_mem *m, void *addr, uint64_t v,
		       unsigned width)
{
	fz_mem_drain(m, FZ_MEM_READER);
	if (width == 8)
		__atomic_store_n((uint64_t *)addr, v, __ATOMIC_RELEASE);
	else
		__atomic_store_n((uint32_t *)addr, (uint32_t)v, __ATOMIC_RELEASE);
	if (m->model != FZ_MEM_SC && width == 8) {
		memcpy(shadow_of(m, addr), &v, 8);
	} else if (m->model != FZ_MEM_SC) {
		uint32_t v32 = (uint32_t)v;

		memcpy(shadow_of(m, addr), &v32, 4);
	}
}

const struct fz_store *fz_mem_oldest(const struct fz_mem *m,
				     enum fz_mem_cpu cpu)
{
	return m->buf[cpu].n ? slot(&m->buf[cpu], 0) : NULL;
}

bool fz_mem_open_overlap(const struct fz_mem *m, size_t off, size_t len)
{
	size_t p;

	if (!m->any_open)
		return false;
	/* Wrapping by hand: no division a byte. */
	p = off % m->size;
	for (size_t i = 0; i < len; i++, p++) {
		if (p == m->size)
			p = 0;
		if (m->open[p])
			return true;
	}
	return false;
}
