/* SPDX-License-Identifier: MIT */
/*
 * schedcov.c - schedule coverage (schedcov.h): the world's interposition
 * points hashed into a counter region that libFuzzer and AFL++ read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "schedcov.h"

/*
 * This file judges nothing and decides nothing: its own branches are not
 * coverage (they would only echo the features). clang's sanitizer
 * coverage honours the attribute; AFL++ 4.04c's pass does not.
 */
#if defined(__clang__)
#pragma clang attribute push(__attribute__((no_sanitize("coverage"))), apply_to = function)
#endif

/*
 * The region. libFuzzer collects every counter of this section after each
 * run as features of their own (beside the edges', so its "cov" stays the
 * edge count); a sanitizer leaves a section named like a C identifier
 * without redzones, so the section is exactly this array.
 */
static uint8_t counters[FZ_SC_COUNTERS]
	__attribute__((section("__libfuzzer_extra_counters"), used, aligned(64)));

#ifdef __AFL_COMPILER
/*
 * AFL++: its runtime numbers trace-pc-guard slots of the shared map for
 * every guard array it is given, and sizes the map from the count when it
 * maps it, after the instrumented modules' constructors (priority 2) have
 * registered their edges. Registering here, at priority 1, gives each
 * counter a slot of its own in the map; a hit increments that slot.
 */
void __sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop);
void __sanitizer_cov_trace_pc_guard(uint32_t *guard);
static uint32_t afl_guards[FZ_SC_COUNTERS];

__attribute__((constructor(1))) static void afl_register(void)
{
	__sanitizer_cov_trace_pc_guard_init(afl_guards,
					    afl_guards + FZ_SC_COUNTERS);
}
#define AFL_HIT(i) __sanitizer_cov_trace_pc_guard(&afl_guards[i])
#else
#define AFL_HIT(i) ((void)0)
#endif

/* Shared locations, by address. */
enum sc_loc {
	LOC_NEST, LOC_HEAD, LOC_LOST, LOC_WAKEUP, LOC_EVENTS, LOC_SRC_LOST,
	/* above: the writer's own state; below: memory the consumer shares */
	LOC_PAUSED, LOC_DATA_HEAD, LOC_DATA_TAIL, LOC_DATA, /* 4 quarters */
	LOC_COUNT = LOC_DATA + 4,
};
#define LOC_SHARED LOC_PAUSED

/* A writer store seen by the consumer when visible: its level is not kept. */
#define LEVEL_WRITER 5u
#define SITE_NONE 0xffu

enum sc_tag {
	TAG_INJECT = 1, TAG_FIRST, TAG_ALIAS, TAG_STATE, TAG_VISIBLE, TAG_STALE,
	TAG_PLANT, TAG_NESTED,
};

struct sc_store {
	uint8_t site, level;
	bool set;
};

struct sc_cpu {
	struct fz_sc_ring r;
	unsigned quarter_shift; /* data offset >> shift: its quarter */
	/* the last store each CPU can see, per location: [0] writer, [1] consumer */
	struct sc_store view[2][LOC_COUNT];
	uint8_t cur[FZ_SC_USER + 1];     /* latest site per context */
	/* an injected context's first access still to come: who it preempted */
	struct sc_store pend[FZ_SC_USER + 1];
};

unsigned fz_sc_watch;

static struct {
	unsigned families; /* 0: off */
	bool buffered;
	struct sc_cpu cpu[FZ_MAX_CPUS];
	char describe[64];
	/* UPRB_SIM_SCHEDCOV_UNION=1: every run's features, for the campaign */
	bool union_on;
	unsigned long runs;
	uint8_t seen[FZ_SC_COUNTERS / 8];
	/* UPRB_SIM_SCHEDCOV_PLANT=leak or =bug (schedcov.h), for CTests */
	bool plant_leak, plant_bug;
	unsigned armed[FZ_MAX_CPUS]; /* the planted bug's first step: writer + 1 */
} sc;

/*
 * Families of UPRB_SIM_SCHEDCOV=1 (or unset), chosen by measurement
 * (fuzz/README.md, "Schedule coverage"): alias, state and first made the
 * search no faster, and kept more inputs (slower runs of libFuzzer).
 */
