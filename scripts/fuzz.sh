#!/usr/bin/env bash
# Fuzzes every kernel table and the API against the reference for a bounded time: scripts/fuzz.sh [build-dir] [seconds]
# clang: libFuzzer with ASan+UBSan. Without clang (FUZZ_CC=gcc forces it): the same
# target under gcc's ASan+UBSan, driven by tests/fuzz/driver.c (corpus mutation).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(realpath -m "${1:-build/fuzz}")
secs=${2:-${FUZZ_SECONDS:-120}}
cc=${FUZZ_CC:-$(command -v clang >/dev/null && echo clang || echo gcc)}

top=$PWD
mkdir -p "$dir"
cmake -S . -B "$dir" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFASTRELU_SANITIZE=ON -DFASTRELU_BUILD_FUZZ=ON -DFASTRELU_BUILD_TESTS=OFF \
  -DFASTRELU_TSAN=OFF -DFASTRELU_COVERAGE=OFF -DFASTRELU_WERROR=ON >"$dir/configure.log" 2>&1 ||
  { cat "$dir/configure.log"; echo "fuzz: FAILED to configure"; exit 1; }
targets=(fr_fuzz_run)
[[ $cc == *clang* ]] && targets+=(fr_fuzz)
cmake --build "$dir" -j"$(nproc)" --target "${targets[@]}" >"$dir/build.log" 2>&1 ||
  { tail -40 "$dir/build.log"; echo "fuzz: FAILED to build"; exit 1; }

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
mkdir -p "$dir/fuzz-corpus" "$dir/fuzz-artifacts"
log=$dir/fuzz.log
rc=0
if [[ -x $dir/tests/fuzz/fr_fuzz ]]; then
  "$dir/tests/fuzz/fr_fuzz" -max_total_time="$secs" -len_control=0 -max_len=512 \
    -timeout=60 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$dir/fuzz-artifacts/" "$dir/fuzz-corpus" tests/fuzz/corpus >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  engine=libFuzzer
else
  (cd "$dir/fuzz-artifacts" && "$dir/tests/fuzz/fr_fuzz_run" -max_total_time="$secs" \
    "$top/tests/fuzz/corpus") >"$log" 2>&1 || rc=$?
  runs=$(sed -n 's/^ran \([0-9]*\) random.*/\1/p' "$log")
  cov=""
  engine="driver ($cc)"
fi
if ((rc)); then
  grep -E '^(FAIL|  )|ERROR|SUMMARY|Test unit written|crash-input' "$log" | head -30
  echo "fuzz: FAILED ($engine, exit $rc); log $log, inputs in $dir/fuzz-artifacts/"
  exit 1
fi
echo "fuzz: ok, ${runs:-?} runs in ${secs}s ($engine${cov:+, $cov}), no finding; log $log"
