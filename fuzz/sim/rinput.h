/* SPDX-License-Identifier: MIT */
/*
 * rinput.h - the input of fuzz_reader_corrupt: a total decoder from bytes
 * to a reader program, and its printer.
 *
 * The reader target has its own layout (the writer targets' is input.h):
 * what matters here is the geometry a control page claims, the data_head
 * and data_tail values and the bytes of the data area, not a schedule of
 * writers. As in input.h, any byte string is valid, reads past the end
 * return 0, every value is reduced into its range, and the program is
 * built before anything runs (uprb-script prints and re-encodes it).
 *
 * Layout (u8 unless said; "%" is "reduced modulo"):
 *
 *   mode     bits 0-1: 0, 1 WRITTEN (a ring written through the core's
 *            writer, then corrupted); 2 BYTES (a real geometry, raw data
 *            bytes); 3 RAW (any geometry, raw data bytes);
 *            bit 2 backward, bit 3 overwrite (writer and reader options)
 *   WRITTEN  page 64 << ((b & 0x7f) % 7); pages {1, 2, 4, 8, 0}[b % 5];
 *            id 0x100 + b; trailer: bits 0-5 TID TIME ID STREAM_ID CPU
 *            IDENTIFIER in sample_type, bit 6 sample_id_all (LOST records)
 *   BYTES    page and pages as WRITTEN, and the page byte's bit 7: legacy
 *            (data_offset = data_size = 0 in the control page: the reader
 *            takes one system page); else data_offset is 1088 rounded up
 *            to the page, as the core's
 *   RAW      data_offset u16; data_size code: b < 0x80: 1 << (b % 17),
 *            else a u32; len = data_offset + min(data_size, 65536) + s16
 *            (at least 0): the exact size of the mapping
 *   BYTES, RAW
 *            tail: how b % 4: 0 zero, 1 a u16, 2 minus a u16, 3 a u64
 *            head: how b % 4, relative to the tail in the writing
 *            direction: 0 by 8 * u8, 1 by a u16, 2 by data_size + 8 * u8
 *            (a lap), 3 a u64 (absolute)
 *            fill: n = u16 % (FZR_MAX_FILL + 1), then n bytes, repeated
 *            over the whole data area (n = 0: zeros)
 *   ops      until the input ends (or FZR_MAX_OPS): kind = ops[b % 8] of
 *            { WRITE, WRITE, WRITE, READ, READ, CORRUPT, SCRIBBLE, RESYNC }
 *            WRITE     size code b: < 0xf0: 16 + 8 * b, else a u16 v:
 *                      16 + 8 * (v % 8189); a NOP (no more bytes) unless
 *                      WRITTEN
 *            READ      flags: bits 0-5 max records (0: until empty),
 *                      bit 6 resync on error, bit 7 no consume; then
 *                      ninner b % 4, each: nth 1 + b % 64 (before the nth
 *                      read_event of the window), kind = { SCRIBBLE,
 *                      CORRUPT, WRITE, CORRUPT }[b % 4] and its arguments
 *            CORRUPT   how b % 4: FLIP pos u16, mask u8 (0: 0xff);
 *                      ZERO rec; SIZE rec, to b % 8 (7: then a u16);
 *                      STRADDLE rec. rec: a u8, the rec-th newest record
 *                      written (position 8 * rec without a writer)
 *            SCRIBBLE  how b % 5: SET u64; AHEAD u16 (8 * (1 + v % 512));
 *                      BEHIND u16 (likewise); UNALIGNED u8 (1 + v % 7);
 *                      MID rec (8 bytes into that record)
 *            RESYNC    nothing
 * Integers are little endian.
 */
#ifndef FZ_RINPUT_H
#define FZ_RINPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FZR_MAX_OPS 256u
#define FZR_MAX_INNER 3u
#define FZR_MAX_FILL 4096u
/* Largest data area the decoder can describe (BYTES: 8 pages of 4096). */
#define FZR_RAW_SIZE_CAP 65536u

enum fzr_mode { FZR_WRITTEN, FZR_BYTES, FZR_RAW, FZR_MODE_COUNT };

