/* SPDX-License-Identifier: MIT */
/*
 * check.c - the record checker: synthetic records, kernel sample layouts,
 * sample_id trailers, LOST accounting and loss conservation.
 *
 * Records are input: every field is read with memcpy (records may sit in
 * scratch or in the ring at any 8-aligned address) and every length is
 * checked against header.size before it is used.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uprb/uprb_check.h"

/* ---- synthetic records ---- */

static uint16_t synth_check(const struct uprb_synth *s)
{
	uint64_t x = (uint64_t)s->header.type << 48 ^
		     (uint64_t)s->header.misc << 32 ^
		     (uint64_t)s->header.size << 16 ^ s->source;

	x ^= (uint64_t)s->seq * 0xd6e8feb86659fd93ull;
	x ^= x >> 32;
	x *= 0xd6e8feb86659fd93ull;
	x ^= x >> 32;
	return (uint16_t)(x ^ x >> 16 ^ x >> 48);
}

static bool synth_size_ok(unsigned int size)
{
	return size >= UPRB_SYNTH_MIN_SIZE && size <= UPRB_MAX_RECORD &&
	       !(size & 7);
}

static void synth_head(struct uprb_synth *s, unsigned int size,
		       uint16_t source, uint8_t level, uint8_t cpu, uint32_t seq)
{
	s->header.type = UPRB_RECORD_SYNTH;
	s->header.misc = (uint16_t)(level | cpu << 8);
	s->header.size = (uint16_t)size;
	s->seq = seq;
	s->source = source;
	s->check = 0;
	s->check = synth_check(s);
}

size_t uprb_synth_build(void *buf, unsigned int size, uint16_t source,
			uint8_t level, uint8_t cpu, uint32_t seq)
{
	struct uprb_synth s;
	unsigned char *p = buf;

	if (!synth_size_ok(size))
		return 0;
	synth_head(&s, size, source, level, cpu, seq);
	memcpy(p, &s, sizeof(s));
	for (uint32_t i = 0; i < (size - sizeof(s)) / 8; i++) {
		uint64_t w = uprb_synth_word(source, seq, i);

		memcpy(p + sizeof(s) + 8 * i, &w, 8);
	}
	return size;
}

int uprb_synth_write(struct uprb_ring *rb, struct uprb_source *src,
		     unsigned int size, uint16_t source, uint8_t level,
		     uint8_t cpu, uint32_t seq)
{
	struct uprb_handle h;
	struct uprb_synth s;
	uint64_t words[32]; /* 256 bytes at a time: this runs in handlers */
	uint32_t nwords, i = 0;
	int err;

	if (!synth_size_ok(size))
		return -EINVAL;
	err = uprb_output_begin(&h, rb, src, size);
	if (err)
		return err;
	synth_head(&s, size, source, level, cpu, seq);
	uprb_output_copy(&h, &s, sizeof(s));
	nwords = (size - (uint32_t)sizeof(s)) / 8;
	while (i < nwords) {
		uint32_t n = nwords - i < 32 ? nwords - i : 32;

		for (uint32_t k = 0; k < n; k++)
			words[k] = uprb_synth_word(source, seq, i + k);
		uprb_output_copy(&h, words, n * 8);
		i += n;
	}
	uprb_output_sample_done(&h);
	uprb_output_end(&h);
	return 0;
}

int uprb_synth_verify(const struct perf_event_header *ev,
		      struct uprb_synth_info *out, const char **why)
{
	const unsigned char *p = (const unsigned char *)ev;
	struct uprb_synth s;
	uint16_t want;
	const char *dummy;

