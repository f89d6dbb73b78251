/* SPDX-License-Identifier: MIT */
/*
 * fakefd.c - the --wrap shim of fakefd.h: fake perf events (eventfds)
 * whose mappings are harness rings.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rd/fakefd.h"

/* The real calls, which the linker's --wrap leaves under these names. */
long __real_syscall(long nr, ...);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *__real_mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off);
int __real_munmap(void *addr, size_t len);
int __real_ioctl(int fd, unsigned long req, ...);

long __wrap_syscall(long nr, ...);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off);
int __wrap_munmap(void *addr, size_t len);
int __wrap_ioctl(int fd, unsigned long req, ...);

static struct rd_fake_event events[RD_FAKEFD_MAX];
static const struct rd_ring *plans[RD_FAKEFD_MAX];
static int map_fd = -1;
static bool ready;
static void *spare;
static size_t spare_len;

static void init(void)
{
	if (ready)
		return;
	for (unsigned i = 0; i < RD_FAKEFD_MAX; i++)
		events[i].fd = -1;
	ready = true;
}

static struct rd_fake_event *find(int fd)
{
	init();
	for (unsigned i = 0; i < RD_FAKEFD_MAX; i++)
		if (fd >= 0 && events[i].fd == fd)
			return &events[i];
	return NULL;
}

static struct rd_fake_event *free_slot(void)
{
	init();
	for (unsigned i = 0; i < RD_FAKEFD_MAX; i++)
		if (events[i].fd < 0)
			return &events[i];
	return NULL;
}

static void drop(struct rd_fake_event *e)
{
	memset(e, 0, sizeof(*e));
	e->fd = -1;
}

void rd_fakefd_reset(void)
{
	init();
	for (unsigned i = 0; i < RD_FAKEFD_MAX; i++) {
		if (events[i].fd >= 0)
			drop(&events[i]);
		plans[i] = NULL;
	}
}

void rd_fakefd_forget_closed(void)
{
	init();
	for (unsigned i = 0; i < RD_FAKEFD_MAX; i++)
		if (events[i].fd >= 0 && fcntl(events[i].fd, F_GETFD) < 0 &&
		    errno == EBADF)
			drop(&events[i]);
}

void rd_fakefd_plan(int cpu, const struct rd_ring *ring)
{
	init();
	if (cpu >= 0 && cpu < RD_FAKEFD_MAX)
		plans[cpu] = ring;
}

int rd_fakefd_map_fd(void)
{
	if (map_fd < 0)
		map_fd = eventfd(0, EFD_CLOEXEC);
	return map_fd;
}

const struct rd_fake_event *rd_fakefd_lookup(int fd)
{
	return find(fd);
}

void rd_fakefd_forget(int fd)
{
	struct rd_fake_event *e = find(fd);

	if (e)
		drop(e);
}

/* The length a planned ring is mapped with: the spares copy it. */
static size_t planned_len(void)
{
	for (unsigned i = 0; i < RD_FAKEFD_MAX; i++)
		if (plans[i])
			return plans[i]->len;
	return 0;
}

static long fake_open(const struct perf_event_attr *attr, int cpu)
{
	struct rd_fake_event *e = free_slot();
	long page = sysconf(_SC_PAGESIZE);
	int fd;

	if (!e || !attr || cpu < 0 || cpu >= RD_FAKEFD_MAX) {
		errno = !e ? EMFILE : EINVAL;
		return -1;
	}
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd < 0)
		return -1;
	/* Signalled once, so that epoll/poll report the ring as readable. */
	eventfd_write(fd, 1);
	e->fd = fd;
	e->cpu = cpu;
	e->ring = plans[cpu];
	memcpy(&e->attr, attr, attr->size && attr->size < sizeof(e->attr) ?
	       attr->size : sizeof(e->attr));
	if (e->ring) {
		e->len = e->ring->len;
		return fd;
	}
	e->len = planned_len();
	if (!e->len)
		e->len = (size_t)page * 2;
	if (!spare || spare_len != e->len) {
		struct perf_event_mmap_page *pc;

		if (spare)
			__real_munmap(spare, spare_len);
		spare = __real_mmap(NULL, e->len, PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (spare == MAP_FAILED) {
			spare = NULL;
			close(fd);
			drop(e);
			errno = ENOMEM;
			return -1;
		}
		spare_len = e->len;
		pc = spare;
		pc->data_offset = (uint64_t)page;
		pc->data_size = e->len - (uint64_t)page;
	}
	return fd;
}