enum fzr_kind {
	FZR_NOP,
	FZR_WRITE,    /* a record through the core's writer */
	FZR_READ,     /* one window of the reader */
	FZR_CORRUPT,  /* change bytes of the data area */
	FZR_SCRIBBLE, /* user space writes data_head */
	FZR_RESYNC,   /* uprb_read_resync() */
	FZR_KIND_COUNT
};

enum fzr_corrupt { FZR_FLIP, FZR_ZERO, FZR_SIZE, FZR_STRADDLE, FZR_CORRUPT_COUNT };

/* What FZR_SIZE sets a header's size to. */
enum fzr_size_to {
	FZR_TO_0, FZR_TO_4, FZR_TO_12,
	FZR_TO_HUGE,      /* 0xfff8 */
	FZR_TO_RING,      /* data_size */
	FZR_TO_RING8,     /* data_size + 8 */
	FZR_TO_PAST_HEAD, /* 8 past data_head */
	FZR_TO_VALUE,     /* the u16 given */
	FZR_TO_COUNT
};

enum fzr_head { FZR_SET, FZR_AHEAD, FZR_BEHIND, FZR_UNALIGNED, FZR_MID, FZR_HEAD_COUNT };

/* READ flags */
#define FZR_READ_MAX 0x3fu
#define FZR_READ_RESYNC 0x40u
#define FZR_READ_KEEP 0x80u

struct fzr_act {
	uint8_t kind;   /* enum fzr_kind */
	uint8_t how;    /* CORRUPT: enum fzr_corrupt; SCRIBBLE: enum fzr_head */
	uint8_t to;     /* CORRUPT SIZE: enum fzr_size_to */
	uint8_t rec;    /* ZERO, SIZE, STRADDLE, MID: record, 0 the newest */
	uint8_t mask;   /* FLIP: xor mask, never 0 */
	uint8_t nth;    /* inner action: before the nth read_event, 1-based */
	uint16_t size;  /* WRITE: record size */
	uint64_t val;   /* FLIP: position; SIZE VALUE; SCRIBBLE SET..UNALIGNED */
};

struct fzr_op {
	struct fzr_act a;
	uint8_t flags;  /* READ: FZR_READ_* */
	uint8_t ninner;
	struct fzr_act inner[FZR_MAX_INNER];
};

struct fzr_config {
	uint8_t mode;   /* enum fzr_mode */
	bool backward, overwrite;
	/* WRITTEN, BYTES */
	uint32_t page_size, nr_pages;
	/* WRITTEN */
	uint64_t id, sample_type;
	bool sample_id_all;
	/* BYTES */
	bool legacy;
	/* RAW */
	uint64_t data_offset, data_size, len;
	/* BYTES, RAW */
	uint64_t tail, head;
	uint16_t nfill;
	uint8_t fill[FZR_MAX_FILL];
};

struct fzr_program {
	struct fzr_config cfg;
	unsigned nops;
	struct fzr_op ops[FZR_MAX_OPS];
};

/* Decode @len bytes at @data into @p. Total: every input decodes. */
void fzr_decode(struct fzr_program *p, const uint8_t *data, size_t len);

/* Print @p: the configuration, then one operation a line. */
void fzr_program_print(FILE *f, const struct fzr_program *p);

/* The kinds an operation byte (b % 8) and an inner action byte (b % 4)
 * pick from; uprb-script encodes a kind as its first index here. */
extern const uint8_t fzr_ops[8];
extern const uint8_t fzr_inner[4];

/* Names used by the printer and by uprb-script's parser. */
extern const char *const fzr_mode_names[FZR_MODE_COUNT];
extern const char *const fzr_kind_names[FZR_KIND_COUNT];
extern const char *const fzr_corrupt_names[FZR_CORRUPT_COUNT];
extern const char *const fzr_size_names[FZR_TO_COUNT];
extern const char *const fzr_head_names[FZR_HEAD_COUNT];

/* The system page the reader assumes for a legacy control page. */
uint64_t fzr_sys_page(void);

#endif /* FZ_RINPUT_H */
