/* SPDX-License-Identifier: MIT */
/*
 * rdinput.h - the input of fuzz_readers (readers/): a total decoder from
 * bytes to a program that every reader runs on its own copy of one ring,
 * and its printer. It lives beside the other targets' decoders (input.h,
 * rinput.h) so that uprb-script decodes and encodes it with these tables.
 *
 * As in fuzz/sim/input.h: any byte string is valid, reads past the end
 * return 0, every value is reduced into its range, and the whole program
 * is built before anything runs. The printer writes the text form
 * (uprb-script syntax, fuzz/README.md), which encodes back to bytes that
 * decode to the same program.
 *
 * Layout (u8 unless said; integers little endian):
 *
 *   ring     bits 0-1: pages {1, 2, 4, 8} of the system page; bit 2: a
 *            backward overwrite ring (perf record --overwrite; only readers
 *            with RD_CAP_BACKWARD run it), else forward non-overwrite
 *   ops      until the input ends (or RDI_MAX_OPS):
 *            kind = { WRITE, WRITE, WRITE, READ, READ, CORRUPT, HEAD, TAIL }[b % 8]
 *     WRITE    size code b: < 0xf0: 16 + 8 * b, else a u16 v: 16 + 8 * (v % 8189);
 *              then count 1 + b % 8 (that many records of that size)
 *     READ     b: bits 0-5 at most that many items (0: the whole window;
 *              readers that cannot stop drain it all), bits 6-7 inner
 *              actions (0-3), each: nth 1 + b % 64 (after the nth item the
 *              reader delivers), kind { WRITE, CORRUPT, HEAD, WRITE }[b % 4]
 *              and its arguments
 *     CORRUPT  how b % 8: { ZERO, SIZE, SIZE, TYPE, RAW, FLIP, STRADDLE, SIZE }
 *              then rec u8 (the rec-th newest record written; 0 the newest)
 *       SIZE     to b % 8: 0, 4, 12, ring, ring+8, 0xfff8, past-head, a u16
 *       TYPE     a u32
 *       RAW      the RAW size field to b % 4: size, size + 8, 0xffffffff, a u32
 *       FLIP     pos u16 (into the data area), mask u8 (0: 0xff); no rec
 *     HEAD     user space writes data_head: how b % 5: SET u64, AHEAD
 *              u16 (8 * (1 + v % 512)), BEHIND u16 (likewise), UNALIGNED
 *              u8 (1 + v % 7), LAP (one data area ahead)
 *     TAIL     another party writes data_tail: how b % 4: AHEAD u16
 *              (8 * (1 + v % 512) past data_head), BEHIND (a lap behind),
 *              UNALIGNED u8 (+1 + v % 7), SET u64
 * At the end every reader drains one more window.
 */
#ifndef RD_INPUT_H
#define RD_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define RDI_MAX_OPS 128u
#define RDI_MAX_INNER 3u

enum rdi_kind { RDI_NOP, RDI_WRITE, RDI_READ, RDI_CORRUPT, RDI_HEAD, RDI_TAIL,
		RDI_KIND_COUNT };

enum rdi_corrupt { RDI_ZERO, RDI_SIZE, RDI_TYPE, RDI_RAW, RDI_FLIP, RDI_STRADDLE,
		   RDI_CORRUPT_COUNT };

enum rdi_size_to { RDI_TO_0, RDI_TO_4, RDI_TO_12, RDI_TO_RING, RDI_TO_RING8,
		   RDI_TO_HUGE, RDI_TO_PAST_HEAD, RDI_TO_VALUE, RDI_TO_COUNT };

enum rdi_raw_to { RDI_RAW_RECORD, RDI_RAW_PAST, RDI_RAW_HUGE, RDI_RAW_VALUE,
		  RDI_RAW_COUNT };

enum rdi_head { RDI_H_SET, RDI_H_AHEAD, RDI_H_BEHIND, RDI_H_UNALIGNED, RDI_H_LAP,
		RDI_HEAD_COUNT };

enum rdi_tail { RDI_T_AHEAD, RDI_T_BEHIND, RDI_T_UNALIGNED, RDI_T_SET,
		RDI_TAIL_COUNT };

/* What follows the how byte of a HEAD or TAIL (rdi_head_args,
 * rdi_tail_args): nothing, a u64, a distance (u16 v: 8 * (1 + v % 512)
 * bytes) or an unaligned offset (u8 v: 1 + v % 7 bytes). */
enum rdi_arg { RDI_ARG_NONE, RDI_ARG_U64, RDI_ARG_DISTANCE, RDI_ARG_UNALIGNED };

struct rdi_act {
	uint8_t kind;    /* enum rdi_kind (WRITE, CORRUPT, HEAD, TAIL) */
	uint8_t how;     /* CORRUPT: rdi_corrupt; HEAD: rdi_head; TAIL: rdi_tail */
	uint8_t to;      /* SIZE: rdi_size_to; RAW: rdi_raw_to */
	uint8_t rec;     /* the rec-th newest record */
	uint8_t mask;    /* FLIP */
	uint8_t count;   /* WRITE: records */
	uint8_t nth;     /* inner: after the nth item */
	uint16_t size;   /* WRITE: record size */
	uint64_t val;    /* FLIP position; SIZE, TYPE, RAW value; HEAD, TAIL */
};

struct rdi_op {
	struct rdi_act a;
	uint8_t max;     /* READ: items (0: all) */
	uint8_t ninner;
	struct rdi_act inner[RDI_MAX_INNER];
};

struct rdi_program {
	uint32_t nr_pages;
	bool backward;
	unsigned nops;
	struct rdi_op ops[RDI_MAX_OPS];
};

/* Decode @len bytes at @data into @p. Total: every input decodes. */
void rdi_decode(struct rdi_program *p, const uint8_t *data, size_t len);

/* Print @p: the ring, then one operation a line, inner actions indented
 * under their read as "at item#N: ACTION". */
void rdi_print(FILE *f, const struct rdi_program *p);

/* One action as text (no newline), as rdi_print() prints it. */
void rdi_act_print(FILE *f, const struct rdi_act *a);

/* The kinds an operation byte (b % 8), an inner action byte (b % 4) and a
 * CORRUPT byte (b % 8) pick from; uprb-script encodes a kind as its first
 * index here. */
extern const uint8_t rdi_ops[8];
extern const uint8_t rdi_inner[4];
extern const uint8_t rdi_corrupts[8];
/* The argument each HEAD and TAIL how takes (enum rdi_arg), for the
 * decoder, the printer and uprb-script alike. */
extern const uint8_t rdi_head_args[RDI_HEAD_COUNT];
extern const uint8_t rdi_tail_args[RDI_TAIL_COUNT];

/* Names used by the printer and by uprb-script's parser. */
extern const char *const rdi_kind_names[RDI_KIND_COUNT];
extern const char *const rdi_corrupt_names[RDI_CORRUPT_COUNT];
extern const char *const rdi_size_names[RDI_TO_COUNT];
extern const char *const rdi_raw_names[RDI_RAW_COUNT];
extern const char *const rdi_head_names[RDI_HEAD_COUNT];
extern const char *const rdi_tail_names[RDI_TAIL_COUNT];

#endif /* RD_INPUT_H */
