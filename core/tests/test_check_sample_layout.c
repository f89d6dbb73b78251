/* SPDX-License-Identifier: MIT */
/*
 * test_check_sample_layout.c - kernel record layouts: hand-built
 * PERF_RECORD_SAMPLEs for sample_type combinations parse into the right
 * fields, every malformation (a u64 too many or too few, counts that
 * overflow, a raw size past the end) is -EBADMSG, and LOST and COMM
 * records are checked with and without their sample_id trailer.
 */
#include <errno.h>
#include <string.h>

#include "testutil.h"
#include "uprb/uprb_check.h"

#define MAXW 32

/* A record as u64 words: [0] is the header, its size set by finish(). */
struct rec {
	uint64_t w[MAXW + 2];
	size_t n;
};

static uint64_t hw(uint32_t type, uint16_t misc, uint16_t size)
{
	struct perf_event_header h = { .type = type, .misc = misc,
				       .size = size };
	uint64_t v;

	memcpy(&v, &h, sizeof(v));
	return v;
}

/* Two u32 in one u64 slot, as pid/tid and cpu/res are laid out. */
#define PAIR(lo, hi) ((uint64_t)(uint32_t)(lo) | (uint64_t)(hi) << 32)

static const struct perf_event_header *make(struct rec *r, uint32_t type,
					    const uint64_t *body, size_t n)
{
	assert_true(n <= MAXW);
	memset(r, 0, sizeof(*r));
	memcpy(&r->w[1], body, n * 8);
	r->n = n + 1;
	r->w[0] = hw(type, 0, (uint16_t)(r->n * 8));
	return (const void *)r->w;
}

/* One hand-built SAMPLE and what it must parse into. */
struct sample_case {
	const char *name;
	struct uprb_layout l;
	uint64_t body[MAXW];
	size_t n;
	struct uprb_sample want;   /* pointers compared separately */
	size_t callchain_word;     /* body index of ips[0], if any */
	size_t raw_byte;           /* body byte offset of raw data, if any */
};

#define ST(x) PERF_SAMPLE_##x
#define RF(x) PERF_FORMAT_##x

