/* SPDX-License-Identifier: MIT */
/*
 * judge.c - the oracle of fuzz_readers (judge.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "judge.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RDJ_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define RDJ_ASAN 1
#endif
#ifdef RDJ_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define X64(v) ((unsigned long long)(v))

const char *const rd_behaviour_names[RD_BEHAVIOUR_COUNT] = {
	"ok", "refuses", "stalls", "skips", "garbage", "oob", "loops", "crashes",
};

const char *const rd_class_names[RDC_COUNT] = {
	"size-zero", "size-short", "size-unaligned", "size-oversize",
	"size-wrong", "past-head", "type", "raw-size", "flip", "head-back",
	"head-ahead", "head-overrun", "head-unaligned", "tail", "overwrite-big",
};

/* What a strict parse finds at a position. */
struct strict {
	bool end;          /* nothing left before the window's end */
	bool ok;           /* a sound record */
	uint16_t size;
	uint32_t type;
	const char *why;   /* !ok: what is wrong */
};

static unsigned char buf[UPRB_MAX_RECORD + 64];

static void classes_text(char *out, size_t n, unsigned classes)
{
	size_t k = 0;

	out[0] = '\0';
	for (unsigned c = 0; c < RDC_COUNT && k < n; c++)
		if (classes & (1u << c))
			k += (size_t)snprintf(out + k, n - k, "%s%s", k ? "," : "",
					      rd_class_names[c]);
}

/*
 * An event: @b happened. It becomes the run's story when it is the first
 * one or worse than the worst so far. The invariant is the behaviour,
 * "honest-" in front when the ring was honest.
 */
__attribute__((format(printf, 3, 4)))
static void note(struct rdj *j, enum rd_behaviour b, const char *fmt, ...)
{
	char what[300], cls[160];
	va_list ap;

	j->event = true;
	j->event_behaviour = b;
	if (b == RD_STALLS)
		j->stalled = true;
	j->event_honest = j->honest;
	/* A stall leaves @ref where it was: later windows may still read on. */
	if (b == RD_GARBAGE || b == RD_SKIPS || (j->honest && b != RD_STALLS))
		j->synced = false;
	if (b <= j->worst && j->worst != RD_OK)
		return;
	j->worst = b;
	j->worst_honest = j->honest;
	j->worst_classes = j->classes;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	classes_text(cls, sizeof(cls), j->classes);
	snprintf(j->story, sizeof(j->story), "step %u (%s): %s %s; %s%s",
		 j->step, j->phase ? j->phase : "-", j->a->name, what,
		 j->honest ? "the ring was honest" : "hostile: ",
		 j->honest ? "" : cls);
}

static struct perf_event_header header_at(const struct rdj *j, uint64_t pos)
{
	struct perf_event_header hd;

	rd_hring_peek(j->h, pos, &hd, sizeof(hd));
	return hd;
}

/*
 * The strict parse at @pos with the window ending at @head (forward) or
 * at @head (backward: the window's far end). Typed readers also need a
 * SAMPLE's RAW size to fit its record and a LOST to hold its count.
 */
static struct strict parse_as(const struct rdj *j, uint64_t pos, uint64_t end,
			      bool typed)
{
	struct strict s = { 0 };
	uint64_t avail = end - pos;
	struct perf_event_header hd;

	if (!avail) {
		s.end = true;
		return s;
	}
	if (avail > j->h->data_size) {
		s.why = "the unread span is larger than the ring";
		return s;
	}
	if (avail < sizeof(hd)) {
		s.why = "fewer than 8 bytes before the window's end";
		return s;
	}
	hd = header_at(j, pos);
	s.size = hd.size;
	s.type = hd.type;
	if (hd.size < sizeof(hd))
		s.why = hd.size ? "size below 8" : "size 0";
	else if (hd.size & 7)
		s.why = "size not a multiple of 8";
	else if (hd.size > j->h->data_size)
		s.why = "size larger than the data area";
	else if (hd.size > avail)
		s.why = "the record runs past the window's end";
	else
		s.ok = true;
	if (s.ok && typed && hd.type == PERF_RECORD_SAMPLE) {
		uint32_t raw = 0;

		if (hd.size >= RD_SAMPLE_RAW_OFF)
			rd_hring_peek(j->h, pos + 8, &raw, sizeof(raw));
		if (hd.size < RD_SAMPLE_RAW_OFF ||
		    raw > hd.size - RD_SAMPLE_RAW_OFF) {
			s.ok = false;
			s.why = "its RAW size runs past the record";
		}
	} else if (s.ok && typed && hd.type == PERF_RECORD_LOST &&
		   hd.size < UPRB_LOST_RECORD_SIZE) {
		s.ok = false;
		s.why = "a LOST record too short for its count";
	}
	return s;
}

