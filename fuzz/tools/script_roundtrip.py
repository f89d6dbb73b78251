#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""script_roundtrip.py - the CTest fuzz.script.roundtrip.

    script_roundtrip.py --script UPRB_SCRIPT --corpora BUILD_CORPORA
                        --texts SOURCE_CORPORA TARGET=REPLAY...

For every compiled seed and regression of each TARGET
(BUILD_CORPORA/<target>/, BUILD_CORPORA/regressions/<target>/), every
campaign find (SOURCE_CORPORA/finds/<target>/) and random byte strings made
from a fixed seed: text T = decode(x), bytes B = encode(T); decode(B) must
be T, and B must replay exactly as x does (same -vv trace and counters).

The encoder must be strict and never crash: hand-written bad texts (some
with the exact message they must get), and the
text seeds (SOURCE_CORPORA/**/*.uprb) mangled at random (lines dropped,
doubled, swapped, re-indented, cut, words replaced by wrong labels, numbers
and garbage), must each either encode (then its bytes decode and re-encode
to themselves) or be refused with exit status 2 and one line
"FILE:LINE: message" (or "FILE: message") on stderr, with no sanitizer
report. Run it with an ASan+UBSan uprb-script (the sim cells do).
--seed N and --mangled-per-text N explore further (the CTest uses the
defaults; a failure prints the mangled text).
"""
import argparse
import glob
import os
import random
import re
import subprocess
import sys
import tempfile

RANDOM_PER_TARGET = 48
MANGLED_PER_TEXT = 3
# Words a mangled text may get in place of one of its own.
WRONG = ["nowhere", "NMI2", "Task", "any#", "at", "#", "0x", "0x1g", "-1", "1e3",
         "99999999999999999999", "18446744073709551616", "0xffffffffffffffffff",
         "write", "consume", "pause", "visible", "tail", "scribble", "src", "size",
         "cpu", "event#0:", "copy#0:", "copy#129:", "B_head_store#1:", "C_head_load#1:",
         "fuzz_nosuch", "fuzz_reader_corrupt", "fuzz_multi_cpu", "ring", "source",
         "fill", "65528", "65521", "0", "8", "\t", "{", "\x00", "" ]


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def replay_trace(replay, path):
    env = dict(os.environ)
    r = run([replay, "-vv", path], env=env)
    if r.returncode != 0:
        return None
    # Path and length are all that may differ between x and B.
    out = r.stdout.decode(errors="replace") + r.stderr.decode(errors="replace")
    return re.sub(r"ok \(\d+ bytes\)", "ok", out.replace(path, "INPUT"))


def writer_sites(script, tmp):
    """How many writer sites the decoder knows: the interrupt site byte
    that decodes as "any" (8 config bytes, then a write with one interrupt
    at site byte n)."""
    for n in range(256):
        p = os.path.join(tmp, "sites")
        with open(p, "wb") as f:
            f.write(bytes([0] * 8 + [0, 0, 1, 1, n, 0, 0, 0, 0, 0, 0]))
        t = run([script, "decode", "--target", "fuzz_writer_nest", p]).stdout.decode()
        if "at any#" in t:
            return n
    return -1


def mangle(rng, lines):
    """One random change to a text seed's lines."""
    lines = list(lines)
    i = rng.randrange(len(lines))
    how = rng.randrange(8)
    if how == 0:
        del lines[i]
    elif how == 1:
        lines.insert(i, lines[i])
    elif how == 2:
        j = rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif how == 3:
        lines[i] = " " * rng.randrange(7) + lines[i].lstrip()
    elif how == 4:
        text = "\n".join(lines)
        return text[:rng.randrange(len(text) + 1)]
    elif how == 5:
        garbage = "".join(rng.choice("ab#:0x \t\r{}9@-_") for _ in range(rng.randrange(1, 12)))
        k = rng.randrange(len(lines[i]) + 1)
        lines[i] = lines[i][:k] + garbage + lines[i][k:]
    else:
        words = lines[i].split(" ")
        k = rng.randrange(len(words))
        words[k] = rng.choice(WRONG)
        lines[i] = " ".join(words)
    return "\n".join(lines)


