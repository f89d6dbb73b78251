/* SPDX-License-Identifier: MIT */
/*
 * rwindow.h - fuzz_reader_corrupt's verdicts on the reader's windows: what
 * read_init and read_event must answer, from the control page and the
 * ring's bytes alone (rring.h), whatever the ring holds. Each check fails
 * with a story line (story.h) and abort().
 */
#ifndef FZ_RWINDOW_H
#define FZ_RWINDOW_H

#include <stdbool.h>
#include <stdint.h>

#include "rring.h"
#include "uprb/uprb_reader.h"

struct fz_story;

/* What the checks look at. */
struct fzr_view {
	const struct uprb_reader *r;  /* after the call judged */
	struct fzr_area area;         /* its data area */
	bool backward, overwrite;
	const struct fz_story *where; /* the story line of a failure */
};

/*
 * read_init's verdict @ret and its window against the control page: @prev
 * the reader's position and @head data_head before the call, @windows its
 * window count then (flush is 0 here: any unread byte is a window).
 * -ERANGE exactly when data_head moved against the writing direction,
 * -EAGAIN exactly when nothing is unread, -EOVERFLOW exactly when more
 * than data_size bytes are unread on a non-overwrite ring; a window opened
 * runs from the reader's position to data_head (backward: from data_head).
 */
void fzr_check_window(const struct fzr_view *v, int ret, uint64_t prev,
		      uint64_t head, uint64_t windows);

/*
 * A lapped backward overwrite ring: read_init's find-range (@ret, the
 * window's end) must agree with a plain walk of the headers from @head
 * (fzr_find_range_verdict(), docs/ring.md#33-reading-backward).
 */
void fzr_check_find_range(const struct fzr_view *v, int ret, uint64_t prev,
			  uint64_t head);

/*
 * A forward window used up: read_event looks at data_head (@head) again
 * from the reader at @pos: -ERANGE when it moved back, -EOVERFLOW when
 * more than data_size bytes are unread, else the window now ends there.
 */
void fzr_check_relook(const struct fzr_view *v, int ret, uint64_t pos,
		      uint64_t head);

/*
 * A record read_event returned (@ret 1) or refused for its header at @pos
 * is so for the first reason a plain parse of the header finds
 * (fzr_header_verdict()), and one it returns has none.
 */
void fzr_check_diagnosis(const struct fzr_view *v, uint64_t pos, int ret);

#endif /* FZ_RWINDOW_H */
