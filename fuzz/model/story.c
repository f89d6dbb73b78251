/* SPDX-License-Identifier: MIT */
/* story.c - the story line of a broken invariant (story.h). */
#include <stdio.h>
#include <stdlib.h>

#include "story.h"
#include "uprb/uprb.h"

const char *fz_level_name(unsigned level)
{
	static const char *const names[] = { "task", "softirq", "hardirq",
					     "NMI" };

	return level < UPRB_LEVEL_COUNT ? names[level] : "-";
}

void fz_story_vfail(const struct fz_story *s, const char *invariant,
		    const char *fmt, va_list ap)
{
	fprintf(stderr, "invariant %s broke: ", invariant);
	if (s->who)
		fputs(s->who, stderr);
	else
		fprintf(stderr, "cpu %u level %s", s->cpu,
			fz_level_name(s->level));
	if (!s->siteless)
		fprintf(stderr, " at site %s", s->site < UPRB_SITE_COUNT ?
			uprb_site_name(s->site) : "-");
	fprintf(stderr, ", step %u", s->step);
	if (s->loc)
		fprintf(stderr, " [%s]", s->loc);
	if (s->phase || s->event) {
		fprintf(stderr, " (%s", s->phase ? s->phase : "-");
		if (s->event)
			fprintf(stderr, ", event %u", s->event);
		fputc(')', stderr);
	}
	fputs(": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	fflush(stderr);
	abort();
}

void fz_story_fail(const struct fz_story *s, const char *invariant,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fz_story_vfail(s, invariant, fmt, ap);
}
