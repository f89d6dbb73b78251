/* SPDX-License-Identifier: MIT */
/*
 * main.c - uprb-stress-kernel: the real kernel ring under load, read by
 * the core's reader, every record checked, loss accounted exactly
 * (kstress.h lists the parts). A run is one or more phases (phase.c), or
 * one of the other modes: --equivalence, --bench, --read-perf-data.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "kstress.h"

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* --cpus, or every online CPU. Return: 0, or an exit status (printed). */
static int pick_cpus(struct ks_world *w)
{
	struct stress_cpus online;
	const struct stress_cpus *c = &w->o.cpus;

	if (!c->n) {
		if (stress_cpus_online(&online)) {
			fprintf(stderr, "%s: cannot tell which CPUs are online\n",
				KS_NAME);
			return KS_EXIT_SKIP;
		}
		c = &online;
	}
	if (c->n > KS_MAX_CPUS) {
		fprintf(stderr, "%s: %u CPUs: at most %d rings; name some with --cpus\n",
			KS_NAME, c->n, KS_MAX_CPUS);
		return KS_EXIT_USAGE;
	}
	w->ncpus = c->n;
	memcpy(w->cpus, c->cpu, c->n * sizeof(c->cpu[0]));
	return 0;
}

static void print_header(const struct ks_world *w)
{
	printf("%s: %u event%s on %u CPU%s (one ring each, %u data pages%s, others by SET_OUTPUT): ",
	       KS_NAME, w->nspecs, w->nspecs == 1 ? "" : "s", w->ncpus,
	       w->ncpus == 1 ? "" : "s", w->o.pages,
	       w->o.backward_pages && w->o.mode != KS_FORWARD ? " forward, more backward" : "");
	for (unsigned int i = 0; i < w->nspecs; i++)
		printf("%s%s", i ? "," : "", w->specs[i].name);
	printf("\n  sample_type 0x%" PRIx64 ", %s, %s, seed %" PRIu64 "\n",
	       w->o.sample_type, w->o.validate ? "every record validated" :
	       "bare reader (no validation)",
	       w->o.cmd ? w->o.cmd[0] : "built-in load", w->o.seed);
	printf("  bpf-output: not used (no BPF in this harness; tracepoints are the fastest source)\n");
}

/* The phases of a stress run. Return: 0 or an exit status. */
static int run_phases(struct ks_world *w)
{
	double left = w->o.duration;
	bool backward = w->o.mode == KS_BACKWARD;
	bool first = true;
	int rc = 0;

	/* Every run has a phase; a leftover under 50 ms makes no further one. */
	while ((first || left > 0.05) && !stress_stopping() && !rc) {
		double secs = w->o.mode == KS_ALTERNATE && !w->o.cmd &&
			      w->o.alternate < left ? w->o.alternate : left;

		rc = ks_run_phase(w, backward, secs,
				  first && w->outs[KS_OUT_PERF_DATA].f);
		first = false;
		left -= secs;
		if (w->o.mode == KS_ALTERNATE)
			backward = !backward;
		if (w->o.cmd)
			break;
	}
	return rc;
}

/* What a finished stress run says about itself beyond the checks. */
static void judge_run(struct ks_world *w)
{
	const struct ks_totals *f = &w->tot[0], *b = &w->tot[1];

	if (w->o.expect_lost && !f->lost_kernel && !b->lost_kernel)
		ks_fail(w, "--expect-lost: no ring dropped anything, the loss accounting was not exercised (use fewer --pages or more load)");
	if (!w->unfinished && !stress_stopping() && !f->samples && !b->samples)
		w->unfinished = "nothing was sampled: no event fired (another --events, or a load or command that triggers them)";
	if (w->cmd_ran && WIFEXITED(w->cmd_status) && WEXITSTATUS(w->cmd_status))
		ks_note(w, "the command exited with status %d",
			WEXITSTATUS(w->cmd_status));
}

/* Summary, JSON, the result line. Return: the exit status. */
static int conclude(struct ks_world *w)
{
	struct stress_end e = { .seed = w->o.seed, .seeded = true,
				.signal = stress_stop_signal(),
				.planned = w->o.equiv || w->o.bench ? 0 : w->o.duration,
				.secs = w->tot[0].secs + w->tot[1].secs };
	struct stress_out *json = &w->outs[KS_OUT_JSON];

	if (!w->o.equiv && !w->o.bench)
		judge_run(w);
	ks_print_summary(w);
	if (json->f) {
		ks_write_json(w, json->f);
		if (stress_out_close(json, KS_NAME, stderr))
			w->unfinished = "the --json file was not written";
	}
	e.failures = w->failures;
	e.first = w->first;
	e.unfinished = w->unfinished;
	if (w->failures)
		printf("first failure: %s\n", w->first);
	if (w->failures || w->unfinished || e.signal)
		sopt_replay(&w->prog, stdout);
	return stress_result(stdout, &e);
}

/* A stress run or --bench: events, probe, phases. Return: exit status. */
static int run_events(struct ks_world *w)
{
	const char *events = w->o.events;
	int rc;

	if (w->o.bench && !sopt_given(&w->prog, "events"))
		events = "syscalls:sys_enter_getppid,page-faults,cpu-clock";
	if (ks_parse_events(w, events))
		return KS_EXIT_USAGE;
	rc = ks_probe_specs(w);
	if (rc)
		return rc;
	print_header(w);
	return w->o.bench ? ks_run_bench(w) : run_phases(w);
}

static int run(struct ks_world *w, int argc, char **argv)
{
	int rc;

	ks_prog_init(&w->prog, &w->o);
	rc = ks_parse_opts(&w->prog, &w->o, argc, argv);
	if (rc)
		return rc == SOPT_HELP ? 0 : rc;
	w->outs[KS_OUT_JSON] = (struct stress_out){ "json", w->o.json, NULL };
	w->outs[KS_OUT_PERF_DATA] = (struct stress_out){ "perf-data", w->o.perf_data, NULL };
	w->outs[KS_OUT_DUMP] = (struct stress_out){ "dump-samples", w->o.dump_samples, NULL };
	rc = stress_outs_open(&w->prog, w->outs, KS_NOUTS);
	if (rc)
		return rc;
	setvbuf(stdout, NULL, _IOLBF, 0);
	stress_stop_install(KS_NAME);
	if (w->o.read_perf_data)
		return ks_perfdata_read(w->o.read_perf_data, &w->outs[KS_OUT_DUMP],
					w->o.verbose);
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	rc = pick_cpus(w);
	if (rc)
		return rc;
	rc = w->o.equiv ? ks_equiv_run(w) : run_events(w);
	/* Cannot run here, or could not start: the reason is printed. */
	if (rc && rc != KS_EXIT_FAILED && !w->unfinished)
		return rc;
	return conclude(w);
}

int main(int argc, char **argv)
{
	struct ks_world *w = calloc(1, sizeof(*w));
	int rc;

	if (!w)
		return KS_EXIT_USAGE;
	rc = run(w, argc, argv);
	for (int i = 0; i < KS_NOUTS; i++)
		stress_out_close(&w->outs[i], KS_NAME, NULL);
	free(w);
	return rc;
}
