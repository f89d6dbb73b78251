/* SPDX-License-Identifier: MIT */
/* linux/slab.h - the ring's struct from the C heap (stubs.c). */
#ifndef UPRB_K_LINUX_SLAB_H
#define UPRB_K_LINUX_SLAB_H

#include <stddef.h>
#include <linux/mm.h>

void *uprb_k_zalloc(size_t size);
void uprb_k_free(const void *p);
#define kzalloc(size, gfp) ((void)(gfp), uprb_k_zalloc(size))
#define kzalloc_node(size, gfp, node) ((void)(gfp), (void)(node), uprb_k_zalloc(size))
#define kmalloc(size, gfp) kzalloc(size, gfp)
#define kcalloc(n, size, gfp) kzalloc((size_t)(n) * (size), gfp)
#define kcalloc_node(n, size, gfp, node) kzalloc_node((size_t)(n) * (size), gfp, node)
#define kfree(p) uprb_k_free(p)

#endif
