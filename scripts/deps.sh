#!/usr/bin/env bash
# Installs the Debian 12 packages a job needs, only those missing: deps.sh build|test|bench|python ...
set -euo pipefail

declare -A groups=(
  [build]="cmake gcc g++ clang make pkg-config libsimde-dev"
  [test]="libcmocka-dev libclang-rt-14-dev valgrind gcovr python3 qemu-user gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross"
  [bench]="libbenchmark-dev libdnnl-dev ocl-icd-opencl-dev libxnnpack-dev libpthreadpool-dev libeigen3-dev gnuplot-nox python3"
  [python]="python3 python3-numpy python3-pytest python3-torch"
)

# The aarch64 test build links Debian's arm64 cmocka (multiarch) and runs under qemu.
need_arm64=0
want=()
for g in "$@"; do
  [[ -n ${groups[$g]+x} ]] || { echo "deps.sh: unknown group '$g'" >&2; exit 2; }
  [[ $g == test ]] && need_arm64=1
  for p in ${groups[$g]}; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || want+=("$p")
  done
done

SUDO=""
[[ $(id -u) -eq 0 ]] || SUDO="sudo"
if ((need_arm64)); then
  dpkg --print-foreign-architectures | grep -qx arm64 || $SUDO dpkg --add-architecture arm64
  dpkg-query -W -f='${Status}' libcmocka-dev:arm64 2>/dev/null | grep -q "ok installed" ||
    want+=(libcmocka-dev:arm64)
fi

if ((${#want[@]})); then
  echo "deps.sh: installing ${want[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
fi
