/* SPDX-License-Identifier: MIT */
/*
 * core_stress.h - uprb-stress-core: the native core under real threads and
 * real signals, the way the kernel's ring meets NMIs. Its parts:
 *
 *   opts.c      the command line (one table: parser, --help, replay line)
 *   writers.c   the producer thread of a ring, its signal handlers (the
 *               nested levels), the timers and the pthread_kill driver, the
 *               negative control's second writer
 *   consumer.c  the consumer thread of a ring: reader, checker, pauses
 *   ring.c      a ring's setup, end-of-run checks and teardown
 *   report.c    header, progress line, summary
 *   main.c      threads, the run, the result
 *
 * Each ring plays one CPU. Its producer thread is task context and writes
 * synthetic records in a loop. Three real-time signals aimed at that thread
 * play softirq, hardirq and NMI (SIGRTMIN+1..+3); their handlers write
 * nested records into the same ring. The handler of level L runs with the
 * signals of every level <= L blocked (sa_mask), so a higher level may
 * interrupt a lower one but never the reverse: the strict LIFO nesting that
 * the writer's nest counter relies on (docs/ring.md#54-why-nest-needs-lifo).
 * Signals come from POSIX timers aimed at the producer thread
 * (SIGEV_THREAD_ID) and/or from a driver thread's pthread_kill().
 *
 * Every level writes as its own source (source = level) with its own
 * sequence numbers from 0, and counts every attempt, the handlers included.
 * A consumer thread per ring drains with the core's reader and hands every
 * record to the checker. At the end a non-overwrite ring must conserve loss
 * exactly: attempted = delivered + sum of LOST + pending (rb->lost), and the
 * quiescent ring must pass uprb_ring_check(). Overwrite rings are read in
 * pause-read-resume cycles; records may vanish there without a LOST, so
 * only record validity and "nothing delivered twice" are checked.
 *
 * --negative-control breaks the single-CPU-writer invariant on purpose (a
 * second thread writes the same ring): that run passes only if the checks
 * notice, which proves that they can fail.
 */
#ifndef CORE_STRESS_H
#define CORE_STRESS_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "opt.h"
#include "uprb/uprb.h"
#include "uprb/uprb_check.h"

#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif

#define CS_NAME "uprb-stress-core"
#define NLEVELS UPRB_LEVEL_COUNT
/* Negative control: the second writer thread is a fifth source. */
#define INTRUDER_SOURCE NLEVELS
#define NSOURCES (NLEVELS + 1)
#define MAX_RINGS 64
#define CS_MAX_SIZES 64

enum { SIGNAL_TIMER = 1, SIGNAL_KILL = 2, SIGNAL_BOTH = 3 };

/* --sizes: a list, or [0]..[1] as a range of multiples of 8. */
struct cs_sizes {
	unsigned int v[CS_MAX_SIZES];
	unsigned int n;
	bool range;
};

struct cs_opts {
	double duration;
	unsigned int rings;
	unsigned int pages;
	uint64_t page_size;
	struct cs_sizes sizes;
	int signal;
	double signal_rate;             /* per second per level per ring */
	bool backward;
	bool overwrite;
	bool wakeup;
	uint64_t seed;
	bool negative;
	unsigned int backoff;           /* max pause spins after a drop */
};

/* One context level of one producer: touched only by that level. */
struct level {
	struct uprb_source src;
	uint64_t rng;                   /* record sizes */
	/*
	 * Written by that level only (a level never nests with itself), read
	 * by main for progress: relaxed load + store, no read-modify-write.
	 */
	_Atomic uint64_t attempted;     /* = the next sequence number */
	_Atomic uint64_t dropped;       /* of those, -ENOSPC */
	_Atomic uint64_t inside;        /* ran while a lower level was writing */
	_Atomic uint64_t skipped;       /* overwrite: not written, see lap_budget */
};

struct ring_ctx {
	unsigned int idx;
	const struct cs_opts *o;
	struct uprb_ring *rb;
	int efd;                        /* --wakeup; -1 otherwise */
	pthread_t producer, consumer, intruder;
	bool have_producer, have_consumer, have_intruder;

	/* producer thread and its signal handlers */
	_Alignas(64) struct level lv[NLEVELS];
	volatile sig_atomic_t depth;    /* writes in progress on this thread */
	/*
	 * Overwrite rings: bytes that writers nested in the outermost one
	 * may reserve before it ends (0: no limit), and what they have.
	 */
	uint64_t lap_budget;
	_Atomic uint64_t nested_bytes;
	_Atomic uint64_t wakeups;       /* wake-up callbacks (writer context) */
	atomic_bool producer_done;      /* no handler will run any more */
	int timer_err;

	/* negative control: the second writer */
	_Alignas(64) struct level intr;
	atomic_bool intruder_done;

	/* overwrite: pause handshake, one line each way */
	_Alignas(64) _Atomic uint64_t pause_req;
	_Alignas(64) _Atomic uint64_t pause_ack;

	/* consumer; pub_* are its figures for the progress line */
	_Alignas(64) struct uprb_check c;
	bool have_check;
	uint64_t rng;
	_Atomic uint64_t pub_level[NLEVELS];
	_Atomic uint64_t pub_records, pub_lost, pub_failures;
	uint64_t woken, timeouts, pauses, windows, read_errors, resyncs;
	uint64_t failures;              /* every failure seen on this ring */
	int64_t stamp_lead;             /* end: rb->wakeup - bytes written */
	uint64_t lost_ids[NSOURCES];    /* the LOST ids the checker accepts */
	char first[256];                /* ... and the first of them */
};

struct world {
	struct cs_opts o;
	struct ring_ctx *rings;
	unsigned int nrings;
	pthread_t driver;
	bool have_driver;
	_Atomic uint64_t kill_sent, kill_full;
};

/* Run state shared by the threads (main.c). */
extern atomic_bool g_go, g_stop, g_stop_signals, g_failed;
extern int g_sigrtmin;

/* opts.c */
int cs_parse_opts(struct sopt_prog *p, struct cs_opts *o, int argc,
		  char **argv);
void cs_prog_init(struct sopt_prog *p, struct cs_opts *o);
unsigned int cs_max_size(const struct cs_opts *o);
/* What one ring of @o takes in memory, guard pages included. */
uint64_t cs_ring_bytes(const struct cs_opts *o);

/* writers.c */
void *cs_producer_main(void *arg);
void *cs_intruder_main(void *arg);
void *cs_driver_main(void *arg);
void cs_ring_wakeup(struct uprb_ring *rb, void *arg);
void cs_level_sigset(sigset_t *set, int upto);
int cs_install_handlers(void);
void cs_wait_go(void);
uint64_t cs_rng_seed(uint64_t seed, unsigned int role, unsigned int ring,
		     unsigned int level);

/* consumer.c */
void *cs_consumer_main(void *arg);
void cs_ring_fail(struct ring_ctx *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ring.c */
int cs_ring_setup(struct world *w, struct ring_ctx *r, unsigned int idx);
void cs_ring_final_checks(struct ring_ctx *r);
void cs_ring_teardown(struct ring_ctx *r);

/* report.c */
void cs_print_header(const struct world *w, const struct sopt_prog *p);
void cs_progress(struct world *w, double t, uint64_t *last_records,
		 double *last_t);
void cs_print_summary(struct world *w, double secs);

/* Single-writer counter: relaxed load and store, safe against readers. */
static inline void cs_count(_Atomic uint64_t *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

static inline uint64_t cs_peek(_Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static inline void cs_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

#endif /* CORE_STRESS_H */
