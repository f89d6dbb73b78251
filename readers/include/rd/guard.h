/* SPDX-License-Identifier: MIT */
/*
 * guard.h - run reader code under a hard bound and catch what it does to
 * memory it must not touch, so that a reader that loops or reads out of
 * bounds is reported, not a hang or a dead fuzzer.
 *
 * The libraries under test are not instrumented (libbpf.a, bcc's object):
 * ASan does not see their loads. The harness ring is fenced by wide
 * inaccessible zones instead (ring.h), and a fault inside a zone while a
 * guarded call runs ends that call with RD_FATE_OOB and the address.
 *
 * Termination has two bounds:
 *   - steps: every unit of reader progress (an item delivered, a
 *     read_event call, a message a reader prints from its loop) calls
 *     rd_guard_step(); past the call's limit the call is abandoned with
 *     RD_FATE_LOOPED. Deterministic: a replay stops at the same step.
 *   - a watchdog: RD_GUARD_WATCHDOG_MS of process CPU time per armed
 *     period (rd_guard_watchdog()), for a loop that makes no step at all;
 *     RD_FATE_WATCHDOG.
 * Abandoning is a siglongjmp out of the reader: its state is then
 * indeterminate and the caller must close it and not use it again.
 *
 * Any other fault inside a guarded call (a wild pointer, SIGBUS, SIGFPE,
 * SIGILL) is RD_FATE_CRASHED with the signal and address. A fault outside
 * a guarded call goes to whatever handler was installed before (ASan's,
 * libFuzzer's, the default), so the harness's own bugs crash as usual.
 *
 * Context: one thread; guarded calls do not nest.
 */
#ifndef RD_GUARD_H
#define RD_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* CPU time a watchdog period allows (a safety net: steps bound first). */
#define RD_GUARD_WATCHDOG_MS 3000u

enum rd_fate {
	RD_FATE_RETURNED,  /* the call returned */
	RD_FATE_LOOPED,    /* more steps than its limit */
	RD_FATE_WATCHDOG,  /* the watchdog fired inside it */
	RD_FATE_OOB,       /* a fault inside a guard zone */
	RD_FATE_CRASHED,   /* any other fault */
	RD_FATE_COUNT
};

struct rd_guard_result {
	enum rd_fate fate;
	int ret;            /* RETURNED: what the call returned */
	int sig;            /* OOB, CRASHED: the signal */
	uintptr_t addr;     /* OOB, CRASHED: the faulting address */
	uint64_t steps;     /* steps made */
};

/* Install the fault handlers (idempotent; chains to the previous ones). */
void rd_guard_install(void);

/*
 * The zones where a fault is a reader's out-of-bounds access: up to
 * RD_GUARD_ZONES ranges, replaced as a whole. Context: outside a call.
 */
#define RD_GUARD_ZONES 4
void rd_guard_set_zones(const uintptr_t lo[], const size_t len[], unsigned n);

/*
 * Run @fn(@arg) with at most @step_limit steps. Return: @res->fate; with
 * RD_FATE_RETURNED, @res->ret is what @fn returned.
 */
enum rd_fate rd_guard_call(int (*fn)(void *), void *arg, uint64_t step_limit,
			   struct rd_guard_result *res);

/* One unit of progress of the running call (a no-op outside one). */
void rd_guard_step(void);

/* Steps made so far by the running call. */
uint64_t rd_guard_steps(void);

/* Whether a guarded call is running (and not suspended). */
bool rd_guard_active(void);

/*
 * Suspend the running call's guard while the harness's own code runs
 * inside it (a deliver callback): a fault there is the harness's bug and
 * goes to the previous handler; resume before returning to the reader.
 */
void rd_guard_suspend(void);
void rd_guard_resume(void);

/*
 * Arm (true) or disarm the watchdog for the calls that follow; a period
 * that expires between calls makes the next call end at once.
 */
void rd_guard_watchdog(bool on);

/* A short name: "returned", "looped", "watchdog", "oob", "crashed". */
const char *rd_fate_name(enum rd_fate f);

#ifdef __cplusplus
}
#endif

#endif /* RD_GUARD_H */
