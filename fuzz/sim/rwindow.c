/* SPDX-License-Identifier: MIT */
/*
 * rwindow.c - fuzz_reader_corrupt's verdicts on the reader's windows
 * (rwindow.h), each failure a story line of the reader.
 */
#include <errno.h>
#include <stdbool.h>

#include "rwindow.h"
#include "story.h"

#define X64(v) ((unsigned long long)(v))

#define NEED(cond, inv, ...)                                                   \
	do {                                                                   \
		if (!(cond))                                                   \
			fz_story_fail(v->where, inv, __VA_ARGS__);             \
	} while (0)

static bool is_header_code(int ret)
{
	return ret == -EPROTO || ret == -EBADMSG || ret == -EILSEQ ||
	       ret == -EMSGSIZE;
}

void fzr_check_diagnosis(const struct fzr_view *v, uint64_t pos, int ret)
{
	uint16_t size = 0;
	int want;

	/* The window's end as read_event left it (it may look for more). */
	want = fzr_header_verdict(&v->area, pos, v->r->end - pos, &size);
	if (ret == 1 || is_header_code(ret))
		NEED(ret == want, "diagnosis",
		     "record at %#llx (size %u, %llu bytes unread, %llu-byte "
		     "data area): read_event returned %d (%s), its header "
		     "calls for %d (%s)", X64(pos), size, X64(v->r->end - pos),
		     X64(v->area.size), ret, ret == 1 ? "a record" :
		     uprb_read_strerror(ret), want,
		     want == 1 ? "a record" : uprb_read_strerror(want));
}

void fzr_check_window(const struct fzr_view *v, int ret, uint64_t prev,
		      uint64_t head, uint64_t windows)
{
	uint64_t diff = v->backward ? prev - head : head - prev;
	bool opened = v->r->stats.windows != windows;

	if (!v->area.size)
		return;
	NEED((ret == -ERANGE) == ((int64_t)diff < 0), "window",
	     "read_init returned %d, data_head %#llx, reader at %#llx", ret,
	     X64(head), X64(prev));
	if ((int64_t)diff < 0)
		return;
	NEED((ret == -EAGAIN) == !diff, "window", "read_init returned %d with "
	     "%llu bytes unread", ret, X64(diff));
	NEED((ret == -EOVERFLOW) == (!v->overwrite && diff > v->area.size), "window",
	     "read_init returned %d with %llu bytes unread in a %llu-byte "
	     "%s ring", ret, X64(diff), X64(v->area.size),
	     v->overwrite ? "overwrite" : "non-overwrite");
	if (diff && diff <= v->area.size)
		NEED(ret == 0, "window", "read_init refused a window of %llu bytes "
		     "(%d) in a %llu-byte ring", X64(diff), ret, X64(v->area.size));
	NEED(opened == !ret, "window", "read_init returned %d, window count "
	     "moved by %llu", ret, X64(v->r->stats.windows - windows));
	if (ret)
		return;
	NEED(v->r->head == head, "window", "window head %#llx, data_head %#llx",
	     X64(v->r->head), X64(head));
	if (!v->backward)
		NEED(v->r->start == prev && v->r->end == head, "window",
		     "window [%#llx, %#llx), reader at %#llx, data_head %#llx",
		     X64(v->r->start), X64(v->r->end), X64(prev), X64(head));
	else
		NEED(v->r->start == head && (diff > v->area.size ?
		     v->r->end - head <= v->area.size : v->r->end == prev), "window",
		     "backward window [%#llx, %#llx), data_head %#llx, last read "
		     "at %#llx", X64(v->r->start), X64(v->r->end), X64(head), X64(prev));
}

void fzr_check_find_range(const struct fzr_view *v, int ret, uint64_t prev,
			  uint64_t head)
{
	uint64_t end = 0;
	int want;

	if (!v->backward || !v->overwrite || !v->area.size || (int64_t)(prev - head) < 0 ||
	    prev - head <= v->area.size)
		return;
	want = fzr_find_range_verdict(&v->area, head, &end);
	NEED(ret == want && (ret || v->r->end == end), "window",
	     "find-range from data_head %#llx over a lapped %llu-byte ring: "
	     "read_init returned %d and a window to %#llx; its headers call for "
	     "%d and %#llx", X64(head), X64(v->area.size), ret, X64(v->r->end), want,
	     X64(end));
}

void fzr_check_relook(const struct fzr_view *v, int ret, uint64_t pos,
		      uint64_t head)
{
	if ((int64_t)(head - pos) < 0)
		NEED(ret == -ERANGE, "window", "data_head %#llx behind the reader "
		     "at %#llx: read_event returned %d", X64(head), X64(pos), ret);
	else if (head - pos > v->area.size)
		NEED(ret == -EOVERFLOW, "window", "data_head %#llx, %llu bytes "
		     "ahead of the reader in a %llu-byte ring: read_event "
		     "returned %d", X64(head), X64(head - pos), X64(v->area.size), ret);
	else
		NEED(ret != -ERANGE && ret != -EOVERFLOW && v->r->end == head,
		     "window", "data_head %#llx, reader at %#llx: read_event "
		     "returned %d, window end %#llx", X64(head), X64(pos), ret,
		     X64(v->r->end));
}
