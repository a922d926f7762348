#!/usr/bin/env bash
# The Circles benchmark (FLAME GPU 2's Circles rules: density 1, radius 2, repulse 0.05) on the
# CPU backend for N = 1e4, 1e5, 1e6 (and 1e7 unless --no-1e7) with 1 and 2 OpenMP threads.
# Writes one JSON file per run into bench/results/ and prints a markdown table; checks that the
# final positions (checksum) do not depend on the thread count. With --cuda, also runs the CUDA
# backend once per N (needs a device) and checks it against the CPU checksum.
#
# --table only prints the table of the JSON files already in bench/results/ (e.g. after a run
# was repeated by hand with the same arguments).
#
# Usage: bench/run_circles.sh [--no-1e7] [--cuda] [--table] [BUILD_DIR]   (default build/)
set -euo pipefail
cd "$(dirname "$0")/.."

big=1
cuda=0
table=0
build=build
for a in "$@"; do
  case "$a" in
    --no-1e7) big=0 ;;
    --cuda) cuda=1 ;;
    --table) table=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) build=$a ;;
  esac
done
exe=$build/bench/salient_circles
((table)) || [[ -x $exe ]] || { echo "no $exe: build the salient_circles target first" >&2; exit 1; }
mkdir -p bench/results

# agents warmup steps: fewer timed steps for larger N keep the whole run within minutes.
runs=("10000 5 50" "100000 2 20" "1000000 1 5")
((big)) && runs+=("10000000 1 3")

date=$(date -u +%Y-%m-%d)  # of this invocation; each JSON file has its run's own date
files=()
for r in "${runs[@]}"; do
  read -r n warmup steps <<<"$r"
  for t in 1 2; do
    f=bench/results/circles_cpu_n${n}_t${t}.json
    files+=("$f")
    ((table)) && continue
    echo "cpu threads=$t agents=$n warmup=$warmup steps=$steps" >&2
    OMP_WAIT_POLICY=PASSIVE "$exe" --backend cpu --threads "$t" --agents "$n" --warmup "$warmup" \
      --steps "$steps" --json "$f" >/dev/null
  done
  if ((cuda)); then
    f=bench/results/circles_cuda_n${n}.json
    files+=("$f")
    ((table)) && continue
    echo "cuda agents=$n" >&2
    "$exe" --backend cuda --agents "$n" --warmup "$warmup" --steps "$steps" --json "$f" >/dev/null
  fi
done

/usr/bin/python3 - "$date" "${files[@]}" <<'EOF'
import json, sys
date, files = sys.argv[1], sys.argv[2:]
rows = [json.load(open(f)) for f in files]
def cpu_use(r):  # process CPU time / (wall x threads) over the timed steps: < 100 % = shared
    return f"{100 * r['cpu_use']:.0f} %" if r["backend"] == "cpu" else "-"
r0 = rows[0]
print(f"Circles benchmark, {date}, {r0['host']} ({r0['device']}), commit {r0['git_commit']}, "
      f"layout {r0['layout']}, density {r0['density']}, radius {r0['radius']}\n")
print("| backend | threads | agents | W | bins | steps | median ms/step | min | max "
      "| agent-updates/s | neighbours/agent | CPU use | checksum |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
for r in rows:
    threads = r["threads"] if r["backend"] == "cpu" else "-"
    print(f"| {r['backend']} | {threads} | {r['agents']:,} | {r['width']:.2f} | {r['bins_per_axis']}^3 "
          f"| {r['warmup']}+{r['steps']} | {r['step_ms_median']:.2f} | {r['step_ms_min']:.2f} "
          f"| {r['step_ms_max']:.2f} | {r['agent_updates_per_s']:.3e} | {r['mean_neighbours']:.2f} "
          f"| {cpu_use(r)} | `{r['checksum']}` |")
print("\nFLAME GPU 2 reference: 1,000,000 agents, 2.12 ms/step (mean of 200 steps, circles_spatial3D_rtc; "
      "2.61 ms non-RTC) on an H100 PCIe = 4.7e8 agent-updates/s")
bad = 0
for n in sorted({r["agents"] for r in rows}):
    sums = {r["checksum"] for r in rows if r["agents"] == n}
    if len(sums) != 1:
        print(f"CHECKSUMS DIFFER for {n} agents: {sorted(sums)}")
        bad = 1
if not bad:
    print("checksums identical across thread counts" + (" and backends" if any(
        r["backend"] == "cuda" for r in rows) else "") + " for every N")
sys.exit(bad)
EOF
