/* SPDX-License-Identifier: MIT */
/*
 * repro.c - Linux perf: a writer that judged the free space from a data_tail
 * older than the head it read overwrites unread records of a non-overwrite
 * ring (findings/stale-tail/REPORT.md).
 *
 *   cc -O2 -Wall -Wextra -pthread -o repro repro.c && ./repro [--seconds N] [--plant]
 *
 * A STATISTICAL ATTEMPT on the live kernel. The window is two adjacent loads
 * in __perf_output_begin() (data_tail, then rb->head, in kernels before 6.6;
 * later kernels load head first and do not have the defect at all), and user
 * space cannot put an interrupt there; it can only set up the one state in
 * which an interrupt there overwrites, make many interrupts, and check every
 * position the kernel publishes. model.c beside this file shows the
 * interleaving itself (a model, not the kernel).
 *
 * Needs: two CPUs, perf_event_paranoid <= 1 or CAP_PERFMON (the nested
 * writer is a cpu-clock sample taken while the thread is in the kernel).
 * Exit: 1 the kernel published a head more than a ring past this reader's
 * data_tail (the positions are printed), 77 it did not in the time given (a
 * statistical attempt cannot show absence, so it never exits 0), 2 usage.
 *
 * How: one thread, pinned, takes page faults; a PERF_COUNT_SW_PAGE_FAULTS
 * event writes a 24-byte sample (ip, time) per fault into a one-page ring,
 * and a PERF_COUNT_SW_CPU_CLOCK event every 50 us (the nested writer, an
 * hrtimer interrupt) writes into the same ring a sample with a user stack
 * dump sized so that the sample takes the whole ring but 8 bytes. A reader
 * thread on another CPU consumes as fast as it can. The overwrite needs the
 * nested record plus the interrupted one to exceed the ring, which these
 * sizes give: if the timer lands between a page-fault sample's two loads
 * while that sample's predecessor is unread, and the reader consumes it
 * before the timer's sample reserves, the page-fault sample reserves 16
 * bytes over the timer sample's header (model.c, second scenario).
 *
 * The check: a correct writer never reserves past the latest data_tail it
 * read plus the ring size, and every data_tail it reads is one this reader
 * stored, so a data_head more than a ring past the reader's latest
 * data_tail is an overwrite, whatever its cause. The program also counts
 * the chances: page-fault samples that a timer sample overtook (the timer
 * sample lies before them in the ring but was timestamped after them: it
 * was written between the page-fault sample's time stamp and its
 * reservation, the stretch that contains the two loads).
 *
 * --plant proves the check: once records wait unread, the reader stores a
 * data_tail past them without reading them (a hostile tail); the kernel
 * then fills the ring over them, and the check must report it (exit 1,
 * marked "planted").
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
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define CLOCK_PERIOD_NS 50000 /* the nested writer's period */
#define FAULT_SAMPLE 24       /* header, ip, time */
#define CLOCK_FIXED 40        /* header, ip, time, dump size, dyn size */

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

static int open_event(uint64_t config, uint64_t period, uint32_t stack_dump)
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
	if (stack_dump) {
		a.sample_type |= PERF_SAMPLE_STACK_USER;
		a.sample_stack_user = stack_dump;
	}
	a.disabled = 1;
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

/* The reader's state, shared with the main thread after it stops. */
struct reader {
	struct perf_event_mmap_page *mp;
	const unsigned char *data;
	uint64_t size, tail;       /* ring size; the data_tail last stored */
	int cpu, plant, stop;      /* stop: set by the main thread */
	int found, planted, malformed;
	uint64_t bad_head, bad_tail;
	struct perf_event_header bad;
	uint64_t faults, clocks, lost_records, lost, chances;
	uint64_t max_time;
	int last_was_clock;
	uint64_t last_clock_time;
};

static void ring_copy(const struct reader *r, uint64_t pos, void *dst, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		((unsigned char *)dst)[i] = r->data[(pos + i) & (r->size - 1)];
}

static uint64_t load_head(const struct reader *r)
{
	return __atomic_load_n(&r->mp->data_head, __ATOMIC_ACQUIRE);
}

