#!/usr/bin/env bash
# 2-thread against 1-thread speedup of the full combat step on the CPU backend, measured so
# that a noisy machine (a shared VM whose speed drifts by tens of per cent over minutes)
# does not decide the answer: for each N, REPEATS pairs of `salient bench` runs, 1 and 2
# threads back to back (the order alternating from pair to pair). Both runs time the same
# steps of the same run (the results are identical on any thread count), so each pair gives
# two speedups: of the total time of those steps (the mean step: how much sooner the run
# ends) and of the median step. It prints every pair and, for each, the median and range
# over the pairs. Usage: bench/run_speedup.sh [REPEATS] [N ...] (defaults: 9 1e4 1e5).
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-9}
shift || true
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(10000 100000)
exe=${SALIENT:-build/salient}
json=$(mktemp)
trap 'rm -f "$json"' EXIT
step_ms() {  # agents steps threads -> "mean median" step in ms
  "$exe" bench --agents "$1" --steps "$2" --warmup 2 --threads "$3" --json "$json" > /dev/null
  /usr/bin/python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["step_s"]; print(s["mean"]*1e3, s["median"]*1e3)' "$json"
}
echo "commit $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-unset}"
for n in "${sizes[@]}"; do
  n=$(/usr/bin/python3 -c "print(int(float('$n')))")
  steps=$((n <= 10000 ? 300 : (n <= 100000 ? 30 : 4)))
  pairs=()
  for ((k = 0; k < repeats; ++k)); do
    if ((k % 2 == 0)); then
      t1=$(step_ms "$n" "$steps" 1); t2=$(step_ms "$n" "$steps" 2)
    else
      t2=$(step_ms "$n" "$steps" 2); t1=$(step_ms "$n" "$steps" 1)
    fi
    read -r mean1 median1 <<< "$t1"
    read -r mean2 median2 <<< "$t2"
    pairs+=("$mean1/$mean2/$median1/$median2")
    /usr/bin/python3 -c "
m1, m2, d1, d2 = $mean1, $mean2, $median1, $median2
print(f'N=$n pair $k: mean step {m1:.2f} / {m2:.2f} ms = {m1 / m2:.3f}, median step {d1:.2f} / {d2:.2f} ms = {d1 / d2:.3f}')"
  done
  /usr/bin/python3 -c "
import statistics, sys
p = [[float(x) for x in a.split('/')] for a in sys.argv[2:]]
for name, r in (('total time (mean step)', [a / b for a, b, _, _ in p]),
                ('median step', [c / d for _, _, c, d in p])):
    print(f'N={sys.argv[1]}: speedup of the {name}: median {statistics.median(r):.2f} '
          f'(min {min(r):.2f}, max {max(r):.2f}) over {len(r)} pairs')
" "$n" "${pairs[@]}"
done
