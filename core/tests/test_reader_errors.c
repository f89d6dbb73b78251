/* SPDX-License-Identifier: MIT */
/*
 * Reader on corrupted rings: each corruption gives its documented code,
 * never an out-of-bounds read (the ring is an exact-size heap block, so
 * ASan sees any) and never a loop; errors are sticky until resync.
 */
#include <errno.h>
#include <stdlib.h>

#include "testutil.h"

#define DATA_OFF 1088u
#define DATA_SIZE 256u

struct fake {
	unsigned char *mem;
	struct perf_event_mmap_page *pc;
	unsigned char *data;
};

static void fake_init(struct fake *f, uint64_t tail, uint64_t head)
{
	f->mem = calloc(1, DATA_OFF + DATA_SIZE);
	assert_non_null(f->mem);
	f->pc = (struct perf_event_mmap_page *)f->mem;
	f->data = f->mem + DATA_OFF;
	f->pc->data_offset = DATA_OFF;
	f->pc->data_size = DATA_SIZE;
	f->pc->data_tail = tail;
	f->pc->data_head = head;
}

/* A record header at ring position @pos, wrapping like the writer would. */
static void put(struct fake *f, uint64_t pos, uint32_t type, uint16_t size)
{
	struct perf_event_header h = { .type = type, .size = size };
	unsigned char *p = (unsigned char *)&h;

	for (unsigned i = 0; i < sizeof(h); i++)
		f->data[(pos + i) % DATA_SIZE] = p[i];
}

