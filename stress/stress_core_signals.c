/* SPDX-License-Identifier: MIT */
/*
 * stress_core_signals.c - uprb-stress-core: the native core under real
 * threads and real signals, the way the kernel's ring meets NMIs.
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
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "uprb/uprb.h"
#include "uprb/uprb_check.h"
#include "uprb/uprb_reader.h"

/* glibc 2.36 has the field of SIGEV_THREAD_ID but not its name. */
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

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

#define NLEVELS UPRB_LEVEL_COUNT
/* Negative control: the second writer thread is a fifth source. */
#define INTRUDER_SOURCE NLEVELS
#define NSOURCES (NLEVELS + 1)
#define MAX_RINGS 64
#define MAX_SIZES 64
/* --wakeup: longest sleep on the eventfd, so that the end is noticed. */
#define WAKE_TIMEOUT_MS 10
/* Backward --poll: mean run time between two pause-read windows. */
#define CYCLE_NS 2000000ull
/* Consumer: publish progress figures every so many records. */
#define PUBLISH_EVERY 4096u
/* Empty polls before a busy consumer yields (2 CPUs, 2N busy threads). */
#define SPINS_BEFORE_YIELD 64

enum { EXIT_FAILED = 1, EXIT_USAGE = 2 };
enum { SIGNAL_TIMER = 1, SIGNAL_KILL = 2, SIGNAL_BOTH = 3 };

static const char *const level_name[NLEVELS] = {
	"task", "softirq", "hardirq", "nmi",
};

struct opts {
	double duration;
	unsigned int rings;
	uint32_t pages;
	uint32_t page_size;
	unsigned int sizes[MAX_SIZES];  /* list, or [0]..[1] as a range */
	unsigned int nsizes;
	bool size_range;
	const char *sizes_arg;
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
	const struct opts *o;
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
	char first[256];                /* ... and the first of them */
};

struct world {
	struct opts o;
	struct ring_ctx *rings;
	unsigned int nrings;
	pthread_t driver;
	bool have_driver;
	_Atomic uint64_t kill_sent, kill_full;
};

