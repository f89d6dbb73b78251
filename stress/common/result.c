/* SPDX-License-Identifier: MIT */
/*
 * result.c - the last line of a run and its exit status; see result.h.
 */
#include <inttypes.h>
#include <signal.h>
#include <string.h>

#include "result.h"

const char *stress_signal_name(int sig)
{
	static char buf[24];

	if (sig == SIGINT)
		return "SIGINT";
	if (sig == SIGTERM)
		return "SIGTERM";
	snprintf(buf, sizeof(buf), "signal %d", sig);
	return buf;
}

static void put_seed(FILE *f, const struct stress_end *e, bool first)
{
	if (e->seeded)
		fprintf(f, "%sseed %" PRIu64, first ? "" : "; ", e->seed);
}

int stress_result(FILE *f, const struct stress_end *e)
{
	if (e->failures) {
		fprintf(f, "result: FAIL (%" PRIu64 " failure%s, first: %s",
			e->failures, e->failures == 1 ? "" : "s",
			e->first && *e->first ? e->first : "?");
		put_seed(f, e, false);
		fprintf(f, ")\n");
		return STRESS_EXIT_FAILED;
	}
	if (e->unfinished) {
		fprintf(f, "result: INCOMPLETE (%s", e->unfinished);
		put_seed(f, e, false);
		fprintf(f, ")\n");
		return STRESS_EXIT_USAGE;
	}
	if (e->signal) {
		fprintf(f, "result: interrupted by %s",
			stress_signal_name(e->signal));
		if (e->planned > 0)
			fprintf(f, " after %.1f of %.1f s", e->secs, e->planned);
		fprintf(f, ", no failure until then (");
		if (!e->seeded)
			fprintf(f, "not seeded");
		put_seed(f, e, true);
		fprintf(f, ")\n");
		return STRESS_EXIT_SIGNAL + e->signal;
	}
	fprintf(f, "result: ok");
	if (e->seeded) {
		fprintf(f, " (");
		put_seed(f, e, true);
		fprintf(f, ")");
	}
	fprintf(f, "\n");
	return STRESS_EXIT_OK;
}
