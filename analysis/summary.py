"""Text summary of a run: per side final/initial strength, casualties, area held.

Usage: /usr/bin/python3 -m analysis.summary RUN.h5
"""
from __future__ import annotations

import argparse
import sys

from .io import print_or_exit_2, NotASalientFile, read_run


def summary(path) -> list:
    """One dict per side with the final state of the run.

    Keys: side, initial, final (active strength), wounded, killed, casualties
    (wounded + killed), area_km2 (area held at the end), time_h (final time), strikes
    (rounds and bombs the side fired) and strike_casualties (its soldiers struck by any
    strike), both 0 for files without fire support.
    """
    run = read_run(path)
    if len(run.time_h) == 0:
        raise NotASalientFile(f"{path}: the time series is empty")
    rows = []
    for i, side in enumerate(run.sides):
        s = run.series
        rows.append(dict(side=side,
                         initial=int(s["strength"][0, i]), final=int(s["strength"][-1, i]),
                         wounded=int(s["wounded"][-1, i]), killed=int(s["killed"][-1, i]),
                         casualties=int(s["wounded"][-1, i] + s["killed"][-1, i]),
                         area_km2=float(s["area_held_km2"][-1, i]),
                         time_h=float(run.time_h[-1]),
                         strikes=int(s["strikes_total"][-1, i]) if "strikes_total" in s else 0,
                         strike_casualties=int(s["strike_casualties"][-1, i])
                         if "strike_casualties" in s else 0))
    return rows


def format_summary(rows) -> str:
    """The rows of summary() as a fixed-width text table."""
    w = max([4] + [len(r["side"]) for r in rows])
    lines = [f"after {rows[0]['time_h']:.2f} h" if rows else "no sides",
             f"{'side':<{w}}  {'strength':>15}  {'casualties':>10}  {'(wnd/kia)':>11}  {'area km^2':>10}"
             f"  {'strikes':>8}  {'struck':>6}"]
    for r in rows:
        lines.append(f"{r['side']:<{w}}  {r['final']:>7}/{r['initial']:<7}  {r['casualties']:>10}  "
                     f"{r['wounded']:>5}/{r['killed']:<5}  {r['area_km2']:>10.2f}"
                     f"  {r.get('strikes', 0):>8}  {r.get('strike_casualties', 0):>6}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m analysis.summary", description=__doc__.splitlines()[0])
    ap.add_argument("run", help="salient run file (.h5)")
    a = ap.parse_args(argv)
    return print_or_exit_2(lambda: format_summary(summary(a.run)))


if __name__ == "__main__":
    sys.exit(main())
