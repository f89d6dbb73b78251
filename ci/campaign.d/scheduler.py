# SPDX-License-Identifier: MIT
"""The campaign's scheduler (ci/CAMPAIGN.md, "Scheduling"): never more
fuzzing processes than cores.

Each (target, engine) pair is a unit. A core is a slot; a slot runs one
unit's engine process for a slice (a libFuzzer process without -fork, or an
AFL++ instance resumed from its own folder), then gives itself to the unit
that found most per CPU-second in its last slices. The first pass gives
every unit one slice, in order. Why slices and not one process per unit
all the time: the profile in ci/CAMPAIGN.md (30 processes time-sharing 2
cores spent half their CPU in the kernel: context switches, libFuzzer -fork
restarting workers, AFL++ fork servers re-forking).

CPU time is accounted exactly: every engine process is waited with wait4()
(its rusage includes its reaped children), the campaign is a child
subreaper (prctl) so the AFL++ persistent child its fork server leaves
behind at exit is reaped here and counted too, and everything else the
campaign ran (coverage polls, replays) is its RUSAGE_CHILDREN less those.
"""
import ctypes
import glob
import os
import re
import resource
import signal
import subprocess
import time

MARKER = "UPRB_CAMPAIGN_RUN"
PR_SET_CHILD_SUBREAPER = 36
TICK = os.sysconf("SC_CLK_TCK")
MIN_SLICE = 4          # seconds: below it a slice is mostly start-up
MAX_SLICE = 120
GRACE = 15             # seconds past a slice's end before it is stopped


def set_subreaper():
    """Orphans of our engine processes come to us (and their CPU time with
    them) instead of init. False where the kernel refuses."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def own_times(pid):
    """(user, system) seconds of @pid itself, not its children; None if gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            rest = f.read().rsplit(")", 1)[1].split()
        return int(rest[11]) / TICK, int(rest[12]) / TICK
    except (OSError, IndexError, ValueError):
        return None


SLICE_TAG = "UPRB_CAMPAIGN_SLICE"


def kill_tagged(tag, wait=3.0):
    """SIGKILL every process whose environment holds @tag and wait (up to
    @wait s) until they are dead. AFL++ 4.04c leaves the persistent child of
    the CMPLOG binary stopped when an instance exits, holding the
    instance's folder lock: the next slice would find the folder "in use".
    They are our orphans (subreaper): reap() collects them."""
    needle = tag.encode()
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == os.getpid():
            continue
        try:
            with open("/proc/%s/environ" % d, "rb") as f:
                if needle in f.read().split(b"\0"):
                    os.kill(int(d), signal.SIGKILL)
                    pids.append(int(d))
        except OSError:
            pass
    end = time.time() + wait
    while pids and time.time() < end:
        pids = [p for p in pids if alive(p)]
        if pids:
            time.sleep(0.02)
    return pids


def alive(pid):
    """Running (a zombie holds no files any more)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def slice_seconds(duration, cores, units):
    """The slice length: two slices per unit over the run when they fit, at
    least MIN_SLICE, at most MAX_SLICE."""
    if units <= 0:
        return MIN_SLICE
    return int(max(MIN_SLICE, min(MAX_SLICE, duration * cores / (units * 2.0))))


class Slice:
    """One engine process of a unit on a slot, for @seconds."""

    def __init__(self, unit, proc, logpath, seconds, instance, before):
        self.unit, self.proc, self.logpath = unit, proc, logpath
        self.seconds, self.instance, self.before = seconds, instance, before
        self.started = time.time()
        self.ended = None
        self.ru = None               # wait4's rusage: the process and its reaped children
        self.own = (0.0, 0.0)        # the engine process alone, last seen in /proc
        self.execs = self.finds = 0
        self.signalled = False

    def running(self):
        return self.ru is None

    def sample_own(self):
        t = own_times(self.proc.pid)
        if t:
            self.own = t

    def signal(self, sig):
        if self.running():
            try:
                os.killpg(self.proc.pid, sig)
                self.signalled = True
            except ProcessLookupError:
                pass

    def cpu(self):
        return (self.ru.ru_utime + self.ru.ru_stime) if self.ru else 0.0


class Unit:
    """What every unit keeps: its slices' totals and recent find rate."""
    engine = "?"

    def __init__(self, tw, opts):
        self.tw, self.opts = tw, opts
        self.slices = 0
        self.execs = self.finds = 0
        self.user = self.system = 0.0
        self.own_user = self.own_system = 0.0
        self.history = []            # (finds, cpu seconds) per slice
        self.errors = []
        self.last_eps = 0.0
        self.live = {}               # instance -> running slice

    def cpu(self):
        return self.user + self.system

    def score(self, slice_cpu):
        """New inputs per CPU-second over the last two slices, with one find
        in one slice's CPU time (@slice_cpu, what slices get on this machine
        now) as the prior, so a unit that found nothing lately still gets a
        turn when the others find little too; lower while it runs."""
        recent = self.history[-2:]
        finds = sum(f for f, _ in recent) + 1.0
        cpu = sum(c for _, c in recent) + slice_cpu
        return finds / cpu / (1.0 + len(self.live))

    def account(self, sl):
        self.slices += 1
        self.execs += sl.execs
        self.finds += sl.finds
        self.user += sl.ru.ru_utime
        self.system += sl.ru.ru_stime
        self.own_user += sl.own[0]
        self.own_system += sl.own[1]
        self.history.append((sl.finds, sl.cpu()))
        wall = max(0.1, sl.ended - sl.started)
        self.last_eps = sl.execs / wall

    def popen(self, cmd, logpath, env, cwd):
        # appended: an AFL++ instance's slices share one log
        with open(logpath, "ab") as out:
            out.write(("$ " + " ".join(cmd) + "\n").encode())
            out.flush()
            return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                    cwd=cwd, stdin=subprocess.DEVNULL, start_new_session=True)


