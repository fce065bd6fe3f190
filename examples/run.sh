#!/bin/sh
# Installs libfastrelu into a temporary prefix and uses it as a client would:
# the C example through find_package, the C++ example through pkg-config, the
# README's Python snippets, and the Python tests (NumPy and PyTorch).
# Usage: examples/run.sh [BUILD_DIR]   (default: build; configured if absent)
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build}
PYTHON=${PYTHON:-/usr/bin/python3}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PREFIX=$WORK/prefix

step() { printf '\n== %s\n' "$*"; }
# The executable loads the installed copy, not the build tree's.
uses_installed() {
    got=$(ldd "$1" | awk '/libfastrelu\.so/ { print $3 }')
    [ "$(realpath "$got")" = "$(realpath "$LIB")" ] || {
        echo "$1 loads '$got', not $LIB" >&2; exit 1; }
}

if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    step "configure $BUILD"
    cmake -S "$SRC" -B "$BUILD" -DFASTRELU_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$BUILD" -j2 >/dev/null

step "cmake --install $BUILD --prefix $PREFIX"
cmake --install "$BUILD" --prefix "$PREFIX" >/dev/null
PCFILE=$(find "$PREFIX" -name fastrelu.pc)
LIBDIR=$(dirname "$(dirname "$PCFILE")")
LIB=$LIBDIR/libfastrelu.so.1
test -f "$LIB"
test -f "$LIBDIR/cmake/fastrelu/fastreluConfig.cmake"

step "C example: find_package(fastrelu)"
cmake -S "$SRC/examples/c" -B "$WORK/c" -DCMAKE_PREFIX_PATH="$PREFIX" \
    -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" >/dev/null
cmake --build "$WORK/c" >/dev/null
uses_installed "$WORK/c/example_c"
"$WORK/c/example_c"

step "C++ example: pkg-config"
mkdir "$WORK/cpp"
(cd "$WORK/cpp" && PKG_CONFIG_PATH="$LIBDIR/pkgconfig" \
    make -s -f "$SRC/examples/cpp/Makefile" CXXFLAGS="-O2 -Wall -Wextra -Werror")
uses_installed "$WORK/cpp/example_cpp"
"$WORK/cpp/example_cpp"

export FASTRELU_LIBRARY="$LIB" LD_LIBRARY_PATH="$LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PYTHONPATH="$SRC/python" PYTHONDONTWRITEBYTECODE=1

for f in numpy_example torch_example; do
    step "Python example $f.py"
    (cd "$WORK" && "$PYTHON" "$SRC/examples/python/$f.py")
done

step "README snippets are the files run above"
"$PYTHON" - "$SRC" <<'PY'
import sys, pathlib
src = pathlib.Path(sys.argv[1])
snippets = ["examples/c/main.c", "examples/c/CMakeLists.txt", "examples/cpp/main.cpp",
            "examples/cpp/Makefile", "examples/python/numpy_example.py",
            "examples/python/torch_example.py"]
docs = [src / "README.md"]
bad = [(d.name, s) for d in docs for s in snippets
       if (src / s).read_text().strip() not in d.read_text()]
for d, s in bad:
    print("%s does not quote %s verbatim" % (d, s))
print("checked", ", ".join(d.name for d in docs))
sys.exit(1 if bad else 0)
PY

step "pytest python/tests against $LIB"
(cd "$SRC" && "$PYTHON" -m pytest -q -p no:cacheprovider python/tests)
