/* SPDX-License-Identifier: MIT */
/*
 * libperf: a record that wraps the ring's end is copied into the reader's
 * copy buffer only up to sizeof(union perf_event) bytes (4168 in 6.1), so
 * a larger wrapped record - any SAMPLE over 4 KiB in a ring of 8 KiB or
 * more - comes back with its header's size and the buffer's old bytes
 * after byte 4168.
 *
 * Builds against a kernel tree alone (its tools/lib/perf/mmap.c, as it
 * is); the ring is ring.bin (control page, then eight data pages:
 * data_tail 0x7530, data_head 0x8ca0, one 6000-byte SAMPLE at 0x7530 that
 * wraps the end at 0x8000):
 *
 *   T=/usr/src/linux-source-6.1   # or any tree: tar xf the Debian tarball
 *   cc -I$T/tools/lib/perf/include -I$T/tools/include \
 *      -I$T/tools/arch/x86/include -I$T/tools/include/uapi \
 *      repro.c $T/tools/lib/perf/mmap.c -o repro && ./repro ring.bin
 *
 * Exit status: 1 and "defect: ..." when a record handed over differs from
 * the ring's bytes, 0 when every one is whole (6.12: the defect is fixed).
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
	static unsigned char want[65536];
	struct perf_event_mmap_page *pc;
	unsigned char *ring, *data;
	union perf_event *ev;
	size_t len, size;
	int defects = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	ring = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!f || ring == MAP_FAILED)
		return 2;
	len = fread(ring, 1, 1 << 20, f);
	fclose(f);
	pc = (void *)ring;
	data = ring + page_size;
	size = len - page_size;
	/* The mapping perf's evlist makes: two references, forward ring. */
	perf_mmap__init(&map, NULL, false, NULL);
	map.base = ring;
	map.mask = (int)size - 1;
	map.prev = pc->data_tail;
	refcount_set(&map.refcnt, 2);
	if (perf_mmap__read_init(&map))
		return 2;
	while ((ev = perf_mmap__read_event(&map))) {
		unsigned n = ev->header.size;
		unsigned long long at = map.start - n;

		for (unsigned i = 0; i < n; i++)
			want[i] = data[(at + i) & (size - 1)];
		if (memcmp(ev, want, n)) {
			unsigned i = 0;

			while (((unsigned char *)ev)[i] == want[i])
				i++;
			printf("defect: the %u-byte record at %#llx (it wraps the "
			       "ring's end: %s) comes back with other bytes from "
			       "byte %u on\n", n, at,
			       (at & (size - 1)) + n > size ? "yes" : "no", i);
			defects++;
		}
		perf_mmap__consume(&map);
	}
	perf_mmap__read_done(&map);
	if (defects)
		return 1;
	printf("fixed: every record came back whole\n");
	return 0;
}
