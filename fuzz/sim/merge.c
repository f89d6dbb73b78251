/* SPDX-License-Identifier: MIT */
/*
 * merge.c - the merged consumer's ordering by time (see merge.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"
#include "model.h"

enum { SEEN_READ = 1, SEEN_FLUSHED = 2, SEEN_LOST_READ = 4,
       SEEN_LOST_FLUSHED = 8 };

#define X64(v) ((unsigned long long)(v))

void fz_merge_reset(struct fz_merge *m, unsigned ncpu, struct model **models,
		    int verbose)
{
	m->ncpu = ncpu;
	for (unsigned i = 0; i < ncpu; i++) {
		m->model[i] = models[i];
		m->lost_waiting[i] = false;
	}
	m->verbose = verbose;
	m->n = 0;
	m->next_flush = m->max_time = m->last = m->prev_end = 0;
	m->ord = 0;
	m->round_read = 0;
	/* seen[] is all zero but for the entries the last run used. */
	for (unsigned i = 0; i < m->nused; i++)
		*m->used[i] = 0;
	m->nused = 0;
	memset(&m->st, 0, sizeof(m->st));
}

/* A failure found by the merged consumer, told by @cpu's model. */
__attribute__((noreturn, format(printf, 4, 5)))
static void merge_fail(struct fz_merge *m, unsigned cpu, const char *inv,
		       const char *fmt, ...)
{
	struct model *md = m->model[cpu];
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	md->where.level = UPRB_LEVEL_COUNT;
	md->where.site = UPRB_SITE_COUNT;
	md->where.loc = NULL; /* a writer's last line is not where this broke */
	md->where.phase = "merged consumer";
	model_fail(md, inv, "%s", msg);
}

static uint8_t *seen(struct fz_merge *m, const struct fz_merge_rec *r)
{
	return &m->seen[r->cpu][r->src][r->level][r->seq];
}

static const char *rec_name(const struct fz_merge_rec *r, char *buf,
			    size_t n)
{
	snprintf(buf, n, "%s(cpu %u src %u level %u seq %u, time %llu)",
		 r->lost ? "LOST before " : "record ", r->cpu, r->src, r->level,
		 r->seq, X64(r->time));
	return buf;
}

static void queue(struct fz_merge *m, const struct fz_merge_rec *r)
{
	uint8_t bit = r->lost ? SEEN_LOST_READ : SEEN_READ;
	char b[96];

	if (m->n == FZ_MERGE_MAX)
		merge_fail(m, r->cpu, "harness", "merge queue full");
	if (*seen(m, r) & bit)
		merge_fail(m, r->cpu, "completeness", "%s read twice",
			   rec_name(r, b, sizeof(b)));
	if (!*seen(m, r))
		m->used[m->nused++] = seen(m, r);
	*seen(m, r) |= bit;
	m->q[m->n++] = *r;
	m->st.queued++;
	m->round_read++;
	if (r->time > m->max_time)
		m->max_time = r->time;
}

void fz_merge_take(struct fz_merge *m, unsigned cpu, bool lost, unsigned src,
		   unsigned level, uint32_t seq, uint64_t time)
{
	struct fz_merge_rec r = {
		.time = time, .ord = m->ord++, .seq = (uint16_t)seq,
		.cpu = (uint8_t)cpu, .src = (uint8_t)src, .level = (uint8_t)level,
		.lost = lost, .late = time <= m->prev_end,
	};

	if (seq >= FZ_MAX_WRITES || src >= FZ_MAX_SOURCES ||
	    level >= UPRB_LEVEL_COUNT)
		merge_fail(m, cpu, "harness", "record src %u level %u seq %u out of range",
			   src, level, seq);
	if (lost) {
		/* Its time is known once the record behind it is read. */
		if (m->lost_waiting[cpu])
			merge_fail(m, cpu, "lost-placement",
				   "two LOST records in a row");
		m->lost_waiting[cpu] = true;
		m->lost[cpu] = r;
		/* Late by the round it was read in. */
		m->lost[cpu].time = m->prev_end;
		return;
	}
	if (m->lost_waiting[cpu]) {
		struct fz_merge_rec l = m->lost[cpu];

		l.late = time <= l.time; /* l.time: prev_end when it was read */
		l.time = time;
		l.src = r.src;
		l.level = r.level;
		l.seq = r.seq;
		m->lost_waiting[cpu] = false;
		queue(m, &l);
	}
	queue(m, &r);
}

