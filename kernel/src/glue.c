/* SPDX-License-Identifier: MIT */
/*
 * glue.c - the tree's ring driven as kglue.h promises: ours, compiled
 * against the tree's internal.h (struct perf_buffer as the tree has it) and
 * the shim. It makes no shared access of its own except the wakeup_events
 * accounting of perf_output_sample()'s tail, which lives in core.c (not
 * compiled) and is restated here with its seam sites.
 */
#include <errno.h>

#include <linux/perf_event.h>
#include <linux/slab.h>

#include "internal.h"
#include "kglue.h"
#include "kstubs.h"

#define RB(rb) ((struct UPRB_K_RB_STRUCT *)(rb))

void uprb_kcut_id_header_size(struct perf_event *event); /* uprb_kcore_cuts.c */

struct uprb_kg_ring *uprb_kg_rb_alloc(int nr_pages, long watermark,
				      bool overwrite)
{
	return (struct uprb_kg_ring *)rb_alloc(nr_pages, watermark, -1,
					       overwrite ? 0 : RING_BUFFER_WRITABLE);
}

void uprb_kg_rb_free(struct uprb_kg_ring *rb)
{
	rb_free(RB(rb));
}

void uprb_kg_rb_watch(struct uprb_kg_ring *kr, bool on)
{
	struct UPRB_K_RB_STRUCT *rb = RB(kr);

#define WATCH(field, read_id, write_id)                                        \
	if (on)                                                                \
		uprb_k_tsan_watch(&rb->field, sizeof(rb->field), read_id,      \
				  write_id);                                   \
	else                                                                   \
		uprb_k_tsan_unwatch(&rb->field);
	UPRB_K_PLAIN_FIELDS(WATCH)
#undef WATCH
}

/* A field of any width the trees gave it (nest was a local_t before 5.1). */
static uint64_t value(const void *p, size_t n)
{
	uint64_t v = 0;

	__builtin_memcpy(&v, p, n);
	return v;
}
#define VALUE(x) value(&(x), sizeof(x))

void uprb_kg_rb_state(const struct uprb_kg_ring *kr, struct uprb_kg_state *out)
{
	const struct UPRB_K_RB_STRUCT *rb = (const void *)kr;

	out->head = VALUE(rb->head);
	out->lost = VALUE(rb->lost);
	out->wakeup = VALUE(rb->wakeup);
	out->events = VALUE(rb->events);
	out->watermark = (uint64_t)rb->watermark;
	out->nest = (uint32_t)VALUE(rb->nest);
#if UPRB_K_HAS_TOGGLE_PAUSED
	out->paused = (uint32_t)VALUE(rb->paused);
#else
	out->paused = 0;
#endif
	out->nr_pages = (uint32_t)rb->nr_pages;
	out->overwrite = (uint32_t)rb->overwrite;
	out->user_page = rb->user_page;
	out->data_page0 = rb->nr_pages ? rb->data_pages[0] : NULL;
}

void uprb_kg_rb_addrs(const struct uprb_kg_ring *kr, struct uprb_kg_addrs *out)
{
	const struct UPRB_K_RB_STRUCT *rb = (const void *)kr;

	out->head = &rb->head;
	out->lost = &rb->lost;
	out->wakeup = &rb->wakeup;
	out->events = &rb->events;
	out->nest = &rb->nest;
#if UPRB_K_HAS_TOGGLE_PAUSED
	out->paused = &rb->paused;
#else
	out->paused = NULL;
#endif
}

/*
 * The event's irq_work, run at once: perf_pending_irq() (core.c) wakes
 * the reader only when the writer left a wake-up pending, and takes it.
 */
static void wakeup_work(struct irq_work *work)
{
	struct perf_event *e = container_of(work, struct perf_event, pending_irq);

	if (!e->pending_wakeup)
		return;
	e->pending_wakeup = 0;
	e->uprb_wakeup(e->uprb_writer);
}

struct perf_event *uprb_kg_event_new(struct uprb_kg_ring *rb,
				     const struct uprb_kg_event_opts *o)
{
	struct perf_event *e = kzalloc(sizeof(*e), GFP_KERNEL);

	if (!e)
		return NULL;
	e->rb = RB(rb);
	e->id = o->id;
	e->attr.size = sizeof(e->attr);
	e->attr.sample_type = o->sample_type;
	e->attr.sample_id_all = o->sample_id_all;
#if UPRB_K_HAS_WRITE_BACKWARD
	e->attr.write_backward = o->write_backward;
#endif
	e->attr.wakeup_events = o->wakeup_events;
	e->cpu = -1;
	e->clock = uprb_k_local_clock;
	e->uprb_writer = o->writer;
	e->uprb_wakeup = o->wakeup;
	init_irq_work(&e->pending_irq, wakeup_work);
	uprb_kcut_id_header_size(e);
	return e;
}

void uprb_kg_event_free(struct perf_event *e)
{
	kfree(e);
}

uint16_t uprb_kg_event_id_header_size(const struct perf_event *e)
{
	return e->id_header_size;
}

uint64_t uprb_kg_event_lost(const struct perf_event *e)
{
	return (uint64_t)e->lost_samples.counter;
}

const void *uprb_kg_event_lost_addr(const struct perf_event *e)
{
#if UPRB_K_HAS_LOST_SAMPLES
	return &e->lost_samples.counter;
#else
	(void)e;
	return NULL;
#endif
}

/*
 * perf_output_sample()'s tail: every wakeup_events-th SAMPLE perturbs the
 * wake-up stamp so that the outermost perf_output_end() wakes the reader.
 */
static void sample_tail(struct perf_output_handle *handle,
			struct perf_event *event)
{
	struct UPRB_K_RB_STRUCT *rb = handle->rb;
	int every = (int)event->attr.wakeup_events, events;

	if (event->attr.watermark || !every)
		return;
	/* an int, as the kernel's: the count may go below zero (nesting) */
	events = (int)uprb_k_site_rmw(&rb->events, sizeof(rb->events),
				      UPRB_OP_ADD, 1, UPRB_SITE_EVENTS_ADD,
				      "perf_output_sample (its wakeup_events tail)") + 1;
	if (events >= every) {
		uprb_k_site_rmw(&rb->events, sizeof(rb->events), UPRB_OP_ADD,
				(uint64_t)-(int64_t)every, UPRB_SITE_EVENTS_SUB,
				"perf_output_sample (its wakeup_events tail)");
		uprb_k_site_rmw(&rb->wakeup, sizeof(rb->wakeup), UPRB_OP_ADD, 1,
				UPRB_SITE_WAKEUP_BUMP,
				"perf_output_sample (its wakeup_events tail)");
	}
}

int uprb_kg_write(struct perf_event *e, unsigned int size, uprb_kg_fill_fn *fill,
		  void *arg)
{
	struct perf_output_handle handle;
	struct perf_sample_data data;
	int ret;

	/*
	 * The tree's own return value goes to the world (the model wants
	 * -ENOSPC for a drop): callers such as bpf_perf_event_output() hand
	 * it on, so a wrong value is a fault of the tree.
	 */
	__builtin_memset(&data, 0, sizeof(data));
#if UPRB_K_BEGIN_ARGS == 4
	ret = perf_output_begin(&handle, &data, e, size);
#else
	(void)data;
	ret = perf_output_begin(&handle, e, size);
#endif
	if (ret)
		return ret;
	fill(arg, &handle);
	sample_tail(&handle, e);
	perf_output_end(&handle);
	return 0;
}

void uprb_kg_copy(void *handle, const void *buf, unsigned int len)
{
	perf_output_copy(handle, buf, len);
}
