/* SPDX-License-Identifier: MIT */
/*
 * rring.h - the ring memory of fuzz_reader_corrupt and what a plain parse
 * of its bytes says, apart from the reader under test.
 *
 * The ring lives in one exact-size allocation, so that ASan reports any
 * load past it: either a copy of a core ring (its control page, zeroed
 * data pages, the core's writer pointed into it) or raw bytes under a
 * geometry, data_head and data_tail that the input chooses (rinput.h).
 *
 * The verdicts are the reader's contract read from the bytes alone
 * (uprb_reader.h, docs/ring.md#33-reading-backward): the target holds the
 * reader's answers to them.
 */
#ifndef FZ_RRING_H
#define FZ_RRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rinput.h"
#include "uprb/uprb.h"

/* A data area: @size bytes (a power of two, or 0) at @data. */
struct fzr_area {
	const unsigned char *data;
	uint64_t size;
};

/*
 * The oracle of uprb_reader_init() for data_offset @off and data_size
 * @size in a @len-byte mapping: 1 it must accept, 0 it must refuse, -1
 * either (tiny data areas, a data area over the control page).
 */
int fzr_geometry_ok(uint64_t off, uint64_t size, uint64_t len);

/*
 * An exact-size copy of @rb's memory (its control page, the data pages
 * zeroed), into which @rb's writer is pointed: the geometry stays the
 * core's, only the addresses change. Return: the copy (free() it), its
 * length in *@len. Aborts when out of memory.
 */
unsigned char *fzr_map_written(struct uprb_ring *rb, size_t *len);

/*
 * The mapping of a BYTES or RAW program: @c->len bytes (at least one
 * allocated), its control page as @c says when it has room for one, the
 * data area filled with @c's pattern. Aborts when out of memory.
 */
unsigned char *fzr_map_bytes(const struct fzr_config *c);

/*
 * The code read_event owes a header at ring position @pos with @unread
 * bytes up to the window's end: -EPROTO (no room for a header, or a record
 * past the end), -EBADMSG (size < 8), -EILSEQ (not a multiple of 8),
 * -EMSGSIZE (larger than the data area), else 1. *@size: the size it says.
 */
int fzr_header_verdict(const struct fzr_area *a, uint64_t pos,
		       uint64_t unread, uint16_t *size);

/*
 * perf's find-range over a lapped backward overwrite ring from @head: walk
 * by the headers' sizes, stop at a zero header or a ring's worth of bytes,
 * leave out a last record reaching past that. Return: 0 and where it stops
 * in *@end, or -EBADMSG (a size below 8), -EILSEQ (not a multiple of 8).
 */
int fzr_find_range_verdict(const struct fzr_area *a, uint64_t head,
			   uint64_t *end);

/*
 * A CORRUPT act @a on the data area @data of @size bytes (a power of two,
 * not 0): flip a byte, zero the header of the record at ring position
 * @pos or set its size (@unread: the bytes from @pos to data_head in the
 * reading direction, for FZR_TO_PAST_HEAD); positions wrap at the end.
 */
void fzr_corrupt(unsigned char *data, uint64_t size, const struct fzr_act *a,
		 uint64_t pos, uint64_t unread);

/*
 * The data_head a SCRIBBLE act @a stores over @head: any value, ahead of
 * it or behind in the writing direction, unaligned, or 8 bytes into the
 * record at @rec_pos.
 */
uint64_t fzr_scribble_head(const struct fzr_act *a, uint64_t head,
			   bool backward, uint64_t rec_pos);

#endif /* FZ_RRING_H */
