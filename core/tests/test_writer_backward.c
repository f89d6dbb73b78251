/* SPDX-License-Identifier: MIT */
/*
 * Backward writer: overwrite rings read newest first after laps (pause and
 * find-range), the oversize policy, and backward non-overwrite with a tail.
 */
#include <errno.h>

#include "testutil.h"

struct seen {
	uint32_t seq[64];
	size_t n;
	unsigned pauses, resumes;
};

static int count_pause(void *arg, bool on)
{
	struct uprb_ring **rb = arg;

	return uprb_ring_pause(*rb, on);
}

/* Read one backward window and collect the synthetic sequence numbers. */
static void read_window(struct uprb_ring *rb, struct uprb_reader *r,
			struct seen *s)
{
	const struct perf_event_header *ev;
	struct uprb_synth_info info;
	int err;

	s->n = 0;
	err = uprb_read_init(r);
	if (err == -EAGAIN)
		return;
	assert_int_equal(err, 0);
	assert_int_equal(rb->paused, 1); /* the reader paused the writer */
	while ((err = uprb_read_event(r, &ev)) == 1) {
		assert_int_equal(uprb_synth_verify(ev, &info, NULL), 0);
		assert_true(s->n < 64);
		s->seq[s->n++] = info.seq;
	}
	assert_int_equal(err, 0);
	uprb_read_done(r);
	assert_int_equal(rb->paused, 0);
}

static void test_backward_overwrite_ring_reads_newest_first_after_laps(void **state)
{
	(void)state;
	static const struct { uint32_t page_size, nr_pages, size, count, expect; } cases[] = {
		{ 64, 4, 40, 20, 6 },    /* 800 bytes into 256: 6 whole records */
		{ 64, 4, 32, 33, 8 },    /* sizes divide the ring: exactly 8 */
		{ 64, 2, 48, 7, 2 },     /* 128-byte ring */
		{ 4096, 1, 1064, 9, 3 },
		{ 64, 4, 40, 5, 5 },     /* no lap: everything */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct uprb_ring *rb = t_ring(cases[i].page_size, cases[i].nr_pages,
					      true, true);
		struct uprb_reader_opts ro = { .sz = sizeof(ro), .overwrite = true,
					       .backward = true,
					       .pause = count_pause, .pause_arg = &rb };
		struct uprb_source src;
		struct uprb_reader r;
		struct seen s;

		uprb_source_init(&src, 1, 0, false);
		for (uint32_t seq = 0; seq < cases[i].count; seq++)
			assert_int_equal(t_write(rb, &src, cases[i].size, 0, seq), 0);
		assert_int_equal(rb->user_page->data_head,
				 -(uint64_t)cases[i].size * cases[i].count);
		assert_int_equal(uprb_reader_init(&r, uprb_ring_base(rb),
						  uprb_ring_len(rb), &ro), 0);
		read_window(rb, &r, &s);
		assert_int_equal(s.n, cases[i].expect);
		for (size_t k = 0; k < s.n; k++)
			assert_int_equal(s.seq[k], cases[i].count - 1 - k);

		/* The next window holds exactly what was written since. */
		for (uint32_t seq = cases[i].count; seq < cases[i].count + 2; seq++)
			assert_int_equal(t_write(rb, &src, cases[i].size, 0, seq), 0);
		read_window(rb, &r, &s);
		assert_int_equal(s.n, 2);
		assert_int_equal(s.seq[0], cases[i].count + 1);
		assert_int_equal(s.seq[1], cases[i].count);
		read_window(rb, &r, &s);
		assert_int_equal(s.n, 0);
		assert_int_equal(rb->lost, 0);
		uprb_reader_fini(&r);
		uprb_ring_free(rb);
	}
}

/* Overwrite rings have no size check; the policy decides what oversize does. */
static void test_oversize_overwrite_record_wraps_or_drops_by_policy(void **state)
{
	(void)state;
	for (int policy = 0; policy < 2; policy++) {
		struct uprb_ring_opts o = { .sz = sizeof(o), .page_size = 64,
					    .nr_pages = 4, .overwrite = true,
					    .backward = true, .oversize = policy };
		struct uprb_ring *rb;
		struct uprb_source src;
		struct uprb_reader r;
		const struct perf_event_header *ev;
		struct uprb_reader_opts ro = { .sz = sizeof(ro), .overwrite = true,
					       .backward = true };
		int err;

		assert_int_equal(uprb_ring_new(&rb, &o), 0);
		uprb_source_init(&src, 1, 0, false);
		err = t_write(rb, &src, 264, 0, 0);
		if (policy == UPRB_OVERSIZE_WRAP) {
			/* Written onto itself: the kernel's behaviour. */
			assert_int_equal(err, 0);
			assert_int_equal(rb->head, -264ull);
			assert_int_equal(rb->lost, 0);
		} else {
			assert_int_equal(err, -ENOSPC);
			assert_int_equal(rb->head, 0);
			assert_int_equal(rb->lost, 1);
		}
		assert_int_equal(rb->nest, 0);
		/* Whatever the ring holds, the reader stays in bounds and stops. */
		assert_int_equal(uprb_reader_init(&r, uprb_ring_base(rb),
						  uprb_ring_len(rb), &ro), 0);
		err = uprb_read_init(&r);
		for (int k = 0; err == 0 && k < 64; k++) {
			err = uprb_read_event(&r, &ev);
			if (err == 1)
				err = 0;
			else
				break;
		}
		assert_true(err <= 0);
		uprb_reader_fini(&r);
		uprb_ring_free(rb);
	}
}

static void test_backward_non_overwrite_honours_the_tail(void **state)
{
	(void)state;
	struct uprb_ring *rb = t_ring(64, 4, false, true);
	struct uprb_source src;
	struct uprb_reader_opts ro = { .sz = sizeof(ro), .backward = true,
				       .pause = count_pause, .pause_arg = &rb };
	struct uprb_reader r;
	struct seen s;

	uprb_source_init(&src, 1, 0, false);
	for (uint32_t seq = 0; seq < 6; seq++)
		assert_int_equal(t_write(rb, &src, 40, 0, seq), 0);
	assert_int_equal(t_write(rb, &src, 40, 0, 6), -ENOSPC);
	assert_int_equal(rb->lost, 1);
	assert_int_equal(uprb_reader_init(&r, uprb_ring_base(rb),
					  uprb_ring_len(rb), &ro), 0);
	read_window(rb, &r, &s);
	assert_int_equal(s.n, 6);
	assert_int_equal(s.seq[0], 5);
	assert_int_equal(rb->user_page->data_tail, -240ull);
	/* Space is back: the next write carries the LOST record. */
	assert_int_equal(t_write(rb, &src, 40, 0, 7), 0);
	assert_int_equal(rb->lost, 0);
	assert_int_equal(rb->head, -(240ull + 40 + 24));
	uprb_reader_fini(&r);
	uprb_ring_free(rb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backward_overwrite_ring_reads_newest_first_after_laps),
		cmocka_unit_test(test_oversize_overwrite_record_wraps_or_drops_by_policy),
		cmocka_unit_test(test_backward_non_overwrite_honours_the_tail),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
