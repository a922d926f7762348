#!/usr/bin/python3
"""Runs salient on every hostile input of manifest.txt and checks that it is refused cleanly.

For each case: the real `salient` binary runs with a timeout; it must exit with the expected
code (2 unless the line says otherwise), not by a signal, and write to stderr the input file's
name and the expected text, and nothing that a crash or a sanitizer writes.

    /usr/bin/python3 tests/hostile/run_hostile.py --exe build/salient [--work DIR] [-k TEXT]

The manifest format is described at its top (tests/hostile/manifest.txt).
"""
import argparse
import glob
import os
import shlex
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CRASH_TEXT = ("AddressSanitizer", "LeakSanitizer", "UndefinedBehaviorSanitizer", "runtime error:",
              "terminate called", "Segmentation", "core dumped", "Traceback")


def parse_manifest(path):
    """(line number, file pattern, args template, expected text, exit code) per case line."""
    cases = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = [c.strip() for c in line.rstrip("\n").split("|")]
            if len(cols) not in (3, 4) or not cols[0] or not cols[1]:
                sys.exit(f"{path}:{number}: expected FILE | ARGS | EXPECTED [| EXIT]")
            code = int(cols[3]) if len(cols) == 4 else 2
            cases.append((number, cols[0], cols[1], cols[2], code))
    return cases


def expand(pattern):
    """The files a FILE column names: one path, or a glob, relative to tests/hostile/."""
    path = pattern if os.path.isabs(pattern) else os.path.normpath(os.path.join(HERE, pattern))
    if any(ch in pattern for ch in "*?["):
        return sorted(glob.glob(path))
    return [path] if os.path.exists(path) else []


def run_case(exe, file, args, work, timeout):
    """Runs one case; returns (exit code or None on timeout, stderr, argv)."""
    os.makedirs(work, exist_ok=True)
    values = {"file": file, "work": work}
    if "{region_scenario}" in args:
        with open(os.path.join(HERE, "region_scenario.toml"), encoding="utf-8") as f:
            text = f.read().replace("@REGION_FILE@", file)
        values["region_scenario"] = os.path.join(work, "region_scenario.toml")
        with open(values["region_scenario"], "w", encoding="utf-8") as f:
            f.write(text)
    argv = [exe] + [a.format(**values) for a in shlex.split(args)]
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE", OMP_NUM_THREADS="1")
    try:
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
                           env=env, cwd=work)
    except subprocess.TimeoutExpired as e:
        return None, (e.stderr or b"").decode("utf-8", "replace"), argv
    return r.returncode, r.stderr.decode("utf-8", "replace"), argv


def check(code, want_code, err, file, expected):
    """The problems of one case's outcome ([] if none)."""
    problems = []
    if code is None:
        problems.append("timed out")
    elif code < 0:
        problems.append(f"killed by signal {-code}")
    elif code != want_code:
        problems.append(f"exit code {code}, expected {want_code}")
    name = os.path.basename(file)
    if name not in err:
        problems.append(f"stderr does not name the file {name!r}")
    if expected and expected not in err:
        problems.append(f"stderr lacks {expected!r}")
    problems += [f"stderr has {t!r}" for t in CRASH_TEXT if t in err]
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exe", required=True, help="the salient binary")
    ap.add_argument("--manifest", default=os.path.join(HERE, "manifest.txt"))
    ap.add_argument("--work", default=None, help="scratch folder (default: a temporary one)")
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds per case")
    ap.add_argument("-k", default="", help="only cases whose file or args contain this text")
    opts = ap.parse_args()
    exe = os.path.abspath(opts.exe)
    work_root = os.path.abspath(opts.work or os.path.join(os.getcwd(), "hostile-work"))
    shutil.rmtree(work_root, ignore_errors=True)

    failures = total = 0
    for number, pattern, args, expected, want_code in parse_manifest(opts.manifest):
        files = expand(pattern)
        if not files:
            print(f"FAIL manifest line {number}: {pattern} matches no file")
            failures += 1
        for file in files:
            if opts.k and opts.k not in file and opts.k not in args:
                continue
            total += 1
            work = os.path.join(work_root, f"{number:04d}_{os.path.basename(file)}")
            code, err, argv = run_case(exe, file, args, work, opts.timeout)
            problems = check(code, want_code, err, file, expected)
            if problems:
                failures += 1
                print(f"FAIL manifest line {number}: {shlex.join(argv)}\n  " +
                      "\n  ".join(problems) + "\n  stderr: " + err[:2000].replace("\n", "\n  "))
    print(f"hostile inputs: {total - failures} of {total} refused cleanly")
    return 1 if failures or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
