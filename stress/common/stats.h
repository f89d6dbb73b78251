/* SPDX-License-Identifier: MIT */
/* stats.h - figures over rounds. */
#ifndef STRESS_STATS_H
#define STRESS_STATS_H

/* Median of @n values (0 when n is 0); @v is not reordered. */
double stress_median(const double *v, unsigned int n);

#endif /* STRESS_STATS_H */
