/* SPDX-License-Identifier: MIT */
/* linux/types.h - the UAPI types, plus the kernel's short names for them. */
#ifndef UPRB_K_LINUX_TYPES_H
#define UPRB_K_LINUX_TYPES_H

#include_next <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;
typedef unsigned int gfp_t;
typedef unsigned long pgoff_t;
#ifndef UPRB_K_PID_T
#define UPRB_K_PID_T
typedef int pid_t;
#endif

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};
#define callback_head rcu_head

#endif
