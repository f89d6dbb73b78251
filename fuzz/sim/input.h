/* SPDX-License-Identifier: MIT */
/*
 * input.h - the fuzz input: a total decoder from bytes to a program.
 *
 * Any byte string is a valid run. The bytes are read front to back by a
 * reader that returns 0 once the input is used up, and every value is
 * reduced into its range (never rejected), so truncating an input only cuts
 * its tail: exhausted input reads as "no more operations", "no interrupts".
 *
 * The decoder turns the bytes into a program before anything runs: a ring
 * configuration, a list of top-level operations, and for every write a plan
 * of interrupts, each naming a seam site, an occurrence and an action. The
 * program does not depend on what the core does, so a program can be
 * printed as text and written back as bytes without running the world (the
 * later uprb-script tool), and a mutation of one byte changes one decision.
 *
 * Layout (u8 unless said; "%" is "reduced modulo"):
 *
 *   config   page      page size 64 << (b % 7)            (64..4096)
 *            pages     {1, 2, 4, 8, 0}[b % 5] data pages
 *            flags     bit 0 backward, bit 1 overwrite, bit 2 oversize DROP
 *            wmark     watermark 8 * b bytes, 0: the default (half the ring)
 *            nsrc      1 + b % 4 sources, then per source:
 *              id      id = 0x100 * (index + 1) + b
 *              trailer bits 0-5: TID TIME ID STREAM_ID CPU IDENTIFIER in
 *                      sample_type; bit 6: sample_id_all (LOST trailers)
 *              shape   wakeup_events b % 4; base size 16 + 8 * (b >> 2)
 *            cpus      only if profile.cpus > 1: 1 + b % profile.cpus
 *                      simulated CPUs, each with a ring of this geometry
 *                      and these sources (ids + 0x1000 * cpu)
 *   ops      until the input ends (or FZ_MAX_OPS): kind = profile.ops[b % 8]
 *            WRITE     [cpu] write body at level task
 *            CONSUME   max: records to read, 0 = the whole window (with
 *                      profile.cpus > 1: a round of the merged consumer,
 *                      at most max records of each ring)
 *            PAUSE     [cpu] bit 0: pause (1) or resume (0)
 *            TAIL      how (b % FZ_TAIL_COUNT), then a u16, or a u64 for HUGE
 *            SCRIBBLE  how (b % FZ_HEAD_COUNT), then a u16, or a u64 for SET
 *            VISIBLE   which: bit 0 CPU (writer 0, consumer 1), bits 1-3
 *                      count - 1, bits 4-7 which of the stores the memory
 *                      model lets go first (modulo their number)
 *            NOP       nothing
 *   write    src b % nsrc; size code: 0 the source's base size, 1..0xef
 *            16 + 8 * (b - 1), 0xf0..0xff: a u16 v, 16 + 8 * (v % 8189);
 *            nirq b % 4, then nirq interrupts:
 *   irq      site   b % (FZ_WRITER_SITES + 1): a writer site of port.h in
 *                   enum order, or FZ_WRITER_SITES for "any site"
 *            nth    b < 0x80: 1 + b % 4, else 1 + b % 128: the nth access
 *                   at that site by this writer (for "any site": the nth
 *                   access of this writer)
 *            action kind = profile.acts[b % 8], then its arguments as for
 *                   ops (a PAUSE acts on the writer's own CPU, no [cpu]);
 *                   a nested WRITE first reads its level: current + 1 +
 *                   b % (NMI - current); at NMI a WRITE is a NOP.
 *                   With profile.cpus > 1 a WRITE action first reads
 *                   [cpu]: the writer's own CPU gives the nested write
 *                   above; another CPU j a complete task-level write on j
 *                   (no level byte; its own plan applies; if j's writer
 *                   is itself in the middle of a write, up the chain that
 *                   led here, the action does nothing when it comes).
 *   [cpu]    only if profile.cpus > 1: b % cpus, the CPU it runs on.
 *
 * Profile switches that change the decoding (struct fz_profile): cpus as
 * above; page_sizes: page size 64 << (b % page_sizes) instead of % 7;
 * forward_only: the backward and overwrite flag bits are ignored.
 *
 * Every seam access of a writer is thus a preemption point whose decision
 * comes from the input: the access matching an interrupt of the running
 * writer's plan runs its action before the access is performed, all others
 * run nothing. Integers are little endian.
 */
#ifndef FZ_INPUT_H
#define FZ_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "uprb/port.h"
#include "uprb/uprb.h"

#define FZ_MAX_SOURCES 4u
#define FZ_MAX_CPUS 4u
#define FZ_MAX_OPS 256u
#define FZ_MAX_WRITES 1024u
#define FZ_MAX_IRQS 1024u
/* Writer sites: the enum runs from the writer's sites to pause_store. */
#define FZ_WRITER_SITES ((unsigned)UPRB_SITE_PAUSE_STORE)
#define FZ_SITE_ANY FZ_WRITER_SITES

/* Reader over the input bytes: 0 once they are used up. */
struct fz_in {
	const uint8_t *p;
	size_t len;
	size_t pos;
};

static inline uint8_t fz_u8(struct fz_in *in)
{
	return in->pos < in->len ? in->p[in->pos++] : 0;
}