static atomic_bool g_go, g_stop, g_stop_signals, g_failed;
static int g_sigrtmin;
/* The ring whose producer runs on this thread; NULL elsewhere. */
static __thread struct ring_ctx *self;

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct timespec ns_to_ts(uint64_t ns)
{
	return (struct timespec){ .tv_sec = (time_t)(ns / 1000000000ull),
				  .tv_nsec = (long)(ns % 1000000000ull) };
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = ns_to_ts(ns);

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Per-thread PRNG state from the run's seed and a thread/level role. */
static uint64_t rng_seed(uint64_t seed, unsigned int role, unsigned int ring,
			 unsigned int level)
{
	uint64_t s = splitmix64(seed ^ splitmix64((uint64_t)role << 32 |
						  ring << 8 | level));

	return s ? s : 1;
}

/* xorshift64*: signal-safe, one word of state. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Uniform in [0, 1). */
static double rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) * 0x1p-53;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/* Single-writer counter: relaxed load and store, safe against readers. */
static inline void count(_Atomic uint64_t *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

static inline uint64_t peek(_Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* Record a failure on @r (consumer or main, never a writer). */
__attribute__((format(printf, 2, 3)))
static void ring_fail(struct ring_ctx *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->failures++) {
		va_start(ap, fmt);
		vsnprintf(r->first, sizeof(r->first), fmt, ap);
		va_end(ap);
	}
	atomic_store_explicit(&g_failed, true, memory_order_relaxed);
}

/* ------------------------------------------------------------------------ */
/* Writers: the producer thread, its handlers, the intruder                 */
/* ------------------------------------------------------------------------ */

static unsigned int pick_size(const struct opts *o, uint64_t *rng)
{
	uint64_t x = rng_next(rng);

	if (o->size_range)
		return o->sizes[0] +
		       8u * (unsigned int)(x % ((o->sizes[1] - o->sizes[0]) / 8 + 1));
	return o->sizes[x % o->nsizes];
}

/*
 * One record of @lv. Return: true if it was dropped.
 * Context: writer (task or handler); signal-safe.
 */
static bool write_record(struct ring_ctx *r, struct level *lv, int level,
			 uint16_t source, unsigned int size)
{
	uint64_t seq = atomic_load_explicit(&lv->attempted, memory_order_relaxed);

	/* Counted before the write: a drop inside it is still an attempt. */
	atomic_store_explicit(&lv->attempted, seq + 1, memory_order_relaxed);
	if (uprb_synth_write(r->rb, &lv->src, size, source, (uint8_t)level,
			     (uint8_t)r->idx, (uint32_t)seq)) {
		count(&lv->dropped);
		return true;
	}
	return false;
}

/*
 * A write on the producer thread, at @level (task or a handler).
 *
 * Overwrite rings have no tail to stop a writer, so nested writers that
 * reserve more than a ring's worth while the outermost one is still
 * copying lap its reservation, and its late copy then lands on newer
 * records. The kernel has the same property; there a writer is interrupted
 * by a few events, here a burst of queued real-time signals (a producer
 * that was off the CPU) can write dozens of records at one point. So in
 * overwrite mode nested writes stop at lap_budget bytes per outermost
 * write; the rest are skipped (not attempted, no sequence number used).
 */
static bool producer_write(struct ring_ctx *r, int level)
{
	struct level *lv = &r->lv[level];
	unsigned int size = pick_size(r->o, &lv->rng);

	if (r->depth) {
		count(&lv->inside);
		/* An atomic add: a higher level may interrupt ours. */
		if (r->lap_budget &&
		    atomic_fetch_add_explicit(&r->nested_bytes,
					      size + UPRB_LOST_RECORD_SIZE,
					      memory_order_relaxed) +
		    size + UPRB_LOST_RECORD_SIZE > r->lap_budget) {
			count(&lv->skipped);
			return false;
		}
	} else if (r->lap_budget) {
		atomic_store_explicit(&r->nested_bytes, 0,
				      memory_order_relaxed);
	}
	/* LIFO: a handler between our load and store restores depth first. */
	bool dropped;

	r->depth++;
	dropped = write_record(r, lv, level, (uint16_t)level, size);
	r->depth--;
	return dropped;
}

/*
 * The handler of softirq, hardirq and NMI alike: the level is the signal.
 * Whatever it calls is async-signal-safe (the writer allocates nothing and
 * leaves errno alone, the wake-up callback does one write(2)); errno is
 * saved anyway, since the interrupted code may be between a call and its
 * errno check.
 */
static void level_handler(int sig)
{
	int saved_errno = errno;
	struct ring_ctx *r = self;
	int level = sig - g_sigrtmin;

	if (r && level > UPRB_LEVEL_TASK && level < NLEVELS)
		producer_write(r, level);
	errno = saved_errno;
}

/*
 * The ring's wake-up callback, from the outermost writer's end: a handler
 * can be outermost too, and can interrupt another call of this function,
 * hence an atomic add rather than count().
 */
static void ring_wakeup(struct uprb_ring *rb, void *arg)
{
	struct ring_ctx *r = arg;
	uint64_t one = 1;

	(void)rb;
	atomic_fetch_add_explicit(&r->wakeups, 1, memory_order_relaxed);
	if (r->efd >= 0) {
		int saved_errno = errno;

		/* Nonblocking; the counter cannot fill up in a run. */
		if (write(r->efd, &one, sizeof(one)) < 0)
			(void)0;
		errno = saved_errno;
	}
}

static void level_sigset(sigset_t *set, int upto)
{
	sigemptyset(set);
	for (int l = UPRB_LEVEL_SOFTIRQ; l <= upto; l++)
		sigaddset(set, g_sigrtmin + l);
}

static void wait_go(void)
{
	while (!atomic_load_explicit(&g_go, memory_order_acquire))
		sched_yield();
}

/* Arm one timer per level at the producer thread. Return: 0 or errno. */
static int arm_timers(struct ring_ctx *r, timer_t *timers, int *ntimers,
		      double rate)
{
	uint64_t period = (uint64_t)(1e9 / rate);
	uint64_t rng = rng_seed(r->o->seed, 3, r->idx, 0);

	if (!period)
		period = 1;
	for (int l = UPRB_LEVEL_SOFTIRQ; l < NLEVELS; l++) {
		struct sigevent sev = {
			.sigev_notify = SIGEV_THREAD_ID,
			.sigev_signo = g_sigrtmin + l,
		};
		struct itimerspec its;
		/* Start the levels out of phase, so that they nest. */
		uint64_t first = period / 2 + (uint64_t)(rng_unit(&rng) * period);

		sev.sigev_notify_thread_id = gettid();
		if (timer_create(CLOCK_MONOTONIC, &sev, &timers[*ntimers]))
			return errno;
		(*ntimers)++;
		its.it_interval = ns_to_ts(period);
		its.it_value = ns_to_ts(first ? first : 1);
		if (timer_settime(timers[*ntimers - 1], 0, &its, NULL))
			return errno;
	}
	return 0;
}

static void *producer_main(void *arg)
{
	struct ring_ctx *r = arg;
	const struct opts *o = r->o;
	timer_t timers[NLEVELS];
	uint64_t acked = 0;
	unsigned int spins = 0;
#if UNDER_TSAN
	unsigned int iter = 0;
#endif
	int ntimers = 0;
	sigset_t set;

	/* Before any signal can reach this thread: the handlers look here. */
	self = r;
	wait_go();
	if ((o->signal & SIGNAL_TIMER) && o->signal_rate > 0) {
		double rate = o->signal == SIGNAL_BOTH ? o->signal_rate / 2 :
			      o->signal_rate;

		r->timer_err = arm_timers(r, timers, &ntimers, rate);
	}
	level_sigset(&set, NLEVELS - 1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	while (!atomic_load_explicit(&g_stop, memory_order_relaxed)) {
		/*
		 * Between two task-level writes no writer of this CPU is in
		 * flight (handlers finish before we get back here): the
		 * point at which a pause has surely taken effect.
		 */
		uint64_t req = atomic_load_explicit(&r->pause_req,
						    memory_order_acquire);

		if (req != acked) {
			acked = req;
			atomic_store_explicit(&r->pause_ack, req,
					      memory_order_release);
		}
		if (producer_write(r, UPRB_LEVEL_TASK) && r->o->backoff) {
			/*
			 * A full ring. Every failed attempt publishes data_head
			 * again, so hammering it keeps the consumer's line
			 * busy and the ring full; back off (doubling, capped)
			 * so that records keep flowing.
			 */
			spins = spins ? 2 * spins : 16;
			if (spins > r->o->backoff)
				spins = r->o->backoff;
			for (unsigned int i = 0; i < spins; i++)
				cpu_relax();
		} else {
			spins = 0;
		}
#if UNDER_TSAN
		/*
		 * TSan runs deferred handlers with every signal blocked and,
		 * after bursts of queued pthread_kill() signals, can leave
		 * the thread so (SigBlk all ones in /proc: no handler ever
		 * again). Task context is where all levels are open, so
		 * saying so again here is always right.
		 */
		if (!(++iter & 1023))
			pthread_sigmask(SIG_UNBLOCK, &set, NULL);
#endif
	}

	for (int i = 0; i < ntimers; i++)
		timer_delete(timers[i]);
	/* From here no handler runs here: the counts are final. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	/* Orders the counts and the last data_head store before done. */
	atomic_store_explicit(&r->producer_done, true, memory_order_release);
	return NULL;
}

/*
 * Negative control: a second real thread writing the same ring. The kernel
 * forbids this (docs/ring.md#52-one-cpu-writes-a-ring); nest and the unlocked
 * head cmpxchg are then no longer atomic against the other writer.
 */
static void *intruder_main(void *arg)
{
	struct ring_ctx *r = arg;

	wait_go();
	while (!atomic_load_explicit(&g_stop, memory_order_relaxed))
		write_record(r, &r->intr, UPRB_LEVEL_TASK, INTRUDER_SOURCE,
			     pick_size(r->o, &r->intr.rng));
	atomic_store_explicit(&r->intruder_done, true, memory_order_release);
	return NULL;
}

/* pthread_kill() driver: every level of every producer at its rate. */
static void *driver_main(void *arg)
{
	struct world *w = arg;
	unsigned int n = w->nrings * (NLEVELS - 1);
	double rate = w->o.signal == SIGNAL_BOTH ? w->o.signal_rate / 2 :
		      w->o.signal_rate;
	uint64_t period = (uint64_t)(1e9 / rate);
	uint64_t rng = rng_seed(w->o.seed, 4, 0, 0);
	uint64_t *next = calloc(n, sizeof(*next));
	uint64_t now;

	if (!period)
		period = 1;
	if (!next)
		return NULL;
	now = mono_ns();
	for (unsigned int i = 0; i < n; i++)
		next[i] = now + (uint64_t)(rng_unit(&rng) * period);
	while (!atomic_load_explicit(&g_stop_signals, memory_order_relaxed)) {
		uint64_t soonest = now + 100000000ull;
		struct timespec ts;

		now = mono_ns();
		for (unsigned int i = 0; i < n; i++) {
			struct ring_ctx *r = &w->rings[i / (NLEVELS - 1)];
			int sig = g_sigrtmin + 1 + (int)(i % (NLEVELS - 1));

			if (next[i] <= now) {
				/* RT signals queue; EAGAIN: the queue is full. */
				if (pthread_kill(r->producer, sig) == EAGAIN)
					count(&w->kill_full);
				else
					count(&w->kill_sent);
				/* Jittered, mean period: land anywhere in a write. */
				next[i] += (uint64_t)((0.5 + rng_unit(&rng)) *
						      period);
				/* Far behind (sleep overshoot): do not burst. */
				if (next[i] + 16 * period < now)
					next[i] = now + period;
			}
			if (next[i] < soonest)
				soonest = next[i];
		}
		ts = ns_to_ts(soonest);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
	free(next);
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Consumer                                                                 */
/* ------------------------------------------------------------------------ */

static bool writers_done(struct ring_ctx *r)
{
	return atomic_load_explicit(&r->producer_done, memory_order_acquire) &&
	       (!r->have_intruder ||
		atomic_load_explicit(&r->intruder_done, memory_order_acquire));
}

/*
 * The reader's pause callback (backward reading). The pause itself is one
 * store, as PERF_EVENT_IOC_PAUSE_OUTPUT is; a writer already past its
 * paused check still finishes its record. On an overwrite ring that record
 * lands on the oldest data of the window about to be read, so there we
 * also wait until the producer passes a task-level write boundary, where
 * none of its writers is in flight: every record then read must be valid.
 */
static int reader_pause(void *arg, bool pause)
{
	struct ring_ctx *r = arg;
	int err = uprb_ring_pause(r->rb, pause);
	uint64_t req;
	int spins = 0;

	if (!pause)
		return err;
	r->pauses++;
	if (!r->o->overwrite)
		return err;
	/* Orders the paused store before the request (the producer acquires). */
	req = atomic_fetch_add_explicit(&r->pause_req, 1,
					memory_order_release) + 1;
	while (atomic_load_explicit(&r->pause_ack, memory_order_acquire) < req &&
	       !atomic_load_explicit(&r->producer_done, memory_order_acquire)) {
		if (++spins > SPINS_BEFORE_YIELD)
			sched_yield();
		else
			cpu_relax();
	}
	return err;
}

static void publish(struct ring_ctx *r)
{
	uint64_t delivered = 0;

	for (int l = 0; l < NLEVELS; l++) {
		uint64_t n = 0;

		for (int s = 0; s < NSOURCES; s++)
			n += r->c.streams[s * UPRB_LEVEL_COUNT + l].delivered;
		atomic_store_explicit(&r->pub_level[l], n, memory_order_relaxed);
		delivered += n;
	}
	atomic_store_explicit(&r->pub_records, delivered, memory_order_relaxed);
	atomic_store_explicit(&r->pub_lost, r->c.lost_sum, memory_order_relaxed);
	atomic_store_explicit(&r->pub_failures, r->failures,
			      memory_order_relaxed);
}

/*
 * The checker, plus what only this harness knows: a synthetic record says
 * which ring (cpu) and which source wrote it, and source = level here
 * (the intruder writes at task level).
 */
static void check_one(struct ring_ctx *r, const struct perf_event_header *ev,
		      uint64_t pos)
{
	struct uprb_synth s;
	unsigned int level, cpu;

	if (uprb_check_record(&r->c, ev, pos)) {
		ring_fail(r, "ring %u: %s", r->idx, r->c.what);
		return;
	}
	if (ev->type != UPRB_RECORD_SYNTH)
		return;
	memcpy(&s, ev, sizeof(s));
	level = s.header.misc & 0xff;
	cpu = s.header.misc >> 8;
	if (cpu != r->idx ||
	    (s.source != level &&
	     !(s.source == INTRUDER_SOURCE && level == UPRB_LEVEL_TASK)))
		ring_fail(r, "ring %u: pos %" PRIu64 ": record of cpu %u "
			  "source %u level %u (seq %" PRIu32 ") in the wrong "
			  "place", r->idx, pos, cpu, s.source, level, s.seq);
}

/* Nothing to read: wait in the way the options say. */
static void consumer_idle(struct ring_ctx *r, int *spins)
{
	if (r->o->wakeup) {
		struct pollfd pfd = { .fd = r->efd, .events = POLLIN };
		uint64_t v;
		int n = poll(&pfd, 1, WAKE_TIMEOUT_MS);

		if (n > 0 && read(r->efd, &v, sizeof(v)) == sizeof(v))
			r->woken++;
		else if (n == 0)
			r->timeouts++;
		return;
	}
	if (r->o->backward) {
		/* Each window pauses the writer: let it run in between. */
		sleep_ns(CYCLE_NS / 2 + (uint64_t)(rng_unit(&r->rng) * CYCLE_NS));
		return;
	}
	if (++*spins > SPINS_BEFORE_YIELD) {
		*spins = 0;
		sched_yield();
	} else {
		cpu_relax();
	}
}

static void *consumer_main(void *arg)
{
	struct ring_ctx *r = arg;
	struct uprb_reader_opts ro = {
		.sz = sizeof(ro),
		.overwrite = r->o->overwrite,
		.backward = r->o->backward,
		.pause = reader_pause,
		.pause_arg = r,
	};
	/* Give space back in quarters of the ring, at most 16 KiB apart. */
	uint64_t consume_every = r->rb->data_size / 4 < 16384 ?
				 r->rb->data_size / 4 : 16384;
	const struct perf_event_header *ev;
	struct uprb_reader rd;
	uint64_t since = 0;
	uint32_t unpublished = 0;
	int spins = 0, rc;

	rc = uprb_reader_init(&rd, uprb_ring_base(r->rb), uprb_ring_len(r->rb),
			      &ro);
	if (rc) {
		ring_fail(r, "ring %u: reader init: %s", r->idx,
			  uprb_read_strerror(rc));
		return NULL;
	}
	wait_go();
	for (;;) {
		/*
		 * done before data_head: if the writers had finished before
		 * this load, the head read below covers all their records.
		 */
		bool fin = writers_done(r);

		rc = uprb_read_init(&rd);
		if (rc == -EAGAIN) {
			if (fin)
				break;
			consumer_idle(r, &spins);
			continue;
		}
		spins = 0;
		if (!rc) {
			r->windows++;
			while ((rc = uprb_read_event(&rd, &ev)) == 1) {
				check_one(r, ev, rd.start - ev->size);
				since += ev->size;
				if (since >= consume_every) {
					uprb_consume(&rd);
					since = 0;
				}
				if (++unpublished >= PUBLISH_EVERY) {
					publish(r);
					unpublished = 0;
				}
			}
			uprb_consume(&rd);
			since = 0;
			uprb_read_done(&rd);
		}
		if (rc) {
			/* Sticky: report, skip to data_head, go on. */
			r->read_errors++;
			ring_fail(r, "ring %u: reader: %s (%d) at %" PRIu64
				  ", data_head %" PRIu64, r->idx,
				  uprb_read_strerror(rc), rc, rd.start,
				  (uint64_t)rd.head);
			uprb_read_resync(&rd);
			r->resyncs++;
		}
		publish(r);
		unpublished = 0;
		if (r->o->backward && !r->o->wakeup && !fin)
			consumer_idle(r, &spins);
	}
	publish(r);
	uprb_reader_fini(&rd);
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Options                                                                  */
/* ------------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: uprb-stress-core [options]\n"
		"  --duration S       seconds to run (default 10)\n"
		"  --rings N          rings, one producer and one consumer each\n"
		"                     (default: the number of online CPUs)\n"
		"  --pages N          data pages per ring, a power of two (default 4)\n"
		"  --page-size B      page (chunk) size, a power of two >= 64 (default 4096)\n"
		"  --sizes LIST|A-B   record sizes: a list (16,40,256) or a range of\n"
		"                     multiples of 8 (16-512, the default); each >= 16\n"
		"  --signal MODE      timer, kill or both (default both: half each)\n"
		"  --signal-rate R    signals per second per level per ring (default\n"
		"                     2000; 0: no signals)\n"
		"  --forward          forward ring (default)\n"
		"  --backward         backward ring, read newest first in pause-read cycles\n"
		"  --overwrite        overwrite ring (needs --backward); checks record\n"
		"                     validity only, not conservation\n"
		"  --poll             consumer polls (default)\n"
		"  --wakeup           consumer sleeps on the ring's wake-up (an eventfd)\n"
		"  --seed N           seed of all randomness (default: from the clock)\n"
		"  --negative-control a second thread writes ring 0 as well: the run\n"
		"                     passes only if that corruption is detected\n"
		"  --backoff N        after a task-level drop, pause up to N spins\n"
		"                     (doubling from 16) before the next write\n"
		"                     (default 4096; 0: hammer the full ring)\n");
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && end != s && !*end && s[0] != '-';
}

static bool parse_double(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return !errno && end != s && !*end && *v >= 0;
}

static bool size_ok(unsigned long v)
{
	return v >= UPRB_SYNTH_MIN_SIZE && v <= UPRB_MAX_RECORD && !(v & 7);
}

static bool parse_sizes(const char *arg, struct opts *o)
{
	const char *p = arg;
	unsigned long a, b;
	char *end;

	errno = 0;
	a = strtoul(p, &end, 10);
	if (!errno && end != p && *end == '-' && p[0] != '-') {
		p = end + 1;
		b = strtoul(p, &end, 10);
		if (errno || end == p || *end || !size_ok(a) || !size_ok(b) ||
		    b < a)
			return false;
		o->sizes[0] = (unsigned int)a;
		o->sizes[1] = (unsigned int)b;
		o->nsizes = 2;
		o->size_range = true;
		return true;
	}
	o->nsizes = 0;
	o->size_range = false;
	for (p = arg;; p = end + 1) {
		errno = 0;
		a = strtoul(p, &end, 10);
		if (errno || end == p || p[0] == '-' || !size_ok(a) ||
		    o->nsizes == MAX_SIZES || (*end && *end != ','))
			return false;
		o->sizes[o->nsizes++] = (unsigned int)a;
		if (!*end)
			return true;
	}
}

static unsigned int max_size(const struct opts *o)
{
	unsigned int m = 0;

	for (unsigned int i = 0; i < o->nsizes; i++)
		if (o->sizes[i] > m)
			m = o->sizes[i];
	return m;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	enum { O_DURATION = 256, O_RINGS, O_PAGES, O_PAGE_SIZE, O_SIZES,
	       O_SIGNAL, O_RATE, O_FORWARD, O_BACKWARD, O_OVERWRITE, O_POLL,
	       O_WAKEUP, O_SEED, O_NEGATIVE, O_BACKOFF };
	static const struct option longopts[] = {
		{ "duration", required_argument, NULL, O_DURATION },
		{ "rings", required_argument, NULL, O_RINGS },
		{ "pages", required_argument, NULL, O_PAGES },
		{ "page-size", required_argument, NULL, O_PAGE_SIZE },
		{ "sizes", required_argument, NULL, O_SIZES },
		{ "signal", required_argument, NULL, O_SIGNAL },
		{ "signal-rate", required_argument, NULL, O_RATE },
		{ "forward", no_argument, NULL, O_FORWARD },
		{ "backward", no_argument, NULL, O_BACKWARD },
		{ "overwrite", no_argument, NULL, O_OVERWRITE },
		{ "poll", no_argument, NULL, O_POLL },
		{ "wakeup", no_argument, NULL, O_WAKEUP },
		{ "seed", required_argument, NULL, O_SEED },
		{ "negative-control", no_argument, NULL, O_NEGATIVE },
		{ "backoff", required_argument, NULL, O_BACKOFF },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	bool seeded = false;
	int ch, idx = 0;
	uint64_t v;

	*o = (struct opts){
		.duration = 10,
		.rings = ncpu > 0 ? (ncpu > MAX_RINGS ? MAX_RINGS :
				     (unsigned int)ncpu) : 1,
		.pages = 4,
		.page_size = UPRB_DEFAULT_PAGE_SIZE,
		.sizes = { 16, 512 },
		.nsizes = 2,
		.size_range = true,
		.sizes_arg = "16-512",
		.backoff = 4096,
		.signal = SIGNAL_BOTH,
		.signal_rate = 2000,
	};
	while ((ch = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
		switch (ch) {
		case O_DURATION:
			if (!parse_double(optarg, &o->duration) ||
			    o->duration <= 0)
				goto bad;
			break;
		case O_RINGS:
			if (!parse_u64(optarg, &v) || !v || v > MAX_RINGS)
				goto bad;
			o->rings = (unsigned int)v;
			break;
		case O_PAGES:
			if (!parse_u64(optarg, &v) || !v || v > 1u << 20 ||
			    (v & (v - 1)))
				goto bad;
			o->pages = (uint32_t)v;
			break;
		case O_PAGE_SIZE:
			if (!parse_u64(optarg, &v) || v < UPRB_MIN_PAGE_SIZE ||
			    v > 1u << 24 || (v & (v - 1)))
				goto bad;
			o->page_size = (uint32_t)v;
			break;
		case O_SIZES:
			if (!parse_sizes(optarg, o))
				goto bad;
			o->sizes_arg = optarg;
			break;
		case O_SIGNAL:
			if (!strcmp(optarg, "timer"))
				o->signal = SIGNAL_TIMER;
			else if (!strcmp(optarg, "kill"))
				o->signal = SIGNAL_KILL;
			else if (!strcmp(optarg, "both"))
				o->signal = SIGNAL_BOTH;
			else
				goto bad;
			break;
		case O_RATE:
			if (!parse_double(optarg, &o->signal_rate) ||
			    o->signal_rate > 1e6)
				goto bad;
			break;
		case O_FORWARD:
			o->backward = false;
			break;
		case O_BACKWARD:
			o->backward = true;
			break;
		case O_OVERWRITE:
			o->overwrite = true;
			break;
		case O_POLL:
			o->wakeup = false;
			break;
		case O_WAKEUP:
			o->wakeup = true;
			break;
		case O_SEED:
			if (!parse_u64(optarg, &o->seed))
				goto bad;
			seeded = true;
			break;
		case O_NEGATIVE:
			o->negative = true;
			break;
		case O_BACKOFF:
			if (!parse_u64(optarg, &v) || v > 1u << 24)
				goto bad;
			o->backoff = (unsigned int)v;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "uprb-stress-core: unexpected argument '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	if (o->overwrite && !o->backward) {
		fprintf(stderr, "uprb-stress-core: --overwrite needs --backward: a forward overwrite ring cannot be read reliably (docs/ring.md#35-forward-overwrite-rings-cannot-be-read)\n");
		return -EINVAL;
	}
	/*
	 * The largest record with a LOST in front must fit with room to
	 * spare, or a non-overwrite ring drops it forever and an overwrite
	 * ring writes it over its own header
	 * (docs/ring.md#14-sizes-and-the-space-rule).
	 */
	if ((uint64_t)max_size(o) + UPRB_LOST_RECORD_SIZE + 8 >
	    (uint64_t)o->pages * o->page_size) {
		fprintf(stderr, "uprb-stress-core: record size %u (+ %u for a LOST) does not fit a %" PRIu64 "-byte ring\n",
			max_size(o), UPRB_LOST_RECORD_SIZE,
			(uint64_t)o->pages * o->page_size);
		return -EINVAL;
	}
	if (o->negative && o->rings != 1) {
		/* One ring, so that both writers of it get a CPU. */
		o->rings = 1;
	}
	if (!seeded) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		o->seed = (uint64_t)ts.tv_sec * 1000000007ull ^
			  (uint64_t)ts.tv_nsec ^ (uint64_t)getpid() << 32;
	}
	return 0;
bad:
	fprintf(stderr, "uprb-stress-core: bad value '%s' for --%s\n", optarg,
		longopts[idx].name);
	usage(stderr);
	return -EINVAL;
}

static const char *signal_name(int mode)
{
	return mode == SIGNAL_TIMER ? "timer" : mode == SIGNAL_KILL ? "kill" :
	       "both";
}

/* The command line that repeats this run. */
static void print_replay(FILE *f, const struct opts *o)
{
	fprintf(f, "replay: uprb-stress-core --duration %g --rings %u --pages %u --page-size %u --sizes %s --signal %s --signal-rate %g%s%s%s%s --backoff %u --seed %" PRIu64 "\n",
		o->duration, o->rings, o->pages, o->page_size, o->sizes_arg,
		signal_name(o->signal), o->signal_rate,
		o->backward ? " --backward" : " --forward",
		o->overwrite ? " --overwrite" : "",
		o->wakeup ? " --wakeup" : " --poll",
		o->negative ? " --negative-control" : "", o->backoff, o->seed);
}

/* ------------------------------------------------------------------------ */
/* Setup, run, summary                                                      */
/* ------------------------------------------------------------------------ */

static int install_handlers(void)
{
	for (int l = UPRB_LEVEL_SOFTIRQ; l < NLEVELS; l++) {
		struct sigaction sa = { .sa_handler = level_handler,
					.sa_flags = SA_RESTART };

		/* Block this level and every lower one: strict LIFO nesting. */
		level_sigset(&sa.sa_mask, l);
		if (sigaction(g_sigrtmin + l, &sa, NULL))
			return -errno;
	}
	return 0;
}

static int ring_setup(struct world *w, struct ring_ctx *r, unsigned int idx)
{
	const struct opts *o = &w->o;
	struct uprb_ring_opts ro = {
		.sz = sizeof(ro),
		.page_size = o->page_size,
		.nr_pages = o->pages,
		.overwrite = o->overwrite,
		.backward = o->backward,
		.wakeup = ring_wakeup,
		.wakeup_arg = r,
	};
	struct uprb_check_opts co = {
		.sz = sizeof(co),
		.nsources = NSOURCES,
		.order = o->backward || o->overwrite ?
			 UPRB_CHECK_ORDER_NONE : UPRB_CHECK_ORDER_ASCENDING,
	};
	static uint64_t lost_ids[MAX_RINGS][NSOURCES];
	int err;

	r->idx = idx;
	r->o = o;
	r->efd = -1;
	if (o->wakeup) {
		r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (r->efd < 0)
			return -errno;
	}
	err = uprb_ring_new(&r->rb, &ro);
	if (err)
		return err;
	/* Fault the data in now, not inside the first lap's writes. */
	for (uint32_t i = 0; i < r->rb->nr_pages; i++)
		memset(r->rb->data_pages[i], 0, r->rb->page_size);
	/* LOST ids name the emitting source: ring and level, never 0. */
	for (int l = 0; l < NSOURCES; l++) {
		struct level *lv = l < NLEVELS ? &r->lv[l] : &r->intr;

		lost_ids[idx][l] = (uint64_t)(idx + 1) << 8 | (unsigned int)l;
		uprb_source_init(&lv->src, lost_ids[idx][l], 0, false);
		lv->rng = rng_seed(o->seed, 1, idx, (unsigned int)l);
	}
	/*
	 * The outermost reservation (largest record + LOST) and what nests
	 * in it must together stay within the ring.
	 */
	if (o->overwrite)
		r->lap_budget = r->rb->data_size - max_size(o) -
				UPRB_LOST_RECORD_SIZE;
	co.lost_ids = lost_ids[idx];
	co.nlost_ids = NSOURCES;
	err = uprb_check_init(&r->c, &co);
	if (err)
		return err;
	r->have_check = true;
	r->rng = rng_seed(o->seed, 2, idx, 0);
	return 0;
}

static void ring_teardown(struct ring_ctx *r)
{
	if (r->have_check)
		uprb_check_fini(&r->c);
	uprb_ring_free(r->rb);
	if (r->efd >= 0)
		close(r->efd);
}

/* After every thread has ended: the end-of-run invariants of one ring. */
static void ring_final_checks(struct ring_ctx *r)
{
	uint64_t attempted = peek(&r->intr.attempted);
	uint64_t pending = r->rb->lost;
	uint64_t delivered = uprb_check_delivered(&r->c);

	for (int l = 0; l < NLEVELS; l++)
		attempted += peek(&r->lv[l].attempted);
	if (!r->o->overwrite) {
		if (uprb_check_conservation(&r->c, attempted, pending))
			ring_fail(r, "ring %u: %s", r->idx, r->c.what);
	} else if (delivered + r->c.lost_sum + pending > attempted) {
		/* Records may vanish in overwrite mode, never appear twice. */
		ring_fail(r, "ring %u: overwrite: delivered %" PRIu64
			  " + lost %" PRIu64 " + pending %" PRIu64
			  " > attempted %" PRIu64 ": a record read twice",
			  r->idx, delivered, r->c.lost_sum, pending, attempted);
	}
	/*
	 * Eventual publication and nest balance
	 * (docs/ring.md#63-eventual-publication, docs/ring.md#64-nest-balance).
	 */
	if (uprb_ring_check(r->rb))
		ring_fail(r, "ring %u: quiescent ring check: nest %" PRIu32
			  ", data_head %" PRIu64 ", head %" PRIu64, r->idx,
			  r->rb->nest, (uint64_t)r->rb->user_page->data_head,
			  (uint64_t)r->rb->head);
	/*
	 * Not an invariant of docs/ring.md#6-invariants (the kernel does the
	 * same), but worth saying: the wake-up stamp ahead of the bytes
	 * written means every reservation from then on signals a wake-up
	 * (docs/FINDINGS.md#stamp-runaway).
	 */
	r->stamp_lead = (int64_t)(r->rb->wakeup -
				  (r->o->backward ? -(uint64_t)r->rb->head :
				   (uint64_t)r->rb->head));
	if (r->timer_err)
		ring_fail(r, "ring %u: timer_create/settime: %s", r->idx,
			  strerror(r->timer_err));
}

struct totals {
	uint64_t attempted[NLEVELS], delivered[NLEVELS], dropped[NLEVELS];
	uint64_t inside[NLEVELS], skipped[NLEVELS];
	uint64_t records, wakeups, failures;
};

static void progress(struct world *w, double t, uint64_t *last_records,
		     double *last_t)
{
	uint64_t records = 0, nested = 0, handled = 0, lost = 0, wakeups = 0;
	uint64_t failures = 0;

	for (unsigned int i = 0; i < w->nrings; i++) {
		struct ring_ctx *r = &w->rings[i];

		records += peek(&r->pub_records);
		for (int l = UPRB_LEVEL_SOFTIRQ; l < NLEVELS; l++) {
			nested += peek(&r->pub_level[l]);
			handled += peek(&r->lv[l].attempted);
		}
		lost += peek(&r->pub_lost);
		wakeups += peek(&r->wakeups);
		failures += peek(&r->pub_failures);
	}
	fprintf(stderr, "[%5.1fs] %10.0f records/s  nested %" PRIu64
		" written, %" PRIu64 " delivered  lost %" PRIu64 "  wake-ups %"
		PRIu64 "  failures %" PRIu64 "\n", t,
		(double)(records - *last_records) / (t - *last_t), handled,
		nested, lost, wakeups, failures);
	*last_records = records;
	*last_t = t;
}

static void stop_threads(struct world *w)
{
	atomic_store(&g_stop_signals, true);
	if (w->have_driver)
		pthread_join(w->driver, NULL);
	w->have_driver = false;
	atomic_store(&g_stop, true);
	atomic_store(&g_go, true);
	for (unsigned int i = 0; i < w->nrings; i++) {
		struct ring_ctx *r = &w->rings[i];

		if (r->have_producer)
			pthread_join(r->producer, NULL);
		else
			atomic_store(&r->producer_done, true);
		if (r->have_intruder)
			pthread_join(r->intruder, NULL);
		else
			atomic_store(&r->intruder_done, true);
	}
	for (unsigned int i = 0; i < w->nrings; i++)
		if (w->rings[i].have_consumer)
			pthread_join(w->rings[i].consumer, NULL);
}

static int start_threads(struct world *w)
{
	int err;

	for (unsigned int i = 0; i < w->nrings; i++) {
		struct ring_ctx *r = &w->rings[i];

		err = pthread_create(&r->consumer, NULL, consumer_main, r);
		if (err)
			return -err;
		r->have_consumer = true;
		err = pthread_create(&r->producer, NULL, producer_main, r);
		if (err)
			return -err;
		r->have_producer = true;
		if (w->o.negative && i == 0) {
			r->have_intruder = true;
			err = pthread_create(&r->intruder, NULL, intruder_main,
					     r);
			if (err) {
				r->have_intruder = false;
				return -err;
			}
		}
	}
	if ((w->o.signal & SIGNAL_KILL) && w->o.signal_rate > 0) {
		err = pthread_create(&w->driver, NULL, driver_main, w);
		if (err)
			return -err;
		w->have_driver = true;
	}
	return 0;
}

static void print_header(const struct world *w)
{
	const struct opts *o = &w->o;

	printf("uprb-stress-core: %u ring%s of %u x %u B, %s %s, consumer %s, sizes %s\n",
	       o->rings, o->rings == 1 ? "" : "s", o->pages, o->page_size,
	       o->backward ? "backward" : "forward",
	       o->overwrite ? "overwrite" : "non-overwrite",
	       o->wakeup ? "sleeps on wake-ups" : "polls", o->sizes_arg);
	printf("  signals: %s, %g/s per level per ring (SIGRTMIN+1..+3 = softirq, hardirq, nmi), %g s, seed %" PRIu64 "\n",
	       o->signal_rate > 0 ? signal_name(o->signal) : "none",
	       o->signal_rate, o->duration, o->seed);
	if (o->negative)
		printf("  negative control: a second thread writes ring 0 concurrently; corruption must be detected\n");
	if (UNDER_TSAN)
		printf("  note: ThreadSanitizer delays signals to safe points: fewer writes are interrupted\n");
	fflush(stdout);
}

static void print_summary(struct world *w, double secs)
{
	struct totals t = { 0 };
	uint64_t bytes = 0, lost_records = 0, lost_sum = 0, pending = 0;
	uint64_t woken = 0, timeouts = 0, pauses = 0, intr = 0;

	for (unsigned int i = 0; i < w->nrings; i++) {
		struct ring_ctx *r = &w->rings[i];

		for (int l = 0; l < NLEVELS; l++) {
			t.attempted[l] += peek(&r->lv[l].attempted);
			t.dropped[l] += peek(&r->lv[l].dropped);
			t.inside[l] += peek(&r->lv[l].inside);
			t.skipped[l] += peek(&r->lv[l].skipped);
			for (int s = 0; s < NSOURCES; s++)
				t.delivered[l] += r->c.streams[s * UPRB_LEVEL_COUNT + l].delivered;
		}
		intr += peek(&r->intr.attempted);
		t.records += uprb_check_delivered(&r->c);
		bytes += r->c.bytes;
		lost_records += r->c.lost_records;
		lost_sum += r->c.lost_sum;
		pending += r->rb->lost;
		t.wakeups += peek(&r->wakeups);
		woken += r->woken;
		timeouts += r->timeouts;
		pauses += r->pauses;
		t.failures += r->failures;
	}
	if (secs <= 0)
		secs = 1e-9;
	printf("summary (%.2f s):\n", secs);
	printf("  delivered   %" PRIu64 " records (%.0f/s), %.1f MB (%.1f MB/s)\n",
	       t.records, (double)t.records / secs, (double)bytes / 1e6,
	       (double)bytes / 1e6 / secs);
	printf("  level       attempted   delivered     dropped   nested-in-a-write   attempts/s\n");
	for (int l = 0; l < NLEVELS; l++)
		printf("  %-8s %12" PRIu64 " %11" PRIu64 " %11" PRIu64
		       " %19" PRIu64 " %12.0f\n", level_name[l],
		       t.attempted[l], t.delivered[l], t.dropped[l],
		       t.inside[l], (double)t.attempted[l] / secs);
	if (w->o.negative)
		printf("  intruder %12" PRIu64 " attempted (second writer of ring 0)\n",
		       intr);
	if (w->o.overwrite)
		printf("  skipped     %" PRIu64 " nested writes that would have lapped an in-flight write\n",
		       t.skipped[1] + t.skipped[2] + t.skipped[3]);
	printf("  nested      %" PRIu64 " records delivered from handlers\n",
	       t.delivered[1] + t.delivered[2] + t.delivered[3]);
	printf("  lost        %" PRIu64 " in %" PRIu64 " LOST records + %" PRIu64 " pending%s\n",
	       lost_sum, lost_records, pending,
	       w->o.overwrite ? " (overwritten records vanish uncounted)" : "");
	printf("  wake-ups    %" PRIu64 " signalled", t.wakeups);
	if (w->o.wakeup)
		printf(", consumer woken %" PRIu64 ", sleep timeouts %" PRIu64,
		       woken, timeouts);
	printf("\n");
	if (w->o.backward)
		printf("  pauses      %" PRIu64 " pause-read-resume windows\n",
		       pauses);
	if (w->o.signal & SIGNAL_KILL)
		printf("  kill        %" PRIu64 " sent, %" PRIu64 " refused (queue full)\n",
		       peek(&w->kill_sent), peek(&w->kill_full));
	printf("  checks      %s",
	       w->o.overwrite ? "record validity, nothing read twice" :
	       "conservation (attempted = delivered + LOST + pending)");
	printf(", quiescent ring state\n");
	for (unsigned int i = 0; i < w->nrings; i++)
		if (w->rings[i].stamp_lead > 0)
			printf("  note        ring %u: wake-up stamp %" PRId64
			       " B ahead of the bytes written (watermark %" PRIu64
			       "): every reservation now signals a wake-up\n",
			       i, w->rings[i].stamp_lead,
			       (uint64_t)w->rings[i].rb->watermark);
	printf("  invariant failures %" PRIu64 "\n", t.failures);
}

int main(int argc, char **argv)
{
	struct world *w;
	uint64_t t0, last_records = 0, failures = 0;
	double last_t = 0, secs;
	sigset_t set;
	int err;

	w = calloc(1, sizeof(*w));
	if (!w)
		return EXIT_USAGE;
	if (parse_opts(argc, argv, &w->o))
		return EXIT_USAGE;
	g_sigrtmin = SIGRTMIN;
	if (g_sigrtmin + NLEVELS - 1 > SIGRTMAX) {
		fprintf(stderr, "uprb-stress-core: not enough real-time signals\n");
		return EXIT_USAGE;
	}
	w->nrings = w->o.rings;
	w->rings = aligned_alloc(64, sizeof(*w->rings) * w->nrings);
	if (!w->rings)
		return EXIT_USAGE;
	memset(w->rings, 0, sizeof(*w->rings) * w->nrings);
	for (unsigned int i = 0; i < w->nrings; i++)
		w->rings[i].efd = -1;

	/* Every thread inherits this: only producers unblock the levels. */
	level_sigset(&set, NLEVELS - 1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	err = install_handlers();
	for (unsigned int i = 0; !err && i < w->nrings; i++)
		err = ring_setup(w, &w->rings[i], i);
	if (err) {
		fprintf(stderr, "uprb-stress-core: setup: %s\n", strerror(-err));
		return EXIT_USAGE;
	}
	print_header(w);
	err = start_threads(w);
	if (err) {
		fprintf(stderr, "uprb-stress-core: starting threads: %s\n",
			strerror(-err));
		stop_threads(w);
		return EXIT_USAGE;
	}

	t0 = mono_ns();
	atomic_store_explicit(&g_go, true, memory_order_release);
	for (unsigned int tick = 1;; tick++) {
		uint64_t until = t0 + (uint64_t)tick * 100000000ull;
		uint64_t end = t0 + (uint64_t)(w->o.duration * 1e9);
		uint64_t now = mono_ns();

		if (until > end)
			until = end;
		if (until > now)
			sleep_ns(until - now);
		now = mono_ns();
		if (now >= end)
			break;
		/* The negative control is over once it is detected. */
		if (w->o.negative &&
		    atomic_load_explicit(&g_failed, memory_order_relaxed))
			break;
		if (tick % 10 == 0)
			progress(w, (double)(now - t0) * 1e-9, &last_records,
				 &last_t);
	}
	stop_threads(w);
	secs = (double)(mono_ns() - t0) * 1e-9;

	for (unsigned int i = 0; i < w->nrings; i++) {
		ring_final_checks(&w->rings[i]);
		failures += w->rings[i].failures;
	}
	print_summary(w, secs);

	if (w->o.negative) {
		const char *what = "?";

		for (unsigned int i = 0; i < w->nrings; i++)
			if (w->rings[i].failures) {
				what = w->rings[i].first;
				break;
			}
		if (failures) {
			printf("negative control: corruption detected as expected: %s\n",
			       what);
			printf("result: ok (seed %" PRIu64 ")\n", w->o.seed);
		} else {
			printf("negative control: FAILED: two concurrent writers went undetected; the stress test could not fail\n");
			print_replay(stdout, &w->o);
			printf("result: FAIL (seed %" PRIu64 ")\n", w->o.seed);
		}
	} else if (failures) {
		for (unsigned int i = 0; i < w->nrings; i++)
			if (w->rings[i].failures)
				printf("FAIL  ring %u: %" PRIu64 " failure%s, first: %s\n",
				       i, w->rings[i].failures,
				       w->rings[i].failures == 1 ? "" : "s",
				       w->rings[i].first);
		print_replay(stdout, &w->o);
		printf("result: FAIL (seed %" PRIu64 ")\n", w->o.seed);
	} else {
		printf("result: ok (seed %" PRIu64 ")\n", w->o.seed);
	}

	if (w->o.negative)
		err = failures ? 0 : EXIT_FAILED;
	else
		err = failures ? EXIT_FAILED : 0;
	for (unsigned int i = 0; i < w->nrings; i++)
		ring_teardown(&w->rings[i]);
	free(w->rings);
	free(w);
	return err;
}
