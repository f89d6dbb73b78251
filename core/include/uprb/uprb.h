/* SPDX-License-Identifier: MIT */
/*
 * uprb.h - userspace perf ring buffer: the ring and its writer.
 *
 * A port of the kernel's perf output path (kernel/events/ring_buffer.c):
 * struct uprb_ring is struct perf_buffer, struct uprb_source is the part of
 * struct perf_event the output path reads, struct uprb_handle is struct
 * perf_output_handle. The memory a ring owns is laid out exactly like a
 * kernel perf mmap (control page as struct perf_event_mmap_page, then 2^n
 * data pages), so the reader of uprb_reader.h reads both.
 *
 * Concurrency contract (as in the kernel): all writers of one ring run on
 * one "CPU" at a time and nest strictly LIFO (task < softirq < hardirq <
 * NMI; here: a thread and its signal handlers). One reader, on any thread,
 * talks to the writers only through data_head/data_tail and the data area.
 *
 *   call                         may run concurrently with
 *   uprb_output_*                nested uprb_output_* on the same thread
 *                                (signal handlers), the ring's reader
 *   uprb_ring_pause              everything (it is one store)
 *   uprb_ring_new/reset/free     nothing
 *   uprb_ring_check              nothing (quiescent validation)
 */
#ifndef UPRB_H
#define UPRB_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Largest record: header.size is a u16, records are 8-byte multiples. */
#define UPRB_MAX_RECORD 65528u
/* Size of PERF_RECORD_LOST without its sample_id trailer. */
#define UPRB_LOST_RECORD_SIZE 24u
/* Smallest and default page (chunk) size of the data area. */
#define UPRB_MIN_PAGE_SIZE 64u
#define UPRB_DEFAULT_PAGE_SIZE 4096u
/* Largest sample_id trailer (pid/tid, time, id, stream_id, cpu, identifier). */
#define UPRB_MAX_ID_HEADER 48u

/* Context levels of nested writers, outermost first. */
enum uprb_level {
	UPRB_LEVEL_TASK,
	UPRB_LEVEL_SOFTIRQ,
	UPRB_LEVEL_HARDIRQ,
	UPRB_LEVEL_NMI,
	UPRB_LEVEL_COUNT
};

/*
 * Overwrite-mode records larger than the data area
 * (docs/ring.md#14-sizes-and-the-space-rule). The kernel has no size check
 * in overwrite mode: such a record is written, wraps onto itself and its
 * payload destroys its own header. WRAP reproduces that
 * (default: the port must stay byte-equal to the kernel); DROP counts it as
 * lost instead, for harnesses that want every written record readable.
 */
enum uprb_oversize {
	UPRB_OVERSIZE_WRAP,
	UPRB_OVERSIZE_DROP,
};

struct uprb_ring;

/*
 * Wake-up delivery: called by the outermost writer's uprb_output_end() when
 * the wake-up stamp moved during its begin..end (perf_output_wakeup()).
 * Context: writer context, possibly a signal handler: async-signal-safe
 * work only (e.g. write(2) to an eventfd, a futex wake).
 */
typedef void uprb_wakeup_fn(struct uprb_ring *rb, void *arg);

/* Options of uprb_ring_new(); zero fields take the defaults. */
struct uprb_ring_opts {
	size_t sz;               /* sizeof(struct uprb_ring_opts) */
	uint32_t page_size;      /* power of two >= 64; default 4096 */
	uint32_t nr_pages;       /* 0 or a power of two (0: always paused) */
	bool overwrite;          /* never read data_tail (RO mapping) */
	bool backward;           /* uprb_output_begin() writes backward */
	enum uprb_oversize oversize;
	uint64_t watermark;      /* bytes between wake-ups; 0: data_size / 2 */
	uprb_wakeup_fn *wakeup;  /* may be NULL */
	void *wakeup_arg;
};

/*
 * The ring (kernel: struct perf_buffer). The writer state is touched only by
 * the writers of one CPU through the seam; the geometry is fixed at creation
 * and never re-read from the control page, which user space may scribble on.
 */
struct uprb_ring {
	/* writer state (CPU-local) */
	__u64 head;     /* reservation cursor (local_t): ++ forward, -- backward */
	uint32_t nest;     /* writers inside begin..end */
	uint32_t paused;   /* 1: begin drops everything */
	__u64 events;   /* SAMPLEs toward the next wakeup_events wake-up */
	__u64 wakeup;   /* wake-up stamp */
	__u64 lost;     /* drops not yet reported in a PERF_RECORD_LOST */
	/* configuration */
	uint64_t watermark;
	bool overwrite;
	bool backward;
	enum uprb_oversize oversize;
	uprb_wakeup_fn *wakeup_fn;
	void *wakeup_arg;
	/* geometry */
	uint32_t page_size;
	uint32_t page_shift;
	uint32_t nr_pages;
	uint64_t data_size;
	struct perf_event_mmap_page *user_page;
	unsigned char **data_pages; /* nr_pages chunk addresses */
	/* memory: [guard][control page][data pages][guard] */
	void *map;
	size_t map_len;
	size_t base_off;            /* user_page - map */
};

/*
 * A writing event (the fields of struct perf_event that output reads):
 * several sources may write into one ring, as PERF_EVENT_IOC_SET_OUTPUT
 * allows. Initialise with uprb_source_init().
 */
