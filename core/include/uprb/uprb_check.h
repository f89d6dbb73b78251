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
 *
 * The record formats it checks have headers of their own, included here:
 * uprb_synth.h (synthetic records) and uprb_records.h (kernel layouts).
 */
#ifndef UPRB_CHECK_H
#define UPRB_CHECK_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uprb/uprb.h"
#include "uprb/uprb_records.h"
#include "uprb/uprb_synth.h"

#ifdef __cplusplus
extern "C" {
#endif

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
