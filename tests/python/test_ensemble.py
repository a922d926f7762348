"""Tests of analysis.ensemble (figures and index.html of a `salient aggregate` summary).

``make_summary_file`` writes a synthetic summary in the layout `salient aggregate` writes:
replicate trajectories with known numbers, reduced to bands the way the aggregator does
(mean, std with ddof=1, mean ± t(0.975, n-1)·std/√n, numpy's linear 2.5/97.5 % quantiles).
"""
from __future__ import annotations

import os
import struct
import subprocess
import sys
import warnings

import h5py
import numpy as np
import pytest

from analysis import ensemble
from conftest import ROOT, make_run_file

PY = sys.executable
DAY = 86400.0
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262}
OBS = ("strength", "killed", "area_held_km2", "shots")     # shots: not one of the defaults


def replicate_values(obs, point, rep, t):
    """Value of ``obs`` at times ``t`` (s) in replicate ``rep`` of design point ``point``,
    [T, 2]: a straight line per side plus a replicate-dependent wobble."""
    h = t / 3600.0
    wob = np.sin(0.3 * h + rep) * (1 + rep % 3)
    base = {"strength": (1000 - 10 * point - 4 * h, 900 + 5 * point - 3 * h),
            "killed": (2 * h + point, 3 * h),
            "area_held_km2": (50 + 0.5 * h - point, 40 - 0.2 * h + point),
            "shots": (100 + 0 * h, 80 + 0 * h)}[obs]
    return np.stack([base[0] + wob, base[1] - wob], axis=1)


def bands_of(v):
    """Bands of replicate values ``v`` [R, T, 2] as the aggregator writes them."""
    n = v.shape[0]
    mean = v.mean(axis=0)
    std = v.std(axis=0, ddof=1) if n > 1 else np.zeros_like(mean)
    half = T975[n - 1] * std / np.sqrt(n) if n > 1 else 0.0
    return {"mean": mean, "std": std, "ci95_lo": mean - half, "ci95_hi": mean + half,
            "p2_5": np.percentile(v, 2.5, axis=0), "p97_5": np.percentile(v, 97.5, axis=0)}


def make_summary_file(path, factors=None, replicates=3, n_times=13, dt=3600.0, obs=OBS,
                      short_point=None, vlen_strings=False):
    """Write a synthetic summary and return ``path``.

    ``factors``: {name: [value per design point]} (None or {}: one point, nothing varied,
    and no factors attribute). ``short_point``: a design point with one replicate fewer
    than planned. Time: k * dt, k = 0..n_times-1, the same for every point.
    """
    factors = factors or {}
    names = list(factors)
    P = len(next(iter(factors.values()))) if factors else 1
    values = np.array([factors[n] for n in names], dtype=np.float64).T.reshape(P, len(names))
    reps = np.array([replicates - (p == short_point) for p in range(P)], dtype=np.int64)
    t = np.arange(n_times) * dt
    text = (lambda s: s) if vlen_strings else np.bytes_
    with h5py.File(path, "w") as f:
        a = f.attrs
        a["software"] = text("salient")
        a["plan"] = text("plans/test.toml")
        a["scenario"] = text("configs/test.toml")
        a["design"] = text("grid" if names else "none")
        if names:
            a["factors"] = names if vlen_strings else np.array([n.encode() for n in names], dtype="S32")
        a["sides"] = np.array([b"Blue", b"Red"], dtype="S8")
        a["points"] = np.int64(P)
        a["replicates"] = np.int64(replicates)
        a["tasks_found"] = np.int64(reps.sum())
        a["tasks_expected"] = np.int64(P * replicates)
        f["points/replicates"] = reps
        if names:
            f["points/values"] = values
        rows = {k: [] for k in ("task", "point", "replicate", "seed", "time", "factors", *obs)}
        for p in range(P):
            g = f.create_group(f"bands/point_{p:04d}")
            g["time"] = t
            g["n"] = np.full(n_times, reps[p], dtype=np.int64)
            for o in obs:
                v = np.stack([replicate_values(o, p, r, t) for r in range(reps[p])])
                for stat, x in bands_of(v).items():
                    g[f"{o}/{stat}"] = x
                rows[o].extend(v[:, -1, :])
            for r in range(reps[p]):
                rows["task"].append(p * replicates + r)
                rows["point"].append(p)
                rows["replicate"].append(r)
                rows["seed"].append(1000 + p * replicates + r)
                rows["time"].append(t[-1])
                rows["factors"].append(values[p])
        fin = f.create_group("final")
        for k in ("task", "point", "replicate"):
            fin[k] = np.array(rows[k], dtype=np.int64)
        fin["seed"] = np.array(rows["seed"], dtype=np.uint64)
        fin["time"] = np.array(rows["time"], dtype=np.float64)
        if names:
            fin["factors"] = np.array(rows["factors"], dtype=np.float64)
        for o in obs:
            fin[o] = np.array(rows[o], dtype=np.float64)
    return path


