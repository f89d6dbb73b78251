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
 * Its profile is in fuzz/registry.txt.
 */
#include "driver.h"
#include "registry.h"
#include "world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_world_run(&fz_profile_writer_tail, data, size);
	return 0;
}
