"""Check a run file against the openPMD 1.1 standard (the parts salient writes).

Checked: root attributes and their types; per iteration time, dt, timeUnitSI;
per mesh record geometry, dataOrder, axisLabels, gridSpacing, gridGlobalOffset,
gridUnitSI, unitDimension (7 float64), timeOffset, and per component unitSI and
position; per particle species the required records position and positionOffset,
and for every record unitDimension, timeOffset and per component unitSI
(constant components also value and shape).

Usage: /usr/bin/python3 -m analysis.openpmd_check RUN.h5   (exit 0 "ok", 1 problems, 2 unreadable)
"""
from __future__ import annotations

import argparse
import os
import re
import sys

import h5py
import numpy as np


def _is_str(v) -> bool:
    return isinstance(v, (str, bytes, np.bytes_))


def _s(v) -> str:
    return v.decode("ascii", "replace") if isinstance(v, (bytes, np.bytes_)) else str(v)


def _is_str_array(v) -> bool:
    if _is_str(v):           # a one-element list may come back as a scalar string
        return True
    a = np.asarray(v)
    return a.ndim == 1 and (a.dtype.kind in "SU" or (a.dtype.kind == "O" and all(_is_str(x) for x in a)))


def _kind(v):
    """dtype of an attribute value, or None for strings."""
    return None if _is_str(v) else np.asarray(v).dtype


