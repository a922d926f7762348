"""Signals, SIGKILL at random moments, and bit-exact resume (issue 8, items 1-3).

Usage: test_kill_resume.py SALIENT SCENARIO WORKDIR

A reference run of SCENARIO (10x its duration, a checkpoint every 50 steps, 2 threads) is
compared bit for bit (tests/reliability/h5compare.py) with:
  * a run stopped by SIGTERM (exit 143) and by SIGINT (exit 130), then `salient resume` on
    1 thread;
  * runs killed with SIGKILL at KILLS random moments (seeded), each checked right after the
    kill: the file opens with h5py, /salient/complete is 0, every dataset reads, every
    time-series row and snapshot flushed before the kill (from --verbose's "flushed step K
    (R records)" lines) equals the reference's; then resumed;
  * a second SIGINT, which exits at once (130, its message, file marked incomplete).
"""
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h5compare import differences  # noqa: E402

SALIENT, SCENARIO, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
KILLS = 6
RUN = ["--duration", "18000", "--checkpoint-every", "50", "-q"]
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def start(out, *extra):
    return subprocess.Popen(
        [SALIENT, "run", SCENARIO, "-o", out, "--force", "--threads", "2", "-v", *RUN, *extra],
        stderr=subprocess.PIPE, text=True)


def wait_for_flush(proc, lines, min_step=0):
    """Reads stderr until a flush of a step >= min_step is reported; returns that step."""
    while True:
        line = proc.stderr.readline()
        if not line:
            return None
        lines.append(line)
        m = re.match(r"salient: flushed step (\d+)", line)
        if m and int(m.group(1)) >= min_step:
            return int(m.group(1))


def resume(out, threads="1"):
    r = subprocess.run([SALIENT, "resume", out, "-q", "--threads", threads],
                       capture_output=True, text=True, timeout=600)
    return r


def status(out):
    with h5py.File(out, "r") as f:
        return f["salient"].attrs["status"].decode(), int(f["salient"].attrs["complete"])


os.makedirs(WORK, exist_ok=True)
ref = os.path.join(WORK, "reference.h5")
t0 = time.monotonic()
r = subprocess.run([SALIENT, "run", SCENARIO, "-o", ref, "--force", "--threads", "2", *RUN],
                   capture_output=True, text=True, timeout=600)
wall = time.monotonic() - t0
check(r.returncode == 0, f"reference run exits 0 ({wall:.1f} s)")
check(status(ref) == ("complete", 1), "reference marked complete")
with h5py.File(ref, "r") as f:
    ref_steps = f["timeseries/step"][()]
    ref_series = {k: f["timeseries"][k][()] for k in f["timeseries"]}

# Control: the comparison must see a difference where there is one.
other = os.path.join(WORK, "other_seed.h5")
subprocess.run([SALIENT, "run", SCENARIO, "-o", other, "--force", "--seed", "77", *RUN],
               check=True, capture_output=True)
check(len(differences(ref, other)) > 0, "control: another seed's output differs")

# SIGTERM and SIGINT: stop after the step, checkpoint, exit 128 + signal, resume exactly.
for sig, code in ((signal.SIGTERM, 143), (signal.SIGINT, 130)):
    out = os.path.join(WORK, f"stopped_{sig.name}.h5")
    lines = []
    p = start(out)
    wait_for_flush(p, lines, min_step=120)
    p.send_signal(sig)
    err = "".join(lines) + p.stderr.read()
    rc = p.wait(timeout=120)
    check(rc == code, f"{sig.name}: exit code {rc} == {code}")
    m = re.search(r"stopped by signal \d+ at step (\d+)", err)
    check(m is not None, f"{sig.name}: reports the step it stopped at")
    check(status(out) == ("interrupted", 0), f"{sig.name}: file marked interrupted")
    check(os.path.exists(out + ".checkpoint"), f"{sig.name}: checkpoint written")
    r = resume(out)
    check(r.returncode == 0, f"{sig.name}: resume exits 0 ({r.stderr.strip()[-200:]})")
    d = differences(ref, out)
    check(not d, f"{sig.name}: resumed output identical to the reference {d}")
    check(status(out) == ("complete", 1), f"{sig.name}: resumed file marked complete")

