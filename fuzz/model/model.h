/* SPDX-License-Identifier: MIT */
/*
 * model.h - the reference model of one CPU's ring: a plain sequential
 * account of reservation, loss, publication and wake-ups, with unbounded
 * 64-bit positions (no masks, no atomics), fed the linearisation the world
 * observes at the seam and checked against the core at every step.
 *
 * The world tells the model what happens, in the order it happens:
 *   model_begin()   a writer starts an attempt (source, size, level);
 *   model_access()  after every seam access, with what it returned: the
 *                   paused flag, lost counts, every data_tail the writer
 *                   read, the compare-and-swap outcome, the LOST exchange,
 *                   the nest, head and wake-up accesses, each copy;
 *   model_pre_access() before a copy, so that a stray one is reported
 *                   before it lands (memory safety);
 *   model_end()     the attempt returned;
 *   model_idle()    every writer is idle (after each top-level operation).
 * The model predicts from its own state where each reservation must land
 * and how large it is (LOST record in front included), whether an attempt
 * must be dropped and why, what each LOST record says, which data_head
 * values may be published, and when a wake-up must fire; any disagreement
 * with the core is a failure, reported as one story line naming the
 * invariant, the CPU, the context level, the seam site and the step, and
 * then abort().
 *
 * Invariants (SPEC 6, one CPU): monotonic-head, completeness,
 * eventual-publication, nest-balance, reservation (offset, size, space
 * decision), exact-tiling, exact-write, non-overwrite-safety,
 * memory-safety, loss-conservation, lost-placement, pause, wakeup (the
 * stamp and rb->events step by step, exactly the outermost writers whose
 * stamp moved signal, and, end to end, no lost wake-up: with every writer
 * idle, no move of the stamp is left that no writer signalled; on with
 * cfg.lost_wakeup).
 */
#ifndef FZ_MODEL_H
#define FZ_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "uprb/port.h"
#include "uprb/uprb.h"

#define MODEL_MAX_SOURCES 4u
#define MODEL_MAX_ATTEMPTS 1024u
/* Largest data area the world configures: 8 pages of 4096. */
#define MODEL_MAX_RING 32768u
/* Largest reservation: a record plus a LOST record with a full trailer. */
#define MODEL_MAX_RESV (UPRB_MAX_RECORD + UPRB_LOST_RECORD_SIZE + \
			UPRB_MAX_ID_HEADER)

struct model_src {
	uint64_t id, stream_id, time;
	uint64_t sample_type;
	bool sample_id_all;
	uint32_t pid, tid, cpu;
	uint32_t wakeup_events;
};

struct model_cfg {
	uint32_t page_size, nr_pages;
	bool backward, overwrite, oversize_drop;
	uint64_t watermark; /* as configured; 0: default */
	/*
	 * Check for lost wake-ups (model_idle()). The core as written loses
	 * one when an interrupt writes between get_handle's nest increment
	 * and its snapshot of the stamp (corpora/regressions/
	 * fuzz_loss_wakeup/NOTES), so the world turns it on only when asked
	 * (UPRB_SIM_LOST_WAKEUP=1) until that is fixed.
	 */
	bool lost_wakeup;
	unsigned nsrc;
	struct model_src src[MODEL_MAX_SOURCES];
};

/* Where a failure happened, kept current by the world. */
struct model_where {
	unsigned cpu;
	unsigned level;       /* enum uprb_level; UPRB_LEVEL_COUNT: none */
	enum uprb_site site;  /* last seam access; UPRB_SITE_COUNT: none */
	unsigned step;        /* top-level operation, 1-based */
	const char *phase;    /* NULL, or e.g. "idle", "final drain" */
};

enum model_state {
	MA_BEGUN,    /* before the paused check */
	MA_PAUSED,   /* dropped at the paused check */
	MA_HANDLE,   /* inside get_handle..put_handle, reserving */
	MA_RESERVED, /* the compare-and-swap succeeded */
	MA_FAILED,   /* dropped for want of space */
};

struct model_attempt {
	uint32_t seq;       /* synthetic sequence number */
	uint32_t order;     /* reservation order, 1-based; 0: none */
	uint8_t src, level;
	uint8_t state;      /* enum model_state */
	uint16_t size;      /* the record */
	uint32_t total;     /* the reservation: record + LOST record */
	bool peeked, have_lost, xchg_done;
	bool counted, src_counted;
	bool got_handle, in_nest, put_seen, outermost, wakeup_checked;
	bool tail_fresh, fits;
	bool snap_seen, wakeup_loaded, step_due;
	uint8_t ev_stage;   /* wakeup_events: 0, 1 (SUB due), 2 (BUMP due), 3 */
	bool sampled;
	bool built;         /* its expected bytes are in m->slot[slot] */
	uint8_t slot;       /* its place in the writer stack */
	uint64_t view;      /* the writer's idea of rb->head */
	uint64_t tail;      /* the data_tail it last read */
	uint64_t off;       /* reservation start (lowest address) */
	uint64_t new_head;  /* rb->head after the reservation */
	uint64_t snap;      /* rb->wakeup at get_handle */
	uint64_t lost_value;/* what the LOST record says */
	uint64_t copied;    /* bytes copied so far */
};

