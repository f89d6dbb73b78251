/* SPDX-License-Identifier: MIT */
/*
 * rhonest.c - fuzz_reader_corrupt's honest-read check (rrun.h): while the
 * written ring is neither corrupted nor scribbled on, each record the
 * reader returns is the next one written (rrecords.h), byte for byte,
 * with the sample_id trailer uprb_source_sample_id() writes; and a lapped
 * backward ring's window ends where the records written say find-range
 * must stop.
 */
#include <stdlib.h>
#include <string.h>

#include "rrun.h"

/*
 * uprb_source_sample_id() as its header documents it: exactly
 * id_header_size bytes (8 per field), the trailer @want, nothing written
 * past them (an exact-size buffer: ASan sees a byte more).
 */
static void check_sample_id(const unsigned char *want)
{
	uint64_t fields = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ID |
			  PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_CPU |
			  PERF_SAMPLE_IDENTIFIER;
	size_t len = (size_t)__builtin_popcountll(fzr.prog.cfg.sample_type & fields) * 8;
	unsigned char *buf = malloc(len ? len : 1);
	size_t n;

	if (!buf)
		abort();
	NEED(fzr.src.id_header_size == len &&
	     uprb_id_header_size(fzr.src.sample_type) == len, "trailer",
	     "sample_type %#llx: id_header_size %u, %zu expected",
	     X64(fzr.src.sample_type), fzr.src.id_header_size, len);
	n = uprb_source_sample_id(&fzr.src, buf);
	NEED(n == len && !memcmp(buf, want, len), "trailer",
	     "uprb_source_sample_id wrote %zu bytes, %zu expected%s", n, len,
	     n == len ? ", with other contents" : "");
	free(buf);
}

static size_t build(const struct fzr_rec *e)
{
	size_t n = fzr_expect_record(e, fzr.src.id, fzr.prog.cfg.sample_type,
				     fzr.src.sample_id_all, fzr.expect);

	if (e->is_lost && fzr.src.sample_id_all)
		check_sample_id(fzr.expect + UPRB_LOST_RECORD_SIZE);
	return n;
}

/* Backward, lapped: where find-range must stop, from the records written. */
uint64_t fzr_backward_cut(uint64_t head)
{
	uint64_t p = head;

	while (p - head < fzr.size) {
		const struct fzr_rec *e = fzr_records_find(&fzr.w, p);

		NEED(e, "honest-read", "no record at %#llx in a lapped ring", X64(p));
		if (p - head + e->size > fzr.size)
			break;
		p += e->size;
	}
	return p;
}

void fzr_check_honest(uint64_t pos, uint64_t *want,
		      const struct perf_event_header *ev)
{
	const struct fzr_rec *e = fzr_records_find(&fzr.w, pos);
	size_t n;

	NEED(pos == *want, "honest-read", "record at %#llx, expected one at %#llx",
	     X64(pos), X64(*want));
	NEED(e, "honest-read", "record at %#llx: none was written there", X64(pos));
	NEED(ev->size == e->size, "honest-read",
	     "record at %#llx has size %u, %u was written", X64(pos), ev->size,
	     e->size);
	n = build(e);
	NEED(!memcmp(ev, fzr.expect, n), "honest-read",
	     "record at %#llx (%s, %u bytes) differs from what was written",
	     X64(pos), e->is_lost ? "LOST" : "synthetic", e->size);
	*want = pos + e->size;
}
