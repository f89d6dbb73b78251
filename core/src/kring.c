/* SPDX-License-Identifier: MIT */
/*
 * kring.c - the reader of uprb_reader.h on a real kernel perf ring.
 *
 * The kernel's ring and ours share one layout (docs/ring.md#1-layout), so
 * all this file adds is the plumbing around the reader: perf_event_open(2),
 * the mmap that selects the mode (a writable mapping makes the kernel honour
 * data_tail, a read-only one makes the ring overwrite), the pause ioctl the
 * backward reader needs, SET_OUTPUT, and plain-words explanations of the
 * ways these calls fail on a real machine.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "uprb/uprb_kring.h"

int uprb_perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu,
			 int group_fd, unsigned long flags)
{
	long fd;

	/* glibc has no wrapper; the attr carries its own size for the ABI. */
	if (!attr->size)
		attr->size = sizeof(*attr);
	fd = syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, flags);
	return fd < 0 ? -errno : (int)fd;
}

/*
 * The reader's pause callback. The fd travels in the pointer itself, so a
 * struct uprb_kring may be copied or moved after uprb_kring_open() without
 * leaving the reader with a dangling argument.
 */
static int kring_pause_fd(void *arg, bool pause)
{
	int fd = (int)(intptr_t)arg;

	/* The ioctl takes the u32 by value, not through a pointer. */
	if (ioctl(fd, PERF_EVENT_IOC_PAUSE_OUTPUT, pause ? 1UL : 0UL) < 0)
		return -errno;
	return 0;
}

int uprb_kring_open(struct uprb_kring *k, int fd, unsigned int nr_pages,
		    bool overwrite, bool backward)
{
	struct uprb_reader_opts o = {
		.sz = sizeof(o),
		.overwrite = overwrite,
		.backward = backward,
		.pause = kring_pause_fd,
		.pause_arg = (void *)(intptr_t)fd,
	};
	long page = sysconf(_SC_PAGESIZE);
	int prot, err;
	void *base;
	size_t len;

	memset(k, 0, sizeof(*k));
	k->fd = -1;
	if (fd < 0 || page <= 0)
		return -EINVAL;
	if ((size_t)nr_pages + 1 > SIZE_MAX / (size_t)page)
		return -EINVAL;
	len = ((size_t)nr_pages + 1) * (size_t)page;

	/*
	 * The first mapping's protection is what puts the kernel's ring in
	 * overwrite mode (read-only: data_tail is never read). The kernel
	 * checks the page count itself; we let it, so its EINVAL is the one
	 * the caller sees and uprb_kring_explain() can name.
	 */
	prot = overwrite ? PROT_READ : PROT_READ | PROT_WRITE;
	base = mmap(NULL, len, prot, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED)
		return -errno;

	err = uprb_reader_init(&k->rd, base, len, &o);
	if (err) {
		munmap(base, len);
		return err;
	}
	k->fd = fd;
	k->base = base;
	k->len = len;
	k->nr_pages = nr_pages;
	k->overwrite = overwrite;
	k->backward = backward;
	return 0;
}

void uprb_kring_close(struct uprb_kring *k)
{
	if (!k->base)
		return;
	/* fini first: it resumes a writer the reader left paused. */
	uprb_reader_fini(&k->rd);
	munmap(k->base, k->len);
	k->base = NULL;
	k->len = 0;
	k->fd = -1;
}

int uprb_kring_pause(struct uprb_kring *k, bool pause)
{
	return kring_pause_fd((void *)(intptr_t)k->fd, pause);
}

int uprb_kring_set_output(struct uprb_kring *k, int fd)
{
	if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, k->fd) < 0)
		return -errno;
	return 0;
}

/* Read one integer from a /proc file; false if it cannot be read. */
static bool read_proc_long(const char *path, long *val)
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fscanf(f, "%ld", val) == 1;
	fclose(f);
	return ok;
}

/* A capability bit of CapEff in /proc/self/status. */
static bool have_cap(unsigned int bit)
{
	unsigned long long eff = 0;
	char line[128];
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/status", "r");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "CapEff: %llx", &eff) == 1) {
			found = true;
			break;
		}
	}
	fclose(f);
	return found && bit < 64 && (eff >> bit & 1);
}

/* "unlimited" or a KiB figure for an rlimit value. */
static void fmt_rlim_kib(rlim_t v, char *buf, size_t len)
{
	if (v == RLIM_INFINITY)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%llu KiB", (unsigned long long)v / 1024);
}

static void fmt_rlim(rlim_t v, char *buf, size_t len)
{
	if (v == RLIM_INFINITY)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
}

