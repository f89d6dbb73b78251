/* SPDX-License-Identifier: MIT */
/*
 * report.c - what uprb-bench prints after the runs (three tables and the
 * signal line) and the same figures as JSON.
 */
#include <inttypes.h>
#include <stdio.h>

#include "bench.h"

static void print_two_cpu(const struct bench *b)
{
	printf("\nmedians of %u rounds; ratios are medians of per-round ratios (same run, same compiler)\n",
	       b->rounds_done);
	printf("  size   core rec/s     ck_ring rec/s  memcpy MB/s   core MB/s   core/ck  core/memcpy\n");
	for (unsigned int s = 0; s < b->o.sizes.n; s++) {
		const struct cell *c = &b->cells[s];

		printf("  %4u  %13.0f  %13.0f  %11.0f  %10.0f  %8.2f  %10.1f%%\n",
		       c->size, c->m_core, c->m_ck, c->m_cpy,
		       c->m_core * c->size / 1e6, c->m_core_ck,
		       100.0 * c->m_core_cpy);
	}
	printf("\n  size  core retries   core LOST (records)  core drops  ck retries  ck drops  verified  failures\n");
	for (unsigned int s = 0; s < b->o.sizes.n; s++) {
		const struct cell *c = &b->cells[s];

		printf("  %4u  %12" PRIu64 "  %10" PRIu64 " (%6" PRIu64 ")  %10" PRIu64
		       "  %10" PRIu64 "  %8" PRIu64 "  %8" PRIu64 "  %8" PRIu64 "\n",
		       c->size, c->core_retries, c->core_lost,
		       c->core_lost_records, c->core_drops, c->ck_retries,
		       c->ck_drops, c->verified, c->failures);
	}
	printf("  (retries: refused writes tried again; each refusal of the core is a kernel-style\n"
	       "   drop reported by a PERF_RECORD_LOST, so LOST = retries + drops; drops: given up)\n");
}

void bench_print_tables(const struct bench *b)
{
	if (!b->rounds_done) {
		printf("\nno round completed: no figures\n");
		return;
	}
	print_two_cpu(b);
	if (!b->single_ran)
		return;
	printf("\none CPU, no cross-core traffic (a batch written, then read back), medians of %u rounds:\n",
	       b->rounds_done);
	printf("  size   core ns/rec   ck_ring ns/rec   core/ck (speed)\n");
	for (unsigned int s = 0; s < b->o.sizes.n; s++) {
		const struct cell *c = &b->cells[s];

		printf("  %4u  %12.1f  %15.1f  %16.2f\n", c->size,
		       c->m_core_1cpu, c->m_ck_1cpu, c->m_1cpu_ratio);
	}
	if (b->sig.ran)
		printf("\nsignal-delivered write (pthread_kill to self, %" PRIu64
		       " per mode and round, medians): empty handler %.0f ns, handler writing %u B %.0f ns, nested write %.0f ns\n",
		       b->o.signals, b->sig.m_empty, SIG_RECORD, b->sig.m_write,
		       b->sig.m_diff);
}