static const struct sample_case cases[] = {
	{
		.name = "identifier",
		.l = { .sample_type = ST(IDENTIFIER) },
		.body = { 0x1d }, .n = 1,
		.want = { .identifier = 0x1d },
	},
	{
		.name = "ip tid time",
		.l = { .sample_type = ST(IP) | ST(TID) | ST(TIME) },
		.body = { 0xffffffff81000000ull, 0x0000002a00000029ull, 12345 },
		.n = 3,
		.want = { .ip = 0xffffffff81000000ull, .pid = 0x29,
			  .tid = 0x2a, .time = 12345 },
	},
	{
		.name = "addr id stream_id cpu period",
		.l = { .sample_type = ST(ADDR) | ST(ID) | ST(STREAM_ID) |
				      ST(CPU) | ST(PERIOD) },
		.body = { 0xdead0000, 17, 18, 0xffff000000000003ull, 4000 },
		.n = 5,
		.want = { .addr = 0xdead0000, .id = 17, .stream_id = 18,
			  .cpu = 3, .period = 4000 },
	},
	{
		.name = "all fixed words in kernel order",
		.l = { .sample_type = ST(IDENTIFIER) | ST(IP) | ST(TID) |
				      ST(TIME) | ST(ADDR) | ST(ID) |
				      ST(STREAM_ID) | ST(CPU) | ST(PERIOD) },
		.body = { 1, 2, 0x0000000400000003ull, 5, 6, 7, 8, 9, 10 },
		.n = 9,
		.want = { .identifier = 1, .ip = 2, .pid = 3, .tid = 4,
			  .time = 5, .addr = 6, .id = 7, .stream_id = 8,
			  .cpu = 9, .period = 10 },
	},
	{
		.name = "read, no format bits",
		.l = { .sample_type = ST(READ) },
		.body = { 1000 }, .n = 1,
		.want = { .read_nr = 1 },
	},
	{
		.name = "read, not group, every format bit",
		.l = { .sample_type = ST(TID) | ST(READ),
		       .read_format = RF(TOTAL_TIME_ENABLED) |
				      RF(TOTAL_TIME_RUNNING) | RF(ID) |
				      RF(LOST) },
		.body = { 0x0000000200000001ull, 1000, 50, 40, 99, 0 },
		.n = 6,
		.want = { .pid = 1, .tid = 2, .read_nr = 1 },
	},
	{
		.name = "read, group of 2 with id and enabled",
		.l = { .sample_type = ST(READ) | ST(PERIOD),
		       .read_format = RF(GROUP) | RF(ID) |
				      RF(TOTAL_TIME_ENABLED) },
		.body = { 77, 2, 500, 10, 100, 20, 101 },
		.n = 7,
		.want = { .period = 77, .read_nr = 2 },
	},
	{
		.name = "read, group of 3 with running, id, lost",
		.l = { .sample_type = ST(READ),
		       .read_format = RF(GROUP) | RF(TOTAL_TIME_RUNNING) |
				      RF(ID) | RF(LOST) },
		.body = { 3, 400, 1, 11, 0, 2, 12, 0, 3, 13, 1 },
		.n = 11,
		.want = { .read_nr = 3 },
	},
	{
		.name = "read, empty group",
		.l = { .sample_type = ST(READ), .read_format = RF(GROUP) },
		.body = { 0 }, .n = 1,
		.want = { .read_nr = 0 },
	},
	{
		.name = "ip callchain",
		.l = { .sample_type = ST(IP) | ST(CALLCHAIN) },
		.body = { 0x400000, 3, (uint64_t)-128, 0x400000, 0x400100 },
		.n = 5,
		.want = { .ip = 0x400000, .callchain_nr = 3 },
		.callchain_word = 2,
	},
	{
		.name = "empty callchain",
		.l = { .sample_type = ST(CALLCHAIN) | ST(TIME) },
		.body = { 9, 0 }, .n = 2,
		.want = { .time = 9 },
		.callchain_word = 2,
	},
	{
		.name = "raw of 4 bytes",
		.l = { .sample_type = ST(RAW) },
		.body = { PAIR(4, 0xabcdef01) }, .n = 1,
		.want = { .raw_size = 4 },
		.raw_byte = 4,
	},
	{
		.name = "time callchain raw of 12 bytes",
		.l = { .sample_type = ST(TIME) | ST(CALLCHAIN) | ST(RAW) },
		.body = { 5, 1, 0x1234, PAIR(12, 1), 0x0202020202020202ull },
		.n = 5,
		.want = { .time = 5, .callchain_nr = 1, .raw_size = 12 },
		.callchain_word = 2,
		.raw_byte = 3 * 8 + 4,
	},
	{
		.name = "regs_user abi 64, 3 registers",
		.l = { .sample_type = ST(REGS_USER), .sample_regs_user = 0xb },
		.body = { PERF_SAMPLE_REGS_ABI_64, 1, 2, 3 }, .n = 4,
		.want = { .regs_user_abi = PERF_SAMPLE_REGS_ABI_64 },
	},
	{
		.name = "regs_user abi none has no registers",
		.l = { .sample_type = ST(REGS_USER), .sample_regs_user = 0xff },
		.body = { PERF_SAMPLE_REGS_ABI_NONE }, .n = 1,
		.want = { .regs_user_abi = 0 },
	},
	{
		.name = "stack_user of 16 bytes",
		.l = { .sample_type = ST(STACK_USER) },
		.body = { 16, 0x1111, 0x2222, 8 }, .n = 4,
		.want = { .stack_user_size = 16, .stack_user_dyn_size = 8 },
	},
	{
		.name = "stack_user empty has no dyn_size",
		.l = { .sample_type = ST(STACK_USER) | ST(IP) },
		.body = { 0x77, 0 }, .n = 2,
		.want = { .ip = 0x77 },
	},
	{
		.name = "tid regs_user stack_user",
		.l = { .sample_type = ST(TID) | ST(REGS_USER) |
				      ST(STACK_USER),
		       .sample_regs_user = 0x3 },
		.body = { PAIR(10, 11), PERF_SAMPLE_REGS_ABI_32, 0xa, 0xb, 8,
			  0xcc, 8 },
		.n = 7,
		.want = { .pid = 10, .tid = 11,
			  .regs_user_abi = PERF_SAMPLE_REGS_ABI_32,
			  .stack_user_size = 8, .stack_user_dyn_size = 8 },
	},
	{
		.name = "branch stack with hw_idx",
		.l = { .sample_type = ST(BRANCH_STACK),
		       .branch_sample_type = PERF_SAMPLE_BRANCH_ANY |
					     PERF_SAMPLE_BRANCH_HW_INDEX },
		.body = { 2, 7, 0xa, 0xb, 0, 0xc, 0xd, 0 }, .n = 8,
		.want = { .branch_nr = 2 },
	},
	{
		.name = "branch stack without hw_idx",
		.l = { .sample_type = ST(BRANCH_STACK),
		       .branch_sample_type = PERF_SAMPLE_BRANCH_ANY },
		.body = { 1, 0xa, 0xb, 0 }, .n = 4,
		.want = { .branch_nr = 1 },
	},
	{
		.name = "the u64 tail in kernel order",
		.l = { .sample_type = ST(WEIGHT) | ST(DATA_SRC) |
				      ST(TRANSACTION) | ST(REGS_INTR) |
				      ST(PHYS_ADDR) | ST(CGROUP) |
				      ST(DATA_PAGE_SIZE) |
				      ST(CODE_PAGE_SIZE),
		       .sample_regs_intr = 0x1 },
		.body = { 1, 2, 3, PERF_SAMPLE_REGS_ABI_64, 0x99, 4, 5, 6, 7 },
		.n = 9,
		.want = { .weight = 1, .data_src = 2, .transaction = 3,
			  .phys_addr = 4, .cgroup = 5, .data_page_size = 6,
			  .code_page_size = 7 },
	},
	{
		.name = "weight_struct",
		.l = { .sample_type = ST(WEIGHT_STRUCT) },
		.body = { 0x0003000200000001ull }, .n = 1,
		.want = { .weight = 0x0003000200000001ull },
	},
	{
		.name = "no fields at all",
		.l = { .sample_type = 0 },
		.n = 0,
	},
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static void assert_sample(const char *name, const struct uprb_sample *g,
			  const struct uprb_sample *w)
{
#define EQ(f)                                                          \
	do {                                                           \
		if (g->f != w->f)                                      \
			fail_msg("%s: " #f " %llu, want %llu", name,   \
				 (unsigned long long)g->f,             \
				 (unsigned long long)w->f);            \
	} while (0)
	EQ(identifier); EQ(ip); EQ(time); EQ(addr); EQ(id); EQ(stream_id);
	EQ(period); EQ(pid); EQ(tid); EQ(cpu); EQ(callchain_nr);
	EQ(raw_size); EQ(branch_nr); EQ(regs_user_abi); EQ(stack_user_size);
	EQ(stack_user_dyn_size); EQ(weight); EQ(data_src); EQ(transaction);
	EQ(phys_addr); EQ(cgroup); EQ(data_page_size); EQ(code_page_size);
	EQ(read_nr);
#undef EQ
}

static void test_table_samples_parse_into_their_fields(void **state)
{
	struct rec r;
	size_t i;

	(void)state;
	for (i = 0; i < NCASES; i++) {
		const struct sample_case *k = &cases[i];
		const struct perf_event_header *ev;
		struct uprb_sample s;
		const char *why = NULL;

		ev = make(&r, PERF_RECORD_SAMPLE, k->body, k->n);
		if (uprb_parse_sample(ev, &k->l, &s, &why))
			fail_msg("%s: %s", k->name, why);
		assert_sample(k->name, &s, &k->want);
		if (k->l.sample_type & PERF_SAMPLE_CALLCHAIN)
			assert_ptr_equal(s.callchain,
					 &r.w[1 + k->callchain_word]);
		else
			assert_null(s.callchain);
		if (k->l.sample_type & PERF_SAMPLE_RAW)
			assert_ptr_equal(s.raw, (const unsigned char *)&r.w[1] +
							k->raw_byte);
		else
			assert_null(s.raw);
	}
}

static void test_table_samples_one_u64_too_long_are_ebadmsg(void **state)
{
	struct rec r;
	size_t i;

	(void)state;
	for (i = 0; i < NCASES; i++) {
		const struct sample_case *k = &cases[i];
		uint64_t body[MAXW];
		const char *why = NULL;

		memcpy(body, k->body, sizeof(body));
		body[k->n] = 0;
		if (uprb_parse_sample(make(&r, PERF_RECORD_SAMPLE, body,
					   k->n + 1),
				      &k->l, NULL, &why) != -EBADMSG)
			fail_msg("%s: one u64 too long accepted", k->name);
		assert_non_null(strstr(why, "left over"));
	}
}

static void test_table_samples_one_u64_too_short_are_ebadmsg(void **state)
{
	struct rec r;
	size_t i;

	(void)state;
	for (i = 0; i < NCASES; i++) {
		const struct sample_case *k = &cases[i];
		const char *why = NULL;

		if (!k->n)
			continue;
		if (uprb_parse_sample(make(&r, PERF_RECORD_SAMPLE, k->body,
					   k->n - 1),
				      &k->l, NULL, &why) != -EBADMSG)
			fail_msg("%s: one u64 too short accepted", k->name);
		assert_non_null(why);
	}
}

/* Counts whose byte size wraps a 64-bit offset: nr * 8 == 0, 8, ... */
static const uint64_t huge[] = { UINT64_MAX, 1ull << 61, (1ull << 61) + 1,
				 1ull << 63, 9999, 3 };

static void test_callchain_nr_that_overflows_is_ebadmsg(void **state)
{
	struct uprb_layout l = { .sample_type = ST(IP) | ST(CALLCHAIN) };
	struct rec r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		uint64_t body[] = { 0x10, huge[i], 0x20, 0x30 };
		const char *why = NULL;

		assert_int_equal(uprb_parse_sample(make(&r, PERF_RECORD_SAMPLE,
							body, 4),
						   &l, NULL, &why),
				 -EBADMSG);
		assert_non_null(strstr(why, "callchain nr"));
		assert_non_null(strstr(why, "runs past size 40"));
	}
}