#define SC_DEFAULT (FZ_SC_PREEMPT | FZ_SC_WEAK)

static const struct {
	const char *name;
	unsigned bit;
} names[] = {
	{ "preempt", FZ_SC_PREEMPT }, { "alias", FZ_SC_ALIAS },
	{ "state", FZ_SC_STATE },     { "weak", FZ_SC_WEAK },
	{ "first", FZ_SC_FIRST }, { "counts", FZ_SC_COUNTS },
};

static unsigned parse(const char *e)
{
	unsigned bits = 0;
	char buf[128], *save, *tok;

	if (!e || !*e || !strcmp(e, "1"))
		return SC_DEFAULT;
	if (!strcmp(e, "0"))
		return 0;
	if (strlen(e) >= sizeof(buf))
		goto bad;
	strcpy(buf, e);
	for (tok = strtok_r(buf, ",+", &save); tok; tok = strtok_r(NULL, ",+", &save)) {
		unsigned i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			goto bad;
		bits |= names[i].bit;
	}
	if (bits & ~FZ_SC_COUNTS)
		return bits;
bad:
	fprintf(stderr, "fuzz world: UPRB_SIM_SCHEDCOV=%s: not 0, 1 or a list of "
		"preempt,first,alias,state,weak (and counts)\n", e);
	exit(2);
}

static void describe(unsigned bits)
{
	size_t n = 0;

	sc.describe[0] = 0;
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (bits & names[i].bit)
			n += (size_t)snprintf(sc.describe + n, sizeof(sc.describe) - n,
					      "%s%s", n ? "," : "", names[i].name);
	if (!n)
		snprintf(sc.describe, sizeof(sc.describe), "off");
}

/* Mix a packed key into a counter index (a 64-bit finaliser). */
static inline uint32_t slot_of(uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdull;
	key ^= key >> 33;
	key *= 0xc4ceb9fe1a85ec53ull;
	key ^= key >> 33;
	return (uint32_t)key & (FZ_SC_COUNTERS - 1);
}

static void hit(enum sc_tag tag, uint64_t key)
{
	uint32_t i = slot_of(key << 4 | tag);

	if (sc.families & FZ_SC_COUNTS) {
		if (counters[i] != 0xff)
			counters[i]++;
		AFL_HIT(i);
	} else if (!counters[i]) {
		counters[i] = 1;
		AFL_HIT(i);
	}
}

/* The union of the runs' features so far (UPRB_SIM_SCHEDCOV_UNION). */
static void fold(void)
{
	for (unsigned i = 0; i < FZ_SC_COUNTERS; i++)
		if (counters[i])
			sc.seen[i / 8] |= (uint8_t)(1u << (i % 8));
}

static void print_union(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < FZ_SC_COUNTERS; i++)
		n += sc.seen[i / 8] >> (i % 8) & 1;
	fprintf(stderr, "schedcov: %u features over %lu runs (%s)\n", n, sc.runs,
		fz_schedcov_describe());
}

unsigned fz_schedcov_begin(bool buffered, bool clear)
{
	static int families = -1;

	if (families < 0) {
		const char *e;

		families = (int)parse(getenv("UPRB_SIM_SCHEDCOV"));
		describe((unsigned)families);
		e = getenv("UPRB_SIM_SCHEDCOV_PLANT");
		sc.plant_leak = e && !strcmp(e, "leak");
		sc.plant_bug = e && !strcmp(e, "bug");
		if (e && *e && !sc.plant_leak && !sc.plant_bug) {
			fprintf(stderr, "fuzz world: UPRB_SIM_SCHEDCOV_PLANT=%s: not leak or bug\n", e);
			exit(2);
		}
		e = getenv("UPRB_SIM_SCHEDCOV_UNION");
		sc.union_on = e && !strcmp(e, "1");
		if (sc.union_on)
			atexit(print_union);
	}
	sc.families = (unsigned)families;
	sc.buffered = buffered;
	if (clear && sc.families) {
		memset(counters, 0, sizeof(counters));
		/* How the replay's second run in a process would show a leak. */
		if (sc.plant_leak) {
			static uint64_t planted;

			hit(TAG_PLANT, planted++);
		}
	}
	memset(sc.cpu, 0, sizeof(sc.cpu));
	memset(sc.armed, 0, sizeof(sc.armed));
	/* Every access when alias pairs are on, else after injections only. */
	fz_sc_watch = sc.families & FZ_SC_ALIAS ? 1 : 0;
	return sc.families | (sc.plant_bug ? FZ_SC_PLANTED : 0);
}

