/* SPDX-License-Identifier: MIT */
/*
 * test_check_synth.c - synthetic records: build/verify round trips, every
 * single corruption is caught, and uprb_synth_write() puts a verifiable
 * record into a real ring (across chunk and ring ends, after a drop).
 */
#include <errno.h>
#include <string.h>

#include "testutil.h"
#include "uprb/uprb_check.h"

/* Big enough that a corrupted size field never makes verify read outside. */
static uint64_t buf[UPRB_MAX_RECORD / 8 + 1];

static const struct perf_event_header *hdr(const void *p)
{
	return p;
}

static void test_build_verify_round_trip_for_every_size(void **state)
{
	struct uprb_synth_info info;
	const char *why = NULL;
	unsigned int size;

	(void)state;
	for (size = 16; size <= 1024 + 8; size += 8) {
		unsigned int sz = size > 1024 ? UPRB_MAX_RECORD : size;
		uint32_t seq = 0xfffffff0u + size;
		uint8_t level = (uint8_t)(size / 8 % UPRB_LEVEL_COUNT);

		memset(buf, 0xa5, sizeof(buf));
		assert_int_equal(uprb_synth_build(buf, sz, 7, level, 200, seq),
				 sz);
		if (uprb_synth_verify(hdr(buf), &info, &why))
			fail_msg("size %u: %s", sz, why);
		assert_int_equal(info.seq, seq);
		assert_int_equal(info.source, 7);
		assert_int_equal(info.level, level);
		assert_int_equal(info.cpu, 200);
		assert_int_equal(info.size, sz);
		assert_int_equal(hdr(buf)->type, UPRB_RECORD_SYNTH);
		assert_int_equal(hdr(buf)->misc, level | 200 << 8);
		assert_int_equal(hdr(buf)->size, sz);
	}
}

static void test_payload_words_follow_uprb_synth_word(void **state)
{
	const struct uprb_synth *s = (const void *)buf;
	uint32_t i;

	(void)state;
	assert_int_equal(uprb_synth_build(buf, 80, 3, 1, 2, 99), 80);
	assert_int_equal(s->seq, 99);
	assert_int_equal(s->source, 3);
	for (i = 0; i < 8; i++)
		assert_true(buf[2 + i] == uprb_synth_word(3, 99, i));
}

static void test_build_rejects_invalid_sizes(void **state)
{
	static const unsigned int bad[] = { 0, 8, 12, 15, 17, 20, 1020,
					    65529, 65534, 65535, 65536,
					    1u << 20 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(uprb_synth_build(buf, bad[i], 0, 0, 0, 0), 0);
}

static void test_flipped_byte_anywhere_is_caught(void **state)
{
	static const unsigned int sizes[] = { 16, 24, 64, 264 };
	static const unsigned char masks[] = { 0x01, 0x08, 0x80, 0xff };
	unsigned char *p = (unsigned char *)buf;
	size_t si, mi;
	unsigned int i;

	(void)state;
	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
		for (i = 0; i < sizes[si]; i++) {
			for (mi = 0; mi < sizeof(masks); mi++) {
				const char *why = NULL;

				memset(buf, 0, sizeof(buf));
				uprb_synth_build(buf, sizes[si], 5, 2, 3, 1234);
				p[i] ^= masks[mi];
				if (uprb_synth_verify(hdr(buf), NULL, &why) !=
				    -EBADMSG)
					fail_msg("size %u: byte %u ^ 0x%02x "
						 "not caught", sizes[si], i,
						 masks[mi]);
				assert_non_null(why);
			}
		}
	}
}

static void test_flipped_payload_byte_is_caught_with_its_word(void **state)
{
	unsigned char *p = (unsigned char *)buf;
	const char *why = NULL;

	(void)state;
	uprb_synth_build(buf, 128, 1, 0, 0, 42);
	p[16 + 8 * 5 + 3] ^= 0x10;
	assert_int_equal(uprb_synth_verify(hdr(buf), NULL, &why), -EBADMSG);
	assert_non_null(strstr(why, "payload word 5"));
}

static void test_wrong_type_is_caught(void **state)
{
	struct perf_event_header h;
	const char *why = NULL;

	(void)state;
	uprb_synth_build(buf, 32, 1, 0, 0, 1);
	memcpy(&h, buf, sizeof(h));
	h.type = PERF_RECORD_SAMPLE;
	memcpy(buf, &h, sizeof(h));
	assert_int_equal(uprb_synth_verify(hdr(buf), NULL, &why), -EBADMSG);
	assert_non_null(strstr(why, "type"));
}

static void test_wrong_size_is_caught(void **state)
{
	static const uint16_t sizes[] = { 0, 8, 20, 24, 40, 48, 65535 };
	struct perf_event_header h;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(buf, 0, sizeof(buf));
		/* A valid 32-byte record whose size field then lies. */
		uprb_synth_build(buf, 32, 1, 0, 0, 1);
		memcpy(&h, buf, sizeof(h));
		h.size = sizes[i];
		memcpy(buf, &h, sizeof(h));
		if (uprb_synth_verify(hdr(buf), NULL, NULL) != -EBADMSG)
			fail_msg("size %u accepted", sizes[i]);
	}
}

static void test_record_of_another_seq_is_caught(void **state)
{
	static uint64_t other[8];

	(void)state;
	/* Header of seq 2 on the payload of seq 1: a torn overwrite. */
	uprb_synth_build(buf, 64, 1, 0, 0, 1);
	uprb_synth_build(other, 64, 1, 0, 0, 2);
	memcpy(buf, other, UPRB_SYNTH_MIN_SIZE);
	assert_int_equal(uprb_synth_verify(hdr(buf), NULL, NULL), -EBADMSG);
}

