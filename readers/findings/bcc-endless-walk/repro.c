/* SPDX-License-Identifier: MIT */
/*
 * bcc perf_reader: a record header of size 0 makes perf_reader_event_read()
 * spin for ever (it loops while data_tail != data_head, re-reading both,
 * and adds each header's size to data_tail, unchecked); each turn prints
 * "unknown sample type 0" to stderr.
 *
 * Builds against the installed static libbcc_bpf alone (only its
 * perf_reader object is linked); the ring is ring.bin (control page, then
 * one data page: data_tail 0, data_head 192, three 64-byte SAMPLE records
 * of which the second has an all-zero header), handed to perf_reader_mmap()
 * through the wrapped mmap below:
 *
 *   cc repro.c -o repro -Wl,--wrap=mmap -l:libbcc_bpf.a && ./repro ring.bin
 *
 * Exit status: 1 and "defect: ..." when the read has not returned after
 * two seconds, 0 when it returns (the defect is fixed).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <bcc/perf_reader.h>
#include <fcntl.h>
#include <linux/perf_event.h>
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

static void on_alarm(int sig)
{
	const struct perf_event_mmap_page *pc = ring;
	char line[200];
	int n;

	(void)sig;
	n = snprintf(line, sizeof(line), "defect: perf_reader_event_read() still "
		     "running after 2 s on a %zu-byte ring (data_tail %llu, "
		     "data_head %llu, %lu samples handed over)\n", ring_len - 4096,
		     (unsigned long long)pc->data_tail,
		     (unsigned long long)pc->data_head, samples);
	if (write(1, line, (size_t)n) < 0)
		_exit(3);
	_exit(1);
}

int main(int argc, char **argv)
{
	FILE *f = fopen(argc > 1 ? argv[1] : "ring.bin", "rb");
	struct perf_reader *r;
	int devnull = open("/dev/null", O_WRONLY);

	setvbuf(stdout, NULL, _IONBF, 0);
	ring = __real_mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!f || ring == MAP_FAILED || devnull < 0)
		return 2;
	ring_len = fread(ring, 1, 1 << 20, f);
	fclose(f);
	r = perf_reader_new(on_raw, NULL, NULL, (int)(ring_len - 4096) / 4096);
	ring_fd = eventfd(0, 0);
	perf_reader_set_fd(r, ring_fd);
	if (!r || perf_reader_mmap(r))
		return 2;
	signal(SIGALRM, on_alarm);
	alarm(2);
	/* Each turn of the loop prints a line to stderr: keep them out. */
	dup2(devnull, 2);
	perf_reader_event_read(r);
	printf("fixed: perf_reader_event_read() returned (%lu samples)\n", samples);
	return 0;
}
