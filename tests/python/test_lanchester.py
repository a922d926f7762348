"""The validation arena against Lanchester's ODEs (analysis.lanchester).

The ODE solver is checked against the laws' invariants; the arena itself by running 20
replicates of each configs/arena scenario with the salient program named by SALIENT_EXE
(set by ctest) and comparing the mean strength with the ODE within 5 % at every recorded
time until one side falls below 10 % of its start. With 20,000 against 15,000 soldiers the
mean of 20 replicates has a relative standard error under 0.3 % even at the 10 % point, so
5 % is far outside the noise: a failure means a wrong law, rate or reinforcement time.
"""
from __future__ import annotations

import os
import subprocess

import numpy as np
import pytest

from analysis import lanchester
from analysis.io import NotASalientFile
from conftest import ROOT, make_run_file

EXE = os.environ.get("SALIENT_EXE", "")


def test_square_law_invariant():
    a, b = 0.002, 0.003
    t = np.linspace(0, 300, 31)
    y = lanchester.solve("square", (1000, 900), (a, b), t)
    invariant = a * y[:, 0] ** 2 - b * y[:, 1] ** 2
    np.testing.assert_allclose(invariant, invariant[0], rtol=1e-6)
    assert y[-1, 0] < 1000 and y[-1, 1] < 900


def test_linear_law_invariant():
    a, b = 1e-6, 2e-6
    t = np.linspace(0, 1000, 11)
    y = lanchester.solve("linear", (1000, 900), (a, b), t)
    np.testing.assert_allclose(a * (1000 - y[:, 0]), b * (900 - y[:, 1]), rtol=1e-6, atol=1e-9)


def test_reinforcement_added_just_after_its_time():
    t = np.array([0.0, 100.0, 100.5])
    y = lanchester.solve("square", (1000, 1000), (0.0, 0.0), t, [(100.0, 1, 250)])
    assert y[:, 1].tolist() == [1000, 1000, 1250]


def test_not_an_arena_run(tmp_path):
    path = make_run_file(tmp_path / "run.h5")
    with pytest.raises(NotASalientFile):
        lanchester.arena_params(path)
    assert lanchester.main([str(path)]) == 2


@pytest.mark.skipif(not os.path.isfile(EXE), reason="SALIENT_EXE does not name the salient program")
@pytest.mark.parametrize("law", ["square", "linear"])
def test_arena_matches_ode(law, tmp_path):
    scenario = os.path.join(ROOT, "configs", "arena", f"lanchester_{law}.toml")
    runs = []
    for seed in range(1, 21):
        out = tmp_path / f"{law}-{seed}.h5"
        subprocess.run([EXE, "run", scenario, "-o", str(out), "--seed", str(seed), "--quiet",
                        "--backend", "cpu"], check=True, timeout=300,
                       env=dict(os.environ, OMP_NUM_THREADS="1"))
        runs.append(str(out))
    c = lanchester.compare(runs)
    valid = c["valid"]
    assert valid.sum() >= len(valid) // 2, "the comparison covers at least half the run"
    worst = np.nanmax(c["rel_error"][valid])
    assert worst <= 0.05, f"largest relative error {worst:.4f}"
    # The reinforcement (5,000 for side 1 after 200 s) shows in the mean: a jump of about
    # 5,000 less one step's losses.
    i = int(np.searchsorted(c["times"], 200.0))
    jump = c["mean"][i + 1, 1] - c["mean"][i, 1]
    assert 4500 < jump < 5000
