/* SPDX-License-Identifier: MIT */
/*
 * model.c - A MODEL, NOT THE KERNEL: the wake-up stamp runaway of
 * findings/stamp-runaway/REPORT.md, replayed on a user-space model
 * of the writer steps of kernel/events/ring_buffer.c that matter to it (the
 * reservation and the stamp test of __perf_output_begin, the nest count
 * and the wake-up of perf_output_get_handle / perf_output_put_handle),
 * written from the kernel's description, not copied from it.
 *
 *   cc -O2 -Wall -Wextra -o model model.c && ./model [--fixed]
 *
 * Exit: 1 the modelled kernel test lets the stamp run away (expected), 0 it
 * does not (expected with --fixed: the distance compared as signed).
 *
 * Scenario: a 4096-byte ring, default watermark 2048, a reader that reads
 * everything at each wake-up. A task writes 64-byte samples. Once, an NMI
 * comes after the task's reservation and before its stamp test, and writes
 * a 128-byte sample that crosses the watermark. Then 256 more task samples.
 * Wake-ups are counted per 2048 bytes written, before and after.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define RING 4096u
#define TASK_SAMPLE 64u
#define NMI_SAMPLE 128u

struct ring {
	uint64_t head, data_head, tail, wakeup, watermark;
	unsigned int nest;
	uint64_t wakeups, lost;
};

static struct ring rb;
static int signed_test; /* the suggested fix */
static int nmi_armed;

static void write_sample(unsigned int size);

/* The stamp test after a reservation that ended at @head. */
static void stamp_test(uint64_t head)
{
	int over;

	if (signed_test)
		over = (int64_t)(head - rb.wakeup) > (int64_t)rb.watermark;
	else
		over = head - rb.wakeup > rb.watermark; /* unsigned, as the kernel */
	if (over)
		rb.wakeup += rb.watermark;
}

static void write_sample(unsigned int size)
{
	uint64_t snapshot, head;

	rb.nest++;
	snapshot = rb.wakeup;
	if (((rb.tail - rb.head - 1) & (RING - 1)) < size) {
		rb.lost++;
	} else {
		rb.head += size;
		head = rb.head;
		if (nmi_armed) { /* between the reservation and the stamp test */
			nmi_armed = 0;
			write_sample(NMI_SAMPLE);
		}
		stamp_test(head);
	}
	if (rb.nest > 1) {
		rb.nest--;
		return;
	}
	rb.data_head = rb.head;
	rb.nest = 0;
	if (snapshot != rb.wakeup) {
		rb.wakeups++;
		rb.tail = rb.data_head; /* the reader wakes and reads it all */
	}
}

int main(int argc, char **argv)
{
	uint64_t before, bytes_before, after, bytes_after;
	int injected = 0;

	if (argc > 1 && !strcmp(argv[1], "--fixed")) {
		signed_test = 1;
	} else if (argc > 1) {
		fprintf(stderr, "usage: %s [--fixed]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("MODEL (not the kernel): the stamp test compares head - wakeup > watermark %s; 4096-byte ring, watermark 2048, task samples 64 B, one NMI sample of 128 B\n",
	       signed_test ? "as a signed distance (the suggested fix)" :
			     "unsigned (the kernel's test)");
	memset(&rb, 0, sizeof(rb));
	rb.watermark = RING / 2;
	/* Task writes up to the one whose NMI record (after it) crosses
	 * the watermark while its own record does not. */
	while (!injected) {
		if (rb.head + TASK_SAMPLE - rb.wakeup <= rb.watermark &&
		    rb.head + TASK_SAMPLE + NMI_SAMPLE - rb.wakeup > rb.watermark) {
			nmi_armed = 1;
			injected = 1;
		}
		write_sample(TASK_SAMPLE);
	}
	before = rb.wakeups;
	bytes_before = rb.head;
	printf("  the NMI came in the task sample ending at %llu; the stamp is now %llu, the head %llu\n",
	       (unsigned long long)(rb.head - NMI_SAMPLE), (unsigned long long)rb.wakeup,
	       (unsigned long long)rb.head);
	for (int i = 0; i < 256; i++)
		write_sample(TASK_SAMPLE);
	after = rb.wakeups - before;
	bytes_after = rb.head - bytes_before;
	printf("  up to the NMI: %llu wake-ups in %llu bytes; after it: %llu wake-ups in %llu bytes (%llu samples), the stamp at %llu, the head at %llu\n",
	       (unsigned long long)before, (unsigned long long)bytes_before,
	       (unsigned long long)after, (unsigned long long)bytes_after,
	       (unsigned long long)(bytes_after / TASK_SAMPLE),
	       (unsigned long long)rb.wakeup, (unsigned long long)rb.head);
	if (after >= bytes_after / TASK_SAMPLE) {
		printf("result: the stamp ran ahead of the head: every sample wakes the reader (a wake-up storm; the watermark is ignored from now on)\n");
		return 1;
	}
	printf("result: wake-ups stay one per watermark of data\n");
	return 0;
}