void fz_schedcov_end(void)
{
	/*
	 * Folded at the run's end, not at the next run's begin: libFuzzer
	 * clears its extra counters itself after each run.
	 */
	if (sc.union_on && sc.families) {
		fold();
		sc.runs++;
	}
}

void fz_schedcov_ring(unsigned cpu, const struct fz_sc_ring *r)
{
	struct sc_cpu *c = &sc.cpu[cpu];
	unsigned shift = 0;

	c->r = *r;
	/* size is a power of two: a quarter is size >> 2 bytes */
	while (r->size >> 2 >> shift > 1)
		shift++;
	c->quarter_shift = r->size >= 4 ? shift : 0;
	memset(c->cur, SITE_NONE, sizeof(c->cur));
}

/* Scalar location of @p, or LOC_COUNT when it is none of the shared ones. */
static unsigned loc_scalar(const struct sc_cpu *c, const void *p)
{
	const struct fz_writer_addrs *w = &c->r.w;

	if (p == w->nest)
		return LOC_NEST;
	if (p == w->head)
		return LOC_HEAD;
	if (p == w->lost)
		return LOC_LOST;
	if (p == w->wakeup)
		return LOC_WAKEUP;
	if (p == w->events)
		return LOC_EVENTS;
	if (p == w->paused)
		return LOC_PAUSED;
	if (p == c->r.data_head)
		return LOC_DATA_HEAD;
	if (p == c->r.data_tail)
		return LOC_DATA_TAIL;
	for (unsigned i = 0; i < FZ_BACKEND_MAX_SOURCES; i++)
		if (w->src_lost[i] && p == w->src_lost[i])
			return LOC_SRC_LOST;
	return LOC_COUNT;
}

/* Is @p in the data area? (No data pages: no data area, and no pointer sums.) */
static inline bool in_data(const struct sc_cpu *c, const unsigned char *p)
{
	return c->r.size && p >= c->r.data && (size_t)(p - c->r.data) < c->r.size;
}

/* Locations [*lo, *hi] that @a touches; false: none tracked. */
static bool locs(const struct sc_cpu *c, const struct uprb_sim_access *a,
			  unsigned *lo, unsigned *hi)
{
	const unsigned char *p;
	size_t len;

	switch (a->op) {
	case UPRB_OP_FENCE:
		return false;
	case UPRB_OP_COPY_TO:
		p = a->addr;
		len = a->len;
		break;
	case UPRB_OP_COPY_FROM:
		p = a->src;
		len = a->len;
		break;
	default:
		p = a->addr;
		len = a->width;
		if (!in_data(c, p)) {
			*lo = *hi = loc_scalar(c, p);
			return *lo != LOC_COUNT;
		}
		break;
	}
	if (!len || !in_data(c, p))
		return false;
	*lo = LOC_DATA + (unsigned)((size_t)(p - c->r.data) >> c->quarter_shift);
	*hi = LOC_DATA + (unsigned)(((size_t)(p - c->r.data) + len - 1) % c->r.size >>
				    c->quarter_shift);
	if (*hi < *lo) /* wraps: all quarters from lo on, then from 0 */
		*hi = LOC_COUNT - 1;
	return true;
}

enum { OP_READ, OP_WRITE, OP_RMW };

static unsigned op_class(const struct uprb_sim_access *a, uint64_t v,
				  bool *stores)
{
	switch (a->op) {
	case UPRB_OP_LOAD:
	case UPRB_OP_COPY_FROM:
		*stores = false;
		return OP_READ;
	case UPRB_OP_STORE:
	case UPRB_OP_COPY_TO:
		*stores = true;
		return OP_WRITE;
	case UPRB_OP_CMPXCHG:
		*stores = v == a->expect;
		return OP_RMW;
	default:
		*stores = true;
		return OP_RMW;
	}
}

