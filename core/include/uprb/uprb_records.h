/* SPDX-License-Identifier: MIT */
/*
 * uprb_records.h - the layouts of the kernel's records: a
 * PERF_RECORD_SAMPLE as its attr's sample_type, read_format, register masks
 * and branch_sample_type shape it, and the sample_id trailer of the other
 * record types (sample_id_all).
 *
 * The parsers take hostile input (a scribbled ring, a fuzzer's bytes): every
 * part must lie inside header.size, and a reason in @why says which part
 * broke at which offset. The @why string stays valid until the next parse or
 * verify call on the same thread.
 */
#ifndef UPRB_RECORDS_H
#define UPRB_RECORDS_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The fields of a kernel sample (or of a sample_id trailer) that were present. */
struct uprb_sample {
	uint64_t identifier, ip, time, addr, id, stream_id, period;
	uint32_t pid, tid, cpu;
	uint64_t callchain_nr;
	const uint64_t *callchain;
	uint32_t raw_size;
	const void *raw;
	uint64_t branch_nr;
	uint64_t regs_user_abi;
	uint64_t stack_user_size, stack_user_dyn_size;
	uint64_t weight, data_src, transaction, phys_addr, cgroup;
	uint64_t data_page_size, code_page_size;
	uint64_t read_nr;   /* values in the read_format part */
};

/* Layout of kernel records: the attr fields that shape them. */
struct uprb_layout {
	uint64_t sample_type;
	uint64_t read_format;
	uint64_t sample_regs_user;
	uint64_t sample_regs_intr;
	uint64_t branch_sample_type;
	bool sample_id_all;
};

/*
 * Parse a PERF_RECORD_SAMPLE against @l; every part must lie inside
 * header.size and the parts must end exactly at it.
 * Return: 0, -EBADMSG (malformed, @why says where), -EOPNOTSUPP (a
 * sample_type bit the checker does not know: PERF_SAMPLE_AUX).
 */
int uprb_parse_sample(const struct perf_event_header *ev,
		      const struct uprb_layout *l, struct uprb_sample *out,
		      const char **why);

/*
 * Parse the sample_id trailer at the end of a non-SAMPLE record.
 * Return: 0, or -EBADMSG when the record is too short for its fixed part
 * plus the trailer (known types) or for the trailer (others).
 */
int uprb_parse_sample_id(const struct perf_event_header *ev,
			 const struct uprb_layout *l, struct uprb_sample *out,
			 const char **why);

#ifdef __cplusplus
}
#endif

#endif /* UPRB_RECORDS_H */