def strict(script, path, tmp, must_fail=False):
    """None if uprb-script treats @path as it must, "refused" for a clean
    refusal, else what went wrong."""
    out = os.path.join(tmp, "strict.out")
    r = run([script, "encode", path, "-o", out])
    msg = r.stderr.decode(errors="replace")
    if "Sanitizer" in msg or "runtime error" in msg or r.returncode not in (0, 2):
        return "status %d, %s" % (r.returncode, msg[-2000:])
    if r.returncode == 0:
        if must_fail:
            return "accepted"
        # Whatever it accepted must be a program: decode, re-encode, same bytes.
        t = run([script, "decode", "--target", target_of(path), out])
        again = os.path.join(tmp, "strict.text")
        with open(again, "wb") as f:
            f.write(t.stdout)
        b = os.path.join(tmp, "strict.again")
        e = run([script, "encode", again, "-o", b])
        with open(out, "rb") as f1:
            first = f1.read()
        if t.returncode or e.returncode or open(b, "rb").read() != first:
            return "accepted, but its bytes do not re-encode to themselves"
        return None
    lines = msg.rstrip("\n").split("\n")
    if len(lines) != 1 or not re.match(re.escape(path) + r"(:\d+)?: \S", lines[0]):
        return "refused without one 'FILE:LINE: message' line: %r" % msg
    return "refused"


def target_of(path):
    """The target a text names ("target NAME" first), else the default."""
    # Lines end at '\n' only, as the encoder reads them ('\r' is a blank).
    with open(path, errors="replace", newline="") as f:
        for line in f.read().split("\n"):
            w = line.split("#")[0].split()
            if w:
                return w[1] if w[0] == "target" and len(w) == 2 else "fuzz_writer_nest"
    return "fuzz_writer_nest"


# Planted faults for strict(): stand-in encoders that misbehave, each of
# which it must report (the check proves itself).
FAKES = {
    # name: (shell body, the text is known bad)
    "crash": ("kill -SEGV $$", False),
    "sanitizer": ('echo "==1==ERROR: AddressSanitizer: heap-buffer-overflow" >&2; exit 2',
                  False),
    "two-lines": ('echo "$2:1: bad" >&2; echo "more" >&2; exit 2', False),
    "no-line": ('echo "bad text" >&2; exit 2', False),
    "status-1": ('echo "$2:1: bad" >&2; exit 1', False),
    "accepts-bad": ('[ "$1" = encode ] && printf x > "$4"; echo nop', True),
    "unstable": ('[ "$1" = encode ] && head -c 16 /dev/urandom > "$4"; echo nop', False),
}


def self_test(tmp):
    """Return: the planted faults strict() or message_checks() let through."""
    text = os.path.join(tmp, "self-test.uprb")
    with open(text, "w") as f:
        f.write("1: jump\n")
    missed = []
    for name, (body, bad) in FAKES.items():
        fake = os.path.join(tmp, "fake-" + name)
        with open(fake, "w") as f:
            f.write("#!/bin/sh\n%s\n" % body)
        os.chmod(fake, 0o755)
        why = strict(fake, text, tmp, must_fail=bad)
        if why in (None, "refused"):
            missed.append(name)
    # A clean refusal that does not say what is wrong: every message fails.
    vague = os.path.join(tmp, "fake-vague")
    with open(vague, "w") as f:
        f.write('#!/bin/sh\necho "$2:2: bad text" >&2; exit 2\n')
    os.chmod(vague, 0o755)
    if len(message_checks(vague, tmp)) != len(MESSAGES):
        missed.append("vague (message_checks)")
    return missed


