/* SPDX-License-Identifier: MIT */
/*
 * libperf: a record header at a position that is not 8-aligned is read
 * where it lies, so one within 8 bytes of the ring's end is read past the
 * end of the mapping. perf_mmap__read() and overwrite_rb_find_range()
 * both take it that "the header is always inside": true of the positions
 * a kernel writes, not of a data_head user space wrote (the control page
 * is writable) or of a size that is not a multiple of 8.
 *
 * Builds against a kernel tree alone (its tools/lib/perf/mmap.c, as it
 * is); the ring is ring.bin (control page, then two data pages of a
 * backward overwrite ring, nothing written, data_head 0xffff), mapped with
 * inaccessible memory after it, read the way perf reads an overwrite ring:
 *
 *   T=/usr/src/linux-source-6.1   # or any tree: tar xf the Debian tarball
 *   cc -I$T/tools/lib/perf/include -I$T/tools/include \
 *      -I$T/tools/arch/x86/include -I$T/tools/include/uapi \
 *      repro.c $T/tools/lib/perf/mmap.c -o repro && ./repro ring.bin
 *
 * Exit status: 1 and "defect: ..." when libperf faults past the ring, 0
 * when it does not (the defect is fixed).
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

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

int libperf_print(enum libperf_print_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
	return 0;
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	unsigned char *a = si->si_addr, *end = ring + len;
	char line[160];
	int n;

	(void)sig;
	(void)uc;
	if (a < end || a >= end + 4096)
		_exit(3);
	n = snprintf(line, sizeof(line), "defect: perf_mmap__read_init() read "
		     "byte %td past the end of the ring's mapping\n", a - end + 1);
	if (write(1, line, (size_t)n) < 0)
		_exit(3);
	_exit(1);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO };
	FILE *f = fopen(argc > 1 ? argv[1] : "ring.bin", "rb");
	static struct perf_mmap map;
	union perf_event *ev;
	unsigned events = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	ring = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!f || ring == MAP_FAILED)
		return 2;
	len = fread(ring, 1, 1 << 19, f);
	fclose(f);
	/* Nothing readable after the ring, as after a perf mapping. */
	mprotect(ring + len, 4096, PROT_NONE);
	sigaction(SIGSEGV, &sa, NULL);
	/* An overwrite ring, read from data_head down to the last read head (0). */
	perf_mmap__init(&map, NULL, true, NULL);
	map.base = ring;
	map.mask = (int)(len - page_size) - 1;
	map.prev = 0;
	refcount_set(&map.refcnt, 2);
	if (perf_mmap__read_init(&map) == 0) {
		while ((ev = perf_mmap__read_event(&map)))
			events++;
		perf_mmap__read_done(&map);
	}
	printf("fixed: no read past the ring (%u records)\n", events);
	return 0;
}
