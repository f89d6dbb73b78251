/* SPDX-License-Identifier: MIT */
/*
 * fuzz_writer_tail - the writer against hostile user space: data_tail set
 * behind, a lap behind, ahead of head, unaligned, anywhere, and changed
 * between the writer's reads (at any seam access, A_tail_load included);
 * data_head scribbled. The core must stay memory-safe (guard pages, ASan,
 * every copy inside its chunk) and self-consistent: each reservation and
 * drop is what the space rule gives for the tail actually read, LOST
 * records and loss stay exact, data_head only moves forward when written
 * by the writer and is eventually published. Consumer results are checked
 * only until user space first lies.
 */
#include "driver.h"
#include "world.h"

static const struct fz_profile profile = {
	.name = "fuzz_writer_tail",
	.ops = { FZ_WRITE, FZ_WRITE, FZ_WRITE, FZ_CONSUME, FZ_TAIL, FZ_TAIL,
		 FZ_SCRIBBLE, FZ_PAUSE },
	/* Tails moved under the writer's feet, and nested writes. */
	.acts = { FZ_WRITE, FZ_WRITE, FZ_TAIL, FZ_TAIL, FZ_TAIL, FZ_CONSUME,
		  FZ_SCRIBBLE, FZ_PAUSE },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_world_run(&profile, data, size);
	return 0;
}