class _Checker:
    def __init__(self):
        self.problems = []

    def bad(self, where, msg):
        self.problems.append(f"{where}: {msg}")

    def attr(self, obj, name, test, what):
        """Require attribute ``name`` on ``obj`` and that ``test(value)`` holds."""
        if name not in obj.attrs:
            self.bad(obj.name, f"missing attribute '{name}'")
            return None
        v = obj.attrs[name]
        try:
            ok = test(v)
        except Exception:  # noqa: BLE001 - any failure means a bad type
            ok = False
        if not ok:
            self.bad(obj.name, f"attribute '{name}' = {v!r} is not {what}")
        return v

    # --- typed attribute tests -------------------------------------------------
    def string(self, obj, name, allowed=None):
        v = self.attr(obj, name, lambda v: _is_str(v) and (allowed is None or _s(v) in allowed),
                      "a string" + (f" in {sorted(allowed)}" if allowed else ""))
        return _s(v) if v is not None and _is_str(v) else None

    def floating(self, obj, name, bits=None):
        ok = (lambda v: np.ndim(v) == 0 and _kind(v).kind == "f"
              and (bits is None or _kind(v).itemsize * 8 == bits))
        self.attr(obj, name, ok, f"a float{bits or 'X'} scalar")

    def float_array(self, obj, name, length, bits=None):
        ok = (lambda v: np.ndim(v) == 1 and len(v) == length and _kind(v).kind == "f"
              and (bits is None or _kind(v).itemsize * 8 == bits))
        self.attr(obj, name, ok, f"a float{bits or 'X'} array of length {length}")

    def record(self, obj):
        """unitDimension and timeOffset, required on every mesh and particle record."""
        self.float_array(obj, "unitDimension", 7, bits=64)
        self.floating(obj, "timeOffset")

    # --- structure -----------------------------------------------------------------
    def root(self, f):
        v = self.string(f, "openPMD")
        if v is not None and not re.fullmatch(r"1\.\d+\.\d+", v):
            self.bad("/", f"openPMD = {v!r} is not a 1.x.y version")
        self.attr(f, "openPMDextension", lambda v: np.ndim(v) == 0 and _kind(v) == np.uint32, "a uint32")
        base = self.string(f, "basePath")
        self.string(f, "iterationEncoding", {"fileBased", "groupBased", "variableBased"})
        fmt = self.string(f, "iterationFormat")
        if fmt is not None and "%T" not in fmt:
            self.bad("/", f"iterationFormat {fmt!r} has no %T")
        for name in ("software", "softwareVersion", "date", "author", "comment"):
            if name in f.attrs and not _is_str(f.attrs[name]):
                self.bad("/", f"attribute '{name}' is not a string")
        return base

    def iterations(self, f, base):
        if base is None:
            return
        if base != "/data/%T/":
            self.bad("/", f"basePath {base!r} is not '/data/%T/' (the only value openPMD 1.1 allows)")
        top = base.split("%T")[0].rstrip("/") or "/"
        if top not in f:
            return  # a run killed before its first snapshot has no iterations: fine
        meshes_path = self.string(f, "meshesPath") if "meshesPath" in f.attrs else None
        particles_path = self.string(f, "particlesPath") if "particlesPath" in f.attrs else None
        for key, it in f[top].items():
            if not key.isdigit() or not isinstance(it, h5py.Group):
                self.bad(it.name, "iteration name is not an integer step")
                continue
            self.floating(it, "time")
            self.floating(it, "dt")
            self.floating(it, "timeUnitSI", bits=64)
            for kind, path in (("meshes", meshes_path), ("particles", particles_path)):
                sub = (path or kind + "/").rstrip("/")
                if sub not in it:
                    continue
                if path is None:
                    self.bad("/", f"missing attribute '{kind}Path' but {it.name}/{sub} exists")
                for rec in it[sub].values():
                    (self.mesh if kind == "meshes" else self.species)(rec)

    def mesh(self, rec):
        shape = rec.shape if isinstance(rec, h5py.Dataset) else None
        comps = [rec] if shape is not None else list(rec.values())
        if shape is None:
            shapes = {c.shape if isinstance(c, h5py.Dataset) else None for c in comps}
            if len(shapes) != 1 or None in shapes:
                self.bad(rec.name, "mesh record needs one or more component datasets of equal shape")
                return
            shape = shapes.pop()
        nd = len(shape)
        self.string(rec, "geometry", {"cartesian", "thetaMode", "cylindrical", "spherical", "other"})
        self.string(rec, "dataOrder", {"C", "F"})
        self.attr(rec, "axisLabels", lambda v: _is_str_array(v) and np.size(v) == nd,
                  f"an array of {nd} strings")
        self.float_array(rec, "gridSpacing", nd)
        self.float_array(rec, "gridGlobalOffset", nd, bits=64)
        self.floating(rec, "gridUnitSI", bits=64)
        self.record(rec)
        for c in comps:
            self.floating(c, "unitSI", bits=64)
            self.float_array(c, "position", nd)

    def species(self, sp):
        if not isinstance(sp, h5py.Group):
            self.bad(sp.name, "particle species is not a group")
            return
        for req in ("position", "positionOffset"):
            if req not in sp:
                self.bad(sp.name, f"missing required record '{req}'")
        for name, rec in sp.items():
            if name == "particlePatches":
                continue
            self.record(rec)
            constant = isinstance(rec, h5py.Group) and "value" in rec.attrs
            comps = [rec] if isinstance(rec, h5py.Dataset) or constant else list(rec.values())
            if not comps:
                self.bad(rec.name, "record has no components")
            for c in comps:
                self.floating(c, "unitSI", bits=64)
                if isinstance(c, h5py.Group):   # constant record component
                    self.attr(c, "value", lambda v: np.ndim(v) == 0, "a scalar")
                    self.attr(c, "shape", lambda v: _kind(v) == np.uint64 and np.ndim(v) == 1,
                              "a uint64 array")


def check(path) -> list:
    """Problems found in run file ``path`` as strings; an empty list means it conforms."""
    c = _Checker()
    with h5py.File(path, "r") as f:
        base = c.root(f)
        c.iterations(f, base)
    return c.problems


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m analysis.openpmd_check",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("run", help="salient run file (.h5)")
    a = ap.parse_args(argv)
    if not os.path.isfile(a.run):
        print(f"error: {a.run}: no such file", file=sys.stderr)
        return 2
    try:
        problems = check(a.run)
    except OSError as e:
        print(f"error: {a.run}: not an HDF5 file ({e})", file=sys.stderr)
        return 2
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
