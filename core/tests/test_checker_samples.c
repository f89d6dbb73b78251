/* SPDX-License-Identifier: MIT */
/*
 * Kernel record layouts: PERF_RECORD_SAMPLE for combinations of sample_type,
 * read_format and register masks parses into the right fields and must tile
 * header.size exactly; hostile counts never read past the record; LOST and
 * other records carry the right sample_id trailer.
 */
#include <errno.h>
#include <stdlib.h>

#include "testutil.h"

/* A record under construction, as u64 words after the header. */
struct rec {
	union {
		struct perf_event_header h;
		uint64_t w[64];
	};
	unsigned n; /* words after the header */
};

static void rec_init(struct rec *r, uint32_t type)
{
	memset(r, 0, sizeof(*r));
	r->h.type = type;
	r->n = 0;
}

static void put64(struct rec *r, uint64_t v)
{
	r->w[1 + r->n++] = v;
}

static void put32x2(struct rec *r, uint32_t a, uint32_t b)
{
	put64(r, (uint64_t)b << 32 | a);
}

static const struct perf_event_header *rec_done(struct rec *r, int extra_words)
{
	r->h.size = (uint16_t)(8 * (1 + r->n + extra_words));
	return &r->h;
}

static void test_sample_fields_parse_in_kernel_order(void **state)
{
	(void)state;
	struct uprb_layout l = {
		.sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP |
			       PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_ADDR |
			       PERF_SAMPLE_ID | PERF_SAMPLE_STREAM_ID |
			       PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD |
			       PERF_SAMPLE_CALLCHAIN | PERF_SAMPLE_RAW,
	};
	struct uprb_sample s;
	struct rec r;
	const char *why;

	rec_init(&r, PERF_RECORD_SAMPLE);
	put64(&r, 11);           /* identifier */
	put64(&r, 0x401000);     /* ip */
	put32x2(&r, 100, 101);   /* pid, tid */
	put64(&r, 123456789);    /* time */
	put64(&r, 0xdead0000);   /* addr */
	put64(&r, 11);           /* id */
	put64(&r, 12);           /* stream_id */
	put32x2(&r, 1, 0);       /* cpu, res */
	put64(&r, 1);            /* period */
	put64(&r, 3);            /* callchain nr */
	put64(&r, 0xa); put64(&r, 0xb); put64(&r, 0xc);
	put64(&r, 12);           /* raw: u32 size 12, then 12 bytes: 16 in all */
	put64(&r, 0);
	assert_int_equal(uprb_parse_sample(rec_done(&r, 0), &l, &s, &why), 0);
	assert_int_equal(s.identifier, 11);
	assert_int_equal(s.ip, 0x401000);
	assert_int_equal(s.pid, 100);
	assert_int_equal(s.tid, 101);
	assert_int_equal(s.time, 123456789);
	assert_int_equal(s.addr, 0xdead0000);
	assert_int_equal(s.id, 11);
	assert_int_equal(s.stream_id, 12);
	assert_int_equal(s.cpu, 1);
	assert_int_equal(s.period, 1);
	assert_int_equal(s.callchain_nr, 3);
	assert_int_equal(s.callchain[2], 0xc);
	assert_int_equal(s.raw_size, 12);

	/* One word too many, or too few: the layout no longer tiles. */
	assert_int_equal(uprb_parse_sample(rec_done(&r, 1), &l, &s, &why), -EBADMSG);
	r.n--;
	assert_int_equal(uprb_parse_sample(rec_done(&r, 0), &l, &s, &why), -EBADMSG);
}

