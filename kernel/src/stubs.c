/* SPDX-License-Identifier: MIT */
/*
 * stubs.c - the kernel functions the tree's ring_buffer.c calls, written
 * for the harness: the running write's context (`current`, the CPU, the
 * clock, the page size), the page allocator (the world ring's pages), the
 * heap, the wake-up's irq_work, WARN, and the AUX-area and vmalloc entry
 * points the page-array ring never reaches (they stop with a message).
 */
#include <stdio.h>
#include <stdlib.h>

#include <linux/irq_work.h>
#include <linux/mm.h>
#include <linux/sched.h>

#include "kstubs.h"
#include "uprb_ktree.h"

/* --- the running write --------------------------------------------------- */

int uprb_k_plant;
static _Thread_local struct uprb_k_ctx *cur;
_Thread_local int uprb_k_page_shift = 12;

void uprb_k_ctx_push(struct uprb_k_ctx *c)
{
	c->prev = cur;
	c->prev_page_shift = uprb_k_page_shift;
	cur = c;
	uprb_k_page_shift = c->page_shift;
}

void uprb_k_ctx_pop(struct uprb_k_ctx *c)
{
	if (cur != c)
		uprb_k_die("context popped out of order");
	cur = c->prev;
	uprb_k_page_shift = c->prev_page_shift;
}

static struct uprb_k_ctx *ctx(const char *what)
{
	if (!cur)
		uprb_k_die("%s outside a write (no context pushed)", what);
	return cur;
}

struct task_struct *uprb_k_current(void)
{
	/* One per thread: the caller reads it before anything can nest. */
	static _Thread_local struct task_struct task;
	struct uprb_k_ctx *c = ctx("current");

	task.pid = c->tid;
	task.tgid = c->pid;
	return &task;
}

int uprb_k_cpu(void)
{
	return (int)ctx("smp_processor_id()")->cpu;
}

uint64_t uprb_k_event_clock(void)
{
	struct uprb_k_ctx *c = ctx("the event clock");

	uprb_k_tsan_flush();
	return c->clock ? c->clock(c->clock_arg) : 0;
}

u64 uprb_k_local_clock(void)
{
	return uprb_k_event_clock();
}

/* --- pages --------------------------------------------------------------- */

struct uprb_k_pages {
	unsigned n, next, freed;
	struct page page[];
};

static _Thread_local struct uprb_k_pages *pages;

struct uprb_k_pages *uprb_k_pages_new(void *const *addr, unsigned n)
{
	struct uprb_k_pages *p = calloc(1, sizeof(*p) + n * sizeof(p->page[0]));

	if (!p)
		return NULL;
	p->n = n;
	for (unsigned i = 0; i < n; i++)
		p->page[i].virt = addr[i];
	return p;
}

void uprb_k_pages_free(struct uprb_k_pages *p)
{
	free(p);
}

struct uprb_k_pages *uprb_k_pages_use(struct uprb_k_pages *p)
{
	struct uprb_k_pages *old = pages;

	pages = p;
	return old;
}

unsigned uprb_k_pages_taken(const struct uprb_k_pages *p)
{
	return p->next - p->freed;
}

/*
 * The world's memory is zero-filled already (as __GFP_ZERO asks) and laid
 * out as the mmap: the control page, then the data pages. A higher order
 * (the AUX area) or a page beyond them fails, as an allocation may.
 */
struct page *uprb_k_alloc_pages(gfp_t gfp, unsigned int order)
{
	(void)gfp;
	if (!pages || order || pages->next == pages->n)
		return NULL;
	return &pages->page[pages->next++];
}

struct page *uprb_k_virt_to_page(const void *addr)
{
	if (pages)
		for (unsigned i = 0; i < pages->next; i++)
			if (pages->page[i].virt == addr)
				return &pages->page[i];
	uprb_k_die("virt_to_page(%p): not a page the shim handed out", addr);
}

void uprb_k_free_page(struct page *page)
{
	(void)page;
	if (!pages)
		uprb_k_die("__free_page outside a ring's page set");
	pages->freed++;
}

void *vmalloc_user(unsigned long size)
{
	(void)size;
	uprb_k_die("vmalloc_user: CONFIG_PERF_USE_VMALLOC rings are not built "
		   "(kernel/shim/uprb_kconfig.h)");
}

void vfree(const void *addr)
{
	(void)addr;
	uprb_k_die("vfree: CONFIG_PERF_USE_VMALLOC rings are not built");
}

struct page *vmalloc_to_page(const void *addr)
{
	(void)addr;
	uprb_k_die("vmalloc_to_page: CONFIG_PERF_USE_VMALLOC rings are not built");
}

/* --- heap, wake-up, WARN ------------------------------------------------- */

void *uprb_k_zalloc(size_t size)
{
	return calloc(1, size);
}

void uprb_k_free(const void *p)
{
	free((void *)p);
}

/* The wake-up work runs at once, as the core calls its wake-up callback. */
bool uprb_k_irq_work_queue(struct irq_work *work)
{
	uprb_k_tsan_flush();
	work->func(work);
	return true;
}

void uprb_k_warn(const char *file, int line, const char *cond)
{
	uprb_k_die("%s:%d: WARN_ON(%s) fired", file, line, cond);
}

/* --- the AUX area (core.c's side): never reached by the data ring -------- */

struct perf_event;
struct UPRB_K_RB_STRUCT *ring_buffer_get(struct perf_event *event);
void ring_buffer_put(struct UPRB_K_RB_STRUCT *rb);
void perf_event_aux_event(struct perf_event *event, unsigned long head,
			  unsigned long size, u64 flags);

struct UPRB_K_RB_STRUCT *ring_buffer_get(struct perf_event *event)
{
	(void)event;
	uprb_k_die("ring_buffer_get: the AUX area is not supported by the shim");
}

void ring_buffer_put(struct UPRB_K_RB_STRUCT *rb)
{
	(void)rb;
	uprb_k_die("ring_buffer_put: the AUX area is not supported by the shim");
}

void perf_event_aux_event(struct perf_event *event, unsigned long head,
			  unsigned long size, u64 flags)
{
	(void)event, (void)head, (void)size, (void)flags;
	uprb_k_die("perf_event_aux_event: the AUX area is not supported by the shim");
}
