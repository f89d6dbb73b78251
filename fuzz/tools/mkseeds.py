#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mkseeds.py - writes the seed corpora of the fuzz targets.

    fuzz/tools/mkseeds.py          (re)write corpora/<target>/<seed>
    fuzz/tools/mkseeds.py --check  exit 1 if a checked-in seed differs
    fuzz/tools/mkseeds.py --list   print each seed and what it is for

Each seed is a small program in the input format of fuzz/sim/input.h
(fuzz_reader_corrupt: fuzz/sim/rinput.h), written here with an encoder for
that format. The site numbers come from
the UPRB_SITES list in core/include/uprb/port.h and the op/interrupt kind
tables from fuzz/sim/profiles.c, so the encoder follows both; a change
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

KINDS = ["FZ_NOP", "FZ_WRITE", "FZ_CONSUME", "FZ_PAUSE", "FZ_TAIL", "FZ_SCRIBBLE", "FZ_VISIBLE"]
TAILS = ["behind", "lap", "ahead", "unaligned", "huge", "honest"]
HEADS = ["set", "ahead", "behind", "unaligned"]
TASK, SOFTIRQ, HARDIRQ, NMI = range(4)
TRAILER_BITS = ["tid", "time", "id", "stream_id", "cpu", "identifier"]


def profile(target):
    """The ops/acts kind tables of a world target, as the decoder indexes them,
    and the switches that change its layout (cpus, page_sizes, forward_only)."""
    with open(os.path.join(ROOT, "fuzz/sim/profiles.c")) as f:
        text = f.read()
    text = re.search(r'\.name\s*=\s*"%s"(.*?)\n\};' % target, text, re.S).group(1)
    tables = {}
    for name in ("ops", "acts"):
        body = re.search(r"\." + name + r"\s*=\s*\{([^}]*)\}", text).group(1)
        tables[name] = [KINDS.index(k.strip()) for k in body.split(",") if k.strip()]
        assert len(tables[name]) == 8, (target, name)
    for name, default in (("cpus", 0), ("page_sizes", 0)):
        m = re.search(r"\." + name + r"\s*=\s*(\d+)", text)
        tables[name] = int(m.group(1)) if m else default
    tables["forward_only"] = bool(re.search(r"\.forward_only\s*=\s*true", text))
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
           sources=None, cpus=None):
    """The config bytes; @cpus only for targets whose profile has cpus > 1."""
    sources = sources or [Src()]
    assert watermark % 8 == 0 and watermark // 8 < 256 and 1 <= len(sources) <= 4
    out = bytes([(page // 64).bit_length() - 1, {1: 0, 2: 1, 4: 2, 8: 3, 0: 4}[pages],
                 backward | overwrite << 1 | drop << 2, watermark // 8, len(sources) - 1])
    out += b"".join(s.encode() for s in sources)
    if cpus is not None:
        assert 1 <= cpus <= 4
        out += bytes([cpus - 1])
    return out


# Actions: top-level operations and interrupt actions share one encoding.
def W(src=0, size=16, irqs=(), level=None, cpu=None):
    """A write; @cpu (multi-CPU targets): the CPU it runs on, by default the
    interrupted writer's (a nested write) or 0 at top level."""
    return ("write", src, size, list(irqs), level, cpu)


def CONSUME(n=0):
    return ("consume", n)


def PAUSE(on=True, cpu=0):
    """Pause or resume; @cpu only at top level of multi-CPU targets."""
    return ("pause", on, cpu)


def TAIL(how, v=0):
    return ("tail", how, v)


def SCRIBBLE(how, v=0):
    return ("scribble", how, v)


def VISIBLE(cpu="writer", count=1, pick=0):
    """Buffered stores of one CPU become visible (fuzz_weak_memory)."""
    assert cpu in ("writer", "consumer") and 1 <= count <= 8 and 0 <= pick < 16
    return ("visible", cpu, count, pick)


def AT(site, nth, action):
    """An interrupt: @action runs before the @nth access at @site."""
    return (site, nth, action)


class Encoder:
    def __init__(self, target):
        self.t = profile(target)
        self.multi = self.t["cpus"] > 1

    def kind(self, table, name):
        k = KINDS.index("FZ_" + name.upper())
        return bytes([self.t[table].index(k)])

    def write(self, a, level, cpu=0):
        _, src, size, irqs, _, _ = a
        assert size % 8 == 0 and 16 <= size <= 65528 and len(irqs) <= 3
        code = bytes([1 + (size - 16) // 8]) if size <= 16 + 8 * 238 else \
            bytes([0xF0]) + u16((size - 16) // 8)
        out = bytes([src]) + code + bytes([len(irqs)])
        for site, nth, act in irqs:
            assert 1 <= nth <= 128
            out += bytes([SITE_ANY if site == "any" else WRITER_SITES.index(site)])
            out += bytes([nth - 1 if nth <= 4 else 0x80 + nth - 1])
            out += self.action("acts", act, level, cpu)
        return out

    def action(self, table, a, level, cpu=0):
        """@level, @cpu: the interrupted writer's (level None: top level)."""
        out = self.kind(table, a[0])
        if a[0] == "write":
            on = a[5] if a[5] is not None else cpu
            assert self.multi or on == 0, "one CPU"
            if self.multi:
                out += bytes([on])
            if level is None or on != cpu:
                assert a[4] in (None, TASK), "top-level and cross-CPU writes are task level"
                return out + self.write(a, TASK, on)
            new = a[4] if a[4] is not None else level + 1
            assert level < new <= NMI, "nested writes go up a level"
            return out + bytes([new - level - 1]) + self.write(a, new, on)
        if a[0] == "consume":
            return out + bytes([a[1]])
        if a[0] == "pause":
            if self.multi and level is None:
                out += bytes([a[2]])
            return out + bytes([1 if a[1] else 0])
        if a[0] == "tail":
            how = TAILS.index(a[1])
            return out + bytes([how]) + (u64(a[2]) if a[1] == "huge" else u16(a[2]))
        if a[0] == "visible":
            return out + bytes([(a[1] == "consumer") | (a[2] - 1) << 1 | a[3] << 4])
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

# --- fuzz_weak_memory: two CPUs, buffered stores (docs/memory.md) -----------
WEAK = {}

WEAK["publish-then-read"] = (
    "stores made visible one at a time while the writer runs: the consumer "
    "reads at data_head's store and after it, sees only what B published",
    config(page=64, pages=4),
    [W(0, 40, [AT("copy", 1, VISIBLE("writer", 1, 1)),
               AT("B_head_store", 1, CONSUME()),
               AT("nest_clear", 1, VISIBLE("writer", 8, 3))]),
     CONSUME(), VISIBLE("consumer", 2),
     W(0, 56, [AT("put_head_load", 1, VISIBLE("writer", 2, 5)),
               AT("wakeup_check", 1, CONSUME())]),
     W(0, 24), VISIBLE("writer", 8, 7), CONSUME(), VISIBLE("consumer", 1)])

WEAK["tail-not-yet-visible"] = (
    "the consumer's data_tail stores sit in its buffer: the writer sees a "
    "full ring and drops until they become visible",
    config(page=64, pages=2),
    [W(0, 48), W(0, 48), CONSUME(),
     W(0, 40, [AT("A_tail_load", 1, VISIBLE("consumer", 1))]),
     W(0, 40), VISIBLE("consumer", 8), W(0, 40), CONSUME(), W(0, 32)])

WEAK["nested-wrap"] = (
    "an NMI over a buffered outer write at the ring end, visibility picked "
    "out of order between them",
    config(page=64, pages=4, sources=[Src(trailer=("tid", "time"), sample_id_all=True)]),
    [W(0, 200), CONSUME(),
     W(0, 40, [AT("copy", 1, W(0, 48, [AT("B_head_store", 1, VISIBLE("writer", 3, 2))],
                              level=NMI)),
               AT("nest_put_load", 1, VISIBLE("writer", 2, 9)),
               AT("B_head_store", 1, CONSUME(1))]),
     CONSUME(), VISIBLE("consumer", 4), W(0, 64), CONSUME()])

WEAK["backward-overwrite-laps"] = (
    "a backward overwrite ring lapped while stores are buffered; the reader "
    "pauses, reads, resumes with its own stores buffered",
    config(page=64, pages=4, backward=True, overwrite=True),
    [W(0, 64), W(0, 64), W(0, 64, [AT("copy", 1, CONSUME())]), W(0, 64),
     W(0, 48, [AT("B_head_store", 1, VISIBLE("writer", 4, 1)),
               AT("nest_clear", 1, CONSUME())]),
     VISIBLE("consumer", 1), W(0, 32), CONSUME(), PAUSE(True), W(0, 16),
     PAUSE(False), W(0, 40), CONSUME()])

WEAK["pause-buffered"] = (
    "pause and resume stored by user space reach the writer late",
    config(page=64, pages=4),
    [W(0, 32), PAUSE(True), W(0, 32), VISIBLE("consumer", 1), W(0, 32),
     PAUSE(False), W(0, 32, [AT("paused_load", 1, VISIBLE("consumer", 1))]),
     W(0, 32), CONSUME()])

# --- fuzz_multi_cpu: 1-4 CPUs, a ring each, the merged consumer -----------
MULTI = {}

MULTI["four-cpus-interleaved"] = (
    "four CPUs writing in turn, writers of one CPU running inside another's "
    "(cross-CPU at seam accesses, with nesting there too), rounds of the "
    "merged consumer in between; the merged stream comes out in time order",
    config(page=64, pages=4, sources=[Src(0), Src(1, ("tid", "time"), True)], cpus=4),
    [W(0, 24, cpu=0), W(1, 32, cpu=1), W(0, 16, cpu=2), W(1, 40, cpu=3), CONSUME(),
     W(0, 48, cpu=2, irqs=[AT("head_cas", 1, W(1, 16, cpu=3)),
                           AT("copy", 1, W(0, 24, cpu=0, irqs=[
                               AT("copy", 1, W(1, 16, level=NMI))]))]),
     W(1, 24, cpu=1), CONSUME(),
     W(0, 16, cpu=3, irqs=[AT("B_head_store", 1, CONSUME()),
                           AT("nest_clear", 1, W(0, 32, cpu=1))]),
     W(0, 24, cpu=0), W(1, 16, cpu=2), CONSUME(), W(0, 40, cpu=1), CONSUME()])

MULTI["writer-in-flight-across-rounds"] = (
    "CPU 0's writer takes its time, then two rounds run while it is still "
    "copying (other CPUs write meanwhile): its record is read after later "
    "ones were flushed, a late record perf's rule cannot order (counted)",
    config(page=64, pages=4, cpus=2),
    [W(0, 16, cpu=1),
     W(0, 64, cpu=0, irqs=[
         AT("copy", 1, W(0, 16, cpu=1)),
         AT("copy", 2, CONSUME()),
         AT("nest_put_load", 1, W(0, 24, cpu=1, irqs=[AT("wakeup_check", 1, CONSUME())]))]),
     CONSUME(), W(0, 16, cpu=1), CONSUME()])

MULTI["wrap-and-lost-on-one-cpu"] = (
    "CPU 2's ring wraps and overflows (drops, then a LOST record after a "
    "round) while CPUs 0 and 1 keep writing; LOST records merge with the "
    "time of the record they precede",
    config(page=64, pages=4, sources=[Src(0), Src(2, ("time", "id"), True)], cpus=3),
    [W(0, 16, cpu=0), W(0, 72, cpu=2), W(1, 64, cpu=2), W(0, 16, cpu=1), W(0, 96, cpu=2),
     W(1, 40, cpu=2), W(0, 24, cpu=0), CONSUME(), W(1, 24, cpu=2), W(0, 16, cpu=1),
     CONSUME(1), W(0, 200, cpu=2), W(0, 64, cpu=2), CONSUME(), W(1, 16, cpu=2),
     W(0, 16, cpu=0), CONSUME()])

MULTI["busy-cpu-and-pause"] = (
    "a chain of writers CPU 0 -> 1 -> 0: CPU 0 is busy, so that write does "
    "nothing; CPU 1 paused (drops, LOST after resume) while the others run",
    config(page=64, pages=2, cpus=3),
    [W(0, 24, cpu=0, irqs=[AT("copy", 1, W(0, 16, cpu=1, irqs=[
        AT("copy", 1, W(0, 16, cpu=0)), AT("head_load", 1, W(0, 16, cpu=2))]))]),
     CONSUME(), PAUSE(True, cpu=1), W(0, 16, cpu=1), W(0, 16, cpu=0),
     W(0, 32, cpu=2, irqs=[AT("copy", 1, W(0, 16, cpu=1))]), PAUSE(False, cpu=1),
     W(0, 24, cpu=1), CONSUME(), W(0, 16, cpu=1, irqs=[AT("head_cas", 1, PAUSE())]),
     W(0, 16, cpu=1), PAUSE(False, cpu=1), W(0, 16, cpu=1), CONSUME()])

MULTI["one-cpu-nested"] = (
    "one CPU: an NMI reserves before the writer it interrupts (later time, "
    "earlier place); the merged consumer puts them back in time order",
    config(page=64, pages=4, cpus=1),
    [W(0, 24, irqs=[AT("head_cas", 1, W(0, 16, level=NMI))]), CONSUME(),
     W(0, 32, irqs=[AT("A_tail_load", 1, W(0, 16, level=SOFTIRQ, irqs=[
         AT("head_cas", 1, W(0, 16, level=NMI))]))]),
     W(0, 16), CONSUME()])

# --- fuzz_loss_wakeup: drops, LOST records, pause, wake-ups ----------------
LOSS = {}

LOSS["small-ring-oversize"] = (
    "a 64-byte ring: records larger than the ring and than the free space "
    "are dropped and counted, an exact fit (56 bytes) is not",
    config(page=64, pages=1, watermark=16),
    [W(0, 72), W(0, 56), W(0, 16), CONSUME(), W(0, 32), W(0, 24), W(0, 16),
     CONSUME(), W(0, 16), CONSUME()])

LOSS["lost-after-drain"] = (
    "drops for want of space, a drain, then one LOST record (with its "
    "source's trailer) in front of the next record, which now barely fits",
    config(page=128, pages=1, watermark=64, sources=[
        Src(0, ("tid", "time", "id"), True), Src(1, ("cpu",), True)]),
    [W(0, 64), W(1, 48), W(0, 32), W(1, 40), CONSUME(), W(1, 16), W(0, 16),
     CONSUME(), W(0, 72), W(0, 40), CONSUME(), W(0, 16), CONSUME()])

LOSS["pause-around-wakeups"] = (
    "pause and resume at top level and inside writers (at the watermark "
    "check, at put_handle), wakeup_events and the watermark firing around "
    "them; paused drops come back as one LOST count",
    config(page=64, pages=2, watermark=32, sources=[Src(0, wakeup_events=2),
                                                    Src(1, ("time",), True, 1, 24)]),
    [W(0, 24), W(1, 24), PAUSE(True), W(0, 16), W(1, 16), PAUSE(False), W(0, 24),
     W(1, 16, [AT("wakeup_load", 1, PAUSE()), AT("copy", 1, W(0, 16, level=HARDIRQ))]),
     W(0, 16), CONSUME(), PAUSE(False),
     W(0, 32, [AT("nest_put_load", 1, W(1, 16, level=NMI)),
               AT("wakeup_check", 1, PAUSE(False))]),
     W(1, 24, [AT("events_add", 1, PAUSE())]), W(0, 16), PAUSE(False), W(0, 16),
     CONSUME()])

LOSS["nested-drops"] = (
    "nested writers fail for want of space while an outer one holds its "
    "reservation, and report or steal each other's LOST counts",
    config(page=64, pages=2, sources=[Src(0), Src(1, ("tid",), True)]),
    [W(0, 64), W(0, 40, [AT("lost_peek", 1, W(1, 32, level=SOFTIRQ)),
                         AT("copy", 1, W(1, 48, level=NMI))]),
     CONSUME(1), W(1, 16, [AT("lost_xchg", 1, W(0, 16, level=HARDIRQ))]),
     CONSUME(), W(0, 16), CONSUME()])

LOSS["stamp-runaway"] = (
    "an NMI crosses the watermark between the outer writer's reservation "
    "and its watermark check: the outer's check wraps (u64) and steps again, "
    "the stamp ends ahead of the head, and every later small write steps it "
    "further and wakes the reader (a wake-up per record, not per watermark)",
    config(page=128, pages=4, watermark=64),
    [W(0, 48, [AT("wakeup_load", 1, W(0, 40, level=NMI))]), CONSUME(),
     W(0, 16), W(0, 16), W(0, 16), CONSUME(), W(0, 16), W(0, 16), W(0, 16),
     CONSUME()])

TARGETS = {"fuzz_writer_nest": NEST, "fuzz_writer_tail": TAIL_SEEDS,
           "fuzz_weak_memory": WEAK, "fuzz_multi_cpu": MULTI,
           "fuzz_loss_wakeup": LOSS}


# --- fuzz_reader_corrupt: its own layout (fuzz/sim/rinput.h) -----------------
R_OPS = ["write", "write", "write", "read", "read", "corrupt", "scribble", "resync"]
R_INNER = ["scribble", "corrupt", "write", "corrupt"]
R_CORRUPT = ["flip", "zero", "size", "straddle"]
R_SIZE_TO = ["0", "4", "12", "huge", "ring", "ring+8", "past-head", "value"]
R_HEAD = ["set", "ahead", "behind", "unaligned", "mid"]
PAGES = {1: 0, 2: 1, 4: 2, 8: 3, 0: 4}


def u32(v):
    return u16(v & 0xFFFF) + u16(v >> 16)


def r_mode(mode, backward, overwrite):
    return bytes([mode | backward << 2 | overwrite << 3])


def r_written(page=64, pages=4, backward=False, overwrite=False, id_lo=0, trailer=(),
              sample_id_all=False):
    bits = sum(1 << TRAILER_BITS.index(t) for t in trailer) | (0x40 if sample_id_all else 0)
    return r_mode(0, backward, overwrite) + bytes(
        [(page // 64).bit_length() - 1, PAGES[pages], id_lo, bits])


def r_fill(tail, head, fill):
    return bytes([3]) + u64(tail) + bytes([3]) + u64(head) + u16(len(fill)) + fill


def r_bytes(page=64, pages=4, legacy=False, backward=False, overwrite=False, tail=0, head=0,
            fill=b""):
    return r_mode(2, backward, overwrite) + bytes(
        [(page // 64).bit_length() - 1 | legacy << 7, PAGES[pages]]) + r_fill(tail, head, fill)


def r_raw(off, size, length, backward=False, overwrite=False, tail=0, head=0, fill=b""):
    """Any geometry: a mapping of exactly @length bytes."""
    if size and size & (size - 1) == 0 and size <= 65536:
        code = bytes([size.bit_length() - 1])
    else:
        code = bytes([0x80]) + u32(size)
    delta = length - (off + min(size, 65536))
    assert -32768 <= delta <= 32767
    return (r_mode(3, backward, overwrite) + u16(off) + code + u16(delta & 0xFFFF) +
            r_fill(tail, head, fill))


def header(size, type_=9, misc=0):
    """A perf_event_header, then zeros up to @size (a raw record)."""
    return bytes([type_, 0, 0, 0]) + u16(misc) + u16(size & 0xFFFF) + bytes(max(size - 8, 0))


def r_act(a, table):
    kind = a[0]
    out = bytes([table.index(kind)])
    if kind == "write":
        size = a[1]
        v = (size - 16) // 8
        return out + (bytes([v]) if v < 0xF0 else bytes([0xF0]) + u16(v))
    if kind == "corrupt":
        how = a[1]
        out += bytes([R_CORRUPT.index(how)])
        if how == "flip":
            return out + u16(a[2]) + bytes([a[3]])
        out += bytes([a[2]])
        if how == "size":
            out += bytes([R_SIZE_TO.index(a[3])])
            if a[3] == "value":
                out += u16(a[4])
        return out
    if kind == "scribble":
        how = a[1]
        out += bytes([R_HEAD.index(how)])
        if how == "set":
            return out + u64(a[2])
        if how in ("ahead", "behind"):
            return out + u16(a[2])
        return out + bytes([a[2]])
    return out


def RW(size):
    return ("write", size)


def READ(max_=0, resync=False, keep=False, at=()):
    """A read window; @at: (n, action) pairs, each before the nth read_event."""
    return ("read", max_ | (0x40 if resync else 0) | (0x80 if keep else 0), list(at))


def CORRUPT(how, *args):
    return ("corrupt", how) + args


def RSCRIBBLE(how, v=0):
    return ("scribble", how, v)


RESYNC = ("resync",)


def r_program(cfg, ops):
    out = cfg
    for a in ops:
        if a[0] == "read":
            out += bytes([R_OPS.index("read"), a[1], len(a[2])])
            for nth, act in a[2]:
                out += bytes([nth - 1]) + r_act(act, R_INNER)
        else:
            out += r_act(a, R_OPS)
    return out


READER = {}

READER["honest-forward-wraps"] = (
    "forward ring written through the core: records wrap at page and ring "
    "ends, drops give a LOST record with its trailer; read back byte for byte",
    r_written(64, 4, trailer=("tid", "time"), sample_id_all=True),
    [RW(40), RW(56), READ(1), RW(64), RW(48), RW(120), READ(), RW(72), RW(40),
     READ(2), RW(96), READ(), RW(64), READ()])

READER["honest-write-in-window"] = (
    "writes land while a forward window is open: the reader takes them "
    "when its window is used up",
    r_written(64, 4),
    [RW(32), RW(24), READ(at=[(2, RW(40)), (3, RW(16))]), RW(64),
     READ(keep=True, at=[(1, RW(24))]), READ()])

READER["honest-backward"] = (
    "backward ring with data_tail: filled, drained newest first, wrapped",
    r_written(64, 2, backward=True),
    [RW(48), RW(40), RW(24), READ(), RW(64), RW(16), RW(32), READ(2), READ(),
     RW(40), RW(80), READ()])

READER["honest-backward-laps"] = (
    "backward overwrite ring lapped several times: find-range stops where "
    "the oldest whole record ends",
    r_written(64, 2, backward=True, overwrite=True, trailer=("id",), sample_id_all=True),
    [RW(40), RW(24), RW(48), READ(), RW(56), RW(40), RW(32), RW(48), RW(40),
     RW(24), READ(), RW(64), RW(16), RW(48), READ(3), READ()])

READER["corrupt-sizes"] = (
    "header sizes set to 0, 4, 12, huge, the ring, ring + 8 and past "
    "data_head, each read, its sticky error repeated, then resynced",
    r_written(64, 4),
    [RW(32), RW(40), CORRUPT("size", 1, "0"), READ(resync=True), RW(24), RW(16),
     CORRUPT("size", 0, "4"), READ(resync=True), RW(32), CORRUPT("size", 0, "12"),
     READ(resync=True), RW(48), CORRUPT("size", 0, "huge"), READ(resync=True),
     RW(40), CORRUPT("size", 0, "ring+8"), READ(resync=True), RW(24), RW(24),
     CORRUPT("size", 1, "past-head"), READ(resync=True), RW(16),
     CORRUPT("size", 0, "value", 0x13), READ(resync=True), RW(16),
     CORRUPT("size", 0, "ring"), READ(), RESYNC, RW(16), READ()])

READER["corrupt-zero-flip-straddle"] = (
    "a zeroed header, flipped bytes and a record made to straddle the "
    "ring end",
    r_written(64, 2),
    [RW(48), RW(40), READ(), RW(24), CORRUPT("zero", 0), READ(resync=True),
     RW(32), RW(16), CORRUPT("flip", 3, 0x80), CORRUPT("flip", 70, 0x01), READ(),
     RESYNC, RW(40), RW(24), CORRUPT("straddle", 1), READ(resync=True), RW(16), READ()])

READER["scribble-between-events"] = (
    "data_head scribbled between read_event calls: behind, ahead, "
    "unaligned, into a record, anywhere",
    r_written(64, 4),
    [RW(24), RW(24), RW(24), READ(resync=True, at=[(2, RSCRIBBLE("behind", 3))]),
     RW(32), RW(32), READ(resync=True, at=[(2, RSCRIBBLE("ahead", 600))]),
     RW(16), RW(40), READ(resync=True, at=[(1, RSCRIBBLE("unaligned", 2))]),
     RW(48), RW(16), READ(resync=True, at=[(2, RSCRIBBLE("mid", 0))]),
     RW(16), READ(at=[(1, RSCRIBBLE("set", 0xFFFFFFFFFFFFFFF0))]), RESYNC, RW(24),
     READ()])

READER["sticky-until-resync"] = (
    "an error kept across windows and writes until the resync",
    r_written(64, 4),
    [RW(40), CORRUPT("size", 0, "12"), READ(), RW(24), READ(), READ(2), RW(16),
     RESYNC, RW(32), READ()])

READER["backward-corrupt"] = (
    "backward overwrite ring, lapped, with a bad size in the find-range "
    "walk and a data_head moved the wrong way",
    r_written(64, 2, backward=True, overwrite=True),
    [RW(48), RW(40), RW(56), RW(32), CORRUPT("size", 2, "12"), READ(resync=True),
     RW(24), RW(40), RSCRIBBLE("behind", 1), READ(resync=True), RW(16), READ(),
     RW(40), RW(40), CORRUPT("size", 1, "ring+8"), READ(resync=True), RW(24), READ()])

READER["forward-overwrite"] = (
    "a forward overwrite ring: init refuses it (-EOPNOTSUPP)",
    r_written(64, 1, overwrite=True), [RW(16), READ()])

READER["no-pages"] = (
    "a ring without data pages: -ENODATA, resync is a no-op",
    r_written(64, 0), [RW(16), READ(), RESYNC, READ()])

RECS = header(16) + header(24) + header(8) + header(16)
READER["bytes-records"] = (
    "raw records under a real geometry, tail and head framing them",
    r_bytes(64, 1, tail=0, head=64, fill=RECS),
    [READ(2), READ(), CORRUPT("size", 3, "4"), RSCRIBBLE("ahead", 0), READ(resync=True),
     READ()])

READER["bytes-legacy"] = (
    "a pre-4.1 control page (data_offset = data_size = 0): one system page, "
    "then the data",
    r_bytes(64, 2, legacy=True, tail=0x40, head=0x70, fill=header(16) + header(32)),
    [READ(), RSCRIBBLE("set", 0x1000), READ(resync=True), READ()])

READER["bytes-unaligned-tail"] = (
    "data_tail 4 bytes before the ring end: the first header straddles it",
    r_bytes(64, 2, tail=124, head=124 + 24, fill=bytes(4) + header(24)[:4]),
    [READ(resync=True), READ()])

READER["bytes-overrun-and-behind"] = (
    "an unread span larger than the ring, and data_head behind data_tail",
    r_bytes(64, 1, tail=0x100, head=0x100 + 72, fill=header(8)),
    [READ(resync=True), RSCRIBBLE("behind", 20), READ(resync=True), READ()])

READER["bytes-backward-overwrite"] = (
    "backward overwrite ring of raw bytes, more than a lap: find-range over "
    "zero, bad and oversized headers",
    r_bytes(128, 1, backward=True, overwrite=True, tail=0, head=(-400) & (2**64 - 1),
            fill=header(24) + header(0) + header(40)),
    [READ(), CORRUPT("size", 0, "12"), READ(resync=True), RSCRIBBLE("set", 2**64 - 256),
     READ(resync=True), CORRUPT("flip", 14, 0xFF), READ(), READ()])

READER["raw-valid"] = (
    "a geometry the core would not make but a kernel could: data_offset "
    "4096, 256 bytes of data",
    r_raw(4096, 256, 4096 + 256, tail=8, head=8 + 64, fill=bytes(8) + header(32) + header(32)),
    [READ(), READ()])

READER["raw-bad-offset"] = (
    "data_offset not a multiple of 8: init must refuse",
    r_raw(1092, 256, 1092 + 256), [READ()])

READER["raw-size-not-pow2"] = (
    "data_size not a power of two: init must refuse",
    r_raw(1088, 384, 1088 + 384), [READ()])

READER["raw-past-map"] = (
    "data_size running 8 bytes past the mapping: init must refuse",
    r_raw(1088, 512, 1088 + 504), [READ()])

READER["raw-short-map"] = (
    "a mapping shorter than the control struct: init must refuse "
    "without reading it",
    r_raw(0, 1, 100), [READ()])

READER["raw-huge-size"] = (
    "data_size 0x80000000 in a small mapping",
    r_raw(1088, 0x80000000, 1088 + 32768), [READ()])

READER["raw-over-control"] = (
    "data_offset 8: a data area over the control page itself (accepted "
    "today; the reader reads data_head as record bytes)",
    r_raw(8, 1024, 1088, tail=0, head=64), [READ(resync=True), READ()])


def main():
    check = "--check" in sys.argv
    stale = []
    work = [(t, name, what, Encoder(t).program(cfg, ops))
            for t, seeds in TARGETS.items() for name, (what, cfg, ops) in seeds.items()]
    work += [("fuzz_reader_corrupt", name, what, r_program(cfg, ops))
             for name, (what, cfg, ops) in READER.items()]
    for target, name, what, data in work:
        d = os.path.join(ROOT, "corpora", target)
        os.makedirs(d, exist_ok=True)
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
