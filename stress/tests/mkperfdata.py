#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mkperfdata.py - small perf.data files, one valid and many hostile, for
the bad-input suite (stress/tests/bad_inputs.tsv) and the perf.data fuzz
seeds. Each file is built here from perf's file format
(tools/perf/Documentation/perf.data-file-format.txt in a kernel tree), so a
reviewer can read what each one is:

  mkperfdata.py DIR          write every file into DIR
  mkperfdata.py --list       name and purpose of each

The valid file holds one attr (software page-faults, sample_type
IDENTIFIER|IP|TID|TIME|CPU|PERIOD, sample_id_all) or two, a few samples, a
LOST, FINISHED_ROUNDs, LOST_SAMPLES, and the HOSTNAME and EVENT_DESC
features. The hostile ones change one thing each.
"""
import os
import struct
import sys

MAGIC = b"PERFILE2"
HEADER = 104                 # magic, size, attr_size, 3 sections, 4 u64 feature bits
ATTR = 128                   # struct perf_event_attr (PERF_ATTR_SIZE_VER7, perf 6.1's)
ATTR_ENTRY = ATTR + 16       # attr + its ids section
FEAT_HOSTNAME, FEAT_EVENT_DESC = 3, 12

SAMPLE_IP, SAMPLE_TID, SAMPLE_TIME, SAMPLE_ID = 1 << 0, 1 << 1, 1 << 2, 1 << 6
SAMPLE_CPU, SAMPLE_PERIOD, SAMPLE_IDENTIFIER = 1 << 7, 1 << 8, 1 << 16
ST = SAMPLE_IDENTIFIER | SAMPLE_IP | SAMPLE_TID | SAMPLE_TIME | SAMPLE_CPU | SAMPLE_PERIOD
REC_LOST, REC_SAMPLE, REC_LOST_SAMPLES, REC_FINISHED_ROUND = 2, 9, 13, 68


def attr(sample_type=ST, config=2):
    """struct perf_event_attr: software page-faults, period 1, sample_id_all."""
    a = bytearray(ATTR)
    struct.pack_into("<IIQQQQQ", a, 0, 1, ATTR, config, 1, sample_type,
                     (1 << 2) | (1 << 3), 0)   # read_format: ID | LOST
    flags = 1 << 18                             # sample_id_all
    struct.pack_into("<Q", a, 40, flags)
    return bytes(a)


def header(typ, misc, size):
    return struct.pack("<IHH", typ, misc, size)


def trailer(id_, cpu, time, pid=10, tid=11):
    """sample_id for ST: tid, time, cpu, identifier."""
    return struct.pack("<IIQIIQ", pid, tid, time, cpu, 0, id_)


def sample(id_, cpu, time, ip=0x401000, period=1, pid=10, tid=11):
    body = struct.pack("<QQIIQIIQ", id_, ip, pid, tid, time, cpu, 0, period)
    return header(REC_SAMPLE, 2, 8 + len(body)) + body


def lost(id_, count, cpu, time):
    body = struct.pack("<QQ", id_, count) + trailer(id_, cpu, time)
    return header(REC_LOST, 0, 8 + len(body)) + body


def lost_samples(id_, count, cpu, time):
    body = struct.pack("<Q", count) + trailer(id_, cpu, time)
    return header(REC_LOST_SAMPLES, 0, 8 + len(body)) + body


def finished_round():
    return header(REC_FINISHED_ROUND, 0, 8)


def perf_string(s):
    b = s.encode() + b"\0"
    b += b"\0" * (-len(b) % 64)
    return struct.pack("<I", len(b)) + b


def default_data(ids):
    """Samples on two CPUs, a LOST, rounds, the kernel's loss counts."""
    d = b""
    t = 1000
    for r in range(3):
        for k in range(4):
            d += sample(ids[k % len(ids)], k % 2, t)
            t += 10
        d += finished_round()
    d += lost(ids[0], 3, 0, t)
    for i in ids:
        d += lost_samples(i, 3 if i == ids[0] else 0, 0, t)
    return d


