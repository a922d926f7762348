"""HTML report of a run: control maps, area held, strength, changes of hands, strike impacts.

Usage: /usr/bin/python3 -m analysis.report RUN.h5 -o DIR [--target DAYS:KM2[:LO:HI]]...
Writes DIR/index.html and the PNGs it shows; prints the path of index.html.
Exits 2 with a message if RUN.h5 is missing or not a salient run file.
"""
from __future__ import annotations

import argparse
import html
import math
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Circle, Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from .io import (print_or_exit_2, TERRAIN_NAMES, NotASalientFile, read_mesh, read_run,  # noqa: E402
                 read_settlement_events, read_settlements, read_strikes, snapshot_times)
from .plot import SIDE_COLORS, TERRAIN_COLORS  # noqa: E402
from .summary import summary  # noqa: E402

FIGURES = (("control_map.png", "Control of the region at up to four snapshots"),
           ("area_held.png", "Area held per side"),
           ("strength.png", "Strength and casualties per side"),
           ("changes_of_hands.png", "Settlement changes of hands"),
           ("strike_heatmap.png", "Strike impacts"))


def parse_target(text):
    """``DAYS:KM2`` or ``DAYS:KM2:LO:HI`` (LO, HI: bounds of the area in km^2) -> 4-tuple."""
    try:
        v = [float(x) for x in text.split(":")]
    except ValueError:
        v = []
    if len(v) == 2:
        v += [v[1], v[1]]
    if len(v) != 4 or not v[2] <= v[1] <= v[3]:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected TIME_DAYS:AREA_KM2 or TIME_DAYS:AREA_KM2:LO:HI with LO <= AREA <= HI")
    return tuple(v)


def time_unit(duration_s):
    """("day", 86400) for a run of a day or more, else ("hour", 3600)."""
    return ("day", 86400.0) if duration_s >= 86400.0 else ("hour", 3600.0)


def count_changes(events, duration_s):
    """Settlement changes of hands per day (per hour if the run is shorter than a day).

    A change is an event whose ``from`` is a side (>= 0) and whose ``to`` differs: taken
    by the other side, or lost to contested (-1). Events from -1 (first occupation,
    retaking a contested settlement) are not counted. Returns (unit, to_other,
    to_contested) with one count per unit of time, bin k covering [k, k + 1) units.
    """
    unit, sec = time_unit(duration_s)
    n = max(1, math.ceil(duration_s / sec - 1e-9))
    frm, to = np.asarray(events["from"]), np.asarray(events["to"])
    k = np.clip(np.floor(np.asarray(events["time"], dtype=float) / sec).astype(int), 0, n - 1)
    changed = (frm >= 0) & (to != frm)
    return (unit, np.bincount(k[changed & (to >= 0)], minlength=n),
            np.bincount(k[changed & (to < 0)], minlength=n))


def _extent_km(run):
    cell = float(run.attrs.get("cell_size_m", 1.0))
    return (0.0, int(run.attrs["nx"]) * cell / 1e3, 0.0, int(run.attrs["ny"]) * cell / 1e3)


def _terrain(ax, terrain, extent, alpha=1.0):
    ax.imshow(terrain, origin="lower", extent=extent, interpolation="nearest", alpha=alpha,
              cmap=ListedColormap(TERRAIN_COLORS), vmin=-0.5, vmax=len(TERRAIN_COLORS) - 0.5)


#: Most settlement names written on a map; beyond it only towns are named.
MAX_LABELS = 30


def _settlements(ax, sett):
    """Outline every settlement; name them all on small maps, only the towns on large ones."""
    n = len(sett["name"])
    towns = sett.get("size_class", np.zeros(n, dtype=np.uint8))
    for k, (x, y, r, name) in enumerate(zip(sett["x"], sett["y"], sett["radius_m"], sett["name"])):
        ax.add_patch(Circle((x / 1e3, y / 1e3), r / 1e3, fill=False, ec="black",
                            lw=1 if n <= MAX_LABELS else 0.5, ls="--"))
        if n <= MAX_LABELS or towns[k] == 1:
            ax.annotate(name, (x / 1e3, (y + r) / 1e3), ha="center", va="bottom", fontsize=8,
                        bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8))
    label = "settlement" if n <= MAX_LABELS else "settlement (towns named)"
    return [Line2D([], [], ls="--", color="black", label=label)] if n else []


