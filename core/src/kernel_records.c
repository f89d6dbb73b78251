/* SPDX-License-Identifier: MIT */
/*
 * kernel_records.c - the layouts of the kernel's records (uprb_records.h):
 * a PERF_RECORD_SAMPLE part by part in perf_output_sample() order, the
 * fixed parts of the other record types, and their sample_id trailers.
 *
 * Counts are compared against the bytes left, never multiplied first, so
 * that a count near 2^64 cannot wrap an offset (record_parse.h says why
 * every input here is hostile).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "uprb/uprb.h"
#include "uprb/uprb_records.h"
#include "record_parse.h"

/*
 * PERF_SAMPLE_BRANCH_COUNTERS (Linux 6.8): a u64 of event counts follows the
 * branch entries, one per entry. Older uapi headers lack the name, but a
 * kernel that accepted the attr writes them, so the bit is honoured always.
 */
#define UPRB_BRANCH_COUNTERS (1ull << 19)

/* Bytes of one perf_branch_entry: from, to, flags. */
#define BRANCH_ENTRY_SIZE 24u

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
		return uprb_reason(why, -EBADMSG,
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
		return uprb_reason(why, -EBADMSG,
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
		return uprb_reason(why, -EBADMSG,
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
		return uprb_reason(why, -EBADMSG,
				   "SAMPLE: stack_user size %" PRIu64
				   " not a multiple of 8 at offset %zu",
				   out->stack_user_size, c->off - 8);
	ret = get_array(c, "stack_user data", out->stack_user_size, 1, NULL,
			why);
	if (!ret)
		ret = get_u64(c, "stack_user dyn_size",
			      &out->stack_user_dyn_size, why);
	if (!ret && out->stack_user_dyn_size > out->stack_user_size)
		return uprb_reason(why, -EBADMSG,
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
		return uprb_reason(why, -EBADMSG,
				   "SAMPLE: raw size runs past size %zu at offset %zu",
				   c->end, c->off);
	memcpy(&size, c->p + c->off, 4);
	if (size > cur_left(c) - 4)
		return uprb_reason(why, -EBADMSG,
				   "SAMPLE: raw size %" PRIu32
				   " runs past size %zu at offset %zu",
				   size, c->end, c->off);
	/*
	 * The kernel counts its padding in size, so that u32 + data is a
	 * whole number of u64s; anything else leaves the rest misaligned.
	 */
	if ((size + 4) & 7)
		return uprb_reason(why, -EBADMSG,
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
	struct perf_event_header h = record_header(ev);
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
		return uprb_reason(why, -EBADMSG,
				   "SAMPLE: type %u is not PERF_RECORD_SAMPLE",
				   h.type);
	if (h.size < sizeof(h) || (h.size & 7))
		return uprb_reason(why, -EBADMSG, "SAMPLE: bad size %u", h.size);
	if (t & ~((uint64_t)PERF_SAMPLE_MAX - 1))
		return uprb_reason(why, -EOPNOTSUPP,
				   "SAMPLE: unknown sample_type bits 0x%" PRIx64,
				   t & ~((uint64_t)PERF_SAMPLE_MAX - 1));
	if (t & PERF_SAMPLE_AUX)
		return uprb_reason(why, -EOPNOTSUPP,
				   "SAMPLE: PERF_SAMPLE_AUX not supported");
	if ((t & PERF_SAMPLE_READ) &&
	    (l->read_format & ~((uint64_t)PERF_FORMAT_MAX - 1)))
		return uprb_reason(why, -EOPNOTSUPP,
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
		return uprb_reason(why, -EBADMSG,
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

const char *uprb_record_kind_name(uint32_t type)
{
	const struct record_kind *k = record_kind(type);

	return k ? k->name : NULL;
}

/*
 * The count after pid and tid (body offset 8) of @elem-byte entries that
 * follow *@min bytes: they must fit in the @avail bytes before the trailer
 * (compared by division: the count is hostile); *@min grows by them.
 * Return: 0, or -EBADMSG naming @what.
 */
static int counted_part(const unsigned char *p, size_t avail, size_t *min,
			size_t elem, const char *what, const char **why)
{
	uint64_t nr;

	if (avail < *min)
		return 0;	/* reported as too short */
	memcpy(&nr, p + 8 + 8, 8);
	if (nr > (avail - *min) / elem)
		return uprb_reason(why, -EBADMSG,
				   "%s %" PRIu64
				   " runs past the trailer at offset %zu",
				   what, nr, 8 + avail);
	*min += (size_t)nr * elem;
	return 0;
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
		return counted_part(p, avail, min, per * 8, "READ: group nr",
				    why);
	}
	case PERF_RECORD_NAMESPACES:
		/* pid, tid, nr_namespaces, then { dev, inode } each. */
		return counted_part(p, avail, min, 16,
				    "NAMESPACES: nr_namespaces", why);
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
	struct perf_event_header h = record_header(ev);
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
		return uprb_reason(why, -EBADMSG, "type %u: bad size %u", h.type,
				   h.size);

	k = record_kind(h.type);
	trailer = l->sample_id_all ? uprb_id_header_size(t) : 0;
	if (h.size - sizeof(h) < trailer)
		return uprb_reason(why, -EBADMSG,
				   "%s: trailer of %zu bytes does not fit in size %u",
				   k ? k->name : "record", trailer, h.size);
	avail = h.size - sizeof(h) - trailer;

	if (k) {
		ret = record_min(p, h.type, l, avail, &min, why);
		if (ret)
			return ret;
		if (avail < min)
			return uprb_reason(why, -EBADMSG,
					   "%s: size %u is short of 8 + fixed part "
					   "%zu + trailer %zu",
					   k->name, h.size, min, trailer);
		/* The kernel always leaves at least one NUL of padding. */
		if (k->str && !memchr(p + 8 + k->fixed, 0, avail - k->fixed))
			return uprb_reason(why, -EBADMSG,
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