# SIGKILL at random moments: after the flush of a random step, a random delay of up to half a
# second (flushes come every 50 or 60 steps: the kill falls anywhere in a step, a snapshot, a
# flush or a checkpoint).
rng = random.Random(8)
total_steps = int(ref_steps[-1])
kill = 0
attempts = 0
while kill < KILLS and attempts < 3 * KILLS:
    attempts += 1
    target, delay = rng.randrange(0, total_steps - 100), rng.uniform(0.0, 0.5)
    out = os.path.join(WORK, f"killed_{kill}.h5")
    p = start(out)
    lines = []
    wait_for_flush(p, lines, min_step=target)
    reader = threading.Thread(target=lambda: lines.extend(p.stderr), daemon=True)
    reader.start()
    time.sleep(delay)
    if p.poll() is not None:
        continue  # it finished first: draw another moment
    p.kill()
    p.wait()
    reader.join(timeout=10)
    flushes = [(int(m.group(1)), int(m.group(2))) for m in
               (re.match(r"salient: flushed step (\d+) \((\d+) records\)", x) for x in lines) if m]
    last_step, last_rows = flushes[-1] if flushes else (0, 0)
    what = (f"kill {kill} after step {target} + {delay:.2f} s "
            f"(last flush: step {last_step}, {last_rows} records)")
    kill += 1
    try:
        with h5py.File(out, "r") as f:
            check(int(f["salient"].attrs["complete"]) == 0, what + ": marked incomplete")
            def read_all(name, obj):
                if isinstance(obj, h5py.Dataset):
                    obj[()]
            f.visititems(read_all)
            steps = f["timeseries/step"][()]
            check(len(steps) >= last_rows, what + f": {len(steps)} rows >= {last_rows} flushed")
            same = all(np.array_equal(f["timeseries"][k][()], ref_series[k][:len(steps)])
                       for k in ref_series)
            check(same, what + ": every time-series row equals the reference's")
            snaps = sorted(int(s) for s in f["data"])
            check(all(s <= last_step or s <= int(steps[-1]) for s in snaps),
                  what + ": no snapshot beyond the rows")
            with h5py.File(ref, "r") as g:
                ok = True
                for s in snaps:
                    def cmp(name, obj, s=s):
                        nonlocal_ok = True
                        if isinstance(obj, h5py.Dataset):
                            if obj[()].tobytes() != g[f"data/{s}/{name}"][()].tobytes():
                                bad.append(f"data/{s}/{name}")
                    bad = []
                    f[f"data/{s}"].visititems(cmp)
                    ok = ok and not bad
                check(ok, what + f": snapshots {snaps[:3]}...{snaps[-1:]} equal the reference's")
    except OSError as e:
        check(False, what + f": h5py cannot read the killed file ({e})")
        continue
    r = resume(out)
    check(r.returncode == 0, what + f": resume exits 0 ({r.stderr.strip()[-300:]})")
    d = differences(ref, out)
    check(not d, what + f": resumed output identical to the reference {d}")

# A second SIGINT exits at once.
done = False
for attempt in range(3):
    out = os.path.join(WORK, "second_sigint.h5")
    p = start(out)
    lines = []
    wait_for_flush(p, lines, min_step=60)
    p.send_signal(signal.SIGINT)
    time.sleep(0.002)
    p.send_signal(signal.SIGINT)
    err = "".join(lines) + p.stderr.read()
    rc = p.wait(timeout=60)
    if "exiting at once" in err:
        check(rc == 130, f"second SIGINT: exit code {rc} == 130")
        check(status(out)[1] == 0, "second SIGINT: file marked incomplete")
        done = True
        break
    # The first stop finished before the second signal arrived: try again.
check(done, "second SIGINT: exited at once (within 3 attempts)")

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
