"""workspace.py - one copy of the tree and one build of it, rebuilt
incrementally per mutant: patch one file, rebuild what depends on it, run
the tests CTest knows (by label), put the file back.

The copy lives in WORK/tree (only files that changed are copied again, so
a second run rebuilds little), the build in WORK/build: clang, ASan+UBSan,
-O1, Ninja, as the CI cells that replay the corpora. Tests are taken from
CTest (`ctest --show-only=json-v1 -L LABEL`), so a target added to the
registry is run without a change here, and run by this module directly:
each with its own timeout (ten times its time on the unmutated tree, at
least 20 s), a hang killed with its process group.
"""
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import time

# What a build of the core, the fuzz world and its tests needs of the tree.
PARTS = ("core/", "fuzz/", "corpora/", "stress/", "cmake/", "CMakeLists.txt",
         "CMakePresets.json", "kernel/", "readers/")


def tree_files(root):
    """Tracked and new (not ignored) files of @root: the tree as it stands."""
    out = subprocess.run(["git", "ls-files", "--cached", "--others",
                          "--exclude-standard"], cwd=root, capture_output=True,
                         text=True, check=True).stdout.split("\n")
    return [f for f in out if f.startswith(PARTS) and os.path.isfile(os.path.join(root, f))]


def run(cmd, cwd=None, log=None, timeout=None, env=None):
    """Run @cmd; return (exit status or None when @timeout passed, output)."""
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         start_new_session=True, env=env)
    try:
        out, _ = p.communicate(timeout=timeout)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        rc = None
    text = out.decode(errors="replace")
    if log is not None:
        log.write(text)
        log.flush()
    return rc, text


def failure_of(text):
    """The first line that says what broke in a failed test's output."""
    for pat in (r"invariant \S+ broke[^\n]*",
                r"ERROR: (?:AddressSanitizer|LeakSanitizer)[^\n]*",
                r"runtime error:[^\n]*",
                r"a second run in this process differs",
                r"\[  FAILED  \][^\n]*|\[  ERROR   \][^\n]*",
                r"[^\n]*(?:Assertion|assert)[^\n]*failed[^\n]*"):
        m = re.search(pat, text)
        if m:
            return " ".join(m.group(0).split())[:200]
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[-1][:200] if lines else "no output"


def cache_value(build, name):
    """The value of @name in @build's CMakeCache.txt ("" if none)."""
    try:
        with open(os.path.join(build, "CMakeCache.txt")) as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("=")
                if k.split(":")[0] == name:
                    return v
    except OSError:
        pass
    return ""


class Test:
    def __init__(self, name, cmd, env, cwd):
        self.name, self.cmd, self.env, self.cwd = name, cmd, env, cwd
        self.baseline = None
        self.kills = 0


