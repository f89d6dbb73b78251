/* SPDX-License-Identifier: MIT */
/*
 * linux/spinlock.h - locks the ring embeds: the writer never takes them and
 * the harness runs one thread, so they are empty.
 */
#ifndef UPRB_K_LINUX_SPINLOCK_H
#define UPRB_K_LINUX_SPINLOCK_H

typedef struct {
	int unused;
} spinlock_t;
struct mutex {
	int unused;
};
#define spin_lock_init(l) ((void)(l))
#define mutex_init(m) ((void)(m))

#endif
