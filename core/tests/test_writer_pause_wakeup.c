/* SPDX-License-Identifier: MIT */
/* Pause drops and the LOST after resume; watermark and wakeup_events counts. */
#include <errno.h>

#include "testutil.h"

static void test_pause_drops_and_the_lost_record_after_resume(void **state)
{
	(void)state;
	struct uprb_ring *rb = t_ring(64, 4, false, false);
	struct uprb_source src;
	struct t_reader t;

	uprb_source_init(&src, 9, 0, false);
	t_reader_open(&t, rb, 1);
	assert_int_equal(t_write(rb, &src, 32, 0, 0), 0);
	assert_int_equal(uprb_ring_pause(rb, true), 0);
	for (uint32_t seq = 1; seq <= 5; seq++) {
		assert_int_equal(t_write(rb, &src, 32, 0, seq), -ENOSPC);
		assert_int_equal(rb->head, 32);
		assert_int_equal(rb->user_page->data_head, 32);
		assert_int_equal(rb->nest, 0);
	}
	assert_int_equal(rb->lost, 5);
	assert_int_equal(src.lost_samples, 5);
	assert_int_equal(uprb_ring_pause(rb, false), 0);
	assert_int_equal(t_write(rb, &src, 32, 0, 6), 0);
	assert_int_equal(t_drain(&t), 3);
	assert_int_equal(t.lost_records, 1);
	assert_int_equal(t.lost_sum, 5);
	assert_int_equal(t.last_seq, 6);
	assert_int_equal(uprb_check_conservation(&t.c, 7, rb->lost), 0);
	t_reader_close(&t);
	uprb_ring_free(rb);
}

static void count_wakeup(struct uprb_ring *rb, void *arg)
{
	(void)rb;
	(*(unsigned *)arg)++;
}

static void test_watermark_and_wakeup_events_wake_up_counts(void **state)
{
	(void)state;
	/* Expected counts worked out by hand (docs/ring.md#27-wake-ups). */
	static const struct {
		uint64_t watermark; uint32_t wakeup_events, size, count;
		unsigned wakeups;
	} cases[] = {
		{ 64, 0, 16, 20, 4 },   /* stamps at heads 80, 144, 208, 272 */
		{ 0, 0, 40, 10, 3 },    /* default S/2 = 128: 160, 280, 400 */
		{ 256, 3, 16, 10, 3 },  /* samples 3, 6, 9; no byte wake-up */
		{ 256, 1, 16, 4, 4 },   /* every sample */
		{ 8, 0, 64, 4, 4 },     /* one step per reservation only */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned wakeups = 0;
		struct uprb_ring_opts o = { .sz = sizeof(o), .page_size = 64,
					    .nr_pages = 4,
					    .watermark = cases[i].watermark,
					    .wakeup = count_wakeup,
					    .wakeup_arg = &wakeups };
		struct uprb_ring *rb;
		struct uprb_source src;
		struct t_reader t;

		assert_int_equal(uprb_ring_new(&rb, &o), 0);
		uprb_source_init(&src, 1, 0, false);
		src.wakeup_events = cases[i].wakeup_events;
		t_reader_open(&t, rb, 1);
		for (uint32_t seq = 0; seq < cases[i].count; seq++) {
			assert_int_equal(t_write(rb, &src, cases[i].size, 0, seq), 0);
			t_drain(&t);
		}
		assert_int_equal(wakeups, cases[i].wakeups);
		t_reader_close(&t);
		uprb_ring_free(rb);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pause_drops_and_the_lost_record_after_resume),
		cmocka_unit_test(test_watermark_and_wakeup_events_wake_up_counts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
