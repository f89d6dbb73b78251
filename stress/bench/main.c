/* SPDX-License-Identifier: MIT */
/*
 * main.c - uprb-bench: rounds of core, ck_ring and memcpy runs in a seeded
 * order, the one-CPU runs, the signal test, medians and the result
 * (bench.h says what is measured and how).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "clock.h"
#include "cpus.h"
#include "out.h"
#include "result.h"
#include "rng.h"
#include "stats.h"
#include "stop.h"
#include "uprb/uprb_check.h"

static const char contender_letter[C_COUNT] = { 'c', 'k', 'm' };

static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* Fisher-Yates over the three contenders, from the run's seed. */
static void shuffle(enum contender *v, uint64_t *rng)
{
	for (int i = C_COUNT - 1; i > 0; i--) {
		int j = (int)(stress_xorshift64(rng) % (uint64_t)(i + 1));
		enum contender t = v[i];

		v[i] = v[j];
		v[j] = t;
	}
}

/* Buffers, prebuilt records, CPUs. Return: 0, or -ENOMEM. */
static int setup(struct bench *b)
{
	const struct bench_opts *o = &b->o;

	b->src = aligned_alloc(64, o->ring_bytes);
	b->dst = aligned_alloc(64, o->ring_bytes);
	if (!b->src || !b->dst)
		return -ENOMEM;
	for (size_t i = 0; i < o->ring_bytes; i++)
		b->src[i] = (unsigned char)(i * 131u + 7u);
	memset(b->dst, 0, o->ring_bytes);
	for (unsigned int s = 0; s < o->sizes.n; s++) {
		unsigned int size = o->sizes.v[s];

		b->cells[s].size = size;
		b->pre[s] = aligned_alloc(64, (size_t)size * NPRE);
		if (!b->pre[s])
			return -ENOMEM;
		for (unsigned int k = 0; k < NPRE; k++)
			uprb_synth_build(b->pre[s] + (size_t)k * size, size, 0,
					 UPRB_LEVEL_TASK, 0, k);
	}
	stress_pick_two_cpus(&b->wcpu, &b->rcpu, &b->share);
	/* memcpy and the signal test run on the writer's CPU. */
	if (!stress_pin_self(b->wcpu))
		printf("note: cannot pin the main thread to CPU %d\n", b->wcpu);
	return 0;
}

static void print_header(const struct bench *b)
{
	const struct bench_opts *o = &b->o;

	printf("uprb-bench: core vs ck_ring vs memcpy, %s (%s)\n",
	       BENCH_COMPILER, UPRB_BENCH_BUILD);
	printf("  command: %s\n", b->cmdline);
	printf("  seed %" PRIu64 ", %u round%s, ring %" PRIu64 " KiB (core: %" PRIu64 " pages of %u B, non-overwrite; ck_ring: same bytes in typed slots)\n",
	       o->seed, o->rounds, o->rounds == 1 ? "" : "s", o->ring_bytes / 1024,
	       o->ring_bytes / PAGE_SIZE_BYTES, PAGE_SIZE_BYTES);
	printf("  writer on CPU %d, reader on CPU %d%s; memcpy: one thread on CPU %d, %" PRIu64 " KiB chunks\n",
	       b->wcpu, b->rcpu, b->share ? " (SHARED CPU)" : "", b->wcpu,
	       o->ring_bytes / 1024);
	printf("  every %" PRIu64 "%s record read is verified (checksum, payload, order); readers pause %u time%s (%.2f us, measured) per poll of an empty ring\n",
	       o->verify_every, o->verify_every == 1 ? "st" : "th",
	       o->reader_idle, o->reader_idle == 1 ? "" : "s",
	       bench_reader_idle_us(o->reader_idle, b->share));
}

/* --records, or each size calibrated. Return: 0 or an exit status. */
static int records_per_run(struct bench *b)
{
	const struct bench_opts *o = &b->o;

	for (unsigned int s = 0; s < o->sizes.n && !stress_stopping(); s++) {
		int err;

		if (o->records) {
			b->cells[s].records = o->records;
			continue;
		}
		err = bench_calibrate(b, s);
		if (err) {
			fprintf(stderr, "%s: calibration at %u B: %s\n",
				BENCH_NAME, o->sizes.v[s], strerror(-err));
			return err == -EPROTO ? STRESS_EXIT_FAILED :
			       STRESS_EXIT_USAGE;
		}
	}
	printf("  records per run:");
	for (unsigned int s = 0; s < o->sizes.n; s++)
		printf(" %u B: %" PRIu64, o->sizes.v[s], b->cells[s].records);
	printf("%s\n", o->records ? "" : " (calibrated to ~--seconds-per-cell of core)");
	return 0;
}

/* One ring run of @what at cell @c. Return: 0 or an exit status. */
static int one_ring_run(struct bench *b, struct cell *c, unsigned int s,
			enum contender what, unsigned int round)
{
	struct run *r = aligned_alloc(64, sizeof(*r));
	double secs, rate;
	int err;