static void test_other_counts_that_overflow_are_ebadmsg(void **state)
{
	static const struct uprb_layout ls[] = {
		{ .sample_type = ST(READ), .read_format = RF(GROUP) | RF(ID) },
		{ .sample_type = ST(BRANCH_STACK) },
		{ .sample_type = ST(STACK_USER) },
	};
	struct rec r;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(ls) / sizeof(ls[0]); i++) {
		for (j = 0; j < sizeof(huge) / sizeof(huge[0]); j++) {
			/* The count, then a little data and a dyn_size. */
			uint64_t body[] = { huge[j] & ~7ull, 1, 2, 0 };

			if (uprb_parse_sample(make(&r, PERF_RECORD_SAMPLE,
						   body, 4),
					      &ls[i], NULL, NULL) != -EBADMSG)
				fail_msg("layout %zu: count %llu accepted", i,
					 (unsigned long long)huge[j]);
		}
	}
}

static void test_raw_size_past_the_end_is_ebadmsg(void **state)
{
	static const uint32_t sizes[] = { 16, 20, 100, 0xfffffffcu,
					  0xffffffffu };
	struct uprb_layout l = { .sample_type = ST(RAW) | ST(PERIOD) };
	struct rec r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/* raw: 4 + 4 bytes really there, then the period. */
		uint64_t body[] = { PAIR(sizes[i], 0x55), 1000 };
		const char *why = NULL;

		assert_int_equal(uprb_parse_sample(make(&r, PERF_RECORD_SAMPLE,
							body, 2),
						   &l, NULL, &why),
				 -EBADMSG);
		assert_non_null(strstr(why, "raw"));
	}
}

