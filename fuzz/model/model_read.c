/* SPDX-License-Identifier: MIT */
/*
 * model_read.c - what a reader may be handed, by the model's account
 * (model.h): each record read checked against the reservation that covers
 * it, whether a window is still whole in an overwrite ring, where a
 * backward find-range must stop, and the positions the world asks about.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_impl.h"
#include "uprb/uprb_check.h"

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
	struct model_attempt *a = model_covering(m, pos);
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
	model_expected(m, a, m->expect);
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
		const struct model_attempt *a = model_covering((struct model *)m, pos);
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
	struct model_attempt *a = model_covering((struct model *)m, head);
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
