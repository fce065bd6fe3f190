# The NumPy binding against a NumPy reference of the library's semantics, bit for bit.
import os
import subprocess
import sys

import numpy as np
import pytest

import fastrelu as fr

UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}
DTYPES = [np.float32, np.float64, np.float16, np.uint16]  # uint16 = bfloat16
ALPHAS = [0.01, 0.0, -1.5, 3.0, float("inf"), float("nan")]


# ---- reference ----

def bits(a):
    return np.ascontiguousarray(a).view(UINT[a.dtype.itemsize])


def b2f(b):
    return (b.astype(np.uint32) << 16).view(np.float32)


def f2b(f):
    u = f.view(np.uint32).astype(np.uint64)
    nan = np.isnan(f)
    r = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return np.where(nan, (u >> 16) | 0x40, r).astype(np.uint16)


def f2h(f):
    u = f.view(np.uint32)
    nan = np.isnan(f)
    sign = (u >> 16) & 0x8000
    nanbits = sign | 0x7E00 | ((u & 0x7FFFFFFF) >> 13) & 0x3FF
    with np.errstate(all="ignore"):
        h = f.astype(np.float16).view(np.uint16)
    return np.where(nan, nanbits, h).astype(np.uint16)


def wide(x):
    """Values in a precision where the library's products are computed."""
    if x.dtype == np.uint16:
        return b2f(x)
    if x.dtype == np.float16:
        return x.astype(np.float32)
    return x


def mul(v, alpha):
    """alpha * v with the library's NaN rule, in v's computing precision."""
    t = v.dtype.type
    u = UINT[v.dtype.itemsize]
    quiet = u(1) << u(v.dtype.itemsize * 8 - 10 if t == np.float32 else 51)
    a = t(alpha)
    with np.errstate(all="ignore"):
        p = v * a
    if np.isnan(a):
        fix_a = np.array([a]).view(u)[0] | quiet
    else:
        fix_a = np.array([0x7FC00000 if t == np.float32 else 0x7FF8000000000000], u)[0]
    fix = np.where(np.isnan(v), v.view(u) | quiet, fix_a).view(t)
    return np.where(np.isnan(p), fix, p)


def narrow(f, dtype):
    if dtype == np.uint16:
        return f2b(f)
    if dtype == np.float16:
        return f2h(f)
    return f


def ref(op, alpha, x=None, dy=None, mask=None):
    """(output bits or None, mask) for op."""
    src = x if x is not None else dy
    dt = src.dtype
    if mask is not None:
        pos = np.unpackbits(mask, bitorder="little")[: src.size].astype(bool)
    else:
        with np.errstate(all="ignore"):
            pos = wide(x) > 0
    zero = np.zeros(1, UINT[dt.itemsize])
    if op in ("relu", "relu_mask"):
        nan = np.isnan(wide(x))
        y = np.where(pos | nan, bits(x), zero)
    elif op in ("leaky_relu", "leaky_relu_mask"):
        y = np.where(pos, bits(x), bits(narrow(mul(wide(x), alpha), dt)))
    elif op in ("relu_backward", "relu_backward_mask"):
        y = np.where(pos, bits(dy), zero)
    else:
        y = np.where(pos, bits(dy), bits(narrow(mul(wide(dy), alpha), dt)))
    return y, np.packbits(pos, bitorder="little")


# ---- data ----

SPECIAL32 = [0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000,
             0xFFC00000, 0x7F800001, 0xFF812345, 0x7FE00001, 0x00000001,
             0x80000001, 0x007FFFFF, 0x807FFFFF, 0x7F7FFFFF, 0xFF7FFFFF,
             0x3F800000, 0xBF800000]
SPECIAL64 = [0x0, 0x8000000000000000, 0x7FF0000000000000, 0xFFF0000000000000,
             0x7FF8000000000000, 0xFFF8000000000000, 0x7FF0000000000001,
             0xFFF4000000000123, 0x1, 0x8000000000000001, 0x7FEFFFFFFFFFFFFF,
             0xFFEFFFFFFFFFFFFF, 0xBFF0000000000000]
SPECIAL16H = [0x0000, 0x8000, 0x7C00, 0xFC00, 0x7E00, 0xFE00, 0x7C01, 0xFD23,
              0x0001, 0x8001, 0x03FF, 0x83FF, 0x7BFF, 0xFBFF, 0xBC00]
