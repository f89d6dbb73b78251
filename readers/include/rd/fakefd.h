/* SPDX-License-Identifier: MIT */
/*
 * fakefd.h - fake perf events for readers that open their own rings.
 *
 * libbpf's perf_buffer and bcc's perf_reader call perf_event_open through
 * syscall(), map the ring with mmap()/mmap64(), switch it on with ioctl()
 * and register it with bpf() map updates. A binary linked with
 *
 *   -Wl,--wrap=syscall -Wl,--wrap=mmap -Wl,--wrap=mmap64
 *   -Wl,--wrap=munmap -Wl,--wrap=ioctl
 *
 * gets these wrappers instead:
 *
 *   syscall(__NR_perf_event_open, attr, pid, cpu, ...)
 *       an eventfd (a real fd: epoll and poll work on it), registered as
 *       a fake event whose ring is the one planned for @cpu
 *       (rd_fakefd_plan()), or, for a CPU with no plan, a zeroed ring of
 *       the planned size that nothing writes;
 *   syscall(__NR_bpf, BPF_OBJ_GET_INFO_BY_FD, ...)   -1, EINVAL ("not
 *       supported": libbpf then skips its map-type check);
 *   syscall(__NR_bpf, BPF_MAP_UPDATE_ELEM / DELETE_ELEM, ...) on the
 *       fake map fd   0;
 *   mmap/mmap64(NULL, len, ..., MAP_SHARED, fake fd, 0)   the ring's base
 *       when @len is its length (else -1, EINVAL, as the kernel refuses a
 *       mapping of another size);
 *   munmap(ring base, len)   0, the ring stays (the harness owns it);
 *   ioctl(fake fd, PERF_EVENT_IOC_ENABLE / DISABLE / RESET)   0;
 *   ioctl(fake fd, PERF_EVENT_IOC_PAUSE_OUTPUT, n)   the ring's pause;
 *   everything else passes through to the real call (syscall() with its
 *   first five arguments: no caller in these binaries passes a sixth).
 *
 * The harness binaries never open real perf events or touch real BPF maps:
 * perf_event_open and bpf() are always answered here.
 *
 * Context: one thread.
 */
#ifndef RD_FAKEFD_H
#define RD_FAKEFD_H

#include <linux/perf_event.h>
#include <stdbool.h>

#include "rd/adapter.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fake events at a time, and CPUs a plan can name (typed libbpf opens one
 * event per online CPU). */
#define RD_FAKEFD_MAX 1024

/* A fake event. */
struct rd_fake_event {
	int fd;                      /* -1: free slot */
	int cpu;
	const struct rd_ring *ring;  /* NULL: the spare ring nobody writes */
	size_t len;                  /* the mapping length it accepts */
	struct perf_event_attr attr; /* as perf_event_open got it */
	bool mapped, enabled;
	unsigned ioctls;             /* ioctls seen */
};

/*
 * Forget every event and plan (closing no fd: the readers close theirs).
 * The spare ring (one, shared by every unplanned CPU: nothing writes it
 * and its readers only store data_tail = data_head = 0) is kept.
 */
void rd_fakefd_reset(void);

/* The next perf_event_open for @cpu gets @ring (kept by the caller). */
void rd_fakefd_plan(int cpu, const struct rd_ring *ring);

/* A fake BPF_MAP_TYPE_PERF_EVENT_ARRAY map fd (an eventfd), made once. */
int rd_fakefd_map_fd(void);

/* The fake event with fd @fd, or NULL. */
const struct rd_fake_event *rd_fakefd_lookup(int fd);

/* Drop the fake event @fd (after the reader closed it). */
void rd_fakefd_forget(int fd);

/* Drop every fake event whose fd is closed (after a reader's free()). */
void rd_fakefd_forget_closed(void);

/* perf_event_open as the readers call it, through the wrapped syscall(). */
int rd_fakefd_perf_event_open(struct perf_event_attr *attr, int cpu);

#ifdef __cplusplus
}
#endif

#endif /* RD_FAKEFD_H */
