"""Fixtures for the analysis tests: a small synthetic salient run file.

``make_run_file`` writes a file that follows the layout documented in
analysis/io.py (and written by ``salient run``) exactly, with known numbers.
"""
from __future__ import annotations

import os
import sys

import h5py
import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:          # so `import analysis` works without installing
    sys.path.insert(0, ROOT)

SIDES = ("Blue", "Red")


def _fixed(s: str):
    """A fixed-length ASCII string, as the C++ writer stores them."""
    return np.bytes_(s)


def _mesh_attrs(obj, cell, with_component=True):
    a = obj.attrs
    a["geometry"] = _fixed("cartesian")
    a["dataOrder"] = _fixed("C")
    a["axisLabels"] = np.array([b"y", b"x"], dtype="S1")
    a["gridSpacing"] = np.array([cell, cell], dtype=np.float64)
    a["gridGlobalOffset"] = np.array([0.0, 0.0], dtype=np.float64)
    a["gridUnitSI"] = np.float64(1.0)
    a["unitDimension"] = np.zeros(7, dtype=np.float64)
    a["timeOffset"] = np.float32(0.0)
    if with_component:
        _component_attrs(obj)


def _component_attrs(ds):
    ds.attrs["unitSI"] = np.float64(1.0)
    ds.attrs["position"] = np.array([0.5, 0.5], dtype=np.float32)


