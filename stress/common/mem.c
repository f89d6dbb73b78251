/* SPDX-License-Identifier: MIT */
/*
 * mem.c - the memory a run may use; see mem.h.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "mem.h"
#include "parse.h"

/* The first number in @path (a kernel interface file), or UINT64_MAX. */
static uint64_t file_number(const char *path, const char *key)
{
	char line[256];
	uint64_t v = UINT64_MAX;
	FILE *f = fopen(path, "r");

	if (!f)
		return UINT64_MAX;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long x;
		const char *p = line;

		if (key) {
			if (strncmp(line, key, strlen(key)))
				continue;
			p += strlen(key);
		}
		/* "max" (no cgroup limit) reads as no number. */
		if (sscanf(p, " %llu", &x) == 1)
			v = (uint64_t)x;
		break;
	}
	fclose(f);
	return v;
}

static void take(uint64_t v, const char *name, uint64_t *least, char *what,
		 size_t len)
{
	if (v < *least) {
		*least = v;
		snprintf(what, len, "%s", name);
	}
}

uint64_t stress_mem_available(char *what, size_t len)
{
	uint64_t least = UINT64_MAX, v, cur;
	struct rlimit rl;

	snprintf(what, len, "no limit known");
	v = file_number("/proc/meminfo", "MemAvailable:");
	if (v != UINT64_MAX)
		take(v * 1024, "MemAvailable in /proc/meminfo", &least, what,
		     len);
	v = file_number("/sys/fs/cgroup/memory.max", NULL);
	cur = file_number("/sys/fs/cgroup/memory.current", NULL);
	if (v != UINT64_MAX && cur != UINT64_MAX)
		take(v > cur ? v - cur : 0, "the cgroup's memory.max", &least,
		     what, len);
	if (!getrlimit(RLIMIT_AS, &rl) && rl.rlim_cur != RLIM_INFINITY)
		take((uint64_t)rl.rlim_cur, "RLIMIT_AS (ulimit -v)", &least,
		     what, len);
	if (!getrlimit(RLIMIT_DATA, &rl) && rl.rlim_cur != RLIM_INFINITY)
		take((uint64_t)rl.rlim_cur, "RLIMIT_DATA (ulimit -d)", &least,
		     what, len);
	return least;
}

int stress_mem_check(const struct sopt_prog *p, const char *opt, uint64_t need,
		     const char *needs)
{
	char what[64], a[32], n[32];
	uint64_t avail = stress_mem_available(what, sizeof(what));

	if (avail == UINT64_MAX || need <= avail / 10 * 8)
		return 0;
	return sopt_fail(p, opt, "%s: %s of memory, more than 80%% of the %s available (%s)",
			 needs, sp_fmt_approx(need, n, sizeof(n)),
			 sp_fmt_approx(avail, a, sizeof(a)), what);
}