class Workspace:
    def __init__(self, root, work, jobs=2):
        self.root, self.work, self.jobs = root, work, jobs
        self.tree = os.path.join(work, "tree")
        self.build = os.path.join(work, "build")
        self.logpath = os.path.join(work, "build.log")
        # The build's copy of the kernel tree's files (configure()).
        self.krb = self.kernel_tree = None

    def lock(self):
        """One run per workspace: a second one would build over the first.
        SIGTERM ends a run as Ctrl-C does, so the mutated file is put back."""
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        os.makedirs(self.work, exist_ok=True)
        self._lock = open(os.path.join(self.work, "lock"), "w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise SystemExit(f"ci/mutants: {self.work} is in use by another run "
                             f"(wait for it, or give this one its own --work)")

    def sync(self):
        """Make WORK/tree the tree at ROOT, copying only what differs."""
        self.lock()
        want = set(tree_files(self.root))
        for rel in sorted(want):
            src, dst = os.path.join(self.root, rel), os.path.join(self.tree, rel)
            if os.path.exists(dst):
                with open(src, "rb") as a, open(dst, "rb") as b:
                    if a.read() == b.read():
                        continue
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            # A new mtime, always: a file put back after an interrupted run
            # must be newer than the objects built from its mutant.
            shutil.copyfile(src, dst)
            shutil.copymode(src, dst)
        for dirpath, _, names in os.walk(self.tree):
            for n in names:
                rel = os.path.relpath(os.path.join(dirpath, n), self.tree)
                if rel not in want:
                    os.unlink(os.path.join(dirpath, n))

    def configure(self, kernel_src=None):
        """Configure the build; with a kernel tree (the default one, or
        @kernel_src), the kernel backend compiles the build's own copy of
        the tree's ring_buffer.c and internal.h (WORK/krb/, kernel_copy()),
        never the tree's file: the kernel mutants are applied there."""
        os.makedirs(self.build, exist_ok=True)
        args = ["cmake", "-S", self.tree, "-B", self.build, "-G", "Ninja",
                "-DCMAKE_C_COMPILER=clang", "-DCMAKE_BUILD_TYPE=Debug",
                "-DCMAKE_C_FLAGS=-O1", "-DUPRB_SANITIZE=address,undefined"]
        # Always given: a tree chosen once must not stay in the cache.
        args.append(f"-DUPRB_KERNEL_SRC={kernel_src or ''}")
        with open(self.logpath, "a") as log:
            rc, _ = run(args, log=log)
            tree_rb = self.cache("UPRB_KERNEL_RB_TREE_SOURCE")
            if rc == 0 and tree_rb:
                copy = self.kernel_copy(tree_rb)
                if self.cache("UPRB_KERNEL_RB_SOURCE") != copy:
                    rc, _ = run(args + [f"-DUPRB_KERNEL_RB_SOURCE={copy}"], log=log)
        if rc != 0:
            raise SystemExit(f"ci/mutants: configure failed (log {self.logpath})")

    def cache(self, name):
        return cache_value(self.build, name)

    def kernel_copy(self, tree_rb):
        """Make WORK/krb/ring_buffer.c and internal.h the tree's (of
        @tree_rb, the tree's ring_buffer.c), copying only what differs.
        Return: the copy of ring_buffer.c. The copies are GPL code: they
        stay in the build folder."""
        self.krb = os.path.join(self.work, "krb")
        os.makedirs(self.krb, exist_ok=True)
        for name in ("ring_buffer.c", "internal.h"):
            src = os.path.join(os.path.dirname(tree_rb), name)
            dst = os.path.join(self.krb, name)
            with open(src, "rb") as f:
                text = f.read()
            if os.path.exists(dst):
                with open(dst, "rb") as f:
                    if f.read() == text:
                        continue
            with open(dst, "wb") as f:
                f.write(text)
        self.kernel_tree = os.path.dirname(os.path.dirname(os.path.dirname(tree_rb)))
        return os.path.join(self.krb, "ring_buffer.c")

    def tests(self, label, name=None):
        """CTest's tests with a label matching @label (and a name matching
        the regular expression @name), as Test objects."""
        rc, text = run(["ctest", "--test-dir", self.build, "--show-only=json-v1",
                        "-L", label] + (["-R", name] if name else []))
        if rc != 0:
            raise SystemExit(f"ci/mutants: ctest cannot list tests: {text[-400:]}")
        out = []
        for t in json.loads(text[text.index("{"):])["tests"]:
            env = dict(os.environ)
            cwd = None
            for p in t.get("properties", []):
                if p["name"] == "ENVIRONMENT":
                    for kv in p["value"]:
                        k, _, v = kv.partition("=")
                        env[k] = v
                if p["name"] == "WORKING_DIRECTORY":
                    cwd = p["value"]
            out.append(Test(t["name"], t["command"], env, cwd))
        return out

    def targets_of(self, tests):
        """The build targets the tests' programs are (all when unknown)."""
        names = set()
        for t in tests:
            exe = t.cmd[0]
            if not exe.startswith(self.build + os.sep):
                return ["all"]
            names.add(os.path.basename(exe))
        return sorted(names)

    def build_targets(self, targets):
        """Return: (ok, the build's output)."""
        rc, text = run(["nice", "-n", "10", "cmake", "--build", self.build, "-j",
                        str(self.jobs), "--target"] + targets)
        return rc == 0, text

    def run_test(self, t, timeout):
        """Return: ("pass" | "fail" | "hang", seconds, output)."""
        t0 = time.monotonic()
        rc, text = run(["nice", "-n", "10"] + t.cmd, cwd=t.cwd, timeout=timeout, env=t.env)
        took = time.monotonic() - t0
        if rc is None:
            return "hang", took, text
        return ("pass" if rc == 0 else "fail"), took, text

    def source(self, rel):
        return os.path.join(self.tree, rel)