SPECIAL16B = [0x0000, 0x8000, 0x7F80, 0xFF80, 0x7FC0, 0xFFC0, 0x7F81, 0xFF92,
              0x0001, 0x8001, 0x007F, 0x807F, 0x7F7F, 0xFF7F, 0xBF80]


def data(dtype, n, seed=0):
    rng = np.random.default_rng(seed + n)
    dtype = np.dtype(dtype)
    if dtype == np.uint16:
        x = f2b(rng.standard_normal(n).astype(np.float32) * 3)
        special = np.array(SPECIAL16B, np.uint16)
    else:
        x = (rng.standard_normal(n) * 3).astype(dtype)
        special = np.array({4: SPECIAL32, 8: SPECIAL64, 2: SPECIAL16H}[dtype.itemsize],
                           UINT[dtype.itemsize]).view(dtype)
    if n:
        idx = rng.integers(0, n, size=min(n, 3 * len(special)))
        x[idx] = special[np.arange(idx.size) % len(special)]
    return x


def check(out, want):
    got, want = bits(out).ravel(), np.asarray(want).ravel()
    bad = np.flatnonzero(got != want)[:8]
    assert not bad.size, "element %s: got %s, want %s" % (
        bad.tolist(), [hex(v) for v in got[bad]], [hex(v) for v in want[bad]])


@pytest.fixture(params=["scalar", "sse2", "avx2", "avx512", "neon"])
def isa(request):
    if not fr.isa_supported(request.param):
        pytest.skip(request.param + " not supported here")
    fr.set_isa(request.param)
    yield request.param
    fr.set_isa("auto")


SIZES = [0, 1, 7, 8, 9, 31, 33, 64, 65, 1000, 4099]


# ---- operations ----

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
def test_forward(isa, dtype, n):
    x = data(dtype, n)
    x0 = x.copy()
    check(fr.relu(x), ref("relu", None, x)[0])
    for alpha in ALPHAS:
        check(fr.leaky_relu(x, alpha), ref("leaky_relu", alpha, x)[0])
    assert np.array_equal(bits(x), bits(x0))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
def test_backward(isa, dtype, n):
    x, dy = data(dtype, n), data(dtype, n, seed=7)
    check(fr.relu_backward(x, dy), ref("relu_backward", None, x, dy)[0])
    for alpha in ALPHAS:
        got = fr.leaky_relu_backward(x, dy, alpha)
        check(got, ref("leaky_relu_backward", alpha, x, dy)[0])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", SIZES)
def test_masks(isa, dtype, n):
    x, dy = data(dtype, n), data(dtype, n, seed=3)
    y, m = fr.relu_mask(x)
    want_y, want_m = ref("relu_mask", None, x)
    check(y, want_y)
    assert m.dtype == np.uint8 and m.size == (n + 7) // 8
    assert np.array_equal(m, want_m)  # packbits pads with 0: unused bits are 0
    assert np.array_equal(fr.mask(x), want_m)
    check(fr.relu_backward_mask(m, dy), ref("relu_backward", None, x, dy)[0])
    for alpha in ALPHAS:
        y, m2 = fr.leaky_relu_mask(x, alpha)
        check(y, ref("leaky_relu", alpha, x)[0])
        assert np.array_equal(m2, want_m)
        got = fr.leaky_relu_backward_mask(m, dy, alpha)
        check(got, ref("leaky_relu_backward", alpha, x, dy)[0])


def test_mask_layout():
    x = np.array([1, -1, 1, 1, -1, -1, -1, 1, 2, 0, 3], np.float32)
    m = fr.mask(x)
    assert m.tolist() == [0b10001101, 0b101]
    assert np.unpackbits(m, bitorder="little")[: x.size].tolist() == (x > 0).tolist()


