/* SPDX-License-Identifier: MIT */
/*
 * main.c - uprb-stress-kernel: the real kernel ring under load, read by
 * the core's reader, every record checked, loss accounted exactly.
 *
 * A run is one or more phases. A phase opens the events on every CPU (one
 * ring per CPU, the others redirected into it), starts a reader thread per
 * ring, enables the events and the load, and at its end:
 *   1. stops the load and disables every event;
 *   2. stops the readers and drains every ring one last time;
 *   3. flushes the loss count the kernel still holds (rb->lost is reported
 *      only in front of the next record that fits): the ring's dummy event
 *      is enabled and a thread bound to that CPU renames itself, so the
 *      kernel writes a COMM record, and a LOST record before it if drops
 *      are pending; then drains again;
 *   4. reads every event's PERF_FORMAT_LOST count and compares their sum
 *      per ring with the sum of the PERF_RECORD_LOST counts the reader saw
 *      (a LOST record carries the id of the event that wrote it, not of
 *      the event that dropped, so only the per-ring sums can be equal).
 * In overwrite mode a window that lapped may have lost a LOST record to
 * the overwrite itself; such a ring is reported, not failed (README).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kstress.h"

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int parse_cpu_list(const char *s, int *cpus, unsigned int *n)
{
	char buf[1024], *tok, *save = NULL;

	*n = 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",\n", &save); tok;
	     tok = strtok_r(NULL, ",\n", &save)) {
		int a, b;

		if (sscanf(tok, "%d-%d", &a, &b) == 2) {
		} else if (sscanf(tok, "%d", &a) == 1) {
			b = a;
		} else {
			return -EINVAL;
		}
		if (a < 0 || b < a)
			return -EINVAL;
		for (int c = a; c <= b; c++) {
			if (*n == KS_MAX_CPUS)
				return -E2BIG;
			cpus[(*n)++] = c;
		}
	}
	return *n ? 0 : -EINVAL;
}

static int online_cpus(struct ks_world *w)
{
	char buf[1024] = "";
	FILE *f;

	if (w->o.cpus_arg)
		return parse_cpu_list(w->o.cpus_arg, w->cpus, &w->ncpus);
	f = fopen("/sys/devices/system/cpu/online", "r");
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	if (buf[0] && parse_cpu_list(buf, w->cpus, &w->ncpus) == 0)
		return 0;
	w->ncpus = 0;
	for (long i = 0; i < sysconf(_SC_NPROCESSORS_ONLN) && i < KS_MAX_CPUS; i++)
		w->cpus[w->ncpus++] = (int)i;
	return 0;
}

/*
 * Open each spec once on the first CPU: drop what this machine cannot do,
 * with its reason, and fall back from hardware counters to software
 * events when there is no PMU. Return: 0, or KS_EXIT_SKIP / KS_EXIT_USAGE.
 */
