/* SPDX-License-Identifier: MIT */
/*
 * driver.h - the entry point every fuzz target defines (libFuzzer's), and
 * that the engines' drivers call: libFuzzer's own main, the replay main
 * (replay.c) and, later, AFL++'s persistent loop.
 */
#ifndef FZ_DRIVER_H
#define FZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/* Run one input. Return: 0; a failure aborts with its story line. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* FZ_DRIVER_H */