static void test_raw_size_that_misaligns_the_rest_is_ebadmsg(void **state)
{
	struct uprb_layout l = { .sample_type = ST(RAW) };
	uint64_t body[] = { PAIR(5, 0x55), 0 };
	const char *why = NULL;
	struct rec r;

	(void)state;
	assert_int_equal(uprb_parse_sample(make(&r, PERF_RECORD_SAMPLE, body,
						2),
					   &l, NULL, &why),
			 -EBADMSG);
	assert_non_null(strstr(why, "misaligned"));
}

static void test_stack_dyn_size_above_size_is_ebadmsg(void **state)
{
	struct uprb_layout l = { .sample_type = ST(STACK_USER) };
	uint64_t body[] = { 8, 0, 16 };
	struct rec r;

	(void)state;
	assert_int_equal(uprb_parse_sample(make(&r, PERF_RECORD_SAMPLE, body,
						3),
					   &l, NULL, NULL),
			 -EBADMSG);
}

static void test_aux_and_unknown_sample_bits_are_eopnotsupp(void **state)
{
	struct uprb_layout aux = { .sample_type = ST(IP) | ST(AUX) };
	struct uprb_layout unk = { .sample_type = ST(IP) | 1ull << 40 };
	struct uprb_layout rf = { .sample_type = ST(READ),
				  .read_format = 1ull << 20 };
	uint64_t body[] = { 1, 0 };
	struct rec r;

	(void)state;
	make(&r, PERF_RECORD_SAMPLE, body, 2);
	assert_int_equal(uprb_parse_sample((const void *)r.w, &aux, NULL, NULL),
			 -EOPNOTSUPP);
	assert_int_equal(uprb_parse_sample((const void *)r.w, &unk, NULL, NULL),
			 -EOPNOTSUPP);
	assert_int_equal(uprb_parse_sample((const void *)r.w, &rf, NULL, NULL),
			 -EOPNOTSUPP);
}

