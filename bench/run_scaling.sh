#!/usr/bin/env bash
# Scaling of the full combat step with the number of agents: `salient bench` on the
# synthetic population (100 agents per km^2) for N = 10^4 .. 10^MAX on one backend, and on
# the CPU backend with 1 and 2 threads; JSON per run into bench/results/, a markdown table
# on stdout. Usage: bench/run_scaling.sh [BACKEND] [MAX_EXPONENT] (defaults: cpu 6).
# Every N times the same simulated steps (4 after 1 warm-up step: the population thins as
# it fights, so more steps at small N would make them look cheaper per agent); a small N is
# run several times (7 below 10^6, 3 at 10^6) and the run with the median step is kept.
# OpenMP's wait policy is left to the caller (OMP_WAIT_POLICY): unset, as a user runs it, the
# threads spin briefly between the step's parallel loops; PASSIVE makes every loop wake them.
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-cpu}
max=${2:-6}
exe=${SALIENT:-build/salient}
out=bench/results
mkdir -p "$out"
stamp=$(date -u +%Y-%m-%d)
commit=$(git rev-parse --short HEAD)
threads_list="0"
[[ $backend == cpu ]] && threads_list="1 2"
echo "| N | backend | threads | median step ms | p10-p90 ms | agent-updates/s | ns per agent | B/agent |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
for ((e = 4; e <= max; ++e)); do
  n=$((10 ** e))
  reps=$((e <= 5 ? 7 : (e == 6 ? 3 : 1)))
  for t in $threads_list; do
    json="$out/scaling_${stamp}_${commit}_${backend}_t${t}_n1e${e}.json"
    runs=()
    for ((r = 1; r <= reps; ++r)); do
      runs+=("$json.run$r")
      "$exe" bench --agents "$n" --steps 4 --warmup 1 \
        --backend "$backend" --threads "$t" --phase-times --json "$json.run$r" > /dev/null
    done
    /usr/bin/python3 - "$json" "${runs[@]}" <<'PY'
import json, os, shutil, sys
runs = sorted(sys.argv[2:], key=lambda f: json.load(open(f))["step_s"]["median"])
shutil.copy(runs[len(runs) // 2], sys.argv[1])
for f in runs:
    os.remove(f)
PY
    /usr/bin/python3 - "$json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["step_s"]
print(f"| 1e{len(str(r['agents'])) - 1} | {r['backend']} | {r['threads'] or 'default'} | "
      f"{s['median'] * 1e3:.2f} | {s['p10'] * 1e3:.2f}-{s['p90'] * 1e3:.2f} | "
      f"{r['agent_updates_per_s']:.3g} | {s['median'] / r['agents'] * 1e9:.0f} | "
      f"{r['state_bytes'] / r['agents']:.0f} |")
PY
  done
done
