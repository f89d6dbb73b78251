/* SPDX-License-Identifier: MIT */
/*
 * test_check_conservation.c - the stream checker: per (source, level)
 * sequence order, gaps against LOST records, exact loss conservation
 * (attempted = delivered + lost + pending), and the failure messages.
 */
#include <errno.h>
#include <string.h>

#include "testutil.h"
#include "uprb/uprb_check.h"

static void init(struct uprb_check *c, uint32_t nsources, int order)
{
	struct uprb_check_opts o = {
		.sz = sizeof(o),
		.nsources = nsources,
		.order = order,
	};

	assert_int_equal(uprb_check_init(c, &o), 0);
}

/* Feed one synthetic record; return the checker's verdict. */
static int synth(struct uprb_check *c, uint16_t source, uint8_t level,
		 uint32_t seq)
{
	uint64_t rec[8];

	assert_int_equal(uprb_synth_build(rec, sizeof(rec), source, level, 0,
					  seq),
			 sizeof(rec));
	return uprb_check_record(c, (const void *)rec, c->bytes);
}

static int lost(struct uprb_check *c, uint64_t n)
{
	struct perf_event_header h = { .type = PERF_RECORD_LOST, .size = 24 };
	uint64_t rec[3] = { 0, 1, n };

	memcpy(rec, &h, sizeof(h));
	return uprb_check_record(c, (const void *)rec, c->bytes);
}

static void test_gaps_balanced_by_lost_records_pass(void **state)
{
	struct uprb_check c;

	(void)state;
	init(&c, 2, UPRB_CHECK_ORDER_ASCENDING);
	assert_int_equal(synth(&c, 0, 0, 0), 0);
	assert_int_equal(synth(&c, 0, 0, 1), 0);
	assert_int_equal(lost(&c, 1), 0);
	assert_int_equal(synth(&c, 0, 0, 3), 0);	/* 2 was dropped */
	assert_int_equal(synth(&c, 0, 0, 4), 0);
	assert_int_equal(synth(&c, 1, 2, 0), 0);
	assert_int_equal(lost(&c, 3), 0);
	assert_int_equal(synth(&c, 1, 2, 5), 0);	/* 1..4 dropped */
	assert_int_equal(c.failures, 0);
	assert_int_equal(uprb_check_delivered(&c), 6);
	assert_int_equal(c.lost_sum, 4);
	assert_int_equal(c.lost_records, 2);
	assert_int_equal(c.synth, 6);
	/* One more drop still pending in rb->lost: 6 + 4 + 1. */
	assert_int_equal(uprb_check_conservation(&c, 11, 1), 0);
	assert_int_equal(c.failures, 0);
	uprb_check_fini(&c);
}

static void test_unbalanced_count_fails_with_all_figures(void **state)
{
	struct uprb_check c;

	(void)state;
	init(&c, 1, UPRB_CHECK_ORDER_ASCENDING);
	assert_int_equal(synth(&c, 0, 0, 0), 0);
	assert_int_equal(lost(&c, 2), 0);
	assert_int_equal(synth(&c, 0, 0, 3), 0);
	/* 2 delivered + 2 lost + 1 pending is 5, not 6. */
	assert_int_equal(uprb_check_conservation(&c, 6, 1), -EPROTO);
	assert_non_null(strstr(c.what, "attempted 6"));
	assert_non_null(strstr(c.what, "delivered 2"));
	assert_non_null(strstr(c.what, "lost 2"));
	assert_non_null(strstr(c.what, "pending 1"));
	assert_int_equal(c.failures, 1);
	assert_string_equal(c.first, c.what);
	uprb_check_fini(&c);
}

static void test_gaps_beyond_the_drops_fail(void **state)
{
	struct uprb_check c;

	(void)state;
	init(&c, 1, UPRB_CHECK_ORDER_ASCENDING);
	assert_int_equal(synth(&c, 0, 1, 0), 0);
	assert_int_equal(synth(&c, 0, 1, 5), 0);	/* 4 vanished, no LOST */
	/* The counts balance, but the sequence says records vanished. */
	assert_int_equal(uprb_check_conservation(&c, 3, 1), -EPROTO);
	assert_non_null(strstr(c.what, "gaps 4"));
	assert_non_null(strstr(c.what, "lost 0"));
	assert_non_null(strstr(c.what, "pending 1"));
	uprb_check_fini(&c);
}

static void test_drops_at_stream_end_leave_no_gap_and_pass(void **state)
{
	struct uprb_check c;

	(void)state;
	init(&c, 1, UPRB_CHECK_ORDER_ASCENDING);
	assert_int_equal(synth(&c, 0, 0, 0), 0);
	assert_int_equal(synth(&c, 0, 0, 1), 0);
	assert_int_equal(synth(&c, 0, 0, 2), 0);
	/* Seqs 3 and 4 were dropped and never reported in a LOST. */
	assert_int_equal(uprb_check_conservation(&c, 5, 2), 0);
	uprb_check_fini(&c);
}

