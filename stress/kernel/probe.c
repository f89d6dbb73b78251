/* SPDX-License-Identifier: MIT */
/*
 * probe.c - which of the named events this machine can open: each is opened
 * once on the first CPU, as the phase will open it. What cannot be used is
 * dropped with its reason; hardware counters fall back to software events
 * when there is no PMU; a kernel too old for PERF_FORMAT_LOST, or a
 * permission, is an obstacle (exit 77).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kstress.h"

/*
 * perf_event_open said EINVAL to an attr with PERF_FORMAT_LOST: is that
 * flag the reason (a kernel before 6.0), or something else? The same attr
 * without it tells. Return: true if the flag is the reason.
 */
static bool format_lost_missing(struct perf_event_attr a, pid_t pid, int cpu)
{
	int fd;

	a.read_format &= ~(uint64_t)PERF_FORMAT_LOST;
	fd = uprb_perf_event_open(&a, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Open spec @i once. Return: an fd or -errno; 1: skip the run (said why). */
static int probe_one(struct ks_world *w, unsigned int i, char *why, size_t len)
{
	struct perf_event_attr a;
	pid_t pid = w->o.cmd ? 0 : -1;
	int fd;

	ks_attr_for(w, &w->specs[i], false, &a);
	/* As the phase will: CPU-wide, or per task with a command. */
	fd = uprb_perf_event_open(&a, pid, w->cpus[0], -1, PERF_FLAG_FD_CLOEXEC);
	if (fd == -EINVAL && format_lost_missing(a, pid, w->cpus[0])) {
		printf("%s: PERF_FORMAT_LOST (Linux 6.0) is not supported by this kernel: no kernel loss count to compare with\n",
		       KS_NAME);
		return 1;
	}
	if (fd < 0)
		uprb_kring_explain(fd, "perf_event_open", why, len);
	if (fd == -EACCES || fd == -EPERM) {
		printf("%s: %s: %s\n", KS_NAME, w->specs[i].name, why);
		return 1;
	}
	if (fd == -EMFILE || fd == -ENFILE) {
		printf("%s: %s\n", KS_NAME, why);
		return 1;
	}
	return fd;
}

/* No PMU: what to do about the hardware counters that did not open. */
static int hw_fallback(struct ks_world *w, unsigned int hw_failed,
		       const char *first_hw_err)
{
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
		return ks_probe_specs(w);
	}
	printf("%s: %u hardware counter%s not available (%s): not used\n",
	       KS_NAME, hw_failed, hw_failed == 1 ? "" : "s", first_hw_err);
	return 0;
}

int ks_probe_specs(struct ks_world *w)
{
	unsigned int keep = 0, hw_named = 0, hw_failed = 0;
	char first_hw_err[512] = "";

	for (unsigned int i = 0; i < w->nspecs; i++) {
		char why[512] = "";
		int fd = probe_one(w, i, why, sizeof(why));

		if (fd == 1)
			return KS_EXIT_SKIP;
		if (w->specs[i].hw)
			hw_named++;
		if (fd >= 0) {
			close(fd);
			w->specs[keep++] = w->specs[i];
			continue;
		}
		if (w->specs[i].hw) {
			hw_failed++;
			if (!first_hw_err[0])
				snprintf(first_hw_err, sizeof(first_hw_err),
					 "%.100s: %.400s", w->specs[i].name, why);
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
		int rc = hw_fallback(w, hw_failed, first_hw_err);

		if (rc)
			return rc;
	}
	if (!w->nspecs) {
		printf("%s: none of the events can be opened here\n", KS_NAME);
		return KS_EXIT_SKIP;
	}
	return 0;
}
