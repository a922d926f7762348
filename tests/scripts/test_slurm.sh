#!/usr/bin/env bash
# End-to-end test of scripts/slurm/ on a real one-node Slurm (Debian's slurm-wlm 22.05) started
# on localhost in a temporary folder: its own munged (key, socket, pid, log), slurmctld -D and
# slurmd -D with a generated slurm.conf whose node offers two fake GPUs, so that the unchanged
# ensemble.sbatch (--gres=gpu:1) schedules and Slurm hands each task a CUDA_VISIBLE_DEVICES.
#
#   tests/scripts/test_slurm.sh SALIENT_EXE SOURCE_DIR
#
# 1. `salient plan configs/ci.toml`, 2 design points x 2 replicates = 4 tasks;
# 2. submit.sh of the plan (GPU request, --backend cpu): 4 array tasks, then the aggregation;
#    checks exit codes, logs, task files, the summary and its CSVs;
# 3. submit.sh --cpu of the same plan: no GPU request, every task skipped (files unchanged).
# Prints "SKIPPED: reason" and exits 0 when not root or Slurm/munge are missing (ctest reports
# it as skipped). The daemons are always stopped and the folder removed, also on failure
# (SALIENT_SLURM_KEEP=1 keeps the folder). SALIENT_SLURM_PORT=P uses ports P and P+1.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 SALIENT_EXE SOURCE_DIR" >&2
  exit 2
fi
exe=$(realpath "$1")
src=$(realpath "$2")
export PATH=$PATH:/usr/sbin:/sbin
skip() { echo "SKIPPED: $*"; exit 0; }
[[ $(id -u) -eq 0 ]] || skip "the one-node Slurm test needs root (munged, slurmd as root)"
for c in munged slurmctld slurmd sbatch squeue scontrol sinfo scancel; do
  command -v "$c" >/dev/null 2>&1 || skip "$c not installed (apt-get install slurm-wlm munge)"
done
[[ -x $exe ]] || { echo "FAIL: no executable $exe" >&2; exit 1; }

t_start=$SECONDS
T=$(mktemp -d "${TMPDIR:-/tmp}/salient-slurm.XXXXXX")
chmod 755 "$T"
conf=$T/etc/slurm.conf
# SLURM_CONF goes to the Slurm commands only, never into this shell's environment: that is
# how the cleanup recognises stray job processes (their environment holds it).
sl() { SLURM_CONF=$conf "$@"; }
munged_pid="" ctld_pid="" slurmd_pid=""