LF_STATUS = re.compile(r"^#(\d+)\s+(\w+)\s+cov: (\d+) ft: (\d+) corp: (\d+)\S*.*?exec/s: (\d+)")
LF_INITED = re.compile(r"^#\d+\s+INITED cov: (\d+) ft: (\d+)")
LF_UNITS = re.compile(r"^stat::number_of_executed_units: (\d+)", re.M)


class LibFuzzerUnit(Unit):
    """One libFuzzer process per slice, no -fork: it loads the shared corpus
    folder (AFL++'s finds copied in), fuzzes for the slice and writes its
    new inputs there. A crash ends the process early; the slot moves on."""
    engine = "libfuzzer"

    def __init__(self, tw, binary, opts):
        Unit.__init__(self, tw, opts)
        self.binary = binary
        self.cov = self.ft = 0
        self.started_n = 0

    def start(self, seconds, instance):
        self.started_n += 1
        logpath = os.path.join(self.tw.dir, "logs", "libfuzzer-%d.log" % self.started_n)
        cmd = [self.binary, "-max_total_time=%d" % seconds,
               "-max_len=%d" % self.opts["max_len"], "-timeout=20",
               "-rss_limit_mb=2048", "-print_final_stats=1",
               # no rescans of the folder every second (system time): the
               # next slice loads what the others added
               "-reload=0",
               "-artifact_prefix=%s/" % self.tw.lf_crashes]
        if self.opts["dict"]:
            cmd.append("-dict=%s" % self.opts["dict"])
        cmd.append(self.tw.corpus)
        before = set(os.listdir(self.tw.lf_crashes))
        proc = self.popen(cmd, logpath, dict(os.environ, **{MARKER: self.tw.out}),
                          self.tw.lf_dir)
        return Slice(self, proc, logpath, seconds, instance, before)

    def progress(self, sl):
        """(execs, exec/s) of a running slice, from its log's last status line."""
        for line in reversed(tail_lines(sl.logpath)):
            m = LF_STATUS.match(line)
            if m:
                return int(m.group(1)), int(m.group(6))
        return 0, 0

    def finish(self, sl):
        text = read_text(sl.logpath)
        m = LF_UNITS.search(text)
        last = None
        for line in text.splitlines():
            s = LF_STATUS.match(line)
            if s:
                last = s
                if s.group(2) == "NEW":
                    sl.finds += 1
        sl.execs = int(m.group(1)) if m else (int(last.group(1)) if last else 0)
        if last:
            self.cov, self.ft = max(self.cov, int(last.group(3))), max(self.ft, int(last.group(4)))
        rc = sl.proc.returncode
        new_artifacts = set(os.listdir(self.tw.lf_crashes)) - sl.before
        early = sl.ended - sl.started < min(sl.seconds - 2, 5)
        if rc != 0 and not new_artifacts and not sl.signalled and early:
            self.errors.append("libFuzzer slice %s exited with %s after %.0fs (%s):\n%s" % (
                os.path.basename(sl.logpath), rc, sl.ended - sl.started, sl.logpath,
                "".join(tail_lines(sl.logpath)[-8:])))