static void test_each_corruption_gives_its_error_code(void **state)
{
	(void)state;
	static const struct {
		const char *what;
		uint64_t tail, head;
		uint16_t sizes[4];   /* records laid from tail; 0 ends, unless first */
		unsigned nsizes;
		int init;            /* read_init's result */
		unsigned good;       /* records read before the error */
		int err;             /* read_event's result after them */
	} cases[] = {
		{ "size 0", 0, 64, { 0 }, 1, 0, 0, -EBADMSG },
		{ "size 4", 0, 64, { 4 }, 1, 0, 0, -EBADMSG },
		{ "size 12 (unaligned)", 0, 64, { 12 }, 1, 0, 0, -EILSEQ },
		{ "size above data_size", 0, 256, { 264 }, 1, 0, 0, -EMSGSIZE },
		{ "size past head", 8, 24, { 24 }, 1, 0, 0, -EPROTO },
		{ "partial header before head", 0, 20, { 16 }, 1, 0, 1, -EPROTO },
		{ "good, good, then size 0", 200, 300, { 16, 32, 0 }, 3, 0, 2, -EBADMSG },
		{ "head - tail beyond the ring", 0, 264, { 8 }, 1, -EOVERFLOW, 0, -EOVERFLOW },
		{ "data_head behind data_tail", 64, 32, { 8 }, 1, -ERANGE, 0, -ERANGE },
		{ "huge data_head", 0, 1ull << 62, { 8 }, 1, -EOVERFLOW, 0, -EOVERFLOW },
		{ "clean: wrapped record then end", 240, 296, { 32, 24 }, 2, 0, 2, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct uprb_reader r;
		const struct perf_event_header *ev;
		struct fake f;
		uint64_t pos;
		unsigned good = 0;
		int err;

		fake_init(&f, cases[i].tail, cases[i].head);
		pos = cases[i].tail;
		for (unsigned k = 0; k < cases[i].nsizes; k++) {
			put(&f, pos, UPRB_RECORD_SYNTH, cases[i].sizes[k]);
			pos += cases[i].sizes[k];
		}
		assert_int_equal(uprb_reader_init(&r, f.mem, DATA_OFF + DATA_SIZE, NULL), 0);
		err = uprb_read_init(&r);
		if (err != cases[i].init)
			fail_msg("%s: read_init %d, want %d", cases[i].what, err,
				 cases[i].init);
		if (err == 0) {
			while ((err = uprb_read_event(&r, &ev)) == 1) {
				assert_int_equal(ev->size, cases[i].sizes[good]);
				good++;
				assert_true(good <= 4);
			}
		}
		if (good != cases[i].good || err != cases[i].err)
			fail_msg("%s: %u records then %d, want %u then %d",
				 cases[i].what, good, err, cases[i].good, cases[i].err);
		/* Sticky: the same answer again, nothing consumed. */
		if (err < 0) {
			assert_int_equal(uprb_read_event(&r, &ev), err);
			assert_int_equal(uprb_read_init(&r), err);
		}
		uprb_reader_fini(&r);
		free(f.mem);
	}
}

static void test_wrapped_record_is_copied_whole_into_scratch(void **state)
{
	(void)state;
	struct uprb_reader r;
	const struct perf_event_header *ev;
	unsigned char rec[48];
	struct fake f;

	fake_init(&f, 232, 280);
	assert_int_equal(uprb_synth_build(rec, sizeof(rec), 3, 1, 0, 77), sizeof(rec));
	for (unsigned i = 0; i < sizeof(rec); i++)
		f.data[(232 + i) % DATA_SIZE] = rec[i];
	assert_int_equal(uprb_reader_init(&r, f.mem, DATA_OFF + DATA_SIZE, NULL), 0);
	assert_int_equal(uprb_read_init(&r), 0);
	assert_int_equal(uprb_read_event(&r, &ev), 1);
	assert_ptr_equal(ev, r.scratch);
	assert_memory_equal(ev, rec, sizeof(rec));
	assert_int_equal(r.stats.wrapped, 1);
	assert_int_equal(uprb_read_event(&r, &ev), 0);
	uprb_consume(&r);
	assert_int_equal(f.pc->data_tail, 280);
	uprb_reader_fini(&r);
	free(f.mem);
}

static void test_data_head_moving_backwards_mid_window_is_caught(void **state)
{
	(void)state;
	struct uprb_reader r;
	const struct perf_event_header *ev;
	struct fake f;

	fake_init(&f, 0, 32);
	put(&f, 0, UPRB_RECORD_SYNTH, 16);
	put(&f, 16, UPRB_RECORD_SYNTH, 16);
	assert_int_equal(uprb_reader_init(&r, f.mem, DATA_OFF + DATA_SIZE, NULL), 0);
	assert_int_equal(uprb_read_init(&r), 0);
	assert_int_equal(uprb_read_event(&r, &ev), 1);
	f.pc->data_head = 8; /* scribbled */
	/* The open window is still good; the next look at the head is not. */
	assert_int_equal(uprb_read_event(&r, &ev), 1);
	assert_int_equal(uprb_read_event(&r, &ev), -ERANGE);
	uprb_reader_fini(&r);
	free(f.mem);
}

static void test_resync_skips_to_head_and_gives_everything_back(void **state)
{
	(void)state;
	struct uprb_reader r;
	const struct perf_event_header *ev;
	struct fake f;

	fake_init(&f, 0, 128);
	put(&f, 0, UPRB_RECORD_SYNTH, 16);
	put(&f, 16, UPRB_RECORD_SYNTH, 0);
	assert_int_equal(uprb_reader_init(&r, f.mem, DATA_OFF + DATA_SIZE, NULL), 0);
	assert_int_equal(uprb_read_init(&r), 0);
	assert_int_equal(uprb_read_event(&r, &ev), 1);
	assert_int_equal(uprb_read_event(&r, &ev), -EBADMSG);
	assert_int_equal(uprb_read_resync(&r), 112);
	assert_int_equal(f.pc->data_tail, 128);
	assert_int_equal(r.stats.resyncs, 1);
	assert_int_equal(uprb_read_init(&r), -EAGAIN);
	uprb_reader_fini(&r);
	free(f.mem);
}

static void test_control_pages_that_describe_no_ring_are_refused(void **state)
{
	(void)state;
	static const struct { uint64_t off, size; size_t len; int err; } cases[] = {
		{ 1088, 100, 1088 + 100, -EINVAL },     /* not a power of two */
		{ 1088, 512, 1088 + 256, -EINVAL },     /* larger than the mapping */
		{ 4096, 256, 1088 + 256, -EINVAL },     /* offset past the mapping */
		{ 1092, 128, 1092 + 256, -EINVAL },     /* unaligned offset */
		{ 1088, 32, 1088 + 256, -EINVAL },      /* smaller than a page */
		{ 8, 256, 1088 + 256, -EINVAL },        /* data inside the control page */
		{ 1088, 0, 1088 + 256, 0 },             /* no data pages: legal */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned char *mem = calloc(1, cases[i].len);
		struct perf_event_mmap_page *pc = (void *)mem;
		struct uprb_reader r;

		pc->data_offset = cases[i].off;
		pc->data_size = cases[i].size;
		assert_int_equal(uprb_reader_init(&r, mem, cases[i].len, NULL),
				 cases[i].err);
		if (cases[i].err == 0) {
			assert_int_equal(uprb_read_init(&r), -ENODATA);
			uprb_reader_fini(&r);
		}
		free(mem);
	}
	{
		struct uprb_reader_opts o = { .sz = sizeof(o), .overwrite = true };
		unsigned char *mem = calloc(1, DATA_OFF + DATA_SIZE);
		struct perf_event_mmap_page *pc = (void *)mem;
		struct uprb_reader r;

		pc->data_offset = DATA_OFF;
		pc->data_size = DATA_SIZE;
		assert_int_equal(uprb_reader_init(&r, mem, DATA_OFF + DATA_SIZE, &o),
				 -EOPNOTSUPP);
		assert_int_equal(uprb_reader_init(&r, mem, 100, NULL), -EINVAL);
		free(mem);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_corruption_gives_its_error_code),
		cmocka_unit_test(test_wrapped_record_is_copied_whole_into_scratch),
		cmocka_unit_test(test_data_head_moving_backwards_mid_window_is_caught),
		cmocka_unit_test(test_resync_skips_to_head_and_gives_everything_back),
		cmocka_unit_test(test_control_pages_that_describe_no_ring_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
