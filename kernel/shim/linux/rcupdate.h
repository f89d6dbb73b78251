/* SPDX-License-Identifier: MIT */
/* linux/rcupdate.h: see linux/preempt.h. */
#include <linux/preempt.h>
