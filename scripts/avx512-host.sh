#!/usr/bin/env bash
# On the AVX-512 test host: Release and Debug builds, the whole suite on the native AVX-512 table, a minute of fuzzing, the benchmark, a short log: scripts/avx512-host.sh [build-root]
# Setup (../shared/avx512-host/README.md): stage .devdeps/ on a development machine;
# this script unpacks it here when SIMDe or cmocka is missing (needs root).
# FAST=1 skips the Debug build and the fuzzer (the same steps took 5.5 minutes there);
# BENCH=0 skips the benchmark; RESULTS=dir copies the log and the tables there.
# The benchmark is .devbench/ when scripts/stage-bench.sh put it there (with the
# peers), else the bench target built here (without them). Where .devbench/
# holds before.so (BEFORE= of stage-bench.sh), fastrelu_ab compares it with
# this tree's library on the halves' forwards and leaky backwards, every table,
# then in place with the automatic choice (ab.txt);
# where it holds probes/ (scripts/stage-probes.sh), each variant against its base first (probes.txt).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$(realpath -m "${1:-build/avx512-host}")
mkdir -p "$root"
log=$root/avx512-host.log
fuzz_secs=${FUZZ_SECONDS:-60}
failed=()
: >"$log"
note() { echo "$*" | tee -a "$log"; }
step() { # name, command...: runs it, output in root/name.out, one line in the log
  local name=$1; shift
  local t=$SECONDS
  if "$@" >"$root/$name.out" 2>&1; then
    note "  ok    $name ($((SECONDS - t))s)"
  else
    note "  FAIL  $name ($((SECONDS - t))s), see $root/$name.out"
    tail -15 "$root/$name.out" | sed 's/^/        /' | tee -a "$log"
    failed+=("$name")
  fi
}

note "libfastrelu AVX-512 host run, $(date -u '+%Y-%m-%d %H:%M UTC'), $(hostname)"
note "  commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')"
note "  cpu $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores"
note "  gcc $(gcc -dumpfullversion 2>/dev/null || echo none), clang $(clang -dumpversion 2>/dev/null || echo none), $(cmake --version | head -1)"
flags=$(grep -m1 '^flags' /proc/cpuinfo)
for f in avx512f avx512bw avx512dq avx512vl; do
  [[ " $flags " == *" $f "* ]] || { note "avx512-host: FAILED, this CPU lacks $f: not an AVX-512 host"; exit 2; }
done

if [[ -d .devdeps ]] && { [[ ! -f /usr/include/simde/simde-common.h ]] || [[ ! -f /usr/include/cmocka.h ]]; }; then
  # shellcheck disable=SC2016 # expanded by the inner shell
  step unpack-devdeps bash -c 'for f in .devdeps/*.deb; do dpkg -x "$f" /; done; ldconfig'
fi

types="Release Debug"
[[ ${FAST:-0} == 1 ]] && types=Release
for type in $types; do
  dir=$root/$(echo "$type" | tr '[:upper:]' '[:lower:]')
  step "configure-$type" cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$type" -DFASTRELU_WERROR=ON \
    -DFASTRELU_BUILD_TESTS=ON -DFASTRELU_BUILD_FUZZ=ON
  step "build-$type" cmake --build "$dir" -j"$(nproc)"
  # the library must pick AVX-512 by itself here
  step "auto-isa-$type" bash -c "'$dir/fastrelu_example' | tee /dev/stderr | head -1 | grep -q 'ISA avx512 '"
  # the native AVX-512 kernel test must run, not skip
  step "native-avx512-table-$type" bash -c "ctest --test-dir '$dir' -R '^kernels\.avx512\.native\$' -V \
    >'$dir/native-avx512.log' 2>&1; rc=\$?; cat '$dir/native-avx512.log'; ((rc == 0)) &&
    grep -q 'PASSED' '$dir/native-avx512.log' && ! grep -q SKIPPED '$dir/native-avx512.log'"
  step "ctest-$type" ctest --test-dir "$dir" -j"$(nproc)" --output-on-failure
  step "ctest-$type-forced-avx512-16-threads" env FASTRELU_ISA=avx512 FASTRELU_NUM_THREADS=16 \
    ctest --test-dir "$dir" -j"$(nproc)" --output-on-failure
done

if python3 -c 'import pytest, numpy' 2>/dev/null; then
  step pytest env FASTRELU_LIBRARY="$root/release/libfastrelu.so.1" \
    python3 -m pytest -q -p no:cacheprovider python/tests