static void test_sample_through_checker_counts_and_reports(void **state)
{
	struct uprb_check_opts o = {
		.sz = sizeof(o),
		.layout = { .sample_type = ST(IP) | ST(CALLCHAIN) },
	};
	uint64_t good[] = { 1, 1, 2 }, bad[] = { 1, 9999, 2 };
	struct uprb_check c;
	struct rec r;

	(void)state;
	assert_int_equal(uprb_check_init(&c, &o), 0);
	assert_int_equal(uprb_check_record(&c, make(&r, PERF_RECORD_SAMPLE,
						    good, 3),
					   0),
			 0);
	assert_int_equal(uprb_check_record(&c, make(&r, PERF_RECORD_SAMPLE,
						    bad, 3),
					   4096),
			 -EBADMSG);
	assert_int_equal(c.samples, 2);
	assert_int_equal(c.failures, 1);
	assert_non_null(strstr(c.what, "pos 4096"));
	assert_non_null(strstr(c.what, "type 9"));
	assert_non_null(strstr(c.what, "size 32"));
	assert_non_null(strstr(c.what, "callchain nr 9999"));
	uprb_check_fini(&c);
}

/* LOST: exact size for the trailer, misc 0, a known id. */
static void test_lost_without_trailer_is_24_bytes(void **state)
{
	uint64_t ids[] = { 5, 6 };
	struct uprb_check_opts o = {
		.sz = sizeof(o), .lost_ids = ids, .nlost_ids = 2,
	};
	uint64_t body[] = { 6, 3 }, longer[] = { 6, 3, 0 };
	struct uprb_check c;
	struct rec r;

	(void)state;
	assert_int_equal(uprb_check_init(&c, &o), 0);
	assert_int_equal(uprb_check_record(&c, make(&r, PERF_RECORD_LOST,
						    body, 2),
					   0),
			 0);
	assert_int_equal(c.lost_sum, 3);
	assert_int_equal(uprb_check_record(&c, make(&r, PERF_RECORD_LOST,
						    longer, 3),
					   24),
			 -EBADMSG);
	assert_non_null(strstr(c.what, "LOST"));
	assert_int_equal(c.lost_sum, 3);

	/* misc must be 0. */
	make(&r, PERF_RECORD_LOST, body, 2);
	r.w[0] = hw(PERF_RECORD_LOST, 1, 24);
	assert_int_equal(uprb_check_record(&c, (const void *)r.w, 56),
			 -EBADMSG);
	/* An id no source has. */
	body[0] = 7;
	assert_int_equal(uprb_check_record(&c, make(&r, PERF_RECORD_LOST,
						    body, 2),
					   80),
			 -EPROTO);
	assert_non_null(strstr(c.what, "id 7"));
	assert_int_equal(c.lost_records, 4);
	assert_int_equal(c.failures, 3);
	uprb_check_fini(&c);
}

static void test_lost_with_trailer_needs_the_trailer(void **state)
{
	struct uprb_check_opts o = {
		.sz = sizeof(o),
		.layout = { .sample_type = ST(TID) | ST(TIME) | ST(IP),
			    .sample_id_all = true },
	};
	uint64_t with[] = { 1, 10, PAIR(100, 101), 5555 };
	uint64_t without[] = { 1, 10 };
	struct uprb_sample s;
	struct uprb_check c;
	struct rec r;

	(void)state;
	assert_int_equal(uprb_check_init(&c, &o), 0);
	assert_int_equal(uprb_check_record(&c, make(&r, PERF_RECORD_LOST,
						    with, 4),
					   0),
			 0);
	assert_int_equal(uprb_parse_sample_id((const void *)r.w, &o.layout, &s,
					      NULL),
			 0);
	assert_int_equal(s.pid, 100);
	assert_int_equal(s.tid, 101);
	assert_int_equal(s.time, 5555);
	assert_int_equal(uprb_check_record(&c, make(&r, PERF_RECORD_LOST,
						    without, 2),
					   40),
			 -EBADMSG);
	assert_non_null(strstr(c.what, "must be 40"));
	assert_int_equal(c.lost_sum, 10);
	uprb_check_fini(&c);
}

