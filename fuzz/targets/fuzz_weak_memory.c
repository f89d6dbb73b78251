/* SPDX-License-Identifier: MIT */
/*
 * fuzz_weak_memory - the writer and the consumer on two CPUs of a weakly
 * ordered machine (docs/memory.md): each CPU's stores to the ring become
 * visible when the input says so, in any order the executed barriers
 * allow, and the consumer's unordered loads may see older memory. With
 * every barrier of the core in place nothing may go wrong; with one
 * removed or relaxed (UPRB_SIM_WEAKEN=<site>) the matrix of
 * fuzz/tools/memory_matrix.py shows what this target then finds.
 * UPRB_SIM_MEMORY=sc|tso runs the same inputs under the stronger models.
 * Its profile is in fuzz/registry.txt.
 */
#include "driver.h"
#include "registry.h"
#include "world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_world_run(&fz_profile_weak_memory, data, size);
	return 0;
}