static struct strict parse_at(const struct rdj *j, uint64_t pos, uint64_t end)
{
	return parse_as(j, pos, end, j->typed);
}

/* Typed readers need not hand over sound records of other types. */
static bool not_theirs(const struct rdj *j, const struct strict *s)
{
	return j->typed && s->ok && s->type != PERF_RECORD_SAMPLE &&
	       s->type != PERF_RECORD_LOST;
}

static uint64_t head_now(const struct rdj *j)
{
	return __atomic_load_n(&j->h->pc->data_head, __ATOMIC_ACQUIRE);
}

void rdj_begin(struct rdj *j, const struct rd_adapter *a, struct rd_hring *h)
{
	memset(j, 0, sizeof(*j));
	j->a = a;
	j->h = h;
	j->typed = a->caps & RD_CAP_TYPED;
	j->backward = h->ring.backward;
	j->honest = true;
	j->synced = true;
}

void rdj_hostile(struct rdj *j, enum rd_class cls)
{
	j->honest = false;
	j->classes |= 1u << cls;
}

int rdj_unread(const struct rdj *j, uint64_t pos, size_t len)
{
	uint64_t head = head_now(j), from = j->ref, mask = j->h->data_size - 1;
	uint64_t tail = __atomic_load_n(&j->h->pc->data_tail, __ATOMIC_ACQUIRE);

	if (j->backward || !j->synced)
		return 2;
	/* Not given back yet counts too: a reader handling a record may read
	 * its header again (bcc does, after its callback). */
	if (j->ref - tail <= j->h->data_size)
		from = tail;
	if (head - from > j->h->data_size)
		return 2;
	if (pos - from < head - from)
		return 2;
	/* By ring offset: a byte of an old record may lie in an unread one. */
	for (size_t i = 0; i < len; i++)
		if (((pos + i - from) & mask) < head - from)
			return 1;
	return 0;
}

/* Backward: where the window that starts at @head must end. */
static uint64_t backward_end(const struct rdj *j, uint64_t head)
{
	uint64_t p = head, size = j->h->data_size;

	if (j->ref - head <= size)
		return j->ref;
	/* Lapped: perf's find-range. */
	while (p - head < size) {
		struct perf_event_header hd = header_at(j, p);

		if (!hd.size || p - head + hd.size > size)
			break;
		p += hd.size;
	}
	return p;
}

void rdj_window_begin(struct rdj *j, unsigned max)
{
	j->windows++;
	j->items = 0;
	j->max = max;
	j->stopped = false;
	j->stalled = false;
	j->head0 = head_now(j);
	if (j->backward) {
		j->bpos = j->head0;
		j->bend = backward_end(j, j->head0);
	}
}

/*
 * Whether the span [p, p + len) a reader handed over can be read: inside
 * the data area, or (ASan) inside one live heap block. Return: NULL or
 * what is wrong.
 */
