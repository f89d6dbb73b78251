#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ring_opts_seeds.py - writes corpora/fuzz_ring_opts/, the seeds of the
options target (raw input: fuzz/targets/fuzz_ring_opts.c says the layout).

    fuzz/tools/ring_opts_seeds.py          (re)write the seeds
    fuzz/tools/ring_opts_seeds.py --check  exit 1 if a checked-in one differs
    fuzz/tools/ring_opts_seeds.py --list   each seed and what it is for

Each seed asks for one ring (possible or not), one reset, two pauses,
writes of sizes around the limits, and one reader.
"""
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "corpora", "fuzz_ring_opts")


def u16(v):
    return bytes([v & 0xFF, (v >> 8) & 0xFF])


def u32(v):
    return u16(v & 0xFFFF) + u16(v >> 16)


def pow2(v=None, plus1=False, raw=None):
    """A page size or count code: 1 << e, 0 (v=0), v + 1, or any u32."""
    if raw is not None:
        return bytes([0x40]) + u32(raw)
    e = 31 if v == 0 else v.bit_length() - 1
    assert v == 0 or v == 1 << e
    return bytes([e | (0x20 if plus1 else 0)])


def flags(overwrite=False, backward=False, oversize="wrap", keep=False, raw=None):
    b = overwrite | backward << 1 | {"wrap": 0, "drop": 1, "2": 2, "raw": 3}[oversize] << 2
    return bytes([b | (0x10 if keep else 0)]) + (u32(raw) if oversize == "raw" else b"")


SZ = {"full": 0, "short": 5, "min": 6, "zero": 7}


FAIL = {None: 0, "ring": 1, "map": 2, "pages": 3, "scratch": 4}


def ring(page, pages, sz="full", watermark=0, fail=None, **fl):
    return (bytes([SZ[sz]]) + pow2(page) + pow2(pages) + flags(**fl) + u16(watermark) +
            bytes([FAIL[fail]]))


def reset(page=None, pages=None, keep=True, **fl):
    return pow2(page or 64) + pow2(pages or 1) + flags(keep=keep, **fl)


def pause(a, b):
    return bytes([a, b])


def size(v=None, around_ring=None, around_max=None, raw=None):
    """A write size code: small (< 32), data_size + d (-16..15),
    65535 + d (-16..15), any u32, or 8 + 8k / 12 + 8k."""
    if raw is not None:
        return bytes([3 << 5]) + u32(raw)
    if around_ring is not None:
        return bytes([1 << 5 | (around_ring + 16)])
    if around_max is not None:
        return bytes([2 << 5 | (around_max + 16)])
    if v < 32:
        return bytes([v])
    if v % 8 == 0:
        return bytes([4 << 5 | (v - 8) // 8])
    assert v % 8 == 4
    return bytes([6 << 5 | (v - 12) // 8])


SCRATCH = {"own": 0, "exact": 1, "short": 2, "larger": 3}


def reader(sz="full", overwrite=False, backward=False, scratch="own", flush=0):
    code = {"full": 0, "short": 6, "none": 7}[sz]
    return bytes([code, overwrite | backward << 1 | SCRATCH[scratch] << 2]) + u16(flush)


def seed(*parts):
    return b"".join(parts)


SEEDS = {
    "defaults": (
        "default page size and one page; writes below 8, unaligned, 8, the "
        "largest (65535) and one more; a reader with no options",
        seed(ring(0, 1), reset(), pause(1, 0),
             size(0), size(4), size(7), size(8), size(12), size(around_max=0),
             size(around_max=1), size(raw=1 << 20), size(24),
             reader(sz="none"))),
    "data-area-record-drop": (
        "overwrite DROP ring of 64 bytes: a 64-byte record is written, 72 is "
        "dropped and counted, then one with the LOST record in front",
        seed(ring(64, 1, overwrite=True, backward=True, oversize="drop"),
             reset(overwrite=True, backward=True, oversize="drop"), pause(0, 0),
             size(around_ring=0), size(around_ring=8), size(48), size(40),
             size(32), size(around_ring=0),
             reader(backward=True, overwrite=True))),
    "data-area-record-wrap": (
        "overwrite WRAP ring of 128 bytes: records of the data area's size "
        "and larger are all written",
        seed(ring(64, 2, overwrite=True, backward=True),
             reset(overwrite=True, backward=True), pause(0, 0),
             size(around_ring=0), size(around_ring=8), size(around_ring=15),
             size(around_ring=-8), reader(backward=True, overwrite=True))),
    "non-overwrite-exact-fit": (
        "a 128-byte ring: 120 bytes fit (one byte stays free), then 8 do not; "
        "the next record carries a LOST record; the reader's flush equals "
        "the unread bytes",
        seed(ring(64, 2, watermark=64), reset(), pause(1, 0),
             size(around_ring=-8), size(8), size(16),
             reader(flush=120))),
    "non-overwrite-odd-exact-fit": (
        "a 127-byte record on an empty 128-byte ring: exactly the free space "
        "(one byte stays free), so it fits",
        seed(ring(64, 2), reset(), pause(0, 0), size(around_ring=-1), reader())),
    "non-overwrite-flush-above": (
        "flush one byte more than what is unread: read_init says -EAGAIN",
        seed(ring(64, 4), reset(), pause(0, 0), size(32), size(48),
             reader(flush=81, scratch="exact"))),
    "backward-fill": (
        "backward non-overwrite ring filled to its limit from the top",
        seed(ring(128, 1, backward=True), reset(backward=True), pause(0, 0),
             size(48), size(56), size(16), size(24), size(8),
             reader(backward=True, scratch="larger"))),
    "copy-skip-pages": (
        "records copied and skipped in pieces across 64-byte pages, read "
        "back byte for byte",
        seed(ring(64, 4), reset(), pause(0, 0), size(24), size(40), size(56),
             size(72), size(48), size(8), reader(scratch="exact"))),
    "copy-skip-to-page-end": (
        "the second record's skipped bytes end exactly at a 64-byte page end",
        seed(ring(64, 4), reset(), pause(0, 0), size(40), size(32), size(16),
             reader())),
    "copy-skip-across-page": (
        "the second record's skipped bytes cross a 64-byte page end",
        seed(ring(64, 4), reset(), pause(0, 0), size(40), size(40), size(16),
             reader())),
    "copy-from-last-byte": (
        "a 55-byte record leaves the head on a page's last byte: the next "
        "record's 64-byte payload piece starts with one byte in that page",
        seed(ring(64, 4), reset(), pause(0, 0), size(raw=55), size(200),
             reader())),
    "copy-skip-backward": (
        "the same, written backward from the top and read newest first",
        seed(ring(64, 4, backward=True), reset(backward=True), pause(0, 0),
             size(16), size(64), size(80), size(32), size(56),
             reader(backward=True))),
    "copy-skip-lost": (
        "drops, then records with a LOST record in front, read back",
        seed(ring(64, 4), reset(), pause(1, 0), size(200), size(64), size(16),
             size(8), reader())),
    "no-pages": (
        "a ring without data pages: paused for good, pause() -EINVAL, "
        "writes not counted, read_init -ENODATA",
        seed(ring(256, 0), reset(), pause(0, 1), size(16), size(4),
             reader())),
    "bad-page-sizes": (
        "page size 32: refused",
        seed(ring(32, 1), reader())),
    "page-size-not-pow2": (
        "page size 65: refused",
        seed(bytes([0]) + pow2(64, plus1=True) + pow2(1) + flags() + u16(0) + bytes(1))),
    "page-size-too-large": (
        "page size 32 MiB: refused",
        seed(ring(1 << 25, 1))),
    "pages-not-pow2": (
        "three pages: refused",
        seed(bytes([0]) + pow2(64) + pow2(2, plus1=True) + flags() + u16(0) + bytes(1))),
    "pages-too-many": (
        "2^21 pages: refused",
        seed(ring(64, 1 << 21))),
    "ring-over-4g": (
        "16 MiB pages, 512 of them (8 GiB): refused",
        seed(ring(1 << 24, 512))),
    "ring-4g": (
        "16 MiB pages, 256 of them: exactly 4 GiB, the largest ring",
        seed(ring(1 << 24, 256))),
    "largest-page-count": (
        "2^20 pages of 64 bytes: allowed",
        seed(ring(64, 1 << 20))),
    "oversize-invalid": (
        "an oversize policy that is neither WRAP nor DROP: refused",
        seed(ring(64, 1, oversize="2"))),
    "oversize-huge": (
        "an oversize policy of 0xffffffff: refused",
        seed(ring(64, 1, oversize="raw", raw=0xFFFFFFFF))),
    "opts-short": (
        "an options struct one byte short of its last field: refused; zero "
        "size: refused",
        seed(ring(64, 1, sz="short"))),
    "opts-zero": (
        "an options struct of size 0: refused",
        seed(ring(64, 1, sz="zero"))),
    "opts-min": (
        "an options struct exactly up to its last field: accepted; reset "
        "to another geometry and with bad options: refused",
        seed(ring(64, 2, sz="min", watermark=1000), reset(128, 1, keep=False),
             pause(0, 0), size(16), reader(sz="short"))),
    "reset-other-page-count": (
        "reset to the same page size but another page count: refused",
        seed(ring(64, 2), reset(64, 4, keep=False), pause(0, 0), size(16), reader())),
    "reset-other-page-size": (
        "reset to the same page count but another page size: refused",
        seed(ring(64, 2), reset(128, 2, keep=False), pause(0, 0), size(16), reader())),
    "reset-other-modes": (
        "reset keeps the geometry, changes direction and overwrite",
        seed(ring(256, 2, watermark=8), reset(overwrite=True, backward=True),
             pause(1, 1), size(16), reader(scratch="short"))),
    "reset-bad-oversize": (
        "reset with an invalid oversize policy: refused, the ring unchanged",
        seed(ring(64, 4), reset(oversize="2"), pause(0, 0), size(16),
             reader(overwrite=True))),
    "fail-ring-struct": (
        "the ring struct's allocation fails: -ENOMEM, *out NULL",
        seed(ring(64, 1, fail="ring"))),
    "fail-mapping": (
        "the mapping fails: -ENOMEM, the ring struct freed",
        seed(ring(64, 2, fail="map"))),
    "fail-page-table": (
        "the page table's allocation fails: -ENOMEM, mapping and struct freed",
        seed(ring(64, 4, fail="pages"))),
    "fail-scratch": (
        "the reader's scratch allocation fails: -ENOMEM",
        seed(ring(64, 1, fail="scratch"), reset(), pause(0, 0), size(16), reader())),
    "watermark-one-below": (
        "a watermark one byte below the data area stays as asked",
        seed(ring(64, 2, watermark=127), reset(), pause(0, 0), size(16), reader())),
    "watermark-equal": (
        "a watermark equal to the data area stays as asked",
        seed(ring(64, 2, watermark=128), reset(), pause(0, 0), size(16), reader())),
    "watermark-clamped": (
        "a watermark larger than the data area is clamped to it",
        seed(ring(64, 1, watermark=8 * 200), reset(), pause(0, 0), size(16),
             reader(backward=True))),
}


def main():
    stale = []
    os.makedirs(OUT, exist_ok=True)
    for name, (what, data) in SEEDS.items():
        path = os.path.join(OUT, name)
        if "--list" in sys.argv:
            print("fuzz_ring_opts/%s (%d bytes): %s" % (name, len(data), what))
        elif "--check" in sys.argv:
            try:
                with open(path, "rb") as f:
                    if f.read() != data:
                        stale.append(path)
            except FileNotFoundError:
                stale.append(path)
        else:
            with open(path, "wb") as f:
                f.write(data)
    if stale:
        print("ring_opts_seeds: stale or missing seeds (run fuzz/tools/ring_opts_seeds.py):")
        for p in stale:
            print("  " + os.path.relpath(p, ROOT))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