# Dictionaries (uprb-script dict): name -> (target, text, expected output
# line, or None: refused with FILE:LINE).
DICTS = {
    "good": ("fuzz_loss_wakeup", '# c\nx="{site:any}\\x00{act:pause}{op:consume}\\x01"\n"\\\\"\n',
             'x="\\x%02x\\x00\\x00\\x04\\x01"'),
    "site": ("fuzz_writer_nest", 'x="{site:nowhere}"\n', None),
    "reader-site": ("fuzz_writer_nest", 'x="{site:C_head_load}"\n', None),
    "kind": ("fuzz_writer_nest", 'x="{op:jump}"\n', None),
    "not-in-profile": ("fuzz_writer_nest", 'x="{act:tail}"\n', None),
    "no-profile": ("fuzz_reader_corrupt", 'x="{op:write}"\n', None),
    "brace": ("fuzz_writer_nest", 'x="{"\n', None),
    "quote": ("fuzz_writer_nest", 'x="abc\n', None),
    "escape": ("fuzz_writer_nest", 'x="\\q"\n', None),
    "trailing": ("fuzz_writer_nest", 'x="a" b\n', None),
    "no-value": ("fuzz_writer_nest", 'x=\n', None),
}


def dict_checks(script, tmp, any_site):
    """Return: what uprb-script dict got wrong."""
    wrong = []
    for name, (target, text, want) in DICTS.items():
        src = os.path.join(tmp, "dict-" + name)
        out = os.path.join(tmp, "dict-out")
        with open(src, "w") as f:
            f.write(text)
        r = run([script, "dict", "--target", target, src, "-o", out])
        msg = r.stderr.decode(errors="replace")
        if want is None:
            if r.returncode != 2 or not re.match(re.escape(src) + r":\d+: \S", msg) or \
                    msg.count("\n") != 1:
                wrong.append("dict %s: must be refused with FILE:LINE, got %d %r"
                             % (name, r.returncode, msg))
        elif r.returncode or (want % any_site) not in open(out).read():
            wrong.append("dict %s: want %r, got %d %r %r" % (
                name, want % any_site, r.returncode, msg,
                open(out).read() if os.path.exists(out) else ""))
    return wrong


# Bad text: a diagnostic with the line, status 2, never a crash.
BAD = {
    "no-such-op": "target fuzz_writer_nest\nring page 64 pages 4\n1: jump 3\n",
    "site": "ring page 64\n1: write task src 0 size 16\n  at nowhere#1: consume 0\n",
    "reader-site": "1: write task src 0 size 16\n  at C_head_load#1: consume 0\n",
    "level": "1: write task src 0 size 16\n  at copy#1: write task src 0 size 16\n",
    "level-name": "1: write Task src 0 size 16\n",
    "size": "1: write task src 0 size 17\n",
    "src": "1: write task src 3 size 16\n",
    "not-in-profile": "target fuzz_writer_nest\n1: tail huge 0x5\n",
    "number": "ring page 64 pages 4x\n",
    "twice": "ring page 64 page 128\n",
    "no-action": "1: write task src 0 size 16\n  at copy#1:\n",
    "reader-write-in-bytes": "target fuzz_reader_corrupt\nring bytes page 64\n1: write size 16\n",
    "reader-fill": "target fuzz_reader_corrupt\nring raw data_offset 8\nfill 2 abc\n",
    "reader-inner": "target fuzz_reader_corrupt\nring written\n1: read all\n  at event#0: resync\n",
    "orphan-irq": "  at copy#1: consume 0\n",
    "multi-backward": "target fuzz_multi_cpu\nring page 64 pages 4 backward\n",
    "multi-no-cpu": "target fuzz_multi_cpu\ncpus 2\n1: write task src 0 size 16\n",
    "multi-cpu-range": "target fuzz_multi_cpu\ncpus 2\n1: write cpu 2 task src 0 size 16\n",
    "multi-cross-level": "target fuzz_multi_cpu\ncpus 2\n1: write cpu 0 task src 0 size 16\n"
                         "  at copy#1: write cpu 1 NMI src 0 size 16\n",
    "multi-cpus-range": "target fuzz_multi_cpu\ncpus 5\n",
    "single-cpus": "target fuzz_writer_nest\ncpus 2\n",
    "loss-page": "target fuzz_loss_wakeup\nring page 512 pages 1\n",
    "unknown-target": "target fuzz_nosuch\n",
    "nul": "1: consume 0\n\0\n",
}


