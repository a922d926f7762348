#!/usr/bin/env bash
# Submits a salient ensemble plan to Slurm: one job array with a task per plan task
# (ensemble.sbatch, one GPU each), then the aggregation (aggregate.sbatch) once every task
# succeeded. Prints both job ids.
#
#   scripts/slurm/submit.sh PLAN.toml [--throttle M] [--cpu] [--partition P] [--array SPEC]
#                           [--sbatch-arg ARG]... [--dry-run] [-- extra salient run args]
#
#   --throttle M      at most M array tasks run at once (--array=0-(N-1)%M)
#   --cpu             no GPU: submits with --gres=none and runs salient with --backend cpu
#   --partition P     partition of both jobs
#   --array SPEC      only these task indices (e.g. 3,17,40-45) instead of 0-(N-1)
#   --sbatch-arg ARG  one more sbatch option for the array job (repeatable), e.g.
#                     --sbatch-arg=--time=00:30:00 --sbatch-arg=--cpus-per-task=4
#   --dry-run         print the sbatch commands instead of running them
#
# Files: the plan's output_dir (relative to the plan's folder; default: the plan's name
# without .toml) receives task_NNNNNN.h5; beside it OUTDIR_summary.h5, OUTDIR_summary_final.csv,
# OUTDIR_summary_bands.csv, OUTDIR_summary_plots/ and the Slurm logs in OUTDIR_logs/.
# Resubmitting the same plan skips the tasks whose files are complete.
# The executable is $SALIENT, else `salient` from PATH, else build/salient of this source tree.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
die() { echo "submit.sh: $*" >&2; exit 1; }
usage() { sed -n '6,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }

plan="" throttle="" cpu=0 partition="" array="" dry=0
sbatch_args=() salient_args=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --throttle) [[ $# -ge 2 ]] || usage; throttle=$2; shift 2 ;;
    --throttle=*) throttle=${1#*=}; shift ;;
    --cpu) cpu=1; shift ;;
    --partition|-p) [[ $# -ge 2 ]] || usage; partition=$2; shift 2 ;;
    --partition=*) partition=${1#*=}; shift ;;
    --array) [[ $# -ge 2 ]] || usage; array=$2; shift 2 ;;
    --array=*) array=${1#*=}; shift ;;
    --sbatch-arg) [[ $# -ge 2 ]] || usage; sbatch_args+=("$2"); shift 2 ;;
    --sbatch-arg=*) sbatch_args+=("${1#*=}"); shift ;;
    --dry-run) dry=1; shift ;;
    -h|--help) usage 0 ;;
    --) shift; salient_args+=("$@"); break ;;
    -*) echo "submit.sh: unknown option $1" >&2; usage >&2 ;;
    *) [[ -z $plan ]] || die "one plan only (got $plan and $1)"; plan=$1; shift ;;
  esac
done
[[ -n $plan ]] || usage >&2
[[ -f $plan ]] || die "no plan file $plan"
[[ -z $throttle || $throttle =~ ^[1-9][0-9]*$ ]] || die "--throttle wants a positive integer, got '$throttle'"
if [[ $dry -eq 0 ]] && ! command -v sbatch >/dev/null 2>&1; then
  die "sbatch not found: run this on a Slurm login node (or load the cluster's slurm module)"
fi

plan=$(cd "$(dirname "$plan")" && pwd)/$(basename "$plan")
plandir=$(dirname "$plan")

