#!/usr/bin/env python3
"""valgrind.py: the work of bench/peers/valgrind.sh once Valgrind's sources
are unpacked and configured: build the test programs of helgrind/tests and
drd/tests, run each .vgtest under racedet (the shim alone, then built with
racedet-cc), and compare what racedet finds with what the test's
.stderr.exp says Helgrind or DRD reports. Prints one table and the totals.

    python3 valgrind.py VALGRIND_SRC BUILD_DIR WORK_DIR [-j N] [TEST...]

TEST is a suite/name (helgrind/tc09_bad_unlock) or a name (every suite's).
Findings are compared by kind, not one by one:
  race    data races (Helgrind "Possible data race", DRD "Conflicting load")
  order   lock-order violations (Helgrind's lock order graph; racedet's
          lock_order_cycle and deadlock)
  misuse  everything else the tools say about how the pthread API is used
          (unlock not held, destroy locked, bad arguments, exit holding...)
racedet's thread_leak and blocking_under_lock have no counterpart in either
tool, nor its lock-order findings in DRD (which has no lock-order check):
they are shown (+leak, +blocking, +order) and not judged.
"""
import concurrent.futures
import glob
import json
import os
import re
import subprocess
import sys

KIND_OF_RACEDET = {
    "data_race": "race",
    "lock_order_cycle": "order",
    "deadlock": "order",
    "self_deadlock": "misuse",
    "unlock_not_held": "misuse",
    "destroy_locked": "misuse",
    "cond_wait_unheld": "misuse",
    "lock_held_at_exit": "misuse",
    "sync_misuse": "misuse",
    "thread_leak": "+leak",
    "blocking_under_lock": "+blocking",
}
JUDGED = ("race", "order", "misuse")

# ---- what the .stderr.exp says ------------------------------------------------
RACE_RE = re.compile(r"^(Possible data race|Conflicting (load|store) by thread)")
ORDER_RE = re.compile(r'lock order ".*" violated')
HOLD_RE = re.compile(r"was held during .* ms")
# lines followed by a stack that are part of a finding, not its first line
NOT_HEADER_RE = re.compile(
    r"was created$|root thread$|was first observed|^Acquired at|^Required order|"
    r"^Observed \(incorrect\)|^Address |^Location |^Other segment|^Allocation context|"
    r"^Process terminating|^Locks held|^This conflicts|^Conflicting wait call|"
    r"^Thread \d+:$|^Thread \d+ \(|^Conflicting (load|store) by thread")
XML_KIND_RE = re.compile(r"<kind>(\w+)</kind>")


def expected_kinds(path):
    """{kind: count} of the findings the .stderr.exp at path shows."""
    kinds = {}
    lines = open(path, errors="replace").read().split("\n")

    def add(k):
        kinds[k] = kinds.get(k, 0) + 1

    for i, line in enumerate(lines):
        m = XML_KIND_RE.search(line)
        if m:
            k = m.group(1)
            add("race" if k in ("Race", "ConflictingAccess") else
                "order" if k == "LockOrder" else
                "hold" if k == "HoldtimeErr" else "misuse")
            continue
        if "<" in line:
            continue
        if RACE_RE.search(line):
            add("race")
        elif ORDER_RE.search(line):
            add("order")
        elif HOLD_RE.search(line):
            add("hold")
        elif line and not line[0].isspace() and not NOT_HEADER_RE.search(line):
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if re.match(r"   (at 0x|with error code|\.\.\.$)", nxt):
                add("misuse")
    if not kinds:
        # filtered to "ERROR SUMMARY: N errors ..." (filter_error_summary):
        # N findings of a kind the file does not say
        for line in lines:
            m = re.match(r"ERROR SUMMARY: (\d+) errors", line)
            if m and int(m.group(1)) > 0:
                kinds["some"] = int(m.group(1))
    return kinds


def exp_file(vgtest):
    """The .stderr.exp for Linux on amd64: the plain one, else a variant
    that is not for another system."""
    base = vgtest[:-len(".vgtest")]
    if os.path.exists(base + ".stderr.exp"):
        return base + ".stderr.exp"
    other = re.compile(r"freebsd|solaris|darwin|mips|ppc|powerpc|s390|arm|32bit|linuxthreads")
    for f in sorted(glob.glob(base + ".stderr.exp*")):
        if not other.search(f[len(base):]):
            return f
    return None


