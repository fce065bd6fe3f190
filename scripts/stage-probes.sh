#!/usr/bin/env bash
# Build the kernel variants of a probe (HEAD with bench/probes/NAME.patch applied, -DFRK_V=N for each N in NAME.txt) into .devbench/probes/, which scripts/avx512-host.sh runs.
# usage: scripts/stage-probes.sh [bench/probes/xeon]; after scripts/stage-bench.sh (its fastrelu_ab runs them)
set -euo pipefail
cd "$(dirname "$0")/.."
probe=${1:-bench/probes/xeon}
[[ -x .devbench/fastrelu_ab ]] || { echo "stage-probes: no .devbench/fastrelu_ab; run scripts/stage-bench.sh first" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'git worktree remove --force "$tmp/src" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
git worktree add -q --detach "$tmp/src" HEAD
git -C "$tmp/src" apply "$PWD/$probe.patch"
rm -rf .devbench/probes && mkdir -p .devbench/probes
for v in $(grep -v '^#' "$probe.txt" | cut -d'|' -f1 | tr -d ' ' | sort -un); do
  cmake -S "$tmp/src" -B "$tmp/b$v" -DCMAKE_BUILD_TYPE=Release -DFASTRELU_BUILD_TESTS=OFF \
    -DCMAKE_C_FLAGS="-DFRK_V=$v" >/dev/null
  cmake --build "$tmp/b$v" --target fastrelu -j"$(nproc)" >/dev/null
  cp -L "$tmp/b$v/libfastrelu.so.1" ".devbench/probes/v$v.so"
done
# variant 0 against a copy of itself: fastrelu_ab wants two files
cp .devbench/probes/v0.so .devbench/probes/v0-copy.so
cp "$probe.txt" .devbench/probes/list.txt
ls -1 .devbench/probes