def grid_factors(n):
    """``n`` design points of a 2-factor grid-like design (control_radius x count)."""
    radius = [50.0, 75.0, 100.0, 125.0, 150.0]
    return {"control_radius": [radius[p % 5] for p in range(n)],
            "count": [20000.0 * (1 + p // 5) for p in range(n)]}


@pytest.fixture
def one_point(tmp_path):
    return make_summary_file(str(tmp_path / "one.h5"))


@pytest.fixture
def four_points(tmp_path):
    return make_summary_file(str(tmp_path / "four.h5"), factors=grid_factors(4), replicates=4,
                             short_point=2, vlen_strings=True)


@pytest.fixture
def ten_points(tmp_path):
    return make_summary_file(str(tmp_path / "ten.h5"), factors=grid_factors(10), replicates=3)


def run_module(*args):
    return subprocess.run([PY, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def png_size(path):
    """(width, height) of a PNG, checking its signature."""
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def mean_lines(fig):
    """{axes title: {label: Line2D}} of the mean lines of a time-series figure."""
    return {ax.get_title(): {ln.get_label(): ln for ln in ax.get_lines()}
            for ax in fig.axes if ax.get_title()}


# --- reading --------------------------------------------------------------------------------
def test_read_summary(four_points, one_point):
    s = ensemble.read_summary(four_points)
    assert s.factors == ["control_radius", "count"] and s.sides == ["Blue", "Red"]
    assert s.points == 4 and s.replicates == 4 and s.point_replicates.tolist() == [4, 4, 3, 4]
    assert s.band_points == [0, 1, 2, 3] and s.observables == ["strength", "killed", "area_held_km2", "shots"]
    assert ensemble.point_label(s, 1) == "control_radius=75, count=20000"
    assert ensemble.choose_observables(s) == ["strength", "killed", "area_held_km2"]
    assert ensemble.choose_observables(s, ["shots", "killed"]) == ["shots", "killed"]
    meta = dict(ensemble.metadata(s))
    assert meta["replicates per point"] == "4 planned; found 3-4"
    assert meta["tasks found / expected"] == "15 / 16 (1 missing)"
    with h5py.File(four_points, "a") as f:         # as the C++ writer may: scenario by hash
        del f.attrs["scenario"]
        f.attrs["scenario_sha256"] = np.bytes_("ab" * 32)
        f.attrs["missing_tasks"] = np.array([10], dtype=np.int64)
        f["points/values"][2] = np.nan              # a point none of whose tasks was found
    s = ensemble.read_summary(four_points)
    meta = dict(ensemble.metadata(s))
    assert meta["scenario"] == "sha256 " + "ab" * 32
    assert meta["tasks found / expected"] == "15 / 16 (1 missing: 10)"
    assert ensemble.point_label(s, 2) == "point 2 (factor values unknown: no task found)"
    s1 = ensemble.read_summary(one_point)
    assert s1.factors == [] and s1.point_values.shape == (1, 0)
    assert ensemble.point_label(s1, 0) == "all tasks"


# --- figures: what is drawn is what is in the file ------------------------------------------
def test_mean_lines_equal_the_file(four_points):
    s = ensemble.read_summary(four_points)
    fig = ensemble.fig_observable(s, "area_held_km2")
    lines = mean_lines(fig)
    assert set(lines) == {"Blue", "Red"}
    with h5py.File(four_points, "r") as f:
        for i, side in enumerate(("Blue", "Red")):
            for p in range(4):
                g = f[f"bands/point_{p:04d}"]
                ln = lines[side][ensemble.point_label(s, p)]
                np.testing.assert_allclose(ln.get_xdata(), g["time"][()] / 3600.0)   # hours
                np.testing.assert_allclose(ln.get_ydata(), g["area_held_km2/mean"][()][:, i])
    ax = fig.axes[0]
    assert ax.get_xlabel() == "time (hours)" and "km²" in ax.get_ylabel()
    # bands: 2 per point (spread, CI); the CI polygon spans exactly ci95_lo..ci95_hi
    assert len(ax.collections) == 8
    with h5py.File(four_points, "r") as f:
        lo, hi = f["bands/point_0000/area_held_km2/ci95_lo"][()][:, 0], f["bands/point_0000/area_held_km2/ci95_hi"][()][:, 0]
    ys = ax.collections[1].get_paths()[0].vertices[:, 1]
    assert np.isclose(ys.min(), lo.min()) and np.isclose(ys.max(), hi.max())
    title = fig._suptitle.get_text()
    assert "Area held (km²)" in title and "4 design points" in title and "3-4 replicates" in title
    legend = [t.get_text() for t in fig.axes[2].get_legend().get_texts()]
    assert "control_radius=125, count=20000" in legend
    assert "control_radius=100, count=20000 (n=3)" in legend      # the short point says so
    ensemble.plt.close(fig)


def test_many_points_draw_the_pooled_mean(ten_points):
    s = ensemble.read_summary(ten_points)
    fig = ensemble.fig_observable(s, "strength")
    lines = mean_lines(fig)
    assert [list(v) for v in lines.values()] == [["pooled mean"], ["pooled mean"]]
    with h5py.File(ten_points, "r") as f:
        m = np.stack([f[f"bands/point_{p:04d}/strength/mean"][()] for p in range(10)])
        lo = np.stack([f[f"bands/point_{p:04d}/strength/p2_5"][()] for p in range(10)]).min(axis=0)
    np.testing.assert_allclose(lines["Red"]["pooled mean"].get_ydata(), m.mean(axis=0)[:, 1])
    t, mean, (mlo, mhi), (plo, _) = ensemble.pooled(ensemble.read_bands(s, "strength"))
    np.testing.assert_allclose(mlo, m.min(axis=0))
    np.testing.assert_allclose(mhi, m.max(axis=0))
    np.testing.assert_allclose(plo, lo)
    assert "too many to draw one by one" in fig._suptitle.get_text()
    ensemble.plt.close(fig)


def test_pooled_mean_weights_by_replicates_and_handles_different_times():
    t = np.array([0.0, 10.0, 20.0])
    one = lambda v: np.array([[v, v]] * 3, dtype=float)  # noqa: E731
    bands = {0: {"time": t, "n": np.array([3.0, 3, 3]), "mean": one(1.0)},
             1: {"time": t[:2], "n": np.array([1.0, 1]), "mean": one(5.0)[:2]}}
    grid, mean, (lo, hi), _ = ensemble.pooled(bands)
    np.testing.assert_allclose(grid, t)
    np.testing.assert_allclose(mean[:, 0], [2.0, 2.0, 1.0])   # (3*1 + 1*5) / 4; then point 0 alone
    np.testing.assert_allclose(hi[:, 1], [5.0, 5.0, 1.0])


def test_hours_under_three_days_then_days():
    assert ensemble.time_unit(3 * DAY - 1) == ("hours", 3600.0)
    assert ensemble.time_unit(3 * DAY) == ("days", DAY)


def test_days_on_the_time_axis_for_long_runs(tmp_path):
    path = make_summary_file(str(tmp_path / "long.h5"), n_times=5, dt=DAY, obs=("killed",), replicates=1)
    s = ensemble.read_summary(path)
    fig = ensemble.fig_observable(s, "killed")
    ln = mean_lines(fig)["Blue"]["all tasks"]
    np.testing.assert_allclose(ln.get_xdata(), [0, 1, 2, 3, 4])
    assert fig.axes[0].get_xlabel() == "time (days)"
    assert fig._suptitle.get_text().endswith("\n1 replicate")             # n = 1: bands collapse
    with h5py.File(path, "r") as f:
        np.testing.assert_array_equal(f["bands/point_0000/killed/ci95_hi"][()], f["bands/point_0000/killed/mean"][()])
    ensemble.plt.close(fig)


def test_final_scatter_is_the_final_values(ten_points):
    s = ensemble.read_summary(ten_points)
    fig = ensemble.fig_final(s, ["strength", "killed"])
    grid = [ax for ax in fig.axes if ax.collections]
    assert len(grid) == 2 * 2                                     # 2 observables x 2 factors
    with h5py.File(ten_points, "r") as f:
        x, y = f["final/factors"][()][:, 1], f["final/killed"][()][:, 1]   # count; Red
    xy = grid[3].collections[1].get_offsets()                     # row killed, column count, Red
    np.testing.assert_allclose(np.asarray(xy), np.stack([x, y], axis=1))
    assert grid[3].get_xlabel() == "count" and "killed" in grid[2].get_ylabel()
    ensemble.plt.close(fig)
    assert ensemble.fig_final(ensemble.read_summary(make_summary_file(
        os.path.join(os.path.dirname(ten_points), "none.h5"))), ["strength"]) is None


def test_one_factor_final_wraps_and_lays_out(tmp_path):
    path = make_summary_file(str(tmp_path / "k1.h5"), factors={"count": [150.0, 225.0, 300.0]})
    s = ensemble.read_summary(path)
    fig = ensemble.fig_final(s, ["strength", "killed", "area_held_km2"])
    panels = [ax for ax in fig.axes if ax.collections]
    assert len(panels) == 3 and all(ax.get_xlabel() == "count" for ax in panels)
    assert fig.get_figwidth() >= 8.0
    with warnings.catch_warnings():           # e.g. "constrained_layout not applied"
        warnings.simplefilter("error")
        fig.savefig(tmp_path / "k1.png", dpi=50)
    ensemble.plt.close(fig)


# --- the command ------------------------------------------------------------------------------
def test_command_with_factors(ten_points, tmp_path):
    out = tmp_path / "report"
    r = run_module("analysis.ensemble", ten_points, "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(out / "index.html")
    names = sorted(os.listdir(out))
    assert names == ["area_held_km2.png", "final.png", "index.html", "killed.png", "strength.png"]
    for n in names:
        if n.endswith(".png"):
            w, h = png_size(out / n)
            assert w >= 800 and h >= 400 and os.path.getsize(out / n) > 10000, (n, w, h)
    page = (out / "index.html").read_text()
    for text in ("plans/test.toml", "configs/test.toml", "grid", "control_radius, count",
                 "30 / 30", "control_radius=150, count=40000", 'src="final.png"', 'src="killed.png"'):
        assert text in page, text


def test_command_without_factors(one_point, tmp_path):
    out = tmp_path / "report"
    assert ensemble.main([one_point, "-o", str(out), "--observables", "shots, strength"]) == 0
    assert sorted(os.listdir(out)) == ["index.html", "shots.png", "strength.png"]
    assert png_size(out / "shots.png")[0] >= 800
    page = (out / "index.html").read_text()
    assert "none (nothing varied)" in page and "no factors were varied" in page
    assert "3 / 3" in page


def test_bad_input_exits_2(tmp_path, one_point, capsys):
    run = make_run_file(str(tmp_path / "run.h5"))
    text = tmp_path / "notes.txt"
    text.write_text("not hdf5\n")
    foreign = make_summary_file(str(tmp_path / "foreign.h5"))
    with h5py.File(foreign, "a") as f:
        f.attrs["software"] = np.bytes_("other")
    empty = make_summary_file(str(tmp_path / "empty.h5"))
    with h5py.File(empty, "a") as f:                 # no task found: no band groups
        del f["bands/point_0000"]
    out = str(tmp_path / "out")
    for argv, said in (([str(tmp_path / "missing.h5")], "no such file"),
                       ([str(text)], "not an HDF5 file"),
                       ([run], "not an ensemble summary"),
                       ([foreign], "not an ensemble summary"),
                       ([empty], "no design point under /bands"),
                       ([one_point, "--observables", "strength,bogus"], "unknown observable"),
                       ([one_point, "--observables", "hits"], "'hits': not in")):
        assert ensemble.main([*argv, "-o", out]) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("error: ") and said in err, (argv, err)
    r = run_module("analysis.ensemble", run, "-o", out)
    assert r.returncode == 2 and "not an ensemble summary" in r.stderr and "Traceback" not in r.stderr