struct uprb_source {
	uint64_t id;            /* event->id: written into LOST records */
	uint64_t sample_type;   /* which sample_id fields a trailer holds */
	bool sample_id_all;     /* non-SAMPLE records carry a sample_id trailer */
	uint16_t id_header_size;/* derived: bytes of that trailer */
	uint32_t wakeup_events; /* wake up every N samples; 0: off */
	uint32_t pid, tid, cpu;
	uint64_t stream_id;
	uint64_t (*clock)(void *arg); /* PERF_SAMPLE_TIME; NULL: time 0 */
	void *clock_arg;
	__u64 lost_samples;  /* this source's drops (PERF_FORMAT_LOST) */
};

/* Output handle, one per writer, on the writer's stack. */
struct uprb_handle {
	struct uprb_ring *rb;
	struct uprb_source *src;
	uint64_t wakeup;    /* rb->wakeup at get_handle */
	uint32_t page;      /* current chunk */
	unsigned char *addr;/* next byte to write */
	size_t size;        /* bytes left in the current chunk */
};

/*
 * Create a ring. Return: 0 and *out set, or -EINVAL (bad geometry or opts),
 * -ENOMEM. Context: not from a writer.
 */
int uprb_ring_new(struct uprb_ring **out, const struct uprb_ring_opts *opts);
void uprb_ring_free(struct uprb_ring *rb);

/*
 * Make @rb exactly what uprb_ring_new(@opts) returns, in its own memory:
 * every byte of the mapping zeroed (pads and their ASan poisoning as new),
 * the control page as initialised, every struct field (writer state,
 * configuration, user_page and data_pages, which a caller may have
 * pointed elsewhere) as new. For harnesses that run many short lives of
 * one geometry without a mapping each. Return: 0, or -EINVAL (bad @opts,
 * or a page_size or nr_pages other than the ring's; @rb unchanged).
 * Context: no writer or reader of @rb running, any state left behind
 * (even a writer abandoned inside begin..end) is discarded.
 */
int uprb_ring_reset(struct uprb_ring *rb, const struct uprb_ring_opts *opts);

/* Base and length of the perf-mmap-compatible memory (control page first). */
void *uprb_ring_base(const struct uprb_ring *rb);
size_t uprb_ring_len(const struct uprb_ring *rb);

/*
 * Pause or resume output (PERF_EVENT_IOC_PAUSE_OUTPUT). A ring without data
 * pages stays paused. Return: 0, or -EINVAL when nr_pages == 0 (as the
 * ioctl). Context: any.
 */
int uprb_ring_pause(struct uprb_ring *rb, bool pause);

/*
 * Validate the writer state of a quiescent ring (no writer inside):
 * nest == 0, data_head == head, head 8-aligned. Return: 0 or -EPROTO.
 */
int uprb_ring_check(const struct uprb_ring *rb);

/* Fill a source; sample_id_all with sample_type selects its trailer. */
void uprb_source_init(struct uprb_source *src, uint64_t id,
		      uint64_t sample_type, bool sample_id_all);

/* Bytes of the sample_id trailer for @sample_type (perf's id_header_size). */
uint16_t uprb_id_header_size(uint64_t sample_type);

/*
 * Write @src's sample_id trailer into @buf (src->id_header_size bytes), as
 * perf_event__output_id_sample() does. Return: bytes written.
 * Context: writer (signal-safe).
 */
size_t uprb_source_sample_id(const struct uprb_source *src, void *buf);

/*
 * Reserve @size bytes (the final header.size, trailer included) for one
 * record of @src and open @h on it. If drops are pending, a PERF_RECORD_LOST
 * is written first, inside the same reservation, and @h then points after
 * it. The caller must then write exactly @size bytes with copy/skip and call
 * uprb_output_end().
 *
 * Return: 0; -ENOSPC when paused or out of space (the drop is counted in
 * rb->lost and src->lost_samples; no end call then); -EINVAL for a size
 * below 8 or above 65535 (a caller bug: nothing counted).
 * Context: writer; may nest (signal handlers); signal-safe; never allocates,
 * logs or touches errno.
 */
int uprb_output_begin(struct uprb_handle *h, struct uprb_ring *rb,
		      struct uprb_source *src, unsigned int size);
int uprb_output_begin_forward(struct uprb_handle *h, struct uprb_ring *rb,
			      struct uprb_source *src, unsigned int size);
int uprb_output_begin_backward(struct uprb_handle *h, struct uprb_ring *rb,
			       struct uprb_source *src, unsigned int size);

/*
 * Copy @len bytes at the handle, wrapping at chunk and ring ends. No bound
 * check against the reservation, as in the kernel: writing more than
 * reserved corrupts the next record (inside the ring, never outside).
 * Return: bytes not copied (always 0).
 */
unsigned int uprb_output_copy(struct uprb_handle *h, const void *buf,
			      unsigned int len);
/* Advance @len bytes without writing (they keep stale contents). */
unsigned int uprb_output_skip(struct uprb_handle *h, unsigned int len);

/*
 * Count one SAMPLE toward src->wakeup_events (perf_output_sample()'s tail).
 * Call between begin and end for sample records only.
 */
void uprb_output_sample_done(struct uprb_handle *h);

/*
 * Close the record; the outermost writer publishes data_head and delivers a
 * wake-up if the stamp moved. Context: writer; may nest; signal-safe.
 */
void uprb_output_end(struct uprb_handle *h);

#ifdef __cplusplus
}
#endif

#endif /* UPRB_H */
