/* SPDX-License-Identifier: MIT */
/*
 * equiv.c - kernel equivalence: the kernel's ring and the core's, driven by
 * the same schedule, compared byte for byte after every step.
 *
 * The kernel side writes only synchronous, deterministic records
 * (docs/ring.md#71-deterministic-generators), all on this thread, pinned
 * to one CPU:
 *   fault(X)  one of NSTACK page-fault events (PERF_COUNT_SW_PAGE_FAULTS,
 *             period 1) whose sample_stack_user X sets the record size, is
 *             enabled, one fresh anonymous page is touched, it is disabled
 *             again: exactly one sample of 80 + X bytes (72 for X = 0);
 *   comm(L)   a dummy event with attr.comm is enabled around
 *             prctl(PR_SET_NAME) of an L-character name: one COMM record.
 * Every event is redirected into one ring (PERF_EVENT_IOC_SET_OUTPUT).
 * Other steps: data_tail moves (forward, backward, or to a hostile value),
 * pause/resume (PERF_EVENT_IOC_PAUSE_OUTPUT). A schedule fixes the ring
 * (1-8 pages; forward or backward; overwrite or not) and a random sequence
 * of steps from its seed.
 *
 * The core side replays each step: a kernel write that landed is written
 * into the core ring by the same source (same id, pid, tid, cpu) with the
 * same size and the same bytes, copied out of the kernel ring; a kernel
 * drop (its PERF_FORMAT_LOST count went up) is attempted in the core with
 * the size the generator implies, and must be dropped too. The core writes
 * its own PERF_RECORD_LOST records. After every step: data_head, the whole
 * data area and every source's lost count must be equal.
 *
 * Any divergence prints the schedule (seed, index, ring), the step and the
 * ops before it, and both byte ranges; --equivalence --seed S --schedule K
 * replays it alone.
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kstress.h"
#include "uprb/uprb.h"

#define NSTACK 8
#define FAULT_PAGES 4096
/*
 * Sample-producing steps between pauses, against the throttle
 * (docs/ring.md#71-deterministic-generators).
 */
#define SAMPLES_PER_BURST 100
#define BURST_GAP_NS 5000000ull
#define HISTORY 12

/*
 * sample_stack_user of each fault event. Not 0 by default: with 0 the
 * kernel reserves 8 bytes for the stack part (its size word) but writes 16
 * (size and dyn_size), 8 bytes past its reservation (findings/stack-user-zero/REPORT.md);
 * --stack0 puts 0 back in slot 0 to show that divergence.
 */
static uint32_t stack_sizes[NSTACK] = {
	16, 8, 64, 200, 512, 1000, 2040, 4096 + 1024,
};

#define EQ_SAMPLE_TYPE                                                      \
	(PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID |         \
	 PERF_SAMPLE_ID | PERF_SAMPLE_CPU | PERF_SAMPLE_REGS_USER |          \
	 PERF_SAMPLE_STACK_USER)
/* Every id field of the trailer: tid, id, cpu, identifier. */
#define EQ_TRAILER 32u

enum op_kind { OP_FAULT, OP_COMM, OP_TAIL, OP_TAIL_ALL, OP_TAIL_HOSTILE,
	       OP_PAUSE, OP_RESUME };

struct op {
	enum op_kind kind;
	unsigned int arg;      /* stack index, name length */
	uint64_t tail;
};

struct eq {
	/* schedule */
	uint64_t seed, rng;
	unsigned int index, pages;
	bool backward, overwrite;
	/* kernel */
	int fd[NSTACK + 1];    /* NSTACK fault events, then the comm dummy */
	uint64_t id[NSTACK + 1];
	unsigned char *base;
	size_t len;
	struct perf_event_mmap_page *pc;
	unsigned char *kdata;
	uint64_t size;
	bool paused;
	/* core */
	struct uprb_ring *rb;
	struct uprb_source src[NSTACK + 1];
	/* generator */
	unsigned char *fault_mem;
	size_t fault_next;
	unsigned int burst;
	unsigned int comm_seq;
	/* bookkeeping */
	struct op hist[HISTORY];
	unsigned int nhist;
	uint64_t steps, writes, drops, noise;
	unsigned char rec[65536];
};