static int probe_specs(struct ks_world *w)
{
	unsigned int keep = 0, hw_named = 0, hw_failed = 0;
	char first_hw_err[512] = "";

	for (unsigned int i = 0; i < w->nspecs; i++) {
		struct perf_event_attr a;
		char why[512];
		int fd;

		ks_attr_for(w, &w->specs[i], false, &a);
		/* As the phase will: CPU-wide, or per task with a command. */
		fd = uprb_perf_event_open(&a, w->o.cmd ? 0 : -1, w->cpus[0], -1,
					  PERF_FLAG_FD_CLOEXEC);
		if (fd == -EINVAL && (a.read_format & PERF_FORMAT_LOST)) {
			printf("%s: PERF_FORMAT_LOST (Linux 6.0) is not supported by this kernel: no kernel loss count to compare with\n",
			       KS_NAME);
			return KS_EXIT_SKIP;
		}
		if (w->specs[i].hw)
			hw_named++;
		if (fd >= 0) {
			close(fd);
			w->specs[keep++] = w->specs[i];
			continue;
		}
		uprb_kring_explain(fd, "perf_event_open", why, sizeof(why));
		if (fd == -EACCES || fd == -EPERM) {
			printf("%s: %s: %s\n", KS_NAME, w->specs[i].name, why);
			return KS_EXIT_SKIP;
		}
		if (fd == -EMFILE || fd == -ENFILE) {
			printf("%s: %s\n", KS_NAME, why);
			return KS_EXIT_SKIP;
		}
		if (w->specs[i].hw) {
			hw_failed++;
			if (!first_hw_err[0])
				if (snprintf(first_hw_err, sizeof(first_hw_err),
					     "%s: %s", w->specs[i].name, why) < 0)
					first_hw_err[0] = 0;
			continue;
		}
		printf("%s: event %s is not used: %s\n", KS_NAME,
		       w->specs[i].name, why);
		ks_note(w, "event %s not used: %s", w->specs[i].name, why);
		if (w->o.require_all)
			return KS_EXIT_FAILED;
	}
	w->nspecs = keep;
	w->pmu = hw_named && hw_failed < hw_named;
	if (hw_failed) {
		if (w->o.no_hw_fallback || w->o.require_all) {
			printf("%s: no hardware PMU here: %s; --no-fallback/--require-all given\n",
			       KS_NAME, first_hw_err);
			return KS_EXIT_SKIP;
		}
		if (!w->nspecs) {
			printf("%s: no hardware PMU here (%s): falling back to software events and tracepoints (--events sw); bpf-output is not used (no BPF in this harness)\n",
			       KS_NAME, first_hw_err);
			ks_note(w, "no hardware PMU (%s): fell back to software events and tracepoints", first_hw_err);
			if (ks_parse_events(w, "sw"))
				return KS_EXIT_USAGE;
			return probe_specs(w);
		}
		printf("%s: %u hardware counter%s not available (%s): not used\n",
		       KS_NAME, hw_failed, hw_failed == 1 ? "" : "s", first_hw_err);
	}
	if (!w->nspecs) {
		printf("%s: none of the events can be opened here\n", KS_NAME);
		return KS_EXIT_SKIP;
	}
	return 0;
}

static int start_readers(struct ks_world *w, struct ks_phase *p)
{
	static bool rt_noted;

	for (unsigned int i = 0; i < p->nrings; i++) {
		struct ks_ring *r = &p->rings[i];
		pthread_attr_t at;
		int err = -1;

		if (w->o.rt) {
			struct sched_param sp = { .sched_priority = 10 };

			pthread_attr_init(&at);
			pthread_attr_setinheritsched(&at, PTHREAD_EXPLICIT_SCHED);
			pthread_attr_setschedpolicy(&at, SCHED_FIFO);
			pthread_attr_setschedparam(&at, &sp);
			err = pthread_create(&r->th, &at, ks_reader_main, r);
			pthread_attr_destroy(&at);
			if (err && !rt_noted) {
				rt_noted = true;
				ks_note(w, "readers run at normal priority: SCHED_FIFO refused (%s)",
					strerror(err));
			}
		}
		if (err)
			err = pthread_create(&r->th, NULL, ks_reader_main, r);
		if (err)
			return -err;
		r->have_th = true;
	}
	return 0;
}

static void stop_readers(struct ks_phase *p)
{
	atomic_store(&ks_stop, true);
	for (unsigned int i = 0; i < p->nrings; i++)
		if (p->rings[i].have_th) {
			pthread_join(p->rings[i].th, NULL);
			p->rings[i].have_th = false;
		}
	atomic_store(&ks_stop, false);
}

static void flush_pending_loss(struct ks_phase *p)
{
	for (unsigned int i = 0; i < p->nrings; i++) {
		struct ks_ring *r = &p->rings[i];
		int fd = r->ev[r->nev - 1].fd;

		ks_ring_drain(r);
		ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
		ks_set_comm_on_cpu(r->cpu, "ks-flush");
		ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
		ks_ring_drain(r);
	}
}

