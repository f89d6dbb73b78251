/* SPDX-License-Identifier: MIT */
/*
 * model.c - A MODEL, NOT THE KERNEL: the lost wake-up of
 * findings/lost-wakeup/REPORT.md, replayed on a user-space model
 * of the writer steps of kernel/events/ring_buffer.c that matter to it
 * (perf_output_get_handle, the reservation and stamp step of
 * __perf_output_begin, perf_output_put_handle), written from the kernel's
 * description, not copied from it. It shows the interleaving and its
 * consequence; it proves nothing about the kernel beyond what the model
 * gets right (REPORT.md lists what the live kernel run shows).
 *
 *   cc -O2 -Wall -Wextra -o model model.c && ./model [--fixed]
 *
 * Exit: 1 the modelled kernel order loses the wake-up (expected), 0 no
 * injection point loses it (expected with --fixed: the snapshot taken
 * before the nest increment).
 *
 * Scenario: a 4096-byte non-overwrite ring with the default watermark
 * (half the ring, 2048). The reader has read nothing and sleeps in poll()
 * without a timeout. A task writes 64-byte samples; during one of them an
 * NMI writes a 64-byte sample, injected at each of the three points of
 * get_handle in turn (before the first step, between the two, after both).
 * The NMI comes in the task write whose NMI record crosses the watermark.
 * Then the task writes on until 32 samples have been dropped.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define RING 4096u
#define SAMPLE 64u

struct ring {
	uint64_t head;      /* rb->head: reserved up to here */
	uint64_t data_head; /* published to the reader */
	uint64_t tail;      /* data_tail: the reader has read up to here */
	uint64_t wakeup;    /* rb->wakeup: the stamp */
	uint64_t watermark;
	unsigned int nest;
	uint64_t lost, wakeups;
};

struct handle {
	uint64_t wakeup; /* the snapshot of the stamp */
};

static struct ring rb;
static int fixed_order;   /* take the snapshot before the nest increment */
static int nmi_point = -1; /* where in get_handle the NMI comes: 0, 1, 2 */
static int nmi_armed;

static void write_sample(unsigned int size);

/* The NMI: a complete nested write, if it is due at point @p. */
static void nmi_at(int p)
{
	if (nmi_armed && p == nmi_point) {
		nmi_armed = 0;
		write_sample(SAMPLE);
	}
}

/* perf_output_get_handle: the nest count up, the stamp snapshot. */
static void get_handle(struct handle *h)
{
	nmi_at(0);
	if (fixed_order) {
		h->wakeup = rb.wakeup;
		nmi_at(1);
		rb.nest++;
	} else {
		rb.nest++;
		nmi_at(1);
		h->wakeup = rb.wakeup;
	}
	nmi_at(2);
}

/* perf_output_put_handle: only the outermost writer publishes the head
 * and signals, when the stamp moved since its snapshot. */
static void put_handle(const struct handle *h)
{
	if (rb.nest > 1) {
		rb.nest--;
		return;
	}
	rb.data_head = rb.head;
	rb.nest = 0;
	if (h->wakeup != rb.wakeup)
		rb.wakeups++; /* perf_output_wakeup: poll() returns */
}

/* __perf_output_begin + copy + perf_output_end, for a non-overwrite ring. */
static void write_sample(unsigned int size)
{
	struct handle h;
	uint64_t free_space;

	get_handle(&h);
	/* The kernel's CIRC_SPACE: one byte always stays free. */
	free_space = (rb.tail - rb.head - 1) & (RING - 1);
	if (free_space < size) {
		rb.lost++;
		put_handle(&h);
		return;
	}
	rb.head += size;
	if (rb.head - rb.wakeup > rb.watermark)
		rb.wakeup += rb.watermark;
	put_handle(&h);
}

/* One scenario; returns 1 when the reader was never woken. */
static int scenario(int point)
{
	int injected = 0;

	memset(&rb, 0, sizeof(rb));
	rb.watermark = RING / 2;
	nmi_point = point;
	while (rb.lost < 32) {
		/* The NMI comes in the task write during which its own
		 * record (reserved first) is the one that crosses. */
		nmi_armed = !injected && rb.head + SAMPLE - rb.wakeup > rb.watermark;
		injected |= nmi_armed;
		write_sample(SAMPLE);
	}
	printf("  NMI at get_handle point %d (%s): stamp %llu, %llu bytes wait unread, %llu samples dropped, wake-ups %llu%s\n",
	       point,
	       point == 0 ? "before both steps" :
	       point == 1 ? (fixed_order ? "between snapshot and nest++" :
				"between nest++ and snapshot") : "after both steps",
	       (unsigned long long)rb.wakeup,
	       (unsigned long long)(rb.data_head - rb.tail),
	       (unsigned long long)rb.lost, (unsigned long long)rb.wakeups,
	       rb.wakeups ? "" : ": LOST, the reader sleeps on");
	return rb.wakeups == 0;
}

int main(int argc, char **argv)
{
	int lost = 0;

	if (argc > 1 && !strcmp(argv[1], "--fixed")) {
		fixed_order = 1;
	} else if (argc > 1) {
		fprintf(stderr, "usage: %s [--fixed]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("MODEL (not the kernel): get_handle takes %s; 4096-byte ring, watermark 2048, 64-byte samples, reader asleep in poll()\n",
	       fixed_order ? "the stamp snapshot, then nest++ (the suggested fix)" :
			     "nest++, then the stamp snapshot (the kernel's order)");
	for (int p = 0; p < 3; p++)
		lost += scenario(p);
	if (lost) {
		printf("result: the modelled order loses the wake-up (%d of 3 injection points)\n", lost);
		return 1;
	}
	printf("result: no injection point loses the wake-up\n");
	return 0;
}