def make_run_file(path, n=5, nx=8, ny=6, cell=250.0, dt=60.0,
                  snapshot_steps=(0, 4), agents=True, sides=SIDES,
                  settlement_events=None, strikes=None):
    """Write a synthetic run file and return ``path``.

    Time series (step k = 0..n-1, time = k * dt seconds):
    strength = [100 - 5k, 80 - 3k], wounded = [2k, k], killed = [3k, 2k],
    area_held_km2 = [1.0 + 0.25k, 2.0 - 0.25k].
    The control raster of every snapshot: left half side 0, right half side 1,
    top row nobody.

    ``settlement_events``: rows (time_s, settlement, from, to) written to
    /events/settlement_control (step = time // dt); ``strikes``: rows (time_s, side,
    impact_x, impact_y) written to /events/strikes (other columns 0). Either one also
    writes /settlements with two settlements, "Alpha" and "Beta". Both None (the
    default): none of these groups, as in a file from before they existed.
    """
    k = np.arange(n)
    with h5py.File(path, "w") as f:
        r = f.attrs
        r["openPMD"] = _fixed("1.1.0")
        r["openPMDextension"] = np.uint32(0)
        r["basePath"] = _fixed("/data/%T/")
        r["meshesPath"] = _fixed("meshes/")
        r["particlesPath"] = _fixed("particles/")
        r["iterationEncoding"] = _fixed("groupBased")
        r["iterationFormat"] = _fixed("/data/%T/")
        r["software"] = _fixed("salient")
        r["softwareVersion"] = _fixed("0.1.0")
        r["date"] = _fixed("2024-01-01 00:00:00 +0000")

        s = f.create_group("salient").attrs
        s["version"] = _fixed("0.1.0")
        s["git_commit"] = _fixed("deadbeef")
        s["backend"] = _fixed("openmp")
        s["threads"] = np.int32(4)
        s["seed"] = np.uint64(42)
        s["scenario_path"] = _fixed("configs/test.toml")
        s["scenario_text"] = _fixed("# test\n")
        s["scenario_sha256"] = _fixed("0" * 64)
        s["sides"] = np.array([x.encode() for x in sides], dtype="S16")
        s["cell_size_m"] = np.float64(cell)
        s["nx"] = np.int32(nx)
        s["ny"] = np.int32(ny)

        ts = f.create_group("timeseries")
        ts.attrs["sides"] = np.array([x.encode() for x in sides], dtype="S16")
        two = lambda a, b: np.stack([a, b], axis=1)  # noqa: E731
        ts["time"] = (k * dt).astype(np.float64)
        ts["step"] = k.astype(np.int64)
        ts["strength"] = two(100 - 5 * k, 80 - 3 * k).astype(np.int64)
        ts["wounded"] = two(2 * k, k).astype(np.int64)
        ts["killed"] = two(3 * k, 2 * k).astype(np.int64)
        ts["fleeing"] = two(k // 2, k // 3).astype(np.int64)
        area = two(1.0 + 0.25 * k, 2.0 - 0.25 * k)
        ts["area_held_km2"] = area.astype(np.float64)
        ts["cells_held"] = np.rint(area * 1e6 / cell**2).astype(np.int64)
        ts["shots"] = two(10 + k, 8 + k).astype(np.int64)
        ts["hits"] = two(k, k).astype(np.int64)

        terrain = (np.arange(ny * nx).reshape(ny, nx) % 5).astype(np.uint8)
        control = np.zeros((ny, nx), dtype=np.int8)
        control[:, nx // 2:] = 1
        control[-1, :] = -1
        for step in snapshot_steps:
            it = f.create_group(f"data/{step}")
            it.attrs["time"] = np.float64(step * dt)
            it.attrs["dt"] = np.float64(dt)
            it.attrs["timeUnitSI"] = np.float64(1.0)
            m = it.create_group("meshes")
            _mesh_attrs(m.create_dataset("terrain", data=terrain), cell)
            _mesh_attrs(m.create_dataset("control", data=control), cell)
            pres = m.create_group("presence")
            _mesh_attrs(pres, cell, with_component=False)
            for i, side in enumerate(sides):
                _component_attrs(pres.create_dataset(side, data=np.full((ny, nx), i + 1, np.uint16)))
            if agents:
                _agents(it.create_group("particles/agents"), n_agents=7, cell=cell)
        if settlement_events is not None or strikes is not None:
            _events(f, settlement_events or [], strikes or [], nx, ny, cell, dt)
    return path


def _events(f, settlement_events, strikes, nx, ny, cell, dt):
    st = f.create_group("settlements")
    st["id"] = np.array([0, 1], dtype=np.int32)
    st["name"] = np.array([b"Alpha", b"Beta"], dtype="S5")
    st["size_class"] = np.zeros(2, dtype=np.uint8)
    st["x"] = np.array([0.25, 0.75]) * nx * cell
    st["y"] = np.array([0.5, 0.5]) * ny * cell
    st["radius_m"] = np.array([cell, cell / 2])
    st["cells"] = np.array([4, 1], dtype=np.int32)
    ev = np.array(settlement_events, dtype=np.float64).reshape(-1, 4)
    g = f.create_group("events/settlement_control")
    g["step"] = (ev[:, 0] // dt).astype(np.int64)
    g["time"] = ev[:, 0]
    g["settlement"] = ev[:, 1].astype(np.int32)
    g["from"] = ev[:, 2].astype(np.int8)
    g["to"] = ev[:, 3].astype(np.int8)
    sk = np.array(strikes, dtype=np.float64).reshape(-1, 4)
    m = len(sk)
    g = f.create_group("events/strikes")
    g.attrs["asset_names"] = np.array([b"battery"], dtype="S16")
    g.attrs["weapons"] = np.array([b"artillery", b"air"], dtype="S9")
    g["step"] = (sk[:, 0] // dt).astype(np.int64)
    g["time"] = sk[:, 0]
    g["side"] = sk[:, 1].astype(np.int8)
    g["impact_x"] = sk[:, 2].astype(np.float32)
    g["impact_y"] = sk[:, 3].astype(np.float32)
    g["aim_x"] = sk[:, 2].astype(np.float32)
    g["aim_y"] = sk[:, 3].astype(np.float32)
    for name, dtype in (("asset", np.int32), ("weapon", np.uint8), ("target_cell", np.int32),
                        ("cep", np.float32), ("killed", np.int32), ("wounded", np.int32),
                        ("friendly", np.int32), ("cells_destroyed", np.int32)):
        g[name] = np.zeros(m, dtype=dtype)


def _agents(sp, n_agents, cell):
    def record(obj, dim=None):
        obj.attrs["unitDimension"] = np.array(dim or [0.0] * 7, dtype=np.float64)
        obj.attrs["timeOffset"] = np.float32(0.0)

    length = [1.0, 0, 0, 0, 0, 0, 0]
    pos = sp.create_group("position")
    off = sp.create_group("positionOffset")
    record(pos, length)
    record(off, length)
    for ax in ("x", "y"):
        d = pos.create_dataset(ax, data=np.linspace(0, cell * 4, n_agents, dtype=np.float32))
        d.attrs["unitSI"] = np.float64(1.0)
        c = off.create_group(ax)
        c.attrs["value"] = np.float32(0.0)
        c.attrs["shape"] = np.array([n_agents], dtype=np.uint64)
        c.attrs["unitSI"] = np.float64(1.0)
    for name, dtype in (("id", np.uint32), ("side", np.uint8), ("status", np.uint8),
                        ("health", np.float32), ("morale", np.float32), ("suppression", np.float32)):
        d = sp.create_dataset(name, data=np.arange(n_agents).astype(dtype) % 2)
        record(d)
        d.attrs["unitSI"] = np.float64(1.0)


@pytest.fixture
def run_file(tmp_path):
    """Path (str) of a fresh synthetic run file."""
    return make_run_file(str(tmp_path / "run.h5"))
