#!/usr/bin/env bash
# Line and branch coverage of src/ and kernels/ from the test suite (gcc --coverage, gcovr): scripts/coverage.sh [build-dir] [min-line-%]
# Writes build-dir/coverage/{summary.txt,index.html}; fails below the line minimum (default 95).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(realpath -m "${1:-build/coverage}")
min=${2:-95}
command -v gcovr >/dev/null || { echo "coverage: FAILED (gcovr not installed)"; exit 1; }
mkdir -p "$dir"

# The fuzz folder adds two ordinary tests: the seed corpus replayed, and fr_race.
# Atomic counters: the thread pool updates them from several threads at once.
cmake -S . -B "$dir" -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_C_FLAGS=-fprofile-update=atomic \
  -DFASTRELU_COVERAGE=ON -DFASTRELU_SANITIZE=OFF -DFASTRELU_TSAN=OFF \
  -DFASTRELU_BUILD_TESTS=ON -DFASTRELU_BUILD_FUZZ=ON -DFASTRELU_WERROR=ON \
  >"$dir/configure.log" 2>&1 || { cat "$dir/configure.log"; echo "coverage: FAILED to configure"; exit 1; }
cmake --build "$dir" -j"$(nproc)" >"$dir/build.log" 2>&1 ||
  { tail -40 "$dir/build.log"; echo "coverage: FAILED to build"; exit 1; }

find "$dir" -name '*.gcda' -delete
ctest --test-dir "$dir" -j"$(nproc)" --output-on-failure >"$dir/ctest.log" 2>&1 ||
  { tail -40 "$dir/ctest.log"; echo "coverage: FAILED (tests fail)"; exit 1; }

out=$dir/coverage
mkdir -p "$out"
common=(-r . --object-directory "$dir" --filter 'src/' --filter 'kernels/'
        --exclude-unreachable-branches)
gcovr "${common[@]}" --txt "$out/lines.txt" --html-details "$out/index.html" \
  --print-summary >"$out/summary.txt" 2>&1
gcovr "${common[@]}" --branches --txt "$out/branches.txt" >/dev/null 2>&1
pct() { sed -n "s/^$1: *\([0-9.]*\)%.*/\1/p" "$2"; }
lines=$(pct lines "$out/summary.txt")
branches=$(pct branches "$out/summary.txt")
cat "$out/lines.txt"

# A kernel file whose native table this CPU cannot run (its native test
# skipped, e.g. AVX-512 here) has native-only lines no test can reach: the
# gate leaves that file out, and says so; the report above keeps it.
gate=$lines
skipped=$(sed -n 's/.*kernels\.\([a-z0-9]*\)\.native .*Skipped.*/\1/p' "$dir/ctest.log" | sort -u)
if [ -n "$skipped" ]; then
  excl=()
  for isa in $skipped; do excl+=(--exclude "kernels/$isa\\.c"); done
  gcovr "${common[@]}" "${excl[@]}" --print-summary -o /dev/null >"$out/gate.txt" 2>&1
  gate=$(pct lines "$out/gate.txt")
  echo "coverage: native tests skipped on this CPU (${skipped//$'\n'/, }); the gate counts" \
    "the other files: ${gate}% of their lines"
fi
if awk -v l="$gate" -v m="$min" 'BEGIN { exit !(l + 0 < m + 0) }'; then
  echo "coverage: FAILED, lines ${gate}% < ${min}% (branches ${branches}%); report $out/index.html"
  exit 1
fi
echo "coverage: ok, lines ${gate}% (all files: ${lines}%), branches ${branches}% of src/ and kernels/; report $out/index.html"
