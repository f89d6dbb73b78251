/* SPDX-License-Identifier: MIT */
/*
 * merge.h - the merged consumer of the multi-CPU world: orders the records
 * read from every CPU's ring by time, as perf record / perf report do with
 * PERF_RECORD_FINISHED_ROUND (tools/perf/util/ordered-events.c).
 *
 * A round reads every ring (the world does the reading, through the core's
 * reader, and checks each record against its CPU's model first), queues
 * each record here with its time, and ends with fz_merge_round_end(): the
 * queued records with time <= next_flush are flushed in time order, then
 * next_flush becomes the largest time queued so far (perf's
 * oe->next_flush = oe->max_timestamp at each FINISHED_ROUND). A round that
 * read nothing is no round (perf writes FINISHED_ROUND only after data).
 * fz_merge_final() flushes everything (perf's final OE_FLUSH__FINAL).
 *
 * Times: synthetic records have no TIME field, so the world gives each
 * write a time from a global clock when it starts (perf_prepare_sample
 * takes the time before perf_output_begin) and keeps a table
 * (cpu, source, level, seq) -> time; a LOST record has the time of the
 * record it is written in front of (perf gives it that sample's data).
 *
 * Invariants, each failure a story line through the model of the CPU the
 * record came from (model_fail):
 *   completeness  every record read is flushed exactly once by the end,
 *                 nothing is flushed twice;
 *   ordering      the flushed stream is non-decreasing in time, except
 *                 records that were "late": time taken before the end of
 *                 the previous round, but not read by it (the writer was
 *                 in flight, or the round read only part of its ring).
 *                 perf's rule cannot order those; they are counted (as
 *                 perf counts nr_unordered_events), every other record
 *                 out of order is a failure. With no late record, the
 *                 rule provably yields a sorted stream. A record that is
 *                 not late is newer than everything read before its
 *                 round, so this part guards the flush itself (sort,
 *                 threshold, nothing flushed before it is read); what
 *                 perf's rule costs is the count of late records.
 */
#ifndef FZ_MERGE_H
#define FZ_MERGE_H

#include <stdbool.h>
#include <stdint.h>

#include "input.h"

struct model;

/* Records queued at once: every write once, and a LOST record per write. */
#define FZ_MERGE_MAX (2u * FZ_MAX_WRITES)

/* A record read from a ring: which write it belongs to, and its time. */
struct fz_merge_rec {
	uint64_t time;
	uint32_t ord;    /* order of reading: ties keep it (LOST first) */
	uint16_t seq;
	uint8_t cpu, src, level;
	bool lost;       /* the LOST record in front of that write's */
	bool late;       /* time taken before the previous round's end */
};

struct fz_merge_stats {
	uint64_t rounds, queued, flushed, late;
};

struct fz_merge {
	struct model *model[FZ_MAX_CPUS];
	unsigned ncpu;
	int verbose;
	unsigned n;
	struct fz_merge_rec q[FZ_MERGE_MAX];
	/* a LOST record waiting for the record it is in front of, per CPU */
	bool lost_waiting[FZ_MAX_CPUS];
	struct fz_merge_rec lost[FZ_MAX_CPUS];
	uint64_t next_flush;  /* perf's oe->next_flush */
	uint64_t max_time;    /* perf's oe->max_timestamp */
	uint64_t last;        /* largest time flushed so far */
	uint64_t prev_end;    /* clock at the end of the previous round */
	uint32_t ord;
	uint64_t round_read;  /* records queued in the current round */
	/* read and flushed, per (cpu, src, level, seq, lost) */
	uint8_t seen[FZ_MAX_CPUS][FZ_MAX_SOURCES][UPRB_LEVEL_COUNT][FZ_MAX_WRITES];
	/* the entries of seen[] in use, to clear them for the next run */
	unsigned nused;
	uint8_t *used[FZ_MERGE_MAX];
	struct fz_merge_stats st;
};

/* Start a run over @ncpu CPUs whose models report failures. */
void fz_merge_reset(struct fz_merge *m, unsigned ncpu, struct model **models,
		    int verbose);

/*
 * The consumer read, on @cpu, the record of write (@src, @level, @seq)
 * taken at @time, or (@lost) the LOST record in front of the next record
 * read on @cpu (its @time is that record's: pass 0, it is filled in).
 */
void fz_merge_take(struct fz_merge *m, unsigned cpu, bool lost, unsigned src,
		   unsigned level, uint32_t seq, uint64_t time);

/* A round of reads ended; @now is the clock (the latest time taken). */
void fz_merge_round_end(struct fz_merge *m, uint64_t now);

/*
 * The final drain was read: flush everything, and with @judge check
 * completeness (every record read was flushed, no LOST left waiting).
 */
void fz_merge_final(struct fz_merge *m, bool judge);

#endif /* FZ_MERGE_H */