fi

if [[ ${FAST:-0} != 1 ]]; then
  step fuzz scripts/fuzz.sh "$root/fuzz" "$fuzz_secs"
  [[ -f $root/fuzz.out ]] && note "  $(tail -1 "$root/fuzz.out")"
fi

# The benchmark: quick mode with the thread sweep to 16, then every f16/bf16
# operation, then PyTorch where it is installed. Tables, not pass or fail.
tables=(probes.txt quick.txt halves.txt torch.out ab.txt)
if [[ ${BENCH:-1} == 1 ]]; then
  if [[ -f .devbench/probes/list.txt && -x .devbench/fastrelu_ab ]]; then
    # Diagnostic variants differ from the base on purpose: their exit status is not a failure.
    # shellcheck disable=SC2016 # expanded by the inner shell
    step probes bash -c 'cd .devbench/probes && while IFS="|" read -r v what args; do
        v=${v// /}
        [[ $v =~ ^[0-9]+$ ]] || continue
        b=./v$v.so
        [[ $v == 0 ]] && b=./v0-copy.so
        echo "== variant $v:$what"
        # shellcheck disable=SC2086 # a list of arguments
        timeout 120 ../fastrelu_ab ./v0.so "$b" $args
      done <list.txt >"$1" 2>&1; true' probes "$root/probes.txt"
  fi
  if [[ -x .devbench/fastrelu_bench ]]; then
    bench=(env LD_LIBRARY_PATH="$PWD/.devbench" .devbench/fastrelu_bench)
    lib=$PWD/.devbench/libfastrelu.so.1
  else
    step build-bench bash -c "cmake -S . -B '$root/release' -DFASTRELU_BUILD_BENCH=ON &&
      cmake --build '$root/release' --target fastrelu_bench -j$(nproc)"
    bench=("$root/release/bench/fastrelu_bench")
    lib=$root/release/libfastrelu.so.1
  fi
  step bench-quick "${bench[@]}" --quick --threads=1,2,4,8,16 \
    --benchmark_out="$root/quick.json" --benchmark_out_format=json
  step bench-halves "${bench[@]}" --quick --precisions=hb --relu-precisions= \
    --sizes=16K,256K,4M,64M --threads=1 --benchmark_out="$root/halves.json" --benchmark_out_format=json
  for t in quick halves; do
    [[ -s $root/$t.json ]] && python3 bench/table.py "$root/$t.json" >"$root/$t.txt"
  done
  if python3 -c 'import torch, numpy' 2>/dev/null; then
    step torch python3 bench/torch_peer.py "$lib"
  fi
  if [[ -f .devbench/before.so && -x .devbench/fastrelu_ab ]]; then
    # shellcheck disable=SC2016 # expanded by the inner shell
    step ab bash -c '{ for run in "--isa=avx512" "--isa=avx2" "--isa=sse2" "--isa=avx512 --offset=64"; do
        # shellcheck disable=SC2086 # two words on purpose
        .devbench/fastrelu_ab .devbench/before.so "$1" $run --precisions=hb \
          --ops=relu,leaky_relu,relu_mask,leaky_relu_mask,leaky_relu_backward,leaky_relu_backward_mask \
          --sizes=16K,256K,64M || exit 1
      done
      # in place: the L2 routing of entry 52 (f64 192K, f32 320K) and the prefetch of 53-54 (64M)
      .devbench/fastrelu_ab .devbench/before.so "$1" --inplace --alpha=1 --precisions=sdhb \
        --ops=relu,leaky_relu,leaky_relu_backward,leaky_relu_backward_mask --sizes=192K,320K,64M \
        --samples=9 || exit 1; } >"$2"' ab "$lib" "$root/ab.txt"
  fi
  made=
  for f in "${tables[@]}"; do
    [[ -f $root/$f ]] && made="$made $root/$f"
  done
  note "  tables:$made"
fi
if [[ -n ${RESULTS:-} ]]; then
  mkdir -p "$RESULTS"
  for f in avx512-host.log "${tables[@]}"; do
    [[ -f $root/$f ]] && cp "$root/$f" "$RESULTS/"
  done
fi

if ((${#failed[@]})); then
  note "avx512-host: FAILED: ${failed[*]}; log $log"
  exit 1
fi
note "avx512-host: ok, ${types// / and } suites on native AVX-512$([[ ${FAST:-0} == 1 ]] || echo ", ${fuzz_secs}s fuzzing clean"); log $log"
