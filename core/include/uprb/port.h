/* SPDX-License-Identifier: MIT */
/*
 * port.h - the seam between the ring core and the world it runs in.
 *
 * Every access the writer or the reader makes to memory that another
 * context can see (the writer state shared by nested writers of one CPU,
 * the control page shared with user space, the data area) and every
 * ordering point goes through one of the primitives below. Each carries a
 * site label (enum uprb_site) naming the access: the barrier letters A-D of
 * the protocol diagram in core/src/output.c and the nest/head/tail/lost
 * accesses of the kernel's __perf_output_begin() and perf_output_put_handle().
 *
 * Two implementations, chosen at compile time by UPRB_PORT_SIM:
 *
 *   native (port_native.h): inline GCC/C11 __atomic builtins and memcpy, zero
 *     overhead; on x86-64 the CPU-local read-modify-writes are unlocked
 *     instructions (cmpxchg/xadd/add without LOCK), as the kernel's local_t.
 *     This is what users, stress and the benchmark link (library uprb).
 *
 *   sim (port_sim.h): each primitive fills a struct uprb_sim_access and hands
 *     it to the hook table the harness installed (uprb_sim_hooks); the hook
 *     performs the access (or models it: a store buffer, a stale view) and may
 *     first run anything else, e.g. a complete nested write, exactly as an NMI
 *     arriving between two shared accesses would. With no hooks installed the
 *     access is performed plainly by uprb_sim_perform() (library uprb-sim).
 *
 * The core never knows which one it runs on, except for UPRB_PORT_SIM in the
 * reader: the sim build copies every record out of the ring through the seam
 * (so a harness can serve stale bytes), where the native build hands out a
 * pointer into the ring for records that do not wrap.
 */
#ifndef UPRB_PORT_H
#define UPRB_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Site labels. X(name, label, what): name is the enum suffix, label the
 * stable string used in failure messages, matrices and command-line
 * switches, what says which access it is.
 */
#define UPRB_SITES(X)                                                          \
	/* writer: __perf_output_begin */                                      \
	X(PAUSED_LOAD, "paused_load",                                          \
	  "writer loads rb->paused (acquire; matches pause_store)")          \
	X(LOST_ADD_PAUSED, "lost_add_paused", "writer counts a paused drop")   \
	X(LOST_PEEK, "lost_peek", "writer reads rb->lost (have_lost)")        \
	X(NEST_GET_LOAD, "nest_get_load", "get_handle reads rb->nest")        \
	X(NEST_GET_STORE, "nest_get_store", "get_handle stores rb->nest + 1") \
	X(WAKEUP_SNAPSHOT, "wakeup_snapshot", "get_handle reads rb->wakeup")  \
	X(HEAD_LOAD, "head_load", "writer reads rb->head before reserving")   \
	X(A_TAIL_LOAD, "A_tail_load",                                          \
	  "A: writer loads data_tail (acquire; matches D)")                    \
	X(HEAD_CAS, "head_cas", "writer reserves by cmpxchg on rb->head")     \
	X(WAKEUP_LOAD, "wakeup_load", "writer reads rb->wakeup (watermark)")  \
	X(WAKEUP_STEP, "wakeup_step", "writer advances rb->wakeup by watermark")\
	X(LOST_XCHG, "lost_xchg", "writer takes rb->lost for a LOST record")  \
	X(LOST_ADD_FAIL, "lost_add_fail", "writer counts a no-space drop")    \
	X(SOURCE_LOST_ADD, "source_lost_add", "writer counts the source's drop")\
	X(COPY, "copy", "writer stores record bytes into the data area")       \
	X(EVENTS_ADD, "events_add", "sample bumps rb->events (wakeup_events)") \
	X(EVENTS_SUB, "events_sub", "wakeup_events takes its count off rb->events")\
	X(WAKEUP_BUMP, "wakeup_bump", "wakeup_events bumps rb->wakeup")       \
	/* writer: perf_output_put_handle */                                   \
	X(NEST_PUT_LOAD, "nest_put_load", "put_handle reads rb->nest")        \
	X(NEST_PUT_DEC, "nest_put_dec", "inner put_handle stores rb->nest - 1")\
	X(PUT_BARRIER_1, "put_barrier_1",                                      \
	  "compiler barrier: nest read before head read")                      \
	X(PUT_HEAD_LOAD, "put_head_load", "outermost writer reads rb->head")  \
	X(B_HEAD_STORE, "B_head_store",                                        \
	  "B: writer stores data_head (release; matches C)")                   \
	X(PUT_BARRIER_2, "put_barrier_2",                                      \
	  "compiler barrier: data_head store before nest clear")               \
	X(NEST_CLEAR, "nest_clear", "outermost writer stores rb->nest = 0")   \
	X(PUT_BARRIER_3, "put_barrier_3",                                      \
	  "compiler barrier: nest clear before head re-check")                 \
	X(PUT_HEAD_RECHECK, "put_head_recheck", "writer re-reads rb->head")   \
	X(NEST_AGAIN, "nest_again", "writer stores rb->nest = 1 to publish again")\
	X(WAKEUP_CHECK, "wakeup_check", "outermost writer compares rb->wakeup")\
	/* writer: kernel tree only (kernel/) */                               \
	X(B_WMB, "B_wmb",                                                      \
	  "B: smp_wmb() before the data_head store (kernel; matches C)")      \
	X(WAKEUP_SIGNAL, "wakeup_signal",                                      \
	  "perf_output_wakeup sets rb->poll (kernel)")                        \
	/* control */                                                          \
	X(PAUSE_STORE, "pause_store",                                          \
	  "pause/resume stores rb->paused (release; matches paused_load)")    \
	/* reader */                                                           \
	X(C_HEAD_LOAD, "C_head_load",                                          \
	  "C: reader loads data_head (acquire; matches B)")                    \
	X(READ_HEADER, "read_header", "reader loads a record header")         \
	X(READ_DATA, "read_data", "reader loads record bytes")                 \
	X(D_TAIL_STORE, "D_tail_store",                                        \
	  "D: reader stores data_tail (release; matches A)")

