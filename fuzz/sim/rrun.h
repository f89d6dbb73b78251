/* SPDX-License-Identifier: MIT */
/*
 * rrun.h - the state of a fuzz_reader_corrupt run and what its parts share
 * (private to that target): rcalls.c the seam hook and the reader's calls,
 * racts.c the acts between them, rread.c a READ op judged, rerrors.c the
 * error, sticky and resync checks, rhonest.c the honest-read check; the
 * target file sets up, runs and tears down. One run at a time, one thread.
 */
#ifndef FZ_RRUN_H
#define FZ_RRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rinput.h"
#include "rrecords.h"
#include "rring.h"
#include "rwindow.h"
#include "story.h"
#include "uprb/port.h"
#include "uprb/uprb.h"
#include "uprb/uprb_check.h"
#include "uprb/uprb_reader.h"

#define X64(v) ((unsigned long long)(v))

/* One input's run: the mapping, the reader over it, what was written. */
struct fzr_run {
	int verbose;
	/* the mapping: exactly len bytes */
	unsigned char *map;
	size_t len;
	struct perf_event_mmap_page *pc;  /* NULL: too short for one */
	/* the data area as the reader must see it once it accepted */
	unsigned char *data;
	uint64_t size;
	struct fzr_view view;  /* the same, for the verdicts (rwindow.h) */
	bool backward, overwrite;
	struct uprb_reader r;
	bool reader_ok;
	int sticky;           /* the error the reader must repeat, or 0 */
	bool paused;          /* the reader's pause callback state */
	/* WRITTEN: the core's ring and the records it holds */
	struct uprb_ring *rb;
	struct uprb_source src;
	uint32_t seq;
	uint64_t drops;       /* since the last LOST */
	bool honest;          /* written, never corrupted or scribbled */
	uint64_t rpos;        /* honest: forward next unread, backward prev */
	/* where we are, for story lines (who: the reader) */
	struct fz_story where;
	bool in_reader, in_writer;
	uint64_t accesses, access_limit;
	/* counters for -v */
	uint64_t windows, records, errors, resyncs, writes, corruptions;
	int init_ret;
	/* not cleared between runs: filled before use */
	struct fzr_program prog;
	struct fzr_records w;  /* WRITTEN: what was written, w.n records */
	unsigned char expect[UPRB_MAX_RECORD + 8];
	unsigned char touch[UPRB_MAX_RECORD + 8]; /* where records are loaded to */
	char summary[256];
};

/* The run (rcalls.c): cleared up to .prog before each input. */
extern struct fzr_run fzr;

/* Invariant @invariant broke: its story line (fzr.where), then abort(). */
__attribute__((noreturn, format(printf, 2, 3)))
void fzr_fail(const char *invariant, const char *fmt, ...);

#define NEED(cond, inv, ...)                                                   \
	do {                                                                   \
		if (!(cond))                                                   \
			fzr_fail(inv, __VA_ARGS__);                            \
	} while (0)

/* rcalls.c: the seam hook and the reader's pause callback. */
extern const struct uprb_sim_hooks fzr_hooks;
int fzr_on_pause(void *arg, bool on);

/*
 * rcalls.c: a reader call bracketed by fzr_enter() and fzr_leave() makes
 * at most a walk of the ring's accesses; the three calls so bracketed.
 */
void fzr_enter(void);
void fzr_leave(void);
int fzr_call_init(void);
int fzr_call_event(const struct perf_event_header **ev);
void fzr_call_done(void);

/* data_head as the control page holds it now. */
uint64_t fzr_load_head(void);

/* rerrors.c: @err has its own text; @err is one of the sticky codes. */
void fzr_check_text(int err);
bool fzr_is_sticky(int err);

/* rerrors.c: uprb_read_resync() and what it must leave. */
void fzr_resync(void);

/* rerrors.c: error @err of a window, and what repeats it. */
void fzr_on_error(int err);

/* racts.c: act @a (a write, a corruption, a scribble, a resync). */
void fzr_run_act(const struct fzr_act *a);

/* rread.c: one READ op @o, from read_init to read_done. */
void fzr_read_window(const struct fzr_op *o);

/*
 * rhonest.c: the record @ev read at @pos is the one written there, the
 * next after *@want (which it moves past it); backward and lapped, where
 * find-range must stop from @head.
 */
void fzr_check_honest(uint64_t pos, uint64_t *want,
		      const struct perf_event_header *ev);
uint64_t fzr_backward_cut(uint64_t head);

#endif /* FZ_RRUN_H */
