"""Figures and an HTML page of an ensemble summary written by ``salient aggregate``.

Usage: /usr/bin/python3 -m analysis.ensemble SUMMARY.h5 -o DIR [--observables strength,killed,...]
Writes into DIR one PNG per observable (mean over time per design point with the 95 %
confidence band of the mean and the 2.5-97.5 % spread of the replicates, one panel per
side), final.png (final values against each factor, when factors were varied) and
index.html; prints the path of index.html. Exits 2 with a message if SUMMARY.h5 is
missing or not an ensemble summary, or if an observable asked for is not in it.

Summary layout: root attributes software="salient", plan, scenario, design, factors,
sides, points, replicates, tasks_found, tasks_expected; /points/replicates [P],
/points/values [P, k]; /bands/point_NNNN/{time, n, <observable>/{mean, std, ci95_lo,
ci95_hi, p2_5, p97_5}}; /final/{task, point, replicate, seed, time, factors,
<observable>}.
"""
from __future__ import annotations

import argparse
import html
import os
import re
import sys
import warnings
from dataclasses import dataclass, field

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

import h5py  # noqa: E402

from .io import SIDE_SERIES, NotASalientFile, decode, open_h5, print_or_exit_2  # noqa: E402
from .plot import SIDE_COLORS  # noqa: E402
from .report import _save, _table  # noqa: E402  (figure saving, HTML tables: shared)

#: Observables drawn when --observables is not given (those present in the file).
DEFAULT_OBSERVABLES = ("strength", "killed", "wounded", "area_held_km2", "settlements_held",
                       "changes_of_hands", "strike_casualties")

#: name -> (what it is, unit) for titles and axis labels.
OBSERVABLES = {
    "strength": ("Active strength", "agents"),
    "wounded": ("Wounded", "agents"),
    "killed": ("Killed", "agents"),
    "fleeing": ("Fleeing, morale broken", "agents"),
    "reserve": ("Reinforcements not arrived yet", "agents"),
    "cells_held": ("Cells held", "cells"),
    "area_held_km2": ("Area held", "km²"),
    "settlements_held": ("Settlements held", "settlements"),
    "changes_of_hands": ("Settlements taken from the other side, cumulative", "settlements"),
    "shots": ("Bursts fired in the recorded step", "bursts"),
    "hits": ("Hits in the recorded step", "hits"),
    "strikes": ("Rounds and bombs fired in the recorded step", "rounds and bombs"),
    "strikes_total": ("Rounds and bombs fired, cumulative", "rounds and bombs"),
    "strike_casualties": ("Soldiers struck by strikes, cumulative", "agents"),
}

#: Statistics stored per observable under /bands/point_NNNN/<observable>.
BAND_STATS = ("mean", "std", "ci95_lo", "ci95_hi", "p2_5", "p97_5")

#: Most design points drawn one by one; beyond it only the pooled mean and envelopes.
MAX_POINTS_DRAWN = 8

#: Runs shorter than this (seconds) are drawn in hours, longer ones in days.
DAYS_FROM_S = 3 * 86400.0

#: One colour per design point drawn; tab10 without its grey, which the band legend uses.
POINT_COLORS = tuple(c for i, c in enumerate(plt.get_cmap("tab10").colors) if i != 7)


class NotASummaryFile(NotASalientFile):
    """The path is missing, is not an ensemble summary, or lacks what was asked of it."""


@dataclass
class Summary:
    """Metadata of an ensemble summary; bands and final values are read on demand."""
    path: str
    attrs: dict                        # root attributes, decoded
    factors: list                      # factor names, [k] (empty: nothing varied)
    sides: list                        # two side names
    point_replicates: np.ndarray       # replicates found per design point, [P]
    point_values: np.ndarray           # factor values per design point, [P, k]
    band_points: list                  # indices of the design points with a /bands group
    observables: list = field(default_factory=list)   # observables with bands, run-file order

    @property
    def points(self) -> int:
        return len(self.point_replicates)

    @property
    def replicates(self) -> int:
        """Replicates per design point as planned."""
        return int(self.attrs.get("replicates", self.point_replicates.max(initial=0)))


def _band_group(p) -> str:
    return f"bands/point_{p:04d}"


