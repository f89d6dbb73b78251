/* SPDX-License-Identifier: MIT */
/*
 * linux/preempt.h, RCU - the writer runs with preemption off under an RCU
 * read lock; one thread and no grace periods here, so they are compiler
 * barriers only (not seam accesses: they order nothing another context sees).
 */
#ifndef UPRB_K_LINUX_PREEMPT_H
#define UPRB_K_LINUX_PREEMPT_H

#define uprb_k_compiler_barrier() __asm__ __volatile__("" ::: "memory")
#define preempt_disable() uprb_k_compiler_barrier()
#define preempt_enable() uprb_k_compiler_barrier()
#define preempt_disable_notrace() uprb_k_compiler_barrier()
#define preempt_enable_notrace() uprb_k_compiler_barrier()
#define rcu_read_lock() uprb_k_compiler_barrier()
#define rcu_read_unlock() uprb_k_compiler_barrier()
#define rcu_dereference(p) (p)
#define rcu_assign_pointer(p, v) ((p) = (v))
#define in_atomic() 0
#define in_nmi() 0
#define in_irq() 0
#define in_softirq() 0
#define interrupt_context_level() 0
/* the context count (task context: 0) and its fields, as x86 lays them out */
#define preempt_count() 0U
#define SOFTIRQ_OFFSET 0x00000100U
#define HARDIRQ_MASK 0x000f0000U
#define NMI_MASK 0x00f00000U

#endif
