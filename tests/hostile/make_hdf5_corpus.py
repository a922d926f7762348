#!/usr/bin/python3
"""Writes tests/hostile/hdf5/: malformed region files (host/region_io.h), one defect each.

Run with Debian's /usr/bin/python3 (h5py, numpy); the files are committed, so this is only
needed to change or add a case. Every file is small (a few KB): the "huge" datasets are
chunked and never written, so they take no space. `00_valid.h5` is the 10 x 10 region of
50 m cells that tests/hostile/region_scenario.toml expects; the others break one thing of it.
The cases and their expected messages are listed in tests/hostile/manifest.txt.

    /usr/bin/python3 tests/hostile/make_hdf5_corpus.py
"""
import os
import sys

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hdf5")
N = 10  # the region is N x N cells of CELL metres (as region_scenario.toml)
CELL = 50.0


def layers():
    """Terrain, settlement ids, names and size classes of the valid region."""
    t = np.zeros((N, N), np.uint8)
    s = np.full((N, N), -1, np.int32)
    t[2:4, 2:4], s[2:4, 2:4] = 2, 0  # urban block: settlement 0
    t[6:8, 6:8], s[6:8, 6:8] = 2, 1  # settlement 1
    t[:, 5] = 4  # a road
    return t, s, np.array([b"alpha", b"bravo"]), np.array([0, 1], np.uint8)


def write(name, cell=CELL, terrain="valid", settlement="valid", names="valid",
          size_class="valid", edit=None):
    """Writes hdf5/NAME: the valid region with each layer replaced when given (None: left out);
    `edit(f)` may change the open file last."""
    t, s, n, c = layers()
    path = os.path.join(OUT, name)
    with h5py.File(path, "w", track_order=False) as f:
        if cell is not None:
            f.attrs["cell_size_m"] = cell
        for key, default, value in (("terrain", t, terrain), ("settlement", s, settlement),
                                    ("settlements/name", n, names),
                                    ("settlements/size_class", c, size_class)):
            if isinstance(value, str) and value == "valid":
                value = default
            if value is not None:
                f.create_dataset(key, data=value, track_times=False)
        if edit:
            edit(f)
    return path


def huge(shape):
    """An edit that replaces /terrain by a chunked uint8 dataset of `shape`, never written."""
    def edit(f):
        del f["terrain"]
        del f["settlement"]
        f.create_dataset("terrain", shape=shape, dtype=np.uint8, chunks=(1, 1024),
                         track_times=False)
    return edit


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        os.remove(os.path.join(OUT, old))
    t, s, n, c = layers()
    valid = write("00_valid.h5")

    with open(os.path.join(OUT, "01_not_hdf5.h5"), "w") as f:
        f.write("terrain,settlement\n0,-1\n")
    open(os.path.join(OUT, "02_empty.h5"), "wb").close()
    data = open(valid, "rb").read()
    open(os.path.join(OUT, "03_truncated.h5"), "wb").write(data[: len(data) // 2])
    corrupt = bytearray(data)
    corrupt[512:1536] = b"\xff" * 1024  # object headers and B-trees overwritten
    open(os.path.join(OUT, "04_corrupted_metadata.h5"), "wb").write(bytes(corrupt))

    write("05_terrain_rank1.h5", terrain=t.reshape(-1), settlement=None)
    write("06_terrain_rank3.h5", terrain=t.reshape(1, N, N), settlement=None)
    write("07_terrain_float.h5", terrain=t.astype(np.float32))
    write("08_terrain_string.h5", terrain=np.array([[b"open"] * N] * N))
    bad = t.copy()
    bad[4, 7] = 5
    write("09_terrain_value_5.h5", terrain=bad)
    write("10_terrain_negative.h5", terrain=np.where(t == 4, -1, t).astype(np.int16))
    write("11_terrain_missing.h5", terrain=None)
    write("12_terrain_is_a_group.h5", terrain=None, edit=lambda f: f.create_group("terrain"))
    write("13_terrain_zero_rows.h5", terrain=np.zeros((0, N), np.uint8), settlement=None)
    write("14_huge_sparse_terrain.h5", edit=huge((10**6, 10**6)))
    write("15_overflowing_terrain_shape.h5", edit=huge((2**40, 2**40)))
    write("16_raster_not_the_scenarios.h5", terrain=np.zeros((N + 2, N + 2), np.uint8),
          settlement=None, names=None, size_class=None)

    write("17_settlement_shape.h5", settlement=s[:, : N - 1])
    write("18_settlement_float.h5", settlement=s.astype(np.float64))
    gap = s.copy()
    gap[gap == 1] = 2
    write("19_settlement_id_gap.h5", settlement=gap, names=n[:1], size_class=None)
    out = s.copy()
    out[7, 7] = 1000
    write("20_settlement_id_out_of_range.h5", settlement=out)
    below = s.copy()
    below[0, 0] = -7
    write("21_settlement_id_below_minus_one.h5", settlement=below)
    open_cell = s.copy()
    open_cell[0, 0] = 0
    write("22_settlement_on_open_cell.h5", settlement=open_cell)

    write("23_cell_size_nan.h5", cell=np.nan)
    write("24_cell_size_inf.h5", cell=np.inf)
    write("25_cell_size_missing.h5", cell=None)
    write("26_cell_size_negative.h5", cell=-CELL)
    write("27_cell_size_zero.h5", cell=0.0)
    write("28_cell_size_string.h5", cell="50 m")
    write("29_cell_size_array.h5", cell=np.array([CELL, CELL]))

    write("30_size_class_wrong_length.h5", size_class=np.array([0, 1, 0], np.uint8))
    write("31_size_class_value_7.h5", size_class=np.array([0, 7], np.uint8))
    write("32_names_wrong_length.h5", names=n[:1])
    write("33_names_not_strings.h5", names=np.array([1, 2], np.int32))

    def huge_names(f):
        f.create_dataset("settlements/name", shape=(2,), dtype="S1000000", chunks=(1,),
                         track_times=False)
    write("34_names_of_a_megabyte.h5", names=None, edit=huge_names)

    def external_link(f):
        del f["terrain"]
        f["terrain"] = h5py.ExternalLink("00_valid.h5", "/terrain")
    write("35_terrain_external_link.h5", edit=external_link)

    def external_storage(f):
        del f["terrain"]
        f.create_dataset("terrain", shape=(N, N), dtype=np.uint8,
                         external=[("/dev/zero", 0, N * N)], track_times=False)
    write("36_terrain_external_storage.h5", edit=external_storage)

    def soft_link_cycle(f):
        del f["terrain"]
        f["terrain"] = h5py.SoftLink("/loop")
        f["loop"] = h5py.SoftLink("/terrain")
    write("37_terrain_soft_link_cycle.h5", edit=soft_link_cycle)

    for name in sorted(os.listdir(OUT)):
        size = os.path.getsize(os.path.join(OUT, name))
        if size > 100_000:
            sys.exit(f"{name}: {size} bytes, expected a small file")
    print(f"wrote {len(os.listdir(OUT))} files to {OUT}")


if __name__ == "__main__":
    main()
