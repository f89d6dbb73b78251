/* SPDX-License-Identifier: MIT */
/*
 * cpus.h - which CPUs a run uses: the online set, lists given on the
 * command line (no duplicates, only online CPUs), pinning, spin-waiting.
 */
#ifndef STRESS_CPUS_H
#define STRESS_CPUS_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

/* Most CPUs any list holds. */
#define STRESS_MAX_CPUS 1024

struct stress_cpus {
	int cpu[STRESS_MAX_CPUS];
	unsigned int n;
};

/* The online CPUs (/sys/.../cpu/online, else sysconf). Return: 0 or -errno. */
int stress_cpus_online(struct stress_cpus *c);

/*
 * A list like "0,2-3" into @dst (a struct stress_cpus): ascending or not,
 * but every CPU once and online. For sopt's check. Return: true or false
 * with @why.
 */
bool stress_cpus_parse(const char *s, void *dst, char *why, size_t len);

/* Pin the calling thread to @cpu. Return: true on success. */
bool stress_pin_self(int cpu);

/*
 * A writer's and a reader's CPU: 0 and 1 when this process may run on
 * both, else the first two it may use, else one shared CPU (@share).
 * Every fallback is said on stdout.
 */
void stress_pick_two_cpus(int *wcpu, int *rcpu, bool *share);

/*
 * One step of a spin-wait. On a shared CPU a spinning thread would starve
 * the other one, so it yields there; otherwise it is a pause instruction.
 */
static inline void stress_relax(bool share_cpu)
{
	if (share_cpu) {
		sched_yield();
		return;
	}
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

#endif /* STRESS_CPUS_H */
