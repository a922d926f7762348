"""Tests of the analysis package on synthetic run files (see conftest.make_run_file).

Set SALIENT_RUN_FILE=/path/to/run.h5 to also check a real `salient run` output.
"""
from __future__ import annotations

import os
import subprocess
import sys

import h5py
import numpy as np
import pytest

from analysis import openpmd_check, plot
from analysis.io import NotASalientFile, read_mesh, read_run, read_strikes, snapshot_steps
from analysis.summary import format_summary, summary
from conftest import ROOT, make_run_file

PY = sys.executable  # the interpreter running pytest (/usr/bin/python3 by project rule)


def run_module(*args):
    """Run `python3 -m <args>` from the repository root, as a user would."""
    return subprocess.run([PY, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


# --- io -----------------------------------------------------------------------------
def test_read_run(run_file):
    run = read_run(run_file)
    assert run.sides == ["Blue", "Red"]
    np.testing.assert_allclose(run.time_h, np.arange(5) * 60.0 / 3600.0)
    assert run.step.tolist() == [0, 1, 2, 3, 4]
    assert run.strength.shape == (5, 2)
    assert run.strength[:, 0].tolist() == [100, 95, 90, 85, 80]
    assert run.casualties[-1].tolist() == [20, 12]
    np.testing.assert_allclose(run.area_held_km2[-1], [2.0, 1.0])
    assert run.attrs["cell_size_m"] == 250.0 and run.attrs["backend"] == "openmp"
    assert run.attrs["sides"] == ["Blue", "Red"]
    with pytest.raises(AttributeError):
        run.no_such_series


def test_snapshots_and_meshes(run_file):
    assert snapshot_steps(run_file) == [0, 4]
    control = read_mesh(run_file, 4, "control")
    assert control.shape == (6, 8) and control.dtype == np.int8
    assert control[0, 0] == 0 and control[0, 7] == 1 and (control[-1] == -1).all()
    assert read_mesh(run_file, 0, "terrain").max() == 4
    assert (read_mesh(run_file, 4, "presence", "Red") == 2).all()
    assert (read_mesh(run_file, 4, "presence", 0) == 1).all()
    with pytest.raises(KeyError):
        read_mesh(run_file, 4, "presence")
    with pytest.raises(KeyError):
        read_mesh(run_file, 3, "control")


def test_not_a_salient_file(tmp_path):
    with pytest.raises(NotASalientFile):
        read_run(tmp_path / "missing.h5")
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["x"] = [1, 2]
    with pytest.raises(NotASalientFile):
        read_run(tmp_path / "other.h5")
    (tmp_path / "text.h5").write_text("not hdf5")
    with pytest.raises(NotASalientFile):
        read_run(tmp_path / "text.h5")


# --- summary ------------------------------------------------------------------------
def test_summary_numbers(run_file):
    blue, red = summary(run_file)
    assert (blue["side"], blue["initial"], blue["final"]) == ("Blue", 100, 80)
    assert (blue["wounded"], blue["killed"], blue["casualties"]) == (8, 12, 20)
    assert blue["area_km2"] == pytest.approx(2.0)
    assert (red["side"], red["initial"], red["final"], red["casualties"]) == ("Red", 80, 68, 12)
    assert red["area_km2"] == pytest.approx(1.0)
    assert red["time_h"] == pytest.approx(4 / 60)
    text = format_summary([blue, red])
    assert "Blue" in text and "80/100" in text and "68/80" in text


def test_summary_cli(run_file, tmp_path):
    r = run_module("analysis.summary", run_file)
    assert r.returncode == 0, r.stderr
    assert "Red" in r.stdout and "2.00" in r.stdout
    assert run_module("analysis.summary", str(tmp_path / "missing.h5")).returncode == 2


# --- plot ---------------------------------------------------------------------------
def _is_png(path):
    with open(path, "rb") as f:
        return os.path.getsize(path) > 1000 and f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_plot_writes_png(run_file, tmp_path):
    out = tmp_path / "out.png"
    assert plot.plot_run(run_file, out) == str(out)
    assert _is_png(out)


def test_plot_without_snapshots(tmp_path):
    path = make_run_file(str(tmp_path / "bare.h5"), snapshot_steps=())
    out = tmp_path / "bare.png"
    plot.plot_run(path, out)
    assert _is_png(out)


def test_plot_cli(run_file, tmp_path):
    out = tmp_path / "cli.png"
    r = run_module("analysis.plot", run_file, "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(out) and _is_png(out)
    bad = run_module("analysis.plot", str(tmp_path / "missing.h5"), "-o", str(tmp_path / "x.png"))
    assert bad.returncode == 2 and "missing.h5" in bad.stderr
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["x"] = [1]
    bad = run_module("analysis.plot", str(tmp_path / "other.h5"), "-o", str(tmp_path / "x.png"))
    assert bad.returncode == 2 and "not a salient" in bad.stderr
    assert not (tmp_path / "x.png").exists()


# --- openPMD check --------------------------------------------------------------------
def test_openpmd_good(run_file, tmp_path):
    assert openpmd_check.check(run_file) == []
    assert openpmd_check.check(make_run_file(str(tmp_path / "noagents.h5"), agents=False)) == []
    assert openpmd_check.check(make_run_file(str(tmp_path / "nosnap.h5"), snapshot_steps=())) == []


def _del(obj, name):
    del obj.attrs[name]


def _set(obj, name, value):
    """Replace an attribute, type and shape included (attrs.modify keeps the old ones)."""
    obj.attrs[name] = value


MUTATIONS = {
    "root openPMD": (lambda f: _del(f, "openPMD"), "openPMD"),
    "openPMD version": (lambda f: _set(f, "openPMD", np.bytes_("2.0")), "openPMD"),
    "extension type": (lambda f: _set(f, "openPMDextension", np.int64(0)), "openPMDextension"),
    "basePath": (lambda f: _del(f, "basePath"), "basePath"),
    "meshesPath": (lambda f: _del(f, "meshesPath"), "meshesPath"),
    "iterationEncoding": (lambda f: _set(f, "iterationEncoding", np.bytes_("bad")), "iterationEncoding"),
    "timeUnitSI": (lambda f: _del(f["data/4"], "timeUnitSI"), "timeUnitSI"),
    "dt": (lambda f: _del(f["data/0"], "dt"), "dt"),
    "mesh unitDimension": (lambda f: _del(f["data/4/meshes/control"], "unitDimension"), "unitDimension"),
    "unitDimension length": (lambda f: _set(f["data/4/meshes/terrain"], "unitDimension", np.zeros(6)),
                             "unitDimension"),
    "geometry": (lambda f: _del(f["data/4/meshes/terrain"], "geometry"), "geometry"),
    "axisLabels": (lambda f: _del(f["data/4/meshes/presence"], "axisLabels"), "axisLabels"),
    "gridSpacing": (lambda f: _set(f["data/4/meshes/presence"], "gridSpacing", np.array([1.0])),
                    "gridSpacing"),
    "gridGlobalOffset int": (lambda f: _set(f["data/4/meshes/control"], "gridGlobalOffset",
                                            np.array([0, 0], dtype=np.int64)), "gridGlobalOffset"),
    "gridUnitSI": (lambda f: _del(f["data/0/meshes/terrain"], "gridUnitSI"), "gridUnitSI"),
    "timeOffset": (lambda f: _del(f["data/0/meshes/terrain"], "timeOffset"), "timeOffset"),
    "component unitSI": (lambda f: _del(f["data/4/meshes/presence/Red"], "unitSI"), "unitSI"),
    "component position": (lambda f: _del(f["data/4/meshes/presence/Blue"], "position"), "position"),
    "positionOffset": (lambda f: f.__delitem__("data/4/particles/agents/positionOffset"), "positionOffset"),
    "position": (lambda f: f.__delitem__("data/4/particles/agents/position"), "position"),
    "particle unitDimension": (lambda f: _del(f["data/4/particles/agents/position"], "unitDimension"),
                               "unitDimension"),
    "particle unitSI": (lambda f: _del(f["data/4/particles/agents/position/x"], "unitSI"), "unitSI"),
    "constant shape": (lambda f: _del(f["data/4/particles/agents/positionOffset/y"], "shape"), "shape"),
    "scalar record": (lambda f: _del(f["data/4/particles/agents/health"], "timeOffset"), "timeOffset"),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_openpmd_detects(name, run_file):
    mutate, word = MUTATIONS[name]
    with h5py.File(run_file, "r+") as f:
        mutate(f)
    problems = openpmd_check.check(run_file)
    assert problems, f"{name}: no problem reported"
    assert any(word in p for p in problems), problems


def test_openpmd_cli(run_file, tmp_path):
    r = run_module("analysis.openpmd_check", run_file)
    assert (r.returncode, r.stdout.strip()) == (0, "ok")
    with h5py.File(run_file, "r+") as f:
        del f["data/4/meshes/control"].attrs["unitDimension"]
    r = run_module("analysis.openpmd_check", run_file)
    assert r.returncode == 1 and "/data/4/meshes/control" in r.stdout and "unitDimension" in r.stdout
    assert run_module("analysis.openpmd_check", str(tmp_path / "missing.h5")).returncode == 2


# --- a real run file, if one is given -----------------------------------------------------
@pytest.mark.skipif(not os.path.isfile(os.environ.get("SALIENT_RUN_FILE", "")),
                    reason="SALIENT_RUN_FILE does not name an existing salient output file")
def test_real_run_file(tmp_path):
    path = os.environ["SALIENT_RUN_FILE"]
    assert openpmd_check.check(path) == []
    run = read_run(path)
    n = len(run.time_h)
    assert len(run.sides) == 2 and n > 0 and run.step.shape == (n,)
    for name, a in run.series.items():
        assert a.shape == (n, 2), name
    assert np.all(np.diff(run.time_h) >= 0)
    assert np.all(run.strength >= 0) and np.all(run.casualties >= 0)
    steps = snapshot_steps(path)
    if steps:
        nx, ny = int(run.attrs["nx"]), int(run.attrs["ny"])
        assert read_mesh(path, steps[-1], "control").shape == (ny, nx)
    rows = summary(path)
    assert len(rows) == 2
    strikes = read_strikes(path)
    if "strikes_total" in run.series:  # fire support: the events table matches the series
        for i in range(2):
            assert int(np.sum(strikes["side"] == i)) == rows[i]["strikes"]
        assert len({len(v) for k, v in strikes.items() if k != "asset_names"}) == 1
    plot.plot_run(path, tmp_path / "real.png")
    assert _is_png(tmp_path / "real.png")


def test_read_strikes_without_fire_support(run_file):
    strikes = read_strikes(run_file)
    assert strikes["step"].shape == (0,) and strikes["asset_names"] == []
    assert summary(run_file)[0]["strikes"] == 0