def fig_control(path, run, out):
    times = snapshot_times(path)
    steps = sorted(times)
    if not steps:
        return _empty(out, "Control map", "no snapshots in this run")
    idx = np.linspace(0, len(steps) - 1, min(4, len(steps)))
    pick = [steps[i] for i in sorted({int(round(i)) for i in idx})]
    rows, cols = (2, 2) if len(pick) == 4 else (1, len(pick))
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 4.3 * rows + 0.6), squeeze=False)
    extent, sett = _extent_km(run), read_settlements(path)
    present = set()
    for ax, step in zip(axes.flat, pick):
        terrain = read_mesh(path, step, "terrain")
        present |= set(np.unique(terrain).tolist())
        _terrain(ax, terrain, extent)
        held = np.ma.masked_less(read_mesh(path, step, "control").astype(np.int16), 0)
        ax.imshow(held, origin="lower", extent=extent, interpolation="nearest", alpha=0.5,
                  cmap=ListedColormap(SIDE_COLORS), vmin=-0.5, vmax=1.5)
        extra = _settlements(ax, sett)
        ax.set(title=f"t = {times[step] / 3600:.1f} h (step {step})", xlabel="x (km)", ylabel="y (km)",
               xlim=extent[:2], ylim=extent[2:])
    handles = [Patch(color=SIDE_COLORS[i % 2], alpha=0.5, label=f"held by {s}")
               for i, s in enumerate(run.sides)]
    handles += [Patch(color=c, label=n) for i, (c, n) in enumerate(zip(TERRAIN_COLORS, TERRAIN_NAMES))
                if i in present] + extra
    fig.suptitle("Control of the region (unshaded: held by nobody)")
    fig.tight_layout(rect=(0, 0.6 / fig.get_figheight(), 1, 1))
    fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 5), fontsize="small")
    return _save(fig, out)


def fig_area(run, targets, out):
    unit, sec = time_unit(run.time_h[-1] * 3600.0)
    t = run.time_h * 3600.0 / sec
    fig, ax = plt.subplots(figsize=(8, 4.5), constrained_layout=True)
    for i, side in enumerate(run.sides):
        ax.plot(t, run.area_held_km2[:, i], color=SIDE_COLORS[i % 2], label=side)
    if targets:
        d, a, lo, hi = (np.array(c) for c in zip(*targets))
        ax.errorbar(d * 86400.0 / sec, a, yerr=[a - lo, hi - a], fmt="D", color="black", ms=6,
                    capsize=4, label="calibration target")
    ax.set(title="Area held", xlabel=f"time ({unit}s)", ylabel="area held (km$^2$)")
    ax.legend()
    ax.grid(alpha=0.3)
    return _save(fig, out)


def fig_strength(run, out):
    unit, sec = time_unit(run.time_h[-1] * 3600.0)
    t = run.time_h * 3600.0 / sec
    fig, ax = plt.subplots(figsize=(10, 4.5), constrained_layout=True)
    for i, side in enumerate(run.sides):
        c = SIDE_COLORS[i % 2]
        ax.plot(t, run.strength[:, i], color=c, label=f"{side} active")
        ax.plot(t, run.casualties[:, i], color=c, ls="--", label=f"{side} casualties (wounded + killed)")
        ax.plot(t, run.killed[:, i], color=c, ls=":", label=f"{side} killed")
    ax.set(title="Strength and casualties", xlabel=f"time ({unit}s)", ylabel="soldiers (agents)")
    ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.grid(alpha=0.3)
    return _save(fig, out)


def fig_changes(path, run, out):
    unit, to_other, to_contested = count_changes(read_settlement_events(path), run.time_h[-1] * 3600.0)
    k = np.arange(len(to_other))
    fig, ax = plt.subplots(figsize=(8, 4.5), constrained_layout=True)
    ax.bar(k, to_other, width=0.8, align="edge", color="tab:purple", label="taken by the other side")
    ax.bar(k, to_contested, width=0.8, align="edge", bottom=to_other, color="tab:gray",
           label="lost to contested")
    total = int(to_other.sum() + to_contested.sum())
    ax.set(title=f"Settlement changes of hands per {unit} ({total} in all)",
           xlabel=f"time ({unit}s since start; bar k covers [k, k+1))", ylabel=f"changes per {unit}")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_ylim(0, max(1, int((to_other + to_contested).max())) * 1.15)
    ax.legend()
    ax.grid(alpha=0.3, axis="y")
    return _save(fig, out)


def fig_strikes(path, run, out):
    st = read_strikes(path)
    sides = [i for i in range(len(run.sides)) if np.any(st["side"] == i)]
    if not sides:
        return _empty(out, "Strike impacts", "no strikes in this run")
    extent, sett = _extent_km(run), read_settlements(path)
    size = max(float(run.attrs.get("cell_size_m", 1.0)), extent[1] * 1e3 / 40)   # bin edge, metres
    ex, ey = (np.arange(0, e * 1e3 + size, size) for e in (extent[1], extent[3]))
    fig, axes = plt.subplots(1, len(sides), figsize=(6.5 * len(sides), 5), squeeze=False,
                             constrained_layout=True)
    terrain = read_mesh(path, max(snapshot_times(path)), "terrain") if snapshot_times(path) else None
    for ax, i in zip(axes.flat, sides):
        mine = st["side"] == i
        h, _, _ = np.histogram2d(st["impact_y"][mine], st["impact_x"][mine], bins=(ey, ex))
        if terrain is not None:
            _terrain(ax, terrain, extent, alpha=0.35)
        m = ax.pcolormesh(ex / 1e3, ey / 1e3, np.ma.masked_equal(h, 0), cmap="YlOrRd", vmin=0,
                          vmax=max(2.0, h.max()))
        cb = fig.colorbar(m, ax=ax, label=f"impacts per {size:.0f} m x {size:.0f} m bin", shrink=0.75)
        cb.locator = MaxNLocator(integer=True)
        cb.update_ticks()
        handles = _settlements(ax, sett)
        if handles:
            ax.legend(handles=handles, loc="upper left", fontsize="small")
        outside = int(mine.sum() - h.sum())
        note = f", {outside} outside the region" if outside else ""
        ax.set(title=f"Impacts of {run.sides[i]}'s strikes ({int(mine.sum())}{note})",
               xlabel="x (km)", ylabel="y (km)", xlim=extent[:2], ylim=extent[2:], aspect="equal")
    return _save(fig, out)