class AFLUnit(Unit):
    """AFL++ on one target: a slice resumes an instance from its own folder
    (AFL_AUTORESUME; AFL_FAST_CAL and AFL_CMPLOG_ONLY_NEW keep the restart
    cheap). Instance 0 is the main (-M, imports libFuzzer's corpus with -F)
    with CMPLOG (-c -l 2); more instances, when there are more cores than
    units, are plain secondaries."""
    engine = "afl"

    def __init__(self, tw, binary, cmplog_binary, opts, prefix="", secondary=False):
        Unit.__init__(self, tw, opts)
        self.binary, self.cmplog = binary, cmplog_binary
        self.prefix, self.secondary = prefix, secondary
        self.used = set()

    def name(self, instance):
        if instance == 0:
            return self.prefix + ("s0" if self.secondary else "main")
        return self.prefix + "s%d" % (instance + (1 if self.secondary else 0))

    def names(self):
        return [self.name(i) for i in sorted(self.used)]

    def start(self, seconds, instance):
        name = self.name(instance)
        self.used.add(instance)
        d = os.path.join(self.tw.afl_dir, name)
        before = {"execs": read_afl_stats(d).get("execs", 0)}
        env = dict(os.environ, AFL_NO_UI="1", AFL_SKIP_CPUFREQ="1", AFL_NO_AFFINITY="1",
                   AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES="1", AFL_SKIP_CRASHES="1",
                   AFL_IMPORT_FIRST="1", AFL_AUTORESUME="1", AFL_FAST_CAL="1",
                   AFL_CMPLOG_ONLY_NEW="1",
                   AFL_SYNC_TIME=os.environ.get("AFL_SYNC_TIME", "1"),
                   **{MARKER: self.tw.out, SLICE_TAG: d})
        cmd = ["afl-fuzz", "-i", self.tw.seeds, "-o", self.tw.afl_dir,
               "-V", str(seconds), "-t", "2000", "-m", "none"]
        if name == self.prefix + "main":
            cmd += ["-M", name, "-F", self.tw.corpus]
        else:
            cmd += ["-S", name]
        if instance == 0:
            cmd += ["-c", self.cmplog, "-l", "2"]
        if self.opts["dict"]:
            cmd += ["-x", self.opts["dict"]]
        cmd += ["--", self.binary]
        logpath = os.path.join(self.tw.dir, "logs", "afl-%s.log" % name)
        proc = self.popen(cmd, logpath, env, self.tw.dir)
        return Slice(self, proc, logpath, seconds, instance, before)

    def progress(self, sl):
        return 0, self.last_eps   # AFL++ 4.04c writes its stats at exit (no terminal)

    def finish(self, sl):
        d = os.path.join(self.tw.afl_dir, self.name(sl.instance))
        kill_tagged("%s=%s" % (SLICE_TAG, d))
        st = read_afl_stats(d)
        sl.execs = max(0, st.get("execs", 0) - sl.before["execs"])
        sl.finds = own_queue(d)
        rc = sl.proc.returncode
        if rc != 0 and not sl.signalled:
            self.errors.append("AFL++ %s exited with %s after %.0fs (%s):\n%s" % (
                self.name(sl.instance), rc, sl.ended - sl.started, sl.logpath,
                "".join(tail_lines(sl.logpath)[-8:])))

    def stats(self):
        """Summed execs, largest corpus and edge count of its instances."""
        s = {"execs": self.execs, "eps": self.last_eps, "corpus": 0, "edges": 0,
             "total_edges": 0, "bitmap": 0.0}
        for name in self.names():
            st = read_afl_stats(os.path.join(self.tw.afl_dir, name))
            s["corpus"] = max(s["corpus"], st.get("corpus", 0))
            s["edges"] = max(s["edges"], st.get("edges", 0))
            s["total_edges"] = max(s["total_edges"], st.get("total_edges", 0))
            s["bitmap"] = max(s["bitmap"], st.get("bitmap", 0.0))
        return s


def own_queue(d):
    """Queue entries the instance found itself in its last session: a resume
    re-reads the old queue as "orig:" entries, and imports are "sync:"."""
    return sum(1 for q in glob.glob(os.path.join(d, "queue", "id:*"))
               if ",orig:" not in q and ",sync:" not in q)