	if (!r) {
		fprintf(stderr, "%s: out of memory\n", BENCH_NAME);
		return STRESS_EXIT_USAGE;
	}
	bench_run_setup(r, what, c->size, c->records, &b->o, b->pre[s], b->wcpu,
			b->rcpu, b->share);
	err = bench_ring_run(r, b->o.ring_bytes);
	if (err) {
		fprintf(stderr, "%s: ring setup: %s\n", BENCH_NAME, strerror(-err));
		free(r);
		return STRESS_EXIT_USAGE;
	}
	if (r->pin_failed && !b->pin_warned) {
		printf("note: pinning a thread failed; it runs where the scheduler puts it\n");
		b->pin_warned = true;
	}
	secs = stress_ts_diff(&r->t0, &r->t1);
	rate = (double)r->delivered / (secs > 0 ? secs : 1e-9);
	if (what == C_CORE) {
		c->core_rec_s[round] = rate;
		c->core_retries += r->retries;
		c->core_drops += r->drops;
		c->core_lost += r->lost_sum;
		c->core_lost_records += r->lost_records;
	} else {
		c->ck_rec_s[round] = rate;
		c->ck_retries += r->retries;
		c->ck_drops += r->drops;
	}
	c->verified += r->verified;
	if (bench_run_failed(r, round)) {
		c->failures += r->bad + !!r->read_err;
		b->failed = true;
	}
	if (b->o.verbose)
		printf("\n    size %4u %-4s %12.0f rec/s retries %" PRIu64
		       " drops %" PRIu64 " LOST %" PRIu64, c->size,
		       what == C_CORE ? "core" : "ck", rate, r->retries,
		       r->drops, r->lost_sum);
	free(r);
	return 0;
}

/* Round @round: every size, its contenders in a seeded order. */
static int one_round(struct bench *b, unsigned int round)
{
	bool say = b->o.verbose || round == 0;

	if (say)
		printf("  order (c core, k ck_ring, m memcpy) round %u:", round + 1);
	for (unsigned int s = 0; s < b->o.sizes.n && !stress_stopping(); s++) {
		enum contender order[C_COUNT] = { C_CORE, C_CK, C_MEMCPY };
		struct cell *c = &b->cells[s];

		shuffle(order, &b->rng);
		for (int k = 0; k < C_COUNT; k++)
			c->order[round][k] = contender_letter[order[k]];
		c->order[round][C_COUNT] = 0;
		for (int k = 0; k < C_COUNT && !stress_stopping(); k++) {
			uint64_t total = c->records * c->size;
			int rc;

			if (order[k] == C_MEMCPY) {
				double secs = bench_memcpy_run(b->dst, b->src, total,
							       b->o.ring_bytes);

				c->cpy_mb_s[round] = (double)total /
					(secs > 0 ? secs : 1e-9) / 1e6;
				continue;
			}
			if (order[k] == C_CK && b->o.no_ck)
				continue;
			rc = one_ring_run(b, c, s, order[k], round);
			if (rc)
				return rc;
		}
		c->core_ck[round] = c->ck_rec_s[round] > 0 ?
			c->core_rec_s[round] / c->ck_rec_s[round] : 0;
		c->core_cpy[round] = c->core_rec_s[round] * c->size / 1e6 /
				     c->cpy_mb_s[round];
		if (say)
			printf(" %u:%s", c->size, c->order[round]);
	}
	if (say)
		printf("%s\n", round == 0 && !b->o.verbose && b->o.rounds > 1 ?
		       " (all rounds: --json or --verbose)" : "");
	return 0;
}

/*
 * The one-CPU cost of both rings at every size, once per completed round,
 * the two in an order drawn from the seed. Records per run: --records, or
 * 32 MiB worth (4096 to 1 Mi). Failures are printed and counted.
 */
static void single_cpu_runs(struct bench *b)
{
	const struct bench_opts *o = &b->o;

	for (unsigned int round = 0; round < b->rounds_done; round++)
		for (unsigned int s = 0; s < o->sizes.n && !stress_stopping(); s++) {
			const struct sized_fns *f = bench_sized(o->sizes.v[s]);
			struct cell *c = &b->cells[s];
			struct single_job j = {
				.pre = b->pre[s],
				.batch = bench_single_batch(o->ring_bytes, c->size),
				.ring_bytes = o->ring_bytes,
			};
			bool ck_first = stress_xorshift64(&b->rng) & 1;
			uint64_t want = o->records ? o->records :
					(32u << 20) / c->size;

			want = want < 4096 ? 4096 : want > (1u << 20) ? 1u << 20 : want;
			j.records = (want + j.batch - 1) / j.batch * j.batch;
			for (int k = 0; k < 2; k++) {
				bool ck = (k == 0) == ck_first;
				int err;

				if (ck && o->no_ck)
					continue;
				err = ck ? f->ck_single(&j, &c->ck_1cpu_ns[round]) :
				      f->core_single(&j, &c->core_1cpu_ns[round]);
				if (err) {
					printf("FAIL  size %u %s one-CPU round %u: %s\n",
					       c->size, ck ? "ck" : "core",
					       round + 1, strerror(-err));
					c->failures++;
					b->failed = true;
				}
			}
			c->ck_over_core_1cpu[round] = c->core_1cpu_ns[round] > 0 ?
				c->ck_1cpu_ns[round] / c->core_1cpu_ns[round] : 0;
		}
	b->single_ran = b->rounds_done && !stress_stopping();
}

