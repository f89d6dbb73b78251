/* SPDX-License-Identifier: MIT */
/* linux/nospec.h - no speculation here: the index as it is. */
#ifndef UPRB_K_LINUX_NOSPEC_H
#define UPRB_K_LINUX_NOSPEC_H

#define array_index_nospec(i, n) ((void)(n), (i))

#endif
