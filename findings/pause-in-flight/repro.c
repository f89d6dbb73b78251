/* SPDX-License-Identifier: MIT */
/*
 * repro.c - Linux perf: PERF_EVENT_IOC_PAUSE_OUTPUT returns while a writer
 * on another CPU is still writing a record into the ring; the record lands
 * after the pause, over the oldest end of the window a reader is reading
 * (findings/pause-in-flight/REPORT.md).
 *
 *   cc -O2 -Wall -Wextra -pthread -o repro repro.c && ./repro
 *
 * Needs: two CPUs; perf_event_paranoid <= 2 (a per-thread, user-only
 * software event), or CAP_PERFMON. Exit: 1 data_head moved after
 * PAUSE_OUTPUT returned (the heads, the sizes and the bytes that changed
 * under the reader are printed), 0 it never did in >= 1000 pauses that
 * caught the writer inside a page fault, 77 cannot tell here (the reason is
 * printed). Statistical: it stops at 20 sightings or after 10 seconds.
 *
 * How: a writer thread on one CPU takes page faults in a loop; a
 * PERF_COUNT_SW_PAGE_FAULTS event on it (write_backward, overwrite ring of
 * 32 pages) samples each with a 56 KiB user stack dump, so that each sample
 * takes microseconds to write. The reader, on another CPU, does what perf
 * does to read an overwrite ring: PAUSE_OUTPUT(1), read data_head, read the
 * window, PAUSE_OUTPUT(0). After the pause it keeps the window's oldest
 * 4 KiB, watches data_head for 200 us, and compares. On a ring that the
 * pause froze, data_head cannot move.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ONE_REG (1ull << 8) /* PERF_REG_X86_IP */
#else
#define ONE_REG 1ull        /* register 0 of the architecture */
#endif

#define DATA_PAGES 32
#define DUMP (56 * 1024)      /* sample_stack_user: a long copy per sample */
#define PAD (64 * 1024)       /* present stack above the writer's sp */
#define KEEP 4096             /* bytes of the window's oldest end compared */
#define WATCH_NS 200000       /* how long data_head is watched after a pause */
#define MAX_SECONDS 10
#define MAX_SIGHTINGS 20
#define MIN_IN_FAULT 1000     /* pauses inside a fault needed to say "absent" */

static long page_size;
static int writer_cpu, reader_cpu;
static int event_fd = -1;
static const struct perf_event_mmap_page *ring;
static char open_error[256];
static int ready, stop, in_fault; /* __atomic accessed */

static int read_paranoid(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int v = 99;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 99;
		fclose(f);
	}
	return v;
}

static void cannot_tell(const char *why)
{
	printf("cannot tell on this machine: %s\n", why);
	exit(77);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* The writer's event: this thread's page faults, into a backward ring. */
static void writer_open(void)
{
	struct perf_event_attr a;
	size_t len = (size_t)page_size * (1 + DATA_PAGES);
	void *m;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_PAGE_FAULTS;
	a.sample_period = 1;
	a.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_REGS_USER |
			PERF_SAMPLE_STACK_USER;
	a.sample_regs_user = ONE_REG;
	a.sample_stack_user = DUMP;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	a.write_backward = 1;
	event_fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (event_fd < 0) {
		if (errno == EACCES || errno == EPERM)
			snprintf(open_error, sizeof(open_error),
				 "perf_event_open: %s (perf_event_paranoid is %d; a per-thread user-only software event needs <= 2, or CAP_PERFMON)",
				 strerror(errno), read_paranoid());
		else if (errno == EINVAL)
			snprintf(open_error, sizeof(open_error),
				 "perf_event_open: EINVAL (write_backward needs Linux >= 4.7)");
		else
			snprintf(open_error, sizeof(open_error), "perf_event_open: %s",
				 strerror(errno));
		return;
	}
	m = mmap(NULL, len, PROT_READ, MAP_SHARED, event_fd, 0);
	if (m == MAP_FAILED) {
		snprintf(open_error, sizeof(open_error),
			 "mmap of the ring: %s (perf_event_mlock_kb or RLIMIT_MEMLOCK too small?)",
			 strerror(errno));
		return;
	}
	ring = m;
}

/* Page faults until told to stop; sp is below @pad's present pages, so
 * every sample copies DUMP bytes of stack. @pad gets a new stamp before
 * each fault, so that no two samples' dumps are alike. */
static __attribute__((noinline)) void fault_loop(volatile unsigned char *pad)
{
	size_t n = 64, len = (size_t)page_size * n;
	volatile unsigned char *p;
	uint64_t stamp = 0;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return;
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		for (size_t i = 0; i < n; i++) {
			stamp++;
			for (size_t j = 0; j + 8 <= PAD; j += 64)
				memcpy((unsigned char *)pad + j, &stamp, 8);
			__atomic_store_n(&in_fault, 1, __ATOMIC_RELAXED);
			p[i * page_size] = 1;
			__atomic_store_n(&in_fault, 0, __ATOMIC_RELAXED);
		}
		madvise((void *)p, len, MADV_DONTNEED);
	}
	munmap((void *)p, len);
}

static void *writer(void *arg)
{
	unsigned char pad[PAD];

	(void)arg;
	if (pin(writer_cpu)) {
		snprintf(open_error, sizeof(open_error), "cannot pin the writer to CPU %d",
			 writer_cpu);
		__atomic_store_n(&ready, -1, __ATOMIC_RELEASE);
		return NULL;
	}
	memset(pad, 0xa5, sizeof(pad));
	__asm__ volatile("" : : "r"(pad) : "memory");
	writer_open();
	__atomic_store_n(&ready, ring ? 1 : -1, __ATOMIC_RELEASE);
	if (ring)
		fault_loop(pad);
	__asm__ volatile("" : : "r"(pad) : "memory");
	return NULL;
}

