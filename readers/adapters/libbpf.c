/* SPDX-License-Identifier: MIT */
/*
 * libbpf.c - libbpf's perf_buffer (the static libbpf.a of the system's
 * libbpf-dev, unmodified) as two adapters:
 *
 *   libbpf-raw  perf_buffer__new_raw: every record to an event callback,
 *               which can end the window (LIBBPF_PERF_EVENT_DONE);
 *   libbpf      perf_buffer__new: SAMPLE RAW payloads to a sample callback,
 *               LOST counts to a lost callback (both return void), other
 *               record types refused with an error.
 *
 * perf_buffer opens its own rings: perf_event_open per CPU through
 * syscall(), mmap64(), PERF_EVENT_IOC_ENABLE, a bpf() map update per CPU,
 * epoll. The fake-fd shim (fakefd.h) answers all of them: CPU 0 gets the
 * harness ring, the other CPUs (typed mode opens every online one) a ring
 * nothing writes, the map-info query fails as "not supported" (libbpf
 * then skips its map-type check) and the map updates succeed. A window is
 * perf_buffer__consume_buffer() of CPU 0's buffer: libbpf reads it from
 * data_tail to data_head and writes data_tail once at the end.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

#include "rd/adapter.h"
#include "rd/fakefd.h"
#include "rd/guard.h"

struct libbpf_reader {
	struct perf_buffer *pb;
	rd_deliver_fn *deliver;
	void *arg;
	size_t idx;     /* CPU 0's buffer */
};

static int print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		rd_reader_said(fmt, ap);
	return 0;
}

static enum bpf_perf_event_ret on_event(void *ctx, int cpu,
					struct perf_event_header *ev)
{
	struct libbpf_reader *b = ctx;
	struct rd_item it = { .kind = RD_ITEM_RECORD, .p = ev, .len = rd_header_size(ev) };

	(void)cpu;
	return b->deliver(b->arg, &it) == RD_STOP ? LIBBPF_PERF_EVENT_DONE :
						    LIBBPF_PERF_EVENT_CONT;
}

static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
	struct libbpf_reader *b = ctx;
	struct rd_item it = { .kind = RD_ITEM_SAMPLE_RAW, .p = data, .len = size };

	(void)cpu;
	b->deliver(b->arg, &it);
}

static void on_lost(void *ctx, int cpu, __u64 cnt)
{
	struct libbpf_reader *b = ctx;
	struct rd_item it = { .kind = RD_ITEM_LOST, .lost = cnt };

	(void)cpu;
	b->deliver(b->arg, &it);
}

static int open_common(const struct rd_ring *ring, void **out, bool typed)
{
	struct libbpf_reader *b = calloc(1, sizeof(*b));
	int err;

	if (!b)
		return -ENOMEM;
	libbpf_set_print(print);
	rd_fakefd_plan(0, ring);
	if (typed) {
		b->pb = perf_buffer__new(rd_fakefd_map_fd(), ring->nr_pages,
					 on_sample, on_lost, b, NULL);
	} else {
		struct perf_event_attr attr = {
			.size = sizeof(attr), .type = PERF_TYPE_SOFTWARE,
			.config = PERF_COUNT_SW_BPF_OUTPUT,
			.sample_type = PERF_SAMPLE_RAW, .sample_period = 1,
			.wakeup_events = 1,
		};
		int cpus[1] = { 0 }, keys[1] = { 0 };
		LIBBPF_OPTS(perf_buffer_raw_opts, o, .cpu_cnt = 1, .cpus = cpus,
			    .map_keys = keys);

		b->pb = perf_buffer__new_raw(rd_fakefd_map_fd(), ring->nr_pages,
					     &attr, on_event, b, &o);
	}
	err = libbpf_get_error(b->pb);
	if (err) {
		free(b);
		return err;
	}
	/* Buffers are in CPU order of the online CPUs: find CPU 0's. */
	b->idx = 0;
	for (size_t i = 0; i < perf_buffer__buffer_cnt(b->pb); i++) {
		const struct rd_fake_event *e =
			rd_fakefd_lookup(perf_buffer__buffer_fd(b->pb, i));

		if (e && e->ring == ring) {
			b->idx = i;
			break;
		}
	}
	*out = b;
	return 0;
}

static int raw_open(const struct rd_ring *ring, void **out)
{
	return open_common(ring, out, false);
}

static int typed_open(const struct rd_ring *ring, void **out)
{
	return open_common(ring, out, true);
}

static int libbpf_drain(void *reader, rd_deliver_fn *deliver, void *arg)
{
	struct libbpf_reader *b = reader;
	int ret;

	b->deliver = deliver;
	b->arg = arg;
	ret = perf_buffer__consume_buffer(b->pb, b->idx);
	return ret < 0 ? ret : 0;
}

static void libbpf_close(void *reader)
{
	struct libbpf_reader *b = reader;

	perf_buffer__free(b->pb);
	rd_fakefd_forget_closed();
	free(b);
}

const struct rd_adapter rd_adapter_libbpf_raw = {
	.name = "libbpf_raw",
	.library = "libbpf perf_buffer__new_raw",
	.version = RD_LIBBPF_VERSION,
	.caps = RD_CAP_FORWARD | RD_CAP_STOP | RD_CAP_ERRORS,
	.open = raw_open,
	.drain = libbpf_drain,
	.close = libbpf_close,
};

const struct rd_adapter rd_adapter_libbpf = {
	.name = "libbpf",
	.library = "libbpf perf_buffer__new",
	.version = RD_LIBBPF_VERSION,
	.caps = RD_CAP_FORWARD | RD_CAP_TYPED | RD_CAP_ERRORS,
	.open = typed_open,
	.drain = libbpf_drain,
	.close = libbpf_close,
};