static int by_time(const void *x, const void *y)
{
	const struct fz_merge_rec *a = x, *b = y;

	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	return a->ord < b->ord ? -1 : a->ord > b->ord;
}

/* Flush, in time order, every queued record with time <= @upto. */
static void flush(struct fz_merge *m, uint64_t upto)
{
	unsigned k = 0, i;
	char b[96];

	qsort(m->q, m->n, sizeof(m->q[0]), by_time);
	for (; k < m->n && m->q[k].time <= upto; k++) {
		const struct fz_merge_rec *r = &m->q[k];
		uint8_t bit = r->lost ? SEEN_LOST_FLUSHED : SEEN_FLUSHED;

		if (*seen(m, r) & bit)
			merge_fail(m, r->cpu, "completeness", "%s flushed twice",
				   rec_name(r, b, sizeof(b)));
		*seen(m, r) |= bit;
		if (r->time < m->last) {
			if (!r->late)
				merge_fail(m, r->cpu, "ordering",
					   "%s flushed after time %llu, and its writer was not in flight at the end of the round before it was read",
					   rec_name(r, b, sizeof(b)), X64(m->last));
			m->st.late++;
			if (m->verbose > 1)
				fprintf(stderr, "  merge: %s late, after %llu\n",
					rec_name(r, b, sizeof(b)), X64(m->last));
		} else {
			m->last = r->time;
		}
		m->st.flushed++;
	}
	for (i = k; i < m->n; i++)
		m->q[i - k] = m->q[i];
	m->n -= k;
}

void fz_merge_round_end(struct fz_merge *m, uint64_t now)
{
	if (!m->round_read)
		return;
	m->st.rounds++;
	flush(m, m->next_flush);
	if (m->verbose > 1)
		fprintf(stderr, "  merge: round %llu flushed up to %llu, %u queued, next %llu\n",
			X64(m->st.rounds), X64(m->next_flush), m->n,
			X64(m->max_time));
	m->next_flush = m->max_time;
	m->prev_end = now;
	m->round_read = 0;
}

void fz_merge_final(struct fz_merge *m, bool judge)
{
	flush(m, UINT64_MAX);
	if (!judge)
		return;
	for (unsigned c = 0; c < m->ncpu; c++)
		if (m->lost_waiting[c])
			merge_fail(m, c, "completeness",
				   "a LOST record with no record behind it");
	if (m->st.flushed != m->st.queued)
		merge_fail(m, 0, "completeness", "%llu records read, %llu flushed",
			   X64(m->st.queued), X64(m->st.flushed));
	/* Every record read once, flushed once: the same entries. */
	for (unsigned i = 0; i < m->nused; i++) {
		uint8_t v = *m->used[i];

		if ((v & SEEN_READ) != (v & SEEN_FLUSHED) >> 1 ||
		    (v & SEEN_LOST_READ) != (v & SEEN_LOST_FLUSHED) >> 1) {
			size_t k = (size_t)(m->used[i] - &m->seen[0][0][0][0]);

			merge_fail(m, (unsigned)(k / (FZ_MAX_SOURCES * UPRB_LEVEL_COUNT *
						      FZ_MAX_WRITES)),
				   "completeness", "record %zu of its CPU read but never flushed",
				   k % (FZ_MAX_SOURCES * UPRB_LEVEL_COUNT * FZ_MAX_WRITES));
		}
	}
}
