/* SPDX-License-Identifier: MIT */
/*
 * fuzz_writer_nest - the writer of one CPU with nested writers at every seam
 * access, up to NMI, and an honest consumer: reservations, LOST records,
 * publication, wake-ups and the bytes read back must be exactly what the
 * model predicts. User space never lies here, so every consumer result is
 * checked (see fuzz_writer_tail for the hostile side).
 * Its profile is in fuzz/registry.txt.
 */
#include "driver.h"
#include "registry.h"
#include "world.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_world_run(&fz_profile_writer_nest, data, size);
	return 0;
}
