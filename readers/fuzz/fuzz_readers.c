/* SPDX-License-Identifier: MIT */
/*
 * fuzz_readers - every perf-ring reader built in (rd/adapter.h: ours,
 * libperf, libbpf's perf_buffer raw and typed, bcc's perf_reader) over the
 * same program of writes, windows and hostile acts (input: rdinput.h),
 * each on its own copy of the ring, each judged (judge.h).
 *
 * Per reader: a harness ring (rd/hring.h) as new; the reader opened on it
 * (the fake-fd shim hands it the ring); the program run: SAMPLE records
 * with RAW payloads written through the core's writer, windows drained
 * through the adapter inside a guarded call (rd/guard.h: a step bound and
 * a CPU-time watchdog, faults in the zones around the ring caught), with
 * the input's inner actions run from the reader's own callback; records
 * corrupted, data_head and data_tail written as a hostile user space would;
 * a last window; close.
 *
 * The run fails (one story line, abort()) when a reader misbehaves in any
 * way on an honest ring, or breaks memory safety (oob, crashes) or
 * termination (loops) on a hostile one, unless readers/expect/ knows it
 * (expect.h): then that reader is retired for the rest of the input and
 * the others go on. What each reader did on a hostile ring short of that
 * (refuses, stalls, skips, garbage) is classified and printed with -v.
 *
 * Environment:
 *   UPRB_READERS=core,libbpf    only these readers (default: all built)
 *   UPRB_READERS_STRICT=1       known defects fail too
 *   UPRB_READERS_SURVEY=1       nothing fails: every reader runs the whole
 *                               input and -v says what each did (the
 *                               README's table, readers/tools/table.py)
 *   UPRB_READERS_REQUIRE=r:id   fail unless reader r showed known defect
 *                               id (the regression test of a known defect;
 *                               its absence is an unexpected pass)
 *   UPRB_READERS_DUMP=FILE      write the ring (control page, then data
 *                               area) as it was when the window began in
 *                               which the first reader run misbehaved: the
 *                               ring bytes of a finding's reproducer
 *   UPRB_FUZZ_VERBOSE=1|2       as the replay's -v / -vv
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "expect.h"
#include "judge.h"
#include "rd/adapter.h"
#include "rd/fakefd.h"
#include "rd/guard.h"
#include "rd/hring.h"
#include "rdinput.h"

#define X64(v) ((unsigned long long)(v))
#define MAX_READERS 16
#define MAX_RECS (2 * RDI_MAX_OPS * 8 + 2 * RDI_MAX_OPS * RDI_MAX_INNER * 8)

/* One reader's outcome on the last input, for the summary. */
struct outcome {
	const struct rd_adapter *a;
	enum rd_behaviour worst;
	bool honest;
	unsigned classes;
	const struct rd_expect *known;
	uint64_t windows, items, errors;
};

static struct {
	int verbose;
	bool strict, survey;
	char only[256];
	char require[128];
	char dump[512];
	bool dumped;
	unsigned char *snap;       /* the ring when the window began */
	struct rdi_program prog;
	/* the reader running now */
	const struct rd_adapter *a;
	struct rd_hring *h;
	void *r;
	bool retired;
	bool final;                /* the last window of the run */
	struct rdj j;
	const struct rdi_op *op;   /* the READ op of the current window */
	uint32_t seq;
	uint64_t pos[MAX_RECS];    /* records written, oldest first */
	unsigned nrecs;
	struct outcome out[MAX_READERS];
	unsigned nout;
	char summary[2048];
} R;

/* ------------------------------------------------------------ writes */

static void write_records(const struct rdi_act *a)
{
	for (unsigned i = 0; i < a->count; i++) {
		struct rd_write w = rd_hring_write(R.h, a->size, R.seq++);

		if (w.ret)
			continue;
		/*
		 * The kernel's overwrite mode writes a reservation larger than
		 * the ring (this record, and a LOST in front of it) over itself.
		 */
		if (R.h->ring.backward &&
		    a->size + (w.lost_count ? UPRB_LOST_RECORD_SIZE : 0) >
		    R.h->data_size)
			rdj_hostile(&R.j, RDC_OVERWRITE_BIG);
		if (R.nrecs == MAX_RECS) {
			fprintf(stderr, "fuzz_readers: record table full\n");
			abort();
		}
		R.pos[R.nrecs++] = w.pos;
	}
}

/* ------------------------------------------------------------ hostile acts */

static uint64_t load_head(void)
{
	return __atomic_load_n(&R.h->pc->data_head, __ATOMIC_ACQUIRE);
}

