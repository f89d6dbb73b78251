/* SPDX-License-Identifier: MIT */
/*
 * linux/kernel.h - arithmetic helpers, WARN, container_of, the CPU number.
 * Written for the shim: same names and meaning as the kernel's, simpler
 * bodies (no type checks the compiler of the tree would do for us).
 */
#ifndef UPRB_K_LINUX_KERNEL_H
#define UPRB_K_LINUX_KERNEL_H

#include <linux/errno.h>
#include <linux/types.h>

#define U16_MAX ((u16)~0U)
#define U32_MAX ((u32)~0U)
#define U64_MAX ((u64)~0ULL)
#define ULONG_MAX (~0UL)
#define INT_MAX ((int)(~0U >> 1))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define min(a, b)                                                              \
	({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a < _b ? _a : _b; })
#define max(a, b)                                                              \
	({ __typeof__(a) _a = (a); __typeof__(b) _b = (b); _a > _b ? _a : _b; })
#define min_t(t, a, b) ({ t _a = (a); t _b = (b); _a < _b ? _a : _b; })
#define max_t(t, a, b) ({ t _a = (a); t _b = (b); _a > _b ? _a : _b; })
#define rounddown(x, y) ({ __typeof__(x) _x = (x); _x - (_x % (y)); })
#define roundup(x, y) ((((x) + (y) - 1) / (y)) * (y))
#define container_of(ptr, type, member)                                        \
	((type *)((char *)(ptr) - offsetof(type, member)))

#define ilog2(n) ((int)(63 - __builtin_clzll((unsigned long long)(n) | 1)))
#define order_base_2(n) ((n) > 1 ? ilog2((n) - 1) + 1 : 0)
#define is_power_of_2(n) ((n) != 0 && (((n) & ((n) - 1)) == 0))

/* A WARN is a kernel bug report: the harness stops there (stubs.c). */
void uprb_k_warn(const char *file, int line, const char *cond);
#define WARN_ON(c)                                                             \
	({ bool _c = !!(c); if (unlikely(_c)) uprb_k_warn(__FILE__, __LINE__, #c); _c; })
#define WARN_ON_ONCE(c) WARN_ON(c)
#define BUG_ON(c) ((void)WARN_ON(c))

/* The CPU the current write runs on (the source's cpu). */
int uprb_k_cpu(void);
#define smp_processor_id() uprb_k_cpu()
#define raw_smp_processor_id() uprb_k_cpu()
#define cpu_to_node(cpu) ((void)(cpu), 0)
#define NUMA_NO_NODE (-1)

#endif
