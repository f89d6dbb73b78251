/* SPDX-License-Identifier: MIT */
/*
 * writers.c - the writers of uprb-stress-core: a ring's producer thread
 * (task level), its signal handlers (softirq, hardirq, NMI: nested writes),
 * the POSIX timers and the pthread_kill driver that send those signals, and
 * the negative control's second writer.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "core_stress.h"
#include "rng.h"

/* glibc 2.36 has the field of SIGEV_THREAD_ID but not its name. */
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

/* The ring whose producer runs on this thread; NULL elsewhere. */
static __thread struct ring_ctx *self;

static uint64_t rng_seed(uint64_t seed, unsigned int role, unsigned int ring,
			 unsigned int level)
{
	uint64_t s = stress_splitmix64(seed ^ stress_splitmix64((uint64_t)role << 32 |
								ring << 8 | level));

	return s ? s : 1;
}

static unsigned int pick_size(const struct cs_opts *o, uint64_t *rng)
{
	uint64_t x = stress_rng_next(rng);

	if (o->sizes.range)
		return o->sizes.v[0] +
		       8u * (unsigned int)(x % ((o->sizes.v[1] - o->sizes.v[0]) / 8 + 1));
	return o->sizes.v[x % o->sizes.n];
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
		cs_count(&lv->dropped);
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
	bool dropped;

	if (r->depth) {
		cs_count(&lv->inside);
		/* An atomic add: a higher level may interrupt ours. */
		if (r->lap_budget &&
		    atomic_fetch_add_explicit(&r->nested_bytes,
					      size + UPRB_LOST_RECORD_SIZE,
					      memory_order_relaxed) +
		    size + UPRB_LOST_RECORD_SIZE > r->lap_budget) {
			cs_count(&lv->skipped);
			return false;
		}
	} else if (r->lap_budget) {
		atomic_store_explicit(&r->nested_bytes, 0,
				      memory_order_relaxed);
	}
	/* LIFO: a handler between our load and store restores depth first. */
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
 * hence an atomic add rather than cs_count().
 */
void cs_ring_wakeup(struct uprb_ring *rb, void *arg)
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

void cs_level_sigset(sigset_t *set, int upto)
{
	sigemptyset(set);
	for (int l = UPRB_LEVEL_SOFTIRQ; l <= upto; l++)
		sigaddset(set, g_sigrtmin + l);
}

int cs_install_handlers(void)
{
	for (int l = UPRB_LEVEL_SOFTIRQ; l < NLEVELS; l++) {
		struct sigaction sa = { .sa_handler = level_handler,
					.sa_flags = SA_RESTART };

		/* Block this level and every lower one: strict LIFO nesting. */
		cs_level_sigset(&sa.sa_mask, l);
		if (sigaction(g_sigrtmin + l, &sa, NULL))
			return -errno;
	}
	return 0;
}

void cs_wait_go(void)
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
		uint64_t first = period / 2 +
				 (uint64_t)(stress_rng_unit(&rng) * (double)period);

		sev.sigev_notify_thread_id = gettid();
		if (timer_create(CLOCK_MONOTONIC, &sev, &timers[*ntimers]))
			return errno;
		(*ntimers)++;
		its.it_interval = stress_ns_to_ts(period);
		its.it_value = stress_ns_to_ts(first ? first : 1);
		if (timer_settime(timers[*ntimers - 1], 0, &its, NULL))
			return errno;
	}
	return 0;
}

/* A full ring: back off (doubling up to --backoff) so records keep flowing. */
static void back_off(const struct ring_ctx *r, unsigned int *spins)
{
	*spins = *spins ? 2 * *spins : 16;
	if (*spins > r->o->backoff)
		*spins = r->o->backoff;
	for (unsigned int i = 0; i < *spins; i++)
		cs_cpu_relax();
}

void *cs_producer_main(void *arg)
{
	struct ring_ctx *r = arg;
	const struct cs_opts *o = r->o;
	timer_t timers[NLEVELS];
	uint64_t acked = 0;
	unsigned int spins = 0, iter = 0;
	int ntimers = 0;
	sigset_t set;

	/* Before any signal can reach this thread: the handlers look here. */
	self = r;
	cs_wait_go();
	if ((o->signal & SIGNAL_TIMER) && o->signal_rate > 0)
		r->timer_err = arm_timers(r, timers, &ntimers,
					  o->signal == SIGNAL_BOTH ?
					  o->signal_rate / 2 : o->signal_rate);
	cs_level_sigset(&set, NLEVELS - 1);
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
		/*
		 * Every failed attempt publishes data_head again, so hammering
		 * a full ring keeps the consumer's line busy: back off.
		 */
		if (producer_write(r, UPRB_LEVEL_TASK) && o->backoff)
			back_off(r, &spins);
		else
			spins = 0;
		/*
		 * TSan runs deferred handlers with every signal blocked and,
		 * after bursts of queued pthread_kill() signals, can leave
		 * the thread so (SigBlk all ones in /proc: no handler ever
		 * again). Task context is where all levels are open, so
		 * saying so again here is always right.
		 */
		if (UNDER_TSAN && !(++iter & 1023))
			pthread_sigmask(SIG_UNBLOCK, &set, NULL);
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
 * forbids this (docs/ring.md#52-one-cpu-writes-a-ring); nest and the
 * unlocked head cmpxchg are then no longer atomic against the other writer.
 */
void *cs_intruder_main(void *arg)
{
	struct ring_ctx *r = arg;

	cs_wait_go();
	while (!atomic_load_explicit(&g_stop, memory_order_relaxed))
		write_record(r, &r->intr, UPRB_LEVEL_TASK, INTRUDER_SOURCE,
			     pick_size(r->o, &r->intr.rng));
	atomic_store_explicit(&r->intruder_done, true, memory_order_release);
	return NULL;
}

/* pthread_kill() driver: every level of every producer at its rate. */
void *cs_driver_main(void *arg)
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
	now = stress_mono_ns();
	for (unsigned int i = 0; i < n; i++)
		next[i] = now + (uint64_t)(stress_rng_unit(&rng) * (double)period);
	while (!atomic_load_explicit(&g_stop_signals, memory_order_relaxed)) {
		uint64_t soonest = now + 100000000ull;
		struct timespec ts;

		now = stress_mono_ns();
		for (unsigned int i = 0; i < n; i++) {
			struct ring_ctx *r = &w->rings[i / (NLEVELS - 1)];
			int sig = g_sigrtmin + 1 + (int)(i % (NLEVELS - 1));

			if (next[i] <= now) {
				/* RT signals queue; EAGAIN: the queue is full. */
				if (pthread_kill(r->producer, sig) == EAGAIN)
					cs_count(&w->kill_full);
				else
					cs_count(&w->kill_sent);
				/* Jittered, mean period: land anywhere in a write. */
				next[i] += (uint64_t)((0.5 + stress_rng_unit(&rng)) *
						      (double)period);
				/* Far behind (sleep overshoot): do not burst. */
				if (next[i] + 16 * period < now)
					next[i] = now + period;
			}
			if (next[i] < soonest)
				soonest = next[i];
		}
		ts = stress_ns_to_ts(soonest);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
	}
	free(next);
	return NULL;
}

/* The rng of level/role streams, for ring.c. */
uint64_t cs_rng_seed(uint64_t seed, unsigned int role, unsigned int ring,
		     unsigned int level)
{
	return rng_seed(seed, role, ring, level);
}
