/* SPDX-License-Identifier: MIT */
/*
 * story.h - a broken invariant told as one story line, then abort(): what
 * broke, who was running (a CPU's writer at a context level, or a named
 * subject such as the reader), at which seam site and source line, at
 * which step of the input, in which phase. The model (model.h), the
 * reader target and the ring-options target all fail through it, so that
 * ci/campaign and ci/mutants read one format:
 *
 *   invariant INV broke: cpu C level L at site S, step N [loc] (phase): ...
 *   invariant INV broke: reader at site S, step N (phase, event E): ...
 */
#ifndef FZ_STORY_H
#define FZ_STORY_H

#include <stdarg.h>
#include <stdbool.h>

#include "uprb/port.h"

struct fz_story {
	const char *who;      /* NULL: "cpu C level L" from the next two */
	unsigned cpu;
	unsigned level;       /* enum uprb_level; UPRB_LEVEL_COUNT: none */
	bool siteless;        /* the subject makes no seam accesses */
	enum uprb_site site;  /* last seam access; UPRB_SITE_COUNT: none */
	const char *loc;      /* its place in the backend's source, or NULL */
	unsigned step;        /* top-level operation, 1-based */
	const char *phase;    /* NULL, or e.g. "idle", "final drain" */
	unsigned event;       /* a call within the step, 1-based; 0: none */
};

/* Print the story line of @s with the message @fmt to stderr, abort(). */
__attribute__((noreturn, format(printf, 3, 4)))
void fz_story_fail(const struct fz_story *s, const char *invariant,
		   const char *fmt, ...);

__attribute__((noreturn, format(printf, 3, 0)))
void fz_story_vfail(const struct fz_story *s, const char *invariant,
		    const char *fmt, va_list ap);

/* "task", "softirq", "hardirq", "NMI"; "-" for anything else. */
const char *fz_level_name(unsigned level);

#endif /* FZ_STORY_H */