# Bad text of fuzz_readers (after "target fuzz_readers\n"): the one line
# it must be refused with, after "FILE:". Word for word: a message that
# stops saying what is wrong fails here.
R = "target fuzz_readers\n"
MESSAGES = {
    "readers-kind": (R + "ring pages 2\n1: jump\n",
                     "3: operation: write, read, corrupt, head or tail, not 'jump'"),
    "readers-pages": (R + "ring pages 3\n", "2: pages 3: 1, 2, 4 or 8"),
    "readers-ring-word": (R + "ring pages 2 sideways\n",
                          "2: unexpected 'sideways' in ring: ring pages N forward|backward"),
    "readers-direction": (R + "ring backward non-overwrite\n",
                          "2: backward non-overwrite: a forward ring here is non-overwrite, "
                          "a backward one overwrite (as perf record maps them)"),
    "readers-size": (R + "1: write size 20\n", "2: size 20: a multiple of 8 from 16 to 65520"),
    "readers-size-max": (R + "1: write size 65528\n", "2: size: 65528 is above 65520"),
    "readers-count": (R + "write size 16 x9\n", "2: records (xN): 9 is above 8"),
    "readers-count-word": (R + "write size 16 9\n",
                           "2: write size Z xN: N records (1 to 8), not '9'"),
    "readers-read": (R + "read\n", "2: read: all or max N, not 'end of line'"),
    "readers-read-max": (R + "read max 64\n", "2: max: 64 is above 63"),
    "readers-inner-site": (R + "read all\n  at event#1: write size 16\n",
                           "3: a read's actions are 'at item#N:', not 'at event#'"),
    "readers-inner-nth": (R + "read all\n  at item#65: write size 16\n", "3: item#65: 1 to 64"),
    "readers-inner-tail": (R + "read all\n  at item#1: tail behind\n",
                           "3: 'tail' cannot run inside a read window (write, corrupt and head can)"),
    "readers-inner-four": (R + "read all\n" + "".join("  at item#%d: head lap\n" % i
                                                      for i in range(1, 5)),
                           "6: at most 3 interrupts under one operation"),
    "readers-under-write": (R + "write size 16\n  at item#1: write size 16\n",
                            "3: only a read has actions under it"),
    "readers-corrupt": (R + "corrupt melt rec 1\n",
                        "2: corrupt: zero, size, type, raw, flip or straddle, not 'melt'"),
    "readers-corrupt-to": (R + "corrupt size rec 1 to 7\n",
                           "2: corrupt size: 0, 4, 12, ring, ring+8, huge, past-head or value, "
                           "not '7'"),
    "readers-corrupt-no-to": (R + "corrupt raw rec 1\n",
                              "2: corrupt raw: expected 'to', found 'end of line'"),
    "readers-type": (R + "corrupt type rec 1 to 0x100000000\n",
                     "2: type: 0x100000000 is above 4294967295"),
    "readers-mask": (R + "corrupt flip 3 mask 0\n", "2: mask 0 flips nothing"),
    "readers-head-distance": (R + "head ahead 12\n",
                              "2: head ahead 12: a multiple of 8 from 8 to 4096"),
    "readers-tail-unaligned": (R + "tail unaligned 0\n", "2: tail unaligned 0: 1 to 7 bytes"),
    "readers-tail-kind": (R + "tail lap\n", "2: tail: ahead, behind, unaligned or set, not 'lap'"),
    "readers-trailing": (R + "head lap 3\n", "2: unexpected '3'"),
    "readers-ops": (R + "read all\n" * 129, "130: more than 128 operations"),
}
# ... and of fuzz_ring_opts (after "target fuzz_ring_opts\n").
O = "target fuzz_ring_opts\n"
OK = O + "ring page-size 64 pages 2\nreset same\npause on off\n"
MESSAGES.update({
    "ring-opts-empty": (O, " the text starts with 'ring page-size P pages N ...'"),
    "ring-opts-no-page-size": (O + "ring pages 2\n", "2: ring: 'page-size N' missing"),
    "ring-opts-word": (O + "ring page-size 64 pages 2 sideways\n",
                       "2: ring: unexpected 'sideways' (words: page-size, pages, opts, "
                       "backward, overwrite, oversize, watermark, fail)"),
    "ring-opts-opts": (O + "ring page-size 64 pages 2 opts tiny\n",
                       "2: opts: full, short, min or zero, not 'tiny'"),
    "ring-opts-twice": (O + "ring page-size 64 pages 2 backward backward\n",
                        "2: 'backward' given twice"),
    "ring-opts-same-pages": (O + "ring page-size 64 pages 2\nreset same pages 2\n",
                             "3: reset same keeps the ring's geometry: no page-size or pages"),
    "ring-opts-pause": (OK.replace("pause on off", "pause on maybe"),
                        "4: pause: off or on, not 'maybe'"),
    "ring-opts-data": (OK + "write size data+16\nreader\n", "5: data+D: 16 is above 15"),
    "ring-opts-no-reader": (OK + "write size 16\n",
                            "5: writes need a reader line after them (the target reads "
                            "the last 4 bytes as the reader's options)"),
    "ring-opts-order": (O + "ring page-size 64 pages 2\nreader\n",
                        "3: reader after ring: the parts are ring, reset, pause, "
                        "write..., reader (or ring, unread...), in that order"),
    "ring-opts-reset-refused": (O + "ring page-size 32 pages 2\nreset same\n",
                                "3: reset: the target stops after this ring (refused or "
                                "over 1048576 bytes): only unread bytes follow"),
    "ring-opts-unread-read": (O + "ring page-size 64 pages 2\nunread 0x01\n",
                              "3: unread: the target reads on after this ring (a valid "
                              "ring of at most 1048576 bytes): reset, pause, write, reader"),
    "ring-opts-reader-word": (OK + "reader fail struct\n",
                              "5: reader: unexpected 'fail' (words: opts, backward, "
                              "overwrite, scratch, flush)"),
    "ring-opts-interrupt": (O + "ring page-size 64 pages 2\n  at item#1: write size 8\n",
                            "3: fuzz_ring_opts has no interrupts"),
    "ring-opts-writes": (OK + "write size 16\n" * 65 + "reader\n", "69: more than 64 writes"),
})


