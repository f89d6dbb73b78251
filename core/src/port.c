/* SPDX-License-Identifier: MIT */
/* port.c - site labels, and the plain performer of the sim seam. */
#include <string.h>

#include "uprb/port.h"

static const char *const site_names[UPRB_SITE_COUNT] = {
#define UPRB_SITE_NAME_(name, label, what) [UPRB_SITE_##name] = label,
	UPRB_SITES(UPRB_SITE_NAME_)
#undef UPRB_SITE_NAME_
};

static const char *const site_whats[UPRB_SITE_COUNT] = {
#define UPRB_SITE_WHAT_(name, label, what) [UPRB_SITE_##name] = what,
	UPRB_SITES(UPRB_SITE_WHAT_)
#undef UPRB_SITE_WHAT_
};

const char *uprb_site_name(enum uprb_site site)
{
	return (unsigned)site < UPRB_SITE_COUNT ? site_names[site] : "?";
}

const char *uprb_site_what(enum uprb_site site)
{
	return (unsigned)site < UPRB_SITE_COUNT ? site_whats[site] : "?";
}

enum uprb_site uprb_site_lookup(const char *label)
{
	for (unsigned i = 0; i < UPRB_SITE_COUNT; i++)
		if (strcmp(site_names[i], label) == 0)
			return (enum uprb_site)i;
	return UPRB_SITE_COUNT;
}

_Thread_local const struct uprb_sim_hooks *uprb_sim_hooks;

uint64_t uprb_sim_perform(const struct uprb_sim_access *a)
{
	uint64_t old;

	switch (a->op) {
	case UPRB_OP_LOAD:
		if (a->width == 4)
			return __atomic_load_n((uint32_t *)a->addr, __ATOMIC_SEQ_CST);
		return __atomic_load_n((uint64_t *)a->addr, __ATOMIC_SEQ_CST);
	case UPRB_OP_STORE:
		if (a->width == 4)
			__atomic_store_n((uint32_t *)a->addr, (uint32_t)a->val,
					 __ATOMIC_SEQ_CST);
		else
			__atomic_store_n((uint64_t *)a->addr, a->val,
					 __ATOMIC_SEQ_CST);
		return 0;
	case UPRB_OP_CMPXCHG:
		old = a->expect;
		__atomic_compare_exchange_n((uint64_t *)a->addr, &old, a->val,
					    false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST);
		return old;
	case UPRB_OP_XCHG:
		return __atomic_exchange_n((uint64_t *)a->addr, a->val,
					   __ATOMIC_SEQ_CST);
	case UPRB_OP_ADD:
		return __atomic_fetch_add((uint64_t *)a->addr, a->val,
					  __ATOMIC_SEQ_CST);
	case UPRB_OP_FENCE:
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		return 0;
	case UPRB_OP_COPY_TO:
	case UPRB_OP_COPY_FROM:
		memcpy(a->addr, a->src, a->len);
		return 0;
	}
	return 0;
}

#if UPRB_PORT_SIM
uint64_t uprb_sim_dispatch(const struct uprb_sim_access *a)
{
	const struct uprb_sim_hooks *h = uprb_sim_hooks;

	if (h && h->access)
		return h->access(h->ctx, a);
	return uprb_sim_perform(a);
}
#endif
