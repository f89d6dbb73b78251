/* SPDX-License-Identifier: MIT */
/*
 * judge.h - the oracle of fuzz_readers: what one reader handed over in
 * one run, against what the ring holds, and what that makes of it.
 *
 * The judge keeps the reference reader's position @ref: where a reader
 * that reads exactly the records in the ring stands. A strict parse at
 * @ref (the rules of core/include/uprb/uprb_reader.h: size >= 8, a multiple
 * of 8, at most the data area, within data_head) says what must come next.
 *
 * Forward rings, per item delivered: it must be the strict parse's next
 * record (RECORD: its bytes; typed readers: a SAMPLE's RAW payload or a
 * LOST's count, after any records of other types, which typed readers
 * need not hand over), and any span handed over must lie inside the ring
 * or inside a live heap block (ASan builds). Per window, afterwards: the
 * reader's data_tail must be where the items it delivered end (or past
 * records it refused), and it must have read every sound record that was
 * there when the window began, unless it was told to stop.
 * Backward overwrite rings: the items must be the records from data_head
 * up to the previous window's head, or, in a lapped ring, up to where
 * perf's find-range stops (a zero header, or the record that would
 * overlap the newest data, which is dropped).
 *
 * Behaviours, from mild to severe: ok, refuses (stops at a bad record and
 * says so to its caller), stalls (stops there in silence: the ring never
 * drains), skips (passes over data without handing it over or saying so),
 * garbage (hands over what the ring does not hold there, or accepts a
 * record the strict parse refuses), oob (reads outside the ring), loops
 * (the step bound or the watchdog ended it), crashes.
 *
 * Once a run saw garbage or a skip on a hostile ring, @ref means nothing
 * any more: the judge stops comparing (desynced) and watches only memory
 * safety and termination.
 */
#ifndef RD_JUDGE_H
#define RD_JUDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "rd/adapter.h"
#include "rd/guard.h"
#include "rd/hring.h"

enum rd_behaviour {
	RD_OK, RD_REFUSES, RD_STALLS, RD_SKIPS, RD_GARBAGE, RD_OOB, RD_LOOPS,
	RD_CRASHES, RD_BEHAVIOUR_COUNT
};
extern const char *const rd_behaviour_names[RD_BEHAVIOUR_COUNT];

/* Hostile classes: what was done to the ring (bit numbers). */
enum rd_class {
	RDC_SIZE_ZERO,      /* a header with size 0 */
	RDC_SIZE_SHORT,     /* size 1-7 */
	RDC_SIZE_UNALIGNED, /* size not a multiple of 8 */
	RDC_SIZE_OVERSIZE,  /* size larger than the data area */
	RDC_SIZE_WRONG,     /* a plausible size that misframes what follows */
	RDC_PAST_HEAD,      /* a record running past data_head */
	RDC_TYPE,           /* a record type nobody wrote */
	RDC_RAW_SIZE,       /* a SAMPLE's RAW size larger than its record */
	RDC_FLIP,           /* flipped bits anywhere in unread data */
	RDC_HEAD_BACK,      /* data_head moved back */
	RDC_HEAD_AHEAD,     /* data_head ahead of the data written */
	RDC_HEAD_OVERRUN,   /* data_head more than the data area ahead */
	RDC_HEAD_UNALIGNED, /* data_head not 8-aligned */
	RDC_TAIL,           /* data_tail written by another party */
	RDC_OVERWRITE_BIG,  /* overwrite mode: a reservation (a record, and a
			       LOST in front of it) larger than the ring, written
			       over its own start (as the kernel does) */
	RDC_COUNT
};
extern const char *const rd_class_names[RDC_COUNT];

/* The longest story line. */
#define RDJ_STORY 512

struct rdj {
	const struct rd_adapter *a;
	struct rd_hring *h;
	bool typed, backward;
	bool honest;        /* nothing hostile happened to unread data yet */
	bool synced;        /* @ref still means something */
	unsigned classes;   /* hostile classes so far (bit per rd_class) */
	uint64_t ref;       /* forward: next unread; backward: previous head */
	/* the window */
	uint64_t head0;     /* data_head when it began */
	unsigned items, max;
	bool stopped;       /* the judge asked for RD_STOP */
	bool stalled;       /* it ended stalled (sound records left unread) */
	uint64_t bpos;      /* backward: next expected record's position */
	uint64_t bend;      /* backward: where the window must end */
	/* the run's worst behaviour and its story */
	enum rd_behaviour worst;
	bool worst_honest;
	unsigned worst_classes;
	char story[RDJ_STORY]; /* "step N (phase): <reader> <what>; <ring>" */
	/* the last event, for the caller to act on (cleared by it) */
	bool event;
	enum rd_behaviour event_behaviour;
	bool event_honest;
	/* where we are, for stories */
	unsigned step;
	const char *phase;
	/* counters for -v */
	uint64_t windows, items_total, errors;
	int last_error;
};

void rdj_begin(struct rdj *j, const struct rd_adapter *a, struct rd_hring *h);

/* Something hostile of class @cls was done (to data not yet read, or to
 * data_head or data_tail). */
void rdj_hostile(struct rdj *j, enum rd_class cls);

/*
 * Whether [@pos, @pos + @len) lies in data the reader has not given back
 * yet. Return: 2 when position @pos itself does (an unread record's bytes),
 * 1 when only some byte does by ring offset (an old record's bytes that
 * now lie inside an unread one), 0 when none does.
 */
int rdj_unread(const struct rdj *j, uint64_t pos, size_t len);

/* A window begins: at most @max items (0: all; honoured with RD_CAP_STOP). */
void rdj_window_begin(struct rdj *j, unsigned max);

/* An item the reader delivered. Return: RD_CONTINUE or RD_STOP. */
int rdj_deliver(struct rdj *j, const struct rd_item *it);

/* The window's drain ended as @res says (and messages @said). */
void rdj_window_end(struct rdj *j, const struct rd_guard_result *res,
		    const struct rd_said *said);

/* The reader could not be opened, or its close ended as @res says. */
void rdj_open_failed(struct rdj *j, int err);
void rdj_closed(struct rdj *j, const struct rd_guard_result *res);

#endif /* RD_JUDGE_H */
