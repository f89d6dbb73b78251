/* SPDX-License-Identifier: MIT */
/* rrecords.c - the records fuzz_reader_corrupt wrote (rrecords.h). */
#include <linux/perf_event.h>
#include <string.h>

#include "rrecords.h"
#include "uprb/uprb_synth.h"

int fzr_records_add(struct fzr_records *t, uint64_t pos, uint16_t size,
		    bool is_lost, uint64_t v)
{
	struct fzr_rec *e;

	if (t->n == FZR_MAX_RECS)
		return -1;
	e = &t->rec[t->n++];
	*e = (struct fzr_rec){ .pos = pos, .size = size, .is_lost = is_lost };
	if (is_lost)
		e->lost = v;
	else
		e->seq = (uint32_t)v;
	return 0;
}

const struct fzr_rec *fzr_records_find(const struct fzr_records *t,
				       uint64_t pos)
{
	unsigned lo = 0, hi = t->n;

	/* Forward positions ascend, backward ones descend: both sorted. */
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct fzr_rec *e = &t->rec[mid];

		if (e->pos == pos)
			return e;
		if ((e->pos < pos) != t->backward)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

uint64_t fzr_records_pos(const struct fzr_records *t, uint8_t rec)
{
	if (!t->n)
		return 8u * rec;
	return t->rec[t->n - 1 - rec % t->n].pos;
}

size_t fzr_expect_trailer(uint64_t sample_type, uint64_t id,
			  unsigned char *p)
{
	static const uint64_t bits[] = { PERF_SAMPLE_TID, PERF_SAMPLE_TIME,
					 PERF_SAMPLE_ID, PERF_SAMPLE_STREAM_ID,
					 PERF_SAMPLE_CPU, PERF_SAMPLE_IDENTIFIER };
	size_t n = 0;

	for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		uint64_t v = bits[i] == PERF_SAMPLE_ID ||
			     bits[i] == PERF_SAMPLE_STREAM_ID ||
			     bits[i] == PERF_SAMPLE_IDENTIFIER ? id : 0;

		if (sample_type & bits[i]) {
			memcpy(p + n, &v, 8);
			n += 8;
		}
	}
	return n;
}

size_t fzr_expect_record(const struct fzr_rec *e, uint64_t id,
			 uint64_t sample_type, bool sample_id_all,
			 unsigned char *buf)
{
	struct {
		struct perf_event_header header;
		uint64_t id, lost;
	} l = { { PERF_RECORD_LOST, 0, e->size }, id, e->lost };

	if (!e->is_lost)
		return uprb_synth_build(buf, e->size, 0, 0, 0, e->seq);
	memcpy(buf, &l, sizeof(l));
	if (sample_id_all)
		fzr_expect_trailer(sample_type, id, buf + sizeof(l));
	return e->size;
}
