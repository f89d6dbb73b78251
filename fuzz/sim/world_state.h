/* SPDX-License-Identifier: MIT */
/*
 * world_state.h - the simulated world's state, shared by its parts (private
 * to fuzz/sim): world.c is the run loop, world_cpu.c each CPU's setup and
 * teardown, world_ops.c the operation dispatcher (a write on a CPU's
 * writer stack, the others), world_access.c the seam hook (every access
 * under the memory model, judged by the model), world_interrupts.c what a
 * writer's plan injects at an access; user.c is user space (the honest
 * consumer, merged across CPUs, and hostile stores to the control page),
 * finish.c the end of a run, settings.c the switches from the environment.
 */
#ifndef FZ_WORLD_STATE_H
#define FZ_WORLD_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "input.h"
#include "memory.h"
#include "merge.h"
#include "model.h"
#include "uprb/uprb_check.h"
#include "uprb/uprb_reader.h"
#include "world.h"

/*
 * A store the compiler may move past the next access once the barrier()
 * after it is removed (the weaken switch on a put_barrier site): held until
 * that access, or performed in place when no removed barrier follows.
 */
enum fz_held {
	HELD_NONE,
	HELD_PENDING, /* the next access decides */
	HELD_CROSSED, /* the removed barrier came: the next access goes first */
	HELD_AFTER,   /* performed at the next access, after its interrupts */
};

/* A writer running on a CPU: the top of the stack is the one executing. */
struct fz_frame {
	const struct fz_write *w;
	unsigned id;             /* model attempt */
	unsigned level;
	unsigned wakeups;        /* wake-up callbacks during this writer */
	enum uprb_site last;     /* its latest access, for failure messages */
	uint32_t total;          /* its accesses so far */
	uint16_t count[FZ_WRITER_SITES];
	enum fz_held held;
	struct uprb_sim_access held_a;
};

/* One simulated CPU with its ring, its writers and its consumer. */
struct fz_cpu {
	unsigned index;
	struct fz_world *world;  /* for the core's callbacks, given the CPU */
	struct uprb_ring *rb;    /* the memory: control page and data pages */
	void *wr;                /* the backend's writer over it */
	struct uprb_source src[FZ_MAX_SOURCES];
	uint64_t src_time[FZ_MAX_SOURCES];
	uint64_t lost_ids[FZ_MAX_SOURCES];
	uint32_t seq[FZ_MAX_SOURCES][UPRB_LEVEL_COUNT];
	struct fz_frame stack[UPRB_LEVEL_COUNT];
	unsigned depth;
	bool op_paused, reader_paused;
	bool reader_ok;
	bool hostile;            /* user space wrote data_tail or data_head */
	uint64_t wakeups;        /* wake-ups signalled in this run */
	bool promised;           /* A weakened: a data_tail read from the future */
	uint64_t promise;        /* the newest such value */
	struct uprb_reader r;
	struct uprb_check c;
	struct model model;
	unsigned char scratch[UPRB_SCRATCH_SIZE];
};

struct fz_world {
	const struct fz_profile *prof;
	const struct fz_backend *be; /* the writer under test */
	const struct fz_backend *first, *second; /* differential mode: both */
	bool conform;            /* the port's order too (model.h, conform.c) */
	struct fz_program prog;
	struct fz_cpu cpu[FZ_MAX_CPUS];
	unsigned ncpu;
	struct fz_cpu *cur;      /* the CPU whose writer or consumer runs */
	bool merged;             /* rounds of the merged consumer (merge.h) */
	unsigned in_consumer;
	int verbose;
	enum fz_mem_model memory;
	struct fz_mem *mem;      /* store buffers and views (memory.h) */
	enum uprb_site weaken;   /* UPRB_SITE_COUNT: the core as written */
	bool weaken_fence;       /* it is a barrier, not an ordered access */
	bool lost_wakeup;        /* the model checks for lost wake-ups */
	bool past_stale_tail;    /* UPRB_SIM_PAST=stale-tail */
	bool pause_plain;        /* a plain pause store stays plain */
	bool abandoned;          /* the schedule turned out infeasible */
	unsigned schedcov;       /* schedule coverage families on (schedcov.h) */
	bool sc_flush;           /* stores become visible by the input's choice */
	struct fz_stats st;
	/*
	 * Time: each write takes the next tick of one global clock when it
	 * starts, as perf_prepare_sample takes the time before output_begin;
	 * synthetic records carry no TIME field, so the merged consumer looks
	 * them up here by what they say: (cpu, source, level, seq).
	 */
	uint64_t clock;
	uint32_t time[FZ_MAX_CPUS][FZ_MAX_SOURCES][UPRB_LEVEL_COUNT][FZ_MAX_WRITES];
	struct fz_merge merge;
};

#define USER_LEVEL UPRB_LEVEL_COUNT /* "-" in messages: no writer */

/* world_cpu.c: a CPU's ring, writer, model, reader and checker for a run. */
void fz_cpu_setup(struct fz_world *w, struct fz_cpu *c);
void fz_cpu_teardown(struct fz_world *w, struct fz_cpu *c);

/* The backend's writer paused while an operation or the reader asks it. */
void fz_cpu_set_paused(struct fz_cpu *c);

/* Once all has settled, the model's paused state is the one last asked for. */
void fz_cpu_paused_as_asked(const struct fz_cpu *c);

/* world_ops.c: run action @a on w->cur (a write runs on the CPU it names). */
void fz_world_act(struct fz_world *w, const struct fz_action *a);

/*
 * world_access.c: the seam hook (struct uprb_sim_hooks, @ctx the world);
 * the memory model's callback for a store that became visible; a store
 * held past a removed barrier, performed now.
 */
uint64_t fz_world_access(void *ctx, const struct uprb_sim_access *acc);
void fz_world_on_visible(void *ctx, enum fz_mem_cpu who,
			 const struct fz_store *s);
void fz_world_release_held(struct fz_world *w, struct fz_cpu *c,
			   struct fz_frame *f);

/*
 * world_interrupts.c: the actions the plan of @f (the running writer of
 * w->cur) names for access @a, run before it.
 */
void fz_world_interrupts(struct fz_world *w, struct fz_frame *f,
			 const struct uprb_sim_access *a);

/*
 * Whether the consumer's results are held to the model: not once user
 * space lied, or a known defect was looked past (user.c).
 */
bool fz_user_strict(const struct fz_cpu *c);

/* One honest window of w->cur's ring: up to @max records (0: all). */
void fz_user_consume(struct fz_world *w, unsigned max);

/* A round of the merged consumer over every CPU's ring (merge.h). */
void fz_user_merged_round(struct fz_world *w, unsigned max);

/* Hostile user space: a data_tail store (FZ_TAIL_*), a data_head store. */
void fz_user_hostile_tail(struct fz_world *w, const struct fz_action *a);
void fz_user_scribble(struct fz_world *w, const struct fz_action *a);

/* Every store still buffered becomes visible (memory.h). */
void fz_world_settle(struct fz_world *w);

/* Everything idle: read what is left and check the whole account. */
void fz_world_finish(struct fz_world *w);

/*
 * The memory model, the weakened site and the other switches of @w for a
 * run under @prof (world.h: UPRB_SIM_*), with the backend (the core's
 * unless one was chosen).
 */
void fz_world_settings(struct fz_world *w, const struct fz_profile *prof);

#endif /* FZ_WORLD_STATE_H */
