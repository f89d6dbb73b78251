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

/*
 * A target that does not run the world (fuzz_reader_corrupt) says what its
 * last run did here, for the replay driver's -v; weak: the world's targets
 * leave it out and the driver prints the world's counters.
 */
const char *fz_target_summary(void) __attribute__((weak));

#endif /* FZ_DRIVER_H */
