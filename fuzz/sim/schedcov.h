/* SPDX-License-Identifier: MIT */
/*
 * schedcov.h - schedule coverage: features of the interleaving a run took,
 * fed to the fuzzing engines beside their edge coverage, so that two inputs
 * that run the same lines in different interleavings look different to
 * them (in the spirit of KRACE's alias coverage).
 *
 * The world (world_*.c) tells schedcov what it sees at its interposition
 * points: every seam access it performs (CPU, context level, site label,
 * the location by address, never by one backend's code), every action it
 * injects at a writer's access, and, under the memory models of memory.h,
 * every buffered store as it becomes visible. schedcov hashes what it is
 * told into a bounded region of 8-bit counters, FZ_SC_COUNTERS of them:
 *
 *   preempt  an action injected at a writer access: (preempted level,
 *            site, its occurrence 1/2/3+ in that writer, action);
 *   first    the same with the context the action runs in (level, another
 *            CPU) and the nest depth, and the pair (preempted level and
 *            site, the injected context's first shared access);
 *   alias    reads-from pairs per shared location (nest, head, lost,
 *            wakeup, events, paused, a source's drop count, data_head,
 *            data_tail, the data area by quarter): the (site, level) of
 *            the last store the accessing CPU can see and the (site,
 *            level) of the next access from another context, with the
 *            site where the storing context is preempted when the access
 *            is nested inside it;
 *   state    the ring at each injection: empty / partly full / full /
 *            past the tail, unread data wrapping the ring end, paused,
 *            reservations unpublished, with nest depth and the action;
 *   weak     under tso and weak memory: which store became visible past
 *            which older pending store of its CPU and right after which
 *            access, and which consumer loads returned stale bytes.
 *
 * The engines read the region directly: libFuzzer's extra counters (the
 * section __libfuzzer_extra_counters, collected as features after each
 * run beside the edges' inline counters) and, in a build by
 * afl-clang-fast, AFL++'s shared map (the counters get trace-pc-guard
 * slots of AFL++'s runtime at start-up, before it sizes its map; AFL++
 * 4.04c does not read libFuzzer's extra counters). Replay binaries print
 * the count and a digest of the features with -v.
 *
 * UPRB_SIM_SCHEDCOV: unset or 1: the default families; 0: off (nothing
 * recorded, the same binary); or a list of families, separated by commas
 * or "+" ("preempt,first,alias,state,weak"), and "counts" (hit counts
 * instead of presence). The default is preempt,weak (fuzz/README.md says
 * why: measured, the others bought no faster finds for their cost). A bad
 * value exits with status 2. Deterministic: the features are a function of
 * the input (the replay driver runs each input twice and compares).
 *
 * For the CTests that prove the checks: UPRB_SIM_SCHEDCOV_PLANT=leak adds a
 * feature that is not the input's (a run counter: the replay's second run
 * must see it differ), =bug plants a bug only a schedule shows (one task
 * writer preempted by a write at head_cas and then by another at
 * nest_put_load: "invariant planted-schedule broke"), with the features on
 * or off. UPRB_SIM_SCHEDCOV_UNION=1 prints, at exit, how many
 * features all runs of the process had (ci/campaign's measurement).
 */
#ifndef FZ_SCHEDCOV_H
#define FZ_SCHEDCOV_H

#include <stdbool.h>
#include <stdint.h>

#include "backend.h"
#include "uprb/port.h"

/* The counter region: a power of two. */
#define FZ_SC_COUNTERS 8192u

enum fz_sc_family {
	FZ_SC_PREEMPT = 1u << 0,
	FZ_SC_ALIAS = 1u << 1,
	FZ_SC_STATE = 1u << 2,
	FZ_SC_WEAK = 1u << 3,
	FZ_SC_FIRST = 1u << 4,
	FZ_SC_FAMILIES = 0x1fu,
	FZ_SC_COUNTS = 1u << 8, /* hit counts, not presence */
	FZ_SC_PLANTED = 1u << 9, /* UPRB_SIM_SCHEDCOV_PLANT=bug: not a family */
};

