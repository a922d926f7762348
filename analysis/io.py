"""Readers for a salient run file (one HDF5 file per run).

Layout: ``/salient`` metadata, ``/timeseries`` datasets ([n] or [n, 2]),
``/data/<step>/meshes/...`` openPMD snapshots. See ``/work/shared/DESIGN.md``.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

import h5py
import numpy as np

#: Per-side time series datasets ([n, 2]) found under /timeseries.
SIDE_SERIES = ("strength", "wounded", "killed", "fleeing", "reserve", "cells_held",
               "area_held_km2", "settlements_held", "changes_of_hands", "shots", "hits",
               "strikes", "strikes_total", "strike_casualties")

#: Columns of /events/strikes (one row per artillery round or bomb that fell).
STRIKE_COLUMNS = ("step", "time", "side", "asset", "weapon", "target_cell", "aim_x", "aim_y",
                  "impact_x", "impact_y", "cep", "killed", "wounded", "friendly",
                  "cells_destroyed")

TERRAIN_NAMES = ("open", "forest", "urban", "water", "road")


class NotASalientFile(ValueError):
    """The path is missing or is not a salient run file."""


def decode(value):
    """Turn an HDF5 string attribute (bytes, numpy.bytes_ or array of them) into str/list."""
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode("ascii", "replace").rstrip("\x00")
    if isinstance(value, np.ndarray) and value.dtype.kind in "SUO":
        return [decode(v) for v in value.tolist()]
    return value


@dataclass
class Run:
    """Time series of one run. ``series[name]`` has shape [n, 2] (one column per side)."""
    path: str
    sides: list
    time_h: np.ndarray                 # simulated time in hours, [n]
    step: np.ndarray                   # [n]
    series: dict = field(default_factory=dict)
    attrs: dict = field(default_factory=dict)   # /salient attributes, decoded

    def __getattr__(self, name):       # run.strength, run.area_held_km2, ...
        series = self.__dict__.get("series", {})
        if name in series:
            return series[name]
        raise AttributeError(name)

    @property
    def casualties(self) -> np.ndarray:
        """Wounded + killed per side, [n, 2]."""
        return self.series["wounded"] + self.series["killed"]


def open_h5(path, error=None) -> h5py.File:
    """Open ``path`` read-only, raising ``error`` (default NotASalientFile) if it is missing
    or not an HDF5 file."""
    error = error or NotASalientFile
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise error(f"{path}: no such file")
    try:
        return h5py.File(path, "r")
    except OSError as e:
        raise error(f"{path}: not an HDF5 file ({e})") from None


def open_run(path) -> h5py.File:
    """Open ``path`` read-only, raising NotASalientFile if it is missing or not ours."""
    path = os.fspath(path)
    f = open_h5(path)
    if "salient" not in f or "timeseries" not in f:
        f.close()
        raise NotASalientFile(f"{path}: not a salient run file (no /salient or /timeseries)")
    return f


def read_run(path) -> Run:
    """Read metadata and all time series of a run file."""
    with open_run(path) as f:
        ts = f["timeseries"]
        sides = decode(ts.attrs.get("sides", f["salient"].attrs.get("sides", ["side 0", "side 1"])))
        series = {k: ts[k][()] for k in SIDE_SERIES if k in ts}
        return Run(path=os.fspath(path), sides=list(sides),
                   time_h=ts["time"][()] / 3600.0, step=ts["step"][()],
                   series=series,
                   attrs={k: decode(v) for k, v in f["salient"].attrs.items()})


def snapshot_steps(path) -> list:
    """Sorted integer steps of the snapshots under /data (empty if none)."""
    with open_run(path) as f:
        if "data" not in f:
            return []
        return sorted(int(k) for k in f["data"].keys() if k.isdigit())


def read_mesh(path, step, name, component=None) -> np.ndarray:
    """Raster ``name`` (terrain, control, presence) of snapshot ``step`` as an [ny, nx] array.

    ``component`` selects a component of a mesh record (e.g. a side name for
    ``presence``); it may also be an int index into the sides of the run.
    """
    with open_run(path) as f:
        key = f"data/{int(step)}/meshes/{name}"
        if key not in f:
            raise KeyError(f"{path}: no mesh {key}")
        obj = f[key]
        if isinstance(obj, h5py.Dataset):
            if component is not None:
                raise KeyError(f"mesh {name} is a scalar mesh, it has no component {component!r}")
            return obj[()]
        if component is None:
            raise KeyError(f"mesh {name} has components {sorted(obj.keys())}; pass component=")
        if isinstance(component, int):
            component = decode(f["timeseries"].attrs["sides"])[component]
        return obj[component][()]


def read_strikes(path) -> dict:
    """Columns of /events/strikes as numpy arrays (all empty for a run without fire support
    or a file written before it), plus ``asset_names`` (list of str)."""
    with open_run(path) as f:
        g = f.get("events/strikes")
        if g is None:
            out = {c: np.zeros(0) for c in STRIKE_COLUMNS}
            out["asset_names"] = []
            return out
        out = {c: g[c][()] for c in STRIKE_COLUMNS}
        names = decode(g.attrs["asset_names"]) if "asset_names" in g.attrs else []
        out["asset_names"] = [n for n in names if n]
        return out


#: Columns of /events/settlement_control (one row per change of a settlement's holder).
SETTLEMENT_EVENT_COLUMNS = ("step", "time", "settlement", "from", "to")


def read_settlements(path) -> dict:
    """Columns of /settlements (x, y, radius_m, ... as arrays; ``name`` as a list of str);
    empty arrays and an empty name list for a file without settlements."""
    with open_run(path) as f:
        g = f.get("settlements")
        if g is None:
            return {"x": np.zeros(0), "y": np.zeros(0), "radius_m": np.zeros(0), "name": []}
        out = {k: g[k][()] for k in g.keys() if isinstance(g[k], h5py.Dataset)}
        out["name"] = [str(n) for n in decode(out.get("name", np.zeros(0, "S1")))]
        return out


def read_settlement_events(path) -> dict:
    """Columns of /events/settlement_control as arrays (all empty for a file without it).
    ``from``/``to`` are side indices, -1 = contested or never held."""
    with open_run(path) as f:
        g = f.get("events/settlement_control")
        if g is None:
            return {c: np.zeros(0, dtype=np.float64 if c == "time" else np.int64)
                    for c in SETTLEMENT_EVENT_COLUMNS}
        return {c: g[c][()] for c in SETTLEMENT_EVENT_COLUMNS}


def snapshot_times(path) -> dict:
    """{step: simulated time in seconds} of every snapshot under /data."""
    with open_run(path) as f:
        if "data" not in f:
            return {}
        return {int(k): float(f["data"][k].attrs.get("time", np.nan))
                for k in f["data"].keys() if k.isdigit()}


def print_or_exit_2(make) -> int:
    """Command-line tail shared by the modules: print what ``make()`` returns; a missing or
    non-salient file prints ``error: ...`` to stderr instead. Returns the exit code (0 or 2)."""
    try:
        print(make())
    except NotASalientFile as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0
