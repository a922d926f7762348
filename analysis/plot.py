"""Overview plot of a run: area held, strength and casualties, final control map.

Usage: /usr/bin/python3 -m analysis.plot RUN.h5 -o OUT.png
Exits 2 with a message if RUN.h5 is missing or not a salient run file.
"""
from __future__ import annotations

import argparse
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from .io import (print_or_exit_2, TERRAIN_NAMES, NotASalientFile, read_mesh, read_run, read_strikes,  # noqa: E402
                 snapshot_steps)
from .summary import summary  # noqa: E402,F401  (re-exported: analysis.plot.summary)

SIDE_COLORS = ("tab:blue", "tab:red")
TERRAIN_COLORS = ("#e8e4c9", "#7fa36b", "#9e9e9e", "#7fb2d9", "#c9a66b")  # open forest urban water road


def plot_run(path, out) -> str:
    """Write the 3-panel overview PNG (area and settlements held, strength, control map with
    the impacts of every strike up to the last snapshot) of run file ``path`` to ``out``;
    return ``out``."""
    run = read_run(path)
    steps = snapshot_steps(path)
    fig, (ax_area, ax_str, ax_map) = plt.subplots(1, 3, figsize=(16, 5), constrained_layout=True)
    t = run.time_h

    for i, side in enumerate(run.sides):
        c = SIDE_COLORS[i % 2]
        ax_area.plot(t, run.area_held_km2[:, i], color=c, label=side)
        ax_str.plot(t, run.strength[:, i], color=c, label=f"{side} active")
        ax_str.plot(t, run.casualties[:, i], color=c, ls="--", label=f"{side} casualties")
    ax_area.set(title="Area held", xlabel="time (h)", ylabel="km$^2$")
    ax_str.set(title="Strength and casualties (wounded + killed)", xlabel="time (h)", ylabel="agents")
    for ax in (ax_area, ax_str):
        ax.legend(fontsize="small")
        ax.grid(alpha=0.3)

    if "settlements_held" in run.series:  # settlements held, on a second axis of the area panel
        ax_sett = ax_area.twinx()
        for i, side in enumerate(run.sides):
            ax_sett.plot(t, run.settlements_held[:, i], color=SIDE_COLORS[i % 2], ls=":", lw=1,
                         label=f"{side} settlements")
        ax_sett.set_ylabel("settlements held (dotted)")

    if steps:
        last = steps[-1]
        terrain = read_mesh(path, last, "terrain")
        control = read_mesh(path, last, "control").astype(np.int16)
        cell = float(run.attrs.get("cell_size_m", 1.0))
        ny, nx = terrain.shape
        extent = (0.0, nx * cell / 1000.0, 0.0, ny * cell / 1000.0)
        ax_map.imshow(terrain, origin="lower", extent=extent, interpolation="nearest",
                      cmap=ListedColormap(TERRAIN_COLORS), vmin=-0.5, vmax=len(TERRAIN_COLORS) - 0.5)
        held = np.ma.masked_less(control, 0)
        ax_map.imshow(held, origin="lower", extent=extent, interpolation="nearest", alpha=0.55,
                      cmap=ListedColormap(SIDE_COLORS), vmin=-0.5, vmax=1.5)
        handles = [Patch(color=SIDE_COLORS[i % 2], alpha=0.55, label=f"held by {s}")
                   for i, s in enumerate(run.sides)]
        handles += [Patch(color=c, label=n) for c, n in zip(TERRAIN_COLORS, TERRAIN_NAMES)
                    if np.any(terrain == TERRAIN_NAMES.index(n))]
        strikes = read_strikes(path)
        fell = strikes["step"] <= last
        if np.any(fell):
            from matplotlib.lines import Line2D
            for i, side in enumerate(run.sides):
                mine = fell & (strikes["side"] == i)
                if np.any(mine):
                    ax_map.plot(strikes["impact_x"][mine] / 1000.0, strikes["impact_y"][mine] / 1000.0,
                                "x", ms=3, mew=0.7, color=SIDE_COLORS[i % 2], alpha=0.8)
                    handles.append(Line2D([], [], ls="", marker="x", color=SIDE_COLORS[i % 2],
                                          label=f"{side} strikes ({int(mine.sum())})"))
            ax_map.set_xlim(extent[0], extent[1])
            ax_map.set_ylim(extent[2], extent[3])
        ax_map.legend(handles=handles, fontsize="small", loc="upper right", framealpha=0.8)
        t_snap = run.time_h[np.searchsorted(run.step, last)] if last in run.step else None
        when = f"{t_snap:.2f} h" if t_snap is not None else f"step {last}"
        ax_map.set(title=f"Control at {when}", xlabel="x (km)", ylabel="y (km)")
    else:
        ax_map.text(0.5, 0.5, "no snapshots", ha="center", va="center", transform=ax_map.transAxes)
        ax_map.set_axis_off()

    fig.suptitle(os.path.basename(os.fspath(path)))
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return os.fspath(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m analysis.plot", description=__doc__.splitlines()[0])
    ap.add_argument("run", help="salient run file (.h5)")
    ap.add_argument("-o", "--output", help="PNG to write (default: RUN with .png)")
    a = ap.parse_args(argv)
    out = a.output or os.path.splitext(a.run)[0] + ".png"
    return print_or_exit_2(lambda: plot_run(a.run, out))


if __name__ == "__main__":
    sys.exit(main())