/* COMM: pid, tid, "comm" padded to 8, then the trailer. */
static const struct uprb_layout comm_layout = {
	.sample_type = ST(TID) | ST(TIME) | ST(ID) | ST(STREAM_ID) | ST(CPU) |
		       ST(IDENTIFIER),
	.sample_id_all = true,
};

static void test_comm_with_trailer_parses_its_trailer(void **state)
{
	uint64_t body[] = { PAIR(300, 301), 0, PAIR(300, 301), 777, 42, 43,
			    PAIR(6, 0), 42 };
	const char *why = NULL;
	struct uprb_sample s;
	struct rec r;

	(void)state;
	memcpy(&body[1], "sleep\0\0", 8);
	make(&r, PERF_RECORD_COMM, body, 8);
	if (uprb_parse_sample_id((const void *)r.w, &comm_layout, &s, &why))
		fail_msg("%s", why);
	assert_int_equal(s.pid, 300);
	assert_int_equal(s.tid, 301);
	assert_int_equal(s.time, 777);
	assert_int_equal(s.id, 42);
	assert_int_equal(s.stream_id, 43);
	assert_int_equal(s.cpu, 6);
	assert_int_equal(s.identifier, 42);
}

static void test_comm_too_short_or_unterminated_is_ebadmsg(void **state)
{
	uint64_t trailer_only[] = { PAIR(300, 301), PAIR(1, 2), 3, 4, 5,
				    PAIR(6, 0), 7 };
	uint64_t body[] = { PAIR(300, 301), 0, PAIR(1, 2), 3, 4, 5,
			    PAIR(6, 0), 7 };
	const char *why = NULL;
	struct rec r;

	(void)state;
	/* No room for the string once the 48-byte trailer is taken. */
	assert_int_equal(uprb_parse_sample_id(make(&r, PERF_RECORD_COMM,
						   trailer_only, 7),
					      &comm_layout, NULL, &why),
			 -EBADMSG);
	assert_non_null(strstr(why, "COMM"));
	/* The string runs into the trailer without a NUL. */
	memcpy(&body[1], "12345678", 8);
	assert_int_equal(uprb_parse_sample_id(make(&r, PERF_RECORD_COMM, body,
						   8),
					      &comm_layout, NULL, &why),
			 -EBADMSG);
	assert_non_null(strstr(why, "NUL"));
	/* Too short for even the trailer. */
	assert_int_equal(uprb_parse_sample_id(make(&r, PERF_RECORD_COMM, body,
						   3),
					      &comm_layout, NULL, &why),
			 -EBADMSG);
	assert_non_null(strstr(why, "trailer"));
}

static void test_fixed_parts_of_known_types_are_checked(void **state)
{
	static const struct { uint32_t type; size_t min; } t[] = {
		{ PERF_RECORD_MMAP, 5 }, { PERF_RECORD_EXIT, 3 },
		{ PERF_RECORD_FORK, 3 }, { PERF_RECORD_THROTTLE, 3 },
		{ PERF_RECORD_MMAP2, 9 }, { PERF_RECORD_LOST_SAMPLES, 1 },
		{ PERF_RECORD_SWITCH_CPU_WIDE, 1 }, { PERF_RECORD_KSYMBOL, 3 },
		{ PERF_RECORD_BPF_EVENT, 2 }, { PERF_RECORD_CGROUP, 2 },
		{ PERF_RECORD_AUX, 3 }, { PERF_RECORD_ITRACE_START, 1 },
	};
	struct uprb_layout l = { .sample_type = ST(TID), .sample_id_all = true };
	uint64_t body[MAXW] = { 0 };
	struct rec r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		/* Exactly the minimum plus a TID trailer is fine... */
		if (uprb_parse_sample_id(make(&r, t[i].type, body,
					      t[i].min + 1),
					 &l, NULL, NULL))
			fail_msg("type %u: minimum rejected", t[i].type);
		/* ... one u64 less is not. */
		if (uprb_parse_sample_id(make(&r, t[i].type, body, t[i].min),
					 &l, NULL, NULL) != -EBADMSG)
			fail_msg("type %u: short record accepted", t[i].type);
	}
	/* SWITCH has no fixed part: a bare trailer is a whole record. */
	assert_int_equal(uprb_parse_sample_id(make(&r, PERF_RECORD_SWITCH,
						   body, 1),
					      &l, NULL, NULL),
			 0);
}

