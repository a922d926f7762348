"""Lanchester's laws: the ODEs of the validation arena, and the comparison of arena runs with them.

Square law (aimed fire):  dA/dt = -b B,      dB/dt = -a A
Linear law (area fire):   dA/dt = -b A B,    dB/dt = -a A B
with a, b the per-capita kill rates of sides 0 (A) and 1 (B) from the scenario's [arena]
table, and reinforcements added at their arrival times. Usage:

    /usr/bin/python3 -m analysis.lanchester RUN.h5 [RUN.h5 ...]

reads the scenario stored in the first run, averages the strength of all runs at each
recorded time, and prints it beside the ODE solution with the relative error, up to the time
one side falls below 10 % of its start. Exits 2 if a file is not an arena run.
"""
from __future__ import annotations

import argparse
import sys
import tomllib

import numpy as np

from .io import NotASalientFile, read_run


def arena_params(path) -> dict:
    """Law, rates, initial strengths and reinforcement schedule of an arena run file, from the
    scenario text stored in /salient. Raises NotASalientFile if it is not an arena run."""
    run = read_run(path)
    text = run.attrs.get("scenario_text", "")
    doc = tomllib.loads(text)
    arena = doc.get("arena")
    if not arena:
        raise NotASalientFile(f"{path}: not a validation-arena run (no [arena] in its scenario)")
    names = [s["name"] for s in doc["side"]]
    reinforcements = [(float(r["day"]) * 86400.0, names.index(r["side"]), int(r["count"]))
                      for r in doc.get("reinforcement", [])]
    dt = float(doc["run"].get("dt", 10.0))
    # The model activates a reinforcement at the start of the step after its arrival step.
    reinforcements = [(round(t / dt) * dt, s, n) for t, s, n in reinforcements]
    return dict(law=arena["law"], rates=tuple(float(x) for x in arena["kill_rate"]),
                initial=(int(doc["side"][0]["count"]), int(doc["side"][1]["count"])),
                reinforcements=sorted(reinforcements), dt=dt)


def solve(law, initial, rates, times, reinforcements=()) -> np.ndarray:
    """Strengths [len(times), 2] of the Lanchester ODE (fourth-order Runge-Kutta, 50 substeps
    between recorded times, never below 0). A reinforcement (t, side, n) is added just after
    time t: the value at t itself is before it."""
    a, b = rates

    def rhs(y):
        if law == "square":
            d = np.array([-b * y[1], -a * y[0]])
        elif law == "linear":
            d = np.array([-b * y[0] * y[1], -a * y[0] * y[1]])
        else:
            raise ValueError(f"unknown law {law!r}")
        return np.where(y > 0, d, 0.0)

    y = np.array(initial, dtype=float)
    out = np.zeros((len(times), 2))
    pending = list(reinforcements)
    t = 0.0
    for i, target in enumerate(times):
        while t < target:
            stop = min([target] + [r[0] for r in pending if r[0] > t])
            h = (stop - t) / 50.0
            for _ in range(50):
                k1 = rhs(y)
                k2 = rhs(y + h / 2 * k1)
                k3 = rhs(y + h / 2 * k2)
                k4 = rhs(y + h * k3)
                y = np.maximum(y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4), 0.0)
            t = stop
            if t < target:  # a reinforcement time strictly before the target: add it now
                for r in [r for r in pending if r[0] == t]:
                    y[r[1]] += r[2]
                    pending.remove(r)
        out[i] = y
        for r in [r for r in pending if r[0] == target]:  # just after the recorded time
            y[r[1]] += r[2]
            pending.remove(r)
    return out


def compare(paths) -> dict:
    """Mean strength of the runs ``paths`` (same arena scenario, different seeds) against the
    ODE: times (s), mean [n, 2], ode [n, 2], rel_error [n, 2], and ``valid`` [n] (True until
    one side of the mean falls below 10 % of its start)."""
    p = arena_params(paths[0])
    runs = [read_run(x) for x in paths]
    times = runs[0].time_h * 3600.0
    mean = np.mean([r.strength for r in runs], axis=0)
    ode = solve(p["law"], p["initial"], p["rates"], times, p["reinforcements"])
    start = np.array(p["initial"], dtype=float)
    valid = np.all(mean >= 0.1 * start, axis=1)
    valid = np.cumprod(valid).astype(bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.abs(mean - ode) / np.where(ode > 0, ode, np.nan)
    return dict(times=times, mean=mean, ode=ode, rel_error=rel, valid=valid, params=p,
                replicates=len(runs))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m analysis.lanchester",
                                 description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+", help="arena run files (.h5) of one scenario")
    a = ap.parse_args(argv)
    try:
        c = compare(a.runs)
    except NotASalientFile as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    p = c["params"]
    print(f"{p['law']} law, rates {p['rates']}, {c['replicates']} replicates")
    print(f"{'t (s)':>8} {'mean A':>9} {'ODE A':>9} {'mean B':>9} {'ODE B':>9} {'max rel err':>11}")
    for i, t in enumerate(c["times"]):
        if not c["valid"][i]:
            break
        m, o = c["mean"][i], c["ode"][i]
        print(f"{t:8.0f} {m[0]:9.1f} {o[0]:9.1f} {m[1]:9.1f} {o[1]:9.1f} {np.nanmax(c['rel_error'][i]):11.4f}")
    print(f"largest relative error while both sides hold 10 %: "
          f"{np.nanmax(c['rel_error'][c['valid']]):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