/* Step 4 of the header: per ring, the LOST sum against the kernel's. */
static void account(struct ks_world *w, struct ks_phase *p)
{
	for (unsigned int i = 0; i < p->nrings; i++) {
		struct ks_ring *r = &p->rings[i];
		uint64_t lk = 0;

		for (unsigned int j = 0; j < r->nev; j++) {
			int err = ks_read_counts(&r->ev[j]);

			if (err)
				ks_ring_fail(r, "cpu %d: read(2) of %s: %s", r->cpu,
					     ks_spec_name(w, r->ev[j].spec),
					     strerror(-err));
			lk += r->ev[j].lost_kernel;
		}
		if (r->validate && r->c.lost_sum != r->lost_sum)
			ks_ring_fail(r, "cpu %d: checker LOST sum %" PRIu64
				     " != reader's %" PRIu64, r->cpu,
				     r->c.lost_sum, r->lost_sum);
		if (r->lost_sum == lk)
			continue;
		if (r->backward && r->lapped && r->lost_sum < lk) {
			ks_note(w, "backward cpu %d: %" PRIu64 " of %" PRIu64
				" drops not seen: their LOST records were overwritten in %" PRIu64
				" lapped windows", r->cpu, lk - r->lost_sum, lk,
				r->lapped);
			continue;
		}
		ks_ring_fail(r, "cpu %d (%s): sum of PERF_RECORD_LOST counts %" PRIu64
			     " != sum of PERF_FORMAT_LOST of its %u events %" PRIu64,
			     r->cpu, r->backward ? "backward" : "forward",
			     r->lost_sum, r->nev, lk);
	}
}

static volatile sig_atomic_t g_interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	g_interrupted = 1;
}

/* Run one phase of @secs. Return: 0, or an exit code. */
static int run_phase(struct ks_world *w, bool backward, double secs,
		     bool capture)
{
	struct ks_phase p = { .w = w, .backward = backward, .child = -1 };
	uint64_t t0, last_samples = 0, next_progress;
	double last_t = 0;
	char why[1024];
	int go_fd = -1, err, rc = 0;
	pid_t pid = -1;

	if (w->o.cmd) {
		pid = ks_cmd_spawn(w->o.cmd, &go_fd);
		if (pid < 0) {
			printf("%s: cannot start %s: %s\n", KS_NAME, w->o.cmd[0],
			       strerror(-pid));
			return KS_EXIT_USAGE;
		}
		p.child = pid;
	}
	err = ks_phase_open(&p, pid, why, sizeof(why));
	if (err) {
		printf("%s: %s\n", KS_NAME, why);
		ks_phase_close(&p);
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
		return ks_is_obstacle(err) || err == -EMFILE || err == -ENOMEM ?
		       KS_EXIT_SKIP : KS_EXIT_FAILED;
	}
	if (capture)
		for (unsigned int i = 0; i < p.nrings; i++) {
			p.rings[i].cap_size = w->o.perf_data_max / p.nrings;
			p.rings[i].cap = malloc(p.rings[i].cap_size);
		}
	err = start_readers(w, &p);
	if (!err)
		err = ks_phase_enable(&p, true);
	if (!err && !w->o.cmd && w->o.loads)
		err = ks_load_start(&w->o, w->cpus, w->ncpus);
	if (err) {
		printf("%s: starting the phase: %s\n", KS_NAME, strerror(-err));
		stop_readers(&p);
		ks_phase_close(&p);
		return KS_EXIT_FAILED;
	}
	if (go_fd >= 0)
		ks_cmd_go(go_fd);

	t0 = ks_mono_ns();
	next_progress = t0 + (uint64_t)(w->o.progress * 1e9);
	for (;;) {
		uint64_t now = ks_mono_ns(), end = t0 + (uint64_t)(secs * 1e9);
		int status;

		if (now >= end || g_interrupted)
			break;
		if (pid > 0 && waitpid(pid, &status, WNOHANG) == pid) {
			pid = -1;
			break;
		}
		if (now >= next_progress) {
			ks_progress(&p, (double)(now - t0) * 1e-9, &last_samples,
				    &last_t);
			next_progress += (uint64_t)(w->o.progress * 1e9);
		}
		ks_sleep_ns(20000000);
	}
	p.secs = (double)(ks_mono_ns() - t0) * 1e-9;
	if (!w->o.cmd && w->o.loads)
		ks_load_stop();
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	ks_phase_enable(&p, false);
	stop_readers(&p);
	flush_pending_loss(&p);
	account(w, &p);
	if (capture && w->o.perf_data) {
		err = ks_perfdata_write(w, &p, w->o.perf_data);
		if (err) {
			ks_fail(w, "writing %s: %s", w->o.perf_data, strerror(-err));
		} else {
			uint64_t dropped = 0;

			for (unsigned int i = 0; i < p.nrings; i++)
				dropped += p.rings[i].cap_dropped;
			printf("perf.data: wrote %s (%s phase%s)\n", w->o.perf_data,
			       backward ? "backward" : "forward",
			       dropped ? ", capture limit reached: later records not written" : "");
		}
	}
	ks_add_totals(w, &p);
	for (unsigned int i = 0; i < p.nrings; i++)
		if (p.rings[i].failures)
			ks_fail(w, "%s ring of cpu %d: %" PRIu64 " failure%s, first: %s",
				backward ? "backward" : "forward", p.rings[i].cpu,
				p.rings[i].failures,
				p.rings[i].failures == 1 ? "" : "s", p.rings[i].first);
	ks_phase_close(&p);
	return rc;
}

