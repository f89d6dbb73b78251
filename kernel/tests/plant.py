#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""plant.py IN OUT - write OUT: the tree's ring_buffer.c IN with the
kernel tests' planted faults, each off until uprb_k_plant (the tests'
--plant N) switches it on. Line numbers are kept (each edit stays on its
line). OUT is written only when it changes. Exit 3 (and a message) when IN
lacks a line an edit needs."""
import sys

EDITS = [
    # 1: the LOST record reports one drop too many
    ("lost_event.lost        = local_xchg(&rb->lost, 0);",
     "lost_event.lost        = local_xchg(&rb->lost, 0) + (uprb_k_plant == 1);"),
    # 2: a plain load of the control page; 3: a load past data_pages[]
    ("\tperf_output_get_handle(handle);\n",
     "\tperf_output_get_handle(handle);"
     " if (uprb_k_plant == 2) (void)*(volatile __u64 *)&rb->user_page->time_enabled;"
     " if (uprb_k_plant == 3) (void)*(void *volatile *)&rb->data_pages[rb->nr_pages];\n"),
]


def main():
    src, out = sys.argv[1], sys.argv[2]
    text = open(src).read()
    for old, new in EDITS:
        if text.count(old) != 1:
            print("plant.py: %s has %d of '%s', not one" % (src, text.count(old), old.strip()))
            return 3
        text = text.replace(old, new)
    try:
        if open(out).read() == text:
            return 0
    except OSError:
        pass
    with open(out, "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
