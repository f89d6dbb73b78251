/* SPDX-License-Identifier: MIT */
/*
 * bench.c - --bench: per source, phases with the bare reader and with the
 * validating one alternate in ABBA order, same rings, same load; their
 * median delivered samples per second are compared (not a timed test).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kstress.h"
#include "stats.h"

/* What one source's phases add up to. */
struct pair {
	double *bare, *valid;        /* samples/s per phase */
	unsigned int nbare, nvalid;
	uint64_t lost[2], cpu_ns[2], samples[2];
};

/* One phase of @validate: its rate and costs into @pr. Return: 0 or exit. */
static int bench_phase(struct ks_world *w, bool validate, struct pair *pr)
{
	struct ks_totals *t = &w->tot[0];
	uint64_t before = t->samples, lb = t->lost_kernel, cb = t->reader_cpu_ns;
	double sb = t->secs, rate;
	int rc;

	w->o.validate = validate;
	rc = ks_run_phase(w, false, w->o.bench_phase, false);
	if (rc)
		return rc;
	rate = t->secs > sb ? (double)(t->samples - before) / (t->secs - sb) : 0;
	if (validate)
		pr->valid[pr->nvalid++] = rate;
	else
		pr->bare[pr->nbare++] = rate;
	pr->lost[validate] += t->lost_kernel - lb;
	pr->cpu_ns[validate] += t->reader_cpu_ns - cb;
	pr->samples[validate] += t->samples - before;
	return 0;
}

static void print_pair(const char *name, const struct pair *pr, double ratio)
{
	/* Reader CPU time per sample read: what validation costs. */
	printf("  %-28s %14.0f %14.0f %10" PRIu64 " %10" PRIu64 " %7.3f %9.0f %9.0f\n",
	       name, stress_median(pr->bare, pr->nbare),
	       stress_median(pr->valid, pr->nvalid), pr->lost[0], pr->lost[1],
	       ratio,
	       pr->samples[0] ? (double)pr->cpu_ns[0] / (double)pr->samples[0] : 0.0,
	       pr->samples[1] ? (double)pr->cpu_ns[1] / (double)pr->samples[1] : 0.0);
}

int ks_run_bench(struct ks_world *w)
{
	struct ks_spec all[KS_MAX_EVENTS];
	unsigned int nall = w->nspecs, n = w->o.bench_rounds * 2;
	struct pair pr;
	int rc = 0;

	pr.bare = calloc(n, sizeof(double));
	pr.valid = calloc(n, sizeof(double));
	if (!pr.bare || !pr.valid) {
		free(pr.bare);
		free(pr.valid);
		return KS_EXIT_USAGE;
	}
	memcpy(all, w->specs, sizeof(all));
	printf("bench: %u phases of %.1f s per source, bare and validating reader in ABBA order, %u pages per ring;\n"
	       "  samples/s: medians of the samples read per phase; ns: reader thread CPU time per sample read\n",
	       n, w->o.bench_phase, w->o.pages);
	printf("  %-28s %14s %14s %10s %10s %7s %9s %9s\n", "source",
	       "bare samples/s", "valid. samp/s", "bare lost", "val. lost",
	       "ratio", "bare ns", "val. ns");
	for (unsigned int s = 0; s < nall && !rc && !stress_stopping(); s++) {
		double ratio;

		memset(pr.lost, 0, sizeof(pr.lost));
		memset(pr.cpu_ns, 0, sizeof(pr.cpu_ns));
		memset(pr.samples, 0, sizeof(pr.samples));
		pr.nbare = pr.nvalid = 0;
		w->specs[0] = all[s];
		w->nspecs = 1;
		for (unsigned int i = 0; i < n && !rc && !stress_stopping(); i++)
			rc = bench_phase(w, i % 4 == 1 || i % 4 == 2, &pr);
		if (rc || !pr.nbare || !pr.nvalid)
			break;
		ratio = stress_median(pr.valid, pr.nvalid) /
			stress_median(pr.bare, pr.nbare);
		print_pair(all[s].name, &pr, ratio);
		if (all[s].tracepoint && !w->bench_ratio_tp)
			w->bench_ratio_tp = ratio;
		if (s == 0)
			w->bench_ratio_fast = ratio;
	}
	w->o.validate = true;
	memcpy(w->specs, all, sizeof(all));
	w->nspecs = nall;
	free(pr.bare);
	free(pr.valid);
	return rc;
}
