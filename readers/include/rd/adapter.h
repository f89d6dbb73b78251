/* SPDX-License-Identifier: MIT */
/*
 * adapter.h - one perf-ring reader behind one interface, so that the same
 * rings and the same oracles judge ours (core/) and the readers people
 * ship (libperf, libbpf's perf_buffer, bcc's perf_reader).
 *
 * An adapter opens a reader on a ring the harness made (laid out exactly
 * like a kernel perf mmap: control page, then 2^n data pages), drains one
 * window of it into a callback, and closes it:
 *
 *   open(ring, &r)          attach; a reader that maps its own ring gets
 *                           the harness ring through the fake-fd shim
 *                           (fakefd.h)
 *   drain(r, deliver, arg)  one window, as the reader's own API reads one
 *                           (libperf: read_init, read_event/consume until
 *                           none, read_done; libbpf: consume_buffer; bcc:
 *                           event_read); every item the reader hands its
 *                           caller goes to deliver(), in order
 *   close(r)                detach (never unmaps the harness ring)
 *
 * What a reader hands over depends on its API (enum rd_item_kind): whole
 * records (core, libperf, libbpf raw), or only SAMPLE RAW payloads and LOST
 * counts (libbpf typed, bcc). deliver() returns RD_STOP to end the window
 * after the item it was given; only readers with RD_CAP_STOP honour it,
 * the others drain to the end. A reader may never return control: the
 * harness bounds every drain (guard.h) and abandons the reader when the
 * bound is hit; close() must then still work.
 *
 * Context: one thread; adapters are not reentrant.
 */
#ifndef RD_ADAPTER_H
#define RD_ADAPTER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a reader hands its caller. */
enum rd_item_kind {
	RD_ITEM_RECORD,     /* a whole record: p at its header, len its size */
	RD_ITEM_SAMPLE_RAW, /* the RAW payload of a SAMPLE: p, len (typed) */
	RD_ITEM_LOST,       /* the count of a PERF_RECORD_LOST (typed) */
	RD_ITEM_KIND_COUNT
};

struct rd_item {
	enum rd_item_kind kind;
	const void *p;      /* RECORD, SAMPLE_RAW: the reader's pointer */
	size_t len;         /* RECORD: header.size as the reader took it;
			       SAMPLE_RAW: the payload length it gave */
	uint64_t lost;      /* LOST: the count */
};

/* deliver()'s answer. */
enum { RD_CONTINUE = 0, RD_STOP = 1 };

typedef int rd_deliver_fn(void *arg, const struct rd_item *it);

/* Capabilities. */
#define RD_CAP_FORWARD   0x1u /* forward non-overwrite rings */
#define RD_CAP_BACKWARD  0x2u /* backward overwrite rings (paused per window) */
#define RD_CAP_STOP      0x4u /* honours RD_STOP: stops after that item, which
				 counts as consumed */
#define RD_CAP_TYPED     0x8u /* hands SAMPLE_RAW and LOST items only; other
				 record types are not the caller's business */
#define RD_CAP_ERRORS    0x10u /* drain() can report a corrupt ring (< 0) */

/*
 * The ring an adapter reads: @base is the control page, the data area
 * follows at base + page_size (data_offset == page_size, as every kernel
 * since 4.1 lays it out and as third-party readers assume).
 */
struct rd_ring {
	void *base;
	size_t len;            /* page_size + data_size */
	uint32_t page_size;    /* the system page: the readers call getpagesize() */
	uint32_t nr_pages;     /* data pages: a power of two */
	bool backward;         /* written backward in overwrite mode */
	/* PERF_EVENT_IOC_PAUSE_OUTPUT on this ring (backward reading). */
	int (*pause)(void *arg, bool on);
	void *pause_arg;
};

struct rd_adapter {
	const char *name;      /* "core", "libperf", "libbpf-raw", "libbpf", "bcc" */
	const char *library;   /* what is under test, e.g. "libbpf perf_buffer" */
	const char *version;   /* the version built in, e.g. "1.1.2" */
	unsigned caps;         /* RD_CAP_* */
	/* Return: 0, or -errno (the reader refused the ring or its set-up). */
	int (*open)(const struct rd_ring *ring, void **reader);
	/*
	 * One window. Return: >= 0 the window ended (drained, or stopped on
	 * RD_STOP); < 0 the reader reported an error (RD_CAP_ERRORS).
	 */
	int (*drain)(void *reader, rd_deliver_fn *deliver, void *arg);
	void (*close)(void *reader);
};

/*
 * header.size of the record at @p: readers hand over headers at whatever
 * address they got to, 8-aligned or not (a hostile size misaligns them),
 * so adapters read it without assuming the alignment.
 */
static inline size_t rd_header_size(const void *p)
{
	uint16_t size;

	__builtin_memcpy(&size, (const unsigned char *)p + 6, sizeof(size));
	return size;
}

/* The adapters built into this binary, NULL-terminated (registry.c). */
extern const struct rd_adapter *const rd_adapters[];

/* The adapter called @name, or NULL. */
const struct rd_adapter *rd_adapter_find(const char *name);

/* Readers that are optional at build time and were not built, with why. */
extern const char *const rd_adapters_missing[];

/*
 * What readers print from inside a drain (libperf's warnings, libbpf's
 * pr_warn, bcc's fprintf to stderr): adapters route it here instead of
 * stderr. Each message is one step of the running guarded call (guard.h),
 * so a reader that loops printing is bounded like one that loops
 * delivering. The harness reads the count and the first message of the
 * current window, and prints them itself when asked to be verbose.
 */
void rd_reader_said(const char *fmt, va_list ap);
struct rd_said {
	unsigned count;
	char first[160];
};
/* Messages since the last rd_said_reset(). */
const struct rd_said *rd_said(void);
void rd_said_reset(void);
/* Copy every message to stderr as well (-vv). */
extern bool rd_said_echo;

#ifdef __cplusplus
}
#endif

#endif /* RD_ADAPTER_H */