static uint64_t eq_next(struct eq *e)
{
	uint64_t x = e->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	e->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

static const char *op_text(const struct op *o, char *buf, size_t len)
{
	switch (o->kind) {
	case OP_FAULT:
		snprintf(buf, len, "fault(stack %u: sample of %u B)",
			 stack_sizes[o->arg],
			 stack_sizes[o->arg] ? 80 + stack_sizes[o->arg] : 72);
		break;
	case OP_COMM:
		snprintf(buf, len, "comm(%u chars: COMM of %u B)", o->arg,
			 16 + ((o->arg + 8) & ~7u) + EQ_TRAILER);
		break;
	case OP_TAIL:
		snprintf(buf, len, "tail = %" PRIu64, o->tail);
		break;
	case OP_TAIL_ALL:
		snprintf(buf, len, "tail = head (%" PRIu64 ")", o->tail);
		break;
	case OP_TAIL_HOSTILE:
		snprintf(buf, len, "hostile tail = %" PRIu64 " (0x%" PRIx64 ")",
			 o->tail, o->tail);
		break;
	case OP_PAUSE:
		snprintf(buf, len, "pause");
		break;
	case OP_RESUME:
		snprintf(buf, len, "resume");
		break;
	}
	return buf;
}

static unsigned int fault_size(unsigned int i)
{
	return stack_sizes[i] ? 80 + stack_sizes[i] : 72;
}

static unsigned int comm_size(unsigned int len)
{
	return 16 + ((len + 8) & ~7u) + EQ_TRAILER;
}

static void eq_close(struct eq *e)
{
	if (e->base)
		munmap(e->base, e->len);
	e->base = NULL;
	for (int i = 0; i <= NSTACK; i++)
		if (e->fd[i] >= 0)
			close(e->fd[i]);
	if (e->rb)
		uprb_ring_free(e->rb);
	e->rb = NULL;
}

static int eq_open(struct eq *e, char *why, size_t wlen)
{
	long pg = sysconf(_SC_PAGESIZE);
	pid_t tid = (pid_t)syscall(SYS_gettid);
	struct uprb_ring_opts ro = {
		.sz = sizeof(ro),
		.page_size = (uint32_t)pg,
		.nr_pages = e->pages,
		.overwrite = e->overwrite,
		.backward = e->backward,
		.oversize = UPRB_OVERSIZE_WRAP,
	};
	int err;

	for (int i = 0; i <= NSTACK; i++)
		e->fd[i] = -1;
	for (int i = 0; i <= NSTACK; i++) {
		struct perf_event_attr a = {
			.size = sizeof(a),
			.type = PERF_TYPE_SOFTWARE,
			.config = i < NSTACK ? PERF_COUNT_SW_PAGE_FAULTS :
					       PERF_COUNT_SW_DUMMY,
			.sample_period = 1,
			.sample_type = EQ_SAMPLE_TYPE,
			.read_format = PERF_FORMAT_ID | PERF_FORMAT_LOST,
			.sample_id_all = 1,
			.disabled = 1,
			.write_backward = e->backward,
			.exclude_kernel = 1,
			.exclude_hv = 1,
#if defined(__x86_64__)
			.sample_regs_user = 1ull << 8,   /* PERF_REG_X86_IP */
#else
			.sample_regs_user = 1,
#endif
			.sample_stack_user = i < NSTACK ? stack_sizes[i] : 8,
			.comm = i == NSTACK,
		};
		char buf[512];

		err = uprb_perf_event_open(&a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
		if (err < 0) {
			snprintf(why, wlen, "%s",
				 uprb_kring_explain(err, "perf_event_open", buf,
						    sizeof(buf)));
			return err;
		}
		e->fd[i] = err;
		if (ioctl(e->fd[i], PERF_EVENT_IOC_ID, &e->id[i]) < 0)
			return -errno;
		if (i == 0) {
			e->len = (size_t)(e->pages + 1) * (size_t)pg;
			e->base = mmap(NULL, e->len,
				       e->overwrite ? PROT_READ : PROT_READ | PROT_WRITE,
				       MAP_SHARED, e->fd[0], 0);
			if (e->base == MAP_FAILED) {
				err = -errno;
				e->base = NULL;
				snprintf(why, wlen, "%s",
					 uprb_kring_explain(err, "mmap", buf, sizeof(buf)));
				return err;
			}
			e->pc = (struct perf_event_mmap_page *)(void *)e->base;
			e->kdata = e->base + e->pc->data_offset;
			e->size = e->pc->data_size;
		} else if (ioctl(e->fd[i], PERF_EVENT_IOC_SET_OUTPUT, e->fd[0]) < 0) {
			err = -errno;
			snprintf(why, wlen, "%s",
				 uprb_kring_explain(err, "set_output", buf, sizeof(buf)));
			return err;
		}
	}
	err = uprb_ring_new(&e->rb, &ro);
	if (err) {
		snprintf(why, wlen, "uprb_ring_new: %s", strerror(-err));
		return err;
	}
	for (int i = 0; i <= NSTACK; i++) {
		uprb_source_init(&e->src[i], e->id[i], EQ_SAMPLE_TYPE, true);
		e->src[i].pid = (uint32_t)getpid();
		e->src[i].tid = (uint32_t)tid;
		e->src[i].cpu = (uint32_t)sched_getcpu();
		e->src[i].stream_id = e->id[i];
	}
	return 0;
}

static uint64_t kernel_lost(struct eq *e, int i)
{
	uint64_t v[3] = { 0, 0, 0 };

	if (read(e->fd[i], v, sizeof(v)) != (ssize_t)sizeof(v))
		return UINT64_MAX;
	return v[2];
}

/* Copy @len bytes of the kernel ring from position @pos (wrapping). */
static void kcopy(const struct eq *e, uint64_t pos, size_t len, void *out)
{
	unsigned char *o = out;

	for (size_t i = 0; i < len; i++)
		o[i] = e->kdata[(pos + i) & (e->size - 1)];
}

static unsigned char core_byte(const struct eq *e, uint64_t off)
{
	return e->rb->data_pages[off >> e->rb->page_shift]
				[off & (e->rb->page_size - 1)];
}

static void hexdump(const char *who, uint64_t from, size_t n,
		    unsigned char (*get)(const struct eq *, uint64_t),
		    const struct eq *e)
{
	printf("    %s [%" PRIu64 ", %" PRIu64 "):", who, from, from + n);
	for (size_t i = 0; i < n; i++)
		printf("%s%02x", i % 32 ? (i % 8 ? "" : " ") : "\n      ",
		       get(e, from + i));
	printf("\n");
}

static unsigned char kernel_byte(const struct eq *e, uint64_t off)
{
	return e->kdata[off];
}

static void report(struct eq *e, struct ks_world *w, const char *what)
{
	char buf[128];

	printf("DIVERGENCE schedule %u (seed %" PRIu64 ", ring %u page%s, %s, %s) at step %" PRIu64 ": %s\n",
	       e->index, e->seed, e->pages, e->pages == 1 ? "" : "s",
	       e->backward ? "backward" : "forward",
	       e->overwrite ? "overwrite" : "non-overwrite", e->steps, what);
	printf("  last steps (oldest first):\n");
	for (unsigned int i = e->nhist > HISTORY ? e->nhist - HISTORY : 0;
	     i < e->nhist; i++)
		printf("    %4u  %s\n", i, op_text(&e->hist[i % HISTORY], buf,
						  sizeof(buf)));
	printf("  kernel data_head %" PRIu64 " data_tail %" PRIu64 ", core data_head %" PRIu64 " data_tail %" PRIu64 "\n",
	       (uint64_t)e->pc->data_head, (uint64_t)e->pc->data_tail,
	       (uint64_t)e->rb->user_page->data_head,
	       (uint64_t)e->rb->user_page->data_tail);
	printf("  replay: " KS_NAME " --equivalence --seed %" PRIu64 " --schedule %u --steps %u\n",
	       w->o.seed, e->index, w->o.steps);
	w->equiv_failures++;
	ks_fail(w, "equivalence: schedule %u step %" PRIu64 ": %s", e->index,
		e->steps, what);
}

/* Compare everything observable. Return: 0 or -1 (reported). */
static int compare(struct eq *e, struct ks_world *w)
{
	char what[256];

	if (e->pc->data_head != e->rb->user_page->data_head) {
		snprintf(what, sizeof(what), "data_head kernel %" PRIu64 " != core %" PRIu64,
			 (uint64_t)e->pc->data_head,
			 (uint64_t)e->rb->user_page->data_head);
		report(e, w, what);
		return -1;
	}
	for (uint64_t off = 0; off < e->size; off++) {
		if (e->kdata[off] == core_byte(e, off))
			continue;
		uint64_t from = off & ~31ull;
		size_t n = from + 96 <= e->size ? 96 : (size_t)(e->size - from);

		snprintf(what, sizeof(what), "data byte %" PRIu64 " kernel 0x%02x != core 0x%02x",
			 off, e->kdata[off], core_byte(e, off));
		report(e, w, what);
		hexdump("kernel", from, n, kernel_byte, e);
		hexdump("core  ", from, n, core_byte, e);
		return -1;
	}
	for (int i = 0; i <= NSTACK; i++) {
		uint64_t kl = kernel_lost(e, i);

		if (kl != e->src[i].lost_samples) {
			snprintf(what, sizeof(what),
				 "source %d (id %" PRIu64 "): kernel PERF_FORMAT_LOST %" PRIu64 " != core lost_samples %" PRIu64,
				 i, e->id[i], kl, (uint64_t)e->src[i].lost_samples);
			report(e, w, what);
			return -1;
		}
	}
	return 0;
}

/* Write @size bytes of @buf into the core as @src. Return: begin's code. */
static int core_write(struct eq *e, int src, const void *buf, unsigned int size)
{
	struct uprb_handle h;
	int err = uprb_output_begin(&h, e->rb, &e->src[src], size);

	if (err)
		return err;
	uprb_output_copy(&h, buf, size);
	uprb_output_end(&h);
	return 0;
}

static void set_comm(struct eq *e, unsigned int len)
{
	char name[16];

	for (unsigned int i = 0; i < len; i++)
		name[i] = (char)('a' + (e->comm_seq + i) % 26);
	name[len] = 0;
	e->comm_seq++;
	prctl(PR_SET_NAME, name, 0, 0, 0);
}

/*
 * A generator step: the kernel writes (or drops) one record; the core
 * replays what the kernel did. Return: 0, 1 (noise: abandon the schedule),
 * or -1 (divergence, reported).
 */
static int write_step(struct eq *e, struct ks_world *w, int src,
		      unsigned int expect, unsigned int arg)
{
	uint64_t h0 = e->pc->data_head, h1, lo, delta, lost0, lost1;
	char what[256];

	lost0 = kernel_lost(e, src);
	ioctl(e->fd[src], PERF_EVENT_IOC_ENABLE, 0);
	if (src < NSTACK) {
		if (e->fault_next == FAULT_PAGES) {
			madvise(e->fault_mem, FAULT_PAGES * 4096ul, MADV_DONTNEED);
			e->fault_next = 0;
		}
		((volatile unsigned char *)e->fault_mem)[e->fault_next++ * 4096ul] = 1;
	} else {
		set_comm(e, arg);
	}
	ioctl(e->fd[src], PERF_EVENT_IOC_DISABLE, 0);
	lost1 = kernel_lost(e, src);
	h1 = __atomic_load_n(&e->pc->data_head, __ATOMIC_ACQUIRE);
	delta = e->backward ? h0 - h1 : h1 - h0;
	lo = e->backward ? h1 : h0;

	if (lost1 == lost0 + 1 && delta == 0) {
		int err = core_write(e, src, e->rec, expect);

		e->drops++;
		if (err != -ENOSPC) {
			snprintf(what, sizeof(what),
				 "the kernel dropped a %u B record, the core %s",
				 expect, err ? strerror(-err) : "wrote it");
			report(e, w, what);
			return -1;
		}
		return 0;
	}
	if (lost1 != lost0 || delta > e->size || delta < 8) {
		/* Nothing, or more than one record: not our generator. */
		if (lost1 == lost0 && delta == 0) {
			e->noise++;
			return 0;     /* throttled or no fault: no write at all */
		}
		e->noise++;
		if (w->o.verbose)
			printf("  schedule %u step %" PRIu64 ": kernel activity beyond the generator (lost +%" PRIu64 ", %" PRIu64 " B): schedule abandoned\n",
			       e->index, e->steps, lost1 - lost0, delta);
		return 1;
	}
	/*
	 * The records of [lo, lo + delta): ours, after a LOST if drops were
	 * pending (the core writes its own), and any other record of this
	 * thread (an extra fault: under ASan the shadow check faults too).
	 * They are replayed in write order: memory order forward, the
	 * reverse backward (each backward write lands below the last).
	 */
	{
		uint64_t offs[64];
		unsigned int n = 0;

		for (uint64_t at = 0; at < delta;) {
			struct perf_event_header hd;

			kcopy(e, lo + at, sizeof(hd), &hd);
			if (hd.size < 8 || (hd.size & 7) || at + hd.size > delta ||
			    n == sizeof(offs) / sizeof(offs[0])) {
				snprintf(what, sizeof(what),
					 "kernel record at %" PRIu64 " has size %u in a %" PRIu64 " B write",
					 lo + at, hd.size, delta);
				report(e, w, what);
				return -1;
			}
			if (hd.type != PERF_RECORD_LOST)
				offs[n++] = at;
			at += hd.size;
		}
		for (unsigned int k = 0; k < n; k++) {
			uint64_t at = offs[e->backward ? n - 1 - k : k];
			struct perf_event_header hd;
			int err;

			kcopy(e, lo + at, sizeof(hd), &hd);
			kcopy(e, lo + at, hd.size, e->rec);
			err = core_write(e, src, e->rec, hd.size);
			if (err) {
				snprintf(what, sizeof(what),
					 "the kernel wrote a %u B record (type %u), the core refused it: %s",
					 hd.size, hd.type, strerror(-err));
				report(e, w, what);
				return -1;
			}
			e->writes++;
			if (hd.size != expect && w->o.verbose)
				printf("  note: record of %u B where %u were expected\n",
				       hd.size, expect);
		}
		if (n > 1)
			e->noise++;
	}
	return 0;
}

static void set_tails(struct eq *e, uint64_t t)
{
	if (e->overwrite)
		return;     /* read-only control page; the kernel ignores it */
	__atomic_store_n(&e->pc->data_tail, t, __ATOMIC_RELEASE);
	__atomic_store_n(&e->rb->user_page->data_tail, t, __ATOMIC_RELEASE);
}

static struct op pick(struct eq *e)
{
	uint64_t r = eq_next(e) % 100, head = e->pc->data_head;
	uint64_t tail = e->overwrite ? 0 : e->pc->data_tail;
	struct op o = { 0 };

	if (r < 50) {
		o.kind = OP_FAULT;
		o.arg = (unsigned int)(eq_next(e) % NSTACK);
		/*
		 * Overwrite rings: no record over half the ring
		 * (docs/ring.md#14-sizes-and-the-space-rule).
		 */
		while (e->overwrite && o.arg && fault_size(o.arg) > e->size / 2)
			o.arg--;
	} else if (r < 65) {
		o.kind = OP_COMM;
		o.arg = 1 + (unsigned int)(eq_next(e) % 15);
	} else if (r < 80) {
		uint64_t unread = e->backward ? tail - head : head - tail;
		uint64_t k = unread <= e->size ? eq_next(e) % (unread / 8 + 1) : 0;

		o.kind = OP_TAIL;
		o.tail = e->backward ? tail - 8 * k : tail + 8 * k;
	} else if (r < 88) {
		o.kind = OP_TAIL_ALL;
		o.tail = head;
	} else if (r < 91) {
		o.kind = OP_TAIL_HOSTILE;
		o.tail = head + 8 * (eq_next(e) % (e->size / 4)) - e->size;
		if (eq_next(e) % 4 == 0)
			o.tail = eq_next(e);   /* any value, unaligned too */
	} else if (r < 96) {
		o.kind = e->paused ? OP_RESUME : OP_PAUSE;
	} else {
		o.kind = OP_RESUME;
	}
	return o;
}

static int run_schedule(struct ks_world *w, unsigned int index)
{
	static const unsigned int page_choices[] = { 1, 2, 4, 8 };
	struct eq *e = calloc(1, sizeof(*e));
	char why[512];
	int rc = 0, err;

	if (!e)
		return -ENOMEM;
	e->index = index;
	e->seed = stress_splitmix64(w->o.seed ^ stress_splitmix64(index + 1));
	e->rng = e->seed | 1;
	e->pages = page_choices[eq_next(e) % 4];
	e->backward = eq_next(e) & 1;
	e->overwrite = eq_next(e) & 1;
	e->fault_mem = mmap(NULL, FAULT_PAGES * 4096ul, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (e->fault_mem == MAP_FAILED) {
		free(e);
		return -ENOMEM;
	}
	madvise(e->fault_mem, FAULT_PAGES * 4096ul, MADV_NOHUGEPAGE);
	err = eq_open(e, why, sizeof(why));
	if (err) {
		printf("%s: equivalence: %s\n", KS_NAME, why);
		eq_close(e);
		munmap(e->fault_mem, FAULT_PAGES * 4096ul);
		free(e);
		return err;
	}
	if (w->o.verbose)
		printf("  schedule %u: seed %" PRIu64 ", %u page%s, %s, %s\n", index,
		       e->seed, e->pages, e->pages == 1 ? "" : "s",
		       e->backward ? "backward" : "forward",
		       e->overwrite ? "overwrite" : "non-overwrite");

	for (e->steps = 0; e->steps < w->o.steps && !rc && !stress_stopping();
	     e->steps++) {
		struct op o = pick(e);

		e->hist[e->nhist++ % HISTORY] = o;
		switch (o.kind) {
		case OP_FAULT:
			rc = write_step(e, w, (int)o.arg, fault_size(o.arg), 0);
			if (++e->burst == SAMPLES_PER_BURST) {
				e->burst = 0;
				stress_sleep_ns(BURST_GAP_NS);
			}
			break;
		case OP_COMM:
			rc = write_step(e, w, NSTACK, comm_size(o.arg), o.arg);
			break;
		case OP_TAIL:
		case OP_TAIL_ALL:
		case OP_TAIL_HOSTILE:
			set_tails(e, o.tail);
			break;
		case OP_PAUSE:
		case OP_RESUME:
			e->paused = o.kind == OP_PAUSE;
			if (ioctl(e->fd[0], PERF_EVENT_IOC_PAUSE_OUTPUT,
				  e->paused ? 1ul : 0ul) < 0) {
				report(e, w, "PERF_EVENT_IOC_PAUSE_OUTPUT failed");
				rc = -1;
				break;
			}
			uprb_ring_pause(e->rb, e->paused);
			break;
		}
		if (!rc)
			rc = compare(e, w) ? -1 : 0;
	}
	w->equiv_steps += e->steps;
	if (w->o.verbose || rc)
		printf("  schedule %u: %" PRIu64 " steps, %" PRIu64 " writes, %" PRIu64 " drops, %" PRIu64 " noise%s\n",
		       index, e->steps, e->writes, e->drops, e->noise,
		       rc > 0 ? " (abandoned: activity beyond the generator)" : "");
	eq_close(e);
	munmap(e->fault_mem, FAULT_PAGES * 4096ul);
	free(e);
	return rc < 0 ? 1 : 0;
}

int ks_equiv_run(struct ks_world *w)
{
	unsigned int first = 0, n = w->o.schedules;

	stack_sizes[0] = w->o.stack0 ? 0 : 16;
	cpu_set_t one, old;
	bool pinned;
	char name[16] = "";

	/* One CPU: the trailer's cpu field, and no migration mid-step. */
	pinned = sched_getaffinity(0, sizeof(old), &old) == 0;
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() >= 0 ? sched_getcpu() : 0, &one);
	pinned = pinned && sched_setaffinity(0, sizeof(one), &one) == 0;
	prctl(PR_GET_NAME, name, 0, 0, 0);
	if (sopt_given(&w->prog, "schedule")) {
		first = w->o.schedule;
		n = 1;
	}
	printf("%s: equivalence: %u schedule%s of %u steps, seed %" PRIu64 "\n",
	       KS_NAME, n, n == 1 ? "" : "s", w->o.steps, w->o.seed);
	for (unsigned int i = first; i < first + n && !stress_stopping(); i++) {
		int err = run_schedule(w, i);

		if (err < 0) {
			if (pinned)
				sched_setaffinity(0, sizeof(old), &old);
			return ks_is_obstacle(err) ? KS_EXIT_SKIP : KS_EXIT_FAILED;
		}
		w->equiv_schedules++;
	}
	prctl(PR_SET_NAME, name, 0, 0, 0);
	if (pinned)
		sched_setaffinity(0, sizeof(old), &old);
	return 0;
}
