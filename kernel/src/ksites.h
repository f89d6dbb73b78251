/* SPDX-License-Identifier: MIT */
/*
 * ksites.h - the table gen_sites.py generates (uprb_ksites.c): one entry per
 * shared access of the tree's writer, found by the index the shim's macros
 * pass (UPRB_K_ID), or by the plain field tsan_rt.c routes.
 */
#ifndef UPRB_KSITES_TABLE_H
#define UPRB_KSITES_TABLE_H

#include <stdint.h>

#include "uprb/port.h"
#include "uprb_ksites.h"

/* Entry 0, and rules with site PLAIN: not a shared access, done plainly. */
#define UPRB_K_PLAIN UPRB_SITE_COUNT
/* The access keeps the order its primitive has (no rule overrides it). */
#define UPRB_K_ORDER_OWN 0xff

struct uprb_k_site {
	uint16_t site;  /* enum uprb_site, or UPRB_K_PLAIN */
	uint8_t order;  /* enum uprb_order, or UPRB_K_ORDER_OWN */
	const char *loc; /* "ring_buffer.c:LINE (function)" */
};

extern const struct uprb_k_site uprb_k_sites[UPRB_K_NSITES];

#endif
