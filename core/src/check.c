/* SPDX-License-Identifier: MIT */
/*
 * check.c - the record checker: synthetic records (build, write, verify),
 * kernel record layouts (PERF_RECORD_SAMPLE and sample_id trailers) and the
 * per-stream sequence and loss accounting of uprb_check.h.
 *
 * Everything handed to the parsers is hostile input: a record may come from
 * a ring that user space scribbled on, or from a fuzzer. Every length is
 * therefore checked against header.size before it is used, counts are
 * compared against the bytes left (never multiplied first, so that a count
 * near 2^64 cannot wrap an offset), and fields are read with memcpy so that
 * a record at an odd address costs speed, not correctness.
 *
 * Diagnostics (the @why strings) are formatted into a thread-local buffer:
 * a reason names the part that broke and the offsets involved, which is what
 * one needs to debug a layout mismatch from a fuzzer log. The buffer stays
 * valid until the next parse or verify call on the same thread.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uprb/uprb.h"
#include "uprb/uprb_check.h"

/*
 * PERF_SAMPLE_BRANCH_COUNTERS (Linux 6.8): a u64 of event counts follows the
 * branch entries, one per entry. Older uapi headers lack the name, but a
 * kernel that accepted the attr writes them, so the bit is honoured always.
 */
#define UPRB_BRANCH_COUNTERS (1ull << 19)

/* Bytes of one perf_branch_entry: from, to, flags. */
#define BRANCH_ENTRY_SIZE 24u

static _Thread_local char why_buf[224];

static int vreason(const char **why, int err, const char *fmt, va_list ap)
{
	if (why) {
		vsnprintf(why_buf, sizeof(why_buf), fmt, ap);
		*why = why_buf;
	}
	return err;
}

__attribute__((format(printf, 3, 4)))
static int reason(const char **why, int err, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vreason(why, err, fmt, ap);
	va_end(ap);
	return ret;
}

static struct perf_event_header get_header(const void *ev)
{
	struct perf_event_header h;

	memcpy(&h, ev, sizeof(h));
	return h;
}

/* ------------------------------------------------------------------------ */
/* Synthetic records                                                        */
/* ------------------------------------------------------------------------ */

/* splitmix64's finaliser: every input bit reaches every output bit. */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/*
 * The check field: a hash of everything in the first 16 bytes but itself,
 * folded to 16 bits. A torn or misplaced header, a record read at the wrong
 * offset or a stale sequence number then fails with probability 1 - 2^-16
 * even before the payload is compared.
 */
static uint16_t synth_check(uint32_t type, uint16_t misc, uint16_t size,
			    uint32_t seq, uint16_t source)
{
	uint64_t h;

	h = mix64(((uint64_t)type << 32 | (uint64_t)misc << 16 | size) ^
		  0x72696e67746f7274ull);
	h = mix64(h ^ ((uint64_t)seq << 16 | source));
	return (uint16_t)(h ^ h >> 16 ^ h >> 32 ^ h >> 48);
}

bool uprb_synth_size_ok(unsigned int size)
{
	return size >= UPRB_SYNTH_MIN_SIZE && size <= UPRB_MAX_RECORD &&
	       !(size & 7);
}

static void synth_head(struct uprb_synth *s, unsigned int size,
		       uint16_t source, uint8_t level, uint8_t cpu,
		       uint32_t seq)
{
	s->header.type = UPRB_RECORD_SYNTH;
	s->header.misc = (uint16_t)(level | (unsigned int)cpu << 8);
	s->header.size = (uint16_t)size;
	s->seq = seq;
	s->source = source;
	s->check = synth_check(s->header.type, s->header.misc,
			       s->header.size, seq, source);
}

size_t uprb_synth_build(void *buf, unsigned int size, uint16_t source,
			uint8_t level, uint8_t cpu, uint32_t seq)
{
	unsigned char *p = buf;
	struct uprb_synth s;
	uint32_t i, n;

	if (!uprb_synth_size_ok(size))
		return 0;
	synth_head(&s, size, source, level, cpu, seq);
	memcpy(p, &s, sizeof(s));
	n = (size - UPRB_SYNTH_MIN_SIZE) / 8;
	for (i = 0; i < n; i++) {
		uint64_t w = uprb_synth_word(source, seq, i);

		memcpy(p + UPRB_SYNTH_MIN_SIZE + (size_t)i * 8, &w, 8);
	}
	return size;
}

