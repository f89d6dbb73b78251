/* SPDX-License-Identifier: MIT */
/*
 * linux/vmalloc.h - only CONFIG_PERF_USE_VMALLOC rings use these, and the
 * shim builds the page-array ring (uprb_kconfig.h): they stop the harness
 * with a message if anything calls them (stubs.c).
 */
#ifndef UPRB_K_LINUX_VMALLOC_H
#define UPRB_K_LINUX_VMALLOC_H

#include <linux/mm.h>

void *vmalloc_user(unsigned long size);
void vfree(const void *addr);
struct page *vmalloc_to_page(const void *addr);

#endif
