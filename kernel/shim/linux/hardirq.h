/* SPDX-License-Identifier: MIT */
/* linux/hardirq.h (internal.h's include): see linux/preempt.h. */
#include <linux/preempt.h>