/* The kernel's D: the data reads before the tail store. */
static void store_tail(struct reader *r, uint64_t tail)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&r->mp->data_tail, tail, __ATOMIC_RELAXED);
}

/* A head more than a ring past the latest tail stored: the overwrite. */
static int overwrite_seen(struct reader *r, uint64_t head)
{
	if (head - r->tail <= r->size)
		return 0;
	r->bad_head = head;
	r->bad_tail = r->tail;
	__atomic_store_n(&r->found, 1, __ATOMIC_RELEASE);
	return 1;
}

/* Account one record at @pos; 0 when it does not parse. */
static int account(struct reader *r, uint64_t pos, const struct perf_event_header *h)
{
	uint64_t t, v[2];

	if (h->type == PERF_RECORD_LOST && h->size == 24) {
		ring_copy(r, pos + 8, v, sizeof(v));
		r->lost_records++;
		r->lost += v[1];
		r->last_was_clock = 0;
		return 1;
	}
	if (h->type != PERF_RECORD_SAMPLE || h->size < FAULT_SAMPLE)
		return 0;
	ring_copy(r, pos + 16, &t, sizeof(t));
	if (h->size == FAULT_SAMPLE) {
		r->faults++;
		/* A timer sample just before it in the ring, stamped after
		 * it: written inside this sample's reservation sequence. */
		if (r->last_was_clock && t < r->last_clock_time)
			r->chances++;
		r->last_was_clock = 0;
	} else {
		r->clocks++;
		r->last_was_clock = 1;
		r->last_clock_time = t;
	}
	if (t > r->max_time)
		r->max_time = t;
	return 1;
}

/* Consume every published record, checking each published head. */
static void *reader_main(void *arg)
{
	struct reader *r = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(r->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	while (!__atomic_load_n(&r->stop, __ATOMIC_RELAXED)) {
		uint64_t head = load_head(r), pos = r->tail;

		if (overwrite_seen(r, head))
			break;
		if (r->plant && !r->planted && head - r->tail >= FAULT_SAMPLE) {
			/* Planted: claim to have read up to head, read nothing
			 * more, and keep checking against the real tail. */
			r->planted = 1;
			store_tail(r, head);
			continue;
		}
		if (r->planted)
			continue;
		while (pos < head) {
			struct perf_event_header h;

			ring_copy(r, pos, &h, sizeof(h));
			if (h.size < sizeof(h) || h.size > head - pos || !account(r, pos, &h)) {
				/* Torn by an overwrite, or something else? */
				if (!overwrite_seen(r, load_head(r))) {
					r->bad = h;
					r->bad_tail = pos;
					__atomic_store_n(&r->malformed, 1, __ATOMIC_RELEASE);
				}
				return NULL;
			}
			pos += h.size;
		}
		store_tail(r, pos);
		r->tail = pos;
	}
	return NULL;
}

static int other_cpu(int cpu)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (c != cpu && CPU_ISSET(c, &set))
			return c;
	return -1;
}

