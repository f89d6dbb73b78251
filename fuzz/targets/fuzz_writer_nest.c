/* SPDX-License-Identifier: MIT */
/*
 * fuzz_writer_nest - the writer of one CPU with nested writers at every seam
 * access, up to NMI, and an honest consumer: reservations, LOST records,
 * publication, wake-ups and the bytes read back must be exactly what the
 * model predicts. User space never lies here, so every consumer result is
 * checked (see fuzz_writer_tail for the hostile side).
 */
#include "driver.h"
#include "world.h"

static const struct fz_profile profile = {
	.name = "fuzz_writer_nest",
	/* Mostly writes; the consumer and pause keep the ring moving. */
	.ops = { FZ_WRITE, FZ_WRITE, FZ_WRITE, FZ_WRITE, FZ_WRITE,
		 FZ_CONSUME, FZ_CONSUME, FZ_PAUSE },
	/* Mostly nested writes; a consumer step or a pause in between. */
	.acts = { FZ_WRITE, FZ_WRITE, FZ_WRITE, FZ_WRITE, FZ_WRITE,
		  FZ_CONSUME, FZ_CONSUME, FZ_PAUSE },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_world_run(&profile, data, size);
	return 0;
}
