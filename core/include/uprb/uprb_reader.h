/* SPDX-License-Identifier: MIT */
/*
 * uprb_reader.h - the reader of a perf mmap ring: ours or the kernel's.
 *
 * The libperf shape: uprb_read_init() opens a window, uprb_read_event()
 * returns records until the window is empty, uprb_consume() gives read
 * space back to the writer, uprb_read_done() closes the window.
 *
 * Ordering with the writer (see the diagram in core/src/output.c):
 *   C: data_head is loaded with acquire before any record byte (matches B);
 *   D: data_tail is stored with release after the last load of the bytes
 *      it gives back (matches A).
 * Copy or finish with a record before uprb_consume(): after it the writer
 * may overwrite it.
 *
 * Modes:
 *   forward, non-overwrite: records oldest first in [data_tail, data_head);
 *   backward (overwrite or not): the writer is paused through opts.pause
 *     for the window, records come newest first from data_head; a lapped
 *     overwrite ring is walked as perf's find-range does (stop at a zero
 *     header, drop a last record that overlaps the newest data). A window
 *     counts as read (and, non-overwrite, its space is given back in
 *     data_tail) only when read_done() finds it read to its end.
 * Forward overwrite rings cannot be read reliably: -EOPNOTSUPP
 * (docs/ring.md#35-forward-overwrite-rings-cannot-be-read).
 *
 * Everything in the ring is input: every size and position is checked
 * before use, nothing outside the data area is ever read, and no call
 * loops without consuming bytes. Error codes (negative returns):
 *   -EAGAIN     read_init: nothing new (fewer than opts.flush bytes)
 *   -ENODATA    read_init: the ring has no data pages
 *   -ERANGE     data_head moved against the writing direction (a hostile
 *               or scribbled data_head)
 *   -EOVERFLOW  unread span larger than the ring (overrun: a bogus tail, a
 *               hostile data_head, or a reader that fell a lap behind)
 *   -EBADMSG    a record header with size < 8 (size 0 included)
 *   -EILSEQ     a record size that is not a multiple of 8
 *   -EMSGSIZE   a record larger than the data area
 *   -EPROTO     a record running past data_head (incomplete), or fewer than
 *               8 bytes left before data_head
 *   -EINVAL     init: a control page that describes no valid ring
 *               (data_offset inside the control page, past the mapping,
 *               unaligned; data_size not 0 or a power of two >= 64, or
 *               past the mapping)
 *   -ENOMEM     init: no scratch buffer
 * Errors are sticky: the window returns the same code until
 * uprb_read_resync() skips to data_head (giving everything back).
 *
 * Context: one reader per ring, any thread; never from a writer.
 */
#ifndef UPRB_READER_H
#define UPRB_READER_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Scratch needed for the largest record that wraps the ring end. */
#define UPRB_SCRATCH_SIZE 65528u

typedef int uprb_pause_fn(void *arg, bool pause);

struct uprb_reader_opts {
	size_t sz;               /* sizeof(struct uprb_reader_opts) */
	bool overwrite;          /* the writer ignores data_tail */
	bool backward;           /* the writer writes backward */
	uint64_t flush;          /* bytes needed before read_init reports data */
	uprb_pause_fn *pause;    /* pauses the writer (backward reading) */
	void *pause_arg;
	void *scratch;           /* NULL: allocate UPRB_SCRATCH_SIZE */
	size_t scratch_size;
};

struct uprb_reader_stats {
	uint64_t records;
	uint64_t bytes;
	uint64_t wrapped;   /* records copied into scratch across the end */
	uint64_t windows;
	uint64_t resyncs;
};

struct uprb_reader {
	struct perf_event_mmap_page *pc;
	unsigned char *data;
	uint64_t size;      /* data_size, read once at init */
	uint64_t mask;
	uint64_t prev;      /* forward: next unread; backward: head at last read */
	uint64_t start;     /* window: next record */
	uint64_t end;       /* window: its end */
	uint64_t head;      /* data_head at read_init */
	bool overwrite;
	bool backward;
	bool paused;
	bool own_scratch;
	int err;            /* sticky error of the window */
	uint64_t flush;
	uprb_pause_fn *pause;
	void *pause_arg;
	unsigned char *scratch;
	size_t scratch_size;
	struct uprb_reader_stats stats;
};

/*
 * Attach to a ring mapped at @base for @len bytes (control page first).
 * data_offset and data_size are read once here and validated against @len;
 * a data_offset of 0 (pre-4.1 kernels) means one system page.
 * Return: 0, -EINVAL, -EOPNOTSUPP (forward overwrite), -ENOMEM.
 */
int uprb_reader_init(struct uprb_reader *r, void *base, size_t len,
		     const struct uprb_reader_opts *opts);
void uprb_reader_fini(struct uprb_reader *r);

/*
 * Open a window. Return: 0, -EAGAIN, -ENODATA, -ERANGE, -EOVERFLOW; on a
 * lapped backward overwrite ring also -EBADMSG / -EILSEQ (a corrupt header
 * met by find-range).
 */
int uprb_read_init(struct uprb_reader *r);

/*
 * Next record of the window in *ev: a pointer into the ring, or into the
 * scratch buffer for a record that wraps (always scratch in the sim build).
 * Valid until the next read_event or consume.
 * Return: 1 (a record), 0 (window empty), or an error code above.
 */
int uprb_read_event(struct uprb_reader *r, const struct perf_event_header **ev);

/* Give the records read so far back to the writer (forward non-overwrite). */
void uprb_consume(struct uprb_reader *r);

/* Close the window; backward: give it back / resume the writer. */
void uprb_read_done(struct uprb_reader *r);

/*
 * After an error: skip everything up to the current data_head, give it
 * back (non-overwrite) and close the window. Return: bytes skipped.
 */
uint64_t uprb_read_resync(struct uprb_reader *r);

/* Return: a short text for a reader error code. */
const char *uprb_read_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* UPRB_READER_H */