def read_afl_stats(d):
    """fuzzer_stats, or plot_data's last row when that is newer."""
    st = {}
    try:
        with open(os.path.join(d, "fuzzer_stats")) as f:
            kv = dict(line.split(":", 1) for line in f if ":" in line)
        kv = {k.strip(): v.strip() for k, v in kv.items()}
        st = {"execs": int(kv.get("execs_done", 0)),
              "corpus": int(kv.get("corpus_count", 0)),
              "edges": int(kv.get("edges_found", 0)),
              "total_edges": int(kv.get("total_edges", 0)),
              "eps": float(kv.get("execs_per_sec", 0)),
              "bitmap": float(kv.get("bitmap_cvg", "0").rstrip("%") or 0)}
    except (OSError, ValueError):
        pass
    try:
        with open(os.path.join(d, "plot_data"), "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - 4096))
            rows = [r for r in f.read().decode(errors="replace").splitlines()
                    if r and not r.startswith("#")]
        if rows:
            c = [x.strip() for x in rows[-1].split(",")]
            # relative_time, cycles_done, cur_item, corpus_count, pending_total,
            # pending_favs, map_size, saved_crashes, saved_hangs, max_depth,
            # execs_per_sec, total_execs, edges_found
            if len(c) >= 13 and int(c[11]) > st.get("execs", 0):
                st["execs"] = int(c[11])
                st["corpus"] = max(st.get("corpus", 0), int(c[3]))
                st["edges"] = max(st.get("edges", 0), int(c[12]))
    except (OSError, ValueError, IndexError):
        pass
    return st


def tail_lines(path, nbytes=16384):
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - nbytes))
            return f.read().decode(errors="replace").splitlines(True)
    except OSError:
        return []


def read_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")
    except OSError:
        return ""


class Accounting:
    """CPU time of the fuzzing phase, by kind (the report's efficiency
    figures): engine processes from their slices, orphans adopted as a
    subreaper, helpers (coverage polls, replays) as the rest of
    RUSAGE_CHILDREN, the campaign's own Python as RUSAGE_SELF."""

    def __init__(self):
        self.self0 = resource.getrusage(resource.RUSAGE_SELF)
        self.kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.t0 = time.time()
        self.orphans = [0.0, 0.0, 0]
        self.polls = [0.0, 0.0, 0]   # the coverage polls (-runs=0), timed apart

    def poll_cost(self, before):
        """Add what RUSAGE_CHILDREN grew by since @before (a synchronous helper)."""
        now = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.polls[0] += now.ru_utime - before.ru_utime
        self.polls[1] += now.ru_stime - before.ru_stime
        self.polls[2] += 1

    def figures(self, units, execs):
        s1 = resource.getrusage(resource.RUSAGE_SELF)
        k1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.time() - self.t0
        py_u, py_s = s1.ru_utime - self.self0.ru_utime, s1.ru_stime - self.self0.ru_stime
        ch_u, ch_s = k1.ru_utime - self.kids0.ru_utime, k1.ru_stime - self.kids0.ru_stime
        kinds = {}

        def add(kind, u, s, n):
            k = kinds.setdefault(kind, {"user_s": 0.0, "system_s": 0.0, "processes": 0})
            k["user_s"] += u
            k["system_s"] += s
            k["processes"] += n

        eng_u = eng_s = 0.0
        for u in units:
            if u.engine == "libfuzzer":
                add("libFuzzer processes", u.user, u.system, u.slices)
            else:
                add("afl-fuzz (itself)", u.own_user, u.own_system, u.slices)
                add("AFL++ fork servers and targets", u.user - u.own_user,
                    u.system - u.own_system, 0)
            eng_u += u.user
            eng_s += u.system
        add("AFL++ targets left at exit (adopted)", self.orphans[0], self.orphans[1],
            self.orphans[2])
        add("coverage polls (-runs=0)", self.polls[0], self.polls[1], self.polls[2])
        add("other helpers (replays, copies)",
            max(0.0, ch_u - eng_u - self.orphans[0] - self.polls[0]),
            max(0.0, ch_s - eng_s - self.orphans[1] - self.polls[1]), 0)
        add("ci/campaign itself (Python)", py_u, py_s, 1)
        total = py_u + py_s + ch_u + ch_s
        fuzz_user = eng_u + self.orphans[0]
        system = py_s + ch_s
        per_engine = {}
        for u in units:
            e = per_engine.setdefault(u.engine, {"execs": 0, "cpu_s": 0.0, "slices": 0})
            e["execs"] += u.execs
            e["cpu_s"] += u.cpu()
            e["slices"] += u.slices
        if "afl" in per_engine:   # the adopted AFL++ targets are AFL++'s CPU
            per_engine["afl"]["cpu_s"] += self.orphans[0] + self.orphans[1]
        for e in per_engine.values():
            e["execs_per_cpu_s"] = round(e["execs"] / e["cpu_s"], 1) if e["cpu_s"] else 0.0
            e["cpu_s"] = round(e["cpu_s"], 1)
        for k in kinds.values():
            k["user_s"], k["system_s"] = round(k["user_s"], 1), round(k["system_s"], 1)
        return {"execs": execs, "wall_s": round(wall, 1), "cpu_s": round(total, 1),
                "user_s": round(py_u + ch_u, 1), "system_s": round(system, 1),
                "system_share": round(system / total, 3) if total else 0.0,
                "fuzz_user_s": round(fuzz_user, 1),
                "fuzz_user_share": round(fuzz_user / total, 3) if total else 0.0,
                "execs_per_cpu_s": round(execs / total, 1) if total else 0.0,
                "kinds": kinds, "engines": per_engine}


