/* SPDX-License-Identifier: MIT */
/*
 * linux/sched.h - the task a write runs in, and the clock. `current` is
 * the context of the running write (stubs.c): its pid and tid are the
 * writing source's, so the sample_id trailer the tree computes carries the
 * values the world gave that source.
 */
#ifndef UPRB_K_LINUX_SCHED_H
#define UPRB_K_LINUX_SCHED_H

#include <linux/types.h>

struct task_struct {
	pid_t pid;
	pid_t tgid;
};
struct pid_namespace;
enum pid_type { PIDTYPE_PID, PIDTYPE_TGID, PIDTYPE_PGID, PIDTYPE_SID, PIDTYPE_MAX };

struct task_struct *uprb_k_current(void);
#define current uprb_k_current()

static inline pid_t __task_pid_nr_ns(struct task_struct *t, enum pid_type type,
				     struct pid_namespace *ns)
{
	(void)ns;
	return type == PIDTYPE_PID ? t->pid : t->tgid;
}
#define task_pid_nr_ns(t, ns) __task_pid_nr_ns((t), PIDTYPE_PID, (ns))
#define task_tgid_nr_ns(t, ns) __task_pid_nr_ns((t), PIDTYPE_TGID, (ns))
#define pid_alive(t) ((void)(t), 1)

/* The writing source's clock (what perf_event_clock() reads). */
u64 uprb_k_local_clock(void);
#define local_clock() uprb_k_local_clock()

#endif
