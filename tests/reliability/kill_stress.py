"""Kills salient runs at random moments and counts the output files left damaged.

Usage: kill_stress.py SALIENT WORKDIR [--kills N] [--snapshot-every K] [--scenario S]
                      [--after A B]

Each run (`salient run SCENARIO --snapshot-every K`, 1,000 simulated hours, so it is still
running) gets SIGKILL at a random moment between A and B seconds after its start (default
0.3 to 1.2 s); afterwards every file is read in full with h5py (every group listed, every
dataset read). A file that does not open or read is damaged, except one that has no
superblock yet: a run killed before its first flush completed, with nothing flushed to keep
(counted apart). With K = 1 the run flushes
every step, so that many kills land inside a flush. Prints each damaged file with HDF5's
complaint and its size, then the count. Not part of ctest (1,000 kills take about 15
minutes); docs/OUTPUT.md has the figures, the deterministic tests are `CommitDriver.*`.
"""
import argparse
import os
import random
import signal
import subprocess
import sys
import time

import h5py


def read_fully(path):
    """Reads every object of the file; raises what h5py raises for a damaged one."""
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                obj[()]
            else:
                list(obj.keys())
        list(f.keys())
        f.visititems(visit)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("salient")
    ap.add_argument("workdir")
    ap.add_argument("--kills", type=int, default=200)
    ap.add_argument("--snapshot-every", type=int, default=1)
    ap.add_argument("--scenario", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "configs", "ci.toml"))
    ap.add_argument("--after", type=float, nargs=2, default=(0.3, 1.2))
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    rng = random.Random(1)
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE")
    files = []
    for i in range(a.kills):
        out = os.path.join(a.workdir, f"k{i}.h5")
        for p in (out, out + ".checkpoint"):
            if os.path.exists(p):
                os.remove(p)
        proc = subprocess.Popen(
            [a.salient, "run", a.scenario, "-o", out, "--quiet", "--backend", "cpu",
             "--duration", "3600000", "--snapshot-every", str(a.snapshot_every)], env=env)
        time.sleep(rng.uniform(*a.after))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if os.path.exists(out):
            files.append(out)
        print(f"\r{i + 1}/{a.kills} killed", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    time.sleep(1)  # a commit writer that outlived its run finishes in microseconds
    damaged = unflushed = 0
    for out in files:
        with open(out, "rb") as f:
            if f.read(8) != b"\x89HDF\r\n\x1a\n":
                unflushed += 1
                continue
        try:
            read_fully(out)
        except Exception as e:  # h5py raises OSError, KeyError, RuntimeError, ValueError
            damaged += 1
            print(f"{out} ({os.path.getsize(out)} B): {e}")
    print(f"damaged {damaged} of {len(files)} files ({a.kills} kills; {unflushed} more killed "
          "before their first flush, with no superblock)")


if __name__ == "__main__":
    main()