def read_summary(path) -> Summary:
    """Read the metadata of summary file ``path``; raise NotASummaryFile if it is missing,
    not HDF5, or not laid out as ``salient aggregate`` writes it."""
    path = os.fspath(path)
    with open_h5(path, NotASummaryFile) as f:
        attrs = {k: decode(v) for k, v in f.attrs.items()}
        if attrs.get("software") != "salient" or "bands" not in f or "points" not in f:
            what = "a salient run file" if "timeseries" in f else "not a salient file"
            raise NotASummaryFile(f"{path}: not an ensemble summary (no /bands or /points; {what}); "
                                  "write one with `salient aggregate DIR -o SUMMARY.h5`")
        factors = attrs.get("factors", [])
        factors = [factors] if isinstance(factors, str) else [str(x) for x in np.ravel(factors)]
        sides = attrs.get("sides", ["side 0", "side 1"])
        sides = [str(x) for x in np.ravel(sides)]
        if "replicates" not in f["points"]:
            raise NotASummaryFile(f"{path}: not an ensemble summary (no /points/replicates)")
        reps = np.asarray(f["points/replicates"][()], dtype=np.int64).ravel()
        if factors:
            if "values" not in f["points"]:
                raise NotASummaryFile(f"{path}: {len(factors)} factors but no /points/values")
            values = np.asarray(f["points/values"][()], dtype=np.float64).reshape(len(reps), -1)
            if values.shape[1] != len(factors):
                raise NotASummaryFile(f"{path}: /points/values has {values.shape[1]} columns "
                                      f"for {len(factors)} factors")
        else:
            values = np.zeros((len(reps), 0))
        found = sorted(int(m.group(1)) for m in (re.fullmatch(r"point_(\d+)", k) for k in f["bands"])
                       if m and "time" in f["bands"][m.group(0)])
        found = [p for p in found if p < len(reps)]
        if not found:
            raise NotASummaryFile(f"{path}: no design point under /bands has a time series "
                                  f"(tasks found: {attrs.get('tasks_found', '?')})")
        g = f[_band_group(found[0])]
        have = [k for k in g if isinstance(g[k], h5py.Group) and "mean" in g[k]]
    order = {o: i for i, o in enumerate(SIDE_SERIES)}    # run-file order, then the unknown ones
    observables = sorted(have, key=lambda o: (order.get(o, len(order)), o))
    return Summary(path=path, attrs=attrs, factors=factors, sides=sides, point_replicates=reps,
                   point_values=values, band_points=found, observables=observables)


def read_bands(summary, observable) -> dict:
    """{point index: {"time": [T], "n": [T], "mean": [T, 2], ...}} of ``observable`` for
    every design point with bands (statistics missing from a point are left out)."""
    out = {}
    with h5py.File(summary.path, "r") as f:
        for p in summary.band_points:
            g = f[_band_group(p)]
            if observable not in g:
                continue
            b = {"time": g["time"][()].astype(np.float64),
                 "n": g["n"][()].astype(np.float64) if "n" in g else None}
            b.update({s: g[observable][s][()].astype(np.float64).reshape(len(b["time"]), -1)
                      for s in BAND_STATS if s in g[observable]})
            if b["n"] is None:
                b["n"] = np.full(len(b["time"]), float(summary.point_replicates[p]))
            out[p] = b
    return out


def read_final(summary, observables) -> dict:
    """Columns of /final: ``point`` [N], ``factors`` [N, k] and each of ``observables`` that
    the file has ([N, 2]); an empty dict when there is no /final."""
    with h5py.File(summary.path, "r") as f:
        if "final" not in f:
            return {}
        g = f["final"]
        out = {k: g[k][()] for k in ("task", "point", "replicate", "time") if k in g}
        n = len(out.get("point", ()))
        out["factors"] = (np.asarray(g["factors"][()], dtype=np.float64).reshape(n, -1)
                          if "factors" in g else np.zeros((n, 0)))
        out.update({o: np.asarray(g[o][()], dtype=np.float64).reshape(n, -1)
                    for o in observables if o in g})
        return out


def choose_observables(summary, wanted=None) -> list:
    """The observables to draw: ``wanted`` (names, checked against the file) or the
    defaults the file has (all it has if it has none of them)."""
    if not wanted:
        chosen = [o for o in DEFAULT_OBSERVABLES if o in summary.observables]
        return chosen or list(summary.observables)
    for o in wanted:
        if o not in summary.observables:
            kind = "not in" if o in OBSERVABLES else "unknown observable, not in"
            raise NotASummaryFile(f"{o!r}: {kind} {summary.path} "
                                  f"(it has: {', '.join(summary.observables) or 'none'})")
    return list(dict.fromkeys(wanted))


