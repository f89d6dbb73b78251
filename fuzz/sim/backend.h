/* SPDX-License-Identifier: MIT */
/*
 * backend.h - the writer under test. The fuzz world drives one of several
 * implementations of the same ring writer, without knowing which:
 *
 *   core     our port (core/src/output.c), the library uprb-sim;
 *   kernel   a kernel tree's own kernel/events/ring_buffer.c, compiled
 *            unmodified against a shim (kernel/), built when the build has
 *            a tree (UPRB_KERNEL_SRC, cmake/KernelTree.cmake).
 *
 * A backend writes into memory the world owns: a ring made by fz_ring_get()
 * (control page laid out as struct perf_event_mmap_page, then the data
 * pages), which the reader, the checker and the memory model see. Only the
 * writer state (head, nest, lost, wake-up stamp, ...) is the backend's own.
 * Every access the writer makes to shared state goes through the sim seam
 * (port.h) with a site label, so the world can interrupt it anywhere and the
 * model can follow it; the model tells the accesses apart by the addresses
 * below, never by the order one implementation makes them in.
 */
#ifndef FZ_BACKEND_H
#define FZ_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "uprb/uprb.h"

#define FZ_BACKEND_MAX_SOURCES 4u

/* The writer state, as the model compares it with its own when idle. */
struct fz_writer_state {
	uint64_t head;   /* reservation cursor: counts up forward, down backward */
	uint64_t lost;   /* drops not yet reported in a PERF_RECORD_LOST */
	uint64_t wakeup; /* wake-up stamp */
	uint64_t events; /* SAMPLEs counted toward wakeup_events */
	uint32_t nest;   /* writers inside begin..end */
	uint32_t paused; /* nonzero: every write is dropped */
};

/*
 * Where the writer keeps that state: an access at one of these addresses is
 * an access to that variable, whatever its site label. NULL: not kept.
 */
struct fz_writer_addrs {
	const void *head, *lost, *wakeup, *events, *nest, *paused;
	/* per source: its drop count (PERF_FORMAT_LOST's lost_samples) */
	const void *src_lost[FZ_BACKEND_MAX_SOURCES];
};

struct fz_backend {
	const char *name;    /* "core", "kernel": binary suffixes, messages */
	/* What it is, for run summaries: "ringtorture core", "Linux 6.1.192". */
	const char *version;
	/* Knows UPRB_OVERSIZE_DROP (the kernel has no such policy: WRAP only). */
	bool oversize_drop;

	/*
	 * Open the writer of one CPU's ring over @rb's memory (made by
	 * fz_ring_get() from @o, which the writer must honour: direction,
	 * overwrite, watermark, wake-up callback o->wakeup(rb, o->wakeup_arg)).
	 * Its sources are @src[0..@nsrc): id, sample_type, sample_id_all,
	 * wakeup_events and the trailer values (pid, tid, cpu, stream_id, the
	 * clock) its LOST records carry; the world keeps them alive until
	 * close. Return: the writer, or NULL after a message on stderr.
	 * Context: no writer running; may allocate.
	 */
	void *(*open)(struct uprb_ring *rb, const struct uprb_ring_opts *o,
		      struct uprb_source *src, unsigned nsrc);
	void (*close)(void *w);

	/*
	 * One complete synthetic record (uprb_check.h) of @size bytes from
	 * source @src: begin, the copies, sample_done, end. Return: 0 when
	 * written, -ENOSPC when dropped (paused or no space).
	 * Context: writer; nests (the world calls it again from inside an
	 * access of a running write).
	 */
	int (*write)(void *w, unsigned src, unsigned size, uint8_t level,
		     uint8_t cpu, uint32_t seq);

	/* PERF_EVENT_IOC_PAUSE_OUTPUT. Return: 0 or -EINVAL (no data pages). */
	int (*pause)(void *w, bool on);

	void (*state)(void *w, struct fz_writer_state *out);
	void (*addrs)(void *w, struct fz_writer_addrs *out);
	/* Source @src's drop count (lost_samples). */
	uint64_t (*src_lost)(void *w, unsigned src);

};

/* Our port, core/ (backend_core.c). */
extern const struct fz_backend fz_backend_core;
/* A kernel tree's ring_buffer.c (kernel/backend_kernel.c, library uprb-kernel). */
extern const struct fz_backend fz_backend_kernel;

#endif /* FZ_BACKEND_H */
