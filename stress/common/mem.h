/* SPDX-License-Identifier: MIT */
/*
 * mem.h - what memory this machine can give a run, asked before any ring
 * is allocated, so that a run too big for the machine is refused with one
 * line instead of meeting the OOM killer half-way.
 */
#ifndef STRESS_MEM_H
#define STRESS_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "opt.h"

/*
 * Bytes this process can still get: the least of MemAvailable, the
 * cgroup's memory.max minus memory.current, and RLIMIT_AS / RLIMIT_DATA;
 * @what says which one that is. UINT64_MAX when none can be read.
 */
uint64_t stress_mem_available(char *what, size_t len);

/*
 * Refuse option @opt of @p when @need bytes (@needs says for what, "64
 * rings of 4 MiB") exceed 80% of what is available (the rest is the
 * program's own, the sanitizers', the load's). Return: 0, or
 * STRESS_EXIT_USAGE (the line printed).
 */
int stress_mem_check(const struct sopt_prog *p, const char *opt, uint64_t need,
		     const char *needs);

#endif /* STRESS_MEM_H */