static void poke(uint64_t pos, const void *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		R.h->data[(pos + i) & (R.h->data_size - 1)] =
			((const unsigned char *)src)[i];
}

/* The class of a header size @v at @pos, when it differs from @old. */
static int size_class(uint64_t pos, uint64_t v, uint16_t old)
{
	uint64_t head = load_head();

	if (v == old)
		return -1;
	if (v == 0)
		return RDC_SIZE_ZERO;
	if (v < 8)
		return RDC_SIZE_SHORT;
	if (v & 7)
		return RDC_SIZE_UNALIGNED;
	if (v > R.h->data_size)
		return RDC_SIZE_OVERSIZE;
	if (!R.h->ring.backward && v > head - pos)
		return RDC_PAST_HEAD;
	return RDC_SIZE_WRONG;
}

/*
 * @cls was done to the @len bytes at @pos: hostile if the reader has yet
 * to read them. Bytes of an old record that now lie inside an unread one
 * are that record's payload, whatever they were: a flip.
 */
static void hostile(uint64_t pos, size_t len, int cls)
{
	int u = cls >= 0 ? rdj_unread(&R.j, pos, len) : 0;

	if (u)
		rdj_hostile(&R.j, u == 2 ? (enum rd_class)cls : RDC_FLIP);
}

static void corrupt(const struct rdi_act *a)
{
	uint64_t pos = R.nrecs ? R.pos[R.nrecs - 1 - a->rec % R.nrecs] : 8u * a->rec;
	struct perf_event_header hd;
	uint64_t v = 0;
	uint32_t u;

	rd_hring_peek(R.h, pos, &hd, sizeof(hd));
	switch (a->how) {
	case RDI_ZERO:
		poke(pos, "\0\0\0\0\0\0\0\0", 8);
		hostile(pos, 8, hd.size || hd.type ? RDC_SIZE_ZERO : -1);
		return;
	case RDI_TYPE:
		u = (uint32_t)a->val;
		poke(pos, &u, sizeof(u));
		hostile(pos, 4, u != hd.type ? RDC_TYPE : -1);
		return;
	case RDI_RAW:
		switch (a->to) {
		case RDI_RAW_RECORD:
			u = hd.size;
			break;
		case RDI_RAW_PAST:
			u = hd.size + 8u;
			break;
		case RDI_RAW_HUGE:
			u = 0xffffffffu;
			break;
		default:
			u = (uint32_t)a->val;
			break;
		}
		poke(pos + 8, &u, sizeof(u));
		hostile(pos + 8, 4, u != (uint32_t)(hd.size - RD_SAMPLE_RAW_OFF) ?
			RDC_RAW_SIZE : -1);
		return;
	case RDI_FLIP: {
		uint64_t off = a->val & (R.h->data_size - 1);

		R.h->data[off] ^= a->mask;
		hostile(off, 1, RDC_FLIP);
		return;
	}
	case RDI_STRADDLE:
		/* A size that carries the record across the ring's end. */
		v = R.h->data_size - (pos & (R.h->data_size - 1)) + 8;
		break;
	default:
		switch (a->to) {
		case RDI_TO_0:
			v = 0;
			break;
		case RDI_TO_4:
			v = 4;
			break;
		case RDI_TO_12:
			v = 12;
			break;
		case RDI_TO_RING:
			v = R.h->data_size;
			break;
		case RDI_TO_RING8:
			v = R.h->data_size + 8;
			break;
		case RDI_TO_HUGE:
			v = 0xfff8;
			break;
		case RDI_TO_PAST_HEAD:
			v = (R.h->ring.backward ? 8 : load_head() - pos) + 8;
			break;
		default:
			v = a->val;
			break;
		}
		break;
	}
	v &= 0xffff;
	{
		uint16_t s = (uint16_t)v;

		poke(pos + offsetof(struct perf_event_header, size), &s, sizeof(s));
	}
	hostile(pos + 6, 2, size_class(pos, v, hd.size));
}

static void scribble_head(const struct rdi_act *a)
{
	uint64_t head = load_head(), h, S = R.h->data_size, ref = R.j.ref;
	int dir = R.h->ring.backward ? -1 : 1;
	enum rd_class cls;

	switch (a->how) {
	case RDI_H_SET:
		h = a->val;
		break;
	case RDI_H_AHEAD:
		h = head + (uint64_t)dir * a->val;
		break;
	case RDI_H_BEHIND:
		h = head - (uint64_t)dir * a->val;
		break;
	case RDI_H_UNALIGNED:
		h = head + a->val;
		break;
	default:
		h = head + (uint64_t)dir * S;
		break;
	}
	if (h == head)
		return;
	if (h & 7)
		cls = RDC_HEAD_UNALIGNED;
	else if (dir > 0 ? h - ref > S : ref - h > S)
		cls = (dir > 0 ? ref - h : h - ref) <= S ? RDC_HEAD_BACK :
							 RDC_HEAD_OVERRUN;
	else if (dir > 0 ? h - ref < head - ref : ref - h < ref - head)
		cls = RDC_HEAD_BACK;
	else
		cls = RDC_HEAD_AHEAD;
	__atomic_store_n(&R.h->pc->data_head, h, __ATOMIC_RELEASE);
	rdj_hostile(&R.j, cls);
}

