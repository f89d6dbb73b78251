/* SPDX-License-Identifier: MIT */
/*
 * kglue.h - the tree's ring, as the kernel backend drives it (glue.c,
 * glue_pause.c: compiled against the tree's internal.h). The types are
 * opaque here, so backend_kernel.c needs no kernel header.
 */
#ifndef UPRB_KGLUE_H
#define UPRB_KGLUE_H

#include <stdbool.h>
#include <stdint.h>

struct uprb_kg_ring; /* the tree's struct perf_buffer (ring_buffer before 5.8) */
struct perf_event;   /* ours: kernel/shim/linux/perf_event.h */

/* rb_alloc() of the tree, pages from uprb_k_pages_use()'s set. */
struct uprb_kg_ring *uprb_kg_rb_alloc(int nr_pages, long watermark,
				      bool overwrite);
void uprb_kg_rb_free(struct uprb_kg_ring *rb);
/* Route the plain accesses to rb's fields through the seam, or stop. */
void uprb_kg_rb_watch(struct uprb_kg_ring *rb, bool on);

struct uprb_kg_state {
	uint64_t head, lost, wakeup, events, watermark;
	uint32_t nest, paused, nr_pages, overwrite;
	void *user_page;
	void *data_page0;
};
void uprb_kg_rb_state(const struct uprb_kg_ring *rb, struct uprb_kg_state *out);

struct uprb_kg_addrs {
	const void *head, *lost, *wakeup, *events, *nest, *paused;
};
void uprb_kg_rb_addrs(const struct uprb_kg_ring *rb, struct uprb_kg_addrs *out);

struct uprb_kg_event_opts {
	uint64_t id, sample_type;
	bool sample_id_all, write_backward;
	uint32_t wakeup_events;
	/* the wake-up: irq_work of the event, run at once with @writer */
	void (*wakeup)(void *writer);
	void *writer;
};
/* A perf_event writing into @rb; id_header_size as the tree computes it. */
struct perf_event *uprb_kg_event_new(struct uprb_kg_ring *rb,
				     const struct uprb_kg_event_opts *o);
void uprb_kg_event_free(struct perf_event *e);
uint16_t uprb_kg_event_id_header_size(const struct perf_event *e);
/* lost_samples (PERF_FORMAT_LOST; 0 and NULL on trees before 6.0) */
uint64_t uprb_kg_event_lost(const struct perf_event *e);
const void *uprb_kg_event_lost_addr(const struct perf_event *e);

/*
 * One record of @size bytes from @e: perf_output_begin(), @fill (which
 * calls uprb_kg_copy() on @handle until @size bytes are written), the
 * wakeup_events accounting of perf_output_sample()'s tail, then
 * perf_output_end(). Return: 0, or what perf_output_begin() returned
 * (-ENOSPC: dropped).
 */
typedef void uprb_kg_fill_fn(void *arg, void *handle);
int uprb_kg_write(struct perf_event *e, unsigned int size, uprb_kg_fill_fn *fill,
		  void *arg);
void uprb_kg_copy(void *handle, const void *buf, unsigned int len);

/* rb_toggle_paused() of the tree (glue_pause.c). Return: 0, -EOPNOTSUPP. */
int uprb_kg_pause(struct uprb_kg_ring *rb, bool on);

#endif
