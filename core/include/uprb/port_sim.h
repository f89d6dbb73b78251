/* SPDX-License-Identifier: MIT */
/*
 * port_sim.h - the seam as calls into a simulated world (included by port.h
 * only, when UPRB_PORT_SIM is 1).
 *
 * Each primitive describes itself in a struct uprb_sim_access and calls
 * uprb_sim_dispatch(), which hands it to uprb_sim_hooks->access() or, with no
 * hooks installed, performs it plainly. The harness contract:
 *
 *   - Every call is a preemption point: the hook may run a complete nested
 *     writer of a higher context level before performing the access (an NMI
 *     arriving between two shared accesses), switch to another simulated CPU
 *     or the consumer, or defer/serve the access from a modelled store buffer.
 *   - The hook must perform the access it was given, exactly once, before it
 *     returns (possibly into modelled memory), and return what the op defines
 *     (see struct uprb_sim_hooks).
 *   - Copies name their whole range; a hook that models visibility per byte
 *     may split them.
 */
#ifndef UPRB_PORT_SIM_H
#define UPRB_PORT_SIM_H

#undef UPRB_PORT_SIM
#define UPRB_PORT_SIM 1

/* Hand @a to the installed hooks, or perform it. Return: as the op defines. */
uint64_t uprb_sim_dispatch(const struct uprb_sim_access *a);

#define UPRB_SIM_SCALAR_(site_, op_, order_, width_, addr_, val_, expect_)     \
	uprb_sim_dispatch(&(const struct uprb_sim_access){                     \
		.site = (site_),                                               \
		.op = (op_),                                                   \
		.order = (order_),                                             \
		.width = (width_),                                             \
		.addr = (void *)(addr_),                                       \
		.val = (val_),                                                 \
		.expect = (expect_),                                           \
	})

static inline uint64_t uprb_read_once64(enum uprb_site s, const __u64 *p)
{
	return UPRB_SIM_SCALAR_(s, UPRB_OP_LOAD, UPRB_ORDER_ONCE, 8, p, 0, 0);
}

static inline uint32_t uprb_read_once32(enum uprb_site s, const uint32_t *p)
{
	return (uint32_t)UPRB_SIM_SCALAR_(s, UPRB_OP_LOAD, UPRB_ORDER_ONCE, 4,
					  p, 0, 0);
}

static inline void uprb_write_once64(enum uprb_site s, __u64 *p, uint64_t v)
{
	UPRB_SIM_SCALAR_(s, UPRB_OP_STORE, UPRB_ORDER_ONCE, 8, p, v, 0);
}

static inline void uprb_write_once32(enum uprb_site s, uint32_t *p, uint32_t v)
{
	UPRB_SIM_SCALAR_(s, UPRB_OP_STORE, UPRB_ORDER_ONCE, 4, p, v, 0);
}

static inline uint64_t uprb_load_acquire64(enum uprb_site s, const __u64 *p)
{
	return UPRB_SIM_SCALAR_(s, UPRB_OP_LOAD, UPRB_ORDER_ACQUIRE, 8, p, 0, 0);
}

static inline uint32_t uprb_load_acquire32(enum uprb_site s, const uint32_t *p)
{
	return (uint32_t)UPRB_SIM_SCALAR_(s, UPRB_OP_LOAD, UPRB_ORDER_ACQUIRE, 4,
					  p, 0, 0);
}

static inline void uprb_store_release32(enum uprb_site s, uint32_t *p,
					uint32_t v)
{
	UPRB_SIM_SCALAR_(s, UPRB_OP_STORE, UPRB_ORDER_RELEASE, 4, p, v, 0);
}

static inline void uprb_store_release64(enum uprb_site s, __u64 *p,
					uint64_t v)
{
	UPRB_SIM_SCALAR_(s, UPRB_OP_STORE, UPRB_ORDER_RELEASE, 8, p, v, 0);
}

static inline bool uprb_local_cmpxchg64(enum uprb_site s, __u64 *p,
					__u64 *expect, uint64_t desired)
{
	uint64_t old = UPRB_SIM_SCALAR_(s, UPRB_OP_CMPXCHG, UPRB_ORDER_ONCE, 8,
					p, desired, *expect);
	bool ok = old == *expect;

	*expect = old;
	return ok;
}

static inline uint64_t uprb_local_xchg64(enum uprb_site s, __u64 *p,
					 uint64_t v)
{
	return UPRB_SIM_SCALAR_(s, UPRB_OP_XCHG, UPRB_ORDER_ONCE, 8, p, v, 0);
}

static inline uint64_t uprb_local_add64(enum uprb_site s, __u64 *p,
					uint64_t v)
{
	return UPRB_SIM_SCALAR_(s, UPRB_OP_ADD, UPRB_ORDER_ONCE, 8, p, v, 0);
}

#define UPRB_SIM_FENCE_(site_, order_)                                         \
	uprb_sim_dispatch(&(const struct uprb_sim_access){                     \
		.site = (site_), .op = UPRB_OP_FENCE, .order = (order_) })

static inline void uprb_barrier(enum uprb_site s)
{
	UPRB_SIM_FENCE_(s, UPRB_ORDER_COMPILER);
}

static inline void uprb_smp_wmb(enum uprb_site s)
{
	UPRB_SIM_FENCE_(s, UPRB_ORDER_WMB);
}

static inline void uprb_smp_rmb(enum uprb_site s)
{
	UPRB_SIM_FENCE_(s, UPRB_ORDER_RMB);
}

static inline void uprb_smp_mb(enum uprb_site s)
{
	UPRB_SIM_FENCE_(s, UPRB_ORDER_MB);
}

#define UPRB_SIM_COPY_(site_, op_, dst_, src_, n_)                             \
	uprb_sim_dispatch(&(const struct uprb_sim_access){                     \
		.site = (site_),                                               \
		.op = (op_),                                                   \
		.order = UPRB_ORDER_ONCE,                                      \
		.addr = (dst_),                                                \
		.src = (src_),                                                 \
		.len = (n_) })

static inline void uprb_copy_to_ring(enum uprb_site s, void *dst,
				     const void *src, size_t n)
{
	UPRB_SIM_COPY_(s, UPRB_OP_COPY_TO, dst, src, n);
}

static inline void uprb_copy_from_ring(enum uprb_site s, void *dst,
				       const void *src, size_t n)
{
	UPRB_SIM_COPY_(s, UPRB_OP_COPY_FROM, dst, src, n);
}

#endif /* UPRB_PORT_SIM_H */