# ---- the .vgtest -----------------------------------------------------------------
def parse_vgtest(path):
    d = {}
    for line in open(path, errors="replace"):
        m = re.match(r"^(\w+):\s*(.*?)\s*$", line)
        if m:
            d[m.group(1)] = m.group(2)
    return d


CLIENT_REQUEST_RE = re.compile(r'#\s*include\s*[<"][^">]*(helgrind|drd|valgrind)\.h[">]|'
                               r'#\s*include\s*"(drd/|coregrind/)')


def not_applicable(test, source_text):
    """Why racedet cannot be compared on this test, or None."""
    pre = test["vg"].get("prereq", "")
    if re.search(r"(^|&&\s*)false\b", pre):
        return "disabled upstream (prereq: false)"
    if re.search(r"(?<!! )\.\./\.\./tests/os_test freebsd", pre):
        return "FreeBSD only"
    if CLIENT_REQUEST_RE.search(source_text):
        if re.search(r'"drd/|"coregrind/', source_text):
            return "unit test of Valgrind's own code"
        return "uses Valgrind client requests (helgrind.h/drd.h)"
    if "--tool=" in test["vg"].get("vgopts", ""):
        return "runs another tool"
    if "hold" in test["expected"]:
        return "DRD lock hold-time threshold (--exclusive/--shared-threshold)"
    if "fopenmp" in test.get("flags", "") or "omp" in test["prog"]:
        return "OpenMP: libgomp's synchronisation is not intercepted"
    return None


# ---- building -------------------------------------------------------------------
def source_of(progdir, prog):
    for ext in (".c", ".cpp"):
        if os.path.exists(os.path.join(progdir, prog + ext)):
            return os.path.join(progdir, prog + ext)
    return None


BUILT = {}  # (mode, progdir, prog, src) -> (binary, None) or (None, error)


