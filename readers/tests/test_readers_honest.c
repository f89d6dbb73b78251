/* SPDX-License-Identifier: MIT */
/*
 * test_readers_honest.c - every adapter built in reads honest rings
 * exactly: each record (or, for typed readers, each RAW payload and LOST
 * count) equal to what was written, in order, none missing, the reader's
 * data_tail at data_head afterwards. A reader that gets one wrong in a
 * way readers/expect/ knows for its version is reported as known (and the
 * regression test of that defect, readers.known.*, requires it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "expect.h"
#include "rd/adapter.h"
#include "rd/fakefd.h"
#include "rd/guard.h"
#include "rd/hring.h"

#define MAX_RECS 4096

/* What the ring holds, oldest first, and what the reader gave back. */
static struct {
	struct rd_hring *h;
	const struct rd_adapter *a;
	struct { uint64_t pos; unsigned size; uint32_t seq; uint64_t lost; } recs[MAX_RECS];
	unsigned nrecs, next;
	unsigned char buf[UPRB_MAX_RECORD];
	char why[256];
} T;

static int deliver(void *arg, const struct rd_item *it)
{
	(void)arg;
	rd_guard_suspend();
	if (T.why[0])
		goto out;
	if (T.next == T.nrecs) {
		snprintf(T.why, sizeof(T.why), "item %u: nothing more was written", T.next);
		goto out;
	}
	if (T.recs[T.next].lost && it->kind != RD_ITEM_LOST && it->kind != RD_ITEM_RECORD) {
		snprintf(T.why, sizeof(T.why), "item %u: a LOST was written", T.next);
		goto out;
	}
	if (it->kind == RD_ITEM_LOST) {
		if (it->lost != T.recs[T.next].lost)
			snprintf(T.why, sizeof(T.why), "item %u: lost %llu, %llu written",
				 T.next, (unsigned long long)it->lost,
				 (unsigned long long)T.recs[T.next].lost);
	} else if (it->kind == RD_ITEM_RECORD) {
		unsigned n = T.recs[T.next].size;

		if (T.recs[T.next].lost)
			rd_lost_build(T.buf, T.recs[T.next].lost);
		else
			rd_sample_build(T.buf, n, T.recs[T.next].seq);
		if (it->len != n || memcmp(it->p, T.buf, n))
			snprintf(T.why, sizeof(T.why), "item %u: record of %zu bytes "
				 "differs from the %u written", T.next, it->len, n);
	} else {
		unsigned n = T.recs[T.next].size;

		rd_sample_build(T.buf, n, T.recs[T.next].seq);
		if (it->len != n - RD_SAMPLE_RAW_OFF ||
		    memcmp(it->p, T.buf + RD_SAMPLE_RAW_OFF, it->len))
			snprintf(T.why, sizeof(T.why), "item %u: raw payload of %zu "
				 "bytes differs from the %u written", T.next, it->len,
				 n - RD_SAMPLE_RAW_OFF);
	}
out:
	T.next++;
	rd_guard_resume();
	return RD_CONTINUE;
}

static void write_rec(unsigned size, uint32_t seq)
{
	struct rd_write w = rd_hring_write(T.h, size, seq);

	if (w.ret)
		return;
	assert_true(T.nrecs + 2 <= MAX_RECS);
	if (w.lost_count) {
		T.recs[T.nrecs].pos = w.lost_pos;
		T.recs[T.nrecs].size = UPRB_LOST_RECORD_SIZE;
		T.recs[T.nrecs++].lost = w.lost_count;
	}
	T.recs[T.nrecs].pos = w.pos;
	T.recs[T.nrecs].size = size;
	T.recs[T.nrecs].lost = 0;
	T.recs[T.nrecs++].seq = seq;
}

struct drain_arg {
	const struct rd_adapter *a;
	void *r;
};

static int drain(void *p)
{
	struct drain_arg *d = p;

	return d->a->drain(d->r, deliver, NULL);
}

/* Write a batch of @sizes (cycled) until @total bytes were offered, drain. */
static void round_trip(const struct rd_adapter *a, uint32_t pages,
		       const unsigned *sizes, unsigned nsizes, unsigned rounds,
		       unsigned per_round)
{
	struct rd_guard_result res;
	struct drain_arg d = { a, NULL };
	uint32_t seq = 0;

	memset(&T, 0, offsetof(typeof(T), buf));
	T.why[0] = '\0';
	T.h = rd_hring_get(pages, false);
	T.a = a;
	rd_fakefd_reset();
	rd_guard_set_zones(T.h->zone_lo, T.h->zone_len, 2);
	assert_int_equal(a->open(&T.h->ring, &d.r), 0);
	for (unsigned r = 0; r < rounds; r++) {
		for (unsigned i = 0; i < per_round; i++, seq++)
			write_rec(sizes[seq % nsizes], seq);
		rd_guard_call(drain, &d, 1u << 20, &res);
		if (T.why[0] && res.fate == RD_FATE_RETURNED) {
			const struct rd_expect *e = rd_expect_match(a, true, 0, RD_GARBAGE);

			if (e) {
				printf("# %s %s, %u pages: known %s: %s\n", a->name,
				       a->version, pages, e->id, T.why);
				break;
			}
		}
		if (res.fate != RD_FATE_RETURNED || res.ret < 0 || T.why[0] ||
		    T.next != T.nrecs)
			fail_msg("%s, %u pages, round %u: %s (ret %d), %s; %u of %u items",
				 a->name, pages, r, rd_fate_name(res.fate), res.ret,
				 T.why[0] ? T.why : "records as written", T.next, T.nrecs);
		assert_int_equal(T.h->pc->data_tail, T.h->pc->data_head);
	}
	a->close(d.r);
}

static void test_small_records_wrap(void **state)
{
	static const unsigned sizes[] = { 16, 24, 48, 104, 16, 200, 32 };

	(void)state;
	for (unsigned i = 0; rd_adapters[i]; i++)
		if (rd_adapters[i]->caps & RD_CAP_FORWARD)
			round_trip(rd_adapters[i], 1, sizes, 7, 40, 21);
}

static void test_drops_and_lost(void **state)
{
	static const unsigned sizes[] = { 512, 1000, 128 };

	(void)state;
	/* 30 records of ~550 bytes into 4 KiB: most are dropped, LOST reports them. */
	for (unsigned i = 0; rd_adapters[i]; i++)
		if (rd_adapters[i]->caps & RD_CAP_FORWARD)
			round_trip(rd_adapters[i], 1, sizes, 3, 6, 30);
}

static void test_records_up_to_the_ring(void **state)
{
	static const unsigned sizes[] = { 4088, 4096, 6000, 8192, 24, 16384, 32760, 9000 };

	(void)state;
	for (unsigned i = 0; rd_adapters[i]; i++)
		if (rd_adapters[i]->caps & RD_CAP_FORWARD)
			round_trip(rd_adapters[i], 8, sizes, 8, 12, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_records_wrap),
		cmocka_unit_test(test_drops_and_lost),
		cmocka_unit_test(test_records_up_to_the_ring),
	};

	rd_guard_install();
	for (unsigned i = 0; rd_adapters[i]; i++)
		printf("# reader %s: %s %s\n", rd_adapters[i]->name,
		       rd_adapters[i]->library, rd_adapters[i]->version);
	for (unsigned i = 0; rd_adapters_missing[i]; i++)
		printf("# not built: %s\n", rd_adapters_missing[i]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
