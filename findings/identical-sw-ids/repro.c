/* SPDX-License-Identifier: MIT */
/*
 * repro.c - Linux perf: two software events of the same kind on one thread
 * write samples that carry the other event's id
 * (findings/identical-sw-ids/REPORT.md).
 *
 *   cc -O2 -Wall -Wextra -o repro repro.c && ./repro
 *
 * Needs: perf_event_paranoid <= 2 (per-thread, user-only software events),
 * or CAP_PERFMON. Exit: 1 samples carry another event's id (counts and a
 * sample are printed), 0 every sample carries its own event's id, 77 cannot
 * tell here (the reason is printed).
 *
 * How: two PERF_COUNT_SW_PAGE_FAULTS events of this thread, identical
 * attrs (PERF_SAMPLE_IDENTIFIER | IP | TID, period 1), each with its own
 * ring; the thread touches 32 fresh pages; every sample in event A's ring
 * must carry A's id (PERF_EVENT_IOC_ID), every sample in B's ring B's id.
 * Then the same with the two events opened in the other order.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DATA_PAGES 8
#define TOUCHES 32
#define SAMPLE_TYPE (PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID)
#define SAMPLE_SIZE 32u /* header 8 + identifier 8 + ip 8 + pid/tid 8 */

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

struct ring {
	int fd;
	uint64_t id;
	struct perf_event_mmap_page *mp;
	size_t len;
};

static void ring_open(struct ring *r)
{
	struct perf_event_attr a;
	char why[256];

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_PAGE_FAULTS;
	a.sample_period = 1;
	a.sample_type = SAMPLE_TYPE;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	r->fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (r->fd < 0) {
		if (errno == EACCES || errno == EPERM)
			snprintf(why, sizeof(why),
				 "perf_event_open: %s (perf_event_paranoid is %d; a per-thread user-only software event needs <= 2, or CAP_PERFMON)",
				 strerror(errno), read_paranoid());
		else
			snprintf(why, sizeof(why), "perf_event_open: %s", strerror(errno));
		cannot_tell(why);
	}
	if (ioctl(r->fd, PERF_EVENT_IOC_ID, &r->id))
		cannot_tell("PERF_EVENT_IOC_ID failed (Linux >= 3.12 has it)");
	r->len = (size_t)page_size * (1 + DATA_PAGES);
	r->mp = mmap(NULL, r->len, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd, 0);
	if (r->mp == MAP_FAILED)
		cannot_tell("mmap of a ring failed (perf_event_mlock_kb or RLIMIT_MEMLOCK too small?)");
}

static void ring_close(struct ring *r)
{
	munmap(r->mp, r->len);
	close(r->fd);
}

struct tally {
	uint64_t samples, own, other, unknown, bad_size;
	uint64_t first_other[4]; /* the words of the first sample with the other id */
	int have_first;
};

/* Read every record of @r (forward ring, nothing wraps at these sizes). */
static void ring_tally(struct ring *r, uint64_t other_id, struct tally *t)
{
	const unsigned char *data = (const unsigned char *)r->mp + r->mp->data_offset;
	uint64_t mask = r->mp->data_size - 1;
	uint64_t head = __atomic_load_n(&r->mp->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = r->mp->data_tail;

	memset(t, 0, sizeof(*t));
	if (head - tail >= r->mp->data_size)
		cannot_tell("a ring filled up: more records than this program expects");
	while (tail < head) {
		const struct perf_event_header *h = (const void *)(data + (tail & mask));
		uint64_t w[4];

		if (h->size < sizeof(*h) || h->size > head - tail)
			cannot_tell("a malformed record in the ring");
		if (h->type == PERF_RECORD_SAMPLE) {
			t->samples++;
			if (h->size != SAMPLE_SIZE || (tail & mask) + SAMPLE_SIZE > r->mp->data_size) {
				t->bad_size++;
			} else {
				memcpy(w, h, sizeof(w));
				if (w[1] == r->id) {
					t->own++;
				} else if (w[1] == other_id) {
					t->other++;
					if (!t->have_first) {
						memcpy(t->first_other, w, sizeof(w));
						t->have_first = 1;
					}
				} else {
					t->unknown++;
				}
			}
		}
		tail += h->size;
	}
	__atomic_store_n(&r->mp->data_tail, tail, __ATOMIC_RELEASE);
}

/*
 * One run: open event A and event B (in that order, or B first when
 * @b_first), enable both, touch fresh pages, tally both rings.
 */
static int run(int b_first)
{
	volatile unsigned char *pages;
	struct ring rings[2], *a, *b;
	struct tally ta, tb;
	int found = 0;

	ring_open(&rings[0]);
	ring_open(&rings[1]);
	a = &rings[b_first ? 1 : 0];
	b = &rings[b_first ? 0 : 1];

	pages = mmap(NULL, (size_t)page_size * TOUCHES, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pages == MAP_FAILED)
		cannot_tell("mmap of the pages to touch failed");
	ioctl(a->fd, PERF_EVENT_IOC_ENABLE, 0);
	ioctl(b->fd, PERF_EVENT_IOC_ENABLE, 0);
	for (int i = 0; i < TOUCHES; i++)
		pages[(size_t)i * page_size] = 1;
	ioctl(b->fd, PERF_EVENT_IOC_DISABLE, 0);
	ioctl(a->fd, PERF_EVENT_IOC_DISABLE, 0);
	munmap((void *)pages, (size_t)page_size * TOUCHES);

	ring_tally(a, b->id, &ta);
	ring_tally(b, a->id, &tb);
	printf("%s:\n", b_first ? "B opened first, then A" : "A opened first, then B");
	for (int k = 0; k < 2; k++) {
		const struct tally *t = k ? &tb : &ta;
		const struct ring *r = k ? b : a;

		printf("  ring of event %c (id %llu): %llu samples: %llu with its own id, %llu with event %c's id (%llu), %llu with an unknown id, %llu of a wrong size\n",
		       k ? 'B' : 'A', (unsigned long long)r->id,
		       (unsigned long long)t->samples, (unsigned long long)t->own,
		       (unsigned long long)t->other, k ? 'A' : 'B',
		       (unsigned long long)(k ? a->id : b->id),
		       (unsigned long long)t->unknown, (unsigned long long)t->bad_size);
		if (t->samples < TOUCHES) {
			char why[128];

			snprintf(why, sizeof(why), "event %c wrote %llu samples for %d page faults",
				 k ? 'B' : 'A', (unsigned long long)t->samples, TOUCHES);
			cannot_tell(why);
		}
		if (t->have_first) {
			printf("    first such sample, as u64 words: %016llx (header) %016llx (identifier) %016llx (ip) %016llx (pid/tid)\n",
			       (unsigned long long)t->first_other[0],
			       (unsigned long long)t->first_other[1],
			       (unsigned long long)t->first_other[2],
			       (unsigned long long)t->first_other[3]);
			found = 1;
		}
	}
	ring_close(&rings[0]);
	ring_close(&rings[1]);
	return found;
}

int main(void)
{
	int ab, ba;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	printf("two PERF_COUNT_SW_PAGE_FAULTS events of this thread, identical attrs, own rings; %d fresh pages touched per run\n",
	       TOUCHES);
	ab = run(0);
	ba = run(1);
	if (ab || ba) {
		printf("result: DEFECT PRESENT: samples in one event's ring carry the other event's id\n");
		return 1;
	}
	printf("result: not present: every sample carries the id of the event whose ring it is in\n");
	return 0;
}
