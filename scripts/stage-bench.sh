#!/usr/bin/env bash
# Copy the built benchmark, libfastrelu and the peers' shared libraries into .devbench/ (ignored by git), for a host without the Debian packages.
# usage: [BEFORE=old-libfastrelu.so] scripts/stage-bench.sh [build-dir]; then run there: LD_LIBRARY_PATH=.devbench .devbench/fastrelu_bench ...
# fastrelu_ab goes along where it was built; with BEFORE, that library too (as before.so), for scripts/avx512-host.sh's A/B step.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bin=$build/bench/fastrelu_bench
[[ -x $bin ]] || { echo "stage-bench: no $bin; build with -DFASTRELU_BUILD_BENCH=ON first" >&2; exit 1; }
rm -rf .devbench && mkdir .devbench
cp "$bin" .devbench/
[[ -x $build/bench/fastrelu_ab ]] && cp "$build/bench/fastrelu_ab" .devbench/
[[ -n ${BEFORE:-} ]] && cp -L "$BEFORE" .devbench/before.so
# glibc, the C++ runtime and the loader are on any Linux host; everything else goes along
ldd "$bin" | awk '/=> \//{print $3}' |
    grep -vE '/(libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|ld-linux[^/]*)\.so' |
    while read -r lib; do cp -L "$lib" .devbench/; done
ls -1 .devbench
du -sh .devbench
