"""XDMF 3 sidecar of a run file, so that ParaView opens its snapshots as a time series.

Usage: /usr/bin/python3 -m analysis.xdmf RUN.h5 [-o RUN.xmf]
The .xmf only references the datasets of RUN.h5 (by file name relative to the .xmf and
dataset path); no data is copied. Two temporal collections (Time = simulated seconds):
``rasters``, one 3DCoRectMesh one cell thick per snapshot (origin 0, spacing cell_size_m)
with the cell data terrain, settlement, cover, control, destruction, presence_<side>,
picture_<side>; ``agents``, one Polyvertex grid per snapshot with particles/agents (point
data side, status, posture, morale, health). Exits 2 for a missing or non-salient file.
"""
from __future__ import annotations

import argparse
import os
import sys
import xml.etree.ElementTree as ET

import h5py
import numpy as np

from .io import print_or_exit_2, NotASalientFile, decode, open_run

SCALAR_MESHES = ("terrain", "settlement", "cover", "control", "destruction")
GROUP_MESHES = ("presence", "picture")
AGENT_ATTRIBUTES = ("side", "status", "posture", "morale", "health")


def number_type(dtype):
    """(NumberType, Precision) of XDMF for a numpy dtype."""
    dtype = np.dtype(dtype)
    kind, size = dtype.kind, dtype.itemsize
    if kind == "f" and size in (4, 8):
        return "Float", size
    if kind in "iu" and size == 1:
        return ("Char" if kind == "i" else "UChar"), 1
    if kind in "iu" and size == 2:          # Int/UInt with Precision 2 read as 32-bit in XDMF 3
        return ("Short" if kind == "i" else "UShort"), 2
    if kind in "iu" and size in (4, 8):
        return ("Int" if kind == "i" else "UInt"), size
    raise ValueError(f"no XDMF number type for {dtype}")


def _item(parent, h5name, ds, shape=None):
    nt, prec = number_type(ds.dtype)
    e = ET.SubElement(parent, "DataItem", Dimensions=" ".join(str(d) for d in shape or ds.shape),
                      NumberType=nt, Precision=str(prec), Format="HDF")
    e.text = f"{h5name}:{ds.name}"
    return e


def _inline(parent, values):
    e = ET.SubElement(parent, "DataItem", Dimensions=str(len(values)), NumberType="Float",
                      Precision="8", Format="XML")
    e.text = " ".join(repr(float(v)) for v in values)


def _attribute(grid, name, center, h5name, ds):
    a = ET.SubElement(grid, "Attribute", Name=name, AttributeType="Scalar", Center=center)
    _item(a, h5name, ds, (1,) + ds.shape if center == "Cell" else None)


def build(path, h5name=None) -> ET.ElementTree:
    """The XDMF tree of run file ``path``; datasets are referenced as ``h5name:/path``
    (default: the base name of ``path``, for an .xmf written beside it)."""
    h5name = h5name or os.path.basename(os.fspath(path))
    with open_run(path) as f:
        a = f["salient"].attrs
        nx, ny, cell = int(a["nx"]), int(a["ny"]), float(a["cell_size_m"])
        sides = decode(f["timeseries"].attrs.get("sides", a.get("sides", [])))
        root = ET.Element("Xdmf", Version="3.0")
        domain = ET.SubElement(root, "Domain")
        rasters = ET.SubElement(domain, "Grid", Name="rasters", GridType="Collection",
                                CollectionType="Temporal")
        agents = ET.Element("Grid", Name="agents", GridType="Collection", CollectionType="Temporal")
        steps = sorted(int(k) for k in f["data"].keys() if k.isdigit()) if "data" in f else []
        for step in steps:
            it = f[f"data/{step}"]
            t = repr(float(it.attrs.get("time", step)))
            g = ET.SubElement(rasters, "Grid", Name=f"rasters_{step}", GridType="Uniform")
            ET.SubElement(g, "Time", Value=t)
            # One layer of cells (2 x (ny+1) x (nx+1) nodes, the cell arrays [1, ny, nx]): ParaView
            # puts a 2DCoRectMesh in the y-z plane, and its XDMF (2) reader reads zeros from an
            # [ny, nx] item on a 3-D mesh; with [1, ny, nx] both of its readers read the values.
            ET.SubElement(g, "Topology", TopologyType="3DCoRectMesh", Dimensions=f"2 {ny + 1} {nx + 1}")
            geo = ET.SubElement(g, "Geometry", GeometryType="ORIGIN_DXDYDZ")
            _inline(geo, (0.0, 0.0, 0.0))                  # z, y, x
            _inline(geo, (cell, cell, cell))
            meshes = it.get("meshes", {})
            for name in SCALAR_MESHES:
                if isinstance(meshes.get(name), h5py.Dataset):
                    _attribute(g, name, "Cell", h5name, meshes[name])
            for name in GROUP_MESHES:
                if isinstance(meshes.get(name), h5py.Group):
                    comps = [s for s in sides if s in meshes[name]]
                    comps += sorted(k for k in meshes[name].keys() if k not in comps)
                    for side in comps:
                        _attribute(g, f"{name}_{side}", "Cell", h5name, meshes[name][side])
            sp = it.get("particles/agents")
            if sp is None or "position/x" not in sp or "position/y" not in sp:
                continue
            x, y = sp["position/x"], sp["position/y"]
            n = int(x.shape[0])
            if n == 0:
                continue
            ga = ET.SubElement(agents, "Grid", Name=f"agents_{step}", GridType="Uniform")
            ET.SubElement(ga, "Time", Value=t)
            ET.SubElement(ga, "Topology", TopologyType="Polyvertex", NumberOfElements=str(n),
                          NodesPerElement="1")
            # X_Y_Z with z = x - x = 0: ParaView 5.11's XDMF3 readers crash on X_Y (they read
            # only interleaved XYZ/XY; they show this grid empty), its XDMF (2) reader reads it.
            geo = ET.SubElement(ga, "Geometry", GeometryType="X_Y_Z")
            _item(geo, h5name, x)
            _item(geo, h5name, y)
            z = ET.SubElement(geo, "DataItem", ItemType="Function", Function="$0 - $0",
                              Dimensions=str(n))
            _item(z, h5name, x)
            for name in AGENT_ATTRIBUTES:
                if isinstance(sp.get(name), h5py.Dataset):
                    _attribute(ga, name, "Node", h5name, sp[name])
        if len(agents):
            domain.append(agents)
    ET.indent(root)
    return ET.ElementTree(root)


def write_xdmf(path, out=None) -> str:
    """Write the XDMF sidecar of ``path`` to ``out`` (default: ``path`` with .xmf); return it."""
    path = os.fspath(path)
    out = os.fspath(out) if out else os.path.splitext(path)[0] + ".xmf"
    rel = os.path.relpath(os.path.abspath(path), os.path.dirname(os.path.abspath(out)))
    tree = build(path, rel)
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "wb") as f:
        f.write(b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE Xdmf SYSTEM "Xdmf.dtd" []>\n')
        tree.write(f, encoding="utf-8", xml_declaration=False)
        f.write(b"\n")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m analysis.xdmf", description=__doc__.splitlines()[0])
    ap.add_argument("run", help="salient run file (.h5)")
    ap.add_argument("-o", "--output", help="XDMF file to write (default: RUN with .xmf)")
    a = ap.parse_args(argv)
    return print_or_exit_2(lambda: write_xdmf(a.run, a.output))


if __name__ == "__main__":
    sys.exit(main())