struct model {
	struct model_cfg cfg;
	struct uprb_ring *rb;
	struct uprb_source *srcs;
	struct model_where where;
	uint64_t size;        /* data area bytes (S) */
	uint64_t watermark;   /* effective */
	/* the sequential state */
	uint64_t head;        /* rb->head: forward grows, backward shrinks */
	uint64_t pending;     /* rb->lost */
	uint64_t wakeup;      /* rb->wakeup */
	uint64_t events;      /* rb->events */
	uint32_t paused;      /* rb->paused */
	uint32_t nest;        /* writers inside get_handle..put_handle */
	uint64_t published;   /* the last data_head a writer stored */
	/*
	 * No lost wake-up (SPEC 6.15): the stamp as the writer that signalled
	 * the last wake-up read it (0 at the start). Every move of the stamp
	 * must reach a signal, so with all writers idle the stamp is this.
	 */
	uint64_t woke_stamp;
	uint64_t stamp_ahead; /* idle points with the stamp past the head (stats) */
	bool scribbled;       /* data_head written by user space since */
	uint64_t tail;        /* the honest consumer's data_tail */
	bool honest;          /* no hostile data_tail so far */
	/*
	 * The writer has read a data_tail the consumer had not stored yet
	 * (a relaxed A under the weak memory model, fuzz/MEMORY.md): its
	 * reservations may then run past the visible tail; the world judges
	 * what becomes visible there instead.
	 */
	bool tail_promise;
	bool oversized;       /* a record larger than the ring was written (stats) */
	uint64_t src_lost[MODEL_MAX_SOURCES];
	/* accounting */
	uint64_t attempted, delivered, lost_reported, drops_paused,
		drops_nospace;
	/* attempts, and the reservations in compare-and-swap order */
	unsigned nattempts, nresv;
	struct model_attempt att[MODEL_MAX_ATTEMPTS];
	uint16_t resv[MODEL_MAX_ATTEMPTS];
	unsigned inflight[UPRB_LEVEL_COUNT + 1]; /* attempt ids, oldest first */
	unsigned ninflight;
	/*
	 * The ring's expected contents, exact at every moment: each copy,
	 * once its place and length are checked against the writer's cursor,
	 * writes the bytes the model expects there into image[] and the
	 * writer's reservation order into owner[] (0: never written). In an
	 * overwrite ring an outer writer resuming after a nested one may land
	 * on the nested record; the image says so, and owner[] tells which
	 * records are still whole.
	 */
	uint32_t owner[MODEL_MAX_RING];
	uint8_t image[MODEL_MAX_RING];
	/* Expected bytes of each writer in flight, by its stack slot. */
	unsigned char slot[UPRB_LEVEL_COUNT][MODEL_MAX_RESV];
	unsigned char expect[MODEL_MAX_RESV];
};

/* Print the story line and abort. */
__attribute__((noreturn, format(printf, 3, 4)))
void model_fail(const struct model *m, const char *invariant,
		const char *fmt, ...);

/*
 * Start the model of @rb, whose sources are @srcs (cfg->nsrc of them).
 * Return: 0, or -EINVAL if the ring is larger than MODEL_MAX_RING.
 */
int model_init(struct model *m, const struct model_cfg *cfg,
	       struct uprb_ring *rb, struct uprb_source *srcs);

/* A writer attempt starts. Return: its id for the calls below. */
unsigned model_begin(struct model *m, unsigned src, unsigned size,
		     unsigned level, uint32_t seq);

/* Before a copy into or out of the data area: it must lie inside. */
void model_pre_access(struct model *m, const struct uprb_sim_access *a);

/* After each seam access; @id is the running writer's attempt or -1. */
void model_access(struct model *m, int id, const struct uprb_sim_access *a,
		  uint64_t ret);

/* The attempt returned @ret; @wakeups is how often the wake-up ran in it. */
void model_end(struct model *m, unsigned id, int ret, unsigned wakeups);

/* User space wrote data_head / a hostile data_tail. */
void model_scribble(struct model *m);
void model_hostile_tail(struct model *m);

/*
 * All writers idle: the core's state must be the model's. @final adds the
 * whole-ring image and loss conservation.
 */
void model_idle(struct model *m, bool final);

/*
 * The honest consumer read @ev at ring position @pos: it must be, byte for
 * byte, the record the model has there, finished and whole.
 * Return: the index of the source that wrote it, or -1 if that record is
 * no longer whole (overwrite rings only: a nested or later writer landed on
 * it; in a non-overwrite ring that breaks non-overwrite-safety instead).
 */
int model_check_record(struct model *m, uint64_t pos,
		       const struct perf_event_header *ev);

/* Is ring position @pos inside a record header (a LOST one included)? */
bool model_is_header(const struct model *m, uint64_t pos);

/*
 * Are all records a reader walks from @lo toward @hi (at most a ring's
 * worth; the header of one crossing that bound included) still whole?
 */
bool model_window_whole(const struct model *m, uint64_t lo, uint64_t hi);

/*
 * A backward ring read from @head: where the reader must stop, walking
 * newest first, once a ring's worth of bytes is covered (find-range).
 */
uint64_t model_backward_cut(const struct model *m, uint64_t head);

#endif /* FZ_MODEL_H */
