/* SPDX-License-Identifier: MIT */
/*
 * libperf: perf_mmap__read_event() re-reads data_head for every record of
 * a forward window and checks the new end only against each record's
 * size, never against the ring: a data_head moved far ahead during the
 * window (the control page is writable by anyone who maps the ring) makes
 * it walk round and round the ring, handing over the same stale records
 * again, until the (int) difference between the new head and its position
 * runs out: billions of records. perf_mmap__read_init() refuses such a head
 * ("failed to keep up"); the per-record re-read does not.
 *
 * Builds against a kernel tree alone (its tools/lib/perf/mmap.c, as it
 * is); the ring is ring.bin (control page, then one data page, full:
 * data_tail 0, data_head 4096, sixty-four 64-byte SAMPLE records). After
 * the first record the program plays the other party and writes data_head
 * 1 GiB ahead:
 *
 *   T=/usr/src/linux-source-6.1   # or any tree: tar xf the Debian tarball
 *   cc -I$T/tools/lib/perf/include -I$T/tools/include \
 *      -I$T/tools/arch/x86/include -I$T/tools/include/uapi \
 *      repro.c $T/tools/lib/perf/mmap.c -o repro && ./repro ring.bin
 *
 * Exit status: 1 and "defect: ..." when the window hands over more records
 * than the ring can hold, 0 when it stops (the defect is fixed).
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

int libperf_print(enum libperf_print_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
	return 0;
}

int main(int argc, char **argv)
{
	FILE *f = fopen(argc > 1 ? argv[1] : "ring.bin", "rb");
	static struct perf_mmap map;
	struct perf_event_mmap_page *pc;
	unsigned long n = 0, cap;
	unsigned char *ring;
	size_t len;

	setvbuf(stdout, NULL, _IONBF, 0);
	ring = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!f || ring == MAP_FAILED)
		return 2;
	len = fread(ring, 1, 1 << 20, f);
	fclose(f);
	pc = (void *)ring;
	cap = (len - page_size) / 8;    /* records of 8 bytes at least */
	/* The mapping perf's evlist makes: two references, forward ring. */
	perf_mmap__init(&map, NULL, false, NULL);
	map.base = ring;
	map.mask = (int)(len - page_size) - 1;
	map.prev = pc->data_tail;
	refcount_set(&map.refcnt, 2);
	if (perf_mmap__read_init(&map))
		return 2;
	while (perf_mmap__read_event(&map)) {
		perf_mmap__consume(&map);
		if (++n == 1)   /* another party writes data_head */
			__atomic_store_n(&pc->data_head, pc->data_head + (1ull << 30),
					 __ATOMIC_RELEASE);
		if (n > 10 * cap) {
			printf("defect: one window handed over %lu records from a "
			       "%zu-byte ring (at most %lu fit): it walks round the "
			       "ring after data_head moved ahead\n", n,
			       len - page_size, cap);
			return 1;
		}
	}
	perf_mmap__read_done(&map);
	printf("fixed: the window ended after %lu records\n", n);
	return 0;
}
