/* SPDX-License-Identifier: MIT */
/*
 * world.h - the simulated world: one to four CPUs, each with its ring and
 * four context levels of writers, the honest consumer (merged across CPUs,
 * merge.h) and a hostile user space, all driven by the decoded input
 * (input.h) through the sim seam's hook table, and checked by the
 * reference model (model.h) of each CPU at every access.
 *
 * How a run goes:
 *   - the ring and its sources are made from the program's configuration;
 *   - each top-level operation runs at task level (a write, a consumer
 *     step, pause/resume, a hostile data_tail, a data_head scribble), and
 *     once it returns every writer is idle and the model compares its state
 *     with the ring's;
 *   - every seam access of a running writer first runs the actions its plan
 *     names for that access: a complete nested write at a higher level
 *     (which has its own plan, recursively up to NMI, as an interrupt
 *     arriving there would), a consumer step, pause/resume, a hostile tail
 *     or head; then the access is performed and handed to the model;
 *   - at the end the consumer drains the ring and the final checks run.
 * Deterministic: nothing but the input decides anything; no clock, no
 * randomness, one OS thread.
 *
 * Several CPUs (profile.cpus > 1, fuzz_multi_cpu): struct fz_cpu is one
 * CPU with its ring, sources, writer stack, reader, checker and model. The
 * CPUs interleave at seam accesses: at any access of a writer on CPU k its
 * plan may run a complete write on another CPU j (with j's own plan,
 * recursively; nothing if j's writer is in flight up that chain) or a
 * round of the merged consumer, which reads every ring, checks each record
 * against its CPU's model as with one CPU, and orders them by time as
 * perf does (merge.h; the times come from a global clock ticked at each
 * write's start). Limits of that mode: forward non-overwrite rings only
 * (the profile clears backward and overwrite: perf record's rings), and
 * sequentially consistent memory: the memory models (memory.h) are one
 * ring's, so UPRB_SIM_MEMORY is ignored for a run with more than one CPU
 * (it applies when the input picks one CPU).
 */
#ifndef FZ_WORLD_H
#define FZ_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include "input.h"

/* What the last run did, for the replay driver's verbose mode. */
struct fz_stats {
	uint64_t ops, writes, nested, irqs, reserved, paused, nospace;
	uint64_t lost_records, wakeups, records_read, reader_errors;
	uint64_t hostile, bytes;
	unsigned max_depth;
	bool strict;   /* consumer results were checked against the model */
	/* memory model (memory.h) */
	uint64_t visible, buffered, stale_bytes;
	bool abandoned; /* the schedule had no consistent ending: cut short */
	/* several CPUs and the merged consumer (merge.h) */
	unsigned cpus;
	uint64_t cross; /* writes run from a writer of another CPU */
	uint64_t busy;  /* writes for a CPU whose writer was in flight: none */
	uint64_t rounds, merged, late;
	uint64_t stamp_ahead; /* idle points with the wake-up stamp past the head */
	uint64_t known_hits;  /* known kernel defects looked past (UPRB_SIM_PAST) */
	/* differential mode (diff.h) */
	unsigned diff_compared, diff_diverged;
};

struct fz_backend;

/*
 * The writer under test (backend.h): the core unless a binary variant
 * chose another before the first run (backend_select_*.c).
 */
void fz_world_use(const struct fz_backend *be);

/*
 * Differential mode (diff.h): every input runs through @first, then
 * @second, whose outcome after each top-level operation must be the
 * first's. Chosen like fz_world_use(), before the first run.
 */
void fz_world_diff(const struct fz_backend *first,
		   const struct fz_backend *second);

/*
 * Run one input under @prof. Return: normally; any broken invariant
 * prints its story line and aborts. Context: not reentrant, one thread.
 */
void fz_world_run(const struct fz_profile *prof, const uint8_t *data,
		  size_t len);

/*
 * The memory model comes from the target's profile, or UPRB_SIM_MEMORY
 * (sc, tso, weak); UPRB_SIM_WEAKEN=<site> removes that barrier or relaxes
 * that ordered access of the core (sim only,
 * docs/memory.md#the-sim-only-switch). Both are read at the first run; a
 * bad value exits with status 2.
 * UPRB_SIM_PAST=stale-tail looks past that known defect of older kernel
 * trees (model.h, findings/stale-tail/REPORT.md), to fuzz for the next one.
 * UPRB_SIM_PAUSE_PLAIN=1 keeps a backend's plain pause store plain (a
 * kernel tree's rb_toggle_paused(); by default it is taken as the pause
 * ioctl orders it, a release, as the port's).
 * UPRB_SIM_LOST_WAKEUP=1 turns on the model's lost-wake-up check (model.h),
 * off by default while the core as written fails it. UPRB_SIM_CONFORM=0
 * turns off the port's conformance layer (model.h, conform.c: on by default
 * for the core backend, never on for another).
 */

/* Return: the @i-th site UPRB_SIM_WEAKEN accepts, or NULL past the end. */
const char *fz_world_weakenable(unsigned i);

/*
 * The counters of the last run as one line of text, with those of several
 * CPUs and of the merged consumer (for targets' fz_target_summary()).
 */
const char *fz_world_summary(void);

#endif /* FZ_WORLD_H */
