/* SPDX-License-Identifier: MIT */
/*
 * Loss conservation and sequence order: attempted = delivered + LOST +
 * pending, gaps must be covered by drops, and steps back are failures.
 */
#include <errno.h>

#include "testutil.h"

struct stream {
	struct uprb_check c;
	unsigned char rec[64];
};

static void open_stream(struct stream *s, int order, uint32_t nsources)
{
	struct uprb_check_opts co = { .sz = sizeof(co), .nsources = nsources,
				      .order = order };

	assert_int_equal(uprb_check_init(&s->c, &co), 0);
}

static int feed(struct stream *s, uint16_t source, uint8_t level, uint32_t seq)
{
	uprb_synth_build(s->rec, 32, source, level, 0, seq);
	return uprb_check_record(&s->c, (void *)s->rec, seq * 32);
}

static int feed_lost(struct stream *s, uint64_t id, uint64_t lost)
{
	struct { struct perf_event_header h; uint64_t id, lost; } r = {
		{ PERF_RECORD_LOST, 0, 24 }, id, lost };

	return uprb_check_record(&s->c, &r.h, 0);
}

static void test_gaps_covered_by_lost_records_and_pending_balance(void **state)
{
	(void)state;
	struct stream s;

	open_stream(&s, UPRB_CHECK_ORDER_ASCENDING, 2);
	for (uint32_t seq = 0; seq < 10; seq++)
		if (seq != 3 && seq != 4)
			assert_int_equal(feed(&s, 0, 0, seq), 0);
	assert_int_equal(feed_lost(&s, 1, 2), 0);
	/* A second stream (source 1, NMI level) with its own numbering. */
	assert_int_equal(feed(&s, 1, 3, 0), 0);
	assert_int_equal(feed(&s, 1, 3, 2), 0);  /* seq 1 dropped, still pending */
	assert_int_equal(uprb_check_delivered(&s.c), 10);
	assert_int_equal(uprb_check_conservation(&s.c, 13, 1), 0);
	/* One more attempt than accounted for: not conserved. */
	assert_int_equal(uprb_check_conservation(&s.c, 14, 1), -EPROTO);
	assert_non_null(strstr(s.c.what, "attempted 14"));
	uprb_check_fini(&s.c);
}

static void test_gaps_without_drops_mean_records_vanished(void **state)
{
	(void)state;
	struct stream s;

	open_stream(&s, UPRB_CHECK_ORDER_ASCENDING, 1);
	assert_int_equal(feed(&s, 0, 0, 0), 0);
	assert_int_equal(feed(&s, 0, 0, 5), 0);  /* 4 missing, no LOST */
	/* Even when the totals happen to balance, the gaps do not. */
	assert_int_equal(uprb_check_conservation(&s.c, 2, 0), -EPROTO);
	assert_non_null(strstr(s.c.what, "gaps"));
	uprb_check_fini(&s.c);
}

static void test_duplicate_or_backward_sequence_is_a_failure(void **state)
{
	(void)state;
	struct stream s;

	open_stream(&s, UPRB_CHECK_ORDER_ASCENDING, 1);
	assert_int_equal(feed(&s, 0, 1, 7), 0);
	assert_int_equal(feed(&s, 0, 1, 7), -EPROTO);
	assert_int_equal(feed(&s, 0, 1, 6), -EPROTO);
	assert_int_equal(s.c.failures, 2);
	assert_non_null(strstr(s.c.first, "seq 7"));
	/* Sequence numbers wrap at 2^32 without a false alarm. */
	assert_int_equal(feed(&s, 0, 2, 0x7fffffff), 0);
	assert_int_equal(feed(&s, 0, 2, 0xfffffff0), 0);
	assert_int_equal(feed(&s, 0, 2, 0xffffffff), 0);
	assert_int_equal(feed(&s, 0, 2, 0), 0);
	assert_int_equal(s.c.failures, 2);
	uprb_check_fini(&s.c);
}

static void test_unordered_streams_accept_newest_first(void **state)
{
	(void)state;
	struct stream s;

	open_stream(&s, UPRB_CHECK_ORDER_NONE, 1);
	for (uint32_t seq = 10; seq-- > 0;)
		assert_int_equal(feed(&s, 0, 0, seq), 0);
	assert_int_equal(s.c.failures, 0);
	assert_int_equal(uprb_check_delivered(&s.c), 10);
	uprb_check_fini(&s.c);
}

static void test_unknown_source_or_lost_id_is_a_failure(void **state)
{
	(void)state;
	static const uint64_t ids[] = { 100, 101 };
	struct uprb_check_opts co = { .sz = sizeof(co), .nsources = 1,
				      .lost_ids = ids, .nlost_ids = 2 };
	struct stream s;

	assert_int_equal(uprb_check_init(&s.c, &co), 0);
	assert_int_equal(feed(&s, 1, 0, 0), -EPROTO);
	assert_int_equal(feed_lost(&s, 101, 3), 0);
	assert_int_equal(feed_lost(&s, 7, 3), -EPROTO);
	assert_non_null(strstr(s.c.what, "id 7"));
	uprb_check_fini(&s.c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gaps_covered_by_lost_records_and_pending_balance),
		cmocka_unit_test(test_gaps_without_drops_mean_records_vanished),
		cmocka_unit_test(test_duplicate_or_backward_sequence_is_a_failure),
		cmocka_unit_test(test_unordered_streams_accept_newest_first),
		cmocka_unit_test(test_unknown_source_or_lost_id_is_a_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