#define CAP_SYS_ADMIN_BIT 21
#define CAP_PERFMON_BIT 38

static void explain_perm(const char *what, int err, char *buf, size_t len)
{
	bool priv = have_cap(CAP_PERFMON_BIT) || have_cap(CAP_SYS_ADMIN_BIT);
	long par;

	if (!read_proc_long("/proc/sys/kernel/perf_event_paranoid", &par)) {
		snprintf(buf, len,
			 "%s: %s: perf events are denied and /proc/sys/kernel/perf_event_paranoid is unreadable (perf support off, or a container hiding it)",
			 what, strerror(err));
		return;
	}
	if (priv) {
		/*
		 * With CAP_PERFMON the paranoid level does not apply, so the
		 * denial comes from elsewhere: a seccomp filter (containers'
		 * default profiles block perf_event_open) or an LSM.
		 */
		snprintf(buf, len,
			 "%s: %s although this process has CAP_PERFMON/CAP_SYS_ADMIN (perf_event_paranoid %ld does not apply): a seccomp filter (container runtime profile) or an LSM (SELinux, lockdown) denies perf events; run with --privileged or a seccomp profile allowing perf_event_open",
			 what, strerror(err), par);
		return;
	}
	/*
	 * The levels (kernel/events/core.c): >= 2 refuses kernel-mode
	 * samples, >= 1 refuses CPU-wide events, >= 0 refuses raw tracepoint
	 * data; per-task user-only events work at any level up to 2 (above
	 * 2 some distributions refuse everything to unprivileged users).
	 */
	snprintf(buf, len,
		 "%s: %s: unprivileged perf events are limited by perf_event_paranoid, current %ld; kernel samples (exclude_kernel=0) need <= 1, CPU-wide events (pid -1) need <= 0, raw tracepoint data needs -1%s; run: sysctl -w kernel.perf_event_paranoid=%ld, or run as root/CAP_PERFMON",
		 what, strerror(err), par,
		 par > 2 ? ", and any unprivileged use needs <= 2" : "",
		 par > 1 ? 1L : par > 0 ? 0L : -1L);
}

static void explain_mlock(const char *what, int err, char *buf, size_t len)
{
	char lim[32] = "unknown";
	struct rlimit rl;
	long kb = -1;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	read_proc_long("/proc/sys/kernel/perf_event_mlock_kb", &kb);
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0)
		fmt_rlim_kib(rl.rlim_cur, lim, sizeof(lim));
	/*
	 * Ring pages are charged to the user's locked_vm up to
	 * perf_event_mlock_kb per online CPU, the excess to the process's
	 * pinned_vm against RLIMIT_MEMLOCK, unless CAP_IPC_LOCK
	 * (docs/ring.md#11-the-mapping).
	 */
	snprintf(buf, len,
		 "%s: %s: the ring exceeds the locked-memory allowance: perf_event_mlock_kb is %ld KiB (x %ld CPUs, shared by all of this user's rings) and RLIMIT_MEMLOCK is %s; map fewer pages, or raise it: sysctl -w kernel.perf_event_mlock_kb=N, ulimit -l N, or CAP_IPC_LOCK",
		 what, strerror(err), kb, cpus, lim);
}

static bool is_what(const char *what, const char *name)
{
	return strstr(what, name) != NULL;
}

/* Reading a tracepoint id from tracefs: false if @err is no case of its own. */
static bool explain_tracefs(int err, const char *what, char *buf, size_t len)
{
	if (err == ENOENT) {
		if (access("/sys/kernel/tracing/events", F_OK) != 0 &&
		    access("/sys/kernel/debug/tracing/events", F_OK) != 0)
			snprintf(buf, len,
				 "%s: tracepoint id file missing: tracefs is not mounted; run: mount -t tracefs nodev /sys/kernel/tracing",
				 what);
		else
			snprintf(buf, len,
				 "%s: no such tracepoint on this kernel (tracefs is mounted; check /sys/kernel/tracing/events/)",
				 what);
		return true;
	}
	if (err == EACCES || err == EPERM) {
		snprintf(buf, len,
			 "%s: %s: tracefs is readable only by root; run as root or chmod/mount tracefs with a mode that allows reading events/*/id",
			 what, strerror(err));
		return true;
	}
	return false;
}

