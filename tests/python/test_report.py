"""Tests of analysis.report (HTML report) and analysis.xdmf (ParaView sidecar).

Synthetic run files come from conftest.make_run_file; set SALIENT_RUN_FILE=/path/run.h5 to
also check a real `salient run` output. The ParaView test runs tests/python/render_xdmf.py
with pvpython (under xvfb-run when there is no X display) and skips without pvpython.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import h5py
import numpy as np
import pytest

from analysis import report, xdmf
from analysis.io import read_settlement_events, read_settlements, snapshot_times
from conftest import ROOT, make_run_file

PY = sys.executable
DAY = 86400.0
REAL = os.environ.get("SALIENT_RUN_FILE", "")
needs_real = pytest.mark.skipif(not os.path.isfile(REAL),
                                reason="SALIENT_RUN_FILE does not name an existing salient output file")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def run_module(*args):
    return subprocess.run([PY, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def _is_png(path):
    with open(path, "rb") as f:
        return os.path.getsize(path) > 5000 and f.read(8) == PNG_SIGNATURE


# Events of a 2.25-day synthetic run (time in days, settlement, from, to) and what
# count_changes must make of them, per day.
EVENTS = [(0.0, 0, -1, 0),      # first occupation: not a change of hands
          (0.5, 0, 0, 1),       # day 0: taken by the other side
          (1.2, 1, -1, 1),      # from contested: not counted
          (1.3, 1, 1, -1),      # day 1: lost to contested
          (1.4, 0, 1, 0),       # day 1: taken
          (2.0, 0, 0, -1),      # day 2 (its first instant): lost to contested
          (2.25, 1, -1, 0)]     # at the end, from contested: not counted
TO_OTHER, TO_CONTESTED = [1, 1, 0], [0, 1, 1]


@pytest.fixture
def event_file(tmp_path):
    """A 2.25-day run (4 records, 0.75 days apart) with settlement events and strikes."""
    strikes = [(0.1 * DAY, 0, 500.0, 700.0), (0.2 * DAY, 0, 520.0, 710.0),
               (1.0 * DAY, 1, 1500.0, 800.0), (1.1 * DAY, 1, 99999.0, 800.0)]   # last: outside
    return make_run_file(str(tmp_path / "events.h5"), n=4, dt=0.75 * DAY, snapshot_steps=(0, 2, 3),
                         settlement_events=[(d * DAY, s, a, b) for d, s, a, b in EVENTS],
                         strikes=strikes)


# --- io readers ---------------------------------------------------------------------------
def test_read_events_and_settlements(event_file, run_file):
    ev = read_settlement_events(event_file)
    assert ev["settlement"].tolist() == [e[1] for e in EVENTS]
    assert ev["from"].tolist() == [e[2] for e in EVENTS] and ev["to"].tolist() == [e[3] for e in EVENTS]
    np.testing.assert_allclose(ev["time"], [e[0] * DAY for e in EVENTS])
    st = read_settlements(event_file)
    assert st["name"] == ["Alpha", "Beta"] and st["radius_m"].shape == (2,)
    assert read_settlement_events(run_file)["time"].shape == (0,)
    assert read_settlements(run_file)["name"] == []
    assert snapshot_times(event_file) == {0: 0.0, 2: 1.5 * DAY, 3: 2.25 * DAY}


# --- changes of hands -----------------------------------------------------------------------
def test_count_changes_per_day(event_file):
    ev = read_settlement_events(event_file)
    unit, to_other, to_contested = report.count_changes(ev, 2.25 * DAY)
    assert unit == "day"
    assert to_other.tolist() == TO_OTHER and to_contested.tolist() == TO_CONTESTED


def test_count_changes_per_hour():
    ev = {"time": np.array([0.0, 1800.0, 7000.0, 10800.0, 5000.0]),
          "from": np.array([-1, 0, 1, 0, 1]), "to": np.array([1, 1, 0, -1, 1])}
    unit, to_other, to_contested = report.count_changes(ev, 3 * 3600.0)
    assert unit == "hour"        # 3 h run: three bins; the event at the very end goes in the last
    assert to_other.tolist() == [1, 1, 0] and to_contested.tolist() == [0, 0, 1]
    unit, to_other, to_contested = report.count_changes({"time": [], "from": [], "to": []}, DAY)
    assert unit == "day" and to_other.tolist() == [0] and to_contested.tolist() == [0]


def test_parse_target():
    assert report.parse_target("1.5:2.0") == (1.5, 2.0, 2.0, 2.0)
    assert report.parse_target("3:4:3.5:5") == (3.0, 4.0, 3.5, 5.0)
    for bad in ("1", "a:b", "1:2:3", "1:2:2.5:3"):
        with pytest.raises(Exception):
            report.parse_target(bad)


# --- report ---------------------------------------------------------------------------------
def _check_report(index, outdir):
    assert os.path.basename(index) == "index.html"
    text = open(index, encoding="utf-8").read()
    for name, _ in report.FIGURES:
        path = os.path.join(outdir, name)
        assert _is_png(path), name
        assert f'src="{name}"' in text, name
    for word in ("seed", "backend", "git commit", "scenario", "wall time", "dt", "duration"):
        assert word in text, word
    return text


def test_report_writes_figures(event_file, tmp_path):
    out = tmp_path / "rep"
    index = report.make_report(event_file, out, targets=[(1.0, 1.5, 1.2, 1.8), (2.0, 2.0, 2.0, 2.0)])
    text = _check_report(index, out)
    assert "configs/test.toml" in text and "deadbeef" in text and "openmp" in text
    assert "Blue" in text and "Red" in text and "80/100" not in text   # HTML table, not the text one
    assert re.search(r"<td>Blue</td><td>100</td><td>85</td>", text)
    assert "calibration" in text.lower()


def test_report_without_events_or_snapshots(run_file, tmp_path):
    _check_report(report.make_report(run_file, tmp_path / "a"), tmp_path / "a")
    bare = make_run_file(str(tmp_path / "bare.h5"), snapshot_steps=())
    _check_report(report.make_report(bare, tmp_path / "b"), tmp_path / "b")


def test_report_cli(event_file, tmp_path):
    out = tmp_path / "cli"
    r = run_module("analysis.report", event_file, "-o", str(out), "--target", "1:1.5:1:2", "--target", "2:2")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == str(out / "index.html")
    _check_report(out / "index.html", out)
    bad = run_module("analysis.report", str(tmp_path / "missing.h5"), "-o", str(tmp_path / "x"))
    assert bad.returncode == 2 and "missing.h5" in bad.stderr and not (tmp_path / "x").exists()
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["x"] = [1]
    bad = run_module("analysis.report", str(tmp_path / "other.h5"), "-o", str(tmp_path / "x"))
    assert bad.returncode == 2 and "not a salient" in bad.stderr
    bad = run_module("analysis.report", event_file, "-o", str(tmp_path / "x"), "--target", "1:2:3")
    assert bad.returncode == 2 and "TIME_DAYS" in bad.stderr


# --- XDMF ------------------------------------------------------------------------------------
def check_xdmf(xmf, h5path):
    """Parse ``xmf`` and check it against ``h5path``; return the root element."""
    root = ET.parse(xmf).getroot()
    assert root.tag == "Xdmf" and root.get("Version", "").startswith("3")
    domain = root.find("Domain")
    times = snapshot_times(h5path)
    steps = sorted(times)
    rasters = domain.find("Grid[@Name='rasters']")
    assert rasters.get("GridType") == "Collection" and rasters.get("CollectionType") == "Temporal"
    grids = rasters.findall("Grid")
    assert len(grids) == len(steps)
    with h5py.File(h5path, "r") as f:
        a = f["salient"].attrs
        nx, ny, cell = int(a["nx"]), int(a["ny"]), float(a["cell_size_m"])
        for g, step in zip(grids, steps):
            assert float(g.find("Time").get("Value")) == pytest.approx(times[step])
            topo = g.find("Topology")
            assert topo.get("TopologyType") == "3DCoRectMesh"
            assert topo.get("Dimensions").split() == ["2", str(ny + 1), str(nx + 1)]
            origin, spacing = (d.text.split() for d in g.find("Geometry").findall("DataItem"))
            assert [float(v) for v in origin] == [0.0] * 3 and [float(v) for v in spacing] == [cell] * 3
            names = {x.get("Name") for x in g.findall("Attribute")}
            assert {"terrain", "control"} <= names
            meshes = f[f"data/{step}/meshes"]
            for side in meshes["presence"]:
                assert f"presence_{side}" in names
        agents = domain.find("Grid[@Name='agents']")
        with_agents = [s for s in steps if f"data/{s}/particles/agents/position/x" in f]
        assert len(agents.findall("Grid") if agents is not None else []) == len(with_agents)
        for g in (agents.findall("Grid") if agents is not None else []):
            n = int(g.find("Topology").get("NumberOfElements"))
            assert g.find("Topology").get("TopologyType") == "Polyvertex"
            assert len(g.find("Geometry").findall("DataItem")) == 3
            assert float(g.find("Time").get("Value")) in [pytest.approx(t) for t in times.values()]
            for at in g.findall("Attribute"):
                assert at.get("Center") == "Node" and at.find("DataItem").get("Dimensions") == str(n)
        items = [d for d in root.iter("DataItem") if d.get("Format") == "HDF"]
        assert items
        base = os.path.dirname(os.path.abspath(xmf))
        for d in items:
            fname, dpath = d.text.strip().split(":", 1)
            assert os.path.samefile(os.path.join(base, fname), h5path)
            assert dpath in f, dpath
            ds = f[dpath]
            dims = tuple(int(v) for v in d.get("Dimensions").split())
            assert dims in (ds.shape, (1,) + ds.shape), (dpath, dims, ds.shape)
            if len(dims) == 3:                            # cell data of the one-cell-thick mesh
                assert dims == (1, ny, nx)
            assert (d.get("NumberType"), int(d.get("Precision"))) == xdmf.number_type(ds.dtype), dpath
    return root


def test_number_types():
    nt = xdmf.number_type
    assert nt(np.uint8) == ("UChar", 1) and nt(np.int8) == ("Char", 1)
    assert nt(np.uint16) == ("UShort", 2) and nt(np.int16) == ("Short", 2)
    assert nt(np.int32) == ("Int", 4) and nt(np.uint32) == ("UInt", 4) and nt(np.int64) == ("Int", 8)
    assert nt(np.float32) == ("Float", 4) and nt(np.float64) == ("Float", 8)


def test_xdmf_synthetic(event_file, tmp_path):
    out = xdmf.write_xdmf(event_file)
    assert out == os.path.splitext(event_file)[0] + ".xmf"
    root = check_xdmf(out, event_file)
    times = [float(g.find("Time").get("Value")) for g in root.find("Domain/Grid[@Name='rasters']")]
    assert times == [0.0, 1.5 * DAY, 2.25 * DAY]
    # elsewhere: the .h5 is referenced relative to the .xmf
    other = xdmf.write_xdmf(event_file, tmp_path / "sub" / "side.xmf")
    check_xdmf(other, event_file)
    assert "../events.h5:/data/0/meshes/control" in open(other).read()


def test_xdmf_without_agents_or_snapshots(tmp_path):
    path = make_run_file(str(tmp_path / "noagents.h5"), agents=False)
    root = check_xdmf(xdmf.write_xdmf(path), path)
    assert root.find("Domain/Grid[@Name='agents']") is None
    path = make_run_file(str(tmp_path / "nosnap.h5"), snapshot_steps=())
    root = ET.parse(xdmf.write_xdmf(path)).getroot()
    assert root.find("Domain/Grid[@Name='rasters']").findall("Grid") == []


def test_xdmf_cli(run_file, tmp_path):
    r = run_module("analysis.xdmf", run_file)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == os.path.splitext(run_file)[0] + ".xmf"
    out = tmp_path / "x.xmf"
    r = run_module("analysis.xdmf", run_file, "-o", str(out))
    assert r.returncode == 0 and out.is_file()
    bad = run_module("analysis.xdmf", str(tmp_path / "missing.h5"))
    assert bad.returncode == 2 and "missing.h5" in bad.stderr
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["x"] = [1]
    bad = run_module("analysis.xdmf", str(tmp_path / "other.h5"))
    assert bad.returncode == 2 and "not a salient" in bad.stderr
    assert not (tmp_path / "other.xmf").exists()


# --- ParaView ----------------------------------------------------------------------------------
def pvpython_command():
    """argv prefix that runs pvpython able to render, or None."""
    pv = shutil.which("pvpython")
    if pv is None:
        return None
    if os.environ.get("DISPLAY"):
        return [pv]
    xvfb = shutil.which("xvfb-run")   # Debian's ParaView renders through GLX only
    return [xvfb, "-a", pv] if xvfb else None


@pytest.mark.skipif(pvpython_command() is None,
                    reason="pvpython (ParaView) not installed, or no X display and no xvfb-run")
def test_paraview_renders_control(event_file, tmp_path):
    xmf = xdmf.write_xdmf(event_file)
    png = tmp_path / "control.png"
    script = os.path.join(ROOT, "tests", "python", "render_xdmf.py")
    for _ in range(3):   # xvfb-run -a now and then hands out a display that is not up yet
        r = subprocess.run(pvpython_command() + [script, xmf, str(png)], capture_output=True,
                           text=True, timeout=300, cwd=str(tmp_path))
        if r.returncode == 0 or "bad X server connection" not in r.stdout + r.stderr:
            break
    assert r.returncode == 0, r.stdout + r.stderr
    assert "control at t=" in r.stdout and png.is_file()
    with open(png, "rb") as f:
        assert f.read(8) == PNG_SIGNATURE


# --- a real run file, if one is given ---------------------------------------------------------
@needs_real
def test_real_report_and_xdmf(tmp_path):
    index = report.make_report(REAL, tmp_path / "rep", targets=[(0.01, 1.0, 0.5, 1.5)])
    _check_report(index, tmp_path / "rep")
    xmf = xdmf.write_xdmf(REAL, tmp_path / "real.xmf")
    check_xdmf(xmf, REAL)
    ev = read_settlement_events(REAL)
    dur = float(h5py.File(REAL, "r")["timeseries/time"][-1])
    unit, to_other, to_contested = report.count_changes(ev, dur)
    changed = (ev["from"] >= 0) & (ev["to"] != ev["from"])
    assert int(to_other.sum() + to_contested.sum()) == int(changed.sum())