static void medians(struct bench *b)
{
	unsigned int n = b->rounds_done;

	for (unsigned int s = 0; s < b->o.sizes.n; s++) {
		struct cell *c = &b->cells[s];

		c->m_core = stress_median(c->core_rec_s, n);
		c->m_ck = stress_median(c->ck_rec_s, n);
		c->m_cpy = stress_median(c->cpy_mb_s, n);
		c->m_core_ck = stress_median(c->core_ck, n);
		c->m_core_cpy = stress_median(c->core_cpy, n);
		c->m_core_1cpu = stress_median(c->core_1cpu_ns, n);
		c->m_ck_1cpu = stress_median(c->ck_1cpu_ns, n);
		c->m_1cpu_ratio = stress_median(c->ck_over_core_1cpu, n);
	}
}

/* Everything after the setup. Return: 0 or an exit status (printed). */
static int measure(struct bench *b)
{
	int rc;

	if (!b->share)
		b->trip_ns[0] = bench_line_round_trip(b->wcpu, b->rcpu,
						      "before the runs");
	rc = records_per_run(b);
	for (unsigned int round = 0; !rc && round < b->o.rounds &&
	     !stress_stopping(); round++) {
		rc = one_round(b, round);
		if (!rc && !stress_stopping())
			b->rounds_done = round + 1;
	}
	if (rc)
		return rc;
	single_cpu_runs(b);
	if (b->o.signals && !stress_stopping()) {
		int err = bench_signal(&b->o, b->rounds_done, &b->rng, &b->sig);

		if (err) {
			fprintf(stderr, "%s: signal test: %s\n", BENCH_NAME,
				strerror(-err));
			return STRESS_EXIT_USAGE;
		}
		if (b->sig.failures) {
			printf("FAIL  signal test: %" PRIu64 " of %" PRIu64
			       " records bad or missing\n", b->sig.failures,
			       (uint64_t)b->rounds_done * b->o.signals);
			b->failed = true;
		}
	}
	if (!b->share && !stress_stopping())
		b->trip_ns[1] = bench_line_round_trip(b->wcpu, b->rcpu,
						      "after the runs");
	medians(b);
	return 0;
}

static int conclude(struct bench *b, struct stress_out *json)
{
	struct stress_end e = { .failures = b->failed, .seed = b->o.seed,
				.seeded = true, .signal = stress_stop_signal(),
				.first = "a run failed (the FAIL lines above)" };

	bench_print_tables(b);
	b->verdict = b->failed ? "FAIL" : e.signal ? "interrupted" : "ok";
	if (json->f) {
		bench_write_json(json->f, b);
		if (stress_out_close(json, BENCH_NAME, stderr))
			e.unfinished = "the --json file was not written";
		else
			printf("json: %s\n", json->path);
	}
	if (e.failures || e.signal)
		sopt_replay(&b->prog, stdout);
	return stress_result(stdout, &e);
}

int main(int argc, char **argv)
{
	struct bench *b = calloc(1, sizeof(*b));
	struct stress_out json = { .opt = "json" };
	int rc;

	if (!b)
		return STRESS_EXIT_USAGE;
	bench_prog_init(&b->prog, &b->o);
	rc = bench_parse_opts(&b->prog, &b->o, argc, argv);
	json.path = b->o.json;
	if (!rc)
		rc = stress_outs_open(&b->prog, &json, 1);
	if (!rc) {
		/* Line by line, in order with stderr, when piped. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	stress_stop_install(BENCH_NAME);
		b->rng = b->o.seed ? b->o.seed : 1;
		b->cmdline = join_args(argc, argv);
		if (!b->cmdline || setup(b)) {
			fprintf(stderr, "%s: out of memory\n", BENCH_NAME);
			rc = STRESS_EXIT_USAGE;
		}
	}
	if (!rc) {
		print_header(b);
		rc = measure(b);
		if (!rc)
			rc = conclude(b, &json);
	}
	stress_out_close(&json, BENCH_NAME, NULL);
	for (unsigned int s = 0; s < BENCH_MAX_SIZES; s++)
		free(b->pre[s]);
	free(b->src);
	free(b->dst);
	free(b->cmdline);
	free(b);
	return rc == SOPT_HELP ? 0 : rc;
}