/* mmap of the ring: false if @err is no case of its own. */
static bool explain_mmap(int err, const char *what, char *buf, size_t len)
{
	switch (err) {
	case EPERM:
	case ENOMEM:
		explain_mlock(what, err, buf, len);
		return true;
	case EINVAL:
		snprintf(buf, len,
			 "%s: %s: the data page count must be 0 or a power of two (and MAP_SHARED; an inherited event with cpu -1 cannot be mapped; a second mapping of one ring must have the same size)",
			 what, strerror(err));
		return true;
	case EBUSY:
		snprintf(buf, len,
			 "%s: %s: the event's ring is being torn down or already mapped with a different AUX layout",
			 what, strerror(err));
		return true;
	default:
		break;
	}
	return false;
}

/* PERF_EVENT_IOC_SET_OUTPUT: false if @err is no case of its own. */
static bool explain_set_output(int err, const char *what, char *buf, size_t len)
{
	if (err == EINVAL) {
		snprintf(buf, len,
			 "%s: %s: both events must be on the same CPU (or, with cpu -1, on the same task), write in the same direction (write_backward) and use the same clock",
			 what, strerror(err));
		return true;
	}
	if (err == EBUSY) {
		snprintf(buf, len,
			 "%s: %s: the redirected event already has its own mapped ring; unmap it first",
			 what, strerror(err));
		return true;
	}
	return false;
}

/* PERF_EVENT_IOC_PAUSE_OUTPUT: false if @err is no case of its own. */
static bool explain_pause(int err, const char *what, char *buf, size_t len)
{
	if (err == EINVAL) {
		snprintf(buf, len,
			 "%s: %s: the event has no ring, or a ring with 0 data pages (which is always paused)",
			 what, strerror(err));
		return true;
	}
	return false;
}

/* What @err means from perf_event_open and the calls around it. */
static void explain_errno(int err, const char *what, char *buf, size_t len)
{
	char cur[32] = "unknown", max[32] = "unknown";
	struct rlimit rl;

	switch (err) {
	case 0:
		snprintf(buf, len, "%s: ok", what);
		break;
	case EACCES:
	case EPERM:
		explain_perm(what, err, buf, len);
		break;
	case ENOENT:
	case EOPNOTSUPP:
	case ENODEV:
		snprintf(buf, len,
			 "%s: %s: event not supported on this machine (no PMU? VMs often have none; use a software event or a tracepoint)",
			 what, strerror(err));
		break;
	case EMFILE:
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
			fmt_rlim(rl.rlim_cur, cur, sizeof(cur));
			fmt_rlim(rl.rlim_max, max, sizeof(max));
		}
		snprintf(buf, len,
			 "%s: %s: one fd per event per CPU exhausted RLIMIT_NOFILE (soft %s, hard %s); raise it: ulimit -n <larger>",
			 what, strerror(err), cur, max);
		break;
	case ENFILE:
		snprintf(buf, len,
			 "%s: %s: the system-wide file table is full; raise fs.file-max or close files",
			 what, strerror(err));
		break;
	case ENOSYS:
		snprintf(buf, len,
			 "%s: %s: this kernel is built without perf events (CONFIG_PERF_EVENTS) or a seccomp filter hides the syscall",
			 what, strerror(err));
		break;
	case E2BIG:
		snprintf(buf, len,
			 "%s: %s: perf_event_attr is larger than this kernel knows and has non-zero tail fields; clear fields the kernel does not support",
			 what, strerror(err));
		break;
	case ESRCH:
		snprintf(buf, len, "%s: %s: the target pid does not exist",
			 what, strerror(err));
		break;
	case EBUSY:
		snprintf(buf, len,
			 "%s: %s: an exclusive event (or another user of the PMU) holds the counter",
			 what, strerror(err));
		break;
	case EINVAL:
		snprintf(buf, len,
			 "%s: %s: the kernel rejected an attr field (a read_format/sample_type bit it does not know, a bad period, or a cpu that is offline)",
			 what, strerror(err));
		break;
	default:
		snprintf(buf, len, "%s: %s", what, strerror(err));
		break;
	}
}

const char *uprb_kring_explain(int err, const char *what, char *buf,
			       size_t len)
{
	if (!buf || !len)
		return buf;
	if (!what)
		what = "perf";
	if (err < 0)
		err = -err;
	/* A call's own causes first, then what the code means anywhere. */
	if ((is_what(what, "tracepoint") || is_what(what, "tracefs")) &&
	    explain_tracefs(err, what, buf, len))
		return buf;
	if (is_what(what, "mmap") && explain_mmap(err, what, buf, len))
		return buf;
	if ((is_what(what, "set_output") || is_what(what, "SET_OUTPUT")) &&
	    explain_set_output(err, what, buf, len))
		return buf;
	if ((is_what(what, "pause") || is_what(what, "PAUSE")) &&
	    explain_pause(err, what, buf, len))
		return buf;
	explain_errno(err, what, buf, len);
	return buf;
}
