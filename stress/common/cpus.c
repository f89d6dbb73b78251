/* SPDX-License-Identifier: MIT */
/* cpus.c - see cpus.h. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cpus.h"
#include "parse.h"

/* "0-3,5" into @c, duplicates refused. Return: true or @why. */
static bool parse_list(const char *s, struct stress_cpus *c, char *why,
		       size_t len)
{
	static char seen[STRESS_MAX_CPUS];
	char buf[4096], *items[STRESS_MAX_CPUS];
	int n = sp_split(s, buf, sizeof(buf), items, STRESS_MAX_CPUS, why, len);

	if (n < 0)
		return false;
	memset(seen, 0, sizeof(seen));
	c->n = 0;
	for (int i = 0; i < n; i++) {
		char *dash = strchr(items[i], '-');
		uint64_t a, b;

		if (dash)
			*dash = 0;
		if (!sp_uint(items[i], false, &a, why, len) ||
		    !sp_uint(dash ? dash + 1 : items[i], false, &b, why, len))
			return false;
		if (b < a) {
			snprintf(why, len, "%llu-%llu: a range from high to low",
				 (unsigned long long)a, (unsigned long long)b);
			return false;
		}
		if (b >= STRESS_MAX_CPUS) {
			snprintf(why, len, "CPU %llu: not below %d",
				 (unsigned long long)b, STRESS_MAX_CPUS);
			return false;
		}
		for (uint64_t x = a; x <= b; x++) {
			if (seen[x]) {
				snprintf(why, len, "CPU %llu is named twice",
					 (unsigned long long)x);
				return false;
			}
			seen[x] = 1;
			c->cpu[c->n++] = (int)x;
		}
	}
	return true;
}

int stress_cpus_online(struct stress_cpus *c)
{
	char buf[4096] = "", why[128];
	FILE *f = fopen("/sys/devices/system/cpu/online", "r");
	long n;

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
		buf[strcspn(buf, "\n")] = 0;
		if (buf[0] && parse_list(buf, c, why, sizeof(why)))
			return 0;
	}
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return -EINVAL;
	c->n = 0;
	for (long i = 0; i < n && i < STRESS_MAX_CPUS; i++)
		c->cpu[c->n++] = (int)i;
	return 0;
}

bool stress_cpus_parse(const char *s, void *dst, char *why, size_t len)
{
	static struct stress_cpus online, c;

	if (!parse_list(s, &c, why, len))
		return false;
	if (stress_cpus_online(&online)) {
		snprintf(why, len, "cannot tell which CPUs are online");
		return false;
	}
	for (unsigned int i = 0; i < c.n; i++) {
		unsigned int j;

		for (j = 0; j < online.n && online.cpu[j] != c.cpu[i]; j++)
			;
		if (j == online.n) {
			snprintf(why, len, "CPU %d is not online (online: %u CPU%s, %d..%d)",
				 c.cpu[i], online.n, online.n == 1 ? "" : "s",
				 online.cpu[0], online.cpu[online.n - 1]);
			return false;
		}
	}
	*(struct stress_cpus *)dst = c;
	return true;
}

bool stress_pin_self(int cpu)
{
	cpu_set_t set;

	if (cpu < 0 || cpu >= CPU_SETSIZE)
		return false;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

void stress_pick_two_cpus(int *wcpu, int *rcpu, bool *share)
{
	cpu_set_t set;
	int first = -1, second = -1;

	*wcpu = 0;
	*rcpu = 1;
	*share = false;
	if (sched_getaffinity(0, sizeof(set), &set) != 0) {
		printf("note: cannot read the CPU affinity; pinning to CPUs 0 and 1 anyway\n");
		return;
	}
	if (CPU_ISSET(0, &set) && CPU_ISSET(1, &set))
		return;
	for (int i = 0; i < CPU_SETSIZE && second < 0; i++)
		if (CPU_ISSET(i, &set)) {
			if (first < 0)
				first = i;
			else
				second = i;
		}
	if (second >= 0) {
		*wcpu = first;
		*rcpu = second;
		printf("note: CPUs 0/1 not both available; writer on CPU %d, reader on CPU %d\n",
		       first, second);
		return;
	}
	*wcpu = *rcpu = first < 0 ? 0 : first;
	*share = true;
	printf("note: only one CPU available: writer and reader share CPU %d; the figures measure time-sharing, not cross-CPU transfer\n",
	       *wcpu);
}
