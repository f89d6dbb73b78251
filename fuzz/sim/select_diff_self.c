/* SPDX-License-Identifier: MIT */
/*
 * select_diff_self.c - the differential mode with the core on both sides:
 * linked into the test binary that proves the comparison (an input must be
 * identical to itself; UPRB_SIM_DIFF_PLANT=1 plants a difference it must
 * report).
 */
#include "backend.h"
#include "world.h"

__attribute__((constructor)) static void select_backends(void)
{
	fz_world_diff(&fz_backend_core, &fz_backend_core);
}
