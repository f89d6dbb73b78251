/* SPDX-License-Identifier: MIT */
/*
 * fuzz_loss_wakeup - loss, pause and wake-up accounting on one CPU: small
 * rings (pages of 64 to 256 bytes) so that writes outgrow the free space,
 * pause and resume at top level and at any seam access of a writer,
 * nested writes, drains, watermarks and wakeup_events. The model predicts
 * every drop and why (paused, no space), each LOST record's count and
 * place, conservation (attempted = written + reported + pending, per
 * source too), the wake-up stamp, rb->events, which writers signal, and
 * that no wake-up is lost (model.h). Its profile is in fuzz/registry.txt.
 */
#include "driver.h"
#include "registry.h"
#include "world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_world_run(&fz_profile_loss_wakeup, data, size);
	return 0;
}
