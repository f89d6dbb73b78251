/* SPDX-License-Identifier: MIT */
/* linux/poll.h - the poll bits a wake-up sets, the SIGIO band (ABI values). */
#ifndef UPRB_K_LINUX_POLL_H
#define UPRB_K_LINUX_POLL_H

#define EPOLLIN 0x00000001
#define EPOLLRDNORM 0x00000040
#define POLLIN EPOLLIN
#define POLLRDNORM EPOLLRDNORM
#define POLL_IN 1

struct fasync_struct;

#endif
