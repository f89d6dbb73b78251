/* SPDX-License-Identifier: MIT */
/*
 * bcc perf_reader: a record whose header claims more bytes than the ring
 * holds is copied out of the ring with the part past the ring's end read
 * from beyond the mapping (perf_reader_event_read() copies a record that
 * crosses the end in two pieces, the second of size - (bytes to the end),
 * unchecked against the ring's size).
 *
 * Builds against the installed static libbcc_bpf alone (only its
 * perf_reader object is linked); the ring is ring.bin (control page, then
 * one data page: data_tail 0, data_head 192, three 64-byte SAMPLE records
 * of which the second claims 0xfff8 bytes), handed to perf_reader_mmap()
 * through the wrapped mmap below, with inaccessible memory after it:
 *
 *   cc repro.c -o repro -Wl,--wrap=mmap -l:libbcc_bpf.a && ./repro ring.bin
 *
 * Exit status: 1 and "defect: ..." when the reader faults past the ring,
 * 0 when it does not (the defect is fixed).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <bcc/perf_reader.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

static void *ring;
static size_t ring_len;
static int ring_fd = -1;
static unsigned long samples;

void *__real_mmap(void *a, size_t len, int prot, int flags, int fd, off_t off);

void *__wrap_mmap(void *a, size_t len, int prot, int flags, int fd, off_t off)
{
	if (fd == ring_fd && len == ring_len)
		return ring;
	return __real_mmap(a, len, prot, flags, fd, off);
}

static void on_raw(void *cookie, void *raw, int size)
{
	(void)cookie;
	(void)raw;
	(void)size;
	samples++;
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	char *a = si->si_addr, *end = (char *)ring + ring_len, line[160];
	int n;

	(void)sig;
	(void)uc;
	if (a < end || a >= end + (128 << 10))
		_exit(3);
	n = snprintf(line, sizeof(line), "defect: perf_reader_event_read() read "
		     "%td bytes past the end of the ring's mapping\n", a - end + 1);
	if (write(1, line, (size_t)n) < 0)
		_exit(3);
	_exit(1);
}

static void on_alarm(int sig)
{
	static const char line[] = "fixed: no read past the ring (the walk "
				   "did not end: bcc-endless-walk)\n";

	(void)sig;
	if (write(1, line, sizeof(line) - 1) < 0)
		_exit(3);
	_exit(0);
}

int main(int argc, char **argv)
{
	FILE *f = fopen(argc > 1 ? argv[1] : "ring.bin", "rb");
	struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO };
	struct perf_reader *r;
	int devnull = open("/dev/null", O_WRONLY);

	setvbuf(stdout, NULL, _IONBF, 0);
	ring = __real_mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!f || ring == MAP_FAILED || devnull < 0)
		return 2;
	ring_len = fread(ring, 1, 1 << 19, f);
	fclose(f);
	/* Nothing readable after the ring, as after a perf mapping. */
	mprotect((char *)ring + ring_len, 128 << 10, PROT_NONE);
	r = perf_reader_new(on_raw, NULL, NULL, (int)(ring_len - 4096) / 4096);
	ring_fd = eventfd(0, 0);
	perf_reader_set_fd(r, ring_fd);
	if (!r || perf_reader_mmap(r))
		return 2;
	sigaction(SIGSEGV, &sa, NULL);
	/* What it prints about the records it refuses: not the point here. */
	dup2(devnull, 2);
	/* Bounded: past the oversize record the walk would not end (see
	 * bcc-endless-walk), so give up after a second. */
	signal(SIGALRM, on_alarm);
	alarm(1);
	perf_reader_event_read(r);
	printf("fixed: no read past the ring (%lu samples)\n", samples);
	return 0;
}