say() { echo "test_slurm: $*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

stop_pid() {  # stop_pid PID NAME: SIGTERM, up to 15 s, then SIGKILL; reaps it
  local pid=$1 name=$2 i
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    say "$name ($pid) ignored SIGTERM for 15 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? i p
  set +e
  trap - EXIT INT TERM
  if [[ -n $ctld_pid ]] && kill -0 "$ctld_pid" 2>/dev/null; then
    local queued
    mapfile -t queued < <(sl squeue -h -o %A 2>/dev/null | sort -u)
    if [[ ${#queued[@]} -gt 0 ]]; then
      say "cancelling leftover jobs: ${queued[*]}"
      sl scancel "${queued[@]}" 2>/dev/null
      for ((i = 0; i < 150; i++)); do
        [[ -z $(sl squeue -h -o %A 2>/dev/null) ]] && break
        sleep 0.1
      done
    fi
  fi
  stop_pid "$slurmd_pid" slurmd
  stop_pid "$ctld_pid" slurmctld
  # Job processes or slurmstepd that outlived slurmd: their environment names our slurm.conf.
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [[ $p != "$$" ]] || continue
    if grep -qzxF "SLURM_CONF=$conf" "/proc/$p/environ" 2>/dev/null; then
      say "killing stray process $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"
      kill -KILL "$p" 2>/dev/null
    fi
  done
  stop_pid "$munged_pid" munged
  if [[ $rc -ne 0 && -d $T/log ]]; then
    for f in "$T"/log/*.log; do
      [[ -s $f ]] || continue
      echo "----- last lines of $f"
      tail -n 15 "$f"
    done
  fi
  if [[ ${SALIENT_SLURM_KEEP:-0} = 1 ]]; then
    say "kept $T"
  else
    rm -rf "$T"
  fi
  say "daemons stopped, $((SECONDS - t_start)) s in all"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- munge: own key, socket, pid file, log; --force since we are root.
mkdir -p "$T"/munge "$T"/log "$T"/etc "$T"/state "$T"/spool "$T"/dev "$T"/ens
chmod 755 "$T"/munge
dd if=/dev/urandom of="$T"/munge/munge.key bs=1024 count=1 status=none
chmod 400 "$T"/munge/munge.key
munged -F --force --key-file="$T"/munge/munge.key --socket="$T"/munge/socket \
  --pid-file="$T"/munge/munged.pid --log-file="$T"/log/munged.log --seed-file="$T"/munge/seed \
  >"$T"/log/munged.out 2>&1 &
munged_pid=$!
for ((i = 0; i < 100; i++)); do [[ -S $T/munge/socket ]] && break; sleep 0.1; done
[[ -S $T/munge/socket ]] || fail "munged did not create its socket: $(cat "$T"/log/munged.out)"

# ---- Two free TCP ports (below the ephemeral range) for slurmctld and slurmd.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if [[ -n ${SALIENT_SLURM_PORT:-} ]]; then
  port=$SALIENT_SLURM_PORT
else
  for ((i = 0; i < 50; i++)); do
    port=$((20000 + RANDOM % 12000))
    port_free "$port" && port_free $((port + 1)) && break
  done
fi

# ---- slurm.conf: one node, localhost, two fake GPUs. GPUs need File= in gres.conf (22.05
# drops file-less GPUs and the node turns INVALID); character devices are wanted, so the
# "devices" are symlinks to /dev/null. Slurm then sets CUDA_VISIBLE_DEVICES to 0 or 1.
# sched_interval=1: a full scheduling pass every second instead of every 60 s, so that freed
# GPUs and the satisfied dependency are noticed at once (the test takes half the time).
cpus=$(slurmd -C 2>/dev/null | sed -n 's/.* CPUs=\([0-9]*\).*/\1/p')
[[ -n $cpus ]] || cpus=$(nproc)
ln -s /dev/null "$T"/dev/nvidia0
ln -s /dev/null "$T"/dev/nvidia1
cat >"$conf" <<EOF
ClusterName=salienttest
SlurmctldHost=localhost
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$T/munge/socket
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/log/slurmctld.log
SlurmdLogFile=$T/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SchedulerParameters=sched_interval=1
GresTypes=gpu
NodeName=localhost CPUs=$cpus Gres=gpu:2 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
echo "NodeName=localhost Name=gpu File=$T/dev/nvidia[0-1]" >"$T"/etc/gres.conf

SLURM_CONF=$conf slurmctld -D -f "$conf" >"$T"/log/slurmctld.out 2>&1 &
ctld_pid=$!
SLURM_CONF=$conf slurmd -D -N localhost -f "$conf" >"$T"/log/slurmd.out 2>&1 &
slurmd_pid=$!
state=""
for ((i = 0; i < 300; i++)); do
  kill -0 "$ctld_pid" 2>/dev/null || fail "slurmctld exited: $(tail -n 5 "$T"/log/slurmctld.out)"
  kill -0 "$slurmd_pid" 2>/dev/null || fail "slurmd exited: $(tail -n 5 "$T"/log/slurmd.out)"
  state=$(sl sinfo -h -n localhost -o %t 2>/dev/null || true)
  [[ $state = idle ]] && break
  [[ $state =~ inval|drain|down ]] && fail "node localhost is $state: $(sl sinfo -h -R -o %E)"
  sleep 0.1
done
[[ $state = idle ]] || fail "node localhost not idle after 30 s (state '$state')"
say "one-node Slurm up in $((SECONDS - t_start)) s (ports $port, $((port + 1)); $cpus CPUs, gres gpu:2)"

# ---- The plan: 2 design points x 2 replicates.
plan=$T/ens/ci.toml
"$exe" plan "$src"/configs/ci.toml --vary model.control_radius=50:100 --design grid --levels 2 \
  --replicates 2 --seed 7 -o "$plan" || fail "salient plan failed"
tasks=$(sed -n 's/^[ \t]*tasks[ \t]*=[ \t]*\([0-9]*\).*/\1/p' "$plan" | head -n 1)
[[ $tasks = 4 ]] || fail "the plan has tasks = '$tasks', expected 4"
outdir=$T/ens/ci   # the default output_dir of ens/ci.toml
say "plan $plan: $tasks tasks"

deadline=$((SECONDS + 300))
wait_jobs() {  # wait_jobs: until the queue is empty, at most until the deadline
  while [[ -n $(sl squeue -h -o %A 2>/dev/null) ]]; do
    ((SECONDS < deadline)) || { sl squeue >&2; fail "jobs still queued after 300 s"; }
    kill -0 "$ctld_pid" 2>/dev/null || fail "slurmctld died"
    kill -0 "$slurmd_pid" 2>/dev/null || fail "slurmd died"
    sleep 0.2
  done
}
submit() {  # submit ARGS...: runs submit.sh, sets array_job and agg_job
  local out
  out=$(SLURM_CONF=$conf SALIENT=$exe SALIENT_REPO=$src OMP_WAIT_POLICY=PASSIVE \
        bash "$src"/scripts/slurm/submit.sh "$plan" "$@") || fail "submit.sh $* failed: $out"
  echo "$out"
  array_job=$(sed -n 's/^array job \([0-9]*\):.*/\1/p' <<<"$out")
  agg_job=$(sed -n 's/^aggregation job \([0-9]*\):.*/\1/p' <<<"$out")
  [[ -n $array_job && -n $agg_job ]] || fail "no job ids in the output of submit.sh"
}
job_ok() { grep -q 'JobState=COMPLETED ' <<<"$1" && grep -q ' ExitCode=0:0 ' <<<"$1"; }
check_jobs() {  # check_jobs GPU|CPU: every array task and the aggregation COMPLETED 0:0
  local mode=$1 lines line id n=0 log
  lines=$(sl scontrol -o show job "$array_job") || fail "scontrol show job $array_job failed"
  while read -r line; do
    id=$(grep -o 'ArrayTaskId=[0-9]*' <<<"$line" | cut -d= -f2)
    [[ -n $id ]] || fail "not an array task: $line"
    log=${outdir}_logs/salient-ensemble_${array_job}_$id.out
    job_ok "$line" ||
      fail "array task $id: $(grep -o 'JobState=[A-Z_]* \| ExitCode=[0-9:]*' <<<"$line" | tr -d '\n');" \
           "log: $(cat "$log" 2>&1)"
    [[ -f $log ]] || fail "no log $log"
    if [[ $mode = GPU ]]; then
      grep -q 'TresPerNode=gres:gpu:1' <<<"$line" || fail "array task $id did not ask for a GPU"
      grep -q 'CUDA_VISIBLE_DEVICES=[01],' "$log" || fail "array task $id got no GPU: $(cat "$log")"
    else
      ! grep -q 'gres:gpu' <<<"$line" || fail "array task $id asked for a GPU despite --cpu"
      grep -q 'CUDA_VISIBLE_DEVICES=(unset)' "$log" || fail "array task $id: $(cat "$log")"
    fi
    n=$((n + 1))
  done <<<"$lines"
  [[ $n -eq 4 ]] || fail "$n array tasks instead of 4"
  line=$(sl scontrol -o show job "$agg_job")
  job_ok "$line" ||
    fail "aggregation job $agg_job: $(grep -o 'JobState=[A-Z_]* \| ExitCode=[0-9:]*\|Reason=[^ ]*' <<<"$line" | tr -d '\n'); log: $(cat "$outdir"_logs/salient-aggregate_"$agg_job".out 2>&1)"
  say "job $array_job: 4 array tasks COMPLETED, ExitCode=0:0, logs salient-ensemble_${array_job}_{0..3}.out" \
      "($mode: $(grep -ho 'CUDA_VISIBLE_DEVICES=[^,]*' "$outdir"_logs/salient-ensemble_"$array_job"_*.out |
                 sort | uniq -c | awk '{printf "%s%s x%s", s, $2, $1; s = ", "}'))"
  say "job $agg_job: aggregation COMPLETED, ExitCode=0:0"
}

# ---- Run 1: GPU request (the node's fake GPUs), CPU backend.
t1=$SECONDS
submit --throttle 3 -- --backend cpu
wait_jobs
check_jobs GPU
files=()
for i in 0 1 2 3; do
  f=$(printf '%s/task_%06d.h5' "$outdir" "$i")
  [[ -s $f ]] || fail "no task file $f"
  files+=("$f")
done
summary=${outdir}_summary.h5
for f in "$summary" "${outdir}_summary_final.csv" "${outdir}_summary_bands.csv"; do
  [[ -s $f ]] || fail "no $f"
done
say "task files ${files[*]##*/}, $(basename "$summary") and its _final/_bands CSVs exist" \
    "(run 1: $((SECONDS - t1)) s)"
if [[ -d ${outdir}_summary_plots ]]; then
  say "plots: $(cd "${outdir}"_summary_plots && echo *)"
else
  say "no plots (analysis.ensemble not importable): $(grep 'no plots' "$outdir"_logs/salient-aggregate_"$agg_job".out)"
fi

# ---- Run 2: the same plan with --cpu: no GPU request, complete tasks skipped.
stamps=$(stat -c '%i %Y %s' "${files[@]}")
t2=$SECONDS
submit --cpu
wait_jobs
check_jobs CPU
[[ $(stat -c '%i %Y %s' "${files[@]}") = "$stamps" ]] || fail "rerun rewrote complete task files"
say "rerun with --cpu: tasks skipped, task files unchanged (run 2: $((SECONDS - t2)) s)"
say "PASSED"
