/* SPDX-License-Identifier: MIT */
/*
 * libperf.c - libperf's reader (a kernel tree's tools/lib/perf/mmap.c,
 * compiled unmodified in the build directory) as an adapter.
 *
 * The ring is opened the way perf's evlist opens one: a perf event
 * (through the fake-fd shim), perf_mmap__init + perf_mmap__mmap (which maps
 * the harness ring through the shim) and a reference count of two, the
 * evlist's and the pollfd's, so that perf_mmap__consume() of an emptied
 * ring does not unmap it. A window is libperf's bracket: perf_mmap__read_init, then
 * perf_mmap__read_event and perf_mmap__consume until it returns NULL,
 * perf_mmap__read_done. Backward overwrite rings are paused around the
 * window with PERF_EVENT_IOC_PAUSE_OUTPUT, as perf's evlist does.
 *
 * This file includes the tree's headers (struct perf_mmap changes between
 * versions) and is built only when a kernel tree is (cmake/KernelTree.cmake).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <internal/mmap.h>
#include <perf/core.h>
#include <perf/mmap.h>
#include <perf/event.h>

#include "rd/adapter.h"
#include "rd/fakefd.h"
#include "rd/guard.h"

/* libperf's globals, which its lib.c and core.c would define. */
unsigned int page_size;

/* Since 6.x mmap.c frees with zfree(), from tools/lib/zalloc.c. */
void __zfree(void **ptr);
void __zfree(void **ptr)
{
	free(*ptr);
	*ptr = NULL;
}

int libperf_print(enum libperf_print_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > LIBPERF_WARN)
		return 0;
	va_start(ap, fmt);
	rd_reader_said(fmt, ap);
	va_end(ap);
	return 0;
}

struct libperf_reader {
	struct perf_mmap map;
	int fd;
	bool backward;
};

static int libperf_open(const struct rd_ring *ring, void **out)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr), .type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_BPF_OUTPUT, .sample_type = PERF_SAMPLE_RAW,
		.sample_period = 1, .wakeup_events = 1,
		.write_backward = ring->backward,
	};
	struct perf_mmap_param mp = {
		.prot = PROT_READ | (ring->backward ? 0 : PROT_WRITE),
		.mask = (int)(ring->len - ring->page_size - 1),
	};
	struct libperf_reader *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	page_size = ring->page_size;
	rd_fakefd_plan(0, ring);
	l->fd = rd_fakefd_perf_event_open(&attr, 0);
	if (l->fd < 0) {
		free(l);
		return -errno;
	}
	l->backward = ring->backward;
	perf_mmap__init(&l->map, NULL, ring->backward, NULL);
	if (perf_mmap__mmap(&l->map, &mp, l->fd, (struct perf_cpu){ 0 })) {
		int err = -errno;

		close(l->fd);
		rd_fakefd_forget(l->fd);
		free(l);
		return err;
	}
	/* What perf's evlist sets: its reference and the pollfd's. */
	refcount_set(&l->map.refcnt, 2);
	*out = l;
	return 0;
}

static int libperf_drain(void *reader, rd_deliver_fn *deliver, void *arg)
{
	struct libperf_reader *l = reader;
	union perf_event *ev;
	int ret;

	if (l->backward)
		ioctl(l->fd, PERF_EVENT_IOC_PAUSE_OUTPUT, 1);
	ret = perf_mmap__read_init(&l->map);
	if (ret == 0) {
		for (;;) {
			struct rd_item it = { .kind = RD_ITEM_RECORD };
			int v;

			rd_guard_step();
			ev = perf_mmap__read_event(&l->map);
			if (!ev)
				break;
			it.p = ev;
			it.len = rd_header_size(ev);
			v = deliver(arg, &it);
			perf_mmap__consume(&l->map);
			if (v == RD_STOP)
				break;
		}
		perf_mmap__read_done(&l->map);
	}
	if (l->backward)
		ioctl(l->fd, PERF_EVENT_IOC_PAUSE_OUTPUT, 0);
	/* -EAGAIN: nothing to read, or (non-overwrite) an overrun skipped. */
	return ret == -EAGAIN ? 0 : ret;
}

static void libperf_close(void *reader)
{
	struct libperf_reader *l = reader;

	perf_mmap__munmap(&l->map);
	close(l->fd);
	rd_fakefd_forget(l->fd);
	free(l);
}

const struct rd_adapter rd_adapter_libperf = {
	.name = "libperf",
	.library = "libperf tools/lib/perf/mmap.c",
	.version = RD_LIBPERF_VERSION,
	.caps = RD_CAP_FORWARD | RD_CAP_BACKWARD | RD_CAP_STOP,
	.open = libperf_open,
	.drain = libperf_drain,
	.close = libperf_close,
};