uint16_t fz_u16(struct fz_in *in);
uint64_t fz_u64(struct fz_in *in);

static inline bool fz_more(const struct fz_in *in)
{
	return in->pos < in->len;
}

/* What an operation or an interrupt does. */
enum fz_kind {
	FZ_NOP,
	FZ_WRITE,    /* a complete write (begin, copy, sample_done, end) */
	FZ_CONSUME,  /* the honest consumer: one read window, consuming */
	FZ_PAUSE,    /* PERF_EVENT_IOC_PAUSE_OUTPUT on or off */
	FZ_TAIL,     /* user space writes a hostile data_tail */
	FZ_SCRIBBLE, /* user space writes data_head */
	FZ_VISIBLE,  /* buffered stores of one CPU become visible (memory.h) */
	FZ_KIND_COUNT
};

/* Hostile data_tail values, relative to the state when they are written. */
enum fz_tail_how {
	FZ_TAIL_BEHIND,    /* the honest tail, 8 * (1 + v % 512) bytes back */
	FZ_TAIL_LAP,       /* a lap and 8 * (v % 64) behind the head */
	FZ_TAIL_AHEAD,     /* 8 * (1 + v % 512) bytes ahead of the head */
	FZ_TAIL_UNALIGNED, /* the current tail + 1 + v % 7 */
	FZ_TAIL_HUGE,      /* any u64 */
	FZ_TAIL_HONEST,    /* back to where the honest consumer is */
	FZ_TAIL_COUNT
};

/* data_head scribbles. */
enum fz_head_how {
	FZ_HEAD_SET,       /* any u64 */
	FZ_HEAD_AHEAD,     /* 8 * (1 + v % 512) ahead of the head */
	FZ_HEAD_BEHIND,    /* 8 * (1 + v % 512) behind the head */
	FZ_HEAD_UNALIGNED, /* the head + 1 + v % 7 */
	FZ_HEAD_COUNT
};

struct fz_action {
	uint8_t kind;   /* enum fz_kind */
	uint8_t cpu;    /* PAUSE: the CPU whose ring (0 with one CPU) */
	uint8_t arg8;   /* CONSUME: max; PAUSE: on; TAIL/SCRIBBLE: how;
			 * VISIBLE: bit 0 CPU (0 writer, 1 consumer), bits
			 * 1-3 count - 1, bits 4-7 which store (see memory.h) */
	uint16_t write; /* WRITE: index in fz_program.writes */
	uint64_t arg;   /* TAIL/SCRIBBLE: value */
};

struct fz_write {
	uint8_t cpu;    /* the CPU it runs on (0 with one CPU) */
	uint8_t src;
	uint8_t level;  /* enum uprb_level */
	uint16_t size;  /* final record size, a multiple of 8, 16..65528 */
	uint16_t irq;   /* first interrupt in fz_program.irqs */
	uint16_t nirq;
};

struct fz_irq {
	uint8_t site;   /* enum uprb_site of a writer site, or FZ_SITE_ANY */
	uint16_t nth;   /* 1-based occurrence */
	struct fz_action act;
};

struct fz_src_cfg {
	uint64_t id;
	uint64_t sample_type;
	bool sample_id_all;
	uint8_t wakeup_events;
	uint16_t size;  /* base record size */
};

struct fz_config {
	uint32_t page_size;
	uint32_t nr_pages;
	bool backward;
	bool overwrite;
	bool oversize_drop;
	uint32_t watermark; /* 0: default */
	unsigned ncpu;      /* simulated CPUs, each with such a ring: 1.. */
	bool cpu_bytes;     /* the layout has [cpu] bytes (profile.cpus > 1) */
	unsigned nsrc;
	struct fz_src_cfg src[FZ_MAX_SOURCES];
};

/*
 * Which kinds a target lets the input choose: kind = ops[b % 8] for a
 * top-level operation, acts[b % 8] for an interrupt. A target leaves out
 * what it does not test (the nest target has no hostile user space).
 */
struct fz_profile {
	const char *name;
	uint8_t memory; /* enum fz_mem_model the target runs (memory.h) */
	uint8_t cpus;   /* > 1: up to that many CPUs, [cpu] bytes; else one */
	uint8_t page_sizes; /* page size 64 << (b % page_sizes); 0: 7 */
	bool forward_only;  /* backward and overwrite flags ignored */
	uint8_t ops[8];
	uint8_t acts[8];
};

struct fz_program {
	struct fz_config cfg;
	unsigned nops, nwrites, nirqs;
	struct fz_action ops[FZ_MAX_OPS];
	struct fz_write writes[FZ_MAX_WRITES];
	struct fz_irq irqs[FZ_MAX_IRQS];
};

/* Decode @len bytes at @data into @prog. Total: every input decodes. */
void fz_decode(struct fz_program *prog, const struct fz_profile *prof,
	       const uint8_t *data, size_t len);

/* Print @prog, one operation a line, interrupts indented under writes. */
void fz_program_print(FILE *f, const struct fz_program *prog);

/* Short names for messages (fz_level_name: story.c). */
const char *fz_level_name(unsigned level);
const char *fz_kind_name(unsigned kind);
const char *fz_site_label(unsigned site); /* "any" for FZ_SITE_ANY */

#endif /* FZ_INPUT_H */