	if (!why)
		why = &dummy;
	memcpy(&s.header, ev, sizeof(s.header));
	if (s.header.type != UPRB_RECORD_SYNTH) {
		*why = "not a synthetic record";
		return -EBADMSG;
	}
	if (!synth_size_ok(s.header.size)) {
		*why = "size not a multiple of 8 in 16..65528";
		return -EBADMSG;
	}
	memcpy(&s, p, sizeof(s));
	want = s.check;
	s.check = 0;
	if (synth_check(&s) != want) {
		*why = "check field does not match header, seq and source";
		return -EBADMSG;
	}
	for (uint32_t i = 0; i < (s.header.size - sizeof(s)) / 8; i++) {
		uint64_t w;

		memcpy(&w, p + sizeof(s) + 8 * i, 8);
		if (w != uprb_synth_word(s.source, s.seq, i)) {
			*why = "payload word differs (torn or stale bytes)";
			return -EBADMSG;
		}
	}
	if (out) {
		out->seq = s.seq;
		out->source = s.source;
		out->level = (uint8_t)(s.header.misc & 0xff);
		out->cpu = (uint8_t)(s.header.misc >> 8);
		out->size = s.header.size;
	}
	*why = NULL;
	return 0;
}

/* ---- kernel records ---- */

/* A bounded cursor over one record. */
struct cur {
	const unsigned char *p;
	uint64_t off, end;
	const char *why;
};

/* Where a parse failure is explained; valid until the next parse here. */
static _Thread_local char why_buf[128];

static bool take(struct cur *c, uint64_t n, const char *what)
{
	if (c->why)
		return false;
	if (n > c->end - c->off) {
		snprintf(why_buf, sizeof(why_buf),
			 "%s (%llu bytes) runs past size %llu at offset %llu",
			 what, (unsigned long long)n,
			 (unsigned long long)c->end,
			 (unsigned long long)c->off);
		c->why = why_buf;
		return false;
	}
	return true;
}

static uint64_t get_u64(struct cur *c, const char *what)
{
	uint64_t v = 0;

	if (take(c, 8, what)) {
		memcpy(&v, c->p + c->off, 8);
		c->off += 8;
	}
	return v;
}

static void get_u32x2(struct cur *c, const char *what, uint32_t *a,
		      uint32_t *b)
{
	uint32_t v[2] = { 0, 0 };

	if (take(c, 8, what)) {
		memcpy(v, c->p + c->off, 8);
		c->off += 8;
	}
	if (a)
		*a = v[0];
	if (b)
		*b = v[1];
}

/* Skip @n items of @each bytes, refusing counts that overflow. */
static void skip_n(struct cur *c, uint64_t n, uint64_t each, const char *what)
{
	if (c->why)
		return;
	if (each && n > (c->end - c->off) / each) {
		snprintf(why_buf, sizeof(why_buf),
			 "%s count %llu runs past size %llu at offset %llu", what,
			 (unsigned long long)n, (unsigned long long)c->end,
			 (unsigned long long)c->off);
		c->why = why_buf;
		return;
	}
	c->off += n * each;
}

static void read_values(struct cur *c, const struct uprb_layout *l,
			struct uprb_sample *out)
{
	uint64_t rf = l->read_format;
	uint64_t per = 8 + (rf & PERF_FORMAT_ID ? 8 : 0) +
		       (rf & PERF_FORMAT_LOST ? 8 : 0);
	uint64_t nr = 1;

	if (rf & PERF_FORMAT_GROUP)
		nr = get_u64(c, "read nr");
	if (rf & PERF_FORMAT_TOTAL_TIME_ENABLED)
		get_u64(c, "read time_enabled");
	if (rf & PERF_FORMAT_TOTAL_TIME_RUNNING)
		get_u64(c, "read time_running");
	skip_n(c, nr, per, "read values");
	out->read_nr = nr;
}

static void regs(struct cur *c, uint64_t mask, const char *what,
		 uint64_t *abi_out)
{
	uint64_t abi = get_u64(c, what);

	if (abi_out)
		*abi_out = abi;
	if (abi)
		skip_n(c, (uint64_t)__builtin_popcountll(mask), 8, what);
}

#define UPRB_KNOWN_SAMPLE_BITS ((uint64_t)PERF_SAMPLE_MAX - 1)

