/* SPDX-License-Identifier: MIT */
/*
 * linux/circ_buf.h - bytes used and free in a power-of-two ring between a
 * head and a tail; one byte stays free so that full and empty differ.
 */
#ifndef UPRB_K_LINUX_CIRC_BUF_H
#define UPRB_K_LINUX_CIRC_BUF_H

#define CIRC_CNT(head, tail, size) (((head) - (tail)) & ((size) - 1))
#define CIRC_SPACE(head, tail, size) CIRC_CNT((tail), ((head) + 1), (size))

#endif
