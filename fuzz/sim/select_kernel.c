/* SPDX-License-Identifier: MIT */
/*
 * select_kernel.c - linked into a target's kernel variant
 * (<target>-kernel, -kernel-replay, -kernel-afl): the world drives the
 * kernel tree's writer (kernel/, backend.h) instead of the core.
 */
#include "backend.h"
#include "world.h"

__attribute__((constructor)) static void select_backend(void)
{
	fz_world_use(&fz_backend_kernel);
}