int uprb_parse_sample(const struct perf_event_header *ev,
		      const struct uprb_layout *l, struct uprb_sample *out,
		      const char **why)
{
	uint64_t t = l->sample_type;
	struct uprb_sample dummy;
	struct perf_event_header h;
	struct cur c;
	const char *w;

	if (!why)
		why = &w;
	if (!out)
		out = &dummy;
	memset(out, 0, sizeof(*out));
	memcpy(&h, ev, sizeof(h));
	if (t & ~UPRB_KNOWN_SAMPLE_BITS || t & PERF_SAMPLE_AUX) {
		*why = "sample_type has bits the checker does not know";
		return -EOPNOTSUPP;
	}
	memset(&c, 0, sizeof(c));
	c.p = (const unsigned char *)ev;
	c.off = sizeof(h);
	c.end = h.size;
	if (h.size < sizeof(h)) {
		*why = "header size below 8";
		return -EBADMSG;
	}

	/* perf_output_sample()'s order. */
	if (t & PERF_SAMPLE_IDENTIFIER)
		out->identifier = get_u64(&c, "identifier");
	if (t & PERF_SAMPLE_IP)
		out->ip = get_u64(&c, "ip");
	if (t & PERF_SAMPLE_TID)
		get_u32x2(&c, "pid/tid", &out->pid, &out->tid);
	if (t & PERF_SAMPLE_TIME)
		out->time = get_u64(&c, "time");
	if (t & PERF_SAMPLE_ADDR)
		out->addr = get_u64(&c, "addr");
	if (t & PERF_SAMPLE_ID)
		out->id = get_u64(&c, "id");
	if (t & PERF_SAMPLE_STREAM_ID)
		out->stream_id = get_u64(&c, "stream_id");
	if (t & PERF_SAMPLE_CPU)
		get_u32x2(&c, "cpu/res", &out->cpu, NULL);
	if (t & PERF_SAMPLE_PERIOD)
		out->period = get_u64(&c, "period");
	if (t & PERF_SAMPLE_READ)
		read_values(&c, l, out);
	if (t & PERF_SAMPLE_CALLCHAIN) {
		out->callchain_nr = get_u64(&c, "callchain nr");
		if (!c.why)
			out->callchain = (const uint64_t *)(c.p + c.off);
		skip_n(&c, out->callchain_nr, 8, "callchain");
	}
	if (t & PERF_SAMPLE_RAW) {
		uint32_t n = 0;

		/* u32 size, then data; the pair is padded to 8 by the kernel. */
		if (take(&c, 4, "raw size")) {
			memcpy(&n, c.p + c.off, 4);
			c.off += 4;
		}
		out->raw_size = n;
		if (take(&c, n, "raw data")) {
			out->raw = c.p + c.off;
			c.off += n;
			if (c.off & 7) {
				*why = "raw size leaves the record unaligned";
				return -EBADMSG;
			}
		}
	}
	if (t & PERF_SAMPLE_BRANCH_STACK) {
		out->branch_nr = get_u64(&c, "branch nr");
		if (l->branch_sample_type & PERF_SAMPLE_BRANCH_HW_INDEX)
			get_u64(&c, "branch hw_idx");
		skip_n(&c, out->branch_nr, 24, "branch entries");
#ifdef PERF_SAMPLE_BRANCH_COUNTERS
		if (l->branch_sample_type & PERF_SAMPLE_BRANCH_COUNTERS)
			skip_n(&c, out->branch_nr, 8, "branch counters");
#endif
	}
	if (t & PERF_SAMPLE_REGS_USER)
		regs(&c, l->sample_regs_user, "regs_user", &out->regs_user_abi);
	if (t & PERF_SAMPLE_STACK_USER) {
		out->stack_user_size = get_u64(&c, "stack_user size");
		skip_n(&c, out->stack_user_size, 1, "stack_user data");
		if (out->stack_user_size) {
			out->stack_user_dyn_size = get_u64(&c, "stack_user dyn_size");
			if (!c.why && out->stack_user_dyn_size > out->stack_user_size) {
				*why = "stack_user dyn_size above its size";
				return -EBADMSG;
			}
		}
	}
	if (t & (PERF_SAMPLE_WEIGHT | PERF_SAMPLE_WEIGHT_STRUCT))
		out->weight = get_u64(&c, "weight");
	if (t & PERF_SAMPLE_DATA_SRC)
		out->data_src = get_u64(&c, "data_src");
	if (t & PERF_SAMPLE_TRANSACTION)
		out->transaction = get_u64(&c, "transaction");
	if (t & PERF_SAMPLE_REGS_INTR)
		regs(&c, l->sample_regs_intr, "regs_intr", NULL);
	if (t & PERF_SAMPLE_PHYS_ADDR)
		out->phys_addr = get_u64(&c, "phys_addr");
	if (t & PERF_SAMPLE_CGROUP)
		out->cgroup = get_u64(&c, "cgroup");
	if (t & PERF_SAMPLE_DATA_PAGE_SIZE)
		out->data_page_size = get_u64(&c, "data_page_size");
	if (t & PERF_SAMPLE_CODE_PAGE_SIZE)
		out->code_page_size = get_u64(&c, "code_page_size");

	if (c.why) {
		*why = c.why;
		return -EBADMSG;
	}
	if (c.off != c.end) {
		snprintf(why_buf, sizeof(why_buf),
			 "sample fields end at %llu, header.size is %llu",
			 (unsigned long long)c.off, (unsigned long long)c.end);
		*why = why_buf;
		return -EBADMSG;
	}
	*why = NULL;
	return 0;
}