def build(attrs=None, ids=None, data=None, names=None, feats=(FEAT_HOSTNAME, FEAT_EVENT_DESC),
          ids_offsets=None, pad_ids=0):
    """A whole file; returns (bytes, layout) with every section's place."""
    attrs = attrs or [attr()]
    ids = ids or [[100 + i] for i in range(len(attrs))]
    names = names or ["page-faults", "minor-faults"][:len(attrs)]
    data = default_data([i[0] for i in ids]) if data is None else data
    attrs_off = HEADER
    ids_off = attrs_off + len(attrs) * ATTR_ENTRY + pad_ids
    body = b""
    offs = []
    for i, a in enumerate(attrs):
        off = ids_offsets[i] if ids_offsets else ids_off
        body += a + struct.pack("<QQ", off, 8 * len(ids[i]))
        offs.append(off)
        ids_off += 8 * len(ids[i])
    body += b"\0" * pad_ids
    for i in ids:
        body += b"".join(struct.pack("<Q", x) for x in i)
    data_off = HEADER + len(body)
    fcontent = []
    for f in feats:
        if f == FEAT_HOSTNAME:
            fcontent.append(perf_string("mkperfdata"))
        elif f == FEAT_EVENT_DESC:
            c = struct.pack("<II", len(attrs), ATTR)
            for a, i, n in zip(attrs, ids, names):
                c += a + struct.pack("<I", len(i)) + perf_string(n)
                c += b"".join(struct.pack("<Q", x) for x in i)
            fcontent.append(c)
    table_off = data_off + len(data)
    content_off = table_off + 16 * len(feats)
    table = b""
    for c in fcontent:
        table += struct.pack("<QQ", content_off, len(c))
        content_off += len(c)
    bits = [0, 0, 0, 0]
    for f in feats:
        bits[f // 64] |= 1 << (f % 64)
    hdr = MAGIC + struct.pack("<QQ", HEADER, ATTR_ENTRY)
    hdr += struct.pack("<QQ", attrs_off, len(attrs) * ATTR_ENTRY)
    hdr += struct.pack("<QQ", data_off, len(data))
    hdr += struct.pack("<QQ", 0, 0)
    hdr += struct.pack("<4Q", *bits)
    f = hdr + body + data + table + b"".join(fcontent)
    return bytearray(f), {"data_off": data_off, "data_end": table_off,
                          "table_off": table_off, "attrs_off": attrs_off,
                          "content_off": table_off + 16 * len(feats)}


def put(buf, off, fmt, *v):
    b = bytearray(buf)
    struct.pack_into(fmt, b, off, *v)
    return b


def cases():
    """name -> (bytes, purpose)."""
    good, L = build()
    two, L2 = build(attrs=[attr(), attr(config=5)])
    c = {}
    c["valid"] = (good, "one attr, samples, LOST, rounds, LOST_SAMPLES, HOSTNAME, EVENT_DESC")
    c["valid-two-attrs"] = (two, "two attrs told apart by PERF_SAMPLE_IDENTIFIER")
    mis, _ = build(pad_ids=4)
    c["valid-ids-misaligned"] = (mis, "ids section at an offset 4 mod 8: loaded with memcpy")
    c["valid-no-features"] = (build(feats=())[0], "no feature sections at all")
    c["valid-empty-data"] = (build(data=b"")[0], "a data section of 0 bytes")
    # header
    c["too-short"] = (good[:10], "10 bytes")
    c["bad-magic"] = (b"PERFFILE" + good[8:], "magic of perf's first format")
    c["swapped-magic"] = (MAGIC[::-1] + good[8:], "magic of the other byte order")
    c["pipe-mode"] = (MAGIC + struct.pack("<Q", 16), "pipe-mode header")
    c["header-cut"] = (good[:60], "cut inside the header")
    c["header-size"] = (put(good, 8, "<Q", 200), "header size 200")
    c["attr-size-zero"] = (put(good, 16, "<Q", 0), "attr_size 0")
    c["attr-size-odd"] = (put(good, 16, "<Q", 151), "attr_size 151")
    c["attr-size-huge"] = (put(good, 16, "<Q", 1 << 40), "attr_size 2^40")
    # sections
    c["attrs-offset-wrap"] = (put(good, 24, "<QQ", (1 << 64) - 144, 144),
                              "attrs offset 2^64-144, size 144: offset+size wraps")
    c["attrs-size-huge"] = (put(good, 32, "<Q", 1 << 63), "attrs size 2^63")
    c["attrs-size-partial"] = (put(good, 32, "<Q", ATTR_ENTRY + 8), "attrs size not a whole number of entries")
    c["attrs-none"] = (put(good, 32, "<Q", 0), "attrs size 0")
    c["data-offset-wrap"] = (put(good, 40, "<QQ", (1 << 64) - 8, 16), "data offset+size wraps")
    c["data-past-end"] = (put(good, 48, "<Q", len(good)), "data size runs past the end")
    ids_field = L["attrs_off"] + ATTR
    c["ids-offset-wrap"] = (put(good, ids_field, "<QQ", (1 << 64) - 8, 16), "ids offset+size wraps")
    c["ids-size-odd"] = (put(good, ids_field + 8, "<Q", 12), "ids size not whole u64s")
    c["ids-past-end"] = (put(good, ids_field, "<Q", len(good) - 4), "ids run past the end")
    # truncation anywhere
    c["cut-in-attrs"] = (good[:HEADER + 40], "cut inside the attrs")
    c["cut-in-data"] = (good[:L["data_off"] + 30], "cut inside the data section")
    c["cut-after-data"] = (good[:L["data_end"]], "cut right after the data section: no feature table")
    c["cut-in-table"] = (good[:L["table_off"] + 20], "cut inside the feature table")
    c["cut-in-feature"] = (good[:len(good) - 10], "cut inside the last feature's contents")
    c["feature-past-end"] = (put(good, L["table_off"] + 16, "<Q", len(good) + 100), "a feature section past the end")
    # records
    d = L["data_off"]
    c["record-size-zero"] = (put(good, d + 6, "<H", 0), "a record of size 0")
    c["record-size-four"] = (put(good, d + 6, "<H", 4), "a record of size 4")
    c["record-past-data"] = (put(good, d + 6, "<H", 0xfff8), "a record running past the data section")
    tail, _ = build(data=default_data([100]) + b"\x01\x02\x03")
    c["data-tail-bytes"] = (tail, "3 bytes after the last record")
    c["sample-unknown-id"] = (build(attrs=[attr(), attr(config=5)],
                                    data=sample(100, 0, 1) + sample(777, 0, 2))[0],
                              "a sample whose identifier is no attr's")
    c["sample-type-differs"] = (build(attrs=[attr(), attr(ST | SAMPLE_ID)])[0],
                                "two attrs with different sample_type")
    c["lost-exceeds-kernel"] = (build(data=sample(100, 0, 1) + lost(100, 9, 0, 2) +
                                      lost_samples(100, 3, 0, 3))[0],
                                "LOST says 9 dropped, the kernel's count 3")
    c["round-violation"] = (build(data=sample(100, 0, 500) + finished_round() +
                                  sample(100, 0, 600) + finished_round() +
                                  sample(100, 1, 10))[0],
                            "a sample older than the FINISHED_ROUND rule allows")
    c["sample-short"] = (build(data=header(REC_SAMPLE, 2, 16) + struct.pack("<Q", 100))[0],
                         "a SAMPLE shorter than its sample_type")
    lost_bad = bytearray(lost(100, 1, 0, 5))
    struct.pack_into("<H", lost_bad, 4, 7)
    c["lost-misc"] = (build(data=bytes(lost_bad))[0], "a LOST with misc 7")
    desc = L["content_off"] + len(perf_string("mkperfdata"))
    c["desc-count-huge"] = (put(good, desc, "<I", 0xffffffff), "EVENT_DESC says 2^32-1 events")
    c["desc-string-huge"] = (put(good, desc + 8 + ATTR + 4, "<I", 0xfffffff0), "EVENT_DESC string length 2^32-16")
    many = build(attrs=[attr()] * 4097, ids=[[1000 + i] for i in range(4097)],
                 names=["e"] * 4097, data=b"", feats=())[0]
    c["attrs-too-many"] = (many, "4097 attrs")
    return c


def main(argv):
    if argv[:1] == ["--list"]:
        for name, (_, why) in cases().items():
            print(f"{name:24} {why}")
        return 0
    if len(argv) != 1:
        print("usage: mkperfdata.py DIR | --list", file=sys.stderr)
        return 2
    os.makedirs(argv[0], exist_ok=True)
    for name, (data, _) in cases().items():
        with open(os.path.join(argv[0], name + ".data"), "wb") as f:
            f.write(bytes(data))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
