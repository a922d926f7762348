"""Writes malformed inputs of `salient resume` (outputs and checkpoints) and their manifest.

Usage: make_resume_corpus.py SALIENT SCENARIO WORKDIR

Runs SCENARIO briefly to get a real output and checkpoint, marks the output unfinished, and
writes one damaged copy of the pair per case into WORKDIR/corpus, plus WORKDIR/manifest.txt in
tests/hostile/manifest.txt's format (run by tests/hostile/run_hostile.py): every case must exit
2 with a message naming the file and the defect, without a crash. The corpus is generated at
test time because a checkpoint's arrays follow the model's state, which changes with the code.
"""
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

SALIENT, SCENARIO, WORK = sys.argv[1:4]
CORPUS = os.path.join(WORK, "corpus")
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(CORPUS)
base = os.path.join(WORK, "base.h5")
subprocess.run([SALIENT, "run", SCENARIO, "-o", base, "-q", "--duration", "200",
                "--snapshot-every", "10", "--checkpoint-every", "5"], check=True)
with h5py.File(base, "r+") as f:  # as if killed after its last checkpoint
    f["salient"].attrs.create("complete", 0, dtype="u1")
    f["salient"].attrs["status"] = np.bytes_("running")

cases = []  # (name, expected text)


def case(name, expected, output=None, checkpoint=None):
    """Copies the base pair as NAME.h5 and applies output(f) / checkpoint(f) to the copies."""
    path = os.path.join(CORPUS, name + ".h5")
    shutil.copy(base, path)
    shutil.copy(base + ".checkpoint", path + ".checkpoint")
    for fn, target in ((output, path), (checkpoint, path + ".checkpoint")):
        if fn is None:
            continue
        if isinstance(fn, bytes):
            with open(target, "wb") as out:
                out.write(fn)
        elif fn == "truncate":
            size = os.path.getsize(target)
            with open(target, "r+b") as out:
                out.truncate(size // 2)
        else:
            with h5py.File(target, "r+") as f:
                fn(f)
    cases.append((path, expected))


def setattr_(obj, name, value, dtype=None):
    def f(h):
        if name in h[obj].attrs:
            del h[obj].attrs[name]
        if value is not None:
            h[obj].attrs.create(name, value, dtype=dtype)
    return f


def replace_dataset(name, data):
    def f(h):
        del h[name]
        h[name] = data
    return f


def edit_dataset(name, fn):
    def f(h):
        v = h[name][()]
        fn(v)
        h[name][...] = v
    return f


fixed = lambda s: np.bytes_(s)  # noqa: E731  a fixed-length string attribute

# The output file: where the run's scenario and settings come from.
case("o01_not_hdf5", "not an HDF5 file", output=b"this is not HDF5\n")
case("o02_empty", "not an HDF5 file", output=b"")
case("o03_truncated", "output", output="truncate")
case("o04_no_salient_group", "/salient: group missing", output=lambda h: h.__delitem__("salient"))
case("o05_no_scenario_text", "scenario_text: attribute missing",
     output=setattr_("salient", "scenario_text", None))
case("o06_scenario_text_not_toml", "the stored scenario",
     output=setattr_("salient", "scenario_text", fixed("[run\nseed = ")))
case("o07_seed_is_text", "seed: expected one integer value",
     output=setattr_("salient", "seed", fixed("42")))
case("o08_duration_nan", "duration_s", output=setattr_("salient", "duration_s", np.nan))
case("o09_snapshot_every_zero", "snapshot_every: expected >= 1",
     output=setattr_("salient", "snapshot_every", 0, dtype="i8"))
case("o10_complete_missing", "complete: attribute missing",
     output=setattr_("salient", "complete", None))
case("o11_no_timeseries", "not the output of a salient run",
     output=lambda h: h.__delitem__("timeseries"))
case("o12_timeseries_shorter", "the checkpoint expects at least",
     output=lambda h: h["timeseries/step"].resize((3,)))
case("o13_scenario_text_variable_length", "expected one fixed-length string",
     output=setattr_("salient", "scenario_text", "[run]\nseed = 1\n"))
case("o14_scenario_invalid_value", "the stored scenario",
     output=lambda h: h["salient"].attrs.__setitem__(
         "scenario_text",
         fixed(h["salient"].attrs["scenario_text"].decode().replace("dt = ", "dt = -"))))

# The checkpoint beside it.
case("c01_not_hdf5", "cannot open it as HDF5", checkpoint=b"\x89HDF\r\n\x1a\n garbage")
case("c02_empty", "not an HDF5 file", checkpoint=b"")
case("c03_truncated", "checkpoint", checkpoint="truncate")
case("c04_not_a_checkpoint", "format: not a salient checkpoint",
     checkpoint=setattr_("/", "format", fixed("something else")))
case("c05_future_version", "format_version: version 99",
     checkpoint=setattr_("/", "format_version", 99, dtype="i4"))
case("c06_negative_step", "step: negative", checkpoint=setattr_("/", "step", -3, dtype="i8"))
case("c07_step_after_end", "after the end of the run",
     checkpoint=setattr_("/", "step", 10**6, dtype="i8"))
case("c08_other_scenario", "belongs to another run",
     checkpoint=setattr_("/", "scenario_sha256", fixed("0" * 64)))
case("c09_other_seed", "belongs to another run",
     checkpoint=setattr_("/", "seed", 12345, dtype="u8"))
case("c10_state_x_missing", "state/x: dataset missing",
     checkpoint=lambda h: h.__delitem__("state/x"))
case("c11_state_x_shorter", "state/x: 3 elements",
     checkpoint=replace_dataset("state/x", np.zeros(3, dtype="f4")))
case("c12_state_x_integers", "state/x: wrong element type",
     checkpoint=lambda h: replace_dataset("state/x", h["state/x"][()].astype("i4"))(h))
case("c13_state_x_nan", "'x', element 0: expected a finite value",
     checkpoint=edit_dataset("state/x", lambda v: v.__setitem__(0, np.nan)))
case("c14_state_x_2d", "state/x: expected a one-dimensional array",
     checkpoint=lambda h: replace_dataset("state/x", h["state/x"][()].reshape(1, -1))(h))
case("c15_target_out_of_range", "'target', element 0",
     checkpoint=edit_dataset("state/target", lambda v: v.__setitem__(0, 2**30)))
case("c16_other_sides", "'side' differs from this scenario's",
     checkpoint=edit_dataset("state/side", lambda v: v.__setitem__(0, 1 - v[0])))
case("c17_more_rows_than_output", "the checkpoint expects at least",
     checkpoint=setattr_("/", "series_rows", 10**9, dtype="i8"))
case("c18_state_is_a_dataset", "state/",
     checkpoint=lambda h: (h.__delitem__("state"), h.create_dataset("state", data=[1, 2])))
case("c19_time_nan", "time_s: expected a finite time",
     checkpoint=setattr_("/", "time_s", np.nan))
case("c20_step_is_text", "step: expected one integer value",
     checkpoint=setattr_("/", "step", fixed("20")))
case("c21_unknown_status", "'status', element 0",
     checkpoint=edit_dataset("state/status", lambda v: v.__setitem__(0, 200)))
case("c22_huge_morale", "'morale', element 0",
     checkpoint=edit_dataset("state/morale", lambda v: v.__setitem__(0, 1e30)))

with open(os.path.join(WORK, "manifest.txt"), "w", encoding="utf-8") as m:
    m.write("# Generated by tests/reliability/make_resume_corpus.py\n")
    m.write(f"{base} | resume {{file}} --backend cpu | resuming | 0\n")  # control: the base works
    for path, expected in cases:
        m.write(f"{path} | resume {{file}} --backend cpu | {expected}\n")
print(f"{len(cases)} malformed resume inputs in {CORPUS}")