/* Smallest body (after the header, before the trailer) of kernel records. */
static uint64_t fixed_part(uint32_t type)
{
	switch (type) {
	case PERF_RECORD_MMAP: return 8 + 24 + 8;      /* pid,tid,addr,len,pgoff,name */
	case PERF_RECORD_LOST: return 16;
	case PERF_RECORD_COMM: return 8 + 8;           /* pid,tid, name >= 8 */
	case PERF_RECORD_EXIT:
	case PERF_RECORD_FORK: return 24;              /* pid,ppid,tid,ptid,time */
	case PERF_RECORD_THROTTLE:
	case PERF_RECORD_UNTHROTTLE: return 24;        /* time,id,stream_id */
	case PERF_RECORD_READ: return 8 + 8;           /* pid,tid, values */
	case PERF_RECORD_MMAP2: return 8 + 24 + 24 + 8 + 8; /* ... prot,flags,name */
	case PERF_RECORD_AUX: return 24;
	case PERF_RECORD_ITRACE_START: return 8;
	case PERF_RECORD_LOST_SAMPLES: return 8;
	case PERF_RECORD_SWITCH: return 0;
	case PERF_RECORD_SWITCH_CPU_WIDE: return 8;
	case PERF_RECORD_NAMESPACES: return 16;
	case PERF_RECORD_KSYMBOL: return 16 + 8;
	case PERF_RECORD_BPF_EVENT: return 8 + 8;
	case PERF_RECORD_CGROUP: return 8 + 8;
	case PERF_RECORD_TEXT_POKE: return 16;
	default: return 0;
	}
}

