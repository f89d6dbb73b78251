/* SPDX-License-Identifier: MIT */
/*
 * Forward writer: layout, wrap across page and ring ends, the space rule at
 * its exact boundary, and PERF_RECORD_LOST after a full ring.
 */
#include <errno.h>
#include <stdio.h>

#include "testutil.h"

static void test_control_page_is_laid_out_as_the_kernel_does(void **state)
{
	(void)state;
	struct uprb_ring *rb = t_ring(4096, 4, false, false);
	struct perf_event_mmap_page *pc = uprb_ring_base(rb);

	assert_ptr_equal(pc, rb->user_page);
	assert_int_equal(pc->data_offset, 4096);
	assert_int_equal(pc->data_size, 4 * 4096);
	assert_int_equal(pc->size, offsetof(struct perf_event_mmap_page, __reserved));
	assert_int_equal(pc->cap_bit0_is_deprecated, 1);
	assert_int_equal(pc->data_head, 0);
	assert_int_equal(pc->data_tail, 0);
	assert_ptr_equal(rb->data_pages[0], (unsigned char *)pc + 4096);
	assert_int_equal(uprb_ring_len(rb), 5 * 4096);
	assert_int_equal(rb->watermark, 2 * 4096);
	uprb_ring_free(rb);

	/* Small fuzzing pages: the control page still holds the struct. */
	rb = t_ring(64, 2, false, false);
	pc = uprb_ring_base(rb);
	assert_int_equal(pc->data_offset, 1088);
	assert_int_equal(pc->data_size, 128);
	uprb_ring_free(rb);
}

