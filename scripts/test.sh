#!/usr/bin/env bash
# The whole test job: installs what is missing, then every build and check below; stops at the first failure.
# Usage: scripts/test.sh [build-root]   (default: build/)
set -euo pipefail
cd "$(dirname "$0")/.."
root=${1:-build}
jobs=$(nproc)

scripts/deps.sh build test bench python

step() { printf '\n==== %s\n' "$*"; }

build_and_test() { # name, cmake args...
  local dir=$root/$1; shift
  step "$(basename "$dir"): configure, build, ctest"
  cmake -S . -B "$dir" -DFASTRELU_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" -j"$jobs" >/dev/null
  ctest --test-dir "$dir" --output-on-failure -j"$jobs"
}

build_and_test gcc -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
  -DCMAKE_BUILD_TYPE=Release -DFASTRELU_BUILD_BENCH=ON
# clang optimises floating-point selects differently from gcc (bench/NOTES.md entry 39)
build_and_test clang -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=Release
build_and_test asan -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFASTRELU_SANITIZE=ON -DFASTRELU_BUILD_FUZZ=ON
build_and_test aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
  -DCMAKE_BUILD_TYPE=Release

step "libFuzzer against the reference, every table (${FUZZ_SECONDS:-120} s)"
scripts/fuzz.sh "$root/fuzz" "${FUZZ_SECONDS:-120}"

step "ThreadSanitizer: lazy init, ISA and thread-count flips, splits"
scripts/tsan.sh "$root/tsan"

step "valgrind memcheck: API and the native tables valgrind runs"
scripts/valgrind.sh "$root/valgrind"

step "coverage of src/ and kernels/ (gcovr, at least 95 % of lines)"
scripts/coverage.sh "$root/coverage"

step "benchmarks: one tiny pass, and the issue-5 target checker (its tests, then that pass)"
bench/run.sh --tiny "$root/gcc"
"${PYTHON:-/usr/bin/python3}" -m pytest -q -p no:cacheprovider bench/test_targets.py
"${PYTHON:-/usr/bin/python3}" bench/targets.py "$root/gcc/bench.json" >/dev/null

step "A/B driver: the library against a copy of itself, every call the same bits (increments 1 and 2, in place)"
cp "$root/gcc/libfastrelu.so" "$root/gcc/ab-copy.so"
for how in --inc=1 --inc=2 --inplace; do
  "$root/gcc/bench/fastrelu_ab" "$root/gcc/libfastrelu.so" "$root/gcc/ab-copy.so" \
    --ops=all --sizes=1037 --samples=1 --ms=0.1 "$how"
done

step "consumers of the installed library, Python and PyTorch"
examples/run.sh "$root/gcc"

step "all test stages passed"