void uprb_synth_emit(unsigned int size, uint16_t source, uint8_t level,
		     uint8_t cpu, uint32_t seq, uprb_synth_copy_fn *copy,
		     void *arg)
{
	/*
	 * This runs in signal handlers, possibly several deep: a small
	 * chunk on the stack, no allocation, no errno, no logging.
	 */
	uint64_t chunk[32];
	struct uprb_synth s;
	uint32_t i, n;

	synth_head(&s, size, source, level, cpu, seq);
	copy(arg, &s, sizeof(s));
	n = (size - UPRB_SYNTH_MIN_SIZE) / 8;
	for (i = 0; i < n;) {
		uint32_t k;

		for (k = 0; k < 32 && i < n; k++, i++)
			chunk[k] = uprb_synth_word(source, seq, i);
		copy(arg, chunk, k * 8);
	}
}

static void synth_copy(void *h, const void *buf, unsigned int len)
{
	uprb_output_copy(h, buf, len);
}

int uprb_synth_write(struct uprb_ring *rb, struct uprb_source *src,
		     unsigned int size, uint16_t source, uint8_t level,
		     uint8_t cpu, uint32_t seq)
{
	struct uprb_handle h;
	int ret;

	/* begin would take any size; a synthetic record must stay verifiable. */
	if (!uprb_synth_size_ok(size))
		return -EINVAL;
	ret = uprb_output_begin(&h, rb, src, size);
	if (ret)
		return ret;
	uprb_synth_emit(size, source, level, cpu, seq, synth_copy, &h);
	uprb_output_sample_done(&h);
	uprb_output_end(&h);
	return 0;
}

int uprb_synth_verify(const struct perf_event_header *ev,
		      struct uprb_synth_info *out, const char **why)
{
	const unsigned char *p = (const void *)ev;
	struct perf_event_header h = get_header(ev);
	struct uprb_synth s;
	uint16_t want;
	uint32_t i, n;

