/* SPDX-License-Identifier: MIT */
/*
 * backend_kernel.c - fz_backend_kernel: the writer of a kernel tree's own
 * kernel/events/ring_buffer.c, compiled unmodified against the shim
 * (kernel/README.md), behind the world's backend interface (backend.h).
 *
 * The tree's ring lives in the world's memory: rb_alloc() gets the world
 * ring's control page as its user_page and the world ring's data pages as
 * its data_pages (the shim's page allocator hands them out in that order),
 * so the reader, the checker and the memory model see what the kernel
 * writes. The control page is a struct perf_event_mmap_page (1088 bytes)
 * even when pages are 64 bytes: the kernel only ever addresses it through
 * that struct, never by PAGE_SIZE, so the world's larger control area is
 * handed over as one page. Each source is an event of ours (struct
 * perf_event of the shim) whose id_header_size the tree computes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "backend_kernel.h"
#include "kglue.h"
#include "kstubs.h"
#include "uprb/uprb_check.h"

#ifndef UPRB_K_VERSION
#define UPRB_K_VERSION "Linux (unknown version)"
#endif

struct kwriter {
	struct uprb_ring *ring;
	struct uprb_kg_ring *rb;
	struct uprb_k_pages *pages;
	struct perf_event *ev[FZ_BACKEND_MAX_SOURCES];
	struct uprb_source *src;
	unsigned nsrc;
	int page_shift;
	uprb_wakeup_fn *wakeup;
	void *wakeup_arg;
};

/* The irq_work of an event ran: the wake-up reaches the world. */
static void kwakeup(void *arg)
{
	struct kwriter *w = arg;

	if (w->wakeup)
		w->wakeup(w->ring, w->wakeup_arg);
}

/* A context for calls that are not writes (open, pause, close). */
static void enter(struct kwriter *w, struct uprb_k_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->page_shift = w->page_shift;
	uprb_k_ctx_push(c);
}

static void leave(struct uprb_k_ctx *c)
{
	uprb_k_tsan_flush();
	uprb_k_ctx_pop(c);
}

static void kclose(void *arg)
{
	struct kwriter *w = arg;
	struct uprb_k_ctx c;
	struct uprb_k_pages *old;

	if (!w)
		return;
	enter(w, &c);
	if (w->rb) {
		uprb_kg_rb_watch(w->rb, false);
		uprb_k_tsan_unguard(uprb_ring_base(w->ring));
		old = uprb_k_pages_use(w->pages);
		uprb_kg_rb_free(w->rb);
		uprb_k_pages_use(old);
		/* The tree's rb_free() gives back every page its rb_alloc() took. */
		if (uprb_k_pages_taken(w->pages))
			uprb_k_die("the tree's rb_free() kept %u of the ring's pages",
				   uprb_k_pages_taken(w->pages));
	}
	for (unsigned i = 0; i < FZ_BACKEND_MAX_SOURCES; i++)
		if (w->ev[i])
			uprb_kg_event_free(w->ev[i]);
	leave(&c);
	uprb_k_pages_free(w->pages);
	free(w);
}

static bool sources_ok(const struct uprb_source *src, unsigned nsrc)
{
	if (nsrc > FZ_BACKEND_MAX_SOURCES) {
		fprintf(stderr, "kernel backend: %u sources, at most %u\n", nsrc,
			FZ_BACKEND_MAX_SOURCES);
		return false;
	}
	for (unsigned i = 0; i < nsrc; i++) {
		/*
		 * __perf_output_begin() writes through the parent event, so a
		 * LOST record's id, sample_id ID and STREAM_ID are all one
		 * event's id: the kernel cannot write two different values.
		 */
		if ((src[i].sample_type & PERF_SAMPLE_STREAM_ID) &&
		    src[i].stream_id != src[i].id) {
			fprintf(stderr,
				"kernel backend: source %u has stream_id %#llx != id "
				"%#llx: the kernel's LOST records carry event->id in "
				"both\n", i, (unsigned long long)src[i].stream_id,
				(unsigned long long)src[i].id);
			return false;
		}
	}
	return true;
}

static void fill_none(void *arg, void *handle)
{
	(void)arg;
	(void)handle;
	uprb_k_die("the tree's perf_output_begin() took a write for an event "
		   "without a buffer");
}

/*
 * An event without a buffer (never mmapped, or unmapped: event->rb is
 * NULL) must be refused before the tree touches any ring. The world's
 * sources always have one, so the tree's path for it is tried here, once
 * per ring opened.
 */
static void detached_refused(struct kwriter *w)
{
	struct uprb_kg_event_opts eo = { .id = 1, .wakeup = kwakeup, .writer = w };
	struct perf_event *e = uprb_kg_event_new(NULL, &eo);
	int ret;

	if (!e)
		uprb_k_die("out of memory");
	ret = uprb_kg_write(e, 16, fill_none, NULL);
	uprb_kg_event_free(e);
	if (ret != -ENOSPC)
		uprb_k_die("the tree's perf_output_begin() returned %d for an event "
			   "without a buffer, not -ENOSPC", ret);
}

static void *kopen(struct uprb_ring *ring, const struct uprb_ring_opts *o,
		   struct uprb_source *src, unsigned nsrc)
{
	struct kwriter *w;
	struct uprb_k_ctx c;
	struct uprb_k_pages *old;
	void **addr;
	unsigned n = ring->nr_pages + 1;

