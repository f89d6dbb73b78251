/* SPDX-License-Identifier: MIT */
/*
 * stop.h - SIGINT and SIGTERM for long runs: the first asks the program to
 * stop (it finishes the step it is in, within a second, and prints its
 * summary, replay line and result); a second one aborts at once (the
 * default action of that signal: no summary).
 */
#ifndef STRESS_STOP_H
#define STRESS_STOP_H

#include <stdbool.h>

/* Install the handlers; @prog names the program in the one-line notices. */
void stress_stop_install(const char *prog);

/* A stop was asked for. Any thread, any time (a relaxed atomic load). */
bool stress_stopping(void);

/* The signal that asked, or 0. */
int stress_stop_signal(void);

#endif /* STRESS_STOP_H */
