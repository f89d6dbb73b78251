/* SPDX-License-Identifier: MIT */
/*
 * uprb_synth.h - synthetic records: the self-describing records the fuzz
 * world, the stress programs and the tests write, and their verifier.
 *
 * A synthetic record says who wrote it (source, context level, CPU), its
 * place in its stream (seq) and carries a check field and a payload that
 * are both functions of those: a torn, stale or misplaced record fails
 * verification on its own, before any stream accounting (uprb_check.h).
 */
#ifndef UPRB_SYNTH_H
#define UPRB_SYNTH_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uprb/uprb.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Synthetic record type: outside the kernel's PERF_RECORD_* range and the
 * perf tool's user types (64..), so never confused with either.
 */
#define UPRB_RECORD_SYNTH 0x7270u
/* Smallest synthetic record: header + seq + source + check. */
#define UPRB_SYNTH_MIN_SIZE 16u

/*
 * Layout of a synthetic record (little endian, as the host):
 *   header  type UPRB_RECORD_SYNTH, misc = level | cpu << 8, size
 *   u32     seq     per (source, level) stream sequence number (mod 2^32)
 *   u16     source
 *   u16     check   hash of header, seq and source, folded to 16 bits
 *   u64     payload[(size - 16) / 8], word i = uprb_synth_word(source, seq, i)
 */
struct uprb_synth {
	struct perf_event_header header;
	uint32_t seq;
	uint16_t source;
	uint16_t check;
};

/* What a synthetic record says about itself. */
struct uprb_synth_info {
	uint32_t seq;
	uint16_t source;
	uint8_t level;
	uint8_t cpu;
	uint16_t size;
};

/* Payload word @i of record (@source, @seq). */
static inline uint64_t uprb_synth_word(uint16_t source, uint32_t seq, uint32_t i)
{
	uint64_t x = ((uint64_t)seq << 32 | (uint64_t)source << 16) ^
		     ((uint64_t)i * 0x9e3779b97f4a7c15ull);

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	return x ^ (x >> 32);
}

/*
 * Build a synthetic record of @size bytes (a multiple of 8, 16..65528) in
 * @buf. Return: @size, or 0 if @size is invalid. Context: signal-safe.
 */
size_t uprb_synth_build(void *buf, unsigned int size, uint16_t source,
			uint8_t level, uint8_t cpu, uint32_t seq);

/* @size is a valid synthetic record size: a multiple of 8, 16..65528. */
bool uprb_synth_size_ok(unsigned int size);

/* Write the next @len bytes of a record being emitted (e.g. output_copy). */
typedef void uprb_synth_copy_fn(void *arg, const void *buf, unsigned int len);

/*
 * Produce a synthetic record of a valid @size, front to back, in small
 * pieces built on the stack, each handed to @copy(@arg, ...): the chunking
 * every writer of synthetic records shares (uprb_synth_write() below, the
 * kernel backend). Context: signal-safe, no allocation.
 */
void uprb_synth_emit(unsigned int size, uint16_t source, uint8_t level,
		     uint8_t cpu, uint32_t seq, uprb_synth_copy_fn *copy,
		     void *arg);

/*
 * Write one synthetic record into @rb for @src (begin, uprb_synth_emit()
 * into output_copy, sample_done, end). Return: -EINVAL for an invalid
 * @size, else as uprb_output_begin(). Context: writer; may nest;
 * signal-safe.
 */
int uprb_synth_write(struct uprb_ring *rb, struct uprb_source *src,
		     unsigned int size, uint16_t source, uint8_t level,
		     uint8_t cpu, uint32_t seq);

/*
 * Verify a synthetic record: type, size, check field and every payload word.
 * Return: 0 and *out filled, or -EBADMSG with a reason in @why (may be NULL).
 */
int uprb_synth_verify(const struct perf_event_header *ev,
		      struct uprb_synth_info *out, const char **why);

#ifdef __cplusplus
}
#endif

#endif /* UPRB_SYNTH_H */
