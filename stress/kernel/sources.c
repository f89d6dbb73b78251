/* SPDX-License-Identifier: MIT */
/*
 * sources.c - the event sources uprb-stress-kernel knows by name (one
 * table), their groups, and --events as the command line gives it: checked
 * here (names, groups, periods, tracepoint syntax), resolved later
 * (events.c: tracepoint ids, attrs). No side effects: the option parser
 * and its fuzz target call it.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "kstress.h"
#include "parse.h"

/*
 * Every event source the program knows by name: adding one is a line here
 * (its group puts it into hw, sw or tp; --help lists it from here). Any
 * other <subsystem>:<name> is a tracepoint too.
 */
static const struct ks_source sources[] = {
	{ "cycles", "hw", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, 200003, false },
	{ "instructions", "hw", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, 200003, false },
	{ "branches", "hw", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS, 50021, false },
	{ "branch-misses", "hw", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES, 2003, false },
	{ "cache-misses", "hw", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES, 2003, false },
	{ "cpu-clock", "sw", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, 100000, false },
	{ "task-clock", "sw", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, 100000, false },
	{ "page-faults", "sw", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, 1, true },
	{ "minor-faults", "sw", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN, 1, true },
	{ "major-faults", "sw", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ, 1, true },
	{ "context-switches", "sw", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, 1, true },
	{ "cpu-migrations", "sw", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS, 1, true },
	{ "alignment-faults", "sw", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_ALIGNMENT_FAULTS, 1, true },
	{ "emulation-faults", "sw", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_EMULATION_FAULTS, 1, true },
	{ "syscalls:sys_enter_getppid", "tp", PERF_TYPE_TRACEPOINT, 0, 1, true },
	{ "sched:sched_switch", "tp", PERF_TYPE_TRACEPOINT, 0, 1, true },
	{ "sched:sched_wakeup", "tp", PERF_TYPE_TRACEPOINT, 0, 1, true },
	{ "raw_syscalls:sys_exit", "tp", PERF_TYPE_TRACEPOINT, 0, 1, true },
};

#define NSOURCES (sizeof(sources) / sizeof(sources[0]))

/* What a group name stands for: sw is every software source, tp included. */
bool ks_in_group(const struct ks_source *k, const char *group)
{
	return !strcmp(k->group, group) ||
	       (!strcmp(group, "sw") && !strcmp(k->group, "tp"));
}

bool ks_is_group(const char *word)
{
	return !strcmp(word, "hw") || !strcmp(word, "sw") || !strcmp(word, "tp");
}

const struct ks_source *ks_source_named(const char *name)
{
	for (size_t i = 0; i < NSOURCES; i++)
		if (!strcmp(sources[i].name, name))
			return &sources[i];
	return NULL;
}

const struct ks_source *ks_source_at(unsigned int i)
{
	return i < NSOURCES ? &sources[i] : NULL;
}

const char *ks_events_help(void)
{
	static char buf[1024];
	static const char *const groups[] = { "hw", "sw", "tp" };
	size_t at;

	at = (size_t)snprintf(buf, sizeof(buf),
			      "comma list of sources, groups and tracepoints (at "
			      "most %d events); name/N sets that one's period.",
			      KS_MAX_EVENTS);
	for (size_t g = 0; g < 3 && at < sizeof(buf); g++) {
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "\n%s:", groups[g]);
		for (size_t i = 0; i < NSOURCES && at < sizeof(buf); i++)
			if (!strcmp(sources[i].group, groups[g]))
				at += (size_t)snprintf(buf + at, sizeof(buf) - at,
						       " %s", sources[i].name);
	}
	if (at < sizeof(buf))
		snprintf(buf + at, sizeof(buf) - at,
			 "\nsw also takes tp's; any <subsystem>:<tracepoint> works; "
			 "bpf-output is not used (no BPF here)");
	return buf;
}

/* One item of --events: its name part and period. Return: true or @why. */
bool ks_event_item(const char *item, char *name, size_t nlen,
		       uint64_t *period, char *why, size_t len)
{
	const char *slash = strchr(item, '/');
	size_t n = slash ? (size_t)(slash - item) : strlen(item);

	*period = 0;
	if (!n || n >= nlen) {
		snprintf(why, len, "'%s' is not an event name", item);
		return false;
	}
	memcpy(name, item, n);
	name[n] = 0;
	if (slash) {
		char w[96];

		if (!sp_uint(slash + 1, false, period, w, sizeof(w))) {
			snprintf(why, len, "%s: the period after / is %s", item, w);
			return false;
		}
		if (!*period || *period > KS_MAX_PERIOD) {
			snprintf(why, len, "%s: the period after / is %s", item,
				 *period ? "above 2^62" : "0");
			return false;
		}
		if (ks_is_group(name)) {
			snprintf(why, len, "%s: a period is set per event, not per group",
				 item);
			return false;
		}
	}
	return true;
}

/* A tracepoint name: <subsystem>:<name>, word characters only. */
static bool tracepoint_name(const char *name)
{
	const char *colon = strchr(name, ':');

	if (!colon || colon == name || !colon[1] || strchr(colon + 1, ':'))
		return false;
	for (const char *c = name; *c; c++)
		if (c != colon && !(isalnum((unsigned char)*c) || *c == '_' ||
				    *c == '-'))
			return false;
	return true;
}

bool ks_events_check(const char *arg, void *dst, char *why, size_t len)
{
	char buf[1024], *items[KS_MAX_EVENTS * 2], name[96];
	int n = sp_split(arg, buf, sizeof(buf), items,
			 sizeof(items) / sizeof(items[0]), why, len);
	uint64_t period;

	if (n < 0)
		return false;
	for (int i = 0; i < n; i++) {
		if (!ks_event_item(items[i], name, sizeof(name), &period, why, len))
			return false;
		if (ks_is_group(name) || ks_source_named(name) ||
		    !strcmp(name, "bpf-output") || !strcmp(name, "bpf") ||
		    tracepoint_name(name))
			continue;
		snprintf(why, len, "no event is called '%s' (see --help)", name);
		return false;
	}
	*(const char **)dst = arg;
	return true;
}