	if (h.type != UPRB_RECORD_SYNTH)
		return reason(why, -EBADMSG, "SYNTH: type %u is not 0x%x",
			      h.type, UPRB_RECORD_SYNTH);
	if (!uprb_synth_size_ok(h.size))
		return reason(why, -EBADMSG,
			      "SYNTH: size %u not a multiple of 8 in %u..%u",
			      h.size, UPRB_SYNTH_MIN_SIZE, UPRB_MAX_RECORD);
	memcpy(&s, p, sizeof(s));
	want = synth_check(h.type, h.misc, h.size, s.seq, s.source);
	if (s.check != want)
		return reason(why, -EBADMSG,
			      "SYNTH: check 0x%04x, want 0x%04x (seq %" PRIu32
			      " source %u misc 0x%04x)",
			      s.check, want, s.seq, s.source, h.misc);
	n = (h.size - UPRB_SYNTH_MIN_SIZE) / 8;
	for (i = 0; i < n; i++) {
		uint64_t w, e = uprb_synth_word(s.source, s.seq, i);

		memcpy(&w, p + UPRB_SYNTH_MIN_SIZE + (size_t)i * 8, 8);
		if (w != e)
			return reason(why, -EBADMSG,
				      "SYNTH: payload word %" PRIu32
				      " (offset %" PRIu32 ") is 0x%016" PRIx64
				      ", want 0x%016" PRIx64 " (seq %" PRIu32
				      " source %u)",
				      i, UPRB_SYNTH_MIN_SIZE + i * 8, w, e,
				      s.seq, s.source);
	}
	if (out) {
		out->seq = s.seq;
		out->source = s.source;
		out->level = (uint8_t)(h.misc & 0xff);
		out->cpu = (uint8_t)(h.misc >> 8);
		out->size = h.size;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Kernel records                                                           */
/* ------------------------------------------------------------------------ */

/* A read cursor over one record: [off, end) is what is left. */
struct cursor {
	const unsigned char *p;
	size_t off;
	size_t end;
};

static size_t cur_left(const struct cursor *c)
{
	return c->end - c->off;
}

static int get_u64(struct cursor *c, const char *part, uint64_t *v,
		   const char **why)
{
	if (cur_left(c) < 8)
		return reason(why, -EBADMSG,
			      "SAMPLE: %s runs past size %zu at offset %zu",
			      part, c->end, c->off);
	memcpy(v, c->p + c->off, 8);
	c->off += 8;
	return 0;
}

/*
 * Take @nr elements of @elem bytes. The count is compared with what is left
 * divided by the element size, so no product is formed before it is known
 * to fit: nr may be anything a hostile record says.
 */
static int get_array(struct cursor *c, const char *part, uint64_t nr,
		     size_t elem, const void **at, const char **why)
{
	if (nr > cur_left(c) / elem)
		return reason(why, -EBADMSG,
			      "SAMPLE: %s nr %" PRIu64
			      " runs past size %zu at offset %zu",
			      part, nr, c->end, c->off);
	if (at)
		*at = c->p + c->off;
	c->off += (size_t)nr * elem;
	return 0;
}

/* The read_format part of a SAMPLE (PERF_SAMPLE_READ). */
static int parse_read(struct cursor *c, uint64_t rf, uint64_t *nr_out,
		      const char **why)
{
	size_t times = !!(rf & PERF_FORMAT_TOTAL_TIME_ENABLED) +
		       !!(rf & PERF_FORMAT_TOTAL_TIME_RUNNING);
	size_t per = 1 + !!(rf & PERF_FORMAT_ID) + !!(rf & PERF_FORMAT_LOST);
	uint64_t nr = 0;
	int ret;

	if (!(rf & PERF_FORMAT_GROUP)) {
		/* value, [enabled], [running], [id], [lost] */
		ret = get_array(c, "read values", per + times, 8, NULL, why);
		*nr_out = 1;
		return ret;
	}
	/* nr, [enabled], [running], then nr x { value, [id], [lost] } */
	ret = get_u64(c, "read group nr", &nr, why);
	if (!ret)
		ret = get_array(c, "read group times", times, 8, NULL, why);
	if (!ret)
		ret = get_array(c, "read group", nr, per * 8, NULL, why);
	*nr_out = nr;
	return ret;
}

/* abi, then one u64 per bit of @mask unless abi is NONE. */
static int parse_regs(struct cursor *c, const char *part, uint64_t mask,
		      uint64_t *abi, const char **why)
{
	int ret;

	ret = get_u64(c, part, abi, why);
	if (ret)
		return ret;
	if (*abi > PERF_SAMPLE_REGS_ABI_64)
		return reason(why, -EBADMSG,
			      "SAMPLE: %s abi %" PRIu64 " unknown at offset %zu",
			      part, *abi, c->off - 8);
	if (*abi == PERF_SAMPLE_REGS_ABI_NONE)
		return 0;
	return get_array(c, part, (uint64_t)__builtin_popcountll(mask), 8,
			 NULL, why);
}

static int parse_stack_user(struct cursor *c, struct uprb_sample *out,
			    const char **why)
{
	int ret;

	ret = get_u64(c, "stack_user size", &out->stack_user_size, why);
	if (ret)
		return ret;
	/* A task without a user stack writes size 0 and no dyn_size. */
	if (!out->stack_user_size)
		return 0;
	/* The kernel rounds the dump to u64s: anything else misaligns. */
	if (out->stack_user_size & 7)
		return reason(why, -EBADMSG,
			      "SAMPLE: stack_user size %" PRIu64
			      " not a multiple of 8 at offset %zu",
			      out->stack_user_size, c->off - 8);
	ret = get_array(c, "stack_user data", out->stack_user_size, 1, NULL,
			why);
	if (!ret)
		ret = get_u64(c, "stack_user dyn_size",
			      &out->stack_user_dyn_size, why);
	if (!ret && out->stack_user_dyn_size > out->stack_user_size)
		return reason(why, -EBADMSG,
			      "SAMPLE: stack_user dyn_size %" PRIu64
			      " above size %" PRIu64 " at offset %zu",
			      out->stack_user_dyn_size, out->stack_user_size,
			      c->off - 8);
	return ret;
}

static int parse_raw(struct cursor *c, struct uprb_sample *out,
		     const char **why)
{
	uint32_t size;

	if (cur_left(c) < 4)
		return reason(why, -EBADMSG,
			      "SAMPLE: raw size runs past size %zu at offset %zu",
			      c->end, c->off);
	memcpy(&size, c->p + c->off, 4);
	if (size > cur_left(c) - 4)
		return reason(why, -EBADMSG,
			      "SAMPLE: raw size %" PRIu32
			      " runs past size %zu at offset %zu",
			      size, c->end, c->off);
	/*
	 * The kernel counts its padding in size, so that u32 + data is a
	 * whole number of u64s; anything else leaves the rest misaligned.
	 */
	if ((size + 4) & 7)
		return reason(why, -EBADMSG,
			      "SAMPLE: raw size %" PRIu32
			      " at offset %zu leaves the rest misaligned",
			      size, c->off);
	out->raw_size = size;
	out->raw = c->p + c->off + 4;
	c->off += 4 + (size_t)size;
	return 0;
}

static int parse_branch(struct cursor *c, uint64_t bst,
			struct uprb_sample *out, const char **why)
{
	size_t elem = BRANCH_ENTRY_SIZE;
	uint64_t hw_idx;
	int ret;

	ret = get_u64(c, "branch nr", &out->branch_nr, why);
	if (!ret && (bst & PERF_SAMPLE_BRANCH_HW_INDEX))
		ret = get_u64(c, "branch hw_idx", &hw_idx, why);
	if (ret)
		return ret;
	/* Entries, then as many counter words: one bound covers both. */
	if (bst & UPRB_BRANCH_COUNTERS)
		elem += 8;
	return get_array(c, "branch", out->branch_nr, elem, NULL, why);
}

/*
 * One u64 slot of the sample, in kernel output order: @keep bytes of it are
 * stored at @off in struct uprb_sample (8, or 4 for cpu of cpu/res; pid/tid
 * lands as one 8-byte pair, the two fields being adjacent).
 */
struct sample_word {
	uint64_t bit;
	const char *name;
	size_t off;
	size_t keep;
};

#define SW(b, n, f) { b, n, offsetof(struct uprb_sample, f), 8 }

/* The fixed words before the variable parts. */
static const struct sample_word head_words[] = {
	SW(PERF_SAMPLE_IDENTIFIER, "identifier", identifier),
	SW(PERF_SAMPLE_IP, "ip", ip),
	SW(PERF_SAMPLE_TID, "tid", pid),
	SW(PERF_SAMPLE_TIME, "time", time),
	SW(PERF_SAMPLE_ADDR, "addr", addr),
	SW(PERF_SAMPLE_ID, "id", id),
	SW(PERF_SAMPLE_STREAM_ID, "stream_id", stream_id),
	{ PERF_SAMPLE_CPU, "cpu", offsetof(struct uprb_sample, cpu), 4 },
	SW(PERF_SAMPLE_PERIOD, "period", period),
};

/* The fixed words after them. */
static const struct sample_word tail_words[] = {
	SW(PERF_SAMPLE_WEIGHT_TYPE, "weight", weight),
	SW(PERF_SAMPLE_DATA_SRC, "data_src", data_src),
	SW(PERF_SAMPLE_TRANSACTION, "transaction", transaction),
	{ PERF_SAMPLE_REGS_INTR, NULL, 0, 0 }, /* regs_intr goes here */
	SW(PERF_SAMPLE_PHYS_ADDR, "phys_addr", phys_addr),
	SW(PERF_SAMPLE_CGROUP, "cgroup", cgroup),
	SW(PERF_SAMPLE_DATA_PAGE_SIZE, "data_page_size", data_page_size),
	SW(PERF_SAMPLE_CODE_PAGE_SIZE, "code_page_size", code_page_size),
};

/* The sample_id trailer of other records: IDENTIFIER last. */
static const struct sample_word id_words[] = {
	SW(PERF_SAMPLE_TID, "tid", pid),
	SW(PERF_SAMPLE_TIME, "time", time),
	SW(PERF_SAMPLE_ID, "id", id),
	SW(PERF_SAMPLE_STREAM_ID, "stream_id", stream_id),
	{ PERF_SAMPLE_CPU, "cpu", offsetof(struct uprb_sample, cpu), 4 },
	SW(PERF_SAMPLE_IDENTIFIER, "identifier", identifier),
};

static int put_word(struct cursor *c, const struct sample_word *w,
		    struct uprb_sample *out, const char **why)
{
	uint64_t v = 0;
	int ret;

	ret = get_u64(c, w->name, &v, why);
	if (!ret)
		memcpy((unsigned char *)out + w->off, &v, w->keep);
	return ret;
}

int uprb_parse_sample(const struct perf_event_header *ev,
		      const struct uprb_layout *l, struct uprb_sample *out,
		      const char **why)
{
	struct perf_event_header h = get_header(ev);
	uint64_t t = l->sample_type;
	struct uprb_sample scratch;
	struct cursor c;
	const void *at = NULL;
	size_t i;
	int ret;

	if (!out)
		out = &scratch;
	memset(out, 0, sizeof(*out));
	if (h.type != PERF_RECORD_SAMPLE)
		return reason(why, -EBADMSG,
			      "SAMPLE: type %u is not PERF_RECORD_SAMPLE",
			      h.type);
	if (h.size < sizeof(h) || (h.size & 7))
		return reason(why, -EBADMSG, "SAMPLE: bad size %u", h.size);
	if (t & ~((uint64_t)PERF_SAMPLE_MAX - 1))
		return reason(why, -EOPNOTSUPP,
			      "SAMPLE: unknown sample_type bits 0x%" PRIx64,
			      t & ~((uint64_t)PERF_SAMPLE_MAX - 1));
	if (t & PERF_SAMPLE_AUX)
		return reason(why, -EOPNOTSUPP,
			      "SAMPLE: PERF_SAMPLE_AUX not supported");
	if ((t & PERF_SAMPLE_READ) &&
	    (l->read_format & ~((uint64_t)PERF_FORMAT_MAX - 1)))
		return reason(why, -EOPNOTSUPP,
			      "SAMPLE: unknown read_format bits 0x%" PRIx64,
			      l->read_format &
				      ~((uint64_t)PERF_FORMAT_MAX - 1));

	c.p = (const void *)ev;
	c.off = sizeof(h);
	c.end = h.size;

	/* The fixed words, in perf_output_sample() order. */
	for (i = 0; i < sizeof(head_words) / sizeof(head_words[0]); i++) {
		if (!(t & head_words[i].bit))
			continue;
		ret = put_word(&c, &head_words[i], out, why);
		if (ret)
			return ret;
	}

	/* The variable parts. */
	if (t & PERF_SAMPLE_READ) {
		ret = parse_read(&c, l->read_format, &out->read_nr, why);
		if (ret)
			return ret;
	}
	if (t & PERF_SAMPLE_CALLCHAIN) {
		ret = get_u64(&c, "callchain nr", &out->callchain_nr, why);
		if (!ret)
			ret = get_array(&c, "callchain", out->callchain_nr, 8,
					&at, why);
		if (ret)
			return ret;
		out->callchain = at;
	}
	if (t & PERF_SAMPLE_RAW) {
		ret = parse_raw(&c, out, why);
		if (ret)
			return ret;
	}
	if (t & PERF_SAMPLE_BRANCH_STACK) {
		ret = parse_branch(&c, l->branch_sample_type, out, why);
		if (ret)
			return ret;
	}
	if (t & PERF_SAMPLE_REGS_USER) {
		ret = parse_regs(&c, "regs_user", l->sample_regs_user,
				 &out->regs_user_abi, why);
		if (ret)
			return ret;
	}
	if (t & PERF_SAMPLE_STACK_USER) {
		ret = parse_stack_user(&c, out, why);
		if (ret)
			return ret;
	}
	for (i = 0; i < sizeof(tail_words) / sizeof(tail_words[0]); i++) {
		const struct sample_word *w = &tail_words[i];
		uint64_t abi;

		if (!(t & w->bit))
			continue;
		if (w->name)
			ret = put_word(&c, w, out, why);
		else
			ret = parse_regs(&c, "regs_intr", l->sample_regs_intr,
					 &abi, why);
		if (ret)
			return ret;
	}

	if (c.off != c.end)
		return reason(why, -EBADMSG,
			      "SAMPLE: parts end at offset %zu, size is %zu "
			      "(%zu bytes left over)",
			      c.off, c.end, c.end - c.off);
	return 0;
}

/*
 * Fixed parts of the kernel's non-SAMPLE records, after the header and
 * before the trailer. @str: a NUL-terminated string, zero-padded to u64s,
 * follows the fixed part (at least 8 bytes). Variable parts that have a
 * count (READ, NAMESPACES, TEXT_POKE) are sized in record_min().
 */
struct record_kind {
	const char *name;
	uint16_t fixed;
	bool str;
};

static const struct record_kind record_kinds[] = {
	[PERF_RECORD_MMAP] = { "MMAP", 32, true },
	[PERF_RECORD_LOST] = { "LOST", 16, false },
	[PERF_RECORD_COMM] = { "COMM", 8, true },
	[PERF_RECORD_EXIT] = { "EXIT", 24, false },
	[PERF_RECORD_THROTTLE] = { "THROTTLE", 24, false },
	[PERF_RECORD_UNTHROTTLE] = { "UNTHROTTLE", 24, false },
	[PERF_RECORD_FORK] = { "FORK", 24, false },
	[PERF_RECORD_READ] = { "READ", 8, false },
	[PERF_RECORD_SAMPLE] = { "SAMPLE", 0, false },
	[PERF_RECORD_MMAP2] = { "MMAP2", 64, true },
	[PERF_RECORD_AUX] = { "AUX", 24, false },
	[PERF_RECORD_ITRACE_START] = { "ITRACE_START", 8, false },
	[PERF_RECORD_LOST_SAMPLES] = { "LOST_SAMPLES", 8, false },
	[PERF_RECORD_SWITCH] = { "SWITCH", 0, false },
	[PERF_RECORD_SWITCH_CPU_WIDE] = { "SWITCH_CPU_WIDE", 8, false },
	[PERF_RECORD_NAMESPACES] = { "NAMESPACES", 16, false },
	[PERF_RECORD_KSYMBOL] = { "KSYMBOL", 16, true },
	[PERF_RECORD_BPF_EVENT] = { "BPF_EVENT", 16, false },
	[PERF_RECORD_CGROUP] = { "CGROUP", 8, true },
	[PERF_RECORD_TEXT_POKE] = { "TEXT_POKE", 12, false },
	[PERF_RECORD_AUX_OUTPUT_HW_ID] = { "AUX_OUTPUT_HW_ID", 8, false },
};

static const struct record_kind *record_kind(uint32_t type)
{
	if (type >= sizeof(record_kinds) / sizeof(record_kinds[0]) ||
	    !record_kinds[type].name)
		return NULL;
	return &record_kinds[type];
}

static const char *type_name(uint32_t type)
{
	const struct record_kind *k = record_kind(type);

	if (type == UPRB_RECORD_SYNTH)
		return "SYNTH";
	return k ? k->name : "?";
}

/*
 * Smallest body (bytes after the header, trailer excluded) a record of a
 * known kind can have, reading counts out of the record where the layout
 * has them; @avail bytes of body precede the trailer. Return: 0 and *min,
 * or -EBADMSG when a count itself does not fit.
 */
static int record_min(const unsigned char *p, uint32_t type,
		      const struct uprb_layout *l, size_t avail, size_t *min,
		      const char **why)
{
	const struct record_kind *k = record_kind(type);
	uint64_t rf = l->read_format;
	uint16_t len[2];
	uint64_t nr;

	*min = k->fixed + (k->str ? 8 : 0);
	switch (type) {
	case PERF_RECORD_READ: {
		size_t times = !!(rf & PERF_FORMAT_TOTAL_TIME_ENABLED) +
			       !!(rf & PERF_FORMAT_TOTAL_TIME_RUNNING);
		size_t per = 1 + !!(rf & PERF_FORMAT_ID) +
			     !!(rf & PERF_FORMAT_LOST);

		/* pid, tid, then a read_format as PERF_SAMPLE_READ has it. */
		if (!(rf & PERF_FORMAT_GROUP)) {
			*min += (times + per) * 8;
			return 0;
		}
		*min += 8 + times * 8;
		if (avail < *min)
			return 0;	/* reported as too short */
		memcpy(&nr, p + 8 + 8, 8);
		if (nr > (avail - *min) / (per * 8))
			return reason(why, -EBADMSG,
				      "READ: group nr %" PRIu64
				      " runs past the trailer at offset %zu",
				      nr, 8 + avail);
		*min += (size_t)nr * per * 8;
		return 0;
	}
	case PERF_RECORD_NAMESPACES:
		/* pid, tid, nr_namespaces, then { dev, inode } each. */
		if (avail < *min)
			return 0;
		memcpy(&nr, p + 8 + 8, 8);
		if (nr > (avail - *min) / 16)
			return reason(why, -EBADMSG,
				      "NAMESPACES: nr_namespaces %" PRIu64
				      " runs past the trailer at offset %zu",
				      nr, 8 + avail);
		*min += (size_t)nr * 16;
		return 0;
	case PERF_RECORD_TEXT_POKE:
		/* addr; old_len, new_len and the bytes, padded to u64s. */
		if (avail < *min)
			return 0;
		memcpy(len, p + 8 + 8, sizeof(len));
		*min = 8 + (((size_t)4 + len[0] + len[1] + 7) & ~(size_t)7);
		return 0;
	default:
		return 0;
	}
}

int uprb_parse_sample_id(const struct perf_event_header *ev,
			 const struct uprb_layout *l, struct uprb_sample *out,
			 const char **why)
{
	const unsigned char *p = (const void *)ev;
	struct perf_event_header h = get_header(ev);
	const struct record_kind *k;
	struct uprb_sample scratch;
	uint64_t t = l->sample_type;
	size_t trailer, avail, min;
	struct cursor c;
	int ret;

	/* A SAMPLE carries the same fields in its body: parse that. */
	if (h.type == PERF_RECORD_SAMPLE)
		return uprb_parse_sample(ev, l, out, why);
	if (!out)
		out = &scratch;
	memset(out, 0, sizeof(*out));
	if (h.size < sizeof(h) || (h.size & 7))
		return reason(why, -EBADMSG, "type %u: bad size %u", h.type,
			      h.size);

	k = record_kind(h.type);
	trailer = l->sample_id_all ? uprb_id_header_size(t) : 0;
	if (h.size - sizeof(h) < trailer)
		return reason(why, -EBADMSG,
			      "%s: trailer of %zu bytes does not fit in size %u",
			      k ? k->name : "record", trailer, h.size);
	avail = h.size - sizeof(h) - trailer;

	if (k) {
		ret = record_min(p, h.type, l, avail, &min, why);
		if (ret)
			return ret;
		if (avail < min)
			return reason(why, -EBADMSG,
				      "%s: size %u is short of 8 + fixed part "
				      "%zu + trailer %zu",
				      k->name, h.size, min, trailer);
		/* The kernel always leaves at least one NUL of padding. */
		if (k->str && !memchr(p + 8 + k->fixed, 0, avail - k->fixed))
			return reason(why, -EBADMSG,
				      "%s: string at offset %u has no NUL "
				      "before the trailer at offset %zu",
				      k->name, 8 + k->fixed, 8 + avail);
	}

	/*
	 * The trailer, in struct sample_id order; IDENTIFIER ends it. Its
	 * size came from the same bits, so each read below fits.
	 */
	if (!trailer)
		return 0;
	c.p = p;
	c.off = h.size - trailer;
	c.end = h.size;
	for (size_t i = 0; i < sizeof(id_words) / sizeof(id_words[0]); i++)
		if (t & id_words[i].bit)
			put_word(&c, &id_words[i], out, NULL);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The stream checker                                                       */
/* ------------------------------------------------------------------------ */

int uprb_check_init(struct uprb_check *c, const struct uprb_check_opts *o)
{
	size_t n;

	if (!c || !o)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	if (o->sz < sizeof(*o))
		return -EINVAL;
	/* A source is a u16 in the record. */
	if (o->nsources > (uint32_t)UINT16_MAX + 1)
		return -EINVAL;
	if (o->order != UPRB_CHECK_ORDER_ASCENDING &&
	    o->order != UPRB_CHECK_ORDER_NONE)
		return -EINVAL;
	if (o->nlost_ids && !o->lost_ids)
		return -EINVAL;
	c->o = *o;
	c->o.sz = sizeof(*o);
	n = (size_t)o->nsources * UPRB_LEVEL_COUNT;
	if (n) {
		c->streams = calloc(n, sizeof(*c->streams));
		if (!c->streams)
			return -ENOMEM;
	}
	return 0;
}

void uprb_check_fini(struct uprb_check *c)
{
	if (!c)
		return;
	free(c->streams);
	c->streams = NULL;
}

__attribute__((format(printf, 3, 4)))
static int check_fail(struct uprb_check *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->what, sizeof(c->what), fmt, ap);
	va_end(ap);
	if (!c->failures++)
		memcpy(c->first, c->what, sizeof(c->first));
	return err;
}

#define REC_FMT "pos %" PRIu64 " type %u (%s) size %u: "
#define REC_ARGS(pos, h) (pos), (h).type, type_name((h).type), (h).size

static int check_synth(struct uprb_check *c,
		       const struct perf_event_header *ev, uint64_t pos)
{
	struct perf_event_header h = get_header(ev);
	struct uprb_check_stream *s;
	struct uprb_synth_info info;
	const char *why = NULL;
	uint32_t d;
	int ret;

	c->synth++;
	ret = uprb_synth_verify(ev, &info, &why);
	if (ret)
		return check_fail(c, ret, REC_FMT "%s", REC_ARGS(pos, h), why);
	if (info.source >= c->o.nsources)
		return check_fail(c, -EPROTO,
				  REC_FMT "SYNTH: source %u, only %" PRIu32
				  " expected",
				  REC_ARGS(pos, h), info.source,
				  c->o.nsources);
	if (info.level >= UPRB_LEVEL_COUNT)
		return check_fail(c, -EPROTO,
				  REC_FMT "SYNTH: level %u out of range "
				  "(source %u seq %" PRIu32 ")",
				  REC_ARGS(pos, h), info.level, info.source,
				  info.seq);

	s = &c->streams[(size_t)info.source * UPRB_LEVEL_COUNT + info.level];
	/* It arrived: conservation counts what the reader was handed. */
	s->delivered++;
	s->seen = true;
	if (c->o.order != UPRB_CHECK_ORDER_ASCENDING)
		return 0;

	/*
	 * Sequence numbers are 32 bits and wrap; the stream's position is
	 * kept unwrapped, starting at 0. Half the number space ahead counts
	 * as forward (a gap), the other half as a step back, which no
	 * forward non-overwrite reader may ever see.
	 */
	d = info.seq - (uint32_t)s->next_seq;
	if (d >= 1u << 31)
		return check_fail(c, -EPROTO,
				  REC_FMT "SYNTH: source %u level %u seq %"
				  PRIu32 " steps back, expected %" PRIu64
				  " (mod 2^32: %" PRIu32 ")",
				  REC_ARGS(pos, h), info.source, info.level,
				  info.seq, s->next_seq,
				  (uint32_t)s->next_seq);
	s->gaps += d;
	s->next_seq += (uint64_t)d + 1;
	return 0;
}

static int check_lost(struct uprb_check *c,
		      const struct perf_event_header *ev, uint64_t pos)
{
	const struct uprb_layout *l = &c->o.layout;
	struct perf_event_header h = get_header(ev);
	unsigned int want = UPRB_LOST_RECORD_SIZE;
	uint64_t v[2];
	size_t i;

	c->lost_records++;
	if (l->sample_id_all)
		want += uprb_id_header_size(l->sample_type);
	if (h.size != want)
		return check_fail(c, -EBADMSG,
				  REC_FMT "LOST: size must be %u (24 + "
				  "trailer %u)",
				  REC_ARGS(pos, h), want, want - 24);
	if (h.misc)
		return check_fail(c, -EBADMSG, REC_FMT "LOST: misc 0x%x, not 0",
				  REC_ARGS(pos, h), h.misc);
	memcpy(v, (const unsigned char *)ev + sizeof(h), sizeof(v));
	if (c->o.lost_ids) {
		for (i = 0; i < c->o.nlost_ids; i++)
			if (c->o.lost_ids[i] == v[0])
				break;
		if (i == c->o.nlost_ids)
			return check_fail(c, -EPROTO,
					  REC_FMT "LOST: id %" PRIu64
					  " is no known source (lost %" PRIu64
					  ")",
					  REC_ARGS(pos, h), v[0], v[1]);
	}
	c->lost_sum += v[1];
	return 0;
}

int uprb_check_record(struct uprb_check *c, const struct perf_event_header *ev,
		      uint64_t pos)
{
	struct perf_event_header h = get_header(ev);
	const char *why = NULL;
	struct uprb_sample s;
	int ret;

	c->records++;
	c->bytes += h.size;
	/*
	 * Every size above 65528 is also not a multiple of 8: test the
	 * bound first so that each error keeps its own code.
	 */
	if (h.size < sizeof(h))
		return check_fail(c, -EBADMSG, REC_FMT "size below 8",
				  REC_ARGS(pos, h));
	if (h.size > UPRB_MAX_RECORD)
		return check_fail(c, -EMSGSIZE, REC_FMT "size above %u",
				  REC_ARGS(pos, h), UPRB_MAX_RECORD);
	if (h.size & 7)
		return check_fail(c, -EILSEQ, REC_FMT "size not a multiple of 8",
				  REC_ARGS(pos, h));

	switch (h.type) {
	case UPRB_RECORD_SYNTH:
		return check_synth(c, ev, pos);
	case PERF_RECORD_LOST:
		return check_lost(c, ev, pos);
	case PERF_RECORD_SAMPLE:
		c->samples++;
		ret = uprb_parse_sample(ev, &c->o.layout, &s, &why);
		break;
	default:
		c->other++;
		/* Without sample_id_all this still checks the fixed part. */
		ret = uprb_parse_sample_id(ev, &c->o.layout, &s, &why);
		break;
	}
	if (ret)
		return check_fail(c, ret, REC_FMT "%s", REC_ARGS(pos, h),
				  why ? why : "malformed");
	return 0;
}

uint64_t uprb_check_delivered(const struct uprb_check *c)
{
	size_t i, n = (size_t)c->o.nsources * UPRB_LEVEL_COUNT;
	uint64_t sum = 0;

	for (i = 0; i < n; i++)
		sum += c->streams[i].delivered;
	return sum;
}

int uprb_check_conservation(struct uprb_check *c, uint64_t attempted,
			    uint64_t pending)
{
	size_t i, n = (size_t)c->o.nsources * UPRB_LEVEL_COUNT;
	uint64_t delivered = uprb_check_delivered(c);
	uint64_t gaps = 0;

	if (attempted != delivered + c->lost_sum + pending)
		return check_fail(c, -EPROTO,
				  "conservation: attempted %" PRIu64
				  " != delivered %" PRIu64 " + lost %" PRIu64
				  " + pending %" PRIu64 " (off by %" PRId64 ")",
				  attempted, delivered, c->lost_sum, pending,
				  (int64_t)(attempted - delivered -
					    c->lost_sum - pending));
	if (c->o.order != UPRB_CHECK_ORDER_ASCENDING)
		return 0;
	for (i = 0; i < n; i++)
		gaps += c->streams[i].gaps;
	/*
	 * Every skipped sequence number is a drop, but not every drop is a
	 * gap: drops at a stream's end leave none. Hence <=, not ==.
	 */
	if (gaps > c->lost_sum + pending)
		return check_fail(c, -EPROTO,
				  "conservation: sequence gaps %" PRIu64
				  " > lost %" PRIu64 " + pending %" PRIu64
				  " (attempted %" PRIu64 ", delivered %" PRIu64
				  ")",
				  gaps, c->lost_sum, pending, attempted,
				  delivered);
	return 0;
}