static void test_read_format_group_and_single_values(void **state)
{
	(void)state;
	static const struct {
		uint64_t read_format;
		unsigned words; /* of the read part */
		uint64_t nr;
	} cases[] = {
		{ 0, 1, 1 },
		{ PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING |
		  PERF_FORMAT_ID | PERF_FORMAT_LOST, 5, 1 },
		{ PERF_FORMAT_GROUP | PERF_FORMAT_ID, 1 + 3 * 2, 3 },
		{ PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED |
		  PERF_FORMAT_LOST, 2 + 2 * 2, 2 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct uprb_layout l = { .sample_type = PERF_SAMPLE_READ |
							PERF_SAMPLE_PERIOD,
					 .read_format = cases[i].read_format };
		struct uprb_sample s;
		struct rec r;
		const char *why;

		rec_init(&r, PERF_RECORD_SAMPLE);
		put64(&r, 1000);
		if (cases[i].read_format & PERF_FORMAT_GROUP)
			put64(&r, cases[i].nr);
		while (r.n < 1 + cases[i].words)
			put64(&r, 7);
		assert_int_equal(uprb_parse_sample(rec_done(&r, 0), &l, &s, &why), 0);
		assert_int_equal(s.read_nr, cases[i].nr);
		assert_int_equal(s.period, 1000);
		assert_int_equal(uprb_parse_sample(rec_done(&r, 1), &l, &s, &why),
				 -EBADMSG);
	}
}

static void test_user_regs_and_stack_as_the_page_fault_generator_makes_them(void **state)
{
	(void)state;
	/* SPEC 7: IP, REGS_USER with one register, STACK_USER of 2048: 2096 bytes. */
	struct uprb_layout l = { .sample_type = PERF_SAMPLE_IP |
						PERF_SAMPLE_REGS_USER |
						PERF_SAMPLE_STACK_USER,
				 .sample_regs_user = 1 };
	uint64_t *w = calloc(1, 2096);
	struct perf_event_header h = { .type = PERF_RECORD_SAMPLE, .size = 2096 };
	struct uprb_sample s;
	const char *why;

	assert_non_null(w);
	memcpy(w, &h, 8);
	w[1] = 0x400000;        /* ip */
	w[2] = 2;               /* abi: 64-bit */
	w[3] = 0x7ffd0000;      /* the one register */
	w[4] = 2048;            /* stack size */
	w[4 + 1 + 256] = 512;   /* dyn_size */
	assert_int_equal(uprb_parse_sample((void *)w, &l, &s, &why), 0);
	assert_int_equal(s.regs_user_abi, 2);
	assert_int_equal(s.stack_user_size, 2048);
	assert_int_equal(s.stack_user_dyn_size, 512);
	/* dyn_size above size is a lie. */
	w[4 + 1 + 256] = 4096;
	assert_int_equal(uprb_parse_sample((void *)w, &l, &s, &why), -EBADMSG);
	/* abi 0 means no registers follow: then the sizes no longer tile. */
	w[4 + 1 + 256] = 512;
	w[2] = 0;
	assert_int_equal(uprb_parse_sample((void *)w, &l, &s, &why), -EBADMSG);
	free(w);
}

/* Hostile counts are refused before any pointer arithmetic overflows. */
static void test_hostile_counts_never_read_past_the_record(void **state)
{
	(void)state;
	static const struct { uint64_t type; uint64_t count; } cases[] = {
		{ PERF_SAMPLE_CALLCHAIN, 9999 },
		{ PERF_SAMPLE_CALLCHAIN, ~0ull },
		{ PERF_SAMPLE_CALLCHAIN, 1ull << 61 },
		{ PERF_SAMPLE_BRANCH_STACK, ~0ull / 24 + 1 },
		{ PERF_SAMPLE_STACK_USER, ~0ull - 7 },
		{ PERF_SAMPLE_RAW, 0xffffffff },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct uprb_layout l = { .sample_type = cases[i].type };
		struct perf_event_header *h = malloc(24);
		const char *why = NULL;

		assert_non_null(h);
		h->type = PERF_RECORD_SAMPLE;
		h->misc = 0;
		h->size = 24;
		memcpy((char *)h + 8, &cases[i].count, 8);
		memset((char *)h + 16, 0, 8);
		assert_int_equal(uprb_parse_sample(h, &l, NULL, &why), -EBADMSG);
		assert_non_null(why);
		free(h);
	}
	{
		struct uprb_layout l = { .sample_type = PERF_SAMPLE_AUX };
		struct perf_event_header h = { .type = PERF_RECORD_SAMPLE, .size = 8 };

		assert_int_equal(uprb_parse_sample(&h, &l, NULL, NULL), -EOPNOTSUPP);
	}
}

static void test_lost_and_comm_records_carry_the_sample_id_trailer(void **state)
{
	(void)state;
	struct uprb_layout l = { .sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
						PERF_SAMPLE_IDENTIFIER,
				 .sample_id_all = true };
	struct uprb_check_opts co = { .sz = sizeof(co), .layout = l };
	struct uprb_check c;
	struct uprb_sample s;
	struct rec r;
	const char *why;

	/* COMM "ringtort" + NUL padding, then the 24-byte trailer. */
	rec_init(&r, PERF_RECORD_COMM);
	put32x2(&r, 50, 51);
	put64(&r, 0x74726f74676e6972ull);
	put64(&r, 0);
	put32x2(&r, 50, 51);
	put64(&r, 999);
	put64(&r, 77);
	assert_int_equal(uprb_parse_sample_id(rec_done(&r, 0), &l, &s, &why), 0);
	assert_int_equal(s.tid, 51);
	assert_int_equal(s.time, 999);
	assert_int_equal(s.identifier, 77);
	r.n = 3;  /* too short for name and trailer */
	assert_int_equal(uprb_parse_sample_id(rec_done(&r, 0), &l, &s, &why), -EBADMSG);

	assert_int_equal(uprb_check_init(&c, &co), 0);
	rec_init(&r, PERF_RECORD_LOST);
	put64(&r, 77);
	put64(&r, 5);
	put32x2(&r, 50, 51);
	put64(&r, 1000);
	put64(&r, 77);
	assert_int_equal(uprb_check_record(&c, rec_done(&r, 0), 0), 0);
	assert_int_equal(c.lost_sum, 5);
	/* Without its trailer the size is wrong for this layout. */
	r.n = 2;
	assert_int_equal(uprb_check_record(&c, rec_done(&r, 0), 64), -EBADMSG);
	assert_non_null(strstr(c.what, "size 24"));
	assert_int_equal(c.failures, 1);
	uprb_check_fini(&c);
}

static void test_header_sanity_failures_name_the_position(void **state)
{
	(void)state;
	struct uprb_check_opts co = { .sz = sizeof(co) };
	struct uprb_check c;
	static const struct { uint16_t size; int err; } cases[] = {
		{ 0, -EBADMSG }, { 4, -EBADMSG }, { 12, -EILSEQ }, { 20, -EILSEQ },
	};

	assert_int_equal(uprb_check_init(&c, &co), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct perf_event_header h = { .type = 1, .size = cases[i].size };

		assert_int_equal(uprb_check_record(&c, &h, 4660), cases[i].err);
		assert_non_null(strstr(c.what, "4660"));
	}
	assert_int_equal(c.failures, 4);
	assert_non_null(strstr(c.first, "size 0"));
	uprb_check_fini(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_fields_parse_in_kernel_order),
		cmocka_unit_test(test_read_format_group_and_single_values),
		cmocka_unit_test(test_user_regs_and_stack_as_the_page_fault_generator_makes_them),
		cmocka_unit_test(test_hostile_counts_never_read_past_the_record),
		cmocka_unit_test(test_lost_and_comm_records_carry_the_sample_id_trailer),
		cmocka_unit_test(test_header_sanity_failures_name_the_position),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
