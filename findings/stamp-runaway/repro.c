/* SPDX-License-Identifier: MIT */
/*
 * repro.c - Linux perf: the wake-up stamp of a ring runs ahead of the head
 * after a nested writer crosses the watermark between an outer writer's
 * reservation and its own stamp test; from then on every record wakes the
 * reader (findings/stamp-runaway/REPORT.md).
 *
 *   cc -O2 -Wall -Wextra -o repro repro.c && ./repro [--seconds N] [--plant]
 *
 * A STATISTICAL ATTEMPT on the live kernel: the window is a few
 * instructions in __perf_output_begin and user space cannot put an
 * interrupt there; it can only make many interrupts and test, each second,
 * whether the stamp has run away (which, once it happens, lasts for the
 * life of the ring). model.c beside this file shows the interleaving itself
 * (a model, not the kernel).
 *
 * Needs: perf_event_paranoid <= 1 or CAP_PERFMON (the nested writer is a
 * cpu-clock sample taken while the thread is in the kernel). Exit: 1 the
 * stamp ran away (every one of 64 single records woke the reader), 77 it
 * did not in the time given (a statistical attempt cannot show absence, so
 * it never exits 0).
 *
 * How: one thread, pinned, takes page faults; a PERF_COUNT_SW_PAGE_FAULTS
 * event (the outer writer) and a PERF_COUNT_SW_CPU_CLOCK event every 50 us
 * (the nested writer, an hrtimer interrupt) write 24-byte samples (ip,
 * time) into one overwrite ring with wakeup_watermark 64. Every second the
 * clock event is stopped and the thread writes 64 single page-fault
 * samples, calling poll(fd, 0) after each. The kernel steps its wake-up
 * stamp by 64 when a reservation ends more than 64 bytes past it, and
 * wakes the reader when a writer's record moved the stamp: with 24-byte
 * records that is at most every second record (at most 32 of the 64). A
 * stamp that has run ahead of the head steps at every record: 64 of 64.
 *
 * --plant proves the probe: the ring gets wakeup_watermark 8, below the
 * record size, so that every record steps the stamp and wakes the reader,
 * as a runaway stamp does; the probe must see 64 of 64 (exit 1, marked
 * "planted").
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <linux/perf_event.h>
#include <poll.h>
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

#define DATA_PAGES 16
#define WATERMARK 64          /* not a multiple of 24: the race is possible */
#define CLOCK_PERIOD_NS 50000 /* the nested writer's period */
#define PROBES 64

static long page_size;

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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int open_event(uint64_t config, uint64_t period, int watermark)
{
	struct perf_event_attr a;
	char why[256];
	int fd;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = config;
	a.sample_period = period;
	a.sample_type = PERF_SAMPLE_IP | PERF_SAMPLE_TIME;
	a.disabled = 1;
	if (watermark) {
		a.watermark = 1;
		a.wakeup_watermark = watermark;
	}
	fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno == EACCES || errno == EPERM)
		snprintf(why, sizeof(why),
			 "perf_event_open: %s (perf_event_paranoid is %d; samples taken in the kernel need <= 1, or CAP_PERFMON)",
			 strerror(errno), read_paranoid());
	else
		snprintf(why, sizeof(why), "perf_event_open: %s", strerror(errno));
	cannot_tell(why);
	return -1;
}

