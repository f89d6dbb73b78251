/* SPDX-License-Identifier: MIT */
/*
 * synth.c - synthetic records (uprb_synth.h): build one in memory, emit one
 * in pieces into a writer, write one into a ring, verify one read back.
 * The emitters run in signal handlers: no allocation, no errno, no logging.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "uprb/uprb.h"
#include "uprb/uprb_synth.h"
#include "record_parse.h"

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
	struct perf_event_header h = record_header(ev);
	struct uprb_synth s;
	uint16_t want;
	uint32_t i, n;

	if (h.type != UPRB_RECORD_SYNTH)
		return uprb_reason(why, -EBADMSG, "SYNTH: type %u is not 0x%x",
				   h.type, UPRB_RECORD_SYNTH);
	if (!uprb_synth_size_ok(h.size))
		return uprb_reason(why, -EBADMSG,
				   "SYNTH: size %u not a multiple of 8 in %u..%u",
				   h.size, UPRB_SYNTH_MIN_SIZE, UPRB_MAX_RECORD);
	memcpy(&s, p, sizeof(s));
	want = synth_check(h.type, h.misc, h.size, s.seq, s.source);
	if (s.check != want)
		return uprb_reason(why, -EBADMSG,
				   "SYNTH: check 0x%04x, want 0x%04x (seq %" PRIu32
				   " source %u misc 0x%04x)",
				   s.check, want, s.seq, s.source, h.misc);
	n = (h.size - UPRB_SYNTH_MIN_SIZE) / 8;
	for (i = 0; i < n; i++) {
		uint64_t w, e = uprb_synth_word(s.source, s.seq, i);

		memcpy(&w, p + UPRB_SYNTH_MIN_SIZE + (size_t)i * 8, 8);
		if (w != e)
			return uprb_reason(why, -EBADMSG,
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
