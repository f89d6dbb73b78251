/* SPDX-License-Identifier: MIT */
/*
 * model.c - A MODEL, NOT THE KERNEL: the stale data_tail of
 * findings/stale-tail/REPORT.md, replayed on a user-space model of the
 * reservation loop of __perf_output_begin() in kernel/events/ring_buffer.c
 * for a forward, non-overwrite ring, written from the kernel's description,
 * not copied from it. It shows the interleaving and its consequence in
 * bytes; it proves nothing about the kernel beyond what the model gets
 * right (REPORT.md: the kernel's own code shows it under ringtorture's
 * kernel backend).
 *
 *   cc -O2 -Wall -Wextra -o model model.c && ./model [--fixed]
 *
 * The two loops modelled:
 *   Linux 6.1 and older (the default): every pass loads data_tail, then
 *     rb->head, tests CIRC_SPACE(head, tail, size) >= record size, and
 *     claims [head, head + size) with a compare-and-swap on rb->head that
 *     fails (and the loop repeats) when rb->head moved;
 *   Linux 6.6 and later (--fixed): rb->head is loaded once before the loop,
 *     every pass loads data_tail after it, and a failed compare-and-swap
 *     hands back the current rb->head for the next pass.
 *
 * The event injected at each point of the first pass (before the first
 * load, between the two loads, after both): the reader, on another CPU,
 * consumes every published record (data_tail = data_head), then an
 * interrupt on the writer's CPU writes a complete nested record (its own
 * pass of the same loop, then its copy; nested writers do not publish).
 *
 * Exit: 1 the modelled 6.1 loop reserves over unread bytes (expected), 0 no
 * injection point does (expected with --fixed), 2 usage.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* A scenario: the ring, what is unread when the outer writer starts, the
 * outer record and the nested one. */
struct scenario {
	const char *name;
	uint64_t size;   /* data area, a power of two */
	uint64_t unread; /* published and not yet consumed at the start */
	uint64_t outer;  /* the interrupted writer's record */
	uint64_t nested; /* the interrupt's record */
};

static const struct scenario scenarios[] = {
	{ "the fuzz input corpora/kernel-known/fuzz_writer_nest/stale-tail",
	  128, 96, 40, 104 },
	{ "repro.c's rings: one 4096-byte page, a 24-byte page-fault sample interrupted by a 4088-byte cpu-clock sample with a user stack",
	  4096, 24, 24, 4088 },
};

/* Who wrote which ring position, to name the bytes an overwrite hits. */
struct record {
	uint64_t start, size;
	const char *who;
};

struct ring {
	uint64_t size;
	uint64_t head;      /* rb->head: reserved up to here */
	uint64_t data_head; /* published */
	uint64_t data_tail; /* the reader's position */
	struct record rec[8];
	unsigned int nrec;
	uint64_t lost;
	uint64_t judged_head, judged_tail; /* what the last pass compared */
};

static int head_first; /* --fixed: the 6.6+ loop */

/* CIRC_SPACE: free bytes between head and tail, one byte always kept. */
static uint64_t circ_space(uint64_t head, uint64_t tail, uint64_t size)
{
	return (tail - head - 1) & (size - 1);
}

/* The compare-and-swap on rb->head; on failure *expected gets the value. */
static int head_cas(struct ring *r, uint64_t *expected, uint64_t want)
{
	if (r->head != *expected) {
		*expected = r->head;
		return 0;
	}
	r->head = want;
	return 1;
}

typedef void (*event_fn)(struct ring *r, int point);

/*
 * One pass of the chosen loop for a record of @size bytes; @event runs at
 * points 0, 1, 2 of the first pass. Return: the reservation's start, or
 * UINT64_MAX when the record was dropped (counted in r->lost).
 */
static uint64_t reserve(struct ring *r, uint64_t size, event_fn event)
{
	uint64_t offset, head, tail;
	int pass = 0;

	if (head_first) {
		if (event)
			event(r, 0);
		offset = r->head;
		for (;; pass++) {
			head = offset;
			if (event && !pass)
				event(r, 1);
			tail = r->data_tail;
			if (event && !pass)
				event(r, 2);
			r->judged_head = head;
			r->judged_tail = tail;
			if (circ_space(head, tail, r->size) < size)
				goto drop;
			if (head_cas(r, &offset, head + size))
				return head;
		}
	}
	for (;; pass++) {
		if (event && !pass)
			event(r, 0);
		tail = r->data_tail;
		if (event && !pass)
			event(r, 1);
		offset = head = r->head;
		if (event && !pass)
			event(r, 2);
		r->judged_head = head;
		r->judged_tail = tail;
		if (circ_space(head, tail, r->size) < size)
			goto drop;
		if (head_cas(r, &offset, head + size))
			return head;
	}
drop:
	r->lost++;
	return UINT64_MAX;
}

static void add_record(struct ring *r, uint64_t start, uint64_t size, const char *who)
{
	if (start != UINT64_MAX && r->nrec < sizeof(r->rec) / sizeof(r->rec[0]))
		r->rec[r->nrec++] = (struct record){ start, size, who };
}