def message_checks(script, tmp):
    """Return: the bad texts not refused with exactly their message."""
    wrong = []
    for name, (text, want) in MESSAGES.items():
        src = os.path.join(tmp, "message-" + name)
        with open(src, "w") as f:
            f.write(text)
        r = run([script, "encode", src, "-o", os.path.join(tmp, "message.out")])
        msg = r.stderr.decode(errors="replace")
        if r.returncode != 2 or msg != "%s:%s\n" % (src, want):
            wrong.append("bad text %s: want status 2 and '%s:%s', got %d %r"
                         % (name, src, want, r.returncode, msg))
    return wrong


def target_inputs(args, target, tmp, rng):
    """The compiled seeds and regressions, the finds, and random bytes."""
    inputs = []
    for d in (os.path.join(args.corpora, target),
              os.path.join(args.corpora, "regressions", target),
              os.path.join(args.texts, "finds", target)):
        if os.path.isdir(d):
            inputs += [os.path.join(d, f) for f in sorted(os.listdir(d))
                       if not f.startswith(".")]
    for i in range(RANDOM_PER_TARGET):
        p = os.path.join(tmp, "%s-random-%02d" % (target, i))
        n = rng.choice([0, 1, 5, 17, 40, 100, 300, 1000])
        with open(p, "wb") as f:
            f.write(bytes(rng.randrange(256) for _ in range(n)))
        inputs.append(p)
    return inputs


