/* SPDX-License-Identifier: MIT */
/*
 * opts.c - the command line of uprb-stress-core: one table from which the
 * parser, --help and the replay line are made (stress/common/opt.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core_stress.h"
#include "mem.h"
#include "parse.h"
#include "result.h"
#include "rng.h"

static bool size_ok(uint64_t v, char *why, size_t len)
{
	if (v < UPRB_SYNTH_MIN_SIZE || v > UPRB_MAX_RECORD || (v & 7)) {
		snprintf(why, len, "record size %" PRIu64 ": not a multiple of 8 in %u..%u",
			 v, UPRB_SYNTH_MIN_SIZE, UPRB_MAX_RECORD);
		return false;
	}
	return true;
}

/* --sizes: "16,40,256" or "16-512" (multiples of 8 from 16 to 512). */
static bool parse_sizes(const char *arg, void *dst, char *why, size_t len)
{
	struct cs_sizes *s = dst;
	char buf[1024], *items[CS_MAX_SIZES];
	const char *dash = strchr(arg, '-');
	uint64_t a, b;
	int n;

	if (dash && !strchr(arg, ',')) {
		char lo[32];

		snprintf(lo, sizeof(lo), "%.*s", (int)(dash - arg), arg);
		if (!sp_uint(lo, false, &a, why, len) ||
		    !sp_uint(dash + 1, false, &b, why, len) ||
		    !size_ok(a, why, len) || !size_ok(b, why, len))
			return false;
		if (b < a) {
			snprintf(why, len, "a range from high to low");
			return false;
		}
		*s = (struct cs_sizes){ .v = { (unsigned int)a, (unsigned int)b },
					.n = 2, .range = true };
		return true;
	}
	n = sp_split(arg, buf, sizeof(buf), items, CS_MAX_SIZES, why, len);
	if (n < 0)
		return false;
	s->n = 0;
	s->range = false;
	for (int i = 0; i < n; i++) {
		if (!sp_uint(items[i], false, &a, why, len) ||
		    !size_ok(a, why, len))
			return false;
		s->v[s->n++] = (unsigned int)a;
	}
	return true;
}

unsigned int cs_max_size(const struct cs_opts *o)
{
	unsigned int m = 0;

	for (unsigned int i = 0; i < o->sizes.n; i++)
		if (o->sizes.v[i] > m)
			m = o->sizes.v[i];
	return m;
}

uint64_t cs_ring_bytes(const struct cs_opts *o)
{
	/* Data pages, the control page, a guard page either side. */
	return (uint64_t)(o->pages + 1) * o->page_size + 2 * 4096;
}

static const struct sopt_choice signal_modes[] = {
	{ "timer", SIGNAL_TIMER }, { "kill", SIGNAL_KILL },
	{ "both", SIGNAL_BOTH }, { NULL, 0 },
};

static const struct sopt_rule rules[] = {
	{ SOPT_EXCLUDES, "forward", "backward", "a ring is written one way" },
	{ SOPT_EXCLUDES, "poll", "wakeup", "the consumer waits one way" },
	{ SOPT_NEEDS, "overwrite", "backward",
	  "a forward overwrite ring cannot be read reliably: docs/ring.md#35-forward-overwrite-rings-cannot-be-read" },
};

static struct sopt table[15];

