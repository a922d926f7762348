"""Time per agent against N from `salient bench` JSON files (bench/run_scaling.sh).

Usage: /usr/bin/python3 bench/plot_scaling.py FILE.json ... -o OUT.png
One line per (backend, threads); a flat line is linear cost.
"""
import argparse
import json
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args(argv)
    lines = defaultdict(list)
    commits = set()
    for name in args.files:
        try:
            r = json.load(open(name))
            key = (r["backend"], r["threads"])
            lines[key].append((r["agents"], r["step_s"]["median"] / r["agents"] * 1e9))
            commits.add(r.get("commit", "?"))
        except (OSError, ValueError, KeyError) as e:
            print(f"error: {name}: {e}", file=sys.stderr)
            return 2
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for (backend, threads), pts in sorted(lines.items()):
        pts.sort()
        label = f"{backend}, {threads} thread{'s' if threads != 1 else ''}" if threads else backend
        ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-", label=label)
    ax.set_xscale("log")
    ax.set_ylim(bottom=0)
    ax.set_xlabel("agents N")
    ax.set_ylabel("median step time per agent (ns)")
    ax.set_title("salient bench, synthetic population (100 agents/km²)\ncommit " + ", ".join(sorted(commits)))
    ax.grid(True, alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.output, dpi=110)
    print(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
