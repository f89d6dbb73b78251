/* SPDX-License-Identifier: MIT */
/*
 * main.c - uprb-stress-core: set up the rings, start the threads, run for
 * --duration (or until SIGINT/SIGTERM), stop, check, report
 * (core_stress.h says what the program does).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "core_stress.h"
#include "result.h"
#include "stop.h"

atomic_bool g_go, g_stop, g_stop_signals, g_failed;
int g_sigrtmin;

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
	/* The have_ flags stay: the consumers read have_intruder until joined. */
	for (unsigned int i = 0; i < w->nrings; i++)
		if (w->rings[i].have_consumer)
			pthread_join(w->rings[i].consumer, NULL);
}

static int start_threads(struct world *w)
{
	int err;

	for (unsigned int i = 0; i < w->nrings; i++) {
		struct ring_ctx *r = &w->rings[i];

		err = pthread_create(&r->consumer, NULL, cs_consumer_main, r);
		if (err)
			return -err;
		r->have_consumer = true;
		err = pthread_create(&r->producer, NULL, cs_producer_main, r);
		if (err)
			return -err;
		r->have_producer = true;
		if (w->o.negative && i == 0) {
			err = pthread_create(&r->intruder, NULL, cs_intruder_main,
					     r);
			if (err)
				return -err;
			r->have_intruder = true;
		}
	}
	if ((w->o.signal & SIGNAL_KILL) && w->o.signal_rate > 0) {
		err = pthread_create(&w->driver, NULL, cs_driver_main, w);
		if (err)
			return -err;
		w->have_driver = true;
	}
	return 0;
}

/* Until --duration has passed, a stop is asked, or the control is done. */
static double run_for(struct world *w)
{
	uint64_t t0 = stress_mono_ns(), last_records = 0;
	uint64_t end = t0 + (uint64_t)(w->o.duration * 1e9);
	double last_t = 0;

	atomic_store_explicit(&g_go, true, memory_order_release);
	for (unsigned int tick = 1;; tick++) {
		uint64_t until = t0 + (uint64_t)tick * 100000000ull;
		uint64_t now = stress_mono_ns();

		if (until > end)
			until = end;
		if (until > now)
			stress_sleep_ns(until - now);
		now = stress_mono_ns();
		if (now >= end || stress_stopping())
			break;
		/* The negative control is over once it is detected. */
		if (w->o.negative &&
		    atomic_load_explicit(&g_failed, memory_order_relaxed))
			break;
		if (tick % 10 == 0)
			cs_progress(w, (double)(now - t0) * 1e-9, &last_records,
				    &last_t);
	}
	stop_threads(w);
	return (double)(stress_mono_ns() - t0) * 1e-9;
}

/* The last lines and the exit status, the negative control's included. */
static int conclude(struct world *w, const struct sopt_prog *p, double secs)
{
	struct stress_end e = { .seed = w->o.seed, .seeded = true,
				.signal = stress_stop_signal(), .secs = secs,
				.planned = w->o.duration };
	const char *first = NULL;

	for (unsigned int i = 0; i < w->nrings; i++) {
		e.failures += w->rings[i].failures;
		if (!first && w->rings[i].failures)
			first = w->rings[i].first;
	}
	e.first = first;
	if (w->o.negative && e.failures) {
		printf("negative control: corruption detected as expected: %s\n",
		       first);
		e.failures = 0;
		e.signal = 0;
		return stress_result(stdout, &e);
	}
	if (w->o.negative && !e.signal) {
		printf("negative control: FAILED: two concurrent writers went undetected; the stress test could not fail\n");
		e.failures = 1;
		e.first = "the negative control went undetected";
	}
	for (unsigned int i = 0; i < w->nrings && !w->o.negative; i++)
		if (w->rings[i].failures)
			printf("FAIL  ring %u: %" PRIu64 " failure%s, first: %s\n",
			       i, w->rings[i].failures,
			       w->rings[i].failures == 1 ? "" : "s",
			       w->rings[i].first);
	if (e.failures || e.signal)
		sopt_replay(p, stdout);
	return stress_result(stdout, &e);
}

/* Allocate and set up every ring. Return: 0, or an exit status (printed). */
static int setup(struct world *w)
{
	sigset_t set;
	int err;

	g_sigrtmin = SIGRTMIN;
	if (g_sigrtmin + NLEVELS - 1 > SIGRTMAX) {
		fprintf(stderr, "%s: not enough real-time signals\n", CS_NAME);
		return STRESS_EXIT_SKIP;
	}
	w->nrings = w->o.rings;
	w->rings = aligned_alloc(64, sizeof(*w->rings) * w->nrings);
	if (!w->rings) {
		fprintf(stderr, "%s: out of memory for %u rings\n", CS_NAME,
			w->nrings);
		return STRESS_EXIT_USAGE;
	}
	memset(w->rings, 0, sizeof(*w->rings) * w->nrings);
	for (unsigned int i = 0; i < w->nrings; i++)
		w->rings[i].efd = -1;
	/* Every thread inherits this: only producers unblock the levels. */
	cs_level_sigset(&set, NLEVELS - 1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	err = cs_install_handlers();
	for (unsigned int i = 0; !err && i < w->nrings; i++)
		err = cs_ring_setup(w, &w->rings[i], i);
	if (err) {
		fprintf(stderr, "%s: setup: %s\n", CS_NAME, strerror(-err));
		return STRESS_EXIT_USAGE;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct world *w = calloc(1, sizeof(*w));
	struct sopt_prog p;
	int rc;

	if (!w)
		return STRESS_EXIT_USAGE;
	cs_prog_init(&p, &w->o);
	rc = cs_parse_opts(&p, &w->o, argc, argv);
	if (rc) {
		free(w);
		return rc == SOPT_HELP ? 0 : rc;
	}
	/* Line by line, in order with stderr, when piped. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	stress_stop_install(CS_NAME);
	rc = setup(w);
	if (!rc) {
		cs_print_header(w, &p);
		rc = start_threads(w);
		if (rc) {
			fprintf(stderr, "%s: starting threads: %s\n", CS_NAME,
				strerror(-rc));
			stop_threads(w);
			rc = STRESS_EXIT_USAGE;
		}
	}
	if (!rc) {
		double secs = run_for(w);

		for (unsigned int i = 0; i < w->nrings; i++)
			cs_ring_final_checks(&w->rings[i]);
		cs_print_summary(w, secs);
		rc = conclude(w, &p, secs);
	}
	for (unsigned int i = 0; w->rings && i < w->nrings; i++)
		cs_ring_teardown(&w->rings[i]);
	free(w->rings);
	free(w);
	return rc;
}