def _empty(out, title, text):
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=14, transform=ax.transAxes)
    ax.set_axis_off()
    ax.set_title(title)
    return _save(fig, out)


def _save(fig, out):
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return os.fspath(out)


def _table(header, rows):
    esc = lambda v: html.escape(str(v))  # noqa: E731
    return ("<table>\n<tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr>\n"
            + "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in r) + "</tr>\n" for r in rows)
            + "</table>")


def metadata(path, run):
    """(label, value) pairs for the head of the report."""
    a = run.attrs
    dt = a.get("dt_s")
    if dt is None and len(run.step) > 1 and run.step[-1] > run.step[0]:
        dt = (run.time_h[-1] - run.time_h[0]) * 3600.0 / (run.step[-1] - run.step[0])
    dur = run.time_h[-1] * 3600.0
    wall = a.get("wall_seconds")
    return [("run file", os.path.abspath(path)), ("scenario", a.get("scenario_path", "?")),
            ("seed", a.get("seed", "?")), ("backend", a.get("backend", "?")),
            ("git commit", a.get("git_commit", "?")), ("sides", ", ".join(run.sides)),
            ("time step dt", f"{float(dt):g} s" if dt is not None else "?"),
            ("simulated duration", f"{dur:g} s = {dur / 3600:.2f} h = {dur / 86400:.3f} days"),
            ("wall time", f"{float(wall):.2f} s" if wall is not None
             else "not recorded (run did not finish)")]


def make_report(path, outdir, targets=()) -> str:
    """Write the figures and index.html of run file ``path`` into ``outdir``; return the
    path of index.html. Raises NotASalientFile for a missing or foreign file."""
    run = read_run(path)
    rows = summary(path)            # also rejects an empty time series
    os.makedirs(outdir, exist_ok=True)
    p = lambda name: os.path.join(outdir, name)  # noqa: E731
    fig_control(path, run, p(FIGURES[0][0]))
    fig_area(run, list(targets), p(FIGURES[1][0]))
    fig_strength(run, p(FIGURES[2][0]))
    fig_changes(path, run, p(FIGURES[3][0]))
    fig_strikes(path, run, p(FIGURES[4][0]))
    keys = ("side", "initial", "final", "wounded", "killed", "casualties", "area_km2", "strikes",
            "strike_casualties")
    summ = _table(["side", "initial strength", "final strength", "wounded", "killed", "casualties",
                   "area held (km²)", "strikes fired", "its soldiers struck (any strike)"],
                  [[f"{r[k]:.2f}" if k == "area_km2" else r[k] for k in keys] for r in rows])
    tgt = "; ".join(f"{d:g}: {a:g} [{lo:g}, {hi:g}]" for d, a, lo, hi in targets)
    tgt = f"<p>Calibration targets (days: km² [lo, hi]): {html.escape(tgt)}</p>" if targets else ""
    figs = "\n".join(f'<figure><img src="{n}" alt="{html.escape(c)}"><figcaption>{html.escape(c)}'
                     f"</figcaption></figure>" for n, c in FIGURES)
    title = html.escape(f"salient report: {os.path.basename(os.fspath(path))}")
    doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1200px}}
table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #bbb;padding:.25em .6em;text-align:left}} img{{max-width:100%}}
figure{{margin:2em 0}}</style></head><body>
<h1>{title}</h1>
<h2>Run</h2>
{_table(["", "value"], metadata(path, run))}
<h2>Summary at {rows[0]["time_h"]:.2f} h</h2>
{summ}
{tgt}
<h2>Figures</h2>
{figs}
</body></html>
"""
    index = p("index.html")
    with open(index, "w", encoding="utf-8") as f:
        f.write(doc)
    return index


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m analysis.report", description=__doc__.splitlines()[0])
    ap.add_argument("run", help="salient run file (.h5)")
    ap.add_argument("-o", "--output", required=True,
                    help="directory to write index.html and the PNGs to")
    ap.add_argument("--target", action="append", type=parse_target, default=[],
                    metavar="TIME_DAYS:AREA_KM2[:LO:HI]",
                    help="calibration point of the area-held figure (LO, HI: bounds in km^2); repeatable")
    a = ap.parse_args(argv)
    return print_or_exit_2(lambda: make_report(a.run, a.output, a.target))


if __name__ == "__main__":
    sys.exit(main())