# ---- strides, out=, in place ----

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("incx,incy", [(2, 1), (1, 3), (-1, 1), (1, -1), (-2, 3), (3, -2), (-1, -1)])
def test_strided(isa, dtype, incx, incy):
    n = 301
    xb, dyb = data(dtype, n * 3), data(dtype, n * 3, seed=5)
    x = xb[:: incx][:n]
    dy = dyb[:: -incx][:n]
    outb = np.zeros(n * 3, np.dtype(dtype))
    out = outb[:: incy][:n]
    guard = bits(outb).copy()
    xc, dyc = x.copy(), dy.copy()

    got = fr.relu(x, out=out)
    assert got is out
    check(out, ref("relu", None, xc)[0])
    got = fr.leaky_relu(x, 0.2, out=out)
    check(out, ref("leaky_relu", 0.2, xc)[0])
    fr.relu_backward(x, dy, out=out)
    check(out, ref("relu_backward", None, xc, dyc)[0])
    fr.leaky_relu_backward(x, dy, -0.5, out=out)
    check(out, ref("leaky_relu_backward", -0.5, xc, dyc)[0])
    _, m = fr.relu_mask(x, out=out)
    check(out, ref("relu", None, xc)[0])
    assert np.array_equal(m, ref("relu_mask", None, xc)[1])
    fr.leaky_relu_backward_mask(m, dy, 0.3, out=out)
    check(out, ref("leaky_relu_backward", 0.3, xc, dyc)[0])
    # elements between the strided ones are untouched
    untouched = np.ones(outb.size, bool)
    untouched[np.arange(outb.size)[:: incy][:n]] = False
    assert np.array_equal(bits(outb)[untouched], guard[untouched])


def test_negative_stride_is_blas_increment():
    # x[::-1] has logical element i at the highest address minus i: that is
    # BLAS increment -1 on the lowest address, so results keep x's order.
    x = np.array([-1.0, 2.0, -3.0, 4.0], np.float64)
    assert fr.relu(x[::-1]).tolist() == [4.0, 0.0, 2.0, 0.0]
    assert fr.mask(x[::-1]).tolist() == [0b0101]


@pytest.mark.parametrize("dtype", DTYPES)
def test_in_place(isa, dtype):
    x = data(dtype, 1001)
    want = ref("relu", None, x)[0]
    assert fr.relu(x, out=x) is x
    check(x, want)

    x = data(dtype, 1001)
    want = ref("leaky_relu", 0.1, x)[0]
    fr.leaky_relu(x, 0.1, out=x)
    check(x, want)

    x, dy = data(dtype, 1001), data(dtype, 1001, seed=1)
    want = ref("leaky_relu_backward", 0.1, x, dy)[0]
    fr.leaky_relu_backward(x, dy, 0.1, out=dy)
    check(dy, want)

    x, dy = data(dtype, 1001), data(dtype, 1001, seed=1)
    want = ref("relu_backward", None, x, dy)[0]
    m = fr.mask(x)
    fr.relu_backward_mask(m, dy, out=dy)
    check(dy, want)

    x = data(dtype, 1001)[::-3]
    want = ref("relu", None, x.copy())[0]
    fr.relu(x, out=x)
    check(x, want)


def test_multidimensional():
    a = data(np.float32, 6 * 40).reshape(6, 40)
    for x in (a, a[:, ::2], a[::-1, ::-1], a.T, a[1:4, 3:30]):
        want = ref("relu", None, np.ascontiguousarray(x))[0].reshape(x.shape)
        y = fr.relu(x)
        assert y.shape == x.shape
        check(y, want.ravel())
        out = np.empty((x.shape[1], x.shape[0]), np.float32).T
        fr.relu(x, out=out)
        check(out, want.ravel())
        m = fr.mask(x)
        assert np.array_equal(m, np.packbits(np.ascontiguousarray(x) > 0, bitorder="little"))
    b = a.copy().T
    want = ref("relu", None, np.ascontiguousarray(b))[0]
    fr.relu(b, out=b)
    check(b, want)


def test_zero_stride_input():
    x = np.broadcast_to(np.float32(-2.0), (10,))
    assert fr.relu(x).tolist() == [0.0] * 10
    assert fr.leaky_relu(x, 0.5).tolist() == [-1.0] * 10


def test_scalar_shapes():
    assert fr.relu(np.array(-1.0, np.float32)).shape == ()
    y, m = fr.relu_mask(np.array([3.0]))
    assert y.tolist() == [3.0] and m.tolist() == [1]


def test_given_mask_buffer():
    x = data(np.float64, 20)
    buf = np.full(8, 0xAA, np.uint8)
    _, m = fr.relu_mask(x, mask=buf)
    assert m is buf
    assert np.array_equal(buf[:3], np.packbits(x > 0, bitorder="little"))
    assert buf[3:].tolist() == [0xAA] * 5
    assert fr.mask(x, out=buf) is buf


def test_bfloat16_values():
    x = f2b(np.array([1.5, -2.0, 0.0, -0.0, 3.25], np.float32))
    y = fr.leaky_relu(x, 0.5)
    assert y.dtype == np.uint16
    assert b2f(y).tolist() == [1.5, -1.0, 0.0, -0.0, 3.25]
    assert bits(fr.relu(x)).tolist()[3] == 0  # -0.0 -> +0.0