def point_label(summary, p) -> str:
    """``"control_radius=75, count=20000"`` (``"all tasks"`` when nothing was varied)."""
    if not summary.factors:
        return "all tasks" if summary.points == 1 else f"point {p}"
    if not np.all(np.isfinite(summary.point_values[p])):    # no task of it was found
        return f"point {p} (factor values unknown: no task found)"
    return ", ".join(f"{n}={v:g}" for n, v in zip(summary.factors, summary.point_values[p]))


def _legend_label(summary, p):
    """Legend entry of design point ``p``: its factor values, and its replicates when fewer
    were found than planned."""
    if summary.points == 1 and not summary.factors:
        return "mean of the replicates"
    n = int(summary.point_replicates[p])
    return point_label(summary, p) + ("" if n == summary.replicates else f" (n={n})")


def time_unit(duration_s):
    """("days", 86400) for a run of 3 days or more, else ("hours", 3600)."""
    return ("days", 86400.0) if duration_s >= DAYS_FROM_S else ("hours", 3600.0)


def describe(observable):
    """(title, unit) of an observable; the name itself and "" for one not known here."""
    return OBSERVABLES.get(observable, (observable, ""))


def _replicates_text(summary, points=None):
    """"10 replicates per point", or "9-10 replicates per point (10 planned)"."""
    found = summary.point_replicates[summary.band_points if points is None else points]
    got = _range_text(found)
    what = f"{got} replicate{'' if got == '1' else 's'} per point"
    return what if got == str(summary.replicates) else f"{what} ({summary.replicates} planned)"


def _common_grid(bands):
    """Time grid shared by all points (the union when they differ) and each point's stats
    on it (NaN outside the point's own time range)."""
    times = [b["time"] for b in bands.values()]
    if all(len(t) == len(times[0]) and np.array_equal(t, times[0]) for t in times):
        return times[0], bands
    grid = np.unique(np.concatenate(times))
    out = {}
    for p, b in bands.items():
        def on_grid(y):
            return np.interp(grid, b["time"], y, left=np.nan, right=np.nan)
        out[p] = {k: (on_grid(v) if v.ndim == 1 else np.stack([on_grid(c) for c in v.T], axis=1))
                  for k, v in b.items() if k != "time"}
        out[p]["time"] = grid
    return grid, out


