/* SPDX-License-Identifier: MIT */
/*
 * world.h - the simulated world: one CPU with its ring, four context levels
 * of writers, the honest consumer and a hostile user space, all driven by
 * the decoded input (input.h) through the sim seam's hook table, and
 * checked by the reference model (model.h) at every access.
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
 * Extension points (issue 3, later slices): struct fz_cpu is one simulated
 * CPU; several, each with a ring and a writer stack, interleave at the
 * same hook; a store buffer per CPU (issue 4) sits between the hook and
 * uprb_sim_perform().
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
};

/*
 * Run one input under @prof. Return: normally; any broken invariant
 * prints its story line and aborts. Context: not reentrant, one thread.
 */
void fz_world_run(const struct fz_profile *prof, const uint8_t *data,
		  size_t len);

/* Counters of the last run. */
const struct fz_stats *fz_world_stats(void);

#endif /* FZ_WORLD_H */
