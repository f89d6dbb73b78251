/* SPDX-License-Identifier: MIT */
/*
 * linux/irq_work.h - the wake-up's deferred work. Queueing runs it at once
 * (stubs.c): it counts the wake-up and calls the ring's wake-up callback,
 * as the core's writer does at the end of the outermost write.
 */
#ifndef UPRB_K_LINUX_IRQ_WORK_H
#define UPRB_K_LINUX_IRQ_WORK_H

#include <stdbool.h>

struct irq_work {
	void (*func)(struct irq_work *work);
};

bool uprb_k_irq_work_queue(struct irq_work *work);
#define irq_work_queue(w) uprb_k_irq_work_queue(w)
#define init_irq_work(w, f) ((w)->func = (f))

#endif
