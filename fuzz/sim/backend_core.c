/* SPDX-License-Identifier: MIT */
/*
 * backend_core.c - our port (core/, library uprb-sim) as a writer backend
 * (backend.h): the ring the world made is the writer, its fields the
 * writer state.
 */
#include <errno.h>

#include "backend.h"
#include "uprb/uprb_check.h"

struct core_writer {
	struct uprb_ring *rb;
	struct uprb_source *src;
	unsigned nsrc;
};

/* One writer per CPU of the world; the world never opens more at once. */
static struct core_writer writers[8];

static void *core_open(struct uprb_ring *rb, const struct uprb_ring_opts *o,
		       struct uprb_source *src, unsigned nsrc)
{
	(void)o; /* fz_ring_get() made @rb from it */
	for (unsigned i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
		struct core_writer *w = &writers[i];

		if (w->rb)
			continue;
		*w = (struct core_writer){ .rb = rb, .src = src, .nsrc = nsrc };
		return w;
	}
	return NULL;
}

static void core_close(void *w)
{
	((struct core_writer *)w)->rb = NULL;
}

static int core_write(void *wp, unsigned src, unsigned size, uint8_t level,
		      uint8_t cpu, uint32_t seq)
{
	struct core_writer *w = wp;

	return uprb_synth_write(w->rb, &w->src[src], size, (uint16_t)src,
				level, cpu, seq);
}

static int core_pause(void *w, bool on)
{
	return uprb_ring_pause(((struct core_writer *)w)->rb, on);
}

static void core_state(void *wp, struct fz_writer_state *out)
{
	const struct uprb_ring *rb = ((struct core_writer *)wp)->rb;

	*out = (struct fz_writer_state){
		.head = rb->head, .lost = rb->lost, .wakeup = rb->wakeup,
		.events = rb->events, .nest = rb->nest, .paused = rb->paused,
	};
}

static void core_addrs(void *wp, struct fz_writer_addrs *out)
{
	struct core_writer *w = wp;
	struct uprb_ring *rb = w->rb;

	*out = (struct fz_writer_addrs){
		.head = &rb->head, .lost = &rb->lost, .wakeup = &rb->wakeup,
		.events = &rb->events, .nest = &rb->nest, .paused = &rb->paused,
	};
	for (unsigned i = 0; i < w->nsrc && i < FZ_BACKEND_MAX_SOURCES; i++)
		out->src_lost[i] = &w->src[i].lost_samples;
}

static uint64_t core_src_lost(void *wp, unsigned src)
{
	return ((struct core_writer *)wp)->src[src].lost_samples;
}

const struct fz_backend fz_backend_core = {
	.name = "core",
	.version = "ringtorture core (core/src/output.c)",
	.oversize_drop = true,
	.open = core_open,
	.close = core_close,
	.write = core_write,
	.pause = core_pause,
	.state = core_state,
	.addrs = core_addrs,
	.src_lost = core_src_lost,
};
