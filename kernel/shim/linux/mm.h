/* SPDX-License-Identifier: MIT */
/*
 * linux/mm.h - pages. The page size is a run-time variable (64-byte pages
 * make a fuzz run fast; the tree only uses it in expressions), set per ring
 * by the backend around every call into the tree. The allocator hands out
 * the pages of the world's ring, in the order rb_alloc() asks for them
 * (stubs.c): the control page first, then the data pages.
 */
#ifndef UPRB_K_LINUX_MM_H
#define UPRB_K_LINUX_MM_H

#include <linux/types.h>

extern _Thread_local int uprb_k_page_shift;
#define PAGE_SHIFT uprb_k_page_shift
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define offset_in_page(p) ((unsigned long)(p) & ~PAGE_MASK)
/* x86-64 defaults: MAX_ORDER until 6.3, MAX_PAGE_ORDER from 6.8 */
#define MAX_ORDER 11
#define MAX_PAGE_ORDER 10

#define GFP_KERNEL 0x01u
#define __GFP_ZERO 0x02u
#define __GFP_NOWARN 0x04u
#define __GFP_NORETRY 0x08u

struct page {
	void *virt;
	void *mapping;
	unsigned long private;
	unsigned long flags;
};

struct page *uprb_k_alloc_pages(gfp_t gfp, unsigned int order);
struct page *uprb_k_virt_to_page(const void *addr);
void uprb_k_free_page(struct page *page);
#define alloc_pages_node(node, gfp, order) ((void)(node), uprb_k_alloc_pages((gfp), (order)))
#define alloc_pages(gfp, order) uprb_k_alloc_pages((gfp), (order))
#define alloc_page(gfp) uprb_k_alloc_pages((gfp), 0)
#define page_address(page) ((page)->virt)
#define virt_to_page(addr) uprb_k_virt_to_page(addr)
#define __free_page(page) uprb_k_free_page(page)
#define split_page(page, order) ((void)(page), (void)(order))
#define SetPagePrivate(page) ((page)->flags |= 1)
#define ClearPagePrivate(page) ((page)->flags &= ~1UL)
#define set_page_private(page, v) ((page)->private = (v))
#define page_private(page) ((page)->private)

static inline int get_order(unsigned long size)
{
	size = (size - 1) >> PAGE_SHIFT;
	return size ? 64 - __builtin_clzl(size) : 0;
}

#endif