static void test_first_record_skipping_seq_zero_is_a_gap(void **state)
{
	struct uprb_check c;

	(void)state;
	init(&c, 1, UPRB_CHECK_ORDER_ASCENDING);
	assert_int_equal(synth(&c, 0, 0, 3), 0);
	assert_int_equal(c.streams[0].gaps, 3);
	/* Fine if the three were dropped, a failure if they just vanished. */
	assert_int_equal(uprb_check_conservation(&c, 4, 3), 0);
	assert_int_equal(uprb_check_conservation(&c, 1, 0), -EPROTO);
	assert_non_null(strstr(c.what, "gaps 3"));
	uprb_check_fini(&c);
}

static void test_duplicate_seq_fails(void **state)
{
	struct uprb_check c;

	(void)state;
	init(&c, 1, UPRB_CHECK_ORDER_ASCENDING);
	assert_int_equal(synth(&c, 0, 3, 0), 0);
	assert_int_equal(synth(&c, 0, 3, 1), 0);
	assert_int_equal(synth(&c, 0, 3, 1), -EPROTO);
	assert_non_null(strstr(c.what, "seq 1 steps back"));
	assert_non_null(strstr(c.what, "pos 128"));
	assert_non_null(strstr(c.what, "SYNTH"));
	assert_int_equal(c.failures, 1);
	uprb_check_fini(&c);
}

static void test_step_back_fails_and_first_failure_is_kept(void **state)
{
	struct uprb_check c;
	char first[sizeof(c.first)];

	(void)state;
	init(&c, 1, UPRB_CHECK_ORDER_ASCENDING);
	assert_int_equal(synth(&c, 0, 0, 0), 0);
	assert_int_equal(synth(&c, 0, 0, 5), 0);
	assert_int_equal(synth(&c, 0, 0, 3), -EPROTO);
	memcpy(first, c.what, sizeof(first));
	assert_int_equal(synth(&c, 0, 0, 4), -EPROTO);
	assert_int_equal(c.failures, 2);
	assert_string_equal(c.first, first);
	assert_non_null(strstr(c.first, "seq 3"));
	assert_non_null(strstr(c.what, "seq 4"));
	uprb_check_fini(&c);
}

static void test_streams_are_per_source_and_level(void **state)
{
	struct uprb_check c;
	uint8_t level;

	(void)state;
	init(&c, 2, UPRB_CHECK_ORDER_ASCENDING);
	/* The same seq in eight streams is no duplicate. */
	for (level = 0; level < UPRB_LEVEL_COUNT; level++) {
		assert_int_equal(synth(&c, 0, level, 0), 0);
		assert_int_equal(synth(&c, 1, level, 0), 0);
	}
	assert_int_equal(c.failures, 0);
	assert_int_equal(uprb_check_delivered(&c), 8);
	assert_int_equal(uprb_check_conservation(&c, 8, 0), 0);
	uprb_check_fini(&c);
}

static void test_seq_wraps_at_2_32_in_ascending_order(void **state)
{
	struct uprb_check c;

	(void)state;
	init(&c, 1, UPRB_CHECK_ORDER_ASCENDING);
	c.streams[0].next_seq = 0xfffffffeu;	/* as after 2^32 - 2 records */
	assert_int_equal(synth(&c, 0, 0, 0xfffffffeu), 0);
	assert_int_equal(synth(&c, 0, 0, 0xffffffffu), 0);
	assert_int_equal(synth(&c, 0, 0, 0), 0);
	assert_int_equal(synth(&c, 0, 0, 2), 0);	/* 1 dropped */
	assert_int_equal(c.failures, 0);
	assert_true(c.streams[0].next_seq == (1ull << 32) + 3);
	assert_int_equal(c.streams[0].gaps, 1);
	/* And a stale seq from before the wrap is a step back. */
	assert_int_equal(synth(&c, 0, 0, 0xffffffffu), -EPROTO);
	uprb_check_fini(&c);
}

static void test_none_order_accepts_reordering_and_duplicates(void **state)
{
	struct uprb_check c;

	(void)state;
	init(&c, 1, UPRB_CHECK_ORDER_NONE);
	assert_int_equal(synth(&c, 0, 0, 9), 0);
	assert_int_equal(synth(&c, 0, 0, 3), 0);
	assert_int_equal(synth(&c, 0, 0, 3), 0);
	assert_int_equal(synth(&c, 0, 0, 0), 0);
	assert_int_equal(c.failures, 0);
	assert_int_equal(c.streams[0].gaps, 0);
	/* No gap check without an order; the count must still balance. */
	assert_int_equal(uprb_check_conservation(&c, 10, 6), 0);
	assert_int_equal(uprb_check_conservation(&c, 10, 5), -EPROTO);
	assert_non_null(strstr(c.what, "attempted 10"));
	uprb_check_fini(&c);
}