void cs_prog_init(struct sopt_prog *p, struct cs_opts *o)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	const struct sopt t[] = {
		{ .name = "duration", .kind = SOPT_SECONDS, .dst = &o->duration,
		  .meta = "S", .help = "how long to run", .rmin = 0.001,
		  .rmax = 7 * 86400 },
		{ .name = "rings", .kind = SOPT_UINT, .dst = &o->rings,
		  .meta = "N", .help = "rings, one producer and one consumer each",
		  .min = 1, .max = MAX_RINGS, .def = "the online CPUs" },
		{ .name = "pages", .kind = SOPT_UINT, .dst = &o->pages,
		  .meta = "N", .help = "data pages per ring", .min = 1,
		  .max = 1u << 20, .flags = SOPT_POW2 },
		{ .name = "page-size", .kind = SOPT_BYTES, .dst = &o->page_size,
		  .meta = "B", .help = "page (chunk) size", .min = UPRB_MIN_PAGE_SIZE,
		  .max = 1u << 24, .flags = SOPT_POW2 },
		{ .name = "sizes", .kind = SOPT_TEXT, .dst = &o->sizes,
		  .meta = "LIST|A-B", .check = parse_sizes, .def = "16-512",
		  .help = "record sizes: a list (16,40,256) or a range of "
			  "multiples of 8 (16-512); each a multiple of 8 in 16..65528" },
		{ .name = "signal", .kind = SOPT_CHOICE, .dst = &o->signal,
		  .meta = "MODE", .choices = signal_modes,
		  .help = "who sends the signals: timers, a pthread_kill driver, "
			  "or half each" },
		{ .name = "signal-rate", .kind = SOPT_REAL, .dst = &o->signal_rate,
		  .meta = "R", .rmin = 0, .rmax = 1e6,
		  .help = "signals per second per level per ring, 0 for none" },
		{ .name = "forward", .kind = SOPT_FLAG, .dst = &o->backward,
		  .flags = SOPT_CLEAR, .help = "forward ring (the default)" },
		{ .name = "backward", .kind = SOPT_FLAG, .dst = &o->backward,
		  .help = "backward ring, read newest first in pause-read cycles" },
		{ .name = "overwrite", .kind = SOPT_FLAG, .dst = &o->overwrite,
		  .help = "overwrite ring (with --backward): checks record "
			  "validity only, not conservation" },
		{ .name = "poll", .kind = SOPT_FLAG, .dst = &o->wakeup,
		  .flags = SOPT_CLEAR, .help = "the consumer polls (the default)" },
		{ .name = "wakeup", .kind = SOPT_FLAG, .dst = &o->wakeup,
		  .help = "the consumer sleeps on the ring's wake-up (an eventfd)" },
		{ .name = "seed", .kind = SOPT_U64, .dst = &o->seed, .meta = "N",
		  .max = UINT64_MAX, .def = "from the clock, printed",
		  .help = "seed of all randomness" },
		{ .name = "negative-control", .kind = SOPT_FLAG, .dst = &o->negative,
		  .help = "a second thread writes the ring as well (one ring): "
			  "the run passes only if that corruption is detected" },
		{ .name = "backoff", .kind = SOPT_UINT, .dst = &o->backoff,
		  .meta = "N", .max = 1u << 24,
		  .help = "after a task-level drop, pause up to N spins (doubling "
			  "from 16) before the next write (0: hammer the full ring)" },
	};

	_Static_assert(sizeof(t) == sizeof(table), "the table's size");
	*o = (struct cs_opts){
		.duration = 10,
		.rings = ncpu > 0 ? (ncpu > MAX_RINGS ? MAX_RINGS :
				     (unsigned int)ncpu) : 1,
		.pages = 4,
		.page_size = UPRB_DEFAULT_PAGE_SIZE,
		.sizes = { .v = { 16, 512 }, .n = 2, .range = true },
		.signal = SIGNAL_BOTH,
		.signal_rate = 2000,
		.backoff = 4096,
	};
	memcpy(table, t, sizeof(t));
	*p = (struct sopt_prog){
		.name = CS_NAME,
		.synopsis = "[options]",
		.about = "  The native core under threads and signals: a producer per ring, real-time\n"
			 "  signals as nested softirq/hardirq/NMI writers, a consumer per ring through\n"
			 "  the checker, exact loss conservation.\n",
		.epilogue = "exit status: 0 ok; 1 a check failed; 2 bad usage, or the run could not\n"
			    "do what was asked; 128+N stopped by signal N (SIGINT, SIGTERM: summary\n"
			    "and replay line first; a second signal aborts).\n",
		.opts = table,
		.nopts = sizeof(t) / sizeof(t[0]),
		.rules = rules,
		.nrules = sizeof(rules) / sizeof(rules[0]),
		.out = stdout,
		.err = stderr,
	};
}

/* Checks between options and against the machine, after the parse. */
static int cross_checks(struct sopt_prog *p, struct cs_opts *o)
{
	uint64_t ring = (uint64_t)o->pages * o->page_size;
	char why[160], b[32];

	/*
	 * The largest record with a LOST in front must fit with room to
	 * spare, or a non-overwrite ring drops it forever and an overwrite
	 * ring writes it over its own header
	 * (docs/ring.md#14-sizes-and-the-space-rule).
	 */
	if ((uint64_t)cs_max_size(o) + UPRB_LOST_RECORD_SIZE + 8 > ring)
		return sopt_fail(p, "sizes", "a %u-byte record and a LOST (%u) do not fit a %" PRIu64 "-byte ring (--pages x --page-size)",
				 cs_max_size(o), UPRB_LOST_RECORD_SIZE, ring);
	if (o->negative && sopt_given(p, "rings") && o->rings != 1)
		return sopt_fail(p, "rings", "the negative control runs one ring, so that both of its writers get a CPU");
	if (o->negative)
		o->rings = 1;
	if (sopt_given(p, "signal") && o->signal_rate == 0)
		return sopt_fail(p, "signal", "no signal is sent with --signal-rate 0");
	snprintf(why, sizeof(why), "%u ring%s of %s", o->rings,
		 o->rings == 1 ? "" : "s", sp_fmt_bytes(ring, b, sizeof(b)));
	return stress_mem_check(p, sopt_given(p, "page-size") &&
			     !sopt_given(p, "pages") ? "page-size" : "pages",
			     cs_ring_bytes(o) * o->rings, why);
}

int cs_parse_opts(struct sopt_prog *p, struct cs_opts *o, int argc,
		  char **argv)
{
	char seed[24];
	int rc = sopt_parse(p, argc, argv);

	if (rc)
		return rc;
	rc = cross_checks(p, o);
	if (rc)
		return rc;
	if (!sopt_given(p, "seed")) {
		o->seed = stress_clock_seed();
		snprintf(seed, sizeof(seed), "%" PRIu64, o->seed);
		sopt_set_made(p, "seed", seed);
	}
	return 0;
}
