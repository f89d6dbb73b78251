/* SPDX-License-Identifier: MIT */
/*
 * select_diff_kernel.c - linked into a target's differential variant
 * (<target>-diff, -diff-replay): every input runs through the core, then
 * through the kernel tree's writer, and the outcomes must agree after every
 * top-level step (diff.h).
 */
#include "backend.h"
#include "world.h"

__attribute__((constructor)) static void select_backends(void)
{
	fz_world_diff(&fz_backend_core, &fz_backend_kernel);
}