static void test_same_gaps_pass_in_none_but_fail_in_ascending(void **state)
{
	struct uprb_check a, n;

	(void)state;
	init(&a, 1, UPRB_CHECK_ORDER_ASCENDING);
	init(&n, 1, UPRB_CHECK_ORDER_NONE);
	/* An overwrite ring: old records vanish without a LOST. */
	assert_int_equal(synth(&a, 0, 0, 7), 0);
	assert_int_equal(synth(&n, 0, 0, 7), 0);
	assert_int_equal(uprb_check_conservation(&n, 1, 0), 0);
	assert_int_equal(uprb_check_conservation(&a, 1, 0), -EPROTO);
	uprb_check_fini(&a);
	uprb_check_fini(&n);
}

static void test_unknown_source_and_level_fail(void **state)
{
	struct uprb_check c;

	(void)state;
	init(&c, 2, UPRB_CHECK_ORDER_ASCENDING);
	assert_int_equal(synth(&c, 2, 0, 0), -EPROTO);
	assert_non_null(strstr(c.what, "source 2"));
	assert_int_equal(synth(&c, 0, UPRB_LEVEL_COUNT, 0), -EPROTO);
	assert_non_null(strstr(c.what, "level 4"));
	assert_int_equal(uprb_check_delivered(&c), 0);
	uprb_check_fini(&c);

	/* No sources expected: any synthetic record is a failure. */
	init(&c, 0, UPRB_CHECK_ORDER_NONE);
	assert_int_equal(synth(&c, 0, 0, 0), -EPROTO);
	assert_int_equal(uprb_check_delivered(&c), 0);
	uprb_check_fini(&c);
}

static void test_corrupt_synth_record_fails_naming_its_position(void **state)
{
	uint64_t rec[16];
	struct uprb_check c;

	(void)state;
	init(&c, 1, UPRB_CHECK_ORDER_ASCENDING);
	uprb_synth_build(rec, sizeof(rec), 0, 0, 0, 0);
	((unsigned char *)rec)[100] ^= 4;
	assert_int_equal(uprb_check_record(&c, (const void *)rec, 0x2000),
			 -EBADMSG);
	assert_non_null(strstr(c.what, "pos 8192"));
	assert_non_null(strstr(c.what, "size 128"));
	assert_non_null(strstr(c.what, "payload word 10"));
	assert_int_equal(uprb_check_delivered(&c), 0);
	uprb_check_fini(&c);
}

static void test_header_sanity_has_one_code_per_fault(void **state)
{
	static const struct { uint16_t size; int err; } t[] = {
		{ 0, -EBADMSG }, { 4, -EBADMSG }, { 12, -EILSEQ },
		{ 65532, -EMSGSIZE }, { 65535, -EMSGSIZE },
	};
	struct perf_event_header h = { .type = UPRB_RECORD_SYNTH };
	struct uprb_check c;
	uint64_t rec[2] = { 0, 0 };
	size_t i;

	(void)state;
	init(&c, 1, UPRB_CHECK_ORDER_ASCENDING);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		h.size = t[i].size;
		memcpy(rec, &h, sizeof(h));
		assert_int_equal(uprb_check_record(&c, (const void *)rec, i * 8),
				 t[i].err);
	}
	assert_int_equal(c.failures, sizeof(t) / sizeof(t[0]));
	assert_non_null(strstr(c.first, "pos 0"));
	uprb_check_fini(&c);
}

static void test_init_rejects_bad_options(void **state)
{
	struct uprb_check_opts o = { .sz = sizeof(o) };
	struct uprb_check c;

	(void)state;
	o.sz = sizeof(o) - 1;
	assert_int_equal(uprb_check_init(&c, &o), -EINVAL);
	o.sz = sizeof(o);
	o.nlost_ids = 1;
	assert_int_equal(uprb_check_init(&c, &o), -EINVAL);
	o.nlost_ids = 0;
	o.nsources = 70000;
	assert_int_equal(uprb_check_init(&c, &o), -EINVAL);
	o.nsources = 65536;
	assert_int_equal(uprb_check_init(&c, &o), 0);
	uprb_check_fini(&c);
	uprb_check_fini(&c);	/* idempotent */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gaps_balanced_by_lost_records_pass),
		cmocka_unit_test(test_unbalanced_count_fails_with_all_figures),
		cmocka_unit_test(test_gaps_beyond_the_drops_fail),
		cmocka_unit_test(test_drops_at_stream_end_leave_no_gap_and_pass),
		cmocka_unit_test(test_first_record_skipping_seq_zero_is_a_gap),
		cmocka_unit_test(test_duplicate_seq_fails),
		cmocka_unit_test(test_step_back_fails_and_first_failure_is_kept),
		cmocka_unit_test(test_streams_are_per_source_and_level),
		cmocka_unit_test(test_seq_wraps_at_2_32_in_ascending_order),
		cmocka_unit_test(test_none_order_accepts_reordering_and_duplicates),
		cmocka_unit_test(test_same_gaps_pass_in_none_but_fail_in_ascending),
		cmocka_unit_test(test_unknown_source_and_level_fail),
		cmocka_unit_test(test_corrupt_synth_record_fails_naming_its_position),
		cmocka_unit_test(test_header_sanity_has_one_code_per_fault),
		cmocka_unit_test(test_init_rejects_bad_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