static long fake_bpf(int cmd, const union bpf_attr *attr)
{
	switch (cmd) {
	case BPF_OBJ_GET_INFO_BY_FD:
		/* "Not supported": libbpf then skips its map-type check. */
		errno = EINVAL;
		return -1;
	case BPF_MAP_UPDATE_ELEM:
	case BPF_MAP_DELETE_ELEM:
		if (attr && (int)attr->map_fd == map_fd && map_fd >= 0)
			return 0;
		errno = EBADF;
		return -1;
	default:
		errno = EPERM;
		return -1;
	}
}

long __wrap_syscall(long nr, ...)
{
	va_list ap;
	long a[5];

	/*
	 * Five arguments: perf_event_open's count, and all that reaches
	 * syscall() in these binaries (bpf() takes three, gettid none). A
	 * sixth would be read from the caller's stack whether it passed one
	 * or not, which ASan rightly reports.
	 */
	va_start(ap, nr);
	for (int i = 0; i < 5; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr == __NR_perf_event_open)
		return fake_open((const struct perf_event_attr *)a[0], (int)a[2]);
	if (nr == __NR_bpf)
		return fake_bpf((int)a[0], (const union bpf_attr *)a[1]);
	return __real_syscall(nr, a[0], a[1], a[2], a[3], a[4]);
}

int rd_fakefd_perf_event_open(struct perf_event_attr *attr, int cpu)
{
	return (int)syscall(__NR_perf_event_open, attr, -1, cpu, -1,
			    PERF_FLAG_FD_CLOEXEC);
}

static void *fake_mmap(struct rd_fake_event *e, void *addr, size_t len,
		       int flags, long long off)
{
	if (addr || off || !(flags & MAP_SHARED) || len != e->len || e->mapped) {
		errno = EINVAL;
		return MAP_FAILED;
	}
	e->mapped = true;
	return e->ring ? e->ring->base : spare;
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct rd_fake_event *e = find(fd);

	if (e)
		return fake_mmap(e, addr, len, flags, off);
	return __real_mmap(addr, len, prot, flags, fd, off);
}

void *__wrap_mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off)
{
	struct rd_fake_event *e = find(fd);

	if (e)
		return fake_mmap(e, addr, len, flags, off);
	return __real_mmap64(addr, len, prot, flags, fd, off);
}

int __wrap_munmap(void *addr, size_t len)
{
	init();
	for (unsigned i = 0; i < RD_FAKEFD_MAX; i++) {
		struct rd_fake_event *e = &events[i];
		void *base = e->ring ? e->ring->base : spare;

		if (e->fd >= 0 && e->mapped && addr == base) {
			if (len != e->len) {
				errno = EINVAL;
				return -1;
			}
			e->mapped = false;
			return 0;
		}
	}
	return __real_munmap(addr, len);
}

int __wrap_ioctl(int fd, unsigned long req, ...)
{
	struct rd_fake_event *e = find(fd);
	va_list ap;
	unsigned long arg;

	va_start(ap, req);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	if (!e)
		return __real_ioctl(fd, req, arg);
	e->ioctls++;
	switch (req) {
	case PERF_EVENT_IOC_ENABLE:
		e->enabled = true;
		return 0;
	case PERF_EVENT_IOC_DISABLE:
		e->enabled = false;
		return 0;
	case PERF_EVENT_IOC_RESET:
		return 0;
	case PERF_EVENT_IOC_PAUSE_OUTPUT:
		if (e->ring && e->ring->pause)
			return e->ring->pause(e->ring->pause_arg, (uint32_t)arg != 0);
		errno = EINVAL;
		return -1;
	default:
		errno = ENOTTY;
		return -1;
	}
}