/* Copy @n bytes at ring position @pos out of the data area, across its end. */
static void ring_copy(uint64_t pos, unsigned char *dst, unsigned int n)
{
	const unsigned char *data = (const unsigned char *)ring + ring->data_offset;
	uint64_t size = ring->data_size;

	for (unsigned int i = 0; i < n; i++)
		dst[i] = data[(pos + i) & (size - 1)];
}

static int choose_cpus(void)
{
	cpu_set_t set;
	int found = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (int c = 0; c < CPU_SETSIZE && found < 2; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		if (found++ == 0)
			reader_cpu = c;
		else
			writer_cpu = c;
	}
	return found == 2 ? 0 : -1;
}

int main(void)
{
	static unsigned char before[KEEP], after[KEEP];
	uint64_t pauses = 0, paused_in_fault = 0, sightings = 0, changed_total = 0;
	uint64_t t_end;
	pthread_t w;
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	if (choose_cpus())
		cannot_tell("needs two CPUs to run on (the writer and the reader)");
	if (pin(reader_cpu))
		cannot_tell("cannot pin the reader to a CPU");
	if (pthread_create(&w, NULL, writer, NULL))
		cannot_tell("pthread_create failed");
	while (!(r = __atomic_load_n(&ready, __ATOMIC_ACQUIRE)))
		sched_yield();
	if (r < 0) {
		pthread_join(w, NULL);
		cannot_tell(open_error);
	}
	printf("writer on CPU %d: page faults, each sampled with a %d-byte user stack dump into a %d-page overwrite ring; reader on CPU %d: pause, read, resume\n",
	       writer_cpu, DUMP, DATA_PAGES, reader_cpu);

	t_end = now_ns() + (uint64_t)MAX_SECONDS * 1000000000u;
	while (sightings < MAX_SIGHTINGS && now_ns() < t_end) {
		uint64_t h1, h2, t0;
		int faulting;
		unsigned int changed = 0;

		if (ioctl(event_fd, PERF_EVENT_IOC_PAUSE_OUTPUT, 1))
			cannot_tell("PERF_EVENT_IOC_PAUSE_OUTPUT failed (Linux >= 4.7 has it)");
		faulting = __atomic_load_n(&in_fault, __ATOMIC_RELAXED);
		h1 = __atomic_load_n(&ring->data_head, __ATOMIC_ACQUIRE);
		/* The window is [h1, h1 + size); its oldest end is just below
		 * h1 + size, where a record reserved after h1 would go. */
		ring_copy(h1 + ring->data_size - KEEP, before, KEEP);
		t0 = now_ns();
		do {
			h2 = __atomic_load_n(&ring->data_head, __ATOMIC_ACQUIRE);
		} while (h2 == h1 && now_ns() - t0 < WATCH_NS);
		if (h2 != h1) {
			/* Let the late writer finish, then compare. */
			while (now_ns() - t0 < WATCH_NS)
				;
			h2 = __atomic_load_n(&ring->data_head, __ATOMIC_ACQUIRE);
		}
		ring_copy(h1 + ring->data_size - KEEP, after, KEEP);
		ioctl(event_fd, PERF_EVENT_IOC_PAUSE_OUTPUT, 0);
		pauses++;
		paused_in_fault += faulting;
		if (h2 == h1)
			continue;
		for (unsigned int i = 0; i < KEEP; i++)
			changed += before[i] != after[i];
		changed_total += changed;
		if (!sightings++) {
			printf("pause %llu: PAUSE_OUTPUT(1) returned; data_head was %#llx, then %#llx within %d us: %llu bytes published after the pause\n",
			       (unsigned long long)pauses, (unsigned long long)h1,
			       (unsigned long long)h2, WATCH_NS / 1000,
			       (unsigned long long)(h1 - h2));
			printf("  the window's oldest %d bytes (ring offsets %llu..%llu), read right after the pause: %u of them changed while paused\n",
			       KEEP,
			       (unsigned long long)((h1 + ring->data_size - KEEP) & (ring->data_size - 1)),
			       (unsigned long long)((h1 + ring->data_size - 1) & (ring->data_size - 1)),
			       changed);
			for (unsigned int i = 0; i < KEEP; i++) {
				if (before[i] == after[i])
					continue;
				printf("  first changed byte at window offset %llu: %02x before, %02x after\n",
				       (unsigned long long)(ring->data_size - KEEP + i),
				       before[i], after[i]);
				break;
			}
		}
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	pthread_join(w, NULL);

	printf("%llu pauses (%llu caught the writer inside a page fault); data_head moved after the pause in %llu; %llu bytes of the windows' oldest ends changed under the reader\n",
	       (unsigned long long)pauses, (unsigned long long)paused_in_fault,
	       (unsigned long long)sightings, (unsigned long long)changed_total);
	if (sightings) {
		printf("result: DEFECT PRESENT: PERF_EVENT_IOC_PAUSE_OUTPUT returned while a writer was still writing; its record landed after the pause, over the window being read\n");
		return 1;
	}
	if (paused_in_fault >= MIN_IN_FAULT) {
		printf("result: not present: data_head never moved after a pause, in %llu pauses that caught the writer inside a page fault\n",
		       (unsigned long long)paused_in_fault);
		return 0;
	}
	printf("cannot tell on this machine: no late write seen, but only %llu pauses caught the writer inside a page fault (%d needed to call it absent)\n",
	       (unsigned long long)paused_in_fault, MIN_IN_FAULT);
	return 77;
}
