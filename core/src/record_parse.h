/* SPDX-License-Identifier: MIT */
/*
 * record_parse.h - what the record parsers of the checker share (internal
 * to libuprb): reading a header at any address, and the one-line reason a
 * parser leaves behind a @why pointer.
 *
 * Everything handed to the parsers is hostile input: a record may come from
 * a ring that user space scribbled on, or from a fuzzer. Every length is
 * therefore checked against header.size before it is used, and fields are
 * read with memcpy so that a record at an odd address costs speed, not
 * correctness.
 */
#ifndef UPRB_RECORD_PARSE_H
#define UPRB_RECORD_PARSE_H

#include <linux/perf_event.h>
#include <stdint.h>
#include <string.h>

/* The header of the record at @ev, which may be unaligned. */
static inline struct perf_event_header record_header(const void *ev)
{
	struct perf_event_header h;

	memcpy(&h, ev, sizeof(h));
	return h;
}

/*
 * Format a reason into a thread-local buffer, point *@why at it (when @why
 * is not NULL) and return @err. A reason names the part that broke and the
 * offsets involved, which is what one needs to debug a layout mismatch from
 * a fuzzer log; it stays valid until the next reason on the same thread.
 */
__attribute__((format(printf, 3, 4)))
int uprb_reason(const char **why, int err, const char *fmt, ...);

/* Name of a kernel record type (PERF_RECORD_*), or NULL if not known. */
const char *uprb_record_kind_name(uint32_t type);

#endif /* UPRB_RECORD_PARSE_H */
