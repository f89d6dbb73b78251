/* SPDX-License-Identifier: MIT */
/*
 * repro.c - Linux perf: a software-event sample reserved with the size of
 * another event's dynamic parts (findings/sw-event-dyn-size/REPORT.md).
 *
 *   cc -O2 -Wall -Wextra -o repro repro.c && ./repro
 *
 * Needs: perf_event_paranoid <= 2 (per-thread, user-only software events),
 * or CAP_PERFMON. Exit: 1 a sample's size does not match its own
 * sample_type (sizes and bytes are printed), 0 every sample has the size
 * its sample_type gives, 77 cannot tell here (the reason is printed).
 *
 * How: two PERF_COUNT_SW_PAGE_FAULTS events of this thread, each with its
 * own ring: "plain" (PERF_SAMPLE_IP | TID: 24-byte samples) and "stack"
 * (IP | TID | REGS_USER with one register | STACK_USER with
 * sample_stack_user 8: 24 + 16 + 24 = 64-byte samples). The thread touches
 * 32 fresh pages; every sample in each ring must have its own event's size.
 * Run twice, the two events opened in either order (the one opened last is
 * prepared first for each page fault). Before that the plain event writes
 * more samples alone than its ring holds, so that the ring has wrapped and
 * old records lie ahead of its head: the part of a sample that the kernel
 * reserved but never wrote shows them.
 * A third run: "wide" (IP | REGS_USER with three registers, 48 bytes, in a
 * backward ring) and "narrow" (IP | REGS_USER with one register, 32
 * bytes), narrow opened last: wide's samples are reserved with narrow's
 * register count and written with their own, 16 bytes past the
 * reservation, over the header of the record before them.
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

#define DATA_PAGES 4
#define TOUCHES 32
#define CHUNK 4 /* pages touched between reads: a sanitizer's shadow faults too */
#define PLAIN_TYPE (PERF_SAMPLE_IP | PERF_SAMPLE_TID)
#define PLAIN_SIZE 24u /* header 8 + ip 8 + pid/tid 8 */
#define STACK_TYPE (PLAIN_TYPE | PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER)
/* + regs (abi 8, one register 8) + stack (size 8, 8 bytes, dyn_size 8) */
#define STACK_SIZE (PLAIN_SIZE + 16u + 24u)

#if defined(__x86_64__)
#define ONE_REG (1ull << 8)                              /* PERF_REG_X86_IP */
#define THREE_REGS ((1ull << 6) | (1ull << 7) | (1ull << 8)) /* BP, SP, IP */
#else
#define ONE_REG 1ull    /* register 0 of the architecture */
#define THREE_REGS 7ull /* registers 0-2 */
#endif
#define REGS_TYPE (PERF_SAMPLE_IP | PERF_SAMPLE_REGS_USER)

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
	const char *name;
	uint64_t sample_type;
	unsigned int size; /* every sample's size, from sample_type */
	uint64_t regs;     /* sample_regs_user (0: one register) */
	int backward;      /* write_backward, mapped read-only */
	int fd;
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
	a.sample_type = r->sample_type;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	if (r->sample_type & (PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER))
		a.sample_regs_user = r->regs ? r->regs : ONE_REG;
	if (r->sample_type & PERF_SAMPLE_STACK_USER)
		a.sample_stack_user = 8;
	a.write_backward = r->backward;
	r->fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (r->fd < 0) {
		if (errno == EACCES || errno == EPERM)
			snprintf(why, sizeof(why),
				 "perf_event_open: %s (perf_event_paranoid is %d; a per-thread user-only software event needs <= 2, or CAP_PERFMON)",
				 strerror(errno), read_paranoid());
		else if (errno == ENOSYS)
			snprintf(why, sizeof(why),
				 "perf_event_open: no user stack dumps on this architecture (ENOSYS)");
		else
			snprintf(why, sizeof(why), "perf_event_open: %s", strerror(errno));
		cannot_tell(why);
	}
	r->len = (size_t)page_size * (1 + DATA_PAGES);
	r->mp = mmap(NULL, r->len, r->backward ? PROT_READ : PROT_READ | PROT_WRITE,
		     MAP_SHARED, r->fd, 0);
	if (r->mp == MAP_FAILED)
		cannot_tell("mmap of a ring failed (perf_event_mlock_kb or RLIMIT_MEMLOCK too small?)");
}

static void ring_close(struct ring *r)
{
	munmap(r->mp, r->len);
	close(r->fd);
}

struct tally {
	uint64_t samples, right, wrong;
	unsigned int wrong_size;       /* the first wrong sample's size */
	unsigned char first_wrong[64]; /* and its first bytes */
};