int uprb_parse_sample_id(const struct perf_event_header *ev,
			 const struct uprb_layout *l, struct uprb_sample *out,
			 const char **why)
{
	uint16_t trailer = l->sample_id_all ? uprb_id_header_size(l->sample_type) : 0;
	uint64_t t = l->sample_type;
	struct uprb_sample dummy;
	struct perf_event_header h;
	struct cur c;
	const char *w;

	if (!why)
		why = &w;
	if (!out)
		out = &dummy;
	memset(out, 0, sizeof(*out));
	memcpy(&h, ev, sizeof(h));
	if (h.size < sizeof(h) + fixed_part(h.type) + trailer) {
		*why = trailer ? "record too short for its fields and sample_id trailer" :
				 "record too short for its fields";
		return -EBADMSG;
	}
	*why = NULL;
	if (!trailer)
		return 0;
	memset(&c, 0, sizeof(c));
	c.p = (const unsigned char *)ev;
	c.off = h.size - trailer;
	c.end = h.size;
	/* struct sample_id order; IDENTIFIER last, at a fixed end offset. */
	if (t & PERF_SAMPLE_TID)
		get_u32x2(&c, "pid/tid", &out->pid, &out->tid);
	if (t & PERF_SAMPLE_TIME)
		out->time = get_u64(&c, "time");
	if (t & PERF_SAMPLE_ID)
		out->id = get_u64(&c, "id");
	if (t & PERF_SAMPLE_STREAM_ID)
		out->stream_id = get_u64(&c, "stream_id");
	if (t & PERF_SAMPLE_CPU)
		get_u32x2(&c, "cpu/res", &out->cpu, NULL);
	if (t & PERF_SAMPLE_IDENTIFIER)
		out->identifier = get_u64(&c, "identifier");
	return 0;
}

/* ---- the stream checker ---- */

int uprb_check_init(struct uprb_check *c, const struct uprb_check_opts *o)
{
	memset(c, 0, sizeof(*c));
	if (!o || o->sz < sizeof(*o))
		return -EINVAL;
	c->o = *o;
	if (o->nsources) {
		c->streams = calloc((size_t)o->nsources * UPRB_LEVEL_COUNT,
				    sizeof(*c->streams));
		if (!c->streams)
			return -ENOMEM;
	}
	return 0;
}

void uprb_check_fini(struct uprb_check *c)
{
	free(c->streams);
	c->streams = NULL;
}

__attribute__((format(printf, 3, 4)))
static int failure(struct uprb_check *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->what, sizeof(c->what), fmt, ap);
	va_end(ap);
	if (!c->failures++)
		memcpy(c->first, c->what, sizeof(c->first));
	return err;
}

static int check_synth(struct uprb_check *c, const struct perf_event_header *ev,
		       uint64_t pos)
{
	struct uprb_synth_info s;
	struct uprb_check_stream *st;
	const char *why;
	uint64_t seq;

	if (uprb_synth_verify(ev, &s, &why))
		return failure(c, -EBADMSG, "record at %#llx (synth, size %u): %s",
			       (unsigned long long)pos, ev->size, why);
	if (s.source >= c->o.nsources || s.level >= UPRB_LEVEL_COUNT)
		return failure(c, -EPROTO,
			       "record at %#llx: synthetic source %u level %u "
			       "outside the %u sources x %u levels",
			       (unsigned long long)pos, s.source, s.level,
			       c->o.nsources, UPRB_LEVEL_COUNT);
	c->synth++;
	st = &c->streams[s.source * UPRB_LEVEL_COUNT + s.level];
	/* Unwrap the 32-bit sequence against what this stream expects. */
	seq = st->next_seq + (uint32_t)(s.seq - (uint32_t)st->next_seq);
	if (c->o.order == UPRB_CHECK_ORDER_ASCENDING && st->seen &&
	    (int32_t)(s.seq - (uint32_t)st->next_seq) < 0)
		return failure(c, -EPROTO,
			       "record at %#llx: source %u level %u seq %u after "
			       "%llu: duplicate or out of order",
			       (unsigned long long)pos, s.source, s.level, s.seq,
			       (unsigned long long)(st->next_seq - 1));
	if (c->o.order == UPRB_CHECK_ORDER_ASCENDING)
		st->gaps += seq - st->next_seq;
	st->next_seq = seq + 1;
	st->seen = true;
	st->delivered++;
	return 0;
}

