/* SPDX-License-Identifier: MIT */
/*
 * core.c - our own reader (core/src/reader.c) as an adapter: the libperf
 * bracket uprb_read_init, uprb_read_event + uprb_consume until the window
 * is empty, uprb_read_done. Forward non-overwrite and backward overwrite
 * rings (paused per window through the ring's pause); every corruption is
 * an error code, reported by drain() and sticky until a resync, which
 * this adapter leaves to the caller: it reads what a user's loop reads.
 */
#include <errno.h>
#include <stdlib.h>

#include "rd/adapter.h"
#include "rd/guard.h"
#include "uprb/uprb_reader.h"

struct core_reader {
	struct uprb_reader r;
	bool backward;
};

static int core_open(const struct rd_ring *ring, void **out)
{
	struct core_reader *c = calloc(1, sizeof(*c));
	struct uprb_reader_opts o = {
		.sz = sizeof(o), .overwrite = ring->backward,
		.backward = ring->backward, .pause = ring->pause,
		.pause_arg = ring->pause_arg,
	};
	int ret;

	if (!c)
		return -ENOMEM;
	ret = uprb_reader_init(&c->r, ring->base, ring->len, &o);
	if (ret) {
		free(c);
		return ret;
	}
	c->backward = ring->backward;
	*out = c;
	return 0;
}

static int core_drain(void *reader, rd_deliver_fn *deliver, void *arg)
{
	struct core_reader *c = reader;
	const struct perf_event_header *ev;
	int ret;

	ret = uprb_read_init(&c->r);
	if (ret == -EAGAIN || ret == -ENODATA)
		return 0;
	if (ret)
		return ret;
	for (;;) {
		struct rd_item it = { .kind = RD_ITEM_RECORD };
		int v;

		rd_guard_step();
		ret = uprb_read_event(&c->r, &ev);
		if (ret <= 0)
			break;
		it.p = ev;
		it.len = rd_header_size(ev);
		v = deliver(arg, &it);
		/* Done with the record before its space is given back. */
		if (!c->backward)
			uprb_consume(&c->r);
		if (v == RD_STOP)
			break;
	}
	uprb_read_done(&c->r);
	return ret < 0 ? ret : 0;
}

static void core_close(void *reader)
{
	struct core_reader *c = reader;

	uprb_reader_fini(&c->r);
	free(c);
}

const struct rd_adapter rd_adapter_core = {
	.name = "core",
	.library = "ringtorture core/src/reader.c",
	.version = RD_CORE_VERSION,
	.caps = RD_CAP_FORWARD | RD_CAP_BACKWARD | RD_CAP_STOP | RD_CAP_ERRORS,
	.open = core_open,
	.drain = core_drain,
	.close = core_close,
};