static const char *span_fault(const struct rdj *j, const void *p, size_t len,
			      char *why, size_t n)
{
	uintptr_t a = (uintptr_t)p, d = (uintptr_t)j->h->data;
	uintptr_t lo = (uintptr_t)j->h->map, hi = lo + j->h->map_len;

	if (!len)
		return NULL;
	if (a >= d && a - d < j->h->data_size) {
		if (len <= j->h->data_size - (a - d))
			return NULL;
		snprintf(why, n, "handed over %zu bytes at data offset %#llx: "
			 "%llu of them past the end of the ring", len,
			 X64(a - d), X64(len - (j->h->data_size - (a - d))));
		return why;
	}
	if (a >= lo && a < hi) {
		snprintf(why, n, "handed over %zu bytes at %lld from the data "
			 "area, outside it", len, (long long)(a - d));
		return why;
	}
	/* In its own buffer, which holds one record at most. */
	if (len > UPRB_MAX_RECORD) {
		snprintf(why, n, "handed over %zu bytes in its own buffer, more "
			 "than any record holds", len);
		return why;
	}
#ifdef RDJ_ASAN
	if (__asan_region_is_poisoned((void *)(uintptr_t)p, len)) {
		snprintf(why, n, "handed over %zu bytes in its own buffer, "
			 "which holds fewer (ASan: poisoned from byte %zu)", len,
			 (size_t)((uintptr_t)__asan_region_is_poisoned(
				 (void *)(uintptr_t)p, len) - a));
		return why;
	}
#endif
	return NULL;
}

/*
 * Whether @it is the record the strict parse found at @pos (@s): its bytes,
 * or for typed items its RAW payload or LOST count. Return: NULL, or what
 * differs (in @why).
 */
static const char *differs(const struct rdj *j, const struct rd_item *it,
			   uint64_t pos, const struct strict *s, char *why, size_t n)
{
	uint32_t raw;
	uint64_t lost;
	size_t k;

	switch (it->kind) {
	case RD_ITEM_RECORD:
		rd_hring_peek(j->h, pos, buf, s->size);
		if (it->len != s->size) {
			snprintf(why, n, "a %zu-byte record for the %u-byte one at "
				 "%#llx", it->len, s->size, X64(pos));
			return why;
		}
		for (k = 0; k < s->size && ((const unsigned char *)it->p)[k] == buf[k]; k++)
			;
		if (k < s->size) {
			snprintf(why, n, "the %u-byte record at %#llx with other "
				 "bytes from byte %zu on", s->size, X64(pos), k);
			return why;
		}
		return NULL;
	case RD_ITEM_SAMPLE_RAW:
		if (s->type != PERF_RECORD_SAMPLE) {
			snprintf(why, n, "a RAW payload for the record of type %u "
				 "at %#llx", s->type, X64(pos));
			return why;
		}
		rd_hring_peek(j->h, pos + 8, &raw, sizeof(raw));
		rd_hring_peek(j->h, pos + RD_SAMPLE_RAW_OFF, buf, raw);
		if (it->len != raw) {
			snprintf(why, n, "a %zu-byte RAW payload for the %u-byte one "
				 "at %#llx", it->len, raw, X64(pos));
			return why;
		}
		for (k = 0; k < raw && ((const unsigned char *)it->p)[k] == buf[k]; k++)
			;
		if (k < raw) {
			snprintf(why, n, "the %u-byte RAW payload at %#llx with "
				 "other bytes from byte %zu on", raw, X64(pos), k);
			return why;
		}
		return NULL;
	default:
		rd_hring_peek(j->h, pos + 16, &lost, sizeof(lost));
		if (s->type != PERF_RECORD_LOST || it->lost != lost) {
			snprintf(why, n, "a LOST count of %llu for the record of "
				 "type %u at %#llx%s", X64(it->lost), s->type, X64(pos),
				 s->type == PERF_RECORD_LOST ? ", which counts otherwise" : "");
			return why;
		}
		return NULL;
	}
}

/* The window's end for the strict parse: data_head now, or at its start
 * (libbpf reads data_head once per window) when only that one parses. */
static struct strict parse_window(const struct rdj *j, uint64_t pos)
{
	uint64_t head = head_now(j);
	struct strict s = parse_at(j, pos, head);

	if (!s.ok && !s.end && head != j->head0) {
		struct strict t = parse_at(j, pos, j->head0);

		if (t.ok)
			return t;
	}
	return s;
}

