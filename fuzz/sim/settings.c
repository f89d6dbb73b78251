/* SPDX-License-Identifier: MIT */
/*
 * settings.c - the world's switches from the environment (world.h says
 * what each does), read at the first run; a bad value exits with status 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "world_state.h"

/* A 0/1 switch @name: @dflt when unset or empty. */
static int env_flag(const char *name, int dflt)
{
	const char *e = getenv(name);

	if (!e || !*e)
		return dflt;
	if (strcmp(e, "0") && strcmp(e, "1")) {
		fprintf(stderr, "fuzz world: %s=%s: not 0 or 1\n", name, e);
		exit(2);
	}
	return !strcmp(e, "1");
}

/* What the weaken switch may take away: every ordering the core relies on. */
static const struct {
	enum uprb_site site;
	bool fence;
} weakenable[] = {
	{ UPRB_SITE_A_TAIL_LOAD, false },  { UPRB_SITE_B_HEAD_STORE, false },
	{ UPRB_SITE_C_HEAD_LOAD, false },  { UPRB_SITE_D_TAIL_STORE, false },
	{ UPRB_SITE_PAUSED_LOAD, false },  { UPRB_SITE_PAUSE_STORE, false },
	{ UPRB_SITE_PUT_BARRIER_1, true }, { UPRB_SITE_PUT_BARRIER_2, true },
	{ UPRB_SITE_PUT_BARRIER_3, true },
};

const char *fz_world_weakenable(unsigned i)
{
	return i < sizeof(weakenable) / sizeof(weakenable[0]) ?
		uprb_site_name(weakenable[i].site) : NULL;
}

void fz_world_settings(struct fz_world *w, const struct fz_profile *prof)
{
	static int memory = -2, weaken = -2, fence, lost_wakeup, conform;
	static int pause_plain, past_stale_tail;
	const char *e;

	if (memory == -2) {
		e = getenv("UPRB_SIM_PAST");
		if (e && *e && strcmp(e, "stale-tail")) {
			fprintf(stderr, "fuzz world: UPRB_SIM_PAST=%s: not a known defect "
				"to look past (stale-tail)\n", e);
			exit(2);
		}
		past_stale_tail = e && *e;
		pause_plain = env_flag("UPRB_SIM_PAUSE_PLAIN", 0);
		conform = env_flag("UPRB_SIM_CONFORM", 1);
		lost_wakeup = env_flag("UPRB_SIM_LOST_WAKEUP", 0);
		e = getenv("UPRB_SIM_MEMORY");
		memory = e && *e ? fz_mem_model_lookup(e) : -1;
		if (e && *e && memory < 0) {
			fprintf(stderr, "fuzz world: UPRB_SIM_MEMORY=%s: not sc, tso or weak\n", e);
			exit(2);
		}
		e = getenv("UPRB_SIM_WEAKEN");
		weaken = UPRB_SITE_COUNT;
		if (e && *e) {
			unsigned i = 0;
			const char *n;

			for (; (n = fz_world_weakenable(i)); i++)
				if (!strcmp(n, e))
					break;
			if (!n) {
				fprintf(stderr, "fuzz world: UPRB_SIM_WEAKEN=%s: not an ordered access or barrier of the core; one of:", e);
				for (i = 0; (n = fz_world_weakenable(i)); i++)
					fprintf(stderr, " %s", n);
				fprintf(stderr, "\n");
				exit(2);
			}
			weaken = weakenable[i].site;
			fence = weakenable[i].fence;
		}
	}
	w->memory = memory >= 0 ? (enum fz_mem_model)memory :
				  (enum fz_mem_model)prof->memory;
	w->weaken = (enum uprb_site)weaken;
	w->weaken_fence = fence;
	w->lost_wakeup = lost_wakeup;
	w->pause_plain = pause_plain;
	w->past_stale_tail = past_stale_tail;
	if (!w->be)
		w->be = &fz_backend_core;
	/* The port's order is the port's: other backends have their own. */
	w->conform = conform && w->be == &fz_backend_core;
}
