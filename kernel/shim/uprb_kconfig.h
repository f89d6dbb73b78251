/* SPDX-License-Identifier: MIT */
/*
 * uprb_kconfig.h - the kernel configuration the tree's files are compiled
 * under: an x86-64 kernel with perf events, pages from the page allocator
 * (not CONFIG_PERF_USE_VMALLOC), no AUX-capable PMU. The site generator
 * (kernel/tools/gen_sites.py) reads this file to pick the same #if branches
 * as the compiler.
 */
#ifndef UPRB_KCONFIG_H
#define UPRB_KCONFIG_H

#define CONFIG_PERF_EVENTS 1
#define CONFIG_MMU 1
#define CONFIG_64BIT 1
#define CONFIG_X86_64 1
#define CONFIG_SMP 1
#define CONFIG_HAVE_PERF_USER_STACK_DUMP 1

#endif /* UPRB_KCONFIG_H */
