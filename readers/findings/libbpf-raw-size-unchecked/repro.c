/* SPDX-License-Identifier: MIT */
/*
 * libbpf perf_buffer (typed): the RAW size of a SAMPLE is handed to the
 * sample callback as the record states it, never checked against the
 * record's own size: a callback that reads the payload it was given reads
 * into the next records or, here (0xffffffff), past the end of the ring.
 *
 * Builds against the installed static libbpf alone; the ring is ring.bin
 * (control page, then one data page: data_tail 0, data_head 192, three
 * 64-byte SAMPLE records, the second with RAW size 0xffffffff).
 * perf_buffer__new opens a ring per online CPU: CPU 0 gets ring.bin, the
 * others an empty one, through the wrapped calls below:
 *
 *   cc repro.c -o repro -Wl,--wrap=syscall -Wl,--wrap=mmap64 \
 *      -Wl,--wrap=ioctl -l:libbpf.a -lelf -lz && ./repro ring.bin
 *
 * Exit status: 1 and "defect: ..." when a payload handed over runs past
 * its record, 0 when none does (the defect is fixed).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static void *ring;
static size_t ring_len;
static int ring_fd = -1;
static int defects;

long __real_syscall(long nr, ...);
void *__real_mmap64(void *a, size_t len, int prot, int flags, int fd, off64_t off);
int __real_ioctl(int fd, unsigned long req, ...);

long __wrap_syscall(long nr, long a0, long a1, long a2, long a3, long a4)
{
	if (nr == __NR_perf_event_open) {
		int fd = eventfd(0, 0);

		if (a2 == 0)    /* CPU 0 */
			ring_fd = fd;
		return fd;
	}
	if (nr == __NR_bpf && a0 == BPF_OBJ_GET_INFO_BY_FD) {
		errno = EINVAL; /* "not supported": libbpf skips its check */
		return -1;
	}
	if (nr == __NR_bpf)
		return 0;       /* the map updates */
	return __real_syscall(nr, a0, a1, a2, a3, a4);
}

void *__wrap_mmap64(void *a, size_t len, int prot, int flags, int fd, off64_t off)
{
	if (fd == ring_fd && len == ring_len)
		return ring;
	if (fd >= 0 && fd != ring_fd)   /* another CPU's: empty */
		return __real_mmap64(a, len, prot, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	return __real_mmap64(a, len, prot, flags, fd, off);
}

int __wrap_ioctl(int fd, unsigned long req, unsigned long arg)
{
	(void)fd;
	(void)req;
	(void)arg;
	return 0;
}

static void on_sample(void *ctx, int cpu, void *data, __u32 size)
{
	const char *p = data, *data_end = (const char *)ring + ring_len;
	const struct perf_event_header *h = (const void *)(p - 12);

	(void)ctx;
	(void)cpu;
	/* The payload follows the header and its u32 size: it ends with the record. */
	if ((size_t)size > (size_t)h->size - 12) {
		printf("defect: sample_cb got a %u-byte payload from a %u-byte "
		       "record%s\n", size, h->size,
		       p + size > data_end ? ": reading it runs past the end of the ring" : "");
		defects++;
	}
}

int main(int argc, char **argv)
{
	FILE *f = fopen(argc > 1 ? argv[1] : "ring.bin", "rb");
	struct perf_buffer *pb;

	setvbuf(stdout, NULL, _IONBF, 0);
	ring = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!f || ring == MAP_FAILED)
		return 2;
	ring_len = fread(ring, 1, 1 << 20, f);
	fclose(f);
	pb = perf_buffer__new(eventfd(0, 0), (ring_len - 4096) / 4096, on_sample,
			      NULL, NULL, NULL);
	if (libbpf_get_error(pb))
		return 2;
	for (size_t i = 0; i < perf_buffer__buffer_cnt(pb); i++)
		if (perf_buffer__buffer_fd(pb, i) == ring_fd)
			perf_buffer__consume_buffer(pb, i);
	perf_buffer__free(pb);
	if (defects)
		return 1;
	printf("fixed: every payload handed over lies within its record\n");
	return 0;
}
