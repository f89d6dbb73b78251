/* SPDX-License-Identifier: MIT */
/*
 * libperf: perf_mmap__read_done() sets the read position to data_head. On
 * a forward (non-overwrite) ring that loses, for good, every record of the
 * window that perf_mmap__read_event() did not hand over:
 *
 *   1. a caller that leaves the loop early, as perf kvm stat live does
 *      after PERF_KVM__MAX_EVENTS_PER_MMAP (25) records per ring, then
 *      calls read_done: the rest of the window is never read;
 *   2. a record the kernel publishes between the last read_event (which
 *      returned NULL) and read_done: never read either.
 *
 * The next read_init starts at the new position; data_tail moves past the
 * lost records at the next consume, so the kernel reuses their space and
 * nobody ever sees them or a PERF_RECORD_LOST for them.
 *
 * Builds against a kernel tree alone (its tools/lib/perf/mmap.c, as it
 * is); the ring is ring.bin (control page, then one data page: data_tail
 * 0, data_head 512, eight 64-byte SAMPLE records); the second part plays
 * the kernel by appending a ninth record:
 *
 *   T=/usr/src/linux-source-6.1   # or any tree: tar xf the Debian tarball
 *   cc -I$T/tools/lib/perf/include -I$T/tools/include \
 *      -I$T/tools/arch/x86/include -I$T/tools/include/uapi \
 *      repro.c $T/tools/lib/perf/mmap.c -o repro && ./repro ring.bin
 *
 * Exit status: 1 and "defect: ..." when records are lost, 0 when every
 * record is read (the defect is fixed).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <internal/mmap.h>
#include <perf/event.h>
#include <perf/mmap.h>

unsigned int page_size = 4096;

/* What libperf's own lib would define: newer mmap.c frees with zfree(). */
void __zfree(void **ptr);
void __zfree(void **ptr)
{
	free(*ptr);
	*ptr = NULL;
}
static unsigned char *ring;
static size_t len;
static struct perf_mmap map;

int libperf_print(enum libperf_print_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
	return 0;
}

/* The mapping perf's evlist makes: two references, forward ring. */
static void attach(void)
{
	struct perf_event_mmap_page *pc = (void *)ring;

	memset(&map, 0, sizeof(map));
	perf_mmap__init(&map, NULL, false, NULL);
	map.base = ring;
	map.mask = (int)(len - page_size) - 1;
	map.prev = pc->data_tail;
	refcount_set(&map.refcnt, 2);
}

/* One window: at most @max records (0: all), then read_done. */
static unsigned window(unsigned max, void (*before_done)(void))
{
	unsigned n = 0;

	if (perf_mmap__read_init(&map) == 0) {
		while ((max == 0 || n < max) && perf_mmap__read_event(&map)) {
			n++;
			perf_mmap__consume(&map);
		}
		if (before_done)
			before_done();
		perf_mmap__read_done(&map);
	}
	return n;
}

/* The kernel publishes one more 64-byte SAMPLE. */
static void publish(void)
{
	struct perf_event_mmap_page *pc = (void *)ring;
	struct perf_event_header h = { PERF_RECORD_SAMPLE, 0, 64 };
	unsigned char *data = ring + page_size;
	unsigned long long head = pc->data_head;

	memset(data + (head & (len - page_size - 1)), 0xab, 64);
	memcpy(data + (head & (len - page_size - 1)), &h, sizeof(h));
	__atomic_store_n(&pc->data_head, head + 64, __ATOMIC_RELEASE);
}

int main(int argc, char **argv)
{
	FILE *f = fopen(argc > 1 ? argv[1] : "ring.bin", "rb");
	unsigned a, b, c, d;
	int defects = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	ring = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!f || ring == MAP_FAILED)
		return 2;
	len = fread(ring, 1, 1 << 20, f);
	fclose(f);

	attach();
	a = window(2, NULL);    /* leave early, as perf kvm stat live does */
	b = window(0, NULL);
	if (a + b != 8) {
		printf("defect: a window left after %u of 8 records, then "
		       "perf_mmap__read_done(): the next window reads %u, %u "
		       "records are never read\n", a, b, 8 - a - b);
		defects++;
	}
	attach();               /* start again, all read */
	((struct perf_event_mmap_page *)ring)->data_tail = 512;
	map.prev = 512;
	c = window(0, publish); /* a record lands before read_done */
	d = window(0, NULL);
	if (d != 1) {
		printf("defect: a record published between the last "
		       "perf_mmap__read_event() and perf_mmap__read_done() is "
		       "never read (the next window reads %u)\n", d);
		defects++;
	}
	(void)c;
	if (defects)
		return 1;
	printf("fixed: every record was read\n");
	return 0;
}