# `tasks = N` and `output_dir = "..."` of the [plan] table.
read_plan_key() {
  awk -v key="$1" '
    /^[ \t]*\[/ { t = $0; gsub(/[ \t\[\]]/, "", t); inplan = (t == "plan"); next }
    inplan && $0 ~ "^[ \t]*" key "[ \t]*=" {
      v = $0; sub(/^[^=]*=[ \t]*/, "", v)
      if (v ~ /^"/) { sub(/^"/, "", v); sub(/".*$/, "", v) }
      else if (v ~ /^\047/) { sub(/^\047/, "", v); sub(/\047.*$/, "", v) }
      else { sub(/[ \t]*(#.*)?$/, "", v) }
      print v; exit
    }' "$plan"
}
tasks=$(read_plan_key tasks)
[[ -n $tasks ]] || die "$plan has no 'tasks = N' line in its [plan] table: is it a plan written by 'salient plan'?"
[[ $tasks =~ ^[0-9]+$ && $tasks -gt 0 ]] || die "$plan: tasks = '$tasks' is not a positive integer"
outdir=$(read_plan_key output_dir)
[[ -n $outdir ]] || outdir=$(basename "$plan" .toml)
[[ $outdir = /* ]] || outdir=$plandir/$outdir
# `-- -o DIR` (salient run's own tasks' folder) wins over the plan's; made absolute, since
# the jobs may start elsewhere.
for ((i = 0; i < ${#salient_args[@]}; i++)); do
  a=${salient_args[i]} v=""
  case $a in
    -o|--output) [[ $((i + 1)) -lt ${#salient_args[@]} ]] || die "$a wants a folder"; v=${salient_args[i + 1]} ;;
    --output=*) v=${a#*=} ;;
    *) continue ;;
  esac
  [[ $v = /* ]] || v=$PWD/$v
  if [[ $a = --output=* ]]; then salient_args[i]=--output=$v; else salient_args[i + 1]=$v; fi
  outdir=$v
done
outdir=${outdir%/}
summary=${outdir}_summary.h5
logs=${outdir}_logs

if [[ -z ${SALIENT:-} ]]; then
  if command -v salient >/dev/null 2>&1; then SALIENT=$(command -v salient)
  elif [[ -x $repo/build/salient ]]; then SALIENT=$repo/build/salient
  else
    echo "submit.sh: warning: no salient here (set SALIENT); the jobs will look for 'salient' in their PATH" >&2
    SALIENT=salient
  fi
fi
[[ $SALIENT != */* || $SALIENT = /* ]] || SALIENT=$(cd "$(dirname "$SALIENT")" && pwd)/$(basename "$SALIENT")
export SALIENT
export SALIENT_REPO=${SALIENT_REPO:-$repo}

common=()
[[ -z $partition ]] || common+=(--partition="$partition")
spec=${array:-0-$((tasks - 1))}
[[ -z $throttle ]] || spec+="%$throttle"
array_opts=(--array="$spec" --output="$logs/salient-ensemble_%A_%a.out")
if [[ $cpu -eq 1 ]]; then
  for a in "${salient_args[@]}"; do
    [[ $a != --backend* ]] || die "--cpu already passes '--backend cpu' to salient"
  done
  array_opts+=(--gres=none)     # overrides the script's #SBATCH --gres=gpu:1
  salient_args=(--backend cpu "${salient_args[@]}")
fi

array_cmd=(sbatch --parsable "${common[@]}" "${array_opts[@]}" "${sbatch_args[@]}"
           "$here/ensemble.sbatch" "$plan" "${salient_args[@]}")
agg_cmd=(sbatch --parsable "${common[@]}" --kill-on-invalid-dep=yes
         --output="$logs/salient-aggregate_%j.out" "$here/aggregate.sbatch" "$outdir" "$summary")
if [[ $dry -eq 1 ]]; then
  echo "SALIENT=$SALIENT SALIENT_REPO=$SALIENT_REPO"
  echo "${array_cmd[*]}"
  echo "${agg_cmd[*]:0:2} --dependency=afterok:ARRAYJOB ${agg_cmd[*]:2}"
  exit 0
fi

mkdir -p "$logs"   # Slurm does not create the folders of --output
jobid=$("${array_cmd[@]}") || die "sbatch of the job array failed"
jobid=${jobid%%;*}
echo "array job $jobid: $tasks tasks of $plan (--array=$spec), logs in $logs"
aggid=$("${agg_cmd[@]:0:2}" --dependency=afterok:"$jobid" "${agg_cmd[@]:2}") ||
  die "sbatch of the aggregation failed (the array job $jobid is queued)"
aggid=${aggid%%;*}
echo "aggregation job $aggid: after $jobid succeeds, writes $summary"
