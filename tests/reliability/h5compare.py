"""Compares the model output of two salient HDF5 files exactly (bit for bit).

Compared: every dataset under /timeseries, /events, /settlements and /data (snapshots), with
its shape, dtype and bytes, and the attributes of the snapshot groups. Not compared: /salient
(wall times, dates, status, resume history) and the file-level attributes (date).
"""
import sys

import h5py
import numpy as np

GROUPS = ("timeseries", "events", "settlements", "data")


def datasets(f):
    """Maps each dataset path under GROUPS to the dataset."""
    out = {}
    for g in GROUPS:
        if g not in f:
            continue

        def visit(name, obj, g=g):
            if isinstance(obj, h5py.Dataset):
                out[g + "/" + name] = obj

        f[g].visititems(visit)
    return out


def differences(path_a, path_b, limit=10):
    """Lists how the two files' outputs differ (empty when identical)."""
    diffs = []
    with h5py.File(path_a, "r") as a, h5py.File(path_b, "r") as b:
        da, db = datasets(a), datasets(b)
        for name in sorted(set(da) ^ set(db)):
            diffs.append(f"{name}: only in {'first' if name in da else 'second'}")
        for name in sorted(set(da) & set(db)):
            x, y = da[name][()], db[name][()]
            if x.dtype != y.dtype or x.shape != y.shape:
                diffs.append(f"{name}: {x.dtype}{x.shape} vs {y.dtype}{y.shape}")
            elif x.tobytes() != y.tobytes():
                n = int(np.count_nonzero(x != y)) if x.dtype.kind in "iufb" else -1
                diffs.append(f"{name}: values differ ({n} elements)")
        for step in sorted(set(a.get("data", {})) & set(b.get("data", {}))):
            ga, gb = a["data"][step], b["data"][step]
            for k in set(ga.attrs) | set(gb.attrs):
                if k not in ga.attrs or k not in gb.attrs or not np.array_equal(
                    ga.attrs[k], gb.attrs[k]
                ):
                    diffs.append(f"data/{step} attribute {k} differs")
    return diffs[:limit]


if __name__ == "__main__":
    d = differences(sys.argv[1], sys.argv[2])
    for line in d:
        print(line)
    sys.exit(1 if d else 0)
