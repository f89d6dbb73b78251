/* SPDX-License-Identifier: MIT */
/*
 * uprb_check.h - the record checker, shared by the tests, the fuzz targets
 * and both stress programs.
 *
 * It validates a stream of records as a reader hands them out:
 *   - header sanity: size >= 8, a multiple of 8, <= 65528;
 *   - synthetic records (UPRB_RECORD_SYNTH, written by the fuzz world, the
 *     stress programs and the tests): source, context level, CPU, per-stream
 *     sequence number, length and checksum, and every payload byte;
 *   - PERF_RECORD_LOST: exact size for the emitting source's trailer, misc 0;
 *     the sum of its counts feeds loss conservation;
 *   - kernel PERF_RECORD_SAMPLE: the layout implied by sample_type,
 *     read_format, sample_regs_user/intr and branch_sample_type must tile
 *     header.size exactly;
 *   - sample_id trailers on the other kernel records (sample_id_all);
 * and, at the end, exact loss conservation:
 *   attempted = delivered + sum(LOST.lost) + pending (rb->lost).
 *
 * Failures are data, not aborts: each check returns a negative code and
 * leaves a one-line account of what broke in c->what (the first failure is
 * kept in c->first). Context: one checker per stream, not signal-safe.
 */
#ifndef UPRB_CHECK_H
#define UPRB_CHECK_H

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

/* The fields of a kernel sample (or of a sample_id trailer) that were present. */
struct uprb_sample {
	uint64_t identifier, ip, time, addr, id, stream_id, period;
	uint32_t pid, tid, cpu;
	uint64_t callchain_nr;
	const uint64_t *callchain;
	uint32_t raw_size;
	const void *raw;
	uint64_t branch_nr;
	uint64_t regs_user_abi;
	uint64_t stack_user_size, stack_user_dyn_size;
	uint64_t weight, data_src, transaction, phys_addr, cgroup;
	uint64_t data_page_size, code_page_size;
	uint64_t read_nr;   /* values in the read_format part */
};

/* Layout of kernel records: the attr fields that shape them. */
struct uprb_layout {
	uint64_t sample_type;
	uint64_t read_format;
	uint64_t sample_regs_user;
	uint64_t sample_regs_intr;
	uint64_t branch_sample_type;
	bool sample_id_all;
};

/*
 * Parse a PERF_RECORD_SAMPLE against @l; every part must lie inside
 * header.size and the parts must end exactly at it.
 * Return: 0, -EBADMSG (malformed, @why says where), -EOPNOTSUPP (a
 * sample_type bit the checker does not know: PERF_SAMPLE_AUX).
 */
int uprb_parse_sample(const struct perf_event_header *ev,
		      const struct uprb_layout *l, struct uprb_sample *out,
		      const char **why);

/*
 * Parse the sample_id trailer at the end of a non-SAMPLE record.
 * Return: 0, or -EBADMSG when the record is too short for its fixed part
 * plus the trailer (known types) or for the trailer (others).
 */
int uprb_parse_sample_id(const struct perf_event_header *ev,
			 const struct uprb_layout *l, struct uprb_sample *out,
			 const char **why);

/* Options of uprb_check_init(). */
struct uprb_check_opts {
	size_t sz;                /* sizeof(struct uprb_check_opts) */
	struct uprb_layout layout;/* kernel records, and LOST trailers */
	uint32_t nsources;        /* synthetic sources 0..n-1 (0: none expected) */
	/*
	 * Sequence order of synthetic streams: ASCENDING for forward
	 * non-overwrite reading (a gap is a drop, a step back a failure);
	 * NONE when records may vanish without a LOST (overwrite) or come
	 * newest first (backward).
	 */
	enum { UPRB_CHECK_ORDER_ASCENDING, UPRB_CHECK_ORDER_NONE } order;
	/* LOST records' id must be one of these (NULL: any). */
	const uint64_t *lost_ids;
	size_t nlost_ids;
};

struct uprb_check_stream {
	uint64_t next_seq;   /* expected next (unwrapped) */
	uint64_t delivered;
	uint64_t gaps;       /* sequence numbers skipped */
	bool seen;
};

struct uprb_check {
	struct uprb_check_opts o;
	struct uprb_check_stream *streams; /* nsources * UPRB_LEVEL_COUNT */
	uint64_t records, bytes;
	uint64_t synth, samples, lost_records, lost_sum, other;
	uint64_t failures;
	char what[256];   /* the latest failure */
	char first[256];  /* the first failure */
};

/* Return: 0, -EINVAL, -ENOMEM. */
int uprb_check_init(struct uprb_check *c, const struct uprb_check_opts *o);
void uprb_check_fini(struct uprb_check *c);

/*
 * Check one record; @pos is its ring position, for the message.
 * Return: 0, or a negative code (-EBADMSG, -EILSEQ, -EMSGSIZE, -EPROTO,
 * -EOPNOTSUPP) with c->what saying what broke and where.
 */
int uprb_check_record(struct uprb_check *c, const struct perf_event_header *ev,
		      uint64_t pos);

/* Delivered synthetic records of all streams. */
uint64_t uprb_check_delivered(const struct uprb_check *c);

/*
 * Exact loss conservation: @attempted writes = delivered + sum(LOST.lost)
 * + @pending, and (ASCENDING order) the sequence gaps equal the drops.
 * Return: 0, or -EPROTO with the figures in c->what.
 */
int uprb_check_conservation(struct uprb_check *c, uint64_t attempted,
			    uint64_t pending);

#ifdef __cplusplus
}
#endif

#endif /* UPRB_CHECK_H */