def build(vg, bindir, mode, progdir, prog, src):
    """Builds prog (mode "run": the system compiler; "cc": racedet-cc);
    returns (binary, None) or (None, first error line)."""
    out = os.path.join(WORK, mode, os.path.relpath(progdir, VG))
    os.makedirs(out, exist_ok=True)
    exe = os.path.join(out, prog)
    cxx = src.endswith(".cpp")
    if mode == "cc":
        cc = [os.path.join(bindir, "racedet-c++" if cxx else "racedet-cc")]
    else:
        cc = ["c++" if cxx else "cc"]
    # what Valgrind's build defines for amd64 Linux; some tests #error without
    flags = ["-g", "-O0", "-w", "-pthread", "-DVGA_amd64", "-DVGO_linux", "-DVGP_amd64_linux",
             "-DVGPV_amd64_linux_vanilla", "-I" + vg, "-I" + os.path.join(vg, "include"),
             "-I" + progdir]
    if cxx:
        flags.append("-std=gnu++17")
    if prog == "tsan_unittest":
        flags.append('-DTHREAD_WRAPPERS="tsan_thread_wrappers_pthread.h"')
    libs = ["-lm", "-ldl"]
    if prog == "dlopen_main":
        r = subprocess.run(cc + flags + ["-fPIC", "-shared", "-o",
                                         os.path.join(out, "dlopen_lib.so"),
                                         os.path.join(progdir, "dlopen_lib.c")],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return None, first_error(r.stderr)
    # racedet-cc links the runtime's fast path in: a new runtime, a new binary
    deps = [src] + ([cc[0], os.path.join(os.path.dirname(bindir), "lib", "libracedet_tsan.a")]
                    if mode == "cc" else [])
    if usable(exe) and all(os.path.getmtime(exe) >= os.path.getmtime(d) for d in deps):
        return exe, None
    r = subprocess.run(cc + flags + ["-o", exe, src] + libs, capture_output=True, text=True)
    if r.returncode != 0:
        return None, first_error(r.stderr)
    if not usable(exe):
        return None, "the compiler made no executable (%s)" % first_error(r.stderr or "no message")
    return exe, None


def usable(exe):
    return os.path.isfile(exe) and os.access(exe, os.X_OK) and os.path.getsize(exe) > 0


def first_error(text):
    for line in text.splitlines():
        if "error" in line:
            return re.sub(r"^\S*/", "", line.strip())[:100]
    return (text.strip().splitlines() or ["?"])[0][:100]


# ---- running --------------------------------------------------------------------
def run(racedet, exe, args, report, timeout):
    """{kind: count} of racedet's findings, or a string saying what went wrong."""
    if os.path.exists(report):
        os.unlink(report)
    cmd = [racedet, "run", "--format", "json", "-o", report, "--", exe] + args
    try:
        r = subprocess.run(["timeout", "-k", "5", str(timeout)] + cmd,
                           cwd=os.path.dirname(exe), stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           errors="replace")
    except OSError as e:
        return "cannot run: %s" % e
    timed_out = r.returncode in (124, 137)
    try:
        findings = json.load(open(report))["findings"]
    except (OSError, ValueError):
        return "timeout" if timed_out else "no report (exit %d)" % r.returncode
    # a program that hangs (some do natively, e.g. a condition destroyed
    # while waited on): the findings made before it was stopped count
    kinds = {"+timeout": 1} if timed_out else {}
    for f in findings:
        k = KIND_OF_RACEDET.get(f["kind"], f["kind"])
        kinds[k] = kinds.get(k, 0) + 1
    return kinds


def show(kinds):
    if isinstance(kinds, str):
        return kinds
    if not kinds:
        return "-"
    order = list(JUDGED) + sorted(k for k in kinds if k not in JUDGED)
    return " ".join("%s%s" % (k, "" if kinds[k] == 1 else "(%d)" % kinds[k])
                    for k in order if k in kinds)


def judged(kinds):
    return set(k for k in kinds if k in JUDGED)


def verdict(expected, shim, cc):
    """match / missed / false report (both when both), with which run."""
    exp = judged(expected)
    words = []
    if any(r == "timeout" or (isinstance(r, dict) and "+timeout" in r) for r in (shim, cc)):
        # (pth_cond_destroy_busy hangs without racedet too: glibc's destroy
        # waits for the waiters) what a stopped run reported is shown, not judged
        return "n.a. (the program did not end within PEERS_TIMEOUT)"
    if isinstance(cc, str) and (isinstance(shim, str) or "race" in exp):
        return "n.a. (racedet-cc run: %s)" % cc
    missed, false = [], []
    if "some" in expected:
        # only a count is known (filter_error_summary): the racedet-cc run
        # must find something of a judged kind; the run without
        # instrumentation, something of those kinds or nothing
        if not isinstance(cc, str) and not judged(cc):
            missed.append("cc")
        if not isinstance(shim, str) and not isinstance(cc, str) and judged(shim) - judged(cc):
            false.append("run")
    else:
        if not isinstance(cc, str):
            if exp - judged(cc):
                missed.append("cc")
            if judged(cc) - exp:
                false.append("cc")
        if not isinstance(shim, str):
            # without instrumentation races cannot be seen: not a miss
            if (exp - {"race"}) - judged(shim):
                missed.append("run")
            if judged(shim) - exp:
                false.append("run")
    if missed:
        words.append("missed (%s)" % ",".join(missed))
    if false:
        words.append("false report (%s)" % ",".join(false))
    verdict_words = ", ".join(words) or "match"
    # a run that made no report judges nothing: say so
    failed = [("%s: %s" % (m, r)) for m, r in (("run", shim), ("cc", cc)) if isinstance(r, str)]
    if failed:
        verdict_words += " [%s]" % "; ".join(failed)
    return verdict_words


def source_text(progdir, src):
    """The source and the local headers it includes (one level): where the
    client requests may be."""
    text = open(src, errors="replace").read()
    headers = re.findall(r'#\s*include\s*"([^"]+)"', text)
    if "THREAD_WRAPPERS" in text:
        headers.append("tsan_thread_wrappers_pthread.h")
    for h in headers:
        path = os.path.join(progdir, h)
        if os.path.isfile(path):
            text += open(path, errors="replace").read()
    return text


def prepare(test):
    """Fills in what the test expects and why it cannot be run, if so;
    returns what must be built for it (or None)."""
    prog = test["prog"]
    progdir = os.path.normpath(os.path.join(test["dir"], os.path.dirname(test["vg"]["prog"])))
    src = source_of(progdir, prog)
    test["expected"] = expected_kinds(test["exp"]) if test["exp"] else {}
    if src is None:
        test["why"] = "no source for %s" % test["vg"]["prog"]
        return None
    test["why"] = not_applicable(test, source_text(progdir, src))
    if test["why"]:
        return None
    test["build"] = (progdir, prog, src)
    return test["build"]


def one(test):
    if test["why"]:
        return test
    progdir, prog, src = test["build"]
    args = test["vg"].get("args", "").split()
    for mode in ("run", "cc"):
        exe, err = BUILT[(mode, progdir, prog, src)]
        if exe is None:
            test[mode] = "build failed: " + err
            continue
        report = os.path.join(WORK, "reports", "%s.%s.%s.json" % (test["suite"], test["name"], mode))
        test[mode] = run(os.path.join(BINDIR, "racedet"), exe, args, report, TIMEOUT)
        if test["suite"] == "drd" and isinstance(test[mode], dict) and "order" in test[mode]:
            # DRD has no lock-order check: nothing to compare with
            test[mode]["+order"] = test[mode].pop("order")
    if isinstance(test["run"], str) and test["run"].startswith("build failed"):
        test["why"] = "does not build here: " + test["run"][len("build failed: "):]
    return test


def main():
    global VG, BINDIR, WORK, TIMEOUT
    argv = sys.argv[1:]
    jobs = 2
    if "-j" in argv:
        i = argv.index("-j")
        jobs = int(argv[i + 1])
        del argv[i:i + 2]
    VG, build_dir, WORK = (os.path.abspath(a) for a in argv[:3])
    wanted = argv[3:]
    BINDIR = os.path.join(build_dir, "bin")
    TIMEOUT = int(os.environ.get("PEERS_TIMEOUT", "60"))
    os.makedirs(os.path.join(WORK, "reports"), exist_ok=True)

    tests = []
    for suite in ("helgrind", "drd"):
        d = os.path.join(VG, suite, "tests")
        for vgtest in sorted(glob.glob(os.path.join(d, "*.vgtest"))):
            name = os.path.basename(vgtest)[:-len(".vgtest")]
            if wanted and name not in wanted and "%s/%s" % (suite, name) not in wanted:
                continue
            vg = parse_vgtest(vgtest)
            if "prog" not in vg:
                continue
            prog, *prog_args = vg["prog"].split()  # "prog: annotate_barrier 2 1 1"
            vg["prog"] = prog
            vg["args"] = " ".join(prog_args + vg.get("args", "").split())
            tests.append({"suite": suite, "name": name, "dir": d, "vg": vg,
                          "prog": os.path.basename(prog), "exp": exp_file(vgtest),
                          "run": "", "cc": "", "why": None})

    # each program once (several .vgtest run the same one), then the runs
    wanted_builds = sorted(set(b for b in map(prepare, tests) if b))
    todo = [(mode,) + b for b in wanted_builds for mode in ("run", "cc")]
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        for key, got in zip(todo, pool.map(lambda k: build(VG, BINDIR, *k), todo)):
            BUILT[key] = got
        tests = list(pool.map(one, tests))

    rows = [("test", "expected", "racedet run", "racedet-cc", "verdict")]
    totals = {}
    for t in tests:
        if t["why"]:
            v = "n.a. (%s)" % t["why"]
            rows.append(("%s/%s" % (t["suite"], t["name"]), show(t["expected"]), "", "", v))
        else:
            v = verdict(t["expected"], t["run"], t["cc"])
            rows.append(("%s/%s" % (t["suite"], t["name"]), show(t["expected"]), show(t["run"]),
                         show(t["cc"]), v))
        tot = totals.setdefault(t["suite"], {"tests": 0, "match": 0, "missed": 0,
                                             "false report": 0, "n.a.": 0,
                                             "races": 0, "races found": 0})
        tot["tests"] += 1
        for w in ("match", "missed", "false report", "n.a."):
            if v.startswith(w) or (", " + w) in v:
                tot[w] += 1
        if not t["why"] and "race" in t["expected"]:
            tot["races"] += 1
            if isinstance(t["cc"], dict) and "race" in t["cc"]:
                tot["races found"] += 1
    widths = [min(max(len(r[i]) for r in rows), 40) for i in range(4)]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r[:4], widths)) + "  " + r[4])
    for suite, tot in totals.items():
        judged_n = tot["tests"] - tot["n.a."]
        print("total %s: %d match / %d compared (%d tests: %d missed, %d false report, "
              "%d n.a.); races found in %d of %d tests expecting them"
              % (suite, tot["match"], judged_n, tot["tests"], tot["missed"],
                 tot["false report"], tot["n.a."], tot["races found"], tot["races"]))


if __name__ == "__main__":
    main()
