/* SPDX-License-Identifier: MIT */
/*
 * signal.c - the cost of a write from a signal handler (our NMI):
 * pthread_kill to self with an empty handler against a handler that
 * writes one 32-byte record; the difference of the two is the
 * signal-delivered write. Every record written is read back and verified.
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "bench.h"
#include "clock.h"
#include "rng.h"
#include "stats.h"
#include "stop.h"
#include "uprb/uprb_check.h"
#include "uprb/uprb_reader.h"

/* At least one signal per batch. */
#define SIG_BATCHES_MIN 1u

static struct uprb_ring *sig_rb;
static struct uprb_source sig_src;
static const unsigned char *sig_rec;
static volatile sig_atomic_t sig_write;

static void sig_handler(int sig)
{
	struct uprb_handle h;

	(void)sig;
	if (!sig_write)
		return;
	/* A refusal is counted in rb->lost and fails the test below. */
	if (uprb_output_begin(&h, sig_rb, &sig_src, SIG_RECORD))
		return;
	uprb_output_copy(&h, sig_rec, SIG_RECORD);
	uprb_output_end(&h);
}

/* Read and verify every record the handler wrote; give the space back. */
static uint64_t sig_drain(struct uprb_reader *rd, uint64_t *failures)
{
	const struct perf_event_header *ev;
	struct uprb_synth_info info;
	uint64_t n = 0;
	int rc;

	if (uprb_read_init(rd))
		return 0;
	while ((rc = uprb_read_event(rd, &ev)) == 1) {
		if (uprb_synth_verify(ev, &info, NULL) || info.size != SIG_RECORD)
			(*failures)++;
		n++;
	}
	if (rc)
		(*failures)++;
	uprb_consume(rd);
	uprb_read_done(rd);
	return n;
}

/*
 * ns per pthread_kill to self, @count signals in batches that fit the ring
 * (drained, untimed, between batches).
 */
static double sig_time(struct uprb_reader *rd, uint64_t count, bool write,
		       uint64_t batch, struct sig_result *res)
{
	pthread_t self = pthread_self();
	double secs = 0;

	sig_write = write;
	for (uint64_t done = 0; done < count && !stress_stopping();) {
		uint64_t n = count - done < batch ? count - done : batch;
		double t0 = stress_now();

		for (uint64_t i = 0; i < n; i++)
			pthread_kill(self, SIGUSR1);
		secs += stress_now() - t0;
		done += n;
		res->delivered += sig_drain(rd, &res->failures);
	}
	sig_write = 0;
	return secs * 1e9 / (double)count;
}

int bench_signal(const struct bench_opts *o, unsigned int rounds,
		 uint64_t *rng, struct sig_result *res)
{
	static _Alignas(64) unsigned char rec[SIG_RECORD];
	struct uprb_reader_opts rdo = { .sz = sizeof(rdo) };
	struct sigaction sa, old;
	struct uprb_reader rd;
	uint64_t batch, want = 0;
	unsigned int done = 0;
	int err;

	err = bench_ring_new(&sig_rb, o->ring_bytes);
	if (err)
		return err;
	uprb_source_init(&sig_src, 2, 0, false);
	uprb_synth_build(rec, SIG_RECORD, 0, UPRB_LEVEL_TASK, 0, 0);
	sig_rec = rec;
	err = uprb_reader_init(&rd, uprb_ring_base(sig_rb),
			       uprb_ring_len(sig_rb), &rdo);
	if (err) {
		uprb_ring_free(sig_rb);
		return err;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, &old);

	/* Half the ring per batch: never full, so no write is refused. */
	batch = o->ring_bytes / SIG_RECORD / 2;
	if (batch < SIG_BATCHES_MIN)
		batch = SIG_BATCHES_MIN;
	for (unsigned int round = 0; round < rounds && !stress_stopping(); round++) {
		bool write_first = stress_xorshift64(rng) & 1;

		if (write_first) {
			res->write_ns[round] = sig_time(&rd, o->signals, true,
							batch, res);
			res->empty_ns[round] = sig_time(&rd, o->signals, false,
							batch, res);
		} else {
			res->empty_ns[round] = sig_time(&rd, o->signals, false,
							batch, res);
			res->write_ns[round] = sig_time(&rd, o->signals, true,
							batch, res);
		}
		if (stress_stopping())
			break;    /* a round cut short: not a figure */
		res->diff_ns[round] = res->write_ns[round] - res->empty_ns[round];
		want += o->signals;
		done++;
	}
	sigaction(SIGUSR1, &old, NULL);
	/* Stopped: the records of the round cut short are not wanted. */
	if (!stress_stopping() && (res->delivered != want || sig_rb->lost))
		res->failures++;
	res->m_empty = stress_median(res->empty_ns, done);
	res->m_write = stress_median(res->write_ns, done);
	res->m_diff = stress_median(res->diff_ns, done);
	res->ran = done > 0;
	uprb_reader_fini(&rd);
	uprb_ring_free(sig_rb);
	sig_rb = NULL;
	return 0;
}

