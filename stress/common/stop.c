/* SPDX-License-Identifier: MIT */
/*
 * stop.c - SIGINT/SIGTERM: stop at the first, abort at the second; see
 * stop.h. The handler only swaps an atomic and write(2)s one line, both
 * async-signal-safe, and leaves errno as it found it.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "stop.h"

static atomic_int g_signal;
static char g_stopping_msg[200], g_abort_msg[200];

static void say(const char *msg)
{
	if (write(STDERR_FILENO, msg, strlen(msg)) < 0)
		(void)0;
}

static void on_stop(int sig)
{
	int saved_errno = errno;

	if (atomic_exchange_explicit(&g_signal, sig, memory_order_relaxed)) {
		/* The second one: the signal's default action, now. */
		say(g_abort_msg);
		signal(sig, SIG_DFL);
		raise(sig);
	} else {
		say(g_stopping_msg);
	}
	errno = saved_errno;
}

void stress_stop_install(const char *prog)
{
	struct sigaction sa;

	snprintf(g_stopping_msg, sizeof(g_stopping_msg),
		 "%s: stopping: finishing this step, then the summary (a second signal aborts)\n",
		 prog);
	snprintf(g_abort_msg, sizeof(g_abort_msg),
		 "%s: second signal: aborting without a summary\n", prog);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	/* Blocking calls resume; every wait in the programs is bounded. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

bool stress_stopping(void)
{
	return atomic_load_explicit(&g_signal, memory_order_relaxed) != 0;
}

int stress_stop_signal(void)
{
	return atomic_load_explicit(&g_signal, memory_order_relaxed);
}
