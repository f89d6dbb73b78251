/* SPDX-License-Identifier: MIT */
/*
 * uprb_kshim.h - forced into every translation unit compiled from a kernel
 * tree (-include): the configuration, the compiler words the tree takes for
 * granted, and the seam hooks (uprb_kseam.h) with the generated table that
 * labels each shared access by its source line (uprb_ksites.h, in the build
 * directory). The fake linux/ headers beside this file provide the rest.
 *
 * Nothing here is kernel code: every definition is ours, written from what
 * the tree's files use (kernel/README.md: adding a helper or a field).
 */
#ifndef UPRB_KSHIM_H
#define UPRB_KSHIM_H

#include "uprb_kconfig.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef __always_inline /* glibc's sys/cdefs.h has the same */
#define __always_inline inline __attribute__((__always_inline__))
#endif
#define noinline __attribute__((__noinline__))
#define __maybe_unused __attribute__((__unused__))
#define __weak __attribute__((__weak__))
#define __force
#define __rcu
#define __user
#define __percpu
#define __init
#define __read_mostly
#define __must_check
#define ____cacheline_aligned __attribute__((__aligned__(64)))
#define ____cacheline_aligned_in_smp ____cacheline_aligned
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define EXPORT_SYMBOL(sym) extern int uprb_k_export_##sym
#define EXPORT_SYMBOL_GPL(sym) extern int uprb_k_export_##sym

#include "uprb_kseam.h"

/* Planted faults of the kernel tests' copy of ring_buffer.c (stubs.c). */
extern int uprb_k_plant;

#endif /* UPRB_KSHIM_H */