/* Copy @n bytes at ring position @pos out of @r's data area, across its end. */
static void ring_copy(const struct ring *r, uint64_t pos, void *dst, unsigned int n)
{
	const unsigned char *data = (const unsigned char *)r->mp + r->mp->data_offset;
	uint64_t size = r->mp->data_size, off = pos & (size - 1);
	unsigned int first = n;

	if (off + n > size)
		first = (unsigned int)(size - off);
	memcpy(dst, data + off, first);
	memcpy((unsigned char *)dst + first, data, n - first);
}

/* Read (and consume) every record of @r; add its samples' sizes to @t. */
static void ring_tally(struct ring *r, struct tally *t)
{
	uint64_t head = __atomic_load_n(&r->mp->data_head, __ATOMIC_ACQUIRE);
	uint64_t tail = r->mp->data_tail;

	while (tail < head) {
		struct perf_event_header h;

		ring_copy(r, tail, &h, sizeof(h));
		if (h.size < sizeof(h) || h.size > head - tail)
			cannot_tell("a malformed record in a ring");
		if (h.type == PERF_RECORD_SAMPLE) {
			t->samples++;
			if (h.size == r->size) {
				t->right++;
			} else if (!t->wrong++) {
				t->wrong_size = h.size;
				ring_copy(r, tail, t->first_wrong,
					  h.size < sizeof(t->first_wrong) ? h.size : sizeof(t->first_wrong));
			}
		} else if (h.type == PERF_RECORD_LOST) {
			cannot_tell("a ring filled up and dropped samples");
		}
		tail += h.size;
	}
	__atomic_store_n(&r->mp->data_tail, tail, __ATOMIC_RELEASE);
}

/* Touch @n fresh pages (one page fault each). */
static void touch_fresh_pages(int n)
{
	volatile unsigned char *pages;

	pages = mmap(NULL, (size_t)page_size * n, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pages == MAP_FAILED)
		cannot_tell("mmap of the pages to touch failed");
	for (int i = 0; i < n; i++)
		pages[(size_t)i * page_size] = 1;
	munmap((void *)pages, (size_t)page_size * n);
}

static void print_words(const unsigned char *b, unsigned int n, unsigned int mark)
{
	for (unsigned int i = 0; i < n; i += 8) {
		uint64_t w;

		memcpy(&w, b + i, 8);
		printf("%s%016llx", i == 0 ? "      " : i == mark ? " | " : " ",
		       (unsigned long long)w);
	}
	printf("\n");
}

/*
 * One run: open the plain and the stack event (plain first unless
 * @stack_first), enable both, touch fresh pages, tally both rings.
 */
static int run(int stack_first)
{
	struct ring plain = { "plain", PLAIN_TYPE, PLAIN_SIZE, 0, 0, -1, NULL, 0 };
	struct ring stack = { "stack", STACK_TYPE, STACK_SIZE, 0, 0, -1, NULL, 0 };
	struct ring *order[2] = { &plain, &stack };
	struct tally t[2];
	int found = 0;

	if (stack_first) {
		order[0] = &stack;
		order[1] = &plain;
	}
	ring_open(order[0]);
	ring_open(order[1]);
	/*
	 * First the plain event alone, more samples of its own size than its
	 * ring holds, read as they come: the ring wraps, so the bytes ahead
	 * of its head are its old records, and a sample that does not write
	 * all of its reservation shows them.
	 */
	memset(t, 0, sizeof(t));
	ioctl(plain.fd, PERF_EVENT_IOC_ENABLE, 0);
	while (t[0].samples * PLAIN_SIZE < plain.mp->data_size + PLAIN_SIZE) {
		touch_fresh_pages(CHUNK);
		ring_tally(&plain, &t[0]);
		if (t[0].wrong)
			cannot_tell("the plain event alone wrote samples of another size");
	}
	memset(t, 0, sizeof(t));
	ioctl(stack.fd, PERF_EVENT_IOC_ENABLE, 0);
	for (int i = 0; i < TOUCHES; i += CHUNK) {
		touch_fresh_pages(CHUNK);
		ring_tally(&plain, &t[0]);
		ring_tally(&stack, &t[1]);
	}
	ioctl(stack.fd, PERF_EVENT_IOC_DISABLE, 0);
	ioctl(plain.fd, PERF_EVENT_IOC_DISABLE, 0);

	printf("%s opened first, then %s:\n", order[0]->name, order[1]->name);
	for (int k = 0; k < 2; k++) {
		struct ring *r = k ? &stack : &plain;

		ring_tally(r, &t[k]);
		printf("  %s event's ring: %llu samples: %llu of %u bytes (its sample_type's size), %llu of another size\n",
		       r->name, (unsigned long long)t[k].samples,
		       (unsigned long long)t[k].right, r->size,
		       (unsigned long long)t[k].wrong);
		if (t[k].samples < TOUCHES) {
			char why[128];

			snprintf(why, sizeof(why), "the %s event wrote %llu samples for %d page faults",
				 r->name, (unsigned long long)t[k].samples, TOUCHES);
			cannot_tell(why);
		}
		if (t[k].wrong) {
			unsigned int n = t[k].wrong_size < 64 ? t[k].wrong_size : 64;

			printf("    first: header.size %u = %u + %u more; as u64 words (| marks where its own parts end: the rest was never written, it is what the ring held there before):\n",
			       t[k].wrong_size, r->size, t[k].wrong_size - r->size);
			print_words(t[k].first_wrong, n, r->size);
			found = 1;
		}
	}
	ring_close(&plain);
	ring_close(&stack);
	return found;
}

