/* SPDX-License-Identifier: MIT */
/*
 * world_cpu.c - one simulated CPU of the world (struct fz_cpu,
 * world_state.h) from its setup to its teardown: its ring (from the cache,
 * rings.h), sources, backend writer, reference model, reader and record
 * checker, made from the program's configuration; the memory model over
 * the first CPU's ring; the core's callbacks (wake-up, the backward
 * reader's pause); and the paused state, which must end as last asked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rings.h"
#include "schedcov.h"
#include "world_state.h"

/*
 * Schedule coverage (schedcov.h): the world tells it what it sees at its
 * interposition points, by CPU, context level, site and address; nothing
 * here changes what a run does.
 */
static void sc_ring(struct fz_world *w, struct fz_cpu *c)
{
	struct fz_sc_ring r = {
		.data_head = &c->rb->user_page->data_head,
		.data_tail = &c->rb->user_page->data_tail,
		.data = c->rb->nr_pages ? c->rb->data_pages[0] : NULL,
		.size = c->rb->nr_pages ? c->rb->data_size : 0,
	};

	w->be->addrs(c->wr, &r.w);
	fz_schedcov_ring(c->index, &r);
}

static void on_wakeup(struct uprb_ring *rb, void *arg)
{
	struct fz_cpu *c = arg;

	(void)rb;
	if (!c->depth)
		model_fail(&c->model, "wakeup", "wake-up with no writer running");
	c->stack[c->depth - 1].wakeups++;
	c->wakeups++;
	c->world->st.wakeups++;
}

static uint64_t src_clock(void *arg)
{
	return *(const uint64_t *)arg;
}

void fz_cpu_set_paused(struct fz_cpu *c)
{
	c->world->be->pause(c->wr, c->op_paused || c->reader_paused);
}

/*
 * The model takes the value the writer stored as the ring's paused state
 * (a store may still be buffered when pause returns): once everything has
 * settled it must be the state last asked for. A ring without data pages
 * stays paused.
 */
void fz_cpu_paused_as_asked(const struct fz_cpu *c)
{
	bool on = c->op_paused || c->reader_paused || !c->rb->nr_pages;

	if (!c->model.paused != !on)
		model_fail(&c->model, "pause", "paused %u with the ring asked to %s",
			   c->model.paused, on ? "pause" : "run");
}

/* The backward reader pauses the writer for its window (docs/ring.md#33-reading-backward). */
static int reader_pause(void *arg, bool on)
{
	struct fz_cpu *c = arg;

	c->reader_paused = on;
	fz_cpu_set_paused(c);
	return 0;
}

