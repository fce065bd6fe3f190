#!/usr/bin/env bash
# ThreadSanitizer build of the concurrency tests (lazy-init races, ISA/thread flips during calls, threaded splits): scripts/tsan.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(realpath -m "${1:-build/tsan}")
cc=${TSAN_CC:-$(command -v clang >/dev/null && echo clang || echo gcc)}
mkdir -p "$dir"

cmake -S . -B "$dir" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFASTRELU_TSAN=ON -DFASTRELU_SANITIZE=OFF -DFASTRELU_COVERAGE=OFF \
  -DFASTRELU_BUILD_TESTS=ON -DFASTRELU_BUILD_FUZZ=ON -DFASTRELU_WERROR=ON \
  >"$dir/configure.log" 2>&1 || { cat "$dir/configure.log"; echo "tsan: FAILED to configure"; exit 1; }
cmake --build "$dir" -j"$(nproc)" --target test_dispatch fr_isa_probe fr_race \
  >"$dir/build.log" 2>&1 || { tail -40 "$dir/build.log"; echo "tsan: FAILED to build"; exit 1; }

# dispatch: FASTRELU_ISA/NUM_THREADS in children, ISA flips under load, 1..4 threads;
# fuzz_race: first calls racing the lazy init, flips during split calls, concurrent splits.
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:history_size=4}
start=$SECONDS
if ! ctest --test-dir "$dir" -R '^(dispatch|fuzz_race)$' --output-on-failure \
     --timeout 600 >"$dir/ctest.log" 2>&1; then
  grep -E 'WARNING: ThreadSanitizer|SUMMARY|FAIL|Failed|\*\*\*' "$dir/ctest.log" | head -30
  echo "tsan: FAILED; log $dir/ctest.log"
  exit 1
fi
n=$(grep -c 'Test #' "$dir/ctest.log" || true)
grep -q 'ThreadSanitizer' "$dir/ctest.log" && { echo "tsan: FAILED (report in $dir/ctest.log)"; exit 1; }
echo "tsan: ok, $n tests clean under ThreadSanitizer in $((SECONDS - start))s ($cc)"
