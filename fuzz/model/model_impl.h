/* SPDX-License-Identifier: MIT */
/*
 * model_impl.h - what the parts of the model share (private to
 * fuzz/model): model.c (an attempt's life: begin, end, idle, and the
 * images of what the ring must hold), model_access.c (each seam access of
 * a writer, judged by what it touches), model_read.c (what a reader may
 * be handed).
 */
#ifndef FZ_MODEL_IMPL_H
#define FZ_MODEL_IMPL_H

#include <linux/perf_event.h>

#include "model.h"

#define NEED(cond, inv, ...)                                                   \
	do {                                                                   \
		if (!(cond))                                                   \
			model_fail(m, inv, __VA_ARGS__);                       \
	} while (0)

#define X64(v) ((unsigned long long)(v))

static inline bool forward(const struct model *m)
{
	return !m->cfg.backward;
}

/* Unread bytes between a writer at @head and a reader at @tail. */
static inline uint64_t unread(const struct model *m, uint64_t head, uint64_t tail)
{
	return forward(m) ? head - tail : tail - head;
}

static inline uint64_t space(const struct model *m, uint64_t head, uint64_t tail)
{
	return m->size - 1 - unread(m, head, tail) % m->size;
}

static inline unsigned trailer_size(const struct model_src *s)
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
static inline unsigned lost_size(const struct model_src *s)
{
	return UPRB_LOST_RECORD_SIZE + (s->sample_id_all ? trailer_size(s) : 0);
}

/* The bytes reservation @a must hold, into @buf. Return: their number. */
uint32_t model_expected(const struct model *m, const struct model_attempt *a,
			unsigned char *buf);

/*
 * The reservation covering position @pos, or NULL. Reservations tile the
 * positions in compare-and-swap order: upward forward, downward backward.
 */
struct model_attempt *model_covering(struct model *m, uint64_t pos);

/* The ring's byte at position @pos (mod S). */
unsigned char model_ring_byte(const struct model *m, uint64_t pos);

/*
 * First byte of [@pos, @pos + @len) (mod S) where the ring differs from the
 * image, or -1.
 */
int64_t model_ring_diff(const struct model *m, uint64_t pos, uint64_t len);

#endif /* FZ_MODEL_IMPL_H */