void fz_cpu_setup(struct fz_world *w, struct fz_cpu *c)
{
	const struct fz_config *cfg = &w->prog.cfg;
	struct uprb_ring_opts o = {
		.sz = sizeof(o),
		.page_size = cfg->page_size,
		.nr_pages = cfg->nr_pages,
		.overwrite = cfg->overwrite,
		.backward = cfg->backward,
		.oversize = cfg->oversize_drop ? UPRB_OVERSIZE_DROP :
						 UPRB_OVERSIZE_WRAP,
		.watermark = cfg->watermark,
		.wakeup = on_wakeup,
		.wakeup_arg = c,
	};
	struct uprb_reader_opts ro = {
		.sz = sizeof(ro),
		.overwrite = cfg->overwrite,
		.backward = cfg->backward,
		.pause = reader_pause,
		.pause_arg = c,
		.scratch = c->scratch,
		.scratch_size = sizeof(c->scratch),
	};
	struct uprb_check_opts co = {
		.sz = sizeof(co),
		.nsources = cfg->nsrc,
		.order = cfg->backward || cfg->overwrite ?
			UPRB_CHECK_ORDER_NONE : UPRB_CHECK_ORDER_ASCENDING,
		.lost_ids = c->lost_ids,
		.nlost_ids = cfg->nsrc,
	};
	struct model_cfg mc = {
		.page_size = cfg->page_size,
		.nr_pages = cfg->nr_pages,
		.backward = cfg->backward,
		.overwrite = cfg->overwrite,
		.oversize_drop = cfg->oversize_drop,
		.watermark = cfg->watermark,
		.lost_wakeup = w->lost_wakeup,
		.past_stale_tail = w->past_stale_tail,
		.nsrc = cfg->nsrc,
	};

	c->depth = 0;
	c->op_paused = c->reader_paused = c->hostile = c->promised = false;
	c->wakeups = 0;
	memset(c->seq, 0, sizeof(c->seq));
	c->rb = fz_ring_get(c->index, &o);
	for (unsigned i = 0; i < cfg->nsrc; i++) {
		const struct fz_src_cfg *s = &cfg->src[i];
		struct uprb_source *src = &c->src[i];
		struct model_src *ms = &mc.src[i];
		/* Per-CPU events have ids of their own. */
		uint64_t id = s->id + 0x1000u * c->index;

		uprb_source_init(src, id, s->sample_type, s->sample_id_all);
		src->wakeup_events = s->wakeup_events;
		/* Distinct values in every trailer field: a swap shows. */
		src->pid = 1000 + i;
		src->tid = 2000 + i;
		src->cpu = c->index;
		/*
		 * The kernel's sample_id carries event->id as stream_id too
		 * (no inherited events here): so does every backend.
		 */
		src->stream_id = id;
		c->src_time[i] = 0x7100 + i;
		src->clock = src_clock;
		src->clock_arg = &c->src_time[i];
		c->lost_ids[i] = id;
		*ms = (struct model_src){
			.id = id, .stream_id = src->stream_id,
			.time = c->src_time[i], .sample_type = s->sample_type,
			.sample_id_all = s->sample_id_all, .pid = src->pid,
			.tid = src->tid, .cpu = src->cpu,
			.wakeup_events = s->wakeup_events,
		};
	}
	c->wr = w->be->open(c->rb, &o, c->src, cfg->nsrc);
	if (!c->wr) {
		fprintf(stderr, "fuzz world: the %s backend cannot open a ring of %u x %u\n",
			w->be->name, cfg->nr_pages, cfg->page_size);
		abort();
	}
	if (c->index == 0) {
		/* The memory model is one ring's (SC with several CPUs). */
		unsigned char *base = uprb_ring_base(c->rb);
		struct fz_writer_addrs ad;

		w->be->addrs(c->wr, &ad);
		fz_mem_reset(w->mem, w->memory, base, base + uprb_ring_len(c->rb),
			     base + c->rb->user_page->data_offset,
			     c->rb->data_size, (uint32_t *)ad.paused, fz_world_on_visible, w);
	}
	if (model_init(&c->model, &mc, c->rb, w->be, c->wr, w->conform)) {
		fprintf(stderr, "fuzz world: ring too large for the model\n");
		abort();
	}
	c->model.where.cpu = c->index;
	/*
	 * Forward overwrite rings cannot be read: no consumer
	 * (docs/ring.md#35-forward-overwrite-rings-cannot-be-read).
	 */
	c->reader_ok = uprb_reader_init(&c->r, uprb_ring_base(c->rb),
					uprb_ring_len(c->rb), &ro) == 0;
	if (uprb_check_init(&c->c, &co)) {
		fprintf(stderr, "fuzz world: no memory for the checker\n");
		abort();
	}
	if (w->schedcov)
		sc_ring(w, c);
}

void fz_cpu_teardown(struct fz_world *w, struct fz_cpu *c)
{
	w->be->close(c->wr);
	c->wr = NULL;
	uprb_check_fini(&c->c);
	if (c->reader_ok)
		uprb_reader_fini(&c->r);
	/* The ring stays in the cache (rings.h), reset at its next use. */
	c->rb = NULL;
}