/*
 * The reader handed over a record further on than @ref: at @p, after
 * @sound records it should have handed over and @bad ones it was right to
 * refuse. Passing over only bad ones, having said so, is refusing and
 * going on; anything else is skipping.
 */
static void skipped_to(struct rdj *j, uint64_t p, uint16_t size,
		       unsigned sound, unsigned bad)
{
	const struct rd_said *said = rd_said();

	if (!sound && bad && said->count)
		note(j, RD_REFUSES, "refused %u bad record%s from %#llx and went "
		     "on at %#llx; it said: %s", bad, bad > 1 ? "s" : "",
		     X64(j->ref), X64(p), said->first);
	else
		note(j, RD_SKIPS, "passed over %llu bytes from %#llx (%u sound "
		     "record%s, %u bad) and handed over the record at %#llx",
		     X64(p - j->ref), X64(j->ref), sound, sound == 1 ? "" : "s",
		     bad, X64(p));
	if (!j->honest)
		j->synced = true;
	j->ref = p + size;
}

/* Forward: the item against the strict parse at ref. */
static void match_forward(struct rdj *j, const struct rd_item *it)
{
	uintptr_t a = (uintptr_t)it->p, d = (uintptr_t)j->h->data;
	uint64_t mask = j->h->data_size - 1, p;
	unsigned sound = 0, bad = 0;
	char why[200], later[200];
	struct strict s, t;

	while (s = parse_window(j, j->ref), not_theirs(j, &s))
		j->ref += s.size;
	if (s.ok && !differs(j, it, j->ref, &s, why, sizeof(why))) {
		j->ref += s.size;
		return;
	}
	if (!s.ok)
		snprintf(why, sizeof(why), "a %s at %#llx, where the strict parse "
			 "finds %s", it->kind == RD_ITEM_LOST ? "LOST count" :
			 it->kind == RD_ITEM_SAMPLE_RAW ? "RAW payload" : "record",
			 X64(j->ref), s.end ? "no more data" : s.why);
	/* A record handed over from inside the ring says where the reader is. */
	if (it->kind == RD_ITEM_RECORD && a >= d && a - d <= mask &&
	    ((a - d) & mask) != (j->ref & mask)) {
		p = j->ref + ((a - d - j->ref) & mask);
		t = parse_window(j, p);
		if (t.ok && !differs(j, it, p, &t, later, sizeof(later))) {
			note(j, RD_SKIPS, "jumped from %#llx to the record at %#llx, "
			     "handing over nothing of the %llu bytes between",
			     X64(j->ref), X64(p), X64(p - j->ref));
			if (!j->honest)
				j->synced = true;
			j->ref = p + t.size;
			return;
		}
		note(j, RD_GARBAGE, "handed over %s", why);
		return;
	}
	/* Or a record further on, found by walking the sizes. */
	for (p = j->ref; sound + bad < 4096; ) {
		struct strict f = parse_as(j, p, head_now(j), false);

		if (!f.ok)
			break;
		if (p != j->ref) {
			t = parse_window(j, p);
			if (t.ok && !not_theirs(j, &t) &&
			    !differs(j, it, p, &t, later, sizeof(later))) {
				skipped_to(j, p, t.size, sound, bad);
				return;
			}
		}
		t = parse_window(j, p);
		if (!t.ok)
			bad++;
		else if (!not_theirs(j, &t))
			sound++;
		p += f.size;
	}
	note(j, RD_GARBAGE, "handed over %s", why);
}