static void test_bad_geometry_is_rejected(void **state)
{
	(void)state;
	static const struct { uint32_t page_size, nr_pages; } bad[] = {
		{ 4096, 3 }, { 4096, 6 }, { 100, 4 }, { 32, 4 }, { 0x2000000, 1 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct uprb_ring_opts o = { .sz = sizeof(o),
					    .page_size = bad[i].page_size,
					    .nr_pages = bad[i].nr_pages };
		struct uprb_ring *rb = (void *)1;

		assert_int_equal(uprb_ring_new(&rb, &o), -EINVAL);
		assert_null(rb);
	}
}

static void test_ring_without_pages_is_always_paused_and_counts_nothing(void **state)
{
	(void)state;
	struct uprb_ring *rb = t_ring(4096, 0, false, false);
	struct uprb_source src;

	uprb_source_init(&src, 1, 0, false);
	assert_int_equal(rb->paused, 1);
	assert_int_equal(t_write(rb, &src, 32, 0, 0), -ENOSPC);
	assert_int_equal(rb->lost, 0);
	assert_int_equal(uprb_ring_pause(rb, false), -EINVAL);
	assert_int_equal(rb->paused, 1);
	assert_int_equal(rb->nest, 0);
	uprb_ring_free(rb);
}

/* Records of one size written and read back one by one, many laps. */
static void test_forward_wrap_across_page_and_ring_ends(void **state)
{
	(void)state;
	static const struct { uint32_t page_size, nr_pages, size, count; } cases[] = {
		{ 64, 4, 40, 100 },     /* 40 does not divide 64: every page end */
		{ 64, 1, 24, 50 },      /* one chunk: wrap is a page end too */
		{ 64, 8, 504, 20 },     /* a record spanning 8+ pages */
		{ 4096, 2, 1064, 40 },
		{ 4096, 4, 16, 5000 },
		{ 256, 2, 72, 300 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct uprb_ring *rb = t_ring(cases[i].page_size, cases[i].nr_pages,
					      false, false);
		struct uprb_source src;
		struct t_reader t;

		uprb_source_init(&src, 7, 0, false);
		t_reader_open(&t, rb, 1);
		for (uint32_t seq = 0; seq < cases[i].count; seq++) {
			assert_int_equal(t_write(rb, &src, cases[i].size, 0, seq), 0);
			assert_int_equal(t_drain(&t), 1);
			assert_int_equal(t.last_seq, seq);
		}
		assert_int_equal(rb->head, (uint64_t)cases[i].size * cases[i].count);
		assert_int_equal(rb->user_page->data_head, rb->head);
		assert_int_equal(rb->user_page->data_tail, rb->head);
		assert_int_equal(uprb_ring_check(rb), 0);
		assert_int_equal(rb->lost, 0);
		if ((uint64_t)cases[i].page_size * cases[i].nr_pages % cases[i].size)
			assert_true(t.r.stats.wrapped > 0);
		t_reader_close(&t);
		uprb_ring_free(rb);
	}
}

/*
 * CIRC_SPACE allows S - 1 bytes: S - 1 fits, S does not
 * (docs/ring.md#14-sizes-and-the-space-rule).
 */
static void test_largest_record_that_fits_and_one_byte_beyond(void **state)
{
	(void)state;
	static const struct { uint32_t page_size, nr_pages, used, size; int ret; } cases[] = {
		{ 64, 4, 0, 248, 0 },        /* 8-aligned maximum of a 256-byte ring */
		{ 64, 4, 0, 255, 0 },        /* S - 1: fits */
		{ 64, 4, 0, 256, -ENOSPC },  /* S: never */
		{ 64, 4, 64, 191, 0 },       /* with 64 unread: S - 1 - 64 */
		{ 64, 4, 64, 192, -ENOSPC },
		{ 4096, 1, 0, 4088, 0 },     /* the kernel's own figures */
		{ 4096, 1, 0, 4096, -ENOSPC },
		{ 4096, 1, 0, 8232, -ENOSPC },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct uprb_ring *rb = t_ring(cases[i].page_size, cases[i].nr_pages,
					      false, false);
		struct uprb_source src;
		struct uprb_handle h;
		int ret;

		uprb_source_init(&src, 1, 0, false);
		if (cases[i].used)
			assert_int_equal(t_write(rb, &src, cases[i].used, 0, 0), 0);
		ret = uprb_output_begin(&h, rb, &src, cases[i].size);
		assert_int_equal(ret, cases[i].ret);
		if (ret == 0) {
			uprb_output_skip(&h, cases[i].size);
			uprb_output_end(&h);
			assert_int_equal(rb->head, cases[i].used + cases[i].size);
			assert_int_equal(rb->lost, 0);
		} else {
			assert_int_equal(rb->head, cases[i].used);
			assert_int_equal(rb->lost, 1);
			assert_int_equal(src.lost_samples, 1);
		}
		assert_int_equal(rb->nest, 0);
		assert_int_equal(rb->user_page->data_head, rb->head);
		uprb_ring_free(rb);
	}
}

/*
 * A full ring drops and counts; once drained, the next record that fits
 * carries a LOST record in front, with the emitting source's id (not the
 * dropper's) and trailer, and the exact count.
 */
static void test_full_ring_then_lost_record_in_front_of_next_fitting_record(void **state)
{
	(void)state;
	struct uprb_ring *rb = t_ring(64, 4, false, false);
	struct uprb_source dropper, emitter;
	struct t_reader t;
	uint64_t lost_at;

	uprb_source_init(&dropper, 331, PERF_SAMPLE_TID | PERF_SAMPLE_TIME, true);
	uprb_source_init(&emitter, 332, PERF_SAMPLE_TID | PERF_SAMPLE_TIME, true);
	emitter.tid = 4242;
	t_reader_open(&t, rb, 2);
	t_reader_layout(&t, PERF_SAMPLE_TID | PERF_SAMPLE_TIME, true);
	for (uint32_t seq = 0; seq < 6; seq++)
		assert_int_equal(t_write(rb, &dropper, 40, 0, seq), 0);
	/* 240 used, 15 free. */
	for (uint32_t seq = 6; seq < 9; seq++)
		assert_int_equal(t_write(rb, &dropper, 40, 0, seq), -ENOSPC);
	assert_int_equal(rb->lost, 3);
	assert_int_equal(dropper.lost_samples, 3);
	assert_int_equal(t_drain(&t), 6);

	lost_at = rb->head;
	assert_int_equal(t_write(rb, &emitter, 16, 1, 0), 0);
	/* LOST: 24 + 16-byte trailer, then our 16 bytes. */
	assert_int_equal(rb->head, lost_at + 40 + 16);
	assert_int_equal(rb->lost, 0);
	{
		struct perf_event_header h;
		uint64_t body[2];
		uint32_t tid[2];

		memcpy(&h, t_data(rb, lost_at), sizeof(h));
		assert_int_equal(h.type, PERF_RECORD_LOST);
		assert_int_equal(h.misc, 0);
		assert_int_equal(h.size, 40);
		for (unsigned i = 0; i < 2; i++)
			memcpy(&body[i], t_data(rb, lost_at + 8 + 8 * i), 8);
		assert_int_equal(body[0], 332);
		assert_int_equal(body[1], 3);
		memcpy(tid, t_data(rb, lost_at + 24), 8);
		assert_int_equal(tid[1], 4242);
	}
	assert_int_equal(t_drain(&t), 2);
	assert_int_equal(t.lost_records, 1);
	assert_int_equal(t.lost_sum, 3);
	assert_int_equal(t.last_lost_id, 332);
	assert_int_equal(uprb_check_conservation(&t.c, 10, rb->lost), 0);
	t_reader_close(&t);
	uprb_ring_free(rb);
}

/*
 * The LOST overhead can make a record that fits alone fail
 * (docs/ring.md#26-loss-and-the-lost-record).
 */
static void test_lost_overhead_can_make_a_fitting_record_fail(void **state)
{
	(void)state;
	struct uprb_ring *rb = t_ring(64, 4, false, false);
	struct uprb_source src;

	uprb_source_init(&src, 1, 0, false);
	assert_int_equal(t_write(rb, &src, 224, 0, 0), 0);
	assert_int_equal(t_write(rb, &src, 40, 0, 1), -ENOSPC); /* 31 free */
	assert_int_equal(t_write(rb, &src, 24, 0, 2), -ENOSPC); /* 24 + 24 > 31 */
	assert_int_equal(rb->lost, 2);
	assert_int_equal(rb->head, 224);
	uprb_ring_free(rb);
}

static void test_invalid_sizes_are_refused_without_counting(void **state)
{
	(void)state;
	struct uprb_ring *rb = t_ring(64, 4, false, false);
	struct uprb_source src;
	struct uprb_handle h;

	uprb_source_init(&src, 1, 0, false);
	assert_int_equal(uprb_output_begin(&h, rb, &src, 0), -EINVAL);
	assert_int_equal(uprb_output_begin(&h, rb, &src, 4), -EINVAL);
	assert_int_equal(uprb_output_begin(&h, rb, &src, 65536), -EINVAL);
	assert_int_equal(rb->lost, 0);
	assert_int_equal(rb->nest, 0);
	uprb_ring_free(rb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_control_page_is_laid_out_as_the_kernel_does),
		cmocka_unit_test(test_bad_geometry_is_rejected),
		cmocka_unit_test(test_ring_without_pages_is_always_paused_and_counts_nothing),
		cmocka_unit_test(test_forward_wrap_across_page_and_ring_ends),
		cmocka_unit_test(test_largest_record_that_fits_and_one_byte_beyond),
		cmocka_unit_test(test_full_ring_then_lost_record_in_front_of_next_fitting_record),
		cmocka_unit_test(test_lost_overhead_can_make_a_fitting_record_fail),
		cmocka_unit_test(test_invalid_sizes_are_refused_without_counting),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
