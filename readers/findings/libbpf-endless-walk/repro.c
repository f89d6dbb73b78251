/* SPDX-License-Identifier: MIT */
/*
 * libbpf perf_buffer: a record header of size 0 makes the reader walk for
 * ever (perf_event_read_simple() loops while data_tail != data_head and
 * adds each header's size to data_tail, unchecked).
 *
 * Builds against the installed static libbpf alone; the ring is ring.bin
 * (control page, then the data pages: data_tail 0, data_head 192, three
 * 64-byte SAMPLE records of which the second has an all-zero header).
 * perf_buffer opens its own ring, so perf_event_open, mmap64, ioctl and
 * bpf() are answered here with an eventfd and ring.bin's mapping:
 *
 *   cc repro.c -o repro -Wl,--wrap=syscall -Wl,--wrap=mmap64 \
 *      -Wl,--wrap=ioctl -l:libbpf.a -lelf -lz && ./repro ring.bin
 *
 * Exit status: 1 and "defect: ..." when the walk does not end, 0 when it
 * ends within what the ring can hold (the defect is fixed).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static void *ring;
static size_t ring_len;
static int event_fd = -1;
static unsigned long calls;

long __real_syscall(long nr, ...);
void *__real_mmap64(void *a, size_t len, int prot, int flags, int fd, off64_t off);
int __real_ioctl(int fd, unsigned long req, ...);

long __wrap_syscall(long nr, long a0, long a1, long a2, long a3, long a4)
{
	if (nr == __NR_perf_event_open)
		return event_fd = eventfd(0, 0);
	if (nr == __NR_bpf && a0 == BPF_OBJ_GET_INFO_BY_FD) {
		errno = EINVAL; /* "not supported": libbpf skips its check */
		return -1;
	}
	if (nr == __NR_bpf)
		return 0;       /* the map update */
	return __real_syscall(nr, a0, a1, a2, a3, a4);
}

void *__wrap_mmap64(void *a, size_t len, int prot, int flags, int fd, off64_t off)
{
	if (fd == event_fd && len == ring_len)
		return ring;
	return __real_mmap64(a, len, prot, flags, fd, off);
}

int __wrap_ioctl(int fd, unsigned long req, unsigned long arg)
{
	return fd == event_fd ? 0 : __real_ioctl(fd, req, arg);
}

static enum bpf_perf_event_ret on_event(void *ctx, int cpu, struct perf_event_header *e)
{
	(void)ctx;
	(void)cpu;
	/* The ring holds at most ring_len / 8 records. */
	if (++calls > 100 * ring_len / 8) {
		printf("defect: %lu records handed over from a %zu-byte ring in one "
		       "perf_buffer__consume_buffer(), the last of size %u: the "
		       "walk does not end\n", calls, ring_len - 4096, e->size);
		exit(1);
	}
	return LIBBPF_PERF_EVENT_CONT;
}

int main(int argc, char **argv)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr), .type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_BPF_OUTPUT, .sample_type = PERF_SAMPLE_RAW,
		.sample_period = 1,
	};
	int cpus[1] = { 0 }, keys[1] = { 0 };
	LIBBPF_OPTS(perf_buffer_raw_opts, o, .cpu_cnt = 1, .cpus = cpus, .map_keys = keys);
	struct perf_buffer *pb;
	FILE *f = fopen(argc > 1 ? argv[1] : "ring.bin", "rb");

	setvbuf(stdout, NULL, _IONBF, 0);
	ring = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!f || ring == MAP_FAILED)
		return 2;
	ring_len = fread(ring, 1, 1 << 20, f);
	fclose(f);
	pb = perf_buffer__new_raw(eventfd(0, 0), (ring_len - 4096) / 4096, &attr,
				  on_event, NULL, &o);
	if (libbpf_get_error(pb))
		return 2;
	perf_buffer__consume_buffer(pb, 0);
	perf_buffer__free(pb);
	printf("fixed: the walk ended after %lu records\n", calls);
	return 0;
}