/* Backward: the item against the next record from data_head. */
static void match_backward(struct rdj *j, const struct rd_item *it)
{
	struct strict s = parse_at(j, j->bpos, j->bend);
	char why[200], later[200];
	unsigned n = 0;
	uint64_t p;

	if (it->kind != RD_ITEM_RECORD) {
		note(j, RD_GARBAGE, "a typed item from a backward ring");
		return;
	}
	if (s.ok && !differs(j, it, j->bpos, &s, why, sizeof(why))) {
		j->bpos += s.size;
		return;
	}
	if (!s.ok) {
		note(j, RD_GARBAGE, "handed over a record at %#llx, where the "
		     "strict parse finds %s", X64(j->bpos),
		     s.end ? "the end of the window" : s.why);
		return;
	}
	/* An older record of the window: the ones between were passed over. */
	for (p = j->bpos + s.size; n < 4096; n++) {
		struct strict t = parse_at(j, p, j->bend);

		if (!t.ok)
			break;
		if (!differs(j, it, p, &t, later, sizeof(later))) {
			note(j, RD_SKIPS, "passed over %llu bytes from %#llx (%u "
			     "records) and handed over the record at %#llx",
			     X64(p - j->bpos), X64(j->bpos), n + 1, X64(p));
			if (!j->honest)
				j->synced = true;
			j->bpos = p + t.size;
			return;
		}
		p += t.size;
	}
	note(j, RD_GARBAGE, "handed over %s", why);
}

int rdj_deliver(struct rdj *j, const struct rd_item *it)
{
	char why[200];

	j->items++;
	j->items_total++;
	if (it->kind == RD_ITEM_RECORD || it->kind == RD_ITEM_SAMPLE_RAW) {
		if (span_fault(j, it->p, it->len, why, sizeof(why))) {
			note(j, RD_OOB, "%s", why);
			j->synced = false;
			return RD_CONTINUE;
		}
	}
	if (j->synced) {
		if (j->backward)
			match_backward(j, it);
		else
			match_forward(j, it);
	}
	if (j->max && j->items >= j->max && !j->backward &&
	    (j->a->caps & RD_CAP_STOP)) {
		j->stopped = true;
		return RD_STOP;
	}
	return RD_CONTINUE;
}

static void fate(struct rdj *j, const struct rd_guard_result *res,
		 const char *during)
{
	uintptr_t lo0 = j->h->zone_lo[0], lo1 = j->h->zone_lo[1];

	switch (res->fate) {
	case RD_FATE_LOOPED:
		note(j, RD_LOOPS, "made %llu steps in one %s (the bound: a "
		     "walk of the ring, %llu)", X64(res->steps), during,
		     X64(res->steps - 1));
		break;
	case RD_FATE_WATCHDOG:
		note(j, RD_LOOPS, "was still in one %s after %u ms of CPU "
		     "time (%llu steps)", during, RD_GUARD_WATCHDOG_MS,
		     X64(res->steps));
		break;
	case RD_FATE_OOB:
		if (res->addr >= lo1)
			note(j, RD_OOB, "read %#llx bytes past the end of the "
			     "ring in one %s (signal %d)",
			     X64(res->addr - lo1 + 1), during, res->sig);
		else
			note(j, RD_OOB, "read %#llx bytes before the ring in "
			     "one %s (signal %d)",
			     X64(lo0 + j->h->zone_len[0] - res->addr), during,
			     res->sig);
		break;
	case RD_FATE_CRASHED:
		note(j, RD_CRASHES, "crashed in one %s: signal %d at %#llx",
		     during, res->sig, X64(res->addr));
		break;
	default:
		break;
	}
	j->synced = false;
}

/*
 * Forward: the reader's data_tail moved from @ref to @tail without items:
 * walk the strict parse there. Return the behaviour that is (OK when it
 * passed over nothing a caller should have had).
 */
static enum rd_behaviour catch_up(struct rdj *j, uint64_t tail, bool report,
				  char *why, size_t n)
{
	uint64_t p = j->ref, end = j->head0 - j->ref >= tail - j->ref ?
			j->head0 : head_now(j);
	enum rd_behaviour b = RD_OK;

	while (p != tail) {
		struct strict s = parse_at(j, p, end);

		if (s.end || tail - p > end - p) {
			snprintf(why, n, "moved data_tail to %#llx, past data_head "
				 "%#llx, handing over nothing from %#llx",
				 X64(tail), X64(end), X64(p));
			return RD_SKIPS;
		}
		if (!s.ok && !report) {
			snprintf(why, n, "passed over the bad record at %#llx (%s) "
				 "and everything to %#llx without a word",
				 X64(p), s.why, X64(tail));
			return RD_SKIPS;
		}
		if (!s.ok) {
			/* Refused with a word, and resynced to its tail. */
			snprintf(why, n, "refused the bad record at %#llx (%s), "
				 "skipping to %#llx", X64(p), s.why, X64(tail));
			j->ref = tail;
			return RD_REFUSES;
		}
		if (!not_theirs(j, &s)) {
			snprintf(why, n, "passed over the sound %u-byte record at "
				 "%#llx without handing it over", s.size, X64(p));
			b = RD_SKIPS;
			break;
		}
		p += s.size;
	}
	if (b == RD_OK)
		j->ref = tail;
	return b;
}