/*
 * Reads-from (and store-after-store) pairs at location @l: the last store
 * CPU @role can see, and this access from another context. When the
 * storing context is a writer, where it stands now is part of the pair:
 * the site it was preempted at, when the access is nested inside it.
 */
static void alias(struct sc_cpu *c, unsigned role, unsigned l,
			   unsigned level, enum uprb_site site, unsigned op,
			   bool stores)
{
	struct sc_store *s = &c->view[role][l];

	if (s->set && s->level != level) {
		unsigned pre = s->level < FZ_SC_USER ? c->cur[s->level] : SITE_NONE;

		hit(TAG_ALIAS, (uint64_t)l | (uint64_t)s->site << 8 |
			       (uint64_t)s->level << 16 | (uint64_t)site << 24 |
			       (uint64_t)level << 32 | (uint64_t)op << 36 |
			       (uint64_t)pre << 40);
	}
	if (!stores)
		return;
	*s = (struct sc_store){ .site = (uint8_t)site, .level = (uint8_t)level,
				.set = true };
	/* The writer's own state, and everything under SC: seen by all at once. */
	if (!sc.buffered || l < LOC_SHARED)
		c->view[!role][l] = *s;
}

void fz_schedcov_access(unsigned cpu, unsigned level, bool reader,
				 const struct uprb_sim_access *a, uint64_t v)
{
	struct sc_cpu *c = &sc.cpu[cpu];
	unsigned lo, hi, op;
	bool stores;

	if (!(sc.families & FZ_SC_FAMILIES) || level > FZ_SC_USER)
		return;
	if (c->pend[level].set) {
		/* The first access of an injected context: who it preempted. */
		hit(TAG_FIRST, (uint64_t)c->pend[level].level |
			       (uint64_t)c->pend[level].site << 8 |
			       (uint64_t)level << 16 | (uint64_t)a->site << 24);
		c->pend[level].set = false;
		fz_sc_watch--;
	}
	c->cur[level] = (uint8_t)a->site;
	if ((sc.families & FZ_SC_ALIAS) && locs(c, a, &lo, &hi)) {
		op = op_class(a, v, &stores);
		for (unsigned l = lo; l <= hi; l++)
			alias(c, reader, l, level, a->site, op, stores);
	}
}

void fz_schedcov_stale(unsigned cpu, enum uprb_site site,
				const struct fz_sc_where *writer)
{
	(void)cpu;
	if (sc.families & FZ_SC_WEAK)
		hit(TAG_STALE, (uint64_t)site | (uint64_t)writer->site << 8 |
			       (uint64_t)writer->level << 16);
}

/* The ring's state as a small class (schedcov.h: state). */
static unsigned ring_class(const struct fz_sc_state *st)
{
	uint64_t used = st->backward ? st->tail - st->head : st->head - st->tail;
	uint64_t from = st->backward ? st->head : st->tail;
	unsigned fill;
	bool wrapped = false;

	if (!st->size)
		fill = 5;
	else if (!used)
		fill = 0;
	else if (used > st->size)
		fill = 4; /* past the tail: lapped, or a tail that lies */
	else if (st->size - used < 64)
		fill = 3;
	else
		fill = used > st->size / 2 ? 2 : 1;
	if (st->size && used && used <= st->size)
		wrapped = (from & ~(st->size - 1)) != ((from + used - 1) & ~(st->size - 1));
	return fill | (unsigned)wrapped << 3 | (unsigned)st->paused << 4 |
	       (unsigned)(st->head != st->data_head) << 5;
}

/*
 * UPRB_SIM_SCHEDCOV_PLANT=bug: a failure that only the order of
 * preemptions shows, for the checks that the features feed the engines.
 * Edge coverage sees that nested writes ran, not where they came: it
 * breaks when one task writer is preempted by a write at head_cas and
 * then by another at nest_put_load.
 */