	if (o->oversize != UPRB_OVERSIZE_WRAP) {
		fprintf(stderr, "kernel backend: the kernel has no oversize-drop "
				"policy (UPRB_OVERSIZE_WRAP only)\n");
		return NULL;
	}
	if (!sources_ok(src, nsrc))
		return NULL;
	w = calloc(1, sizeof(*w));
	addr = calloc(n, sizeof(*addr));
	if (!w || !addr)
		goto nomem;
	w->ring = ring;
	w->src = src;
	w->nsrc = nsrc;
	w->page_shift = (int)ring->page_shift;
	w->wakeup = o->wakeup;
	w->wakeup_arg = o->wakeup_arg;
	addr[0] = ring->user_page;
	for (unsigned i = 0; i < ring->nr_pages; i++)
		addr[i + 1] = ring->data_pages[i];
	w->pages = uprb_k_pages_new(addr, n);
	free(addr);
	if (!w->pages)
		goto nomem;

	enter(w, &c);
	old = uprb_k_pages_use(w->pages);
	w->rb = uprb_kg_rb_alloc((int)ring->nr_pages, (long)o->watermark,
				 o->overwrite);
	uprb_k_pages_use(old);
	if (!w->rb || uprb_k_pages_taken(w->pages) != n) {
		fprintf(stderr, "kernel backend: the tree's rb_alloc(%u pages) %s\n",
			ring->nr_pages, w->rb ? "did not take the ring's pages" :
						"failed");
		leave(&c);
		kclose(w);
		return NULL;
	}
	uprb_kg_rb_watch(w->rb, true);
	uprb_k_tsan_guard(uprb_ring_base(ring), uprb_ring_len(ring));
	for (unsigned i = 0; i < nsrc; i++) {
		struct uprb_kg_event_opts eo = {
			.id = src[i].id,
			.sample_type = src[i].sample_type,
			.sample_id_all = src[i].sample_id_all,
			.write_backward = o->backward,
			.wakeup_events = src[i].wakeup_events,
			.wakeup = kwakeup,
			.writer = w,
		};

		w->ev[i] = uprb_kg_event_new(w->rb, &eo);
		if (!w->ev[i]) {
			leave(&c);
			kclose(w);
			goto nomem_msg;
		}
	}
	detached_refused(w);
	leave(&c);
	return w;

nomem:
	if (w)
		uprb_k_pages_free(w->pages);
	free(w);
nomem_msg:
	fprintf(stderr, "kernel backend: out of memory\n");
	return NULL;
}

struct fill {
	unsigned size;
	uint16_t source;
	uint8_t level, cpu;
	uint32_t seq;
};

static void fill_copy(void *handle, const void *buf, unsigned int len)
{
	uprb_kg_copy(handle, buf, len);
}

static void fill_synth(void *arg, void *handle)
{
	const struct fill *f = arg;

	uprb_synth_emit(f->size, f->source, f->level, f->cpu, f->seq, fill_copy,
			handle);
}

static int kwrite(void *arg, unsigned src, unsigned size, uint8_t level,
		  uint8_t cpu, uint32_t seq)
{
	struct kwriter *w = arg;
	const struct uprb_source *s;
	struct uprb_k_ctx c;
	struct fill f = { size, (uint16_t)src, level, cpu, seq };
	int ret;

	if (src >= w->nsrc || !uprb_synth_size_ok(size))
		return -EINVAL;
	s = &w->src[src];
	c = (struct uprb_k_ctx){
		.pid = (int32_t)s->pid,
		.tid = (int32_t)s->tid,
		.cpu = s->cpu,
		.clock = s->clock,
		.clock_arg = s->clock_arg,
		.page_shift = w->page_shift,
	};
	uprb_k_ctx_push(&c);
	ret = uprb_kg_write(w->ev[src], size, fill_synth, &f);
	uprb_k_tsan_flush();
	uprb_k_ctx_pop(&c);
	return ret;
}

static int kpause(void *arg, bool on)
{
	struct kwriter *w = arg;
	struct uprb_k_ctx c;
	int ret;

	/* PERF_EVENT_IOC_PAUSE_OUTPUT refuses a ring without data pages. */
	if (!w->ring->nr_pages)
		return -EINVAL;
	enter(w, &c);
	ret = uprb_kg_pause(w->rb, on);
	leave(&c);
	return ret;
}

static void kstate(void *arg, struct fz_writer_state *out)
{
	struct kwriter *w = arg;
	struct uprb_kg_state s;

	uprb_kg_rb_state(w->rb, &s);
	out->head = s.head;
	out->lost = s.lost;
	out->wakeup = s.wakeup;
	out->events = s.events;
	out->nest = s.nest;
	out->paused = s.paused;
}

static void kaddrs(void *arg, struct fz_writer_addrs *out)
{
	struct kwriter *w = arg;
	struct uprb_kg_addrs a;

	uprb_kg_rb_addrs(w->rb, &a);
	memset(out, 0, sizeof(*out));
	out->head = a.head;
	out->lost = a.lost;
	out->wakeup = a.wakeup;
	out->events = a.events;
	out->nest = a.nest;
	out->paused = a.paused;
	for (unsigned i = 0; i < w->nsrc; i++)
		out->src_lost[i] = uprb_kg_event_lost_addr(w->ev[i]);
}

static uint64_t ksrc_lost(void *arg, unsigned src)
{
	struct kwriter *w = arg;

	return src < w->nsrc ? uprb_kg_event_lost(w->ev[src]) : 0;
}

const struct fz_backend fz_backend_kernel = {
	.name = "kernel",
	.version = UPRB_K_VERSION,
	.oversize_drop = false,
	.open = kopen,
	.close = kclose,
	.write = kwrite,
	.pause = kpause,
	.state = kstate,
	.addrs = kaddrs,
	.src_lost = ksrc_lost,
};

uint16_t fz_backend_kernel_id_header_size(void *arg, unsigned src)
{
	struct kwriter *w = arg;

	return src < w->nsrc ? uprb_kg_event_id_header_size(w->ev[src]) : 0;
}
