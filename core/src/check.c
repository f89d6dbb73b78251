/* SPDX-License-Identifier: MIT */
/*
 * check.c - the stream checker (uprb_check.h): each record's header, then
 * its kind's own check (synthetic records: uprb_synth_verify() and the
 * per-stream sequence; LOST: size, id and count; kernel records: their
 * layout), and at the end the loss conservation of the whole stream.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uprb/uprb.h"
#include "uprb/uprb_check.h"
#include "record_parse.h"

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

static const char *type_name(uint32_t type)
{
	const char *name = uprb_record_kind_name(type);

	if (type == UPRB_RECORD_SYNTH)
		return "SYNTH";
	return name ? name : "?";
}

#define REC_FMT "pos %" PRIu64 " type %u (%s) size %u: "
#define REC_ARGS(pos, h) (pos), (h).type, type_name((h).type), (h).size

static int check_synth(struct uprb_check *c,
		       const struct perf_event_header *ev, uint64_t pos)
{
	struct perf_event_header h = record_header(ev);
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
	struct perf_event_header h = record_header(ev);
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
	struct perf_event_header h = record_header(ev);
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
