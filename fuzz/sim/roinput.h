/* SPDX-License-Identifier: MIT */
/*
 * roinput.h - the input of fuzz_ring_opts: a total decoder from bytes to
 * the options, resets, pauses, writes and reader that target asks the
 * core's API for, and its printer. It lives beside the other targets'
 * decoders (input.h, rinput.h, rdinput.h) so that uprb-script decodes and
 * encodes it with these tables.
 *
 * Any byte string is valid, reads past the end return 0, and the whole
 * program is decoded before anything runs. The printer writes the text
 * form (uprb-script syntax, fuzz/README.md), which encodes back to bytes
 * that decode to the same program.
 *
 * Layout (u8 unless said; integers little endian):
 *
 *   ring     sz code (b % 8: 0-4 the struct's size, 5 one byte short of its
 *            last field, 6 exactly up to it, 7 zero); page size; page count
 *            (each a number code: bits 0-4 e, 1 << e or 0 for e = 31, bit
 *            5 adds 1, bit 6 takes a u32 instead); flags (bit 0 overwrite,
 *            bit 1 backward, bits 2-3 oversize WRAP, DROP, 2 or a u32 that
 *            follows); watermark u16; an allocation to fail (b % 8: 1-3
 *            the first, second, third in uprb_ring_new, 4 the reader's
 *            scratch; else none)
 *   The target reads on only when these options make a ring of at most
 *   ROI_SMALL_RING bytes; the rest of the input is then left unread.
 *   reset    page size and page count codes, flags (as above, and bit 4:
 *            the ring's own geometry, the two codes ignored)
 *   pause    two bytes, bit 0: pause (1) or resume (0)
 *   writes   while more than 4 bytes are left, at most ROI_MAX_WRITES: a
 *            size code b, by b >> 5: 0 b & 31, 1 data_size - 16 + (b & 31),
 *            2 65519 + (b & 31), 3 a u32, 4-5 8 + 8 * (b & 31), 6-7
 *            12 + 8 * (b & 31)
 *   reader   sz code (b % 8: 5 one byte short, 6 up to the last field,
 *            which for uprb_reader_opts is its size, 7 no options at all,
 *            else the size); flags (bit 0 overwrite, bit 1 backward, bits
 *            2-3 scratch: own, exact, one byte short, larger); flush u16
 */
#ifndef RO_INPUT_H
#define RO_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "uprb/uprb.h"

#define ROI_MAX_WRITES 64u
/* Rings up to this many data bytes are reset and written; larger ones
 * (up to the 4 GiB the options allow) are only made, checked and freed. */
#define ROI_SMALL_RING (1u << 20)

/* An options struct's size: the sz code's four meanings. */
enum roi_sz { ROI_SZ_FULL, ROI_SZ_SHORT, ROI_SZ_MIN, ROI_SZ_ZERO, ROI_SZ_COUNT };

/* The allocation to fail (ring.fail). */
enum roi_fail { ROI_FAIL_NONE, ROI_FAIL_STRUCT, ROI_FAIL_MAPPING,
		ROI_FAIL_PAGES, ROI_FAIL_SCRATCH, ROI_FAIL_COUNT };

/* The reader's scratch buffer. */
enum roi_scratch { ROI_SCRATCH_OWN, ROI_SCRATCH_EXACT, ROI_SCRATCH_SHORT,
		   ROI_SCRATCH_LARGER, ROI_SCRATCH_COUNT };

/* uprb_ring_new's options (ring) or uprb_ring_reset's (reset). */
struct roi_opts {
	uint8_t sz;          /* enum roi_sz (ring only) */
	bool same;           /* reset: the ring's own geometry */
	bool overwrite, backward;
	uint32_t page_size, nr_pages;
	uint32_t oversize;   /* enum uprb_oversize, or any value */
	uint16_t watermark;  /* ring only */
	uint8_t fail;        /* enum roi_fail (ring only) */
};

/* A record size: absolute, or data_size + delta (@data). */
struct roi_write {
	bool data;
	int8_t delta;        /* -16 .. 15 */
	uint32_t size;
};

struct roi_reader {
	uint8_t sz;          /* enum roi_sz: ZERO is no options at all */
	bool overwrite, backward;
	uint8_t scratch;     /* enum roi_scratch */
	uint16_t flush;
};

struct roi_program {
	struct roi_opts ring, reset;
	bool pause[2];
	unsigned nwrites;
	struct roi_write writes[ROI_MAX_WRITES];
	struct roi_reader reader;
	/* Which parts the input reaches (the printer prints those). */
	bool has_reset, has_pause, has_reader;
	/* The bytes after options the target stops at (roi_reads_on). */
	const uint8_t *unread;
	size_t nunread;
};

/* Decode @len bytes at @data into @p (which points into @data). Total. */
void roi_decode(struct roi_program *p, const uint8_t *data, size_t len);

/* Print @p, one part a line. */
void roi_print(FILE *f, const struct roi_program *p);

/* @r as uprb_ring_new's options (reset: its page size, count and modes
 * over @o's). */
void roi_ring_opts(const struct roi_opts *r, struct uprb_ring_opts *o);

/* What uprb.h documents for struct uprb_ring_opts: true valid, false
 * refused. */
bool roi_opts_valid(const struct uprb_ring_opts *o);

/* Whether the target reads on after the ring's options @r: they make a
 * ring (as documented) of at most ROI_SMALL_RING bytes. */
bool roi_reads_on(const struct roi_opts *r);

/* An options struct's size for sz code @sz: @full, @last_end - 1,
 * @last_end or 0. */
size_t roi_sz_bytes(uint8_t sz, size_t full, size_t last_end);

/* Names used by the printer and by uprb-script's parser. */
extern const char *const roi_sz_names[ROI_SZ_COUNT];
extern const char *const roi_reader_sz_names[ROI_SZ_COUNT];
extern const char *const roi_fail_names[ROI_FAIL_COUNT];
extern const char *const roi_scratch_names[ROI_SCRATCH_COUNT];

#endif /* RO_INPUT_H */