/* Copy the record at ring position @pos out of the data pages. */
static const struct perf_event_header *ring_record(struct uprb_ring *rb,
						   uint64_t pos)
{
	unsigned char *p = (unsigned char *)buf;
	struct perf_event_header h;
	unsigned int i;

	memcpy(&h, t_data(rb, pos), sizeof(h));
	assert_true(h.size >= 8 && h.size <= UPRB_MAX_RECORD);
	for (i = 0; i < h.size; i++)
		p[i] = *t_data(rb, pos + i);
	return hdr(buf);
}

static void test_synth_write_into_ring_reads_back_verified(void **state)
{
	/* Sizes cross 64-byte chunks, the 256-byte stack piece, the end. */
	static const unsigned int sizes[] = { 16, 24, 56, 64, 72, 248, 256,
					      264, 520, 1000, 1024, 16 };
	struct uprb_ring *rb = t_ring(64, 32, false, false);
	struct uprb_synth_info info;
	struct uprb_source src;
	uint64_t pos = 0;
	uint32_t seq;

	(void)state;
	uprb_source_init(&src, 11, 0, false);
	for (seq = 0; seq < 60; seq++) {
		unsigned int size = sizes[seq % 12];
		const struct perf_event_header *ev;
		const char *why = NULL;

		assert_int_equal(uprb_synth_write(rb, &src, size, 4,
						  (uint8_t)(seq % 4),
						  (uint8_t)seq, seq),
				 0);
		assert_int_equal(rb->user_page->data_head, pos + size);
		ev = ring_record(rb, pos);
		if (uprb_synth_verify(ev, &info, &why))
			fail_msg("seq %u at %llu: %s", seq,
				 (unsigned long long)pos, why);
		assert_int_equal(info.seq, seq);
		assert_int_equal(info.source, 4);
		assert_int_equal(info.level, seq % 4);
		assert_int_equal(info.cpu, (uint8_t)seq);
		assert_int_equal(info.size, size);
		pos += size;
		/* Give it back so that the writer laps the 2 KiB ring. */
		rb->user_page->data_tail = pos;
	}
	assert_true(pos > 4 * rb->data_size);
	assert_int_equal(uprb_ring_check(rb), 0);
	uprb_ring_free(rb);
}

static void test_synth_write_rejects_bad_size_and_writes_nothing(void **state)
{
	struct uprb_ring *rb = t_ring(4096, 1, false, false);
	struct uprb_source src;

	(void)state;
	uprb_source_init(&src, 1, 0, false);
	assert_int_equal(uprb_synth_write(rb, &src, 8, 0, 0, 0, 0), -EINVAL);
	assert_int_equal(uprb_synth_write(rb, &src, 20, 0, 0, 0, 0), -EINVAL);
	assert_int_equal(uprb_synth_write(rb, &src, 65536, 0, 0, 0, 0),
			 -EINVAL);
	assert_int_equal(rb->user_page->data_head, 0);
	assert_int_equal(rb->lost, 0);
	uprb_ring_free(rb);
}

static void test_synth_write_returns_enospc_then_lost_precedes(void **state)
{
	struct uprb_ring *rb = t_ring(4096, 1, false, false);
	const struct perf_event_header *ev;
	struct uprb_synth_info info;
	struct uprb_source src;
	uint64_t pos = 0, v[2];
	uint32_t seq = 0;
	int ret;

	(void)state;
	uprb_source_init(&src, 77, 0, false);
	while ((ret = uprb_synth_write(rb, &src, 1024, 0, 0, 0, seq)) == 0)
		seq++;
	assert_int_equal(ret, -ENOSPC);
	assert_int_equal(seq, 3); /* 4096 - 1 bytes of space: 3 records */
	assert_int_equal(rb->lost, 1);
	for (uint32_t i = 0; i < seq; i++, pos += 1024)
		assert_int_equal(uprb_synth_verify(ring_record(rb, pos), NULL,
						   NULL),
				 0);
	rb->user_page->data_tail = pos;

	/* The next write carries the drop in a LOST record in front. */
	assert_int_equal(uprb_synth_write(rb, &src, 64, 0, 0, 0, seq + 1), 0);
	ev = ring_record(rb, pos);
	assert_int_equal(ev->type, PERF_RECORD_LOST);
	assert_int_equal(ev->size, UPRB_LOST_RECORD_SIZE);
	memcpy(v, (const unsigned char *)ev + 8, sizeof(v));
	assert_true(v[0] == 77);
	assert_true(v[1] == 1);
	pos += UPRB_LOST_RECORD_SIZE;
	assert_int_equal(uprb_synth_verify(ring_record(rb, pos), &info, NULL),
			 0);
	assert_int_equal(info.seq, seq + 1);
	assert_int_equal(rb->user_page->data_head, pos + 64);
	uprb_ring_free(rb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_verify_round_trip_for_every_size),
		cmocka_unit_test(test_payload_words_follow_uprb_synth_word),
		cmocka_unit_test(test_build_rejects_invalid_sizes),
		cmocka_unit_test(test_flipped_byte_anywhere_is_caught),
		cmocka_unit_test(test_flipped_payload_byte_is_caught_with_its_word),
		cmocka_unit_test(test_wrong_type_is_caught),
		cmocka_unit_test(test_wrong_size_is_caught),
		cmocka_unit_test(test_record_of_another_seq_is_caught),
		cmocka_unit_test(test_synth_write_into_ring_reads_back_verified),
		cmocka_unit_test(test_synth_write_rejects_bad_size_and_writes_nothing),
		cmocka_unit_test(test_synth_write_returns_enospc_then_lost_precedes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
