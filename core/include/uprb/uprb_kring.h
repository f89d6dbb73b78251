/* SPDX-License-Identifier: MIT */
/*
 * uprb_kring.h - attach the reader to a real kernel perf ring.
 *
 * Opens events with perf_event_open(2), maps their ring (1 control page +
 * 2^n data pages; PROT_READ|PROT_WRITE for a non-overwrite ring, PROT_READ
 * for an overwrite ring, which is what selects the mode in the kernel) and
 * hands it to a struct uprb_reader whose pause callback drives
 * PERF_EVENT_IOC_PAUSE_OUTPUT.
 *
 * Errors are returned as -errno and explained by uprb_kring_explain(),
 * which names the real obstacle (perf_event_paranoid, perf_event_mlock_kb,
 * RLIMIT_NOFILE, an event this machine does not support) and what to do.
 */
#ifndef UPRB_KRING_H
#define UPRB_KRING_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "uprb/uprb_reader.h"

#ifdef __cplusplus
extern "C" {
#endif

struct uprb_kring {
	int fd;
	void *base;
	size_t len;
	unsigned int nr_pages;
	bool overwrite;
	bool backward;
	struct uprb_reader rd;
};

/* perf_event_open(2). Return: an fd, or -errno. */
int uprb_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu,
			 int group_fd, unsigned long flags);

/*
 * Map @fd's ring with @nr_pages data pages (0 or a power of two) and attach
 * a reader. @overwrite maps it read-only; a backward ring needs
 * attr.write_backward on the event. The kring does not own @fd.
 * Return: 0, or -errno (mmap's: -EPERM/-ENOMEM for mlock limits, -EINVAL
 * for a bad page count), or a reader init error.
 */
int uprb_kring_open(struct uprb_kring *k, int fd, unsigned int nr_pages,
		    bool overwrite, bool backward);
void uprb_kring_close(struct uprb_kring *k);

/* PERF_EVENT_IOC_PAUSE_OUTPUT. Return: 0 or -errno. */
int uprb_kring_pause(struct uprb_kring *k, bool pause);

/* Redirect @fd's output into @k's ring (PERF_EVENT_IOC_SET_OUTPUT). */
int uprb_kring_set_output(struct uprb_kring *k, int fd);

/*
 * Write a one-line explanation of error @err from @what ("perf_event_open",
 * "mmap", ...) into @buf: the cause and the fix. Return: @buf.
 */
const char *uprb_kring_explain(int err, const char *what, char *buf,
			       size_t len);

#ifdef __cplusplus
}
#endif

#endif /* UPRB_KRING_H */
