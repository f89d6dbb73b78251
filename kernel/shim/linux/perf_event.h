/* SPDX-License-Identifier: MIT */
/*
 * linux/perf_event.h - what the tree's ring_buffer.c takes from the kernel's
 * perf header: the UAPI structs (the tree's own include/uapi header), the
 * output handle and sample data (cut from the tree's include/linux/
 * perf_event.h at build time, exactly as the tree has them:
 * uprb_kperf_event.h), and a struct perf_event of our own with the fields
 * the compiled code reads.
 */
#ifndef UPRB_K_LINUX_PERF_EVENT_H
#define UPRB_K_LINUX_PERF_EVENT_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/preempt.h>
#include <linux/refcount.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/irq_work.h>
#include <linux/poll.h>

/* the tree's include/uapi/linux/perf_event.h (uprb_ktree.h names it) */
#include "uprb_ktree.h"
#include UPRB_K_UAPI_PERF_EVENT_H

struct perf_event;
struct UPRB_K_RB_STRUCT;

struct pt_regs {
	unsigned long regs[21];
};
struct perf_regs {
	__u64 abi;
	struct pt_regs *regs;
};
struct user_struct;
struct perf_callchain_entry;
struct perf_raw_record;
struct perf_branch_stack;

struct pmu {
	int capabilities;
	void *(*setup_aux)(struct perf_event *event, void **pages, int nr_pages,
			   bool overwrite);
	void (*free_aux)(void *aux);
};

/*
 * The event: ours, not the kernel's layout. The ring's struct is named
 * after the tree (struct perf_buffer from 5.8, struct ring_buffer before).
 */
struct perf_event {
	struct perf_event *parent;
	struct UPRB_K_RB_STRUCT *rb;
	struct perf_event_attr attr;
	u64 id;
	u16 id_header_size;
	u16 header_size;
	u16 read_size;
	atomic64_t lost_samples;
	int pending_wakeup;
	int pending_kill;
	int pending_disable;
	union { /* pending_irq from 6.1, pending before */
		struct irq_work pending_irq;
		struct irq_work pending;
	};
	struct fasync_struct *fasync;
	int cpu;
	struct pmu *pmu;
	struct pid_namespace *ns;
	u64 (*clock)(void);
	/* ours: the backend's writer, and its wake-up (the irq_work's) */
	void *uprb_writer;
	void (*uprb_wakeup)(void *writer);
};

/* cut from the tree's include/linux/perf_event.h (build directory) */
#include "uprb_kperf_event.h"

#endif