static double median(double *v, unsigned int n)
{
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = i; j > 0 && v[j] < v[j - 1]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n ? (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) : 0;
}

/*
 * --bench: per source, alternate phases with the bare reader and with the
 * validating one (ABBA order), same rings, same load, and compare their
 * median delivered samples per second.
 */
static int run_bench(struct ks_world *w)
{
	struct ks_spec all[KS_MAX_EVENTS];
	unsigned int nall = w->nspecs, n = w->o.bench_rounds * 2;
	double *va = calloc(n, sizeof(double)), *vb = calloc(n, sizeof(double));
	int rc = 0;

	if (!va || !vb)
		return KS_EXIT_USAGE;
	memcpy(all, w->specs, sizeof(all));
	printf("bench: %u phases of %.1f s per source, bare and validating reader in ABBA order, %u pages per ring;\n"
	       "  samples/s: medians of the samples read per phase; ns: reader thread CPU time per sample read\n",
	       n, w->o.bench_phase, w->o.pages);
	printf("  %-28s %14s %14s %10s %10s %7s %9s %9s\n", "source",
	       "bare samples/s", "valid. samp/s", "bare lost", "val. lost",
	       "ratio", "bare ns", "val. ns");
	for (unsigned int s = 0; s < nall; s++) {
		uint64_t lost[2] = { 0, 0 }, cpu[2] = { 0, 0 }, smp[2] = { 0, 0 };
		unsigned int na = 0, nb = 0;
		double ratio;

		w->specs[0] = all[s];
		w->nspecs = 1;
		for (unsigned int i = 0; i < n && !g_interrupted; i++) {
			bool validate = (i % 4 == 1 || i % 4 == 2);
			struct ks_totals *t = &w->tot[0];
			uint64_t before = t->samples, lb = t->lost_kernel;
			uint64_t cb = t->reader_cpu_ns;
			double sb = t->secs;

			w->o.validate = validate;
			rc = run_phase(w, false, w->o.bench_phase, false);
			if (rc)
				goto out;
			if (validate)
				vb[nb++] = (double)(t->samples - before) / (t->secs - sb);
			else
				va[na++] = (double)(t->samples - before) / (t->secs - sb);
			lost[validate] += t->lost_kernel - lb;
			cpu[validate] += t->reader_cpu_ns - cb;
			smp[validate] += t->samples - before;
		}
		ratio = median(vb, nb) / median(va, na);
		/* Reader CPU time per sample read: what validation costs. */
		printf("  %-28s %14.0f %14.0f %10" PRIu64 " %10" PRIu64 " %7.3f %9.0f %9.0f\n",
		       all[s].name, median(va, na), median(vb, nb), lost[0],
		       lost[1], ratio, smp[0] ? (double)cpu[0] / (double)smp[0] : 0.0,
		       smp[1] ? (double)cpu[1] / (double)smp[1] : 0.0);
		if (all[s].tracepoint && !w->bench_ratio_tp)
			w->bench_ratio_tp = ratio;
		if (s == 0)
			w->bench_ratio_fast = ratio;
	}
out:
	w->o.validate = true;
	memcpy(w->specs, all, sizeof(all));
	w->nspecs = nall;
	free(va);
	free(vb);
	return rc;
}

