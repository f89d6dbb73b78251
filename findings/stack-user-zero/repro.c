/* SPDX-License-Identifier: MIT */
/*
 * repro.c - Linux perf: a PERF_SAMPLE_STACK_USER sample whose stack dump
 * size comes out as 0 writes 8 bytes past its reservation
 * (findings/stack-user-zero/REPORT.md).
 *
 *   cc -O2 -Wall -Wextra -o repro repro.c && ./repro
 *
 * Needs: perf_event_paranoid <= 2 (per-thread, user-only software events),
 * or CAP_PERFMON. Exit: 1 the kernel overruns (the bytes are printed),
 * 0 it does not, 77 cannot tell here (the reason is printed).
 *
 * How: two PERF_COUNT_SW_PAGE_FAULTS events of this thread write into one
 * backward ring (attr.write_backward, mapped read-only: overwrite mode), so
 * records are laid down from the end of the data area towards its start and
 * the record written first (the older) lies right after the newer one.
 * First the "older" event writes plain samples (ip, tid: 24 bytes), then
 * the "stack" event writes samples with PERF_SAMPLE_STACK_USER. The window
 * is walked from data_head: each record's header must be where the one
 * before it ends. Three runs:
 *
 *   control    sample_stack_user 8: a dump of 8 bytes (must be clean, or
 *              this program cannot tell: exit 77)
 *   stack0     sample_stack_user 0
 *   sp0        sample_stack_user 64, but the page fault is taken with the
 *              user stack pointer at 0, so the kernel clamps the dump to 0
 *              (x86-64 only; what `perf record --call-graph dwarf` gets
 *              from a thread whose stack pointer is not a user address)
 *
 * A defect shows as a zeroed header right after a stack sample: the 8
 * bytes the kernel wrote past the reservation (its dyn_size word, 0).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ONE_REG (1ull << 8) /* PERF_REG_X86_IP */
#else
#define ONE_REG 1ull        /* register 0 of the architecture */
#endif

#define DATA_PAGES 1
#define OLDER_TYPE (PERF_SAMPLE_IP | PERF_SAMPLE_TID)
#define STACK_TYPE (PERF_SAMPLE_IP | PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER)
#define OLDER_SIZE 24u /* header 8 + ip 8 + pid/tid 8 */

static long page_size;

/* The size of a stack sample whose dump the kernel sized @dump bytes. */
static unsigned int stack_sample_size(unsigned int dump)
{
	/* header, ip, regs abi, one register, the stack's size word */
	unsigned int size = 8 + 8 + 8 + 8 + 8;

	if (dump)
		size += dump + 8; /* the dump and its dyn_size word */
	return size;
}

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

static int open_fault_event(uint64_t sample_type, uint32_t stack_user)
{
	struct perf_event_attr a;
	char why[256];
	int fd;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_PAGE_FAULTS;
	a.sample_period = 1;
	a.sample_type = sample_type;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	a.write_backward = 1;
	if (sample_type & PERF_SAMPLE_STACK_USER) {
		a.sample_regs_user = ONE_REG;
		a.sample_stack_user = stack_user;
	}
	fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd >= 0)
		return fd;
	if (errno == EACCES || errno == EPERM)
		snprintf(why, sizeof(why),
			 "perf_event_open: %s (perf_event_paranoid is %d; a per-thread user-only software event needs <= 2, or CAP_PERFMON)",
			 strerror(errno), read_paranoid());
	else if (errno == ENOSYS)
		snprintf(why, sizeof(why),
			 "perf_event_open: no user stack dumps on this architecture (ENOSYS)");
	else if (errno == EINVAL)
		snprintf(why, sizeof(why),
			 "perf_event_open: EINVAL (write_backward needs Linux >= 4.7)");
	else
		snprintf(why, sizeof(why), "perf_event_open: %s", strerror(errno));
	cannot_tell(why);
	return -1;
}

static uint64_t event_count(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		cannot_tell("read() of an event's count failed");
	return v;
}

/* Touch a fresh page with the stack pointer at 0 (x86-64): the fault's user
 * registers then have sp 0, and the kernel sizes the stack dump 0. */
static int touch_with_sp0(volatile unsigned char *p)
{
#if defined(__x86_64__)
	sigset_t all, old;

	/* No signal may arrive while there is no stack. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	__asm__ volatile("mov %%rsp, %%r12\n\t"
			 "xor %%esp, %%esp\n\t"
			 "movb $1, (%0)\n\t"
			 "mov %%r12, %%rsp\n\t"
			 : : "r"(p) : "r12", "memory");
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
#else
	(void)p;
	return -1;
#endif
}

struct outcome {
	int overrun;        /* 1: a header after a stack sample was zeroed */
	int untold;         /* 1: the ring did not hold what the counts imply */
	uint64_t n_older, n_stack;
};

/*
 * One run: the older event's samples, then the stack event's, into one
 * backward ring; walk the window and compare every header with the one
 * the layout requires.
 */
