/* SPDX-License-Identifier: MIT */
/*
 * memory.h - what each simulated CPU sees of the shared memory (the control
 * page, the data area, the paused flag): sequentially consistent, x86-TSO,
 * or a weak model in the spirit of the Linux-kernel memory model and Arm.
 * docs/memory.md is the model written down; this is its implementation.
 *
 * Two CPUs share the ring: the writer CPU (every context level of it, task
 * to NMI, is one CPU and sees its own stores at once) and the consumer CPU
 * (user space: the reader, pause/resume). Each has a store buffer:
 *
 *   SC    no buffer: every store is visible when it is issued.
 *   TSO   a FIFO buffer: stores become visible in program order; loads
 *         never pass loads, stores never pass stores.
 *   weak  stores become visible in any order except that
 *           - two stores to overlapping bytes stay in program order
 *             (coherence),
 *           - smp_wmb() orders the stores before it before those after,
 *           - a store-release waits for every earlier store,
 *           - smp_mb() drains the buffer;
 *         and on the consumer CPU
 *           - a data-area load not ordered after an acquire, smp_rmb() or
 *             smp_mb() may be served from the memory as it was at the
 *             consumer's last such point (never older than what that CPU
 *             already saw of the byte: per-location coherence),
 *           - a record-body load stays "open" until a later store-release
 *             or smp_mb() of the consumer orders it: a writer store that
 *             becomes visible over open bytes could have been what the
 *             load returned (load buffering), and is reported.
 *
 * When a buffered store becomes visible is the input's choice
 * (fz_mem_flush(), the "visible" action); a full buffer, a fence that
 * demands it, and the end of every top-level operation make stores
 * visible too, so every store is visible eventually.
 *
 * Only accesses to shared memory are buffered; the writer's own state
 * (rb->head, nest, lost, wakeup, events) is CPU-local and performed at once.
 *
 * Where the views live: the ring's real memory is what the writer CPU sees
 * (its own stores at once, the consumer's once visible), so the reference
 * model, which reads the ring, judges the writer in program order. The
 * consumer CPU reads a shadow copy of the ring's shared memory that takes
 * each store when it becomes visible (and the consumer's own from its
 * buffer).
 */
#ifndef FZ_MEMORY_H
#define FZ_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uprb/port.h"

enum fz_mem_model { FZ_MEM_SC, FZ_MEM_TSO, FZ_MEM_WEAK, FZ_MEM_MODELS };

enum fz_mem_cpu { FZ_MEM_WRITER, FZ_MEM_READER, FZ_MEM_CPUS };

/* Largest data area tracked (the model's limit: 8 pages of 4096). */
#define FZ_MEM_MAX_DATA 32768u
/* Stores buffered per CPU (a power of two); copies go in chunks of this size. */
#define FZ_MEM_SLOTS 2048u
#define FZ_MEM_CHUNK 64u
/* Visible data-area stores remembered for stale consumer loads. */
#define FZ_MEM_UNDO 8192u
/* Shared memory shadowed for the consumer: control page and data area. */
#define FZ_MEM_MAX_SHARED (4096u + FZ_MEM_MAX_DATA)

struct fz_store {
	struct uprb_sim_access a; /* site, op, order, width, addr, val */
	uint32_t epoch;           /* smp_wmb() count when issued */
	uint32_t seq;             /* issue order among the run's buffered stores */
	uint16_t len;
	bool release;
	unsigned char bytes[FZ_MEM_CHUNK];
};

/*
 * A CPU's buffered stores, oldest first, circular from s[first]: a full
 * buffer makes its oldest visible at every new store, which must not move
 * the other 2047.
 */
struct fz_sbuf {
	unsigned first, n;
	uint32_t epoch;
	struct fz_store s[FZ_MEM_SLOTS];
};

struct fz_undo {
	uint32_t time;
	uint16_t off, len;
	unsigned char old[FZ_MEM_CHUNK];
};

struct fz_mem;

/* A store of @cpu became visible (after it was written to memory). */
typedef void fz_mem_visible_fn(void *ctx, enum fz_mem_cpu cpu,
			       const struct fz_store *s);

struct fz_mem {
	enum fz_mem_model model;
	unsigned char *data;      /* the data area */
	size_t size;
	unsigned char *lo, *hi;   /* shared memory: [lo, hi) and paused */
	uint32_t *paused;
	uint32_t shadow_paused;
	unsigned char shadow[FZ_MEM_MAX_SHARED]; /* the consumer's memory */
	fz_mem_visible_fn *visible;
	void *ctx;
	struct fz_sbuf buf[FZ_MEM_CPUS];
	/* the consumer's view (weak model) */
	uint32_t now;             /* visibility clock: one tick per store */
	uint32_t floor;           /* its last acquire / rmb / mb */
	uint32_t obs[FZ_MEM_MAX_DATA]; /* oldest view allowed, per byte */
	uint8_t open[FZ_MEM_MAX_DATA]; /* body loads not yet ordered */
	bool any_open;
	unsigned undo_first, undo_n;
	struct fz_undo undo[FZ_MEM_UNDO];
	/* statistics */
	uint64_t buffered, flushed, stale_bytes;
};

/* Return: the model named @name ("sc", "tso", "weak"), or -1. */
int fz_mem_model_lookup(const char *name);
const char *fz_mem_model_name(enum fz_mem_model model);

/*
 * Start a run over the ring whose shared memory is [@lo, @hi) with its data
 * area at @data (@size bytes) and the paused flag at @paused. @visible is
 * told of every buffered store as it becomes visible.
 */
void fz_mem_reset(struct fz_mem *m, enum fz_mem_model model,
		  unsigned char *lo, unsigned char *hi, unsigned char *data,
		  size_t size, uint32_t *paused, fz_mem_visible_fn *visible,
		  void *ctx);

/* Is @a an access to shared memory (buffered, modelled)? */
bool fz_mem_shared(const struct fz_mem *m, const struct uprb_sim_access *a);

/*
 * Perform @a for @cpu under the model: buffer a shared store, serve a load
 * from the CPU's own buffer or memory (or an older view), apply a fence.
 * Return: what the op returns (struct uprb_sim_hooks).
 */
uint64_t fz_mem_access(struct fz_mem *m, enum fz_mem_cpu cpu,
		       const struct uprb_sim_access *a);

/*
 * Make up to @count stores of @cpu visible, each the @pick-th (modulo) of
 * those the model lets go first. Return: how many became visible.
 */
unsigned fz_mem_flush(struct fz_mem *m, enum fz_mem_cpu cpu, unsigned pick,
		      unsigned count);

/*
 * User space stores @v (@width bytes) at @addr behind the core's back (a
 * hostile data_tail or data_head): visible at once, after its own earlier
 * stores.
 */
void fz_mem_user_store(struct fz_mem *m, void *addr, uint64_t v,
		       unsigned width);

/* Make every buffered store of @cpu visible, in program order. */
void fz_mem_drain(struct fz_mem *m, enum fz_mem_cpu cpu);

/* The oldest store @cpu still buffers, or NULL (schedcov.h: reordering). */
const struct fz_store *fz_mem_oldest(const struct fz_mem *m,
				     enum fz_mem_cpu cpu);

/* Is any byte of data-area offsets [@off, @off + @len) (mod size) open? */
bool fz_mem_open_overlap(const struct fz_mem *m, size_t off, size_t len);

#endif /* FZ_MEMORY_H */
