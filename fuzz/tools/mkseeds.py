#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mkseeds.py - writes the seed corpora of the fuzz targets.

    fuzz/tools/mkseeds.py          (re)write corpora/<target>/<seed>
    fuzz/tools/mkseeds.py --check  exit 1 if a checked-in seed differs
    fuzz/tools/mkseeds.py --list   print each seed and what it is for

Each seed is a small program in the input format of fuzz/sim/input.h,
written here with an encoder for that format. The site numbers come from
the UPRB_SITES list in core/include/uprb/port.h and the op/interrupt kind
tables from each target's source, so the encoder follows both; a change
of either re-encodes the seeds (run this script, commit the result).
Every seed must replay cleanly on the real core: the corpus tests check.
"""
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

with open(os.path.join(ROOT, "core/include/uprb/port.h")) as f:
    SITES = re.findall(r'X\(\w+,\s*"(\w+)"', f.read())
WRITER_SITES = SITES[: SITES.index("wakeup_check") + 1]
SITE_ANY = len(WRITER_SITES)

KINDS = ["FZ_NOP", "FZ_WRITE", "FZ_CONSUME", "FZ_PAUSE", "FZ_TAIL", "FZ_SCRIBBLE"]
TAILS = ["behind", "lap", "ahead", "unaligned", "huge", "honest"]
HEADS = ["set", "ahead", "behind", "unaligned"]
TASK, SOFTIRQ, HARDIRQ, NMI = range(4)
TRAILER_BITS = ["tid", "time", "id", "stream_id", "cpu", "identifier"]


def profile(target):
    """The ops/acts kind tables of a target, as the decoder indexes them."""
    with open(os.path.join(ROOT, "fuzz/targets", target + ".c")) as f:
        text = f.read()
    tables = {}
    for name in ("ops", "acts"):
        body = re.search(r"\." + name + r"\s*=\s*\{([^}]*)\}", text).group(1)
        tables[name] = [KINDS.index(k.strip()) for k in body.split(",") if k.strip()]
        assert len(tables[name]) == 8, (target, name)
    return tables


def u16(v):
    return bytes([v & 0xFF, (v >> 8) & 0xFF])


def u64(v):
    return bytes((v >> (8 * i)) & 0xFF for i in range(8))


class Src:
    def __init__(self, id_lo=0, trailer=(), sample_id_all=False, wakeup_events=0, size=16):
        assert 16 <= size <= 16 + 8 * 63 and size % 8 == 0
        self.id_lo, self.trailer, self.sia = id_lo, trailer, sample_id_all
        self.wakeup_events, self.size = wakeup_events, size

    def encode(self):
        bits = sum(1 << TRAILER_BITS.index(t) for t in self.trailer)
        bits |= 0x40 if self.sia else 0
        return bytes([self.id_lo, bits, self.wakeup_events | ((self.size - 16) // 8) << 2])


def config(page=64, pages=1, backward=False, overwrite=False, drop=False, watermark=0,
           sources=None):
    sources = sources or [Src()]
    assert watermark % 8 == 0 and watermark // 8 < 256 and 1 <= len(sources) <= 4
    out = bytes([(page // 64).bit_length() - 1, {1: 0, 2: 1, 4: 2, 8: 3, 0: 4}[pages],
                 backward | overwrite << 1 | drop << 2, watermark // 8, len(sources) - 1])
    return out + b"".join(s.encode() for s in sources)


# Actions: top-level operations and interrupt actions share one encoding.
def W(src=0, size=16, irqs=(), level=None):
    return ("write", src, size, list(irqs), level)


def CONSUME(n=0):
    return ("consume", n)


def PAUSE(on=True):
    return ("pause", on)


def TAIL(how, v=0):
    return ("tail", how, v)


def SCRIBBLE(how, v=0):
    return ("scribble", how, v)


def AT(site, nth, action):
    """An interrupt: @action runs before the @nth access at @site."""
    return (site, nth, action)


class Encoder:
    def __init__(self, target):
        self.t = profile(target)

    def kind(self, table, name):
        k = KINDS.index("FZ_" + name.upper())
        return bytes([self.t[table].index(k)])

    def write(self, a, level):
        _, src, size, irqs, _ = a
        assert size % 8 == 0 and 16 <= size <= 65528 and len(irqs) <= 3
        code = bytes([1 + (size - 16) // 8]) if size <= 16 + 8 * 238 else \
            bytes([0xF0]) + u16((size - 16) // 8)
        out = bytes([src]) + code + bytes([len(irqs)])
        for site, nth, act in irqs:
            assert 1 <= nth <= 128
            out += bytes([SITE_ANY if site == "any" else WRITER_SITES.index(site)])
            out += bytes([nth - 1 if nth <= 4 else 0x80 + nth - 1])
            out += self.action("acts", act, level)
        return out

    def action(self, table, a, level):
        out = self.kind(table, a[0])
        if a[0] == "write":
            if level is None:
                return out + self.write(a, TASK)
            new = a[4] if a[4] is not None else level + 1
            assert level < new <= NMI, "nested writes go up a level"
            return out + bytes([new - level - 1]) + self.write(a, new)
        if a[0] == "consume":
            return out + bytes([a[1]])
        if a[0] == "pause":
            return out + bytes([1 if a[1] else 0])
        if a[0] == "tail":
            how = TAILS.index(a[1])
            return out + bytes([how]) + (u64(a[2]) if a[1] == "huge" else u16(a[2]))
        if a[0] == "scribble":
            how = HEADS.index(a[1])
            return out + bytes([how]) + (u64(a[2]) if a[1] == "set" else u16(a[2]))
        raise ValueError(a)

    def program(self, cfg, ops):
        return cfg + b"".join(self.action("ops", a, None) for a in ops)


# --- fuzz_writer_nest: nesting, honest consumer ------------------------------
NEST = {}

NEST["wrap-page-and-ring-end"] = (
    "records crossing 64-byte page ends and the end of a 4-page ring, "
    "drained as they go",
    config(page=64, pages=4),
    [W(0, 40), W(0, 56), CONSUME(), W(0, 40), W(0, 56), CONSUME(1), W(0, 48),
     CONSUME(), W(0, 72), W(0, 40), CONSUME(), W(0, 64), W(0, 64), CONSUME()])

NEST["exactly-full"] = (
    "a 256-byte ring filled to 248 (7 bytes free), a 16-byte write that "
    "does not fit, then an exact fit of 248 after a drain",
    config(page=64, pages=4),
    [W(0, 128), W(0, 120), W(0, 16), CONSUME(), W(0, 16), CONSUME(),
     W(0, 200), CONSUME(), W(0, 248), W(0, 16), CONSUME()])

NEST["lost-after-drain"] = (
    "drops for want of space, a drain, then a LOST record with the "
    "emitting source's sample_id trailer in front of its record",
    config(page=128, pages=1, sources=[
        Src(1, ("tid", "time")),
        Src(2, ("tid", "time", "id", "stream_id", "cpu", "identifier"), True)]),
    [W(0, 96), W(0, 16), W(1, 16), W(0, 24), CONSUME(), W(1, 16), CONSUME(),
     W(0, 64), W(0, 64), CONSUME(), W(0, 16), CONSUME()])

for site in ["nest_put_load", "put_barrier_1", "put_head_load", "B_head_store",
             "put_barrier_2", "nest_clear", "put_barrier_3", "put_head_recheck",
             "wakeup_check"]:
    NEST["nmi-at-" + site] = (
        "an NMI write right before %s of the task writer's put_handle "
        "(publication order, the again-loop)" % site,
        config(page=64, pages=4, watermark=16, sources=[Src(0, wakeup_events=1)]),
        [W(0, 32, [AT(site, 1, W(0, 24, level=NMI))]), CONSUME(),
         W(0, 40, [AT(site, 1, W(0, 16, [AT(site, 1, W(0, 16, level=NMI))],
                                  level=HARDIRQ))]),
         CONSUME()])

NEST["nmi-at-nest_again"] = (
    "an NMI after put_head_recheck saw a newer head: it lands in front of "
    "the again-loop's nest store",
    config(page=64, pages=4),
    [W(0, 32, [AT("B_head_store", 1, W(0, 24, level=NMI)),
               AT("nest_again", 1, W(0, 16, level=NMI))]), CONSUME()])

NEST["reserve-races"] = (
    "nested writes at the reservation: before the compare-and-swap (retry), "
    "between the lost peek and the exchange (a LOST record with 0), in copies",
    config(page=64, pages=2, sources=[Src(0, ("tid",), True), Src(1)]),
    [W(0, 96), W(0, 64), W(1, 16), CONSUME(),
     W(0, 24, [AT("head_cas", 1, W(1, 16, level=SOFTIRQ)),
               AT("lost_xchg", 1, W(1, 16, level=NMI)),
               AT("copy", 2, W(0, 16, level=HARDIRQ))]),
     CONSUME(),
     W(0, 16, [AT("A_tail_load", 1, W(1, 16, [AT("any", 7, W(0, 16, level=NMI))],
                                        level=SOFTIRQ))]),
     CONSUME()])

NEST["deep-nest"] = (
    "task, softirq, hardirq and NMI writers nested at copies and in an "
    "inner put_handle, with a consumer step from inside the NMI",
    config(page=64, pages=8, watermark=64, sources=[
        Src(0, wakeup_events=2), Src(1, ("time", "id"), True, 3, 24),
        Src(2, size=40), Src(3, ("cpu",), True, 1, 32)]),
    [W(0, 48, [AT("copy", 2, W(1, 32, [
        AT("copy", 1, W(2, 40, [
            AT("nest_put_dec", 1, W(3, 24, [AT("copy", 1, CONSUME(2))],
                                    level=NMI))], level=HARDIRQ))],
        level=SOFTIRQ))]),
     CONSUME(), W(1, 24), W(2, 40), CONSUME()])

NEST["backward-laps"] = (
    "backward overwrite ring lapped several times, read newest first with "
    "find-range; a nested write lands inside an outer's window",
    config(page=64, pages=2, backward=True, overwrite=True),
    [W(0, 40), W(0, 24), W(0, 48), CONSUME(), W(0, 56), W(0, 40), W(0, 32),
     W(0, 48), W(0, 40), CONSUME(),
     W(0, 24, [AT("copy", 1, W(0, 16, level=NMI))]), W(0, 40), W(0, 64),
     W(0, 48), CONSUME()])

NEST["backward-non-overwrite"] = (
    "backward ring with data_tail: fills, drops, drains and wraps",
    config(page=64, pages=2, backward=True),
    [W(0, 48), W(0, 40), W(0, 32), W(0, 24), CONSUME(), W(0, 64), W(0, 16),
     W(0, 48), CONSUME(), W(0, 80, [AT("nest_clear", 1, W(0, 16, level=NMI))]),
     CONSUME()])

NEST["pause-resume"] = (
    "pause, drops while paused (LOST count after resume), and a pause "
    "arriving in the middle of a write",
    config(page=64, pages=4, sources=[Src(0), Src(5, ("tid", "time"), True)]),
    [W(0, 24), PAUSE(), W(0, 24), W(1, 16), W(0, 32), PAUSE(False), W(1, 24),
     CONSUME(), W(0, 24, [AT("head_load", 1, PAUSE()),
                          AT("copy", 1, W(1, 16, level=HARDIRQ))]),
     W(0, 16), PAUSE(False), W(0, 16), CONSUME()])

NEST["wakeups"] = (
    "watermark crossings and wakeup_events in outer and nested writers: "
    "only outermost writers signal",
    config(page=64, pages=4, watermark=40, sources=[
        Src(0, wakeup_events=1), Src(1, wakeup_events=3, size=24)]),
    [W(0, 24), W(1, 24), W(1, 24, [AT("wakeup_load", 1, W(0, 48, level=NMI))]),
     W(1, 24, [AT("events_add", 1, W(1, 24, level=SOFTIRQ))]), CONSUME(),
     W(0, 56, [AT("wakeup_check", 1, W(0, 16, level=HARDIRQ))]), CONSUME()])

NEST["no-pages"] = (
    "a ring without data pages: always paused, nothing counted",
    config(pages=0), [W(0, 16), PAUSE(False), W(0, 24), CONSUME()])

# --- fuzz_writer_tail: hostile user space -----------------------------------
TAIL_SEEDS = {}

TAIL_SEEDS["tail-behind"] = (
    "data_tail moved back over read data: the writer overwrites it",
    config(page=64, pages=4),
    [W(0, 64), W(0, 64), CONSUME(), TAIL("behind", 15), W(0, 96), W(0, 64),
     CONSUME(), W(0, 32)])

TAIL_SEEDS["tail-lap"] = (
    "data_tail a whole lap behind the head",
    config(page=64, pages=2),
    [W(0, 48), TAIL("lap", 3), W(0, 40), W(0, 64), CONSUME(), W(0, 24)])

TAIL_SEEDS["tail-ahead"] = (
    "data_tail ahead of the head: early drops, then an honest tail again",
    config(page=64, pages=4),
    [W(0, 32), TAIL("ahead", 4), W(0, 16), W(0, 40), TAIL("honest"), W(0, 16),
     CONSUME(), W(0, 24)])

TAIL_SEEDS["tail-unaligned-huge"] = (
    "unaligned and huge data_tail values",
    config(page=128, pages=2),
    [W(0, 40), TAIL("unaligned", 2), W(0, 24), TAIL("huge", 0xFFFFFFFFFFFFFFF9),
     W(0, 64), TAIL("huge", 0x8000000000000000), W(0, 16), CONSUME(), W(0, 32)])

TAIL_SEEDS["tail-between-reads"] = (
    "data_tail changed between the writer's reads: before A_tail_load, "
    "then again after a nested write forced a retry",
    config(page=64, pages=4),
    [W(0, 48), W(0, 24, [AT("A_tail_load", 1, TAIL("behind", 0)),
                         AT("head_cas", 1, W(0, 16, level=NMI)),
                         AT("A_tail_load", 2, TAIL("lap"))]),
     W(0, 32, [AT("A_tail_load", 1, TAIL("huge", 0x123456789ABCDEF))]),
     CONSUME(), W(0, 16)])

TAIL_SEEDS["head-scribble"] = (
    "data_head scribbled: the reader errs and resyncs, the writer's next "
    "publication puts it right",
    config(page=64, pages=4),
    [W(0, 32), SCRIBBLE("set", 0xDEADBEEF), CONSUME(), W(0, 24),
     SCRIBBLE("unaligned", 3), W(0, 16, [AT("B_head_store", 1,
                                            SCRIBBLE("ahead", 9))]),
     CONSUME(), SCRIBBLE("behind", 2), CONSUME(), W(0, 16)])

TAIL_SEEDS["backward-hostile"] = (
    "a backward ring with data_tail: hostile tails in both directions",
    config(page=64, pages=4, backward=True),
    [W(0, 40), W(0, 32), CONSUME(), TAIL("behind", 5), W(0, 64), W(0, 48),
     TAIL("ahead", 2), W(0, 16), TAIL("huge", 1 << 63), W(0, 24), CONSUME()])

TARGETS = {"fuzz_writer_nest": NEST, "fuzz_writer_tail": TAIL_SEEDS}


def main():
    check = "--check" in sys.argv
    stale = []
    for target, seeds in TARGETS.items():
        enc = Encoder(target)
        d = os.path.join(ROOT, "corpora", target)
        os.makedirs(d, exist_ok=True)
        for name, (what, cfg, ops) in seeds.items():
            data = enc.program(cfg, ops)
            path = os.path.join(d, name)
            if "--list" in sys.argv:
                print("%s/%s (%d bytes): %s" % (target, name, len(data), what))
            elif check:
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
        print("mkseeds: stale or missing seeds (run fuzz/tools/mkseeds.py):")
        for p in stale:
            print("  " + os.path.relpath(p, ROOT))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
