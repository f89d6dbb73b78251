/* SPDX-License-Identifier: MIT */
/*
 * backend_kernel.h - what fz_backend_kernel (backend.h) tells beyond the
 * backend interface, for tests.
 */
#ifndef FZ_BACKEND_KERNEL_H
#define FZ_BACKEND_KERNEL_H

#include <stdint.h>

/* id_header_size of source @src as the tree computed it. */
uint16_t fz_backend_kernel_id_header_size(void *w, unsigned src);

#endif