static void test_counted_parts_of_read_and_namespaces_are_checked(void **state)
{
	struct uprb_layout l = { .sample_type = ST(TID),
				 .sample_id_all = true,
				 .read_format = RF(GROUP) | RF(ID) };
	uint64_t rd[] = { PAIR(1, 2), 2, 10, 100, 20, 200, PAIR(1, 2) };
	uint64_t ns[] = { PAIR(1, 2), 2, 1, 2, 3, 4, PAIR(1, 2) };
	struct rec r;

	(void)state;
	assert_int_equal(uprb_parse_sample_id(make(&r, PERF_RECORD_READ, rd, 7),
					      &l, NULL, NULL),
			 0);
	rd[1] = UINT64_MAX;
	assert_int_equal(uprb_parse_sample_id(make(&r, PERF_RECORD_READ, rd, 7),
					      &l, NULL, NULL),
			 -EBADMSG);
	assert_int_equal(uprb_parse_sample_id(make(&r, PERF_RECORD_NAMESPACES,
						   ns, 7),
					      &l, NULL, NULL),
			 0);
	ns[1] = 1ull << 60;
	assert_int_equal(uprb_parse_sample_id(make(&r, PERF_RECORD_NAMESPACES,
						   ns, 7),
					      &l, NULL, NULL),
			 -EBADMSG);
}

static void test_unknown_type_only_needs_room_for_the_trailer(void **state)
{
	struct uprb_layout l = { .sample_type = ST(TID) | ST(IDENTIFIER),
				 .sample_id_all = true };
	uint64_t body[] = { PAIR(8, 9), 0x5150 };
	struct uprb_sample s;
	struct rec r;

	(void)state;
	assert_int_equal(uprb_parse_sample_id(make(&r, 50, body, 2), &l, &s,
					      NULL),
			 0);
	assert_int_equal(s.tid, 9);
	assert_int_equal(s.identifier, 0x5150);
	assert_int_equal(uprb_parse_sample_id(make(&r, 50, body, 1), &l, &s,
					      NULL),
			 -EBADMSG);
	assert_int_equal(uprb_parse_sample_id(make(&r, 50, body, 0), &l, &s,
					      NULL),
			 -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_samples_parse_into_their_fields),
		cmocka_unit_test(test_table_samples_one_u64_too_long_are_ebadmsg),
		cmocka_unit_test(test_table_samples_one_u64_too_short_are_ebadmsg),
		cmocka_unit_test(test_callchain_nr_that_overflows_is_ebadmsg),
		cmocka_unit_test(test_other_counts_that_overflow_are_ebadmsg),
		cmocka_unit_test(test_raw_size_past_the_end_is_ebadmsg),
		cmocka_unit_test(test_raw_size_that_misaligns_the_rest_is_ebadmsg),
		cmocka_unit_test(test_stack_dyn_size_above_size_is_ebadmsg),
		cmocka_unit_test(test_aux_and_unknown_sample_bits_are_eopnotsupp),
		cmocka_unit_test(test_sample_through_checker_counts_and_reports),
		cmocka_unit_test(test_lost_without_trailer_is_24_bytes),
		cmocka_unit_test(test_lost_with_trailer_needs_the_trailer),
		cmocka_unit_test(test_comm_with_trailer_parses_its_trailer),
		cmocka_unit_test(test_comm_too_short_or_unterminated_is_ebadmsg),
		cmocka_unit_test(test_fixed_parts_of_known_types_are_checked),
		cmocka_unit_test(test_counted_parts_of_read_and_namespaces_are_checked),
		cmocka_unit_test(test_unknown_type_only_needs_room_for_the_trailer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
