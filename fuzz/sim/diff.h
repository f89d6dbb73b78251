/* SPDX-License-Identifier: MIT */
/*
 * diff.h - differential mode: one input through two writer backends
 * (backend.h), e.g. our port and a kernel tree's ring_buffer.c. The world
 * runs the input twice, each run judged by the model as usual; after every
 * top-level operation the second run's outcome must equal the first's:
 * the ring bytes, data_head, the writer's head, drop count, wake-up stamp
 * and event count, every source's lost_samples, and the wake-ups signalled
 * so far, on every CPU.
 *
 * The same input is the same schedule only while both backends reach the
 * same interrupts at the same points: an interrupt names a site and an
 * occurrence, and two implementations make different accesses in different
 * orders (the kernel reads data_tail before head and on overwrite rings
 * too, copies a LOST trailer field by field, ...). An interrupt is at the
 * same point when the interrupted writer is at the same position of its
 * life as the model sees it (model_position(): what it has read and done so
 * far). From the first interrupt that fires in one run and not at the same
 * point in the other, the runs are different schedules: comparison stops
 * there and the summary says where (a divergence is not a failure).
 */
#ifndef FZ_DIFF_H
#define FZ_DIFF_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"

/* What one CPU looks like after a top-level operation. */
struct fz_diff_view {
	const unsigned char *data; /* the data area, data_size bytes */
	uint64_t data_size;
	uint64_t data_head, data_tail;
	struct fz_writer_state st;
	uint64_t src_lost[FZ_BACKEND_MAX_SOURCES];
	unsigned nsrc;
	uint64_t wakeups;          /* wake-ups signalled so far */
};

/* Start pass 0 (record) or 1 (compare) of one input. */
void fz_diff_begin(unsigned pass);

/*
 * An interrupt fired: step, the write it belongs to, its index in the
 * program, and where the interrupted writer was (model_position()).
 * Return: false once the two runs' schedules differ.
 */
bool fz_diff_irq(unsigned step, unsigned write, unsigned irq, uint64_t pos);

/*
 * CPU @cpu after step @step (1-based). Pass 0 records; pass 1 compares and
 * returns a description of the first difference (static storage), or NULL.
 */
const char *fz_diff_point(unsigned cpu, unsigned step,
			  const struct fz_diff_view *v);

/* Pass 1: where the schedules parted, or 0; steps compared so far. */
unsigned fz_diff_diverged(void);
unsigned fz_diff_compared(void);

/* UPRB_SIM_DIFF_PLANT=1: flip one recorded ring byte (the check's own test). */
bool fz_diff_planted(void);

#endif /* FZ_DIFF_H */