int main(int argc, char **argv)
{
	double seconds = 10, t_end;
	struct reader r;
	struct utsname u;
	volatile unsigned char *pages;
	size_t npages = 256, len;
	uint32_t dump;
	uint64_t ops = 0;
	int fault, clock, cpu, plant = 0;
	pthread_t thread;
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
	/* The timer's sample takes the ring but 8 bytes (sample_stack_user
	 * must stay below 64 KiB). */
	if (page_size - CLOCK_FIXED - 8 >= 65535)
		cannot_tell("the page is too large for a ring-sized nested sample (sample_stack_user < 64 KiB)");
	dump = (uint32_t)(page_size - CLOCK_FIXED - 8);
	cpu = sched_getcpu();
	memset(&r, 0, sizeof(r));
	r.plant = plant;
	r.cpu = other_cpu(cpu);
	if (cpu < 0 || r.cpu < 0)
		cannot_tell("needs two CPUs (a reader on another CPU than the writers)");
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		cannot_tell("cannot pin this thread to a CPU");

	fault = open_event(PERF_COUNT_SW_PAGE_FAULTS, 1, 0);
	clock = open_event(PERF_COUNT_SW_CPU_CLOCK, CLOCK_PERIOD_NS, dump);
	r.mp = mmap(NULL, (size_t)page_size * 2, PROT_READ | PROT_WRITE, MAP_SHARED, fault, 0);
	if (r.mp == MAP_FAILED)
		cannot_tell("mmap of the ring failed (perf_event_mlock_kb or RLIMIT_MEMLOCK too small?)");
	if (ioctl(clock, PERF_EVENT_IOC_SET_OUTPUT, fault))
		cannot_tell("PERF_EVENT_IOC_SET_OUTPUT failed");
	r.data = (const unsigned char *)r.mp + r.mp->data_offset;
	r.size = r.mp->data_size;
	len = (size_t)page_size * npages;
	pages = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pages == MAP_FAILED)
		cannot_tell("mmap of the pages to touch failed");
	if (uname(&u))
		strcpy(u.release, "?");
	printf("Linux %s; CPU %d: page-fault samples (%d B, the outer writer) and cpu-clock samples every %d us (%u B with a %u-byte user stack dump, the nested writer) into one %llu-byte ring; the reader on CPU %d; %.0f s\n",
	       u.release, cpu, FAULT_SAMPLE, CLOCK_PERIOD_NS / 1000,
	       (unsigned)(dump + CLOCK_FIXED), (unsigned)dump,
	       (unsigned long long)r.size, r.cpu, seconds);
	if (pthread_create(&thread, NULL, reader_main, &r))
		cannot_tell("cannot start the reader thread");

	ioctl(fault, PERF_EVENT_IOC_ENABLE, 0);
	ioctl(clock, PERF_EVENT_IOC_ENABLE, 0);
	t_end = now_s() + seconds;
	while (now_s() < t_end && !__atomic_load_n(&r.found, __ATOMIC_RELAXED) &&
	       !__atomic_load_n(&r.malformed, __ATOMIC_RELAXED)) {
		for (size_t i = 0; i < npages; i++) {
			pages[i * page_size] = 1;
			ops++;
		}
		madvise((void *)pages, len, MADV_DONTNEED);
	}
	ioctl(clock, PERF_EVENT_IOC_DISABLE, 0);
	ioctl(fault, PERF_EVENT_IOC_DISABLE, 0);
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	pthread_join(thread, NULL);

	printf("%llu page faults; read: %llu page-fault samples, %llu timer samples, %llu LOST records (%llu samples dropped); %llu page-fault samples were overtaken by a ring-sized timer sample (the chances)\n",
	       (unsigned long long)ops, (unsigned long long)r.faults,
	       (unsigned long long)r.clocks, (unsigned long long)r.lost_records,
	       (unsigned long long)r.lost, (unsigned long long)r.chances);
	if (r.found) {
		printf("OVERWRITE: data_head %llu is %llu bytes past this reader's data_tail %llu in a %llu-byte ring: the kernel reserved over records not yet read%s\n",
		       (unsigned long long)r.bad_head,
		       (unsigned long long)(r.bad_head - r.bad_tail),
		       (unsigned long long)r.bad_tail, (unsigned long long)r.size,
		       r.planted ? " (planted: this program stored a data_tail past unread records)" : "");
		if (r.planted) {
			printf("result: planted overwrite detected\n");
			return 1;
		}
		printf("result: DEFECT PRESENT: a writer reserved more than a ring past the reader's data_tail\n");
		return 1;
	}
	if (r.malformed) {
		printf("cannot tell on this machine: a record at ring position %llu does not parse (type %u, size %u) and no head was published past the reader's tail: not this defect's evidence\n",
		       (unsigned long long)r.bad_tail, (unsigned)r.bad.type, (unsigned)r.bad.size);
		return 77;
	}
	if (plant) {
		printf("cannot tell on this machine: the planted tail was not overrun in %.0f s (%s)\n",
		       seconds, r.planted ? "too few page faults" : "no record ever waited unread");
		return 77;
	}
	printf("cannot tell on this machine: no overwrite in %.0f s; the window is two adjacent loads inside the %llu chances seen, too rare to hit by chance (model.c shows the interleaving)%s\n",
	       seconds, (unsigned long long)r.chances,
	       "; kernels from 6.6 on load head before data_tail and cannot show it at all");
	return 77;
}