def pooled(bands):
    """Across design points, per time and side: the mean of all replicates (point means
    weighted by their n), the range of the point means and the envelope of the replicate
    2.5-97.5 % ranges. Returns (time, mean, (lo, hi), (p_lo, p_hi)), arrays [T, 2]."""
    grid, b = _common_grid(bands)
    means = np.stack([v["mean"] for v in b.values()])               # [P, T, 2]
    n = np.stack([v["n"] for v in b.values()])[:, :, None] * np.ones_like(means)
    n = np.where(np.isfinite(means) & (n > 0), n, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(np.where(n > 0, means, 0.0) * n, axis=0) / n.sum(axis=0)
    mean[n.sum(axis=0) == 0] = np.nan

    def env(key, red):
        v = np.stack([x.get(key, x["mean"]) for x in b.values()])
        with warnings.catch_warnings():       # a time that no point reached: all NaN
            warnings.simplefilter("ignore", RuntimeWarning)
            return red(np.where(n > 0, v, np.nan), axis=0)
    return grid, mean, (env("mean", np.nanmin), env("mean", np.nanmax)), \
        (env("p2_5", np.nanmin), env("p97_5", np.nanmax))


def _legend_axes(n_entries, ncol, width=13.0, panel_h=4.6):
    """Figure with one panel per side above a row that holds the legend only."""
    rows = -(-n_entries // ncol)
    leg_h = 0.28 * rows + 0.25
    fig, axes = plt.subplot_mosaic([["s0", "s1"], ["leg", "leg"]], figsize=(width, panel_h + leg_h + 0.6),
                                   gridspec_kw=dict(height_ratios=[panel_h, leg_h]),
                                   constrained_layout=True)
    axes["leg"].set_axis_off()
    return fig, [axes["s0"], axes["s1"]], axes["leg"]


def fig_observable(summary, observable, bands=None):
    """Figure of ``observable`` over time: one panel per side; per design point the mean
    (line), the 95 % confidence band of the mean and the 2.5-97.5 % replicate spread.
    With more than MAX_POINTS_DRAWN points: the pooled mean, the range of the point means
    and the envelope of the replicate spreads instead. Returns the matplotlib Figure."""
    bands = read_bands(summary, observable) if bands is None else bands
    if not bands:
        raise NotASummaryFile(f"{summary.path}: no bands of {observable!r}")
    title, unit = describe(observable)
    duration = max(float(np.nanmax(b["time"])) if len(b["time"]) else 0.0 for b in bands.values())
    tu, sec = time_unit(duration)
    many = len(bands) > MAX_POINTS_DRAWN
    ci_patch = Patch(color="0.45", alpha=0.40, label="95 % confidence band of the mean")
    spread_patch = Patch(color="0.45", alpha=0.15, label="2.5-97.5 % of the replicates")

    if many:
        handles = [Line2D([], [], color="black", lw=2, label=f"mean of all tasks ({len(bands)} design points pooled)"),
                   Patch(color="tab:purple", alpha=0.45, label="range of the design-point means"),
                   Patch(color="tab:purple", alpha=0.15,
                         label="envelope of the points' 2.5-97.5 % replicate ranges")]
        ncol = 3
    else:
        handles = [Line2D([], [], color=POINT_COLORS[k % len(POINT_COLORS)], lw=2,
                          label=_legend_label(summary, p)) for k, p in enumerate(bands)]
        handles += [ci_patch, spread_patch]
        ncol = 2 if max(len(h.get_label()) for h in handles) > 40 else 3
    fig, axes, ax_leg = _legend_axes(len(handles), ncol)
    if many:
        t, mean, (lo, hi), (plo, phi) = pooled(bands)
        x = t / sec

    for i, ax in enumerate(axes):
        if many:
            ax.fill_between(x, plo[:, i], phi[:, i], color="tab:purple", alpha=0.15, lw=0)
            ax.fill_between(x, lo[:, i], hi[:, i], color="tab:purple", alpha=0.45, lw=0)
            ax.plot(x, mean[:, i], color="black", lw=2, label="pooled mean")
        else:
            for k, (p, b) in enumerate(bands.items()):
                c = POINT_COLORS[k % len(POINT_COLORS)]
                x = b["time"] / sec
                if "p2_5" in b and "p97_5" in b:
                    ax.fill_between(x, b["p2_5"][:, i], b["p97_5"][:, i], color=c, alpha=0.10, lw=0)
                if "ci95_lo" in b and "ci95_hi" in b:
                    ax.fill_between(x, b["ci95_lo"][:, i], b["ci95_hi"][:, i], color=c, alpha=0.30, lw=0)
                ax.plot(x, b["mean"][:, i], color=c, lw=1.8, label=point_label(summary, p), zorder=3)
        side = summary.sides[i] if i < len(summary.sides) else f"side {i}"
        ax.set_title(side, color=SIDE_COLORS[i % 2], fontweight="bold")
        ax.set(xlabel=f"time ({tu})", ylabel=f"{observable} ({unit})" if unit else observable)
        ax.grid(alpha=0.3)
        ax.margins(x=0)
    ax_leg.legend(handles=handles, loc="center", ncol=ncol, fontsize="small", frameon=False)

    head = f"{title}" + (f" ({unit})" if unit else "")
    sub = f"{len(bands)} design points, {_replicates_text(summary, list(bands))}"
    if many:
        sub = (f"{len(bands)} design points, too many to draw one by one: pooled mean and "
               f"ranges across points; {_replicates_text(summary, list(bands))}")
    elif len(bands) == 1:
        sub = _replicates_text(summary, list(bands)).replace(" per point", "")
    fig.suptitle(f"{head}\n{sub}", fontsize="large")
    return fig


def fig_final(summary, observables, final=None):
    """Grid of scatter plots: final value of each observable (both sides, one colour each)
    against each factor, one marker per task: one row per observable and one column per
    factor (with one factor, the observables' panels wrap over up to 4 columns). Where
    factor values repeat across design points (grid designs) or there is one factor, a line
    joins the side's mean per value. Returns the Figure, or None without factors or tasks."""
    final = read_final(summary, observables) if final is None else final
    obs = [o for o in observables if o in final]
    if not summary.factors or not obs or final.get("factors", np.zeros((0, 0))).shape[0] == 0:
        return None
    k, X = len(summary.factors), final["factors"]
    if k == 1:
        cols = min(4, len(obs))
        rows = -(-len(obs) // cols)
        cells = [(o, 0, (j // cols, j % cols)) for j, o in enumerate(obs)]
    else:
        rows, cols = len(obs), k
        cells = [(o, c, (r, c)) for r, o in enumerate(obs) for c in range(k)]
    w, h = (3.4, 2.4) if cols <= 4 else (2.6, 2.0)
    width = max(w * cols + 1.4, 8.0)
    fig = plt.figure(figsize=(width, h * rows + 1.5), constrained_layout=True)
    gs = fig.add_gridspec(rows + 1, cols, height_ratios=[0.45] + [h] * rows)
    ax_leg = fig.add_subplot(gs[0, :])
    ax_leg.set_axis_off()
    axes = {}
    joined = False
    for o, c, (r, col) in cells:
        share_y = axes.get((r, 0)) if k > 1 and col else None
        share_x = axes.get((0, col)) if r else None
        ax = axes[(r, col)] = fig.add_subplot(gs[r + 1, col], sharex=share_x, sharey=share_y)
        name, x, unit = summary.factors[c], X[:, c], describe(o)[1]
        levels = np.unique(x[np.isfinite(x)])
        join = len(levels) <= 12 and (k == 1 or len(levels) < summary.points)
        joined |= join
        for i in range(final[o].shape[1]):
            color = SIDE_COLORS[i % 2]
            ax.scatter(x, final[o][:, i], s=10, color=color, alpha=0.5, lw=0)
            if join:
                ax.plot(levels, [np.nanmean(final[o][x == v, i]) for v in levels], color=color,
                        lw=1.2, marker="_", ms=10)
        ax.grid(alpha=0.3)
        last_in_column = r == rows - 1 or (r + 1, col) not in {cell[2] for cell in cells}
        if last_in_column:
            ax.set_xlabel(name if len(levels) > 1 else f"{name} (the same in every task)")
        else:
            ax.tick_params(labelbottom=False)
        if k == 1 or col == 0:
            ax.set_ylabel(f"{o} ({unit})" if unit else o, fontsize="small")
        else:
            ax.tick_params(labelleft=False)
    handles = [Line2D([], [], ls="", marker="o", color=SIDE_COLORS[i % 2], alpha=0.6,
                      label=f"{s}: one task") for i, s in enumerate(summary.sides)]
    if joined:
        handles += [Line2D([], [], color=SIDE_COLORS[i % 2], marker="_", ms=10,
                           label=f"{s}: mean per factor value") for i, s in enumerate(summary.sides)]
    ax_leg.legend(handles=handles, loc="center", ncol=len(handles) if width >= 10 else 2,
                  fontsize="small", frameon=False)
    fig.suptitle(f"Final value of each observable against each factor\n{X.shape[0]} tasks, "
                 f"value at each task's last record", fontsize="large")
    return fig


def _range_text(values):
    """"3" or "3-4" (min-max of integers); "none" for an empty array."""
    if len(values) == 0:
        return "none"
    lo, hi = int(np.min(values)), int(np.max(values))
    return f"{lo}" if lo == hi else f"{lo}-{hi}"


def metadata(summary) -> list:
    """(label, value) pairs for the head of index.html."""
    a = summary.attrs
    reps = summary.point_replicates
    found, expected = a.get("tasks_found", "?"), a.get("tasks_expected", "?")
    lost = [int(t) for t in np.ravel(a.get("missing_tasks", []))]
    missing = ""
    try:
        if int(found) < int(expected):
            missing = f" ({int(expected) - int(found)} missing"
            missing += (": " + ", ".join(map(str, lost[:20])) + (" ..." if len(lost) > 20 else "")
                        if lost else "") + ")"
    except (TypeError, ValueError):
        pass
    scenario = a.get("scenario") or (f"sha256 {a['scenario_sha256']}" if a.get("scenario_sha256")
                                     else "?")
    return [("summary file", os.path.abspath(summary.path)), ("plan", a.get("plan", "?")),
            ("scenario", scenario), ("design", a.get("design", "?")),
            ("factors", ", ".join(summary.factors) or "none (nothing varied)"),
            ("sides", ", ".join(summary.sides)), ("design points", a.get("points", summary.points)),
            ("replicates per point", f"{summary.replicates} planned; found {_range_text(reps)}"),
            ("tasks found / expected", f"{found} / {expected}{missing}")]


#: Most design points listed in index.html.
MAX_POINT_ROWS = 200


def make_ensemble_report(path, outdir, observables=None) -> str:
    """Write the figures and index.html of summary file ``path`` into ``outdir``; return the
    path of index.html. Raises NotASummaryFile for a missing or foreign file or an
    observable the file does not have."""
    s = read_summary(path)
    obs = choose_observables(s, observables)
    os.makedirs(outdir, exist_ok=True)
    figures = []
    for o in obs:
        name = f"{o}.png"
        _save(fig_observable(s, o), os.path.join(outdir, name))
        title, unit = describe(o)
        figures.append((name, f"{title}" + (f" ({unit})" if unit else "") + f" — {o}"))
    fig = fig_final(s, obs)
    if fig is not None:
        _save(fig, os.path.join(outdir, "final.png"))
        figures.append(("final.png", "Final value of each observable (per side, per task) "
                        "against each factor: what a regression of the outcome on the factors sees"))
        final_note = ""
    else:
        stale = os.path.join(outdir, "final.png")
        if os.path.exists(stale):
            os.remove(stale)
        final_note = ("<p><em>No final-value scatter plots: "
                      + ("no factors were varied in this plan." if not s.factors
                         else "the summary has no final values.") + "</em></p>")
    rows = [[p, point_label(s, p), int(s.point_replicates[p])] for p in range(min(s.points, MAX_POINT_ROWS))]
    more = (f"<p>... and {s.points - MAX_POINT_ROWS} more design points.</p>"
            if s.points > MAX_POINT_ROWS else "")
    many = (f" With more than {MAX_POINTS_DRAWN} design points the time-series figures show the mean "
            "of all tasks pooled, the range of the design-point means and the envelope of their "
            "replicate ranges instead of each point." if len(s.band_points) > MAX_POINTS_DRAWN else "")
    figs = "\n".join(f'<figure><img src="{n}" alt="{html.escape(c)}"><figcaption>{html.escape(c)}'
                     f"</figcaption></figure>" for n, c in figures)
    title = html.escape(f"salient ensemble: {s.attrs.get('plan', os.path.basename(s.path))}")
    doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1300px}}
table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #bbb;padding:.25em .6em;text-align:left}} img{{max-width:100%}}
figure{{margin:2em 0}}</style></head><body>
<h1>{title}</h1>
<h2>Ensemble</h2>
{_table(["", "value"], metadata(s))}
<h2>Design points</h2>
{_table(["point", "factor values", "replicates found"], rows)}
{more}
<h2>Figures</h2>
<p>Time series: per design point the mean over its replicates (line), the 95 % confidence
band of the mean (mean ± t·std/√n, darker) and the 2.5-97.5 % range of the replicates
(lighter); with few replicates the confidence band can be the wider of the two.{html.escape(many)}</p>
{final_note}
{figs}
</body></html>
"""
    index = os.path.join(outdir, "index.html")
    with open(index, "w", encoding="utf-8") as f:
        f.write(doc)
    return index


def parse_observables(text):
    """``"strength, killed"`` -> ["strength", "killed"]."""
    return [o.strip() for o in text.split(",") if o.strip()]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m analysis.ensemble", description=__doc__.splitlines()[0])
    ap.add_argument("summary", help="ensemble summary file (.h5) written by `salient aggregate`")
    ap.add_argument("-o", "--output", required=True, help="directory to write index.html and the PNGs to")
    ap.add_argument("--observables", type=parse_observables, default=None, metavar="A,B,...",
                    help="observables to draw (default: those of " + ", ".join(DEFAULT_OBSERVABLES)
                    + " that the file has)")
    a = ap.parse_args(argv)
    return print_or_exit_2(lambda: make_ensemble_report(a.summary, a.output, a.observables))


if __name__ == "__main__":
    sys.exit(main())