static void json_array(FILE *f, const char *key, const double *v,
		       unsigned int n, bool last)
{
	fprintf(f, "\"%s\": [", key);
	for (unsigned int i = 0; i < n; i++)
		fprintf(f, "%s%.6g", i ? ", " : "", v[i]);
	fprintf(f, "]%s", last ? "" : ", ");
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_cell(FILE *f, const struct cell *c, unsigned int rounds)
{
	fprintf(f, "    {\"size\": %u, \"records\": %" PRIu64 ", "
		"\"core_records_per_s\": %.6g, \"ck_records_per_s\": %.6g, "
		"\"core_mb_per_s\": %.6g, \"ck_mb_per_s\": %.6g, "
		"\"memcpy_mb_per_s\": %.6g, \"core_over_ck\": %.6g, "
		"\"core_over_memcpy\": %.6g, "
		"\"one_cpu_core_ns\": %.6g, \"one_cpu_ck_ns\": %.6g, "
		"\"one_cpu_core_over_ck\": %.6g, ",
		c->size, c->records, c->m_core, c->m_ck,
		c->m_core * c->size / 1e6, c->m_ck * c->size / 1e6,
		c->m_cpy, c->m_core_ck, c->m_core_cpy, c->m_core_1cpu,
		c->m_ck_1cpu, c->m_1cpu_ratio);
	fprintf(f, "\"core_retries\": %" PRIu64 ", \"core_lost\": %"
		PRIu64 ", \"core_lost_records\": %" PRIu64
		", \"core_drops\": %" PRIu64 ", \"ck_retries\": %" PRIu64
		", \"ck_drops\": %" PRIu64 ", \"verified\": %" PRIu64
		", \"failures\": %" PRIu64 ", \"order\": [",
		c->core_retries, c->core_lost, c->core_lost_records,
		c->core_drops, c->ck_retries, c->ck_drops, c->verified,
		c->failures);
	for (unsigned int r = 0; r < rounds; r++)
		fprintf(f, "%s\"%s\"", r ? ", " : "", c->order[r]);
	fprintf(f, "],\n     \"per_round\": {");
	json_array(f, "core_records_per_s", c->core_rec_s, rounds, false);
	json_array(f, "ck_records_per_s", c->ck_rec_s, rounds, false);
	json_array(f, "memcpy_mb_per_s", c->cpy_mb_s, rounds, false);
	json_array(f, "core_over_ck", c->core_ck, rounds, false);
	json_array(f, "core_over_memcpy", c->core_cpy, rounds, false);
	json_array(f, "one_cpu_core_ns", c->core_1cpu_ns, rounds, false);
	json_array(f, "one_cpu_ck_ns", c->ck_1cpu_ns, rounds, true);
	fprintf(f, "}}");
}

int bench_write_json(FILE *f, const struct bench *b)
{
	const struct bench_opts *o = &b->o;

	fprintf(f, "{\n  \"benchmark\": \"uprb-bench\",\n  \"compiler\": ");
	json_string(f, BENCH_COMPILER);
	fprintf(f, ",\n  \"build\": ");
	json_string(f, UPRB_BENCH_BUILD);
	fprintf(f, ",\n  \"command\": ");
	json_string(f, b->cmdline ? b->cmdline : "");
	fprintf(f, ",\n  \"seed\": %" PRIu64 ",\n  \"rounds\": %u,\n"
		"  \"ring_bytes\": %" PRIu64 ",\n  \"verify_every\": %" PRIu64 ",\n"
		"  \"reader_idle\": %u,\n"
		"  \"writer_cpu\": %d,\n  \"reader_cpu\": %d,\n"
		"  \"shared_cpu\": %s,\n"
		"  \"line_round_trip_ns\": [%.6g, %.6g],\n"
		"  \"ck\": %s,\n  \"result\": \"%s\",\n"
		"  \"sizes\": [\n",
		o->seed, b->rounds_done, o->ring_bytes, o->verify_every,
		o->reader_idle, b->wcpu, b->rcpu,
		b->share ? "true" : "false", b->trip_ns[0], b->trip_ns[1],
		o->no_ck ? "false" : "true", b->verdict);
	for (unsigned int s = 0; s < o->sizes.n; s++) {
		json_cell(f, &b->cells[s], b->rounds_done);
		fprintf(f, "%s\n", s + 1 < o->sizes.n ? "," : "");
	}
	fprintf(f, "  ]");
	if (b->sig.ran) {
		fprintf(f, ",\n  \"signal\": {\"signals_per_round\": %" PRIu64
			", \"record_bytes\": %u, \"empty_ns\": %.6g, "
			"\"write_ns\": %.6g, \"nested_write_ns\": %.6g, "
			"\"failures\": %" PRIu64 ", ",
			o->signals, SIG_RECORD, b->sig.m_empty, b->sig.m_write,
			b->sig.m_diff, b->sig.failures);
		json_array(f, "empty_ns_per_round", b->sig.empty_ns,
			   b->rounds_done, false);
		json_array(f, "write_ns_per_round", b->sig.write_ns,
			   b->rounds_done, true);
		fprintf(f, "}");
	}
	fprintf(f, "\n}\n");
	return ferror(f) ? -1 : 0;
}