enum uprb_site {
#define UPRB_SITE_ENUM_(name, label, what) UPRB_SITE_##name,
	UPRB_SITES(UPRB_SITE_ENUM_)
#undef UPRB_SITE_ENUM_
	UPRB_SITE_COUNT
};

/* Return: the stable label of a site ("B_head_store"), or "?" if out of range. */
const char *uprb_site_name(enum uprb_site site);
/* Return: a one-line description of the access at a site. */
const char *uprb_site_what(enum uprb_site site);
/* Return: the site whose label is @label, or UPRB_SITE_COUNT if none. */
enum uprb_site uprb_site_lookup(const char *label);

/* What a primitive does, as the sim hooks see it. */
enum uprb_op {
	UPRB_OP_LOAD,      /* val = *addr */
	UPRB_OP_STORE,     /* *addr = val */
	UPRB_OP_CMPXCHG,   /* if (*addr == expect) *addr = val; returns old */
	UPRB_OP_XCHG,      /* returns old, *addr = val */
	UPRB_OP_ADD,       /* returns old, *addr += val */
	UPRB_OP_FENCE,     /* ordering only; see order */
	UPRB_OP_COPY_TO,   /* memcpy(addr, src, len) into the data area */
	UPRB_OP_COPY_FROM, /* memcpy(addr, src, len) out of the data area */
};

/* Memory order of an access, or kind of a fence. */
enum uprb_order {
	UPRB_ORDER_ONCE,     /* READ_ONCE/WRITE_ONCE, local_t ops: relaxed */
	UPRB_ORDER_ACQUIRE,  /* load-acquire */
	/*
	 * A load whose value a branch tests before the stores that follow
	 * (the kernel's control dependency, barrier A): ordered before this
	 * CPU's later stores, not before its later loads.
	 */
	UPRB_ORDER_CTRL,
	UPRB_ORDER_RELEASE,  /* store-release */
	UPRB_ORDER_COMPILER, /* fence: barrier(), orders against the same CPU only */
	UPRB_ORDER_WMB,      /* fence: smp_wmb() */
	UPRB_ORDER_RMB,      /* fence: smp_rmb() */
	UPRB_ORDER_MB,       /* fence: smp_mb() */
};

/* One access, as handed to the sim hooks. */
struct uprb_sim_access {
	enum uprb_site site;
	enum uprb_op op;
	enum uprb_order order;
	unsigned int width; /* 4 or 8 for scalar ops, 0 for fences and copies */
	void *addr;         /* the location, or the copy destination */
	const void *src;    /* copy source */
	size_t len;         /* copy length */
	uint64_t val;       /* store / xchg / add operand, cmpxchg new value */
	uint64_t expect;    /* cmpxchg expected value */
	/*
	 * Where the access is in the writer's source, for failure stories
	 * and traces ("ring_buffer.c:198 (__perf_output_begin)"); NULL where
	 * the site label says enough (the core).
	 */
	const char *loc;
};

/*
 * Hook table of the sim build. access() must perform @a (or model it) and
 * return: the loaded value for LOAD, the old value for CMPXCHG/XCHG/ADD
 * (CMPXCHG succeeded iff it equals a->expect), anything for the rest.
 * It may call uprb_sim_perform() to do the plain access, and may run a nested
 * writer before doing so.
 */
struct uprb_sim_hooks {
	uint64_t (*access)(void *ctx, const struct uprb_sim_access *a);
	void *ctx;
};

/*
 * The hooks in force for this thread in the sim build; NULL performs every
 * access plainly. Context: set by the harness while no core call is running.
 */
extern _Thread_local const struct uprb_sim_hooks *uprb_sim_hooks;

/* Perform @a plainly (sequentially consistent, no interposition). */
uint64_t uprb_sim_perform(const struct uprb_sim_access *a);

#ifdef __cplusplus
}
#endif

#if defined(UPRB_PORT_SIM) && UPRB_PORT_SIM
#include "uprb/port_sim.h"
#else
#undef UPRB_PORT_SIM
#define UPRB_PORT_SIM 0
#include "uprb/port_native.h"
#endif

#endif /* UPRB_PORT_H */
