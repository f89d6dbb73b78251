/* SPDX-License-Identifier: MIT */
/*
 * rrecords.h - the records fuzz_reader_corrupt wrote through the core's
 * writer, in the writing direction, and the bytes each must read back as:
 * while the ring is neither corrupted nor scribbled on, the reader must
 * return exactly these, byte for byte, in order.
 */
#ifndef FZ_RRECORDS_H
#define FZ_RRECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rinput.h"

/* Every write may add a LOST record in front of its own. */
#define FZR_MAX_RECS (2 * (FZR_MAX_OPS * (1 + FZR_MAX_INNER)))

/* A record the writer put in the ring: a synthetic one or a LOST. */
struct fzr_rec {
	uint64_t pos;
	uint64_t lost;    /* LOST: its count */
	uint32_t seq;     /* synthetic: its sequence number */
	uint16_t size;
	bool is_lost;
};

struct fzr_records {
	bool backward;    /* positions descend: the writer writes backward */
	unsigned n;
	struct fzr_rec rec[FZR_MAX_RECS];
};

/*
 * Append a record at @pos: a LOST of @v drops, or synthetic record @v.
 * Return: 0, or -1 when the table is full (a harness bug).
 */
int fzr_records_add(struct fzr_records *t, uint64_t pos, uint16_t size,
		    bool is_lost, uint64_t v);

/* The record written at exactly @pos, or NULL. */
const struct fzr_rec *fzr_records_find(const struct fzr_records *t,
				       uint64_t pos);

/*
 * The position of the @rec-th newest record (modulo how many there are),
 * or 8 * @rec when none was written: where an input's corruption lands.
 */
uint64_t fzr_records_pos(const struct fzr_records *t, uint8_t rec);

/*
 * The sample_id trailer the writer owes a LOST record of a source with
 * @id and @sample_type, from perf's layout (struct sample_id: TID, TIME,
 * ID, STREAM_ID, CPU, IDENTIFIER, 8 bytes each) and what
 * uprb_source_init() leaves: pid, tid and cpu 0, stream_id the id, no
 * clock (time 0). Written here, not by the core's own
 * uprb_source_sample_id(), which it judges. Return: its length.
 */
size_t fzr_expect_trailer(uint64_t sample_type, uint64_t id,
			  unsigned char *p);

/*
 * The bytes of @e as written by source @id (synthetic records: source 0,
 * level 0, cpu 0), a LOST with its trailer when @sample_id_all, into
 * @buf (UPRB_MAX_RECORD bytes). Return: @e->size.
 */
size_t fzr_expect_record(const struct fzr_rec *e, uint64_t id,
			 uint64_t sample_type, bool sample_id_all,
			 unsigned char *buf);

#endif /* FZ_RRECORDS_H */