static int check_lost(struct uprb_check *c, const struct perf_event_header *ev,
		      uint64_t pos)
{
	const struct uprb_layout *l = &c->o.layout;
	uint64_t want = UPRB_LOST_RECORD_SIZE +
		(l->sample_id_all ? uprb_id_header_size(l->sample_type) : 0);
	uint64_t v[2];
	bool known = !c->o.lost_ids;

	if (ev->size != want || ev->misc != 0)
		return failure(c, -EBADMSG,
			       "record at %#llx: LOST size %u misc %#x, want size "
			       "%llu misc 0", (unsigned long long)pos, ev->size,
			       ev->misc, (unsigned long long)want);
	memcpy(v, (const unsigned char *)ev + sizeof(*ev), sizeof(v));
	for (size_t i = 0; !known && i < c->o.nlost_ids; i++)
		known = c->o.lost_ids[i] == v[0];
	if (!known)
		return failure(c, -EPROTO,
			       "record at %#llx: LOST id %llu is no writing source",
			       (unsigned long long)pos, (unsigned long long)v[0]);
	c->lost_records++;
	c->lost_sum += v[1];
	return 0;
}

int uprb_check_record(struct uprb_check *c, const struct perf_event_header *ev,
		      uint64_t pos)
{
	struct perf_event_header h;
	const char *why;
	int err;

	memcpy(&h, ev, sizeof(h));
	c->records++;
	if (h.size < sizeof(h))
		return failure(c, -EBADMSG, "record at %#llx: size %u below 8",
			       (unsigned long long)pos, h.size);
	if (h.size & 7)
		return failure(c, -EILSEQ,
			       "record at %#llx: size %u not a multiple of 8",
			       (unsigned long long)pos, h.size);
	if (h.size > UPRB_MAX_RECORD)
		return failure(c, -EMSGSIZE, "record at %#llx: size %u above %u",
			       (unsigned long long)pos, h.size, UPRB_MAX_RECORD);
	c->bytes += h.size;

	switch (h.type) {
	case UPRB_RECORD_SYNTH:
		return check_synth(c, ev, pos);
	case PERF_RECORD_LOST:
		return check_lost(c, ev, pos);
	case PERF_RECORD_SAMPLE:
		c->samples++;
		err = uprb_parse_sample(ev, &c->o.layout, NULL, &why);
		if (err)
			return failure(c, err, "record at %#llx: SAMPLE size %u: %s",
				       (unsigned long long)pos, h.size, why);
		return 0;
	default:
		c->other++;
		err = uprb_parse_sample_id(ev, &c->o.layout, NULL, &why);
		if (err)
			return failure(c, err, "record at %#llx: type %u size %u: %s",
				       (unsigned long long)pos, h.type, h.size, why);
		return 0;
	}
}

uint64_t uprb_check_delivered(const struct uprb_check *c)
{
	uint64_t n = 0;

	for (size_t i = 0; i < (size_t)c->o.nsources * UPRB_LEVEL_COUNT; i++)
		n += c->streams[i].delivered;
	return n;
}

int uprb_check_conservation(struct uprb_check *c, uint64_t attempted,
			    uint64_t pending)
{
	uint64_t delivered = uprb_check_delivered(c), gaps = 0;

	for (size_t i = 0; i < (size_t)c->o.nsources * UPRB_LEVEL_COUNT; i++)
		gaps += c->streams[i].gaps;
	if (attempted != delivered + c->lost_sum + pending)
		return failure(c, -EPROTO,
			       "loss not conserved: attempted %llu != delivered "
			       "%llu + LOST %llu + pending %llu",
			       (unsigned long long)attempted,
			       (unsigned long long)delivered,
			       (unsigned long long)c->lost_sum,
			       (unsigned long long)pending);
	if (c->o.order == UPRB_CHECK_ORDER_ASCENDING &&
	    gaps > c->lost_sum + pending)
		return failure(c, -EPROTO,
			       "sequence gaps %llu exceed the drops reported "
			       "(LOST %llu + pending %llu): records vanished",
			       (unsigned long long)gaps,
			       (unsigned long long)c->lost_sum,
			       (unsigned long long)pending);
	return 0;
}
