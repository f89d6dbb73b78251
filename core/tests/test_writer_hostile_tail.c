/* SPDX-License-Identifier: MIT */
/*
 * Hostile data_tail: whatever user space writes there, every store of the
 * writer lands inside the data area (guard pages and ASan pads around it
 * turn a stray store into a crash), reservations tile exactly, and every
 * attempt is either written or counted lost.
 */
#include <errno.h>

#include "testutil.h"

static const uint64_t hostile_tails[] = {
	100,                    /* ahead of head */
	(uint64_t)-5000,        /* far behind */
	0x123456789abcdef3ull,  /* unaligned garbage */
	~0ull,                  /* huge */
	1,                      /* just ahead, unaligned */
	(uint64_t)1 << 63,
};

static void test_tail_ahead_of_head_starves_as_the_kernel_does(void **state)
{
	(void)state;
	/*
	 * Tail 100 with head 0 leaves 99 bytes: 4 records of 24
	 * (docs/ring.md#43-what-a-hostile-tail-can-do).
	 */
	struct uprb_ring *rb = t_ring(1024, 4, false, false);
	struct uprb_source src;
	unsigned ok = 0;

	uprb_source_init(&src, 1, 0, false);
	rb->user_page->data_tail = 100;
	for (uint32_t seq = 0; seq < 10; seq++)
		ok += t_write(rb, &src, 24, 0, seq) == 0;
	assert_int_equal(ok, 4);
	assert_int_equal(rb->lost, 6);
	uprb_ring_free(rb);
}

static void test_hostile_tails_never_write_outside_the_data_area(void **state)
{
	(void)state;
	static const struct { uint32_t page_size, nr_pages; bool backward; } rings[] = {
		{ 64, 1, false }, { 64, 4, false }, { 64, 4, true },
		{ 4096, 1, false }, { 4096, 2, true },
	};
	static const unsigned sizes[] = { 8, 16, 40, 64, 200, 248, 1000, 4088 };

	for (size_t ri = 0; ri < sizeof(rings) / sizeof(rings[0]); ri++) {
		for (size_t ti = 0; ti < sizeof(hostile_tails) / sizeof(hostile_tails[0]); ti++) {
			struct uprb_ring *rb = t_ring(rings[ri].page_size,
						      rings[ri].nr_pages, false,
						      rings[ri].backward);
			struct uprb_source src;
			uint64_t attempted = 0, written = 0, reported = 0;

			uprb_source_init(&src, 1, PERF_SAMPLE_TID, true);
			for (unsigned round = 0; round < 200; round++) {
				unsigned size = sizes[round % 8];
				struct uprb_handle h;
				uint64_t before = rb->head, pending = rb->lost;
				uint64_t extra = pending ? 24 + src.id_header_size : 0;
				int err;

				/* A tail that moves between the writer's reads, too. */
				rb->user_page->data_tail = hostile_tails[(ti + round / 7) %
					(sizeof(hostile_tails) / sizeof(hostile_tails[0]))] + round;
				attempted++;
				err = uprb_output_begin(&h, rb, &src, size);
				if (err) {
					assert_int_equal(err, -ENOSPC);
					assert_int_equal(rb->head, before);
					continue;
				}
				/* Fill all we reserved: the data area must take it. */
				{
					unsigned char buf[4088];

					memset(buf, 0xa5, size);
					uprb_output_copy(&h, buf, size);
				}
				uprb_output_end(&h);
				written++;
				reported += pending;
				/* Exact tiling: our record plus a LOST in front if due. */
				assert_int_equal(rb->backward ? before - rb->head :
						 rb->head - before, size + extra);
				assert_int_equal(rb->lost, 0);
				assert_int_equal(rb->user_page->data_head, rb->head);
			}
			assert_int_equal(rb->nest, 0);
			/* Conservation: every attempt written, reported or pending. */
			assert_int_equal(attempted, written + reported + rb->lost);
			assert_int_equal(src.lost_samples, attempted - written);
			uprb_ring_free(rb);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tail_ahead_of_head_starves_as_the_kernel_does),
		cmocka_unit_test(test_hostile_tails_never_write_outside_the_data_area),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
