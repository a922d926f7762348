"""The ensemble commands end to end: salient plan, run --plan, aggregate, ensemble (MPI).

Run by ctest (test `ensemble_cli`) with SALIENT_EXE set to the built program.
"""
import csv
import hashlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import h5py
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXE = os.environ.get("SALIENT_EXE", str(ROOT / "build" / "salient"))
CI = ROOT / "configs" / "ci.toml"
KURSK_CI = ROOT / "configs" / "kursk" / "ci.toml"
ENV = dict(os.environ, OMP_WAIT_POLICY="PASSIVE", OMP_NUM_THREADS="1")


def salient(*args, check=True, cwd=None):
    """Runs the program; returns the CompletedProcess (stdout and stderr as text)."""
    r = subprocess.run([EXE, *map(str, args)], capture_output=True, text=True, env=ENV, cwd=cwd)
    if check and r.returncode != 0:
        raise AssertionError(f"salient {' '.join(map(str, args))} -> {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


def series(path):
    """Every /timeseries dataset of a run file, as numpy arrays."""
    with h5py.File(path, "r") as f:
        return {k: f["timeseries"][k][()] for k in f["timeseries"]}


def digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """2 design points x 3 replicates of the ci scenario, run and aggregated."""
    d = tmp_path_factory.mktemp("sweep")
    salient("plan", CI, "-o", d / "sweep.toml", "--replicates", 3,
            "--vary", "model.control_radius=50:100", "--design", "grid", "--levels", 2)
    salient("run", "--plan", d / "sweep.toml", "--task", "all", "--backend", "cpu", "-q")
    salient("aggregate", d / "sweep", "-o", d / "summary.h5")
    return d


def test_aggregated_statistics_equal_those_computed_from_the_task_files(sweep):
    files = sorted((sweep / "sweep").glob("task_*.h5"))
    assert len(files) == 6
    runs = []
    for f in files:
        with h5py.File(f, "r") as h:
            plan = h["salient/plan"].attrs
            runs.append((int(plan["point"]), float(plan["values"][0]), series(f)))
    t975_df2 = 4.302652729911275  # Student's t, 97.5 % quantile, 2 degrees of freedom (tables)
    with h5py.File(sweep / "summary.h5", "r") as s:
        assert s.attrs["tasks_found"] == 6 and s.attrs["tasks_expected"] == 6
        assert list(s["points/values"][:, 0]) == [50.0, 100.0]
        assert list(s["points/replicates"]) == [3, 3]
        observables = [k for k in runs[0][2] if runs[0][2][k].ndim == 2]
        assert {"strength", "killed", "area_held_km2", "changes_of_hands"} <= set(observables)
        for point in (0, 1):
            reps = [r[2] for r in runs if r[0] == point]
            assert len(reps) == 3
            g = s[f"bands/point_{point:04d}"]
            np.testing.assert_array_equal(g["time"][()], reps[0]["time"])
            assert set(g["n"][()]) == {3}
            for obs in observables:
                x = np.stack([r[obs].astype(np.float64) for r in reps])  # [rep, time, side]
                mean, sd = x.mean(axis=0), x.std(axis=0, ddof=1)
                np.testing.assert_allclose(g[obs]["mean"][()], mean, rtol=1e-12, atol=1e-12, err_msg=obs)
                np.testing.assert_allclose(g[obs]["std"][()], sd, rtol=1e-9, atol=1e-12, err_msg=obs)
                half = t975_df2 * sd / np.sqrt(3)
                np.testing.assert_allclose(g[obs]["ci95_lo"][()], mean - half, rtol=1e-8, atol=1e-9)
                np.testing.assert_allclose(g[obs]["ci95_hi"][()], mean + half, rtol=1e-8, atol=1e-9)
                np.testing.assert_allclose(g[obs]["p2_5"][()], np.quantile(x, 0.025, axis=0), rtol=1e-12, atol=1e-12)
                np.testing.assert_allclose(g[obs]["p97_5"][()], np.quantile(x, 0.975, axis=0), rtol=1e-12, atol=1e-12)
        # Final values per task, with the factor value: the regression table.
        fin = s["final"]
        for i, (point, value, ts) in enumerate(runs):
            assert fin["point"][i] == point and fin["factors"][i, 0] == value
            np.testing.assert_array_equal(fin["strength"][i], ts["strength"][-1])
            np.testing.assert_array_equal(fin["area_held_km2"][i], ts["area_held_km2"][-1])
    rows = list(csv.DictReader(open(sweep / "summary_final.csv")))
    assert len(rows) == 6
    assert float(rows[4]["model.control_radius"]) == runs[4][1]
    assert float(rows[4]["strength_defender"]) == runs[4][2]["strength"][-1][1]
    bands = list(csv.DictReader(open(sweep / "summary_bands.csv")))
    assert len(bands) == 2 * len(runs[0][2]["time"]) * len(observables) * 2


def test_plan_is_reproducible_and_its_seed_changes_every_task_seed(tmp_path):
    args = ["--replicates", 4, "--vary", "side.defender.count=200:400", "--design", "lhs", "--points", 5]
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        salient("plan", CI, "-o", tmp_path / name / "p.toml", *args)
    assert (tmp_path / "a" / "p.toml").read_text() == (tmp_path / "b" / "p.toml").read_text()
    salient("plan", CI, "-o", tmp_path / "c.toml", "--seed", 99, *args)
    seeds = lambda p: [l for l in p.read_text().splitlines() if l.startswith("seed = ")][1:]
    a, c = seeds(tmp_path / "a" / "p.toml"), seeds(tmp_path / "c.toml")
    assert len(a) == 20 and len(set(a)) == 20
    assert not set(a) & set(c)


def test_unknown_key_is_an_error_before_anything_runs(tmp_path):
    r = salient("plan", CI, "-o", tmp_path / "p.toml", "--vary", "model.control_radus=1:2", check=False)
    assert r.returncode == 2
    assert "control_radus" in r.stderr and "did you mean 'control_radius'" in r.stderr
    assert not (tmp_path / "p.toml").exists()


def test_killed_task_is_completed_by_rerunning_the_plan_without_touching_the_others(tmp_path):
    salient("plan", KURSK_CI, "-o", tmp_path / "p.toml", "--replicates", 3)
    out = tmp_path / "p"
    for task in (0, 2):
        salient("run", "--plan", tmp_path / "p.toml", "--task", task, "--backend", "cpu", "-q")
    before = {t: (os.stat(out / f"task_00000{t}.h5").st_mtime_ns, digest(out / f"task_00000{t}.h5")) for t in (0, 2)}
    part = out / ".task_000001.h5.part"
    child = subprocess.Popen([EXE, "run", "--plan", tmp_path / "p.toml", "--task", "1", "--backend", "cpu", "-q"],
                             env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Into the run, past its first snapshot and checkpoint (about 0.25 s of a 0.5 s run on
    # one thread): a fixed wait after the file appeared could outlast the run.
    checkpoint = out / ".task_000001.h5.part.checkpoint"
    deadline = time.time() + 30
    while not checkpoint.exists() and child.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    assert child.poll() is None, "the task ended before it could be killed"
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert part.exists() and not (out / "task_000001.h5").exists()
    r = salient("run", "--plan", tmp_path / "p.toml", "--task", "all", "--backend", "cpu", "-q")
    assert "task 0 already complete" in r.stdout and "task 2 already complete" in r.stdout
    assert "task 1 done" in r.stdout
    assert not part.exists()
    for t in (0, 2):
        assert (os.stat(out / f"task_00000{t}.h5").st_mtime_ns, digest(out / f"task_00000{t}.h5")) == before[t]
    # The completed task is the run that was never killed (same seed, same result).
    salient("run", "--plan", tmp_path / "p.toml", "--task", 1, "-o", tmp_path / "ref", "--backend", "cpu", "-q")
    a, b = series(out / "task_000001.h5"), series(tmp_path / "ref" / "task_000001.h5")
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


@pytest.mark.skipif(shutil.which("mpirun") is None, reason="mpirun not installed (scripts/setup.sh installs OpenMPI)")
def test_mpi_ensemble_runs_every_task_like_the_sequential_run_and_retries_a_failure_once(tmp_path):
    env = dict(ENV, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    salient("plan", CI, "-o", tmp_path / "p.toml", "--replicates", 2,
            "--vary", "side.defender.count=200:400", "--design", "grid", "--levels", 2)
    # Task 3 cannot start: its temporary name is taken by a folder that is not empty.
    blocker = tmp_path / "p" / ".task_000003.h5.part"
    blocker.mkdir(parents=True)
    (blocker / "x").write_text("")
    mpi = ["mpirun", "-np", "2", EXE, "ensemble", tmp_path / "p.toml", "--backend", "cpu", "--threads", "1"]
    r = subprocess.run(list(map(str, mpi)), capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode != 0, r.stdout + r.stderr
    assert "task 3 failed on rank 1" in r.stderr and "retrying it once" in r.stderr
    assert "task 3 failed again" in r.stderr
    assert sorted(p.name for p in (tmp_path / "p").glob("task_*.h5")) == [f"task_00000{i}.h5" for i in range(3)]
    shutil.rmtree(blocker)
    r = subprocess.run(list(map(str, mpi)), capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "1 task(s) run, 3 already complete, 0 failed" in r.stdout
    salient("run", "--plan", tmp_path / "p.toml", "--task", "all", "-o", tmp_path / "seq", "--backend", "cpu", "-q")
    for i in range(4):
        a, b = series(tmp_path / "p" / f"task_00000{i}.h5"), series(tmp_path / "seq" / f"task_00000{i}.h5")
        for k in a:
            np.testing.assert_array_equal(a[k], b[k], err_msg=f"task {i} {k}")
