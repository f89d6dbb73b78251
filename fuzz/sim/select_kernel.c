/* SPDX-License-Identifier: MIT */
/*
 * select_kernel.c - the kernel tree's writer (kernel/, fz_backend_kernel)
 * under the world instead of the core: linked into the replay binary with
 * which schedule coverage is shown to work the same for both backends
 * (CTest fuzz.schedcov.kernel).
 */
#include "backend.h"
#include "world.h"

extern const struct fz_backend fz_backend_kernel;

__attribute__((constructor)) static void select_backend(void)
{
	fz_world_use(&fz_backend_kernel);
}