/*
 * The same sharing when the event prepared first asks for fewer user
 * registers than the other: the other's samples are reserved with the
 * first one's register count and written with their own, past the
 * reservation. The "wide" event (three registers) has a backward ring,
 * where the bytes past a record are the header of the record before it.
 */
static int run_regs(void)
{
	struct ring wide = { "wide", REGS_TYPE, 8 + 8 + 8 + 3 * 8, THREE_REGS, 1, -1, NULL, 0 };
	struct ring narrow = { "narrow", REGS_TYPE, 8 + 8 + 8 + 8, ONE_REG, 0, -1, NULL, 0 };
	uint64_t head, off;
	int found = 0;

	ring_open(&wide);
	ring_open(&narrow); /* opened last: prepared first */
	ioctl(wide.fd, PERF_EVENT_IOC_ENABLE, 0);
	ioctl(narrow.fd, PERF_EVENT_IOC_ENABLE, 0);
	touch_fresh_pages(3);
	ioctl(narrow.fd, PERF_EVENT_IOC_DISABLE, 0);
	ioctl(wide.fd, PERF_EVENT_IOC_DISABLE, 0);

	head = __atomic_load_n(&wide.mp->data_head, __ATOMIC_ACQUIRE);
	printf("wide (ip, 3 user registers: %u B) opened first, then narrow (ip, 1 register: %u B); the wide event's backward ring holds %llu bytes:\n",
	       wide.size, narrow.size, (unsigned long long)-head);
	if (-head >= wide.mp->data_size || -head < 3 * 24)
		cannot_tell("the wide event's ring does not hold what 3 page faults write");
	/* Newest first; a backward ring's window ends at position 0. */
	off = head;
	for (int i = 1; off != 0 && !found; i++) {
		struct perf_event_header h;
		unsigned char b[8];

		ring_copy(&wide, off, &h, sizeof(h));
		ring_copy(&wide, off, b, sizeof(b));
		if (h.type == PERF_RECORD_SAMPLE && h.size == wide.size) {
			off += h.size;
			continue;
		}
		if (h.type == PERF_RECORD_SAMPLE && h.size && h.size < wide.size && i == 1) {
			printf("  record 1 (the newest): header.size %u, but its sample_type writes %u bytes: %u bytes past its reservation, over the header of the record before it\n",
			       h.size, wide.size, wide.size - h.size);
			off += h.size;
			ring_copy(&wide, off, &h, sizeof(h));
			ring_copy(&wide, off, b, sizeof(b));
			printf("  record 2's header now reads %02x %02x %02x %02x %02x %02x %02x %02x (type %u, size %u): bytes of the newer sample's registers, written past its end\n",
			       b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], h.type, h.size);
			found = 1;
			break;
		}
		printf("  record %d: header type %u, size %u (expected a %u-byte sample)\n",
		       i, h.type, h.size, wide.size);
		found = 1;
	}
	if (!found)
		printf("  every record is %u bytes, as its sample_type gives\n", wide.size);
	ring_close(&wide);
	ring_close(&narrow);
	return found;
}

int main(void)
{
	int a, b, c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	printf("two PERF_COUNT_SW_PAGE_FAULTS events of this thread, own rings: plain (ip, tid: %u B), stack (+ regs_user, stack_user 8: %u B); %d fresh pages touched per run\n",
	       PLAIN_SIZE, STACK_SIZE, TOUCHES);
	a = run(0);
	b = run(1);
	c = run_regs();
	if (a || b || c) {
		printf("result: DEFECT PRESENT: a sample was reserved (and sized) with the other event's dynamic parts%s\n",
		       c ? ", and one wrote past its reservation" : "");
		return 1;
	}
	printf("result: not present: every sample has its own sample_type's size\n");
	return 0;
}