def test_threads():
    x, dy = data(np.float32, 1 << 20), data(np.float32, 1 << 20, seed=2)
    try:
        fr.set_num_threads(2)
        assert fr.get_num_threads() == 2
        check(fr.leaky_relu(x, 0.1), ref("leaky_relu", 0.1, x)[0])
        y, m = fr.relu_mask(x)
        assert np.array_equal(m, ref("relu_mask", None, x)[1])
        check(fr.relu_backward_mask(m, dy), ref("relu_backward", None, x, dy)[0])
    finally:
        fr.set_num_threads(0)


# ---- settings and errors ----

def test_isa_settings():
    isas = fr.supported_isas()
    assert "scalar" in isas
    fr.set_isa("auto")
    auto = fr.get_isa()
    assert auto in isas
    for name in isas:
        fr.set_isa(name)
        assert fr.get_isa() == name
    fr.set_isa("AUTO")
    assert fr.get_isa() == auto
    assert fr.isa_supported("auto")
    with pytest.raises(ValueError):
        fr.set_isa("mmx")
    assert fr.version().count(".") == 2


def test_unsupported_isa():
    missing = [n for n in ("avx512", "neon", "avx2", "sse2") if not fr.isa_supported(n)]
    if not missing:
        pytest.skip("every ISA is supported here")
    before = fr.get_isa()
    with pytest.raises(fr.UnsupportedError) as e:
        fr.set_isa(missing[0])
    assert e.value.status == 2
    assert e.value.message and e.value.message in str(e.value)
    assert fr.get_isa() == before


def test_library_errors_carry_message():
    with pytest.raises(fr.ArgumentError) as e:
        fr.set_num_threads(-1)
    assert e.value.status == -1 and e.value.function == "fr_set_num_threads"
    assert e.value.message in str(e.value)
    assert isinstance(e.value, ValueError)

    x = np.arange(-50, 50, dtype=np.float32)
    with pytest.raises(fr.OverlapError) as e:
        fr.relu(x[1:], out=x[:-1])
    assert e.value.status == 1 and e.value.function == "fr_srelu"
    assert e.value.message
    assert np.array_equal(x, np.arange(-50, 50, dtype=np.float32))  # nothing written

    buf = np.zeros(64, np.float32)
    with pytest.raises(fr.OverlapError):
        fr.relu_mask(x[:64], out=buf, mask=buf.view(np.uint8)[:8])


def test_python_side_errors():
    x = np.zeros(10, np.float32)
    with pytest.raises(TypeError):
        fr.relu(np.zeros(4, np.int32))
    with pytest.raises(TypeError):
        fr.relu([1.0, 2.0])
    with pytest.raises(TypeError):
        fr.relu(x, out=np.zeros(10, np.float64))
    with pytest.raises(ValueError):
        fr.relu(x, out=np.zeros(11, np.float32))
    with pytest.raises(TypeError):
        fr.relu_backward(x, np.zeros(10, np.float64))
    with pytest.raises(ValueError):
        fr.relu_backward_mask(np.zeros(1, np.uint8), x)
    with pytest.raises(ValueError):
        fr.relu_mask(x, mask=np.zeros(1, np.uint8))
    ro = np.zeros(10, np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError):
        fr.relu(x, out=ro)


def _child(code, env):
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    env = dict(os.environ, PYTHONPATH=here, **env)
    return subprocess.run([sys.executable, "-c", code], env=env,
                          capture_output=True, text=True)


def test_library_lookup():
    path = os.path.abspath(fr.library_path()) if os.path.exists(fr.library_path()) else None
    r = _child("import fastrelu; fastrelu.get_isa()", {"FASTRELU_LIBRARY": "/nonexistent/libfastrelu.so"})
    assert r.returncode != 0 and "LibraryNotFoundError" in r.stderr
    if path:
        code = ("import fastrelu, numpy; fastrelu.load_library(%r); "
                "print(fastrelu.relu(numpy.array([-1.0, 2.0])).tolist(), fastrelu.library_path())" % path)
        r = _child(code, {"FASTRELU_LIBRARY": "/nonexistent/libfastrelu.so"})
        assert r.returncode == 0, r.stderr
        assert r.stdout.split()[:2] == ["[0.0,", "2.0]"]