def roundtrip(script, target, replay, x, tmp):
    """None if x survives decode -> encode -> decode and replays the same."""
    t1 = run([script, "decode", "--target", target, x])
    if t1.returncode:
        return "decode failed: %s" % t1.stderr.decode()
    text = os.path.join(tmp, "text")
    b = os.path.join(tmp, "bytes")
    with open(text, "wb") as f:
        f.write(t1.stdout)
    e = run([script, "encode", text, "-o", b])
    if e.returncode:
        return "encode of its own text failed: %s" % e.stderr.decode()
    t2 = run([script, "decode", "--target", target, b])
    if t2.stdout != t1.stdout:
        return "decode(encode(decode(x))) differs"
    rx, rb = replay_trace(replay, x), replay_trace(replay, b)
    if rx is None or rx != rb:
        return "encode(decode(x)) replays differently"
    return None


def mangled(args, tmp, rng):
    """Every text seed mangled --mangled-per-text times. Return: (checked,
    failures)."""
    failures = []
    texts = sorted(glob.glob(os.path.join(args.texts, "**", "*.uprb"), recursive=True))
    if not texts:
        failures.append("no text seeds under %s" % args.texts)
    refused = 0
    for path in texts:
        with open(path) as f:
            lines = f.read().split("\n")
        for i in range(args.mangled_per_text):
            p = os.path.join(tmp, "mangled-%s-%d" % (os.path.basename(path), i))
            with open(p, "w") as f:
                f.write(mangle(rng, lines))
            why = strict(args.script, p, tmp)
            if why == "refused":
                refused += 1
            elif why:
                failures.append("mangled %s (from %s): %s\n%s"
                                % (p, path, why, open(p).read()))
    print("script_roundtrip: %d mangled texts, %d refused with FILE:LINE"
          % (len(texts) * args.mangled_per_text, refused))
    return len(texts) * args.mangled_per_text, failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--script", required=True)
    ap.add_argument("--corpora", required=True)
    ap.add_argument("--texts", required=True)
    ap.add_argument("--seed", type=int, default=20240603,
                    help="of the random inputs and manglings (default %(default)s)")
    ap.add_argument("--mangled-per-text", type=int, default=MANGLED_PER_TEXT,
                    help="mangled copies of each text seed (default %(default)s)")
    ap.add_argument("targets", nargs="+")
    args = ap.parse_args()
    failures = []
    checked = 0
    rng = random.Random(args.seed)
    print("script_roundtrip: random inputs and mangled texts from --seed %d" % args.seed)
    with tempfile.TemporaryDirectory(prefix="uprb-script-") as tmp:
        for spec in args.targets:
            target, replay = spec.split("=", 1)
            for x in target_inputs(args, target, tmp, rng):
                checked += 1
                why = roundtrip(args.script, target, replay, x, tmp)
                if why:
                    failures.append("%s: %s" % (x, why))
        for name, text in BAD.items():
            p = os.path.join(tmp, "bad-" + name)
            with open(p, "w") as f:
                f.write(text)
            checked += 1
            why = strict(args.script, p, tmp, must_fail=True)
            if why != "refused":
                failures.append("bad text %s: %s" % (name, why))
        failures += message_checks(args.script, tmp)
        checked += len(MESSAGES)
        n, bad = mangled(args, tmp, rng)
        checked += n
        failures += bad
        # {site:any} is the byte after the writer sites: what decode calls any.
        failures += dict_checks(args.script, tmp, writer_sites(args.script, tmp))
        checked += len(DICTS)
        missed = self_test(tmp)
        checked += 1
        if missed:
            failures.append("self-test: strict() let these broken encoders "
                            "through: %s" % ", ".join(missed))
    for f in failures:
        print("FAIL " + f)
    print("script_roundtrip: %d checked, %d failed" % (checked, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
