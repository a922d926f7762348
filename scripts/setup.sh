#!/usr/bin/env bash
# Installs what salient needs from Debian 12's packages (idempotent: installs only what is
# missing, and says what it does). Run as root or with sudo available. The CUDA toolkit is
# optional: with /usr/local/cuda the CUDA backend is built too; without it, Debian's
# libthrust-dev provides Thrust for the CPU backend.
set -euo pipefail

packages=(g++ cmake ninja-build git pkg-config libhdf5-dev hdf5-tools libcli11-dev
          libtomlplusplus-dev libgtest-dev librandom123-dev
          python3 python3-h5py python3-numpy python3-matplotlib python3-pytest
          openmpi-bin libopenmpi-dev       # salient ensemble over MPI
          clang libclang-rt-14-dev libomp-14-dev llvm  # scripts/test-sanitize.sh (ASan, libFuzzer)
          slurm-wlm munge)                 # scripts/slurm and its one-node test (docs/HPC.md)
if [[ ! -x /usr/local/cuda/bin/nvcc ]] && ! command -v nvcc >/dev/null 2>&1; then
  echo "setup: no CUDA toolkit found; the CPU backend will use Debian's libthrust-dev"
  packages+=(libthrust-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup: all ${#packages[@]} required Debian packages are installed"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Without a running init system (containers, CI) the packages' maintainer scripts must not
# start daemons (munged, slurmctld, slurmd): a temporary policy-rc.d that says "not now"
# (exit 101) stops invoke-rc.d, unless the system already has one.
policy=/usr/sbin/policy-rc.d
if [[ ! -d /run/systemd/system && ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  trap '$sudo rm -f "$policy"' EXIT
fi
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "setup: done"
