/* SPDX-License-Identifier: MIT */
/*
 * report.c - what a run tells: the progress line, the summary table, the
 * JSON file (schema in stress/kernel/README.md), notes and failures.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kstress.h"

static const char *const mode_name[2] = { "forward", "backward" };

void ks_note(struct ks_world *w, const char *fmt, ...)
{
	va_list ap;

	if (w->nnotes == sizeof(w->notes) / sizeof(w->notes[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(w->notes[w->nnotes], sizeof(w->notes[0]), fmt, ap);
	va_end(ap);
	for (unsigned int i = 0; i < w->nnotes; i++)
		if (!strcmp(w->notes[i], w->notes[w->nnotes]))
			return;
	w->nnotes++;
}

void ks_fail(struct ks_world *w, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!w->failures++)
		snprintf(w->first, sizeof(w->first), "%s", buf);
	printf("FAIL  %s\n", buf);
	fflush(stdout);
}

void ks_progress(struct ks_phase *p, double t, uint64_t *last_samples,
		 double *last_t)
{
	uint64_t samples = 0, bytes = 0, lost = 0, wakeups = 0, failures = 0;

	for (unsigned int i = 0; i < p->nrings; i++) {
		struct ks_ring *r = &p->rings[i];

		samples += atomic_load_explicit(&r->pub_samples, memory_order_relaxed);
		bytes += atomic_load_explicit(&r->pub_bytes, memory_order_relaxed);
		lost += atomic_load_explicit(&r->pub_lost, memory_order_relaxed);
		wakeups += atomic_load_explicit(&r->pub_wakeups, memory_order_relaxed);
		failures += atomic_load_explicit(&r->pub_failures, memory_order_relaxed);
	}
	fprintf(stderr, "[%6.1fs %s] %9.0f samples/s  %7.2f MB total  lost %" PRIu64
		"  wake-ups %" PRIu64 "  failures %" PRIu64 "\n", t,
		mode_name[p->backward],
		t > *last_t ? (double)(samples - *last_samples) / (t - *last_t) : 0.0,
		(double)bytes / 1e6, lost, wakeups, failures);
	*last_samples = samples;
	*last_t = t;
}

void ks_add_totals(struct ks_world *w, struct ks_phase *p)
{
	struct ks_totals *t = &w->tot[p->backward];

	t->secs += p->secs;
	t->phases++;
	for (unsigned int i = 0; i < p->nrings; i++) {
		struct ks_ring *r = &p->rings[i];
		unsigned int c = i < KS_MAX_CPUS ? i : KS_MAX_CPUS - 1;
		uint64_t lk = 0;

		for (unsigned int j = 0; j < r->nev; j++) {
			struct ks_event *e = &r->ev[j];

			lk += e->lost_kernel;
			t->throttles += e->throttles;
			if (e->spec < 0)
				continue;
			t->per_spec_samples[e->spec] += e->samples;
			t->per_spec_lost[e->spec] += e->lost_kernel;
			t->per_spec_value[e->spec] += e->value;
			if (w->specs[e->spec].period1 && !p->backward &&
			    e->value > e->samples + e->lost_kernel)
				t->per_spec_unaccounted[e->spec] +=
					e->value - e->samples - e->lost_kernel;
		}
		t->samples += r->samples;
		t->bytes += r->bytes;
		t->records += r->records;
		t->lost_records += r->lost_records;
		t->lost_sum += r->lost_sum;
		t->lost_kernel += lk;
		t->wakeups += r->wakeups;
		t->windows += r->windows;
		t->lapped += r->lapped;
		t->failures += r->failures;
		t->foreign_ids += r->foreign_ids;
		t->time_inversions += r->time_inversions;
		t->other += r->other;
		t->inflight_overwritten += r->inflight_overwritten;
		t->inflight_windows += r->inflight_windows;
		t->read_errors += r->read_errors;
		t->reader_cpu_ns += r->cpu_ns;
		t->per_cpu_samples[c] += r->samples;
		t->per_cpu_bytes[c] += r->bytes;
		t->per_cpu_lost[c] += r->lost_sum;
		t->per_cpu_wakeups[c] += r->wakeups;
	}
}

static double per_s(uint64_t v, double secs)
{
	return secs > 0 ? (double)v / secs : 0;
}

void ks_print_summary(const struct ks_world *w)
{
	printf("summary:\n");
	for (int m = 0; m < 2; m++) {
		const struct ks_totals *t = &w->tot[m];

		if (!t->phases)
			continue;
		printf("  %s rings (%s), %u phase%s, %.1f s:\n", mode_name[m],
		       m ? "overwrite, pause-read-resume" :
		       "non-overwrite, watermark + poll",
		       t->phases, t->phases == 1 ? "" : "s", t->secs);
		printf("    %-6s %12s %11s %9s %12s %10s\n", "cpu", "samples",
		       "samples/s", "MB/s", "lost(LOST)", "wake-ups");
		for (unsigned int i = 0; i < w->ncpus; i++)
			printf("    %-6d %12" PRIu64 " %11.0f %9.2f %12" PRIu64
			       " %10" PRIu64 "\n", w->cpus[i],
			       t->per_cpu_samples[i],
			       per_s(t->per_cpu_samples[i], t->secs),
			       per_s(t->per_cpu_bytes[i], t->secs) / 1e6,
			       t->per_cpu_lost[i], t->per_cpu_wakeups[i]);
		printf("    %-6s %12" PRIu64 " %11.0f %9.2f %12" PRIu64
		       " %10" PRIu64 "\n", "total", t->samples,
		       per_s(t->samples, t->secs), per_s(t->bytes, t->secs) / 1e6,
		       t->lost_sum, t->wakeups);
		printf("    %-26s %12s %12s %12s %12s\n", "event", "samples",
		       "lost(kernel)", "count", "unaccounted");
		for (unsigned int s = 0; s < w->nspecs; s++) {
			char un[24] = "-";

			if (w->specs[s].period1 && !m)
				snprintf(un, sizeof(un), "%" PRIu64,
					 t->per_spec_unaccounted[s]);
			printf("    %-26s %12" PRIu64 " %12" PRIu64 " %12" PRIu64
			       " %12s\n", w->specs[s].name, t->per_spec_samples[s],
			       t->per_spec_lost[s], t->per_spec_value[s], un);
		}
		for (unsigned int s = 0; s < w->nspecs; s++)
			if (w->specs[s].period1 && !m && t->per_spec_unaccounted[s])
				printf("    note: %s: %" PRIu64 " occurrences neither sampled nor counted lost (throttled or attributed to another id)\n",
				       w->specs[s].name, t->per_spec_unaccounted[s]);
		printf("    records %" PRIu64 " (%" PRIu64 " other than SAMPLE/LOST), windows %" PRIu64
		       ", lapped windows %" PRIu64 ", throttles %" PRIu64 "\n",
		       t->records, t->other, t->windows, t->lapped, t->throttles);
		printf("    loss accounting: sum of PERF_RECORD_LOST %" PRIu64
		       " in %" PRIu64 " records, kernel PERF_FORMAT_LOST %" PRIu64
		       ": %s\n", t->lost_sum, t->lost_records, t->lost_kernel,
		       t->lost_sum == t->lost_kernel ? "exact" :
		       t->lapped ? "differs (LOST records overwritten in lapped windows)" :
		       "DIFFERS");
		if (t->foreign_ids)
			printf("    kernel finding: %" PRIu64 " well-formed samples carried the id of an event not on their ring (software-event path shares perf_sample_data between matching events; README Findings)\n",
			       t->foreign_ids);
		if (t->inflight_windows)
			printf("    kernel finding: %" PRIu64 " windows (of %" PRIu64 ") had %" PRIu64
			       " records overwritten after the pause by a writer already in flight (PAUSE_OUTPUT does not wait for it; README Findings); not counted as failures\n",
			       t->inflight_windows, t->windows, t->inflight_overwritten);
		if (t->time_inversions)
			printf("    time inversions %" PRIu64 " (a sample timestamped before a nested writer's; not a failure)\n",
			       t->time_inversions);
		printf("    failures %" PRIu64 "\n", t->failures);
	}
	if (w->equiv_schedules)
		printf("  equivalence: %" PRIu64 " schedules, %" PRIu64
		       " steps, %" PRIu64 " divergences\n", w->equiv_schedules,
		       w->equiv_steps, w->equiv_failures);
	for (unsigned int i = 0; i < w->nnotes; i++)
		printf("  note: %s\n", w->notes[i]);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void ks_write_json(const struct ks_world *w, FILE *f)
{
	fprintf(f, "{\n  \"program\": \"" KS_NAME "\",\n  \"schema\": 1,\n");
	fprintf(f, "  \"seed\": %" PRIu64 ",\n  \"pmu\": %s,\n", w->o.seed,
		w->pmu ? "true" : "false");
	fprintf(f, "  \"sample_type\": \"0x%" PRIx64 "\",\n  \"pages\": %u,\n",
		w->o.sample_type, w->o.pages);
	fprintf(f, "  \"validate\": %s,\n  \"events\": [",
		w->o.validate ? "true" : "false");
	for (unsigned int s = 0; s < w->nspecs; s++) {
		fprintf(f, "%s", s ? ", " : "");
		json_str(f, w->specs[s].name);
	}
	fprintf(f, "],\n  \"cpus\": [");
	for (unsigned int i = 0; i < w->ncpus; i++)
		fprintf(f, "%s%d", i ? ", " : "", w->cpus[i]);
	fprintf(f, "],\n  \"modes\": {");
	for (int m = 0, n = 0; m < 2; m++) {
		const struct ks_totals *t = &w->tot[m];

		if (!t->phases)
			continue;
		fprintf(f, "%s\n    \"%s\": {\n", n++ ? "," : "", mode_name[m]);
		fprintf(f, "      \"seconds\": %.3f, \"phases\": %u,\n", t->secs,
			t->phases);
		fprintf(f, "      \"samples\": %" PRIu64 ", \"samples_per_s\": %.1f,\n",
			t->samples, per_s(t->samples, t->secs));
		fprintf(f, "      \"bytes\": %" PRIu64 ", \"bytes_per_s\": %.1f,\n",
			t->bytes, per_s(t->bytes, t->secs));
		fprintf(f, "      \"records\": %" PRIu64 ", \"other_records\": %" PRIu64 ",\n",
			t->records, t->other);
		fprintf(f, "      \"lost_records\": %" PRIu64 ", \"lost\": %" PRIu64
			", \"lost_kernel\": %" PRIu64 ", \"lost_exact\": %s,\n",
			t->lost_records, t->lost_sum, t->lost_kernel,
			t->lost_sum == t->lost_kernel ? "true" : "false");
		fprintf(f, "      \"wakeups\": %" PRIu64 ", \"windows\": %" PRIu64
			", \"lapped_windows\": %" PRIu64 ", \"throttles\": %" PRIu64 ",\n",
			t->wakeups, t->windows, t->lapped, t->throttles);
		fprintf(f, "      \"inflight_overwritten\": %" PRIu64 ", \"inflight_windows\": %" PRIu64
			", \"read_errors\": %" PRIu64 ",\n", t->inflight_overwritten,
			t->inflight_windows, t->read_errors);
		fprintf(f, "      \"foreign_ids\": %" PRIu64 ", \"time_inversions\": %" PRIu64
			", \"failures\": %" PRIu64 ",\n", t->foreign_ids,
			t->time_inversions, t->failures);
		fprintf(f, "      \"per_cpu\": [");
		for (unsigned int i = 0; i < w->ncpus; i++)
			fprintf(f, "%s\n        {\"cpu\": %d, \"samples\": %" PRIu64
				", \"samples_per_s\": %.1f, \"bytes\": %" PRIu64
				", \"bytes_per_s\": %.1f, \"lost\": %" PRIu64
				", \"wakeups\": %" PRIu64 "}", i ? "," : "",
				w->cpus[i], t->per_cpu_samples[i],
				per_s(t->per_cpu_samples[i], t->secs),
				t->per_cpu_bytes[i],
				per_s(t->per_cpu_bytes[i], t->secs),
				t->per_cpu_lost[i], t->per_cpu_wakeups[i]);
		fprintf(f, "\n      ],\n      \"per_event\": [");
		for (unsigned int s = 0; s < w->nspecs; s++) {
			fprintf(f, "%s\n        {\"name\": ", s ? "," : "");
			json_str(f, w->specs[s].name);
			fprintf(f, ", \"samples\": %" PRIu64 ", \"lost_kernel\": %" PRIu64
				", \"count\": %" PRIu64 ", \"unaccounted\": %" PRIu64 "}",
				t->per_spec_samples[s], t->per_spec_lost[s],
				t->per_spec_value[s], t->per_spec_unaccounted[s]);
		}
		fprintf(f, "\n      ]\n    }");
	}
	fprintf(f, "\n  },\n");
	fprintf(f, "  \"equivalence\": {\"schedules\": %" PRIu64 ", \"steps\": %" PRIu64
		", \"divergences\": %" PRIu64 "},\n", w->equiv_schedules,
		w->equiv_steps, w->equiv_failures);
	if (w->o.bench)
		fprintf(f, "  \"bench\": {\"validated_over_bare_tracepoint\": %.4f, "
			"\"validated_over_bare_first_source\": %.4f},\n",
			w->bench_ratio_tp, w->bench_ratio_fast);
	fprintf(f, "  \"notes\": [");
	for (unsigned int i = 0; i < w->nnotes; i++) {
		fprintf(f, "%s", i ? ", " : "");
		json_str(f, w->notes[i]);
	}
	fprintf(f, "],\n  \"failures\": %" PRIu64 ",\n  \"first_failure\": ",
		w->failures);
	json_str(f, w->first);
	fprintf(f, ",\n  \"result\": \"%s\"\n}\n", w->failures ? "FAIL" :
		w->unfinished ? "INCOMPLETE" : stress_stopping() ? "interrupted" :
		"ok");
}
