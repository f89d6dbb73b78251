/* SPDX-License-Identifier: MIT */
/*
 * glue_pause.c - PERF_EVENT_IOC_PAUSE_OUTPUT's rb_toggle_paused() of the
 * tree. Its store to rb->paused is plain C, so this file, like
 * ring_buffer.c, is compiled with -fsanitize=thread: tsan_rt.c turns the
 * store into the seam's pause_store access.
 */
#include <errno.h>

#include <linux/perf_event.h>

#include "internal.h"
#include "kglue.h"

int uprb_kg_pause(struct uprb_kg_ring *rb, bool on)
{
#if UPRB_K_HAS_TOGGLE_PAUSED
	rb_toggle_paused((struct UPRB_K_RB_STRUCT *)rb, on);
	return 0;
#else
	(void)rb, (void)on;
	return -EOPNOTSUPP;
#endif
}
