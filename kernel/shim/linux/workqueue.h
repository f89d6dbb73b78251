/* SPDX-License-Identifier: MIT */
/* linux/workqueue.h - deferred work (only the vmalloc'ed ring frees with it). */
#ifndef UPRB_K_LINUX_WORKQUEUE_H
#define UPRB_K_LINUX_WORKQUEUE_H

struct work_struct {
	void (*func)(struct work_struct *work);
};
#define INIT_WORK(w, f) ((w)->func = (f))
#define schedule_work(w) ((w)->func(w), true)

#endif