static int poll_in(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

/* 64 single page-fault samples, a poll after each: how many woke the reader. */
static int probe(int fault, volatile unsigned char *pages)
{
	int woken = 0;

	poll_in(fault); /* clear a wake-up still pending */
	for (int i = 0; i < PROBES; i++) {
		pages[(size_t)i * page_size] = 1;
		woken += poll_in(fault);
	}
	madvise((void *)pages, (size_t)page_size * PROBES, MADV_DONTNEED);
	return woken;
}

int main(int argc, char **argv)
{
	double seconds = 10, t_end, t_probe;
	volatile unsigned char *pages, *probe_pages;
	const struct perf_event_mmap_page *mp;
	size_t npages = 256, len;
	uint64_t faults = 0, probes = 0;
	int fault, clock, cpu, woken = 0, first = -1, plant = 0;
	cpu_set_t set;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
			seconds = atof(argv[++i]);
		} else if (!strcmp(argv[i], "--plant")) {
			plant = 1;
		} else {
			fprintf(stderr, "usage: %s [--seconds N] [--plant]\n", argv[0]);
			return 2;
		}
	}
	page_size = sysconf(_SC_PAGESIZE);
	cpu = sched_getcpu();
	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		cannot_tell("cannot pin this thread to a CPU");

	fault = open_event(PERF_COUNT_SW_PAGE_FAULTS, 1, plant ? 8 : WATERMARK);
	clock = open_event(PERF_COUNT_SW_CPU_CLOCK, CLOCK_PERIOD_NS, 0);
	/* Read-only: an overwrite ring, which never fills; nobody reads it. */
	mp = mmap(NULL, (size_t)page_size * (1 + DATA_PAGES), PROT_READ, MAP_SHARED, fault, 0);
	if (mp == MAP_FAILED)
		cannot_tell("mmap of the ring failed (perf_event_mlock_kb or RLIMIT_MEMLOCK too small?)");
	if (ioctl(clock, PERF_EVENT_IOC_SET_OUTPUT, fault))
		cannot_tell("PERF_EVENT_IOC_SET_OUTPUT failed");
	len = (size_t)page_size * npages;
	pages = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	probe_pages = mmap(NULL, (size_t)page_size * PROBES, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pages == MAP_FAILED || probe_pages == MAP_FAILED)
		cannot_tell("mmap of the pages to touch failed");
	printf("CPU %d: page-fault samples (outer writer) and cpu-clock samples every %d us (nested writer), 24 B each, into one ring, wakeup_watermark %d; %.0f s, a probe of %d single records each second\n",
	       cpu, CLOCK_PERIOD_NS / 1000, WATERMARK, seconds, PROBES);

	ioctl(fault, PERF_EVENT_IOC_ENABLE, 0);
	/* A probe before any nesting: the healthy count. */
	first = probe(fault, probe_pages);
	printf("probe before the load: %d of %d single records woke the reader\n", first, PROBES);
	if (plant) {
		printf("result: %s\n", first == PROBES ?
		       "planted storm detected (wakeup_watermark 8: every record wakes the reader)" :
		       "the planted storm was NOT detected: the probe is broken");
		return first == PROBES ? 1 : 2;
	}
	if (first == PROBES)
		cannot_tell("the healthy probe already saw a wake-up per record: this kernel steps differently");
	t_end = now_s() + seconds;
	t_probe = now_s() + 1;
	while (now_s() < t_end) {
		ioctl(clock, PERF_EVENT_IOC_ENABLE, 0);
		while (now_s() < t_probe && now_s() < t_end) {
			for (size_t i = 0; i < npages; i++)
				pages[i * page_size] = 1;
			faults += npages;
			madvise((void *)pages, len, MADV_DONTNEED);
		}
		ioctl(clock, PERF_EVENT_IOC_DISABLE, 0);
		woken = probe(fault, probe_pages);
		probes++;
		t_probe = now_s() + 1;
		if (woken == PROBES)
			break;
	}
	ioctl(fault, PERF_EVENT_IOC_DISABLE, 0);
	printf("%llu page faults under the timer; %llu probes; last probe: %d of %d single records woke the reader; data_head %llu\n",
	       (unsigned long long)faults, (unsigned long long)probes, woken, PROBES,
	       (unsigned long long)__atomic_load_n(&mp->data_head, __ATOMIC_ACQUIRE));
	if (woken == PROBES) {
		printf("result: DEFECT PRESENT: the wake-up stamp ran ahead of the head: every record now wakes the reader (watermark %d ignored)\n",
		       WATERMARK);
		return 1;
	}
	printf("cannot tell on this machine: the stamp did not run away in %.0f s; the window is a few instructions long and nested timer samples there are rare here (model.c shows the interleaving)\n",
	       seconds);
	return 77;
}