static const struct scenario *cur;
static int inject_at;

/* The reader consumes all that is published; the interrupt writes. */
static void reader_then_interrupt(struct ring *r, int point)
{
	if (point != inject_at)
		return;
	r->data_tail = r->data_head;
	add_record(r, reserve(r, cur->nested, NULL), cur->nested, "the nested record");
}

/*
 * Bytes of [start, start + size) that land on unread data: ring slot p
 * last held position p - ring size, unread while it is at or past the
 * reader's tail. Prints whose bytes they were.
 */
static uint64_t overwritten(const struct ring *r, uint64_t start, uint64_t size)
{
	uint64_t limit = r->data_tail + r->size, n;

	if (start == UINT64_MAX || start + size <= limit)
		return 0;
	n = start + size - (start > limit ? start : limit);
	for (unsigned int i = 0; i < r->nrec; i++) {
		uint64_t lo = (start > limit ? start : limit) - r->size;
		uint64_t hi = start + size - r->size;
		const struct record *c = &r->rec[i];

		if (c->start < hi && lo < c->start + c->size) {
			uint64_t a = lo > c->start ? lo : c->start;
			uint64_t b = hi < c->start + c->size ? hi : c->start + c->size;

			printf("      bytes %llu..%llu of %s (%llu bytes at position %llu, unread) are overwritten%s\n",
			       (unsigned long long)(a - c->start),
			       (unsigned long long)(b - c->start - 1), c->who,
			       (unsigned long long)c->size,
			       (unsigned long long)c->start,
			       a == c->start ? ": its header among them" : "");
		}
	}
	return n;
}

/* One scenario, the event at @point; return 1 when unread bytes were hit. */
static int run(const struct scenario *s, int point)
{
	struct ring r;
	uint64_t at, hit;

	memset(&r, 0, sizeof(r));
	r.size = s->size;
	r.head = r.data_head = s->unread;
	add_record(&r, 0, s->unread, "the record already waiting");
	cur = s;
	inject_at = point;
	at = reserve(&r, s->outer, reader_then_interrupt);
	add_record(&r, at, s->outer, "the outer record");
	printf("    event at point %d (%s): ", point,
	       point == 0 ? "before both loads" :
	       point == 1 ? (head_first ? "between the head load and the tail load" :
				"between the tail load and the head load") :
	       "after both loads");
	if (at == UINT64_MAX) {
		printf("the outer record is dropped (the ring holds %llu unread bytes of %llu)\n",
		       (unsigned long long)(r.head - r.data_tail),
		       (unsigned long long)r.size);
		return 0;
	}
	printf("reserved [%llu, %llu), reader's tail %llu: ",
	       (unsigned long long)at, (unsigned long long)(at + s->outer),
	       (unsigned long long)r.data_tail);
	if (at + s->outer <= r.data_tail + r.size) {
		printf("fits (%llu of %llu bytes in use)\n",
		       (unsigned long long)(at + s->outer - r.data_tail),
		       (unsigned long long)r.size);
		return 0;
	}
	printf("%llu bytes past the reader's tail in a %llu-byte ring: OVERWRITE\n",
	       (unsigned long long)(at + s->outer - r.data_tail),
	       (unsigned long long)r.size);
	printf("      the loop judged head %llu against data_tail %llu: CIRC_SPACE says %llu bytes free, %llu are\n",
	       (unsigned long long)r.judged_head, (unsigned long long)r.judged_tail,
	       (unsigned long long)circ_space(r.judged_head, r.judged_tail, r.size),
	       (unsigned long long)(r.size - 1 - (r.judged_head - r.data_tail)));
	hit = overwritten(&r, at, s->outer);
	printf("      %llu unread bytes overwritten\n", (unsigned long long)hit);
	return hit > 0;
}

int main(int argc, char **argv)
{
	int hits = 0, runs = 0;

	if (argc > 1 && !strcmp(argv[1], "--fixed")) {
		head_first = 1;
	} else if (argc > 1) {
		fprintf(stderr, "usage: %s [--fixed]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("MODEL (not the kernel): the reservation loop of %s; the event: the reader consumes all published records, then an interrupt writes a nested record\n",
	       head_first ? "Linux 6.6 and later (head loaded first, data_tail after it)" :
			    "Linux 6.1 and older (data_tail, then head, every pass)");
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		const struct scenario *s = &scenarios[i];

		printf("  %s: %llu-byte ring, %llu bytes unread, outer record %llu, nested record %llu\n",
		       s->name, (unsigned long long)s->size,
		       (unsigned long long)s->unread, (unsigned long long)s->outer,
		       (unsigned long long)s->nested);
		for (int p = 0; p < 3; p++, runs++)
			hits += run(s, p);
	}
	if (hits) {
		printf("result: the modelled loop reserves over unread bytes (%d of %d injections)\n",
		       hits, runs);
		return 1;
	}
	printf("result: no injection point reserves over unread bytes\n");
	return 0;
}
