#!/usr/bin/env bash
# 2-thread against 1-thread speedup of the full combat step on the CPU backend, measured so
# that a noisy machine (a shared VM whose speed drifts by tens of per cent over minutes)
# does not decide the answer: for each N, REPEATS pairs of `salient bench` runs, 1 and 2
# threads back to back (the order alternating from pair to pair), and the speedup of each
# pair from its two median step times; it prints every pair and the median and range of the
# pairs' speedups. Usage: bench/run_speedup.sh [REPEATS] [N ...] (defaults: 9 1e4 1e5).
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-9}
shift || true
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(10000 100000)
exe=${SALIENT:-build/salient}
json=$(mktemp)
trap 'rm -f "$json"' EXIT
median_ms() {  # agents steps threads -> median step in ms
  "$exe" bench --agents "$1" --steps "$2" --warmup 2 --threads "$3" --json "$json" > /dev/null
  /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["step_s"]["median"]*1e3)' "$json"
}
echo "commit $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-unset}"
for n in "${sizes[@]}"; do
  n=$(/usr/bin/python3 -c "print(int(float('$n')))")
  steps=$((n <= 10000 ? 60 : (n <= 100000 ? 15 : 4)))
  ratios=()
  for ((k = 0; k < repeats; ++k)); do
    if ((k % 2 == 0)); then
      t1=$(median_ms "$n" "$steps" 1); t2=$(median_ms "$n" "$steps" 2)
    else
      t2=$(median_ms "$n" "$steps" 2); t1=$(median_ms "$n" "$steps" 1)
    fi
    r=$(/usr/bin/python3 -c "print(f'{$t1 / $t2:.3f}')")
    ratios+=("$r")
    printf 'N=%d pair %d: 1 thread %.2f ms, 2 threads %.2f ms, speedup %s\n' "$n" "$k" "$t1" "$t2" "$r"
  done
  /usr/bin/python3 -c "
import statistics, sys
r = [float(x) for x in sys.argv[2:]]
print(f'N={sys.argv[1]}: speedup median {statistics.median(r):.2f} (min {min(r):.2f}, max {max(r):.2f}) over {len(r)} pairs')
" "$n" "${ratios[@]}"
done
