#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mkseeds.py - writes the seed corpus of fuzz_readers (corpora/fuzz_readers/).

    readers/tools/mkseeds.py          (re)write the seeds
    readers/tools/mkseeds.py --check  exit 1 if a checked-in seed differs
    readers/tools/mkseeds.py --list   each seed and what it is for

Each seed is a program in the input format of readers/fuzz/rdinput.h,
written with the encoder below. One seed per hostile class (the README's
table of readers is the replay of these), and honest rings that exercise
what readers get wrong when nothing is wrong: records that wrap the ring
end, records as large as the ring allows, drops and LOST records, windows
stopped early, records written while a window is read, backward rings that
lap. Binary: the text form of uprb-script does not know this target yet.
"""
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "corpora", "fuzz_readers")

WRITE, READ, CORRUPT, HEAD, TAIL = 0, 3, 5, 6, 7
ZERO, SIZE, TYPE, RAW, FLIP, STRADDLE = 0, 1, 3, 4, 5, 6
TO = {"0": 0, "4": 1, "12": 2, "ring": 3, "ring+8": 4, "huge": 5, "past-head": 6, "value": 7}
RAWTO = {"record": 0, "past": 1, "huge": 2, "value": 3}
HEADS = {"set": 0, "ahead": 1, "behind": 2, "unaligned": 3, "lap": 4}
TAILS = {"ahead": 0, "behind": 1, "unaligned": 2, "set": 3}
INNER = {"write": 0, "corrupt": 1, "head": 2}


def u16(v):
    return bytes([v & 0xFF, (v >> 8) & 0xFF])


def u32(v):
    return u16(v & 0xFFFF) + u16(v >> 16)


def u64(v):
    return bytes((v >> (8 * i)) & 0xFF for i in range(8))


def ring(pages, backward=False):
    return bytes([{1: 0, 2: 1, 4: 2, 8: 3}[pages] | (4 if backward else 0)])


def write_args(size, count=1):
    assert size % 8 == 0 and 16 <= size <= 65528 and 1 <= count <= 8
    if (size - 16) // 8 < 0xF0:
        code = bytes([(size - 16) // 8])
    else:
        code = bytes([0xF0]) + u16((size - 16) // 8)
    return code + bytes([count - 1])


def write(size, count=1):
    return bytes([WRITE]) + write_args(size, count)


def corrupt_args(how, rec=0, to=None, val=0):
    if how == FLIP:
        return bytes([how]) + u16(val) + bytes([rec])   # rec is the mask here
    b = bytes([how, rec])
    if how == SIZE:
        b += bytes([TO[to]]) + (u16(val) if to == "value" else b"")
    elif how == TYPE:
        b += u32(val)
    elif how == RAW:
        b += bytes([RAWTO[to]]) + (u32(val) if to == "value" else b"")
    return b


def corrupt(how, rec=0, to=None, val=0):
    return bytes([CORRUPT]) + corrupt_args(how, rec, to, val)


def head_args(how, val=0):
    b = bytes([HEADS[how]])
    if how == "set":
        b += u64(val)
    elif how in ("ahead", "behind"):
        b += u16(val // 8 - 1)
    elif how == "unaligned":
        b += bytes([val - 1])
    return b


def head(how, val=0):
    return bytes([HEAD]) + head_args(how, val)


def tail(how, val=0):
    b = bytes([TAIL, TAILS[how]])
    if how == "ahead":
        b += u16(val // 8 - 1)
    elif how == "unaligned":
        b += bytes([val - 1])
    elif how == "set":
        b += u64(val)
    return b


def read(max_items=0, inner=()):
    """inner: (nth, kind, args bytes) after the nth item."""
    assert max_items < 64 and len(inner) <= 3
    b = bytes([READ, max_items | (len(inner) << 6)])
    for nth, kind, args in inner:
        b += bytes([nth - 1, INNER[kind]]) + args
    return b


SEEDS = {}


def seed(name, what, data):
    SEEDS[name] = (what, data)


# --- honest rings -------------------------------------------------------
seed("honest-small-wraps", "1 page, small records of many sizes, read in windows: every record wraps the end sometime",
     ring(1) + b"".join(write(s, 7) + read() for s in (16, 24, 48, 104, 200, 32, 16, 64)))
seed("honest-large-wrap", "8 pages, 6000-byte records, the fifth wraps the ring end (larger than sizeof(union perf_event))",
     ring(8) + write(6000, 4) + read() + write(6000, 4) + read())
seed("honest-largest", "8 pages, records up to 32760 bytes (data_size - 8), wrapping",
     ring(8) + write(32760) + read() + write(16384) + write(9000) + read() + write(24000) + read())
seed("honest-drops-lost", "1 page overfilled: drops, then a LOST record in front of the next record that fits",
     ring(1) + write(1000, 8) + read() + write(512, 8) + write(16) + read() + write(2048, 3) + read())
seed("honest-stop-early", "windows stopped after 1-3 items (readers that can stop): the rest must come in the next window",
     ring(2) + write(64, 8) + read(1) + read(3) + write(200, 8) + read(2) + read())
seed("honest-write-in-window", "records written from the reader's callback while it reads a window",
     ring(1) + write(40, 4) + read(0, [(1, "write", write_args(56, 3)), (3, "write", write_args(400, 2))]) + read())
seed("honest-backward", "backward overwrite ring, 2 pages, read newest first in paused windows",
     ring(2, True) + write(48, 8) + read() + write(120, 8) + read())
seed("honest-backward-laps", "backward overwrite ring that laps between windows: find-range's cut",
     ring(1, True) + write(104, 8) + write(200, 8) + read() + write(24, 8) + write(72, 8) + read())

# --- hostile rings: one class each ----------------------------------------
base = ring(2) + write(64, 4) + write(104, 2)
seed("hostile-size-zero", "a header zeroed in unread data (size 0, type 0)",
     base + corrupt(ZERO, 1) + read() + write(48, 2) + read())
seed("hostile-size-zero-sample", "a SAMPLE header whose size is 0 (type kept)",
     base + corrupt(SIZE, 1, "0") + read() + write(48, 2) + read())
seed("hostile-size-short", "a header of size 4",
     base + corrupt(SIZE, 2, "4") + read() + read())
seed("hostile-size-unaligned", "a header of size 12 (not a multiple of 8)",
     base + corrupt(SIZE, 2, "12") + read() + read())
seed("hostile-size-oversize", "a header of size 0xfff8, larger than the ring",
     base + corrupt(SIZE, 2, "huge") + read() + read())
seed("hostile-size-ring8", "a header of size data_size + 8",
     base + corrupt(SIZE, 3, "ring+8") + read() + read())
seed("hostile-size-wrong", "a plausible size that carries the record across the ring end (misframes what follows)",
     base + corrupt(STRADDLE, 2) + read() + read())
seed("hostile-past-head", "the newest record's size runs 8 bytes past data_head",
     base + corrupt(SIZE, 0, "past-head") + read() + read())
seed("hostile-type", "a record type nobody wrote (0x77)",
     base + corrupt(TYPE, 2, val=0x77) + read() + read())
seed("hostile-raw-size", "a SAMPLE whose RAW size runs 8 bytes past its record",
     base + corrupt(RAW, 2, "past") + read() + read())
seed("hostile-raw-huge", "a SAMPLE whose RAW size is 0xffffffff",
     base + corrupt(RAW, 2, "huge") + read() + read())
seed("hostile-flip", "flipped bits in an unread header",
     base + corrupt(FLIP, 0x11, val=64 + 6) + read() + read())
seed("hostile-head-back", "data_head moved back, before data_tail",
     base + read() + write(64, 2) + head("behind", 256) + read() + write(32) + read())
seed("hostile-head-ahead", "data_head 512 bytes ahead of the data written",
     base + head("ahead", 512) + read() + write(32) + read())
seed("hostile-head-overrun", "data_head a whole ring ahead",
     base + head("lap") + read() + write(32) + read())
seed("hostile-head-unaligned", "data_head not 8-aligned",
     base + head("unaligned", 3) + read() + write(32) + read())
seed("hostile-tail-ahead", "data_tail written past data_head by another party",
     base + tail("ahead", 64) + read() + write(32) + read())
seed("hostile-tail-behind", "data_tail written a lap behind by another party",
     base + read() + write(64, 2) + tail("behind") + read() + read())
seed("hostile-backward-size-zero", "backward overwrite ring with a zeroed header",
     ring(2, True) + write(64, 6) + corrupt(ZERO, 2) + read() + read())
seed("hostile-backward-oversize", "backward overwrite ring with a header larger than the ring",
     ring(2, True) + write(64, 6) + corrupt(SIZE, 2, "huge") + read() + read())


def main(argv):
    if "--list" in argv:
        for name, (what, _) in SEEDS.items():
            print("%-28s %s" % (name, what))
        return 0
    check = "--check" in argv
    bad = []
    if not check:
        os.makedirs(OUT, exist_ok=True)
    for name, (_, data) in SEEDS.items():
        path = os.path.join(OUT, name)
        if check:
            try:
                with open(path, "rb") as f:
                    if f.read() != data:
                        bad.append(name)
            except OSError:
                bad.append(name)
        else:
            with open(path, "wb") as f:
                f.write(data)
    if check:
        extra = sorted(set(os.listdir(OUT)) - set(SEEDS)) if os.path.isdir(OUT) else []
        for name in bad:
            print("mkseeds: corpora/fuzz_readers/%s is not what readers/tools/mkseeds.py writes" % name)
        for name in extra:
            print("mkseeds: corpora/fuzz_readers/%s is not a seed of readers/tools/mkseeds.py" % name)
        return 1 if bad or extra else 0
    print("mkseeds: %d seeds in %s" % (len(SEEDS), os.path.relpath(OUT, os.getcwd())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
