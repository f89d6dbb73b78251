/* SPDX-License-Identifier: MIT */
/*
 * fuzz_multi_cpu - one to four simulated CPUs, each with its own forward
 * non-overwrite ring, sources, writers (nested up to NMI), reader, checker
 * and model. The CPUs interleave at seam accesses: a writer's plan may run
 * a complete write on another, idle CPU (with its own plan, recursively)
 * or a round of the merged consumer, which reads every ring (each record
 * checked against its CPU's model, exactly as with one CPU) and orders the
 * records by time as perf record / perf report do with FINISHED_ROUND
 * (sim/merge.h): every record read is flushed exactly once, and the
 * flushed stream is in time order except records whose writer was in
 * flight at a round's end ("late", counted). Memory is sequentially
 * consistent here (sim/world.h). Its profile is in fuzz/registry.txt.
 */
#include "driver.h"
#include "registry.h"
#include "world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_world_run(&fz_profile_multi_cpu, data, size);
	return 0;
}
