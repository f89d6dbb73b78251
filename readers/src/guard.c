/* SPDX-License-Identifier: MIT */
/*
 * guard.c - bounded, fault-catching calls into reader code (guard.h).
 *
 * One sigsetjmp per call; the fault handlers and rd_guard_step() leave the
 * call with a siglongjmp. Handlers run with SA_NODEFER, so leaving one by
 * siglongjmp leaves the signal mask as it was (no mask saved, no syscall
 * per call).
 */
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>

#include "rd/guard.h"

static const int fault_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL };
#define NFAULT (sizeof(fault_signals) / sizeof(fault_signals[0]))

static struct sigaction old_fault[NFAULT];
static bool installed;

static sigjmp_buf env;
static volatile sig_atomic_t active;
static volatile sig_atomic_t watchdog_fired;
static volatile uint64_t steps, limit;
static struct rd_guard_result *volatile cur;

static struct {
	uintptr_t lo;
	size_t len;
} zones[RD_GUARD_ZONES];
static unsigned nzones;

static bool in_zone(uintptr_t a)
{
	for (unsigned i = 0; i < nzones; i++)
		if (a >= zones[i].lo && a - zones[i].lo < zones[i].len)
			return true;
	return false;
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (active) {
		uintptr_t a = (uintptr_t)si->si_addr;
		bool oob = (sig == SIGSEGV || sig == SIGBUS) && in_zone(a);

		active = 0;
		cur->sig = sig;
		cur->addr = a;
		siglongjmp(env, oob ? RD_FATE_OOB : RD_FATE_CRASHED);
	}
	/*
	 * Not a reader's: give the fault to the handler we replaced (ASan's
	 * report, libFuzzer's crash handler, the default) by putting it back
	 * and letting the instruction fault again; a signal sent by kill()
	 * would not repeat, so send it again.
	 */
	for (unsigned i = 0; i < NFAULT; i++)
		if (fault_signals[i] == sig)
			sigaction(sig, &old_fault[i], NULL);
	if (si->si_code <= 0)
		raise(sig);
}

static void on_watchdog(int sig)
{
	(void)sig;
	if (active) {
		active = 0;
		siglongjmp(env, RD_FATE_WATCHDOG);
	}
	watchdog_fired = 1;
}

void rd_guard_install(void)
{
	struct sigaction sa;

	if (installed)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < NFAULT; i++)
		sigaction(fault_signals[i], &sa, &old_fault[i]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_watchdog;
	sa.sa_flags = SA_NODEFER | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGVTALRM, &sa, NULL);
	installed = true;
}

void rd_guard_set_zones(const uintptr_t lo[], const size_t len[], unsigned n)
{
	if (n > RD_GUARD_ZONES)
		n = RD_GUARD_ZONES;
	for (unsigned i = 0; i < n; i++) {
		zones[i].lo = lo[i];
		zones[i].len = len[i];
	}
	nzones = n;
}

enum rd_fate rd_guard_call(int (*fn)(void *), void *arg, uint64_t step_limit,
			   struct rd_guard_result *res)
{
	int fate;

	memset(res, 0, sizeof(*res));
	cur = res;
	steps = 0;
	limit = step_limit;
	if (watchdog_fired) {
		res->fate = RD_FATE_WATCHDOG;
		return res->fate;
	}
	fate = sigsetjmp(env, 0);
	if (fate == 0) {
		active = 1;
		res->ret = fn(arg);
		active = 0;
		res->fate = RD_FATE_RETURNED;
	} else {
		res->fate = (enum rd_fate)fate;
	}
	res->steps = steps;
	cur = NULL;
	return res->fate;
}

void rd_guard_step(void)
{
	if (!active)
		return;
	if (++steps > limit) {
		active = 0;
		siglongjmp(env, RD_FATE_LOOPED);
	}
}

uint64_t rd_guard_steps(void)
{
	return steps;
}

bool rd_guard_active(void)
{
	return active;
}

void rd_guard_suspend(void)
{
	active = 0;
}

void rd_guard_resume(void)
{
	if (cur)
		active = 1;
	if (watchdog_fired && active) {
		active = 0;
		siglongjmp(env, RD_FATE_WATCHDOG);
	}
}

void rd_guard_watchdog(bool on)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	if (on) {
		it.it_value.tv_sec = RD_GUARD_WATCHDOG_MS / 1000;
		it.it_value.tv_usec = (RD_GUARD_WATCHDOG_MS % 1000) * 1000;
	}
	setitimer(ITIMER_VIRTUAL, &it, NULL);
	watchdog_fired = 0;
}

const char *rd_fate_name(enum rd_fate f)
{
	static const char *const names[RD_FATE_COUNT] = {
		"returned", "looped", "watchdog", "oob", "crashed",
	};

	return f < RD_FATE_COUNT ? names[f] : "?";
}
