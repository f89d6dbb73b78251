/* SPDX-License-Identifier: MIT */
/*
 * model.h - the reference model of one CPU's ring: a plain sequential
 * account of reservation, loss, publication and wake-ups, with unbounded
 * 64-bit positions (no masks, no atomics), fed what the world observes at
 * the seam and checked against the writer backend (backend.h) throughout.
 *
 * The model judges outcomes, not one implementation's order of accesses:
 * it tells the writer's accesses apart by the address they touch (the
 * backend's head, nest, lost, wake-up stamp, events, paused flag and
 * per-source drop counts; data_head, data_tail and the data area of the
 * control page), and holds each to what that access means whenever it
 * comes: a load returns the variable's current value; a store or an add is
 * one the protocol allows at that point of the writer's life (entering or
 * leaving the nest, counting a drop the writer's own view of head and tail
 * justifies, stepping the stamp at a watermark crossing it saw, taking the
 * drops for a LOST record); a compare-and-swap reserves exactly the bytes
 * the record and its LOST record need, where the head was, and only when
 * the tail the writer read leaves room; every copy lands at the writer's
 * cursor inside its reservation; every data_head published is a record
 * boundary that never goes back and exposes no unwritten byte. What a
 * reader can see (ring bytes, data_head, LOST values, wake-ups, the state
 * left when every writer is idle) is checked as it becomes visible.
 *
 * The world tells the model what happens, in the order it happens:
 *   model_begin()   a writer starts an attempt (source, size, level);
 *   model_access()  after every seam access, with what it returned;
 *   model_pre_access() before a copy, so that a stray one is reported
 *                   before it lands (memory safety);
 *   model_end()     the attempt returned;
 *   model_idle()    every writer is idle (after each top-level operation).
 * Any disagreement is a failure, reported as one story line naming the
 * invariant, the CPU, the context level, the seam site (and the source line
 * where the backend says it) and the step, and then abort().
 *
 * The port keeps one more layer, conform.c: the exact order of the kernel's
 * accesses as core/src/output.c makes them (UPRB_SIM_CONFORM=0 turns it
 * off; backends other than the core never run it).
 *
 * Invariants (docs/ring.md#6-invariants, one CPU): monotonic-head, completeness,
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

#include "backend.h"
#include "story.h"
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
	/*
	 * Look past the known stale-tail defect of older kernel trees
	 * (findings/stale-tail/REPORT.md): a reservation that overwrites
	 * unread data because the writer's own head and tail were more than a
	 * ring apart (the space rule wrapped) is counted, not failed, and the
	 * consumer is no longer checked (its records may be torn now).
	 */
	bool past_stale_tail;
	unsigned nsrc;
	struct model_src src[MODEL_MAX_SOURCES];
};

/* Where a failure happened, kept current by the world. */
enum model_state {
	MA_BEGUN,    /* started: no paused flag, nest or reservation seen yet */
	MA_PAUSED,   /* it read a set paused flag: it must drop */
	MA_HANDLE,   /* inside the nest, reserving */
	MA_RESERVED, /* the compare-and-swap succeeded */
	MA_FAILED,   /* dropped for want of space */
};

/* One writer attempt: what it has seen and done, by address. */
struct model_attempt {
	uint32_t seq;       /* synthetic sequence number */
	uint32_t order;     /* reservation order, 1-based; 0: none */
	uint8_t src, level;
	uint8_t state;      /* enum model_state */
	uint16_t size;      /* the record */
	uint32_t total;     /* the reservation: record + LOST record */
	bool peeked, have_lost, xchg_done;
	bool counted, src_counted;
	bool entered;       /* it took the nest (get_handle) */
	bool in_nest;       /* ... and has not left it since */
	bool left;          /* it left the nest (put_handle) */
	bool outermost;     /* it left from nest 1: it publishes */
	bool wakeup_checked;/* outermost: it read the stamp after leaving */
	bool tail_seen, head_seen;
	bool snap_seen, wakeup_loaded, step_due;
	uint8_t ev_stage;   /* wakeup_events: 0, 1 (SUB due), 2 (BUMP due), 3 */
	bool sampled;
	bool built;         /* its expected bytes are in m->slot[slot] */
	uint8_t slot;       /* its place in the writer stack */
	uint64_t view;      /* the writer's idea of rb->head */
	uint64_t tail;      /* the data_tail it last read */
	uint64_t off;       /* reservation start (lowest address) */
	uint64_t new_head;  /* rb->head after the reservation */
	uint64_t snap;      /* the stamp at get_handle */
	uint64_t check;     /* the stamp the outermost writer compared it with */
	uint64_t lost_value;/* what the LOST record says */
	uint64_t copied;    /* bytes copied so far */
	uint32_t publishes; /* data_head stores it made */
	/* conform.c's cursor through the port's sequence (core only) */
	uint8_t conform;
	bool tail_fresh;
};

struct model {
	struct model_cfg cfg;
	struct uprb_ring *rb;          /* the memory: control page, data area */
	const struct fz_backend *be;   /* the writer under test */
	void *w;
	struct fz_writer_addrs addrs;  /* where it keeps its state */
	bool conform;                  /* also check the port's order (conform.c) */
	struct fz_story where;   /* who = NULL: a CPU's writer */
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
	 * No lost wake-up (docs/ring.md#615-no-lost-wake-up): the stamp as the writer that signalled
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
	 * (a relaxed A under the weak memory model, docs/memory.md#the-three-models): its
	 * reservations may then run past the visible tail; the world judges
	 * what becomes visible there instead.
	 */
	bool tail_promise;
	bool oversized;       /* a record larger than the ring was written (stats) */
	uint64_t known_hits;  /* known defects looked past (cfg.past_*) */
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
 * Start the model of writer @w of backend @be over the memory of @rb
 * (cfg->nsrc sources); @conform: also hold the writer to the port's order
 * of accesses (conform.c; the core backend only).
 * Return: 0, or -EINVAL if the ring is larger than MODEL_MAX_RING.
 */
int model_init(struct model *m, const struct model_cfg *cfg,
	       struct uprb_ring *rb, const struct fz_backend *be, void *w,
	       bool conform);

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

/*
 * Where attempt @id is in its life, as the model sees it: a digest of what
 * it has read and done so far (its reservation, the values it saw, the
 * bytes it copied, its place in the nest). Two backends interrupted at the
 * same position are at the same point of the protocol, whatever their
 * order of accesses (the differential mode's schedule check, diff.h).
 */
uint64_t model_position(const struct model *m, unsigned id);

/*
 * The port's order (conform.c): before model_access() judges @acc of
 * attempt @a by what it means, check that it comes where the port makes it.
 */
void model_conform(struct model *m, struct model_attempt *a,
		   const struct uprb_sim_access *acc, uint64_t ret);

#endif /* FZ_MODEL_H */
