/* SPDX-License-Identifier: MIT */
/*
 * Synthetic records: build/verify round trips, any flipped byte is caught,
 * and a record written through the ring verifies from the data pages.
 */
#include <errno.h>
#include <stdlib.h>

#include "testutil.h"

static const unsigned sizes[] = { 16, 24, 32, 40, 64, 256, 1000, 1024, 4096, 65528 };

static void test_build_and_verify_round_trip_for_every_size(void **state)
{
	(void)state;
	unsigned char *buf = malloc(UPRB_MAX_RECORD);

	assert_non_null(buf);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct uprb_synth_info info;
		const char *why;

		assert_int_equal(uprb_synth_build(buf, sizes[i], 7, 3, 9, 0xfffffffe),
				 sizes[i]);
		assert_int_equal(uprb_synth_verify((void *)buf, &info, &why), 0);
		assert_int_equal(info.size, sizes[i]);
		assert_int_equal(info.source, 7);
		assert_int_equal(info.level, 3);
		assert_int_equal(info.cpu, 9);
		assert_int_equal(info.seq, 0xfffffffe);
	}
	free(buf);
}

static void test_invalid_synthetic_sizes_are_refused(void **state)
{
	(void)state;
	unsigned char buf[64];

	assert_int_equal(uprb_synth_build(buf, 8, 0, 0, 0, 0), 0);
	assert_int_equal(uprb_synth_build(buf, 20, 0, 0, 0, 0), 0);
	assert_int_equal(uprb_synth_build(buf, 65536, 0, 0, 0, 0), 0);
}

/* Torn or stale bytes anywhere in a record are caught. */
static void test_flipped_byte_anywhere_is_caught(void **state)
{
	(void)state;
	static const unsigned flip_sizes[] = { 16, 40, 256 };

	for (size_t i = 0; i < sizeof(flip_sizes) / sizeof(flip_sizes[0]); i++) {
		unsigned size = flip_sizes[i];
		unsigned char rec[256];

		for (unsigned at = 0; at < size; at++) {
			for (unsigned bit = 0; bit < 8; bit++) {
				assert_int_equal(uprb_synth_build(rec, size, 1, 0, 0, 42), size);
				rec[at] ^= (unsigned char)(1u << bit);
				if (uprb_synth_verify((void *)rec, NULL, NULL) != -EBADMSG)
					fail_msg("size %u: flipped bit %u of byte %u "
						 "not caught", size, bit, at);
			}
		}
	}
}

/* Another record's bytes (a stale lap) never pass for this one. */
static void test_stale_payload_from_another_sequence_is_caught(void **state)
{
	(void)state;
	unsigned char a[64], b[64];
	const char *why;

	uprb_synth_build(a, 64, 1, 0, 0, 10);
	uprb_synth_build(b, 64, 1, 0, 0, 11);
	memcpy(a + 16, b + 16, 48);
	assert_int_equal(uprb_synth_verify((void *)a, NULL, &why), -EBADMSG);
	assert_non_null(strstr(why, "payload"));
}

static void test_record_written_through_the_ring_verifies_in_place(void **state)
{
	(void)state;
	struct uprb_ring *rb = t_ring(64, 4, false, false);
	struct uprb_source src;
	unsigned char copy[248];
	struct uprb_synth_info info;

	uprb_source_init(&src, 1, 0, false);
	assert_int_equal(uprb_synth_write(rb, &src, 24, 2, 1, 3, 5), 0);
	assert_int_equal(uprb_synth_write(rb, &src, 200, 2, 1, 3, 6), 0);
	/* The second one spans pages 0..3; gather it from the data pages. */
	for (unsigned i = 0; i < 200; i++)
		copy[i] = *t_data(rb, 24 + i);
	assert_int_equal(uprb_synth_verify((void *)copy, &info, NULL), 0);
	assert_int_equal(info.seq, 6);
	assert_int_equal(info.level, 1);
	assert_int_equal(info.cpu, 3);
	assert_int_equal(uprb_synth_write(rb, &src, 12, 2, 1, 3, 7), -EINVAL);
	uprb_ring_free(rb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_and_verify_round_trip_for_every_size),
		cmocka_unit_test(test_invalid_synthetic_sizes_are_refused),
		cmocka_unit_test(test_flipped_byte_anywhere_is_caught),
		cmocka_unit_test(test_stale_payload_from_another_sequence_is_caught),
		cmocka_unit_test(test_record_written_through_the_ring_verifies_in_place),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