static void end_forward(struct rdj *j, bool error, const struct rd_said *said)
{
	uint64_t tail = __atomic_load_n(&j->h->pc->data_tail, __ATOMIC_ACQUIRE);
	bool report = error || said->count;
	enum rd_behaviour b;
	char why[300];
	struct strict s;

	if (j->honest && error) {
		note(j, RD_REFUSES, "reported an error on an honest ring");
		return;
	}
	if (tail != j->ref) {
		b = catch_up(j, tail, report, why, sizeof(why));
		if (b != RD_OK) {
			note(j, b, "%s%s%s", why, said->count ? "; it said: " : "",
			     said->count ? said->first : "");
			return;
		}
	}
	/* Stopped on request, or read past where the window began. */
	if (j->stopped || j->head0 - j->ref > j->h->data_size) {
		if (error && !j->honest)
			note(j, RD_REFUSES, "reported an error (%d)", j->last_error);
		return;
	}
	/* Everything that was there when the window began must be read. */
	while ((s = parse_at(j, j->ref, j->head0), not_theirs(j, &s)))
		j->ref += s.size;
	if (s.end) {
		if (error && !j->honest)
			note(j, RD_REFUSES, "reported an error (%d)", j->last_error);
		return;
	}
	if (s.ok)
		note(j, error ? RD_REFUSES : RD_STALLS, "left the sound %u-byte "
		     "record at %#llx unread%s%s", s.size, X64(j->ref),
		     said->count ? "; it said: " : "", said->count ? said->first : "");
	else
		note(j, report ? RD_REFUSES : RD_STALLS, "stopped at the bad "
		     "record at %#llx (%s)%s%s%s", X64(j->ref), s.why,
		     error ? " with an error" : "",
		     said->count ? "; it said: " : "", said->count ? said->first : "");
}

static void end_backward(struct rdj *j, bool error)
{
	struct strict s = parse_at(j, j->bpos, j->bend);

	if (error && !j->honest && s.end)
		note(j, RD_REFUSES, "reported an error (%d)", j->last_error);
	if (!s.end) {
		if (s.ok || j->honest)
			note(j, error ? RD_REFUSES : RD_STALLS, "left the window "
			     "[%#llx, %#llx) at %#llx%s", X64(j->head0),
			     X64(j->bend), X64(j->bpos), s.ok ? "" : " (a bad record)");
		else
			note(j, error ? RD_REFUSES : RD_STALLS, "stopped at the "
			     "bad record at %#llx (%s)", X64(j->bpos), s.why);
		return;
	}
	j->ref = j->head0;
}

void rdj_window_end(struct rdj *j, const struct rd_guard_result *res,
		    const struct rd_said *said)
{
	bool error = res->fate == RD_FATE_RETURNED && res->ret < 0;

	if (error) {
		j->errors++;
		j->last_error = res->ret;
	}
	if (res->fate != RD_FATE_RETURNED) {
		fate(j, res, "window");
		return;
	}
	if (!j->synced)
		return;
	if (j->backward)
		end_backward(j, error);
	else
		end_forward(j, error, said);
}

void rdj_open_failed(struct rdj *j, int err)
{
	/* The ring is new, so honest: failing to open it fails the run. */
	note(j, RD_REFUSES, "could not be opened on the ring (%d)", err);
}

void rdj_closed(struct rdj *j, const struct rd_guard_result *res)
{
	if (res->fate != RD_FATE_RETURNED)
		fate(j, res, "close");
}
