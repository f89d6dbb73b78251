/* SPDX-License-Identifier: MIT */
/* linux/list.h - the list head the ring embeds (never walked here). */
#ifndef UPRB_K_LINUX_LIST_H
#define UPRB_K_LINUX_LIST_H

struct list_head {
	struct list_head *next, *prev;
};
#define INIT_LIST_HEAD(l) ((l)->next = (l)->prev = (l))

#endif