static void scribble_tail(const struct rdi_act *a)
{
	uint64_t head = load_head(), t;

	switch (a->how) {
	case RDI_T_AHEAD:
		t = head + a->val;
		break;
	case RDI_T_BEHIND:
		t = R.j.ref - R.h->data_size;
		break;
	case RDI_T_UNALIGNED:
		t = R.j.ref + a->val;
		break;
	default:
		t = a->val;
		break;
	}
	if (t == __atomic_load_n(&R.h->pc->data_tail, __ATOMIC_ACQUIRE))
		return;
	__atomic_store_n(&R.h->pc->data_tail, t, __ATOMIC_RELEASE);
	rdj_hostile(&R.j, RDC_TAIL);
}

static void act(const struct rdi_act *a)
{
	if (R.verbose > 1) {
		fprintf(stderr, "  %s: ", R.a->name);
		rdi_act_print(stderr, a);
		fputc('\n', stderr);
	}
	switch (a->kind) {
	case RDI_WRITE:
		write_records(a);
		break;
	case RDI_CORRUPT:
		corrupt(a);
		break;
	case RDI_HEAD:
		scribble_head(a);
		break;
	case RDI_TAIL:
		scribble_tail(a);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------ the reader */

/* What happens when a reader misbehaves: go on, retire it, or fail. */
static void decide(void)
{
	const struct rd_expect *e;
	struct rdj *j = &R.j;
	enum rd_behaviour b = j->event_behaviour;
	bool fails = j->event_honest ? b != RD_OK : b >= RD_OOB;

	j->event = false;
	if (!fails)
		return;
	/*
	 * A reader that leaves records unread may yet read them, or show in a
	 * later window that it skipped them: a stall is judged at the last
	 * window of the run, where nothing comes after.
	 */
	if (b == RD_STALLS && !R.final)
		return;
	if (R.survey) {
		e = rd_expect_match(R.a, j->event_honest, j->classes, b);
		if (e && !R.out[R.nout].known)
			R.out[R.nout].known = e;
		return;
	}
	e = rd_expect_match(R.a, j->event_honest, j->classes, b);
	if (e && !R.strict) {
		struct outcome *o = &R.out[R.nout];

		if (!o->known)
			o->known = e;
		if (R.verbose)
			fprintf(stderr, "  %s: %s%s, known %s: %s\n", R.a->name,
				j->event_honest ? "honest-" : "",
				rd_behaviour_names[b], e->id, j->story);
		R.retired = true;
		return;
	}
	fprintf(stderr, "invariant %s%s broke: reader at site %s, %s\n",
		j->event_honest ? "honest-" : "", rd_behaviour_names[b],
		R.a->name, j->story);
	if (e)
		fprintf(stderr, "  (known defect %s of %s %s; UPRB_READERS_STRICT=1)\n",
			e->id, R.a->name, R.a->version);
	fflush(stderr);
	abort();
}

static int deliver(void *arg, const struct rd_item *it)
{
	const struct rdi_op *o = R.op;
	int v;

	(void)arg;
	rd_guard_step();
	rd_guard_suspend();
	v = rdj_deliver(&R.j, it);
	for (unsigned k = 0; o && k < o->ninner; k++)
		if (o->inner[k].nth == R.j.items)
			act(&o->inner[k]);
	rd_guard_resume();
	return v;
}

static int drain_call(void *arg)
{
	(void)arg;
	return R.a->drain(R.r, deliver, NULL);
}

static int close_call(void *arg)
{
	(void)arg;
	R.a->close(R.r);
	return 0;
}

struct open_arg {
	int ret;
};

static int open_call(void *arg)
{
	struct open_arg *o = arg;

	o->ret = R.a->open(&R.h->ring, &R.r);
	return o->ret;
}

static void dump_ring(void)
{
	FILE *f = fopen(R.dump, "wb");

	R.dumped = true;
	if (!f || fwrite(R.snap, 1, R.h->ring.len, f) != R.h->ring.len ||
	    fclose(f)) {
		fprintf(stderr, "fuzz_readers: UPRB_READERS_DUMP=%s: cannot write it\n",
			R.dump);
		exit(2);
	}
	fprintf(stderr, "fuzz_readers: %s: the ring (%zu bytes) before step %u "
		"of %s\n", R.dump, R.h->ring.len, R.j.step, R.a->name);
}

static void window(const struct rdi_op *o)
{
	struct rd_guard_result res;
	unsigned inner_writes = 0;
	uint64_t limit;

	if (R.retired)
		return;
	for (unsigned k = 0; o && k < o->ninner; k++)
		inner_writes += o->inner[k].kind == RDI_WRITE;
	/* A walk of the ring per data_head the window can see, and slack. */
	limit = (R.h->data_size / 8 + 8) * (2 + inner_writes) + 64;
	R.op = o;
	rd_said_reset();
	if (R.dump[0] && !R.dumped)
		memcpy(R.snap, R.h->ring.base, R.h->ring.len);
	rdj_window_begin(&R.j, o ? o->max : 0);
	rd_guard_call(drain_call, NULL, limit, &res);
	R.op = NULL;
	rdj_window_end(&R.j, &res, rd_said());
	if (R.verbose > 1)
		fprintf(stderr, "  %s: window: %s, ret %d, %u items, %u messages%s%s\n",
			R.a->name, rd_fate_name(res.fate), res.ret, R.j.items,
			rd_said()->count, rd_said()->count ? ": " : "",
			rd_said()->first);
	if (res.fate != RD_FATE_RETURNED) {
		/* Abandoned inside: its state means nothing; close it now. */
		R.retired = true;
	}
	if (R.j.event && R.dump[0] && !R.dumped)
		dump_ring();
	if (R.j.event)
		decide();
}

static void close_reader(void)
{
	struct rd_guard_result res;

	if (!R.r)
		return;
	R.j.phase = "close";
	rd_guard_call(close_call, NULL, 1u << 16, &res);
	R.r = NULL;
	rd_fakefd_reset();
	rdj_closed(&R.j, &res);
	if (R.j.event)
		decide();
}

static void run_reader(const struct rd_adapter *a)
{
	const struct rdi_program *p = &R.prog;
	struct rd_guard_result res;
	struct open_arg oa = { 0 };
	struct outcome *o = &R.out[R.nout];

	R.a = a;
	R.h = rd_hring_get(p->nr_pages, p->backward);
	R.r = NULL;
	R.retired = false;
	R.seq = 0;
	R.nrecs = 0;
	memset(o, 0, sizeof(*o));
	o->a = a;
	rd_fakefd_reset();
	rd_guard_set_zones(R.h->zone_lo, R.h->zone_len, 2);
	rdj_begin(&R.j, a, R.h);
	R.j.phase = "open";
	rd_guard_watchdog(true);
	rd_said_reset();
	rd_guard_call(open_call, &oa, 1u << 16, &res);
	if (res.fate != RD_FATE_RETURNED || oa.ret) {
		R.r = NULL;
		if (res.fate != RD_FATE_RETURNED)
			rdj_closed(&R.j, &res);
		else
			rdj_open_failed(&R.j, oa.ret);
		R.retired = true;
		if (R.j.event)
			decide();
	}
	for (unsigned i = 0; i < p->nops && !R.retired; i++) {
		const struct rdi_op *op = &p->ops[i];

		R.j.step = i + 1;
		R.j.phase = op->a.kind == RDI_READ ? "read" : "act";
		if (op->a.kind == RDI_READ)
			window(op);
		else
			act(&op->a);
	}
	R.j.step = p->nops + 1;
	R.j.phase = "final drain";
	window(NULL);
	/*
	 * A reader that ended stalled gets one more record, a probe: if it
	 * hands that over and not what it left, it skipped them (libperf's
	 * private read position moved on); if it hands over nothing, it is
	 * stuck. The last window decides stalls.
	 */
	if (R.j.stalled && !R.retired) {
		static const struct rdi_act probe = {
			.kind = RDI_WRITE, .size = RD_SAMPLE_MIN, .count = 1,
		};

		R.j.phase = "probe";
		act(&probe);
	}
	R.final = true;
	window(NULL);
	R.final = false;
	close_reader();
	rd_guard_watchdog(false);
	o->worst = R.j.worst;
	o->honest = R.j.worst_honest;
	o->classes = R.j.worst_classes;
	o->windows = R.j.windows;
	o->items = R.j.items_total;
	o->errors = R.j.errors;
	if (R.verbose && R.j.worst != RD_OK && !o->known)
		fprintf(stderr, "  %s: %s%s, %s\n", a->name,
			R.j.worst_honest ? "honest-" : "",
			rd_behaviour_names[R.j.worst], R.j.story);
}

static bool selected(const struct rd_adapter *a)
{
	const char *p = R.only;
	size_t n = strlen(a->name);

	if (!R.only[0])
		return true;
	while (*p) {
		size_t k = strcspn(p, ",");

		if (k == n && !strncmp(p, a->name, n))
			return true;
		p += k + (p[k] == ',');
	}
	return false;
}

/* UPRB_READERS_REQUIRE: the named known defect must have shown. */
static void check_required(void)
{
	char reader[64];
	const char *id = strchr(R.require, ':');

	if (!R.require[0])
		return;
	snprintf(reader, sizeof(reader), "%.*s", id ? (int)(id - R.require) : 0,
		 R.require);
	for (unsigned i = 0; i < R.nout; i++) {
		const struct outcome *o = &R.out[i];

		if (id && !strcmp(o->a->name, reader)) {
			if (o->known && !strcmp(o->known->id, id + 1))
				return;
			fprintf(stderr, "invariant unexpected-pass broke: reader at "
				"site %s: known defect %s of %s %s did not happen "
				"(it was: %s): update readers/expect/%s.expect\n",
				o->a->name, id + 1, o->a->name, o->a->version,
				o->known ? o->known->id :
					   rd_behaviour_names[o->worst],
				o->a->name);
			fflush(stderr);
			abort();
		}
	}
	fprintf(stderr, "fuzz_readers: UPRB_READERS_REQUIRE=%s: no such reader ran\n",
		R.require);
	abort();
}

static void setup_once(void)
{
	static bool done;
	const char *e;

	if (done)
		return;
	done = true;
	e = getenv("UPRB_FUZZ_VERBOSE");
	R.verbose = e ? atoi(e) : 0;
	rd_said_echo = R.verbose > 1;
	e = getenv("UPRB_READERS_STRICT");
	R.strict = e && atoi(e);
	e = getenv("UPRB_READERS_SURVEY");
	R.survey = e && atoi(e);
	e = getenv("UPRB_READERS");
	snprintf(R.only, sizeof(R.only), "%s", e ? e : "");
	e = getenv("UPRB_READERS_REQUIRE");
	snprintf(R.require, sizeof(R.require), "%s", e ? e : "");
	e = getenv("UPRB_READERS_DUMP");
	snprintf(R.dump, sizeof(R.dump), "%s", e ? e : "");
	if (R.dump[0]) {
		/* The largest ring: 8 pages and the control page. */
		R.snap = malloc(9 * (size_t)sysconf(_SC_PAGESIZE));
		if (!R.snap)
			abort();
	}
	for (unsigned i = 0; rd_adapters[i]; i++)
		if (selected(rd_adapters[i]))
			break;
		else if (!rd_adapters[i + 1]) {
			fprintf(stderr, "fuzz_readers: UPRB_READERS=%s names no "
				"reader built in\n", R.only);
			exit(2);
		}
	rd_guard_install();
}

const char *fz_target_summary(void)
{
	size_t k = 0;

	k += (size_t)snprintf(R.summary + k, sizeof(R.summary) - k,
			      "  ring of %u pages, %s, %u ops:", R.prog.nr_pages,
			      R.prog.backward ? "backward overwrite" : "forward",
			      R.prog.nops);
	for (unsigned i = 0; i < R.nout && k < sizeof(R.summary); i++) {
		const struct outcome *o = &R.out[i];

		k += (size_t)snprintf(R.summary + k, sizeof(R.summary) - k,
				      " %s %s%s%s%s (%llu windows, %llu items, %llu errors);",
				      o->a->name, o->honest && o->worst ? "honest-" : "",
				      rd_behaviour_names[o->worst],
				      o->known ? " known " : "",
				      o->known ? o->known->id : "", X64(o->windows),
				      X64(o->items), X64(o->errors));
	}
	return R.summary;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup_once();
	rdi_decode(&R.prog, data, size);
	if (R.verbose > 1)
		rdi_print(stderr, &R.prog);
	R.nout = 0;
	for (unsigned i = 0; rd_adapters[i] && R.nout < MAX_READERS; i++) {
		const struct rd_adapter *a = rd_adapters[i];

		if (!selected(a) ||
		    !(a->caps & (R.prog.backward ? RD_CAP_BACKWARD : RD_CAP_FORWARD)))
			continue;
		run_reader(a);
		R.nout++;
	}
	check_required();
	return 0;
}
