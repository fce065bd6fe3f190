#!/bin/sh
# The benchmark's main command: install what is missing, build Release, run, print the table, plot.
# usage: bench/run.sh [--quick|--full|--tiny] [build-dir] [more fastrelu_bench flags]
set -eu

mode=quick
build=
extra=
for a in "$@"; do
    case "$a" in
    --quick | --full | --tiny) mode=${a#--} ;;
    -h | --help)
        sed -n '2,3p' "$0" | sed 's/^# //'
        exit 0
        ;;
    -*) extra="$extra $a" ;;
    *) build=$a ;;
    esac
done
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${build:-$root/build}

# Debian packages, installed only when missing; a peer whose library CMake
# then does not find is reported as missing.
"$root/scripts/deps.sh" build bench

start=$(date +%s)
rm -f "$build/bench.json"
# Release whatever the folder held before; the tests stay as configured (off in a new folder).
tests=
[ -f "$build/CMakeCache.txt" ] || tests=-DFASTRELU_BUILD_TESTS=OFF
mkdir -p "$build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DFASTRELU_BUILD_BENCH=ON $tests >"$build/bench-cmake.log" 2>&1 ||
    { cat "$build/bench-cmake.log"; exit 1; }
grep 'peer missing' "$build/bench-cmake.log" >&2 || true
cmake --build "$build" --target fastrelu_bench -j "$(nproc 2>/dev/null || echo 2)" >"$build/bench-build.log" 2>&1 ||
    { tail -40 "$build/bench-build.log"; exit 1; }

echo "run.sh: $mode mode; Google Benchmark's own output goes to $build/bench.log" >&2
# shellcheck disable=SC2086
"$build/bench/fastrelu_bench" --"$mode" $extra \
    --benchmark_out="$build/bench.json" --benchmark_out_format=json >"$build/bench.log" 2>&1 &
pid=$!
if [ -t 2 ]; then
    while kill -0 "$pid" 2>/dev/null; do
        sleep 2
        printf '\r\033[K  %s' "$(tail -n 1 "$build/bench.log" | cut -c1-70)" >&2
    done
    printf '\r\033[K' >&2
fi
status=0
wait "$pid" || status=$?
[ "$status" -eq 0 ] || tail -5 "$build/bench.log" >&2
[ -s "$build/bench.json" ] || exit "$status"

python3 "$here/table.py" "$build/bench.json" --png "$build/bench.png" | tee "$build/bench.txt"
echo "json: $build/bench.json; table: $build/bench.txt; wall time $(($(date +%s) - start)) s"
exit "$status"