/* Contexts: the writer levels of port.h, then user space (consumer, pause). */
#define FZ_SC_USER 4u

/* What the world knows of one CPU's ring, for locations by address. */
struct fz_sc_ring {
	struct fz_writer_addrs w;
	const void *data_head, *data_tail;
	const unsigned char *data;
	uint64_t size;
};

/* The ring's state at an injection, as the writer's CPU sees it. */
struct fz_sc_state {
	uint64_t head, data_head, tail, size;
	bool backward, paused;
};

/*
 * A run begins: read UPRB_SIM_SCHEDCOV (once; a bad value exits with
 * status 2), forget the last run's state and, with @clear, its features
 * (the differential mode keeps both backends' runs of an input).
 * @buffered: a memory model with store buffers (tso, weak): stores to
 * shared memory reach the other CPU only when fz_schedcov_visible() says
 * so. Return: the families on, with FZ_SC_PLANTED when the planted bug is
 * (0: nothing to tell schedcov).
 */
unsigned fz_schedcov_begin(bool buffered, bool clear);

/* CPU @cpu's ring for this run. */
/* A run (both backends' in differential mode) ended. */
void fz_schedcov_end(void);
void fz_schedcov_ring(unsigned cpu, const struct fz_sc_ring *r);

/* A context and where it is: its level and its latest site. */
struct fz_sc_where {
	uint8_t site, level;
};

/*
 * Nonzero when fz_schedcov_access() wants to hear of the next access: the
 * world tests it before the call, which most accesses then skip (alias
 * pairs want every access; "first" only the first of an injected context).
 */
extern unsigned fz_sc_watch;

/*
 * Access @a was performed by context @level (FZ_SC_USER: user space) on
 * CPU @cpu and returned @v; @reader: by the consumer's CPU (memory.h).
 */
void fz_schedcov_access(unsigned cpu, unsigned level, bool reader,
			const struct uprb_sim_access *a, uint64_t v);

/*
 * A consumer load at @site returned bytes older than memory's (weak
 * model), while the writer was at @writer.
 */
void fz_schedcov_stale(unsigned cpu, enum uprb_site site,
		       const struct fz_sc_where *writer);

/*
 * An action of kind @kind (enum fz_kind) is injected at the @nth access at
 * @site of writer @writer (a number for this run) at @level, @depth
 * writers deep, on CPU @cpu; it runs in context @to_level on CPU @to_cpu
 * (a write, a consumer step, a pause; FZ_SC_NONE: no context of its own).
 * @st: that ring's state (read only with the state family on).
 */
#define FZ_SC_NONE 0xffu
void fz_schedcov_inject(unsigned cpu, unsigned writer, unsigned level,
			unsigned depth,
			enum uprb_site site, unsigned nth, unsigned kind,
			unsigned to_cpu, unsigned to_level,
			const struct fz_sc_state *st);

/*
 * A store @s of the writer's CPU (@reader false) or the consumer's became
 * visible to the other: because the input said so, with the writer about
 * to make the access of @after, or (@after NULL) in a drain, which the
 * world tells only when alias pairs are on. @older: the oldest store of
 * that CPU still buffered that was issued before @s (NULL: none, it went
 * in order).
 */
void fz_schedcov_visible(unsigned cpu, bool reader,
			 const struct uprb_sim_access *s,
			 const struct uprb_sim_access *older,
			 const struct fz_sc_where *after);

/* Families on (0: off), as fz_schedcov_begin() found them. */
unsigned fz_schedcov_families(void);

/* The last run's features: how many counters are set, and a digest. */
unsigned fz_schedcov_count(void);
uint64_t fz_schedcov_digest(void);

/* The families on, "preempt,weak", or "off", for summaries. */
const char *fz_schedcov_describe(void);

#endif /* FZ_SCHEDCOV_H */