static void planted_bug(unsigned cpu, unsigned writer, unsigned level,
				 unsigned depth, enum uprb_site site, unsigned kind,
				 unsigned to_cpu, unsigned to_level)
{
	if (kind != FZ_WRITE || to_cpu != cpu || to_level <= level || depth != 1)
		return;
	if (site == UPRB_SITE_HEAD_CAS) {
		sc.armed[cpu] = writer + 1;
		return;
	}
	if (site == UPRB_SITE_NEST_PUT_LOAD && sc.armed[cpu] == writer + 1) {
		fprintf(stderr, "invariant planted-schedule broke: cpu %u level %s at site %s: "
			"the task writer was preempted by a write at head_cas, then by another "
			"here (UPRB_SIM_SCHEDCOV_PLANT=bug)\n",
			cpu, fz_level_name(level), uprb_site_name(site));
		abort();
	}
	sc.armed[cpu] = 0;
}

void fz_schedcov_inject(unsigned cpu, unsigned writer, unsigned level,
				 unsigned depth,
				 enum uprb_site site, unsigned nth, unsigned kind,
				 unsigned to_cpu, unsigned to_level,
				 const struct fz_sc_state *st)
{
	unsigned nthb = nth < 3 ? nth : 3;

	if (sc.plant_bug)
		planted_bug(cpu, writer, level, depth, site, kind, to_cpu, to_level);
	if (!(sc.families & FZ_SC_FAMILIES))
		return;
	if (sc.families & FZ_SC_PREEMPT) {
		hit(TAG_INJECT, (uint64_t)level | (uint64_t)site << 8 |
				(uint64_t)nthb << 16 | (uint64_t)kind << 20);
	}
	if (sc.families & FZ_SC_FIRST) {
		hit(TAG_NESTED, (uint64_t)level | (uint64_t)site << 8 |
				(uint64_t)nthb << 16 | (uint64_t)kind << 20 |
				(uint64_t)(to_cpu != cpu && to_cpu != FZ_SC_NONE) << 24 |
				(uint64_t)(to_level & 0xff) << 32 |
				(uint64_t)depth << 40);
		if (to_level <= FZ_SC_USER && to_cpu < FZ_MAX_CPUS) {
			struct sc_store *p = &sc.cpu[to_cpu].pend[to_level];

			fz_sc_watch += !p->set;
			*p = (struct sc_store){ .site = (uint8_t)site,
						.level = (uint8_t)level, .set = true };
		}
	}
	if (sc.families & FZ_SC_STATE)
		hit(TAG_STATE, (uint64_t)ring_class(st) | (uint64_t)depth << 8 |
			       (uint64_t)kind << 16 | (uint64_t)site << 24);
}

void fz_schedcov_visible(unsigned cpu, bool reader,
				  const struct uprb_sim_access *s,
				  const struct uprb_sim_access *older,
				  const struct fz_sc_where *after)
{
	struct sc_cpu *c = &sc.cpu[cpu];
	unsigned lo, hi;

	if (!(sc.families & FZ_SC_FAMILIES) || !locs(c, s, &lo, &hi))
		return;
	if ((sc.families & FZ_SC_WEAK) && after)
		hit(TAG_VISIBLE, (uint64_t)reader | (uint64_t)s->site << 8 |
				 (uint64_t)lo << 16 |
				 (uint64_t)(older ? older->site : SITE_NONE) << 24 |
				 (uint64_t)after->site << 32 |
				 (uint64_t)after->level << 40);
	if (!(sc.families & FZ_SC_ALIAS))
		return;
	/* Now the other CPU reads from it. */
	for (unsigned l = lo; l <= hi; l++)
		c->view[!reader][l] = (struct sc_store){
			.site = (uint8_t)s->site,
			.level = (uint8_t)(reader ? FZ_SC_USER : LEVEL_WRITER),
			.set = true };
}

unsigned fz_schedcov_families(void)
{
	return sc.families;
}

unsigned fz_schedcov_count(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < FZ_SC_COUNTERS; i++)
		n += counters[i] != 0;
	return n;
}

uint64_t fz_schedcov_digest(void)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (unsigned i = 0; i < FZ_SC_COUNTERS; i++) {
		h ^= counters[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

const char *fz_schedcov_describe(void)
{
	return sc.describe[0] ? sc.describe : "off";
}

#if defined(__clang__)
#pragma clang attribute pop
#endif
