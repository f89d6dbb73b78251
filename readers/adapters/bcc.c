/* SPDX-License-Identifier: MIT */
/*
 * bcc.c - bcc's perf reader (perf_reader.c.o out of the system's
 * libbcc_bpf.a, unmodified) as an adapter.
 *
 * The ring is opened as bcc's bpf_open_perf_buffer() opens one:
 * perf_reader_new() with a raw and a lost callback, perf_event_open
 * (through the fake-fd shim), perf_reader_set_fd(), perf_reader_mmap()
 * (the harness ring, through the shim), PERF_EVENT_IOC_ENABLE. A window is
 * perf_reader_event_read(): it reads from data_tail to data_head, re-read
 * after every record, and writes data_tail after each.
 *
 * Its callbacks return void, so it cannot be stopped between records (no
 * RD_CAP_STOP), and it reports what it refuses only on stderr: its
 * fprintf calls reach rd_reader_said() through the link's
 * --wrap=__fprintf_chk, each one a step of the guarded call, so a loop
 * that only prints is bounded too.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <bcc/bcc_version.h>
#include <bcc/perf_reader.h>

#include "rd/adapter.h"
#include "rd/fakefd.h"
#include "rd/guard.h"

int __vfprintf_chk(FILE *f, int flag, const char *fmt, va_list ap);
int __wrap___fprintf_chk(FILE *f, int flag, const char *fmt, ...);

/* bcc's messages (it prints with the fortified fprintf). */
int __wrap___fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	if (f == stderr) {
		rd_reader_said(fmt, ap);
		n = 0;
	} else {
		n = __vfprintf_chk(f, flag, fmt, ap);
	}
	va_end(ap);
	return n;
}

struct bcc_reader {
	struct perf_reader *pr;
	rd_deliver_fn *deliver;
	void *arg;
};

static void on_raw(void *cookie, void *raw, int size)
{
	struct bcc_reader *b = cookie;
	/* bcc passes the u32 raw size as an int. */
	struct rd_item it = { .kind = RD_ITEM_SAMPLE_RAW, .p = raw,
			      .len = (uint32_t)size };

	b->deliver(b->arg, &it);
}

static void on_lost(void *cookie, uint64_t lost)
{
	struct bcc_reader *b = cookie;
	struct rd_item it = { .kind = RD_ITEM_LOST, .lost = lost };

	b->deliver(b->arg, &it);
}

static int bcc_open(const struct rd_ring *ring, void **out)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr), .type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_BPF_OUTPUT, .sample_type = PERF_SAMPLE_RAW,
		.sample_period = 1, .wakeup_events = 1,
	};
	struct bcc_reader *b = calloc(1, sizeof(*b));
	int fd;

	if (!b)
		return -ENOMEM;
	b->pr = perf_reader_new(on_raw, on_lost, b, (int)ring->nr_pages);
	if (!b->pr) {
		free(b);
		return -ENOMEM;
	}
	rd_fakefd_plan(0, ring);
	fd = rd_fakefd_perf_event_open(&attr, 0);
	if (fd < 0) {
		int err = -errno;

		perf_reader_free(b->pr);
		free(b);
		return err;
	}
	perf_reader_set_fd(b->pr, fd);
	if (perf_reader_mmap(b->pr) < 0 ||
	    ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
		perf_reader_free(b->pr);
		rd_fakefd_forget_closed();
		free(b);
		return -EINVAL;
	}
	*out = b;
	return 0;
}

static int bcc_drain(void *reader, rd_deliver_fn *deliver, void *arg)
{
	struct bcc_reader *b = reader;

	b->deliver = deliver;
	b->arg = arg;
	perf_reader_event_read(b->pr);
	return 0;
}

static void bcc_close(void *reader)
{
	struct bcc_reader *b = reader;

	/* Unmaps (the shim keeps the ring), disables and closes the fd. */
	perf_reader_free(b->pr);
	rd_fakefd_forget_closed();
	free(b);
}

const struct rd_adapter rd_adapter_bcc = {
	.name = "bcc",
	.library = "bcc perf_reader (libbcc_bpf.a)",
	.version = LIBBCC_VERSION,
	.caps = RD_CAP_FORWARD | RD_CAP_TYPED,
	.open = bcc_open,
	.drain = bcc_drain,
	.close = bcc_close,
};
