/* SPDX-License-Identifier: MIT */
/*
 * backend_kernel.h - what fz_backend_kernel (backend.h) tells beyond the
 * backend interface, for tests.
 */
#ifndef FZ_BACKEND_KERNEL_H
#define FZ_BACKEND_KERNEL_H

#include <stdint.h>

/*
 * Planted faults (kernel/tests/CMakeLists.txt): a test's copy of the tree's
 * ring_buffer.c may carry faults switched on by this number; 0: none.
 */
extern int uprb_k_plant;

/* id_header_size of source @src as the tree computed it. */
uint16_t fz_backend_kernel_id_header_size(void *w, unsigned src);

#endif