class Scheduler:
    """@cores slots; each runs one unit's slice at a time until @duration."""

    def __init__(self, units, cores, duration, slice_s, acct):
        self.units, self.cores, self.duration = units, cores, duration
        self.slice_s, self.acct = slice_s, acct
        self.slots = [None] * cores
        self.first = list(units)     # the first pass: every unit once, in order
        self.t0 = None
        self.by_pid = {}

    def remaining(self):
        return self.t0 + self.duration - time.time()

    def pick(self):
        while self.first:
            u = self.first.pop(0)
            if not u.errors:
                return u
        live = [u for u in self.units if len(u.errors) < 3]
        if not live:
            return None
        n = sum(u.slices for u in self.units)
        slice_cpu = sum(u.cpu() for u in self.units) / n if n else float(self.slice_s)
        return max(live, key=lambda u: (u.score(max(0.1, slice_cpu)), -u.cpu()))

    def fill(self, before_start):
        """Start a slice on every free slot."""
        for i, sl in enumerate(self.slots):
            if sl is not None:
                continue
            left = self.remaining()
            if left < MIN_SLICE:
                return
            u = self.pick()
            if u is None:
                return
            before_start(u)
            instance = 0
            while instance in u.live:
                instance += 1
            sl = u.start(int(min(self.slice_s, left)), instance)
            u.live[instance] = sl
            self.slots[i] = sl
            self.by_pid[sl.proc.pid] = sl

    def reap(self, after_end):
        """Collect every ended child: our slices (their rusage), and orphans."""
        for sl in self.slots:
            if sl is not None:
                sl.sample_own()
        while True:
            try:
                pid, status, ru = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            sl = self.by_pid.pop(pid, None)
            if sl is None:
                self.acct.orphans[0] += ru.ru_utime
                self.acct.orphans[1] += ru.ru_stime
                self.acct.orphans[2] += 1
                continue
            sl.proc.returncode = os.waitstatus_to_exitcode(status)
            sl.ru, sl.ended = ru, time.time()
            u = sl.unit
            u.finish(sl)
            u.account(sl)
            u.live.pop(sl.instance, None)
            self.slots[self.slots.index(sl)] = None
            after_end(u, sl)

    def overdue(self):
        """Slices past their time (an engine that does not stop by itself)."""
        now = time.time()
        for sl in self.slots:
            if sl is not None and now - sl.started > sl.seconds + GRACE:
                sl.signal(signal.SIGKILL if sl.signalled else signal.SIGINT)

    def running(self):
        return [sl for sl in self.slots if sl is not None]

    def stop(self, grace=20):
        """SIGINT to every slice, SIGKILL after @grace, then reap them."""
        for sl in self.running():
            sl.signal(signal.SIGINT)
        deadline = time.time() + grace
        while self.running() and time.time() < deadline:
            self.reap(lambda u, sl: None)
            time.sleep(0.2)
        for sl in self.running():
            sl.signal(signal.SIGKILL)
        while self.running():
            self.reap(lambda u, sl: None)
            time.sleep(0.05)