static struct outcome run(const char *name, uint32_t stack_user, unsigned int dump,
			  int sp0)
{
	unsigned int ssize = stack_sample_size(dump);
	size_t len = (size_t)page_size * (1 + DATA_PAGES);
	uint64_t data_size = (uint64_t)page_size * DATA_PAGES, mask = data_size - 1;
	struct outcome o = { 0, 0, 0, 0 };
	const struct perf_event_mmap_page *mp;
	const unsigned char *data;
	volatile unsigned char *pages;
	uint64_t head, total, off;
	int older, stack;

	older = open_fault_event(OLDER_TYPE, 0);
	stack = open_fault_event(STACK_TYPE, stack_user);
	mp = mmap(NULL, len, PROT_READ, MAP_SHARED, older, 0);
	if (mp == MAP_FAILED)
		cannot_tell("mmap of the ring failed (perf_event_mlock_kb or RLIMIT_MEMLOCK too small?)");
	if (ioctl(stack, PERF_EVENT_IOC_SET_OUTPUT, older))
		cannot_tell("PERF_EVENT_IOC_SET_OUTPUT failed");
	data = (const unsigned char *)mp + mp->data_offset;
	pages = mmap(NULL, 2 * page_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pages == MAP_FAILED)
		cannot_tell("mmap of two anonymous pages failed");

	ioctl(older, PERF_EVENT_IOC_ENABLE, 0);
	pages[0] = 1;
	ioctl(older, PERF_EVENT_IOC_DISABLE, 0);
	ioctl(stack, PERF_EVENT_IOC_ENABLE, 0);
	if (sp0)
		touch_with_sp0(pages + page_size);
	else
		pages[page_size] = 1;
	ioctl(stack, PERF_EVENT_IOC_DISABLE, 0);

	o.n_older = event_count(older);
	o.n_stack = event_count(stack);
	head = __atomic_load_n(&mp->data_head, __ATOMIC_ACQUIRE);
	total = -head; /* a backward ring's head starts at 0 and goes down */
	printf("%s: sample_stack_user %u%s; samples: %llu older (%u B each), %llu stack (%u B each, as reserved)\n",
	       name, stack_user, sp0 ? ", user stack pointer 0 at the fault" : "",
	       (unsigned long long)o.n_older, OLDER_SIZE,
	       (unsigned long long)o.n_stack, ssize);
	/*
	 * An extra fault between the enable and the disable (a stack page or a
	 * sanitizer's shadow page touched for the first time) adds a sample of
	 * another size: this run cannot tell, the others still can.
	 */
	if (!o.n_older || !o.n_stack ||
	    total != o.n_older * OLDER_SIZE + o.n_stack * ssize || total >= data_size) {
		printf("  this run cannot tell: the ring holds %llu bytes, not the %llu the two events' counts imply\n",
		       (unsigned long long)total,
		       (unsigned long long)(o.n_older * OLDER_SIZE + o.n_stack * ssize));
		o.untold = 1;
	}

	/* Newest first: the stack samples, then the older event's. */
	off = head;
	for (uint64_t i = 0; !o.untold && i < o.n_stack + o.n_older; i++) {
		const struct perf_event_header *h =
			(const void *)(data + (off & mask));
		unsigned int want = i < o.n_stack ? ssize : OLDER_SIZE;

		if (h->type == PERF_RECORD_SAMPLE && h->size == want) {
			off += want;
			continue;
		}
		const unsigned char *b = (const unsigned char *)h;
		printf("  record %llu of %llu (ring offset %llu), the %s sample: header bytes %02x %02x %02x %02x %02x %02x %02x %02x "
		       "(type %u, size %u); expected type %u, size %u\n",
		       (unsigned long long)i + 1,
		       (unsigned long long)(o.n_stack + o.n_older),
		       (unsigned long long)(off & mask),
		       i < o.n_stack ? "stack event's" : "older event's",
		       b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
		       h->type, h->size, PERF_RECORD_SAMPLE, want);
		if (i > 0 && !memcmp(b, "\0\0\0\0\0\0\0\0", 8)) {
			const unsigned char *w = data + ((off - 16) & mask);

			printf("  the stack sample before it (%u B reserved) ends with its stack size word: %02x %02x %02x %02x %02x %02x %02x %02x;\n"
			       "  the zeroed header is the 8 bytes written past that reservation (dyn_size 0)\n",
			       ssize, w[8], w[9], w[10], w[11], w[12], w[13], w[14], w[15]);
			o.overrun = 1;
			if (i >= o.n_stack) {
				/* The older record's body is still there. */
				const uint32_t *pt = (const void *)(data + ((off + 16) & mask));

				printf("  the rest of that older record is intact: pid %u, tid %u (this process: %d, %ld)\n",
				       pt[0], pt[1], (int)getpid(), (long)syscall(SYS_gettid));
			}
		}
		break;
	}
	if (!o.overrun && !o.untold)
		printf("  every header where it belongs: no write past a reservation\n");
	munmap((void *)pages, 2 * page_size);
	munmap((void *)mp, len);
	close(stack);
	close(older);
	return o;
}

int main(void)
{
	struct outcome c, z, s = { 0, 0, 0, 0 };
	int sp0 = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	page_size = sysconf(_SC_PAGESIZE);
	c = run("control", 8, 8, 0);
	if (c.overrun || c.untold)
		cannot_tell("the control run (sample_stack_user 8) was not clean: this walk cannot tell an overrun apart");
	z = run("stack0", 0, 0, 0);
#if defined(__x86_64__)
	s = run("sp0", 64, 0, 1);
	sp0 = s.overrun;
#else
	(void)s;
	printf("sp0: skipped (x86-64 only)\n");
#endif
	/* One run that shows the overrun is enough; one that cannot tell is not a "no". */
	if (z.overrun || sp0) {
		printf("result: DEFECT PRESENT: a stack sample with a 0-byte dump writes its dyn_size word 8 bytes past its reservation%s\n",
		       z.overrun && sp0 ? " (sample_stack_user 0, and a stack pointer of 0)" :
		       z.overrun ? " (sample_stack_user 0)" : " (stack pointer 0)");
		return 1;
	}
	if (z.untold || s.untold)
		cannot_tell("a run above could not tell, and none showed the overrun");
	printf("result: not present: every sample stayed within its reservation\n");
	return 0;
}