static int run(struct ks_world *w, int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_sigint };
	int rc = 0;

	if (ks_parse_opts(argc, argv, &w->o))
		return KS_EXIT_USAGE;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (w->o.read_perf_data)
		return ks_perfdata_read(w->o.read_perf_data, w->o.dump_samples,
					w->o.verbose);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	raise_nofile();
	if (online_cpus(w)) {
		fprintf(stderr, "%s: bad --cpus list\n", KS_NAME);
		return KS_EXIT_USAGE;
	}
	if (w->o.equiv) {
		rc = ks_equiv_run(w);
		goto report;
	}
	if (w->o.bench && !strcmp(w->o.events_arg, "hw"))
		snprintf(w->o.events_arg, sizeof(w->o.events_arg),
			 "syscalls:sys_enter_getppid,page-faults,cpu-clock");
	if (ks_parse_events(w, w->o.events_arg))
		return KS_EXIT_USAGE;
	rc = probe_specs(w);
	if (rc)
		return rc;

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

	if (w->o.bench) {
		rc = run_bench(w);
		if (!rc && w->o.json) {
			int err = ks_write_json(w, w->o.json);

			if (err)
				ks_fail(w, "writing %s: %s", w->o.json, strerror(-err));
		}
		if (!rc && w->failures)
			rc = KS_EXIT_FAILED;
		printf("result: %s (seed %" PRIu64 ")\n", rc ? "FAIL" : "ok", w->o.seed);
		return rc;
	}
	{
		double left = w->o.duration;
		bool backward = w->o.mode == KS_BACKWARD;
		bool first = true;

		while (left > 0.05 && !g_interrupted && !rc) {
			double secs = w->o.mode == KS_ALTERNATE && !w->o.cmd &&
				      w->o.alternate < left ? w->o.alternate : left;

			rc = run_phase(w, backward, secs, first && w->o.perf_data);
			first = false;
			left -= secs;
			if (w->o.mode == KS_ALTERNATE)
				backward = !backward;
			if (w->o.cmd)
				break;
		}
	}
report:
	if (rc && rc != KS_EXIT_FAILED)
		return rc;
	if (w->o.expect_lost && !w->o.equiv && !w->o.bench &&
	    !w->tot[0].lost_kernel && !w->tot[1].lost_kernel)
		ks_fail(w, "--expect-lost: no ring dropped anything, the loss accounting was not exercised (use fewer --pages or more load)");
	ks_print_summary(w);
	if (w->o.json) {
		int err = ks_write_json(w, w->o.json);

		if (err)
			ks_fail(w, "writing %s: %s", w->o.json, strerror(-err));
	}
	if (w->failures) {
		printf("first failure: %s\n", w->first);
		ks_print_replay(stdout, &w->o, NULL);
		printf("result: FAIL (%" PRIu64 " failure%s, seed %" PRIu64 ")\n",
		       w->failures, w->failures == 1 ? "" : "s", w->o.seed);
		return KS_EXIT_FAILED;
	}
	printf("result: ok (seed %" PRIu64 ")\n", w->o.seed);
	return rc;
}

int main(int argc, char **argv)
{
	struct ks_world *w = calloc(1, sizeof(*w));
	int rc;

	if (!w)
		return KS_EXIT_USAGE;
	rc = run(w, argc, argv);
	free(w);
	return rc;
}
