"""libfastrelu from Python: ReLU and leaky ReLU over NumPy arrays, through ctypes.

The dtype of the array picks the precision: float32, float64, float16 (IEEE
binary16), and uint16, which holds bfloat16 bits. Results are bit for bit those
of the C library (see its README for the exact semantics).

The library is found, in this order, at the path given to load_library(), at
$FASTRELU_LIBRARY, and through the system loader (libfastrelu.so.1). The
PyTorch binding lives in fastrelu.torch and is imported only when asked for.
"""

import ctypes
import ctypes.util
import os
import threading

import numpy as np

__all__ = [
    "FastReluError", "ArgumentError", "OverlapError", "UnsupportedError",
    "LibraryNotFoundError", "load_library", "library_path", "version",
    "relu", "leaky_relu", "relu_backward", "leaky_relu_backward",
    "relu_mask", "leaky_relu_mask", "mask", "relu_backward_mask",
    "leaky_relu_backward_mask", "mask_nbytes",
    "get_isa", "set_isa", "isa_supported", "supported_isas",
    "set_num_threads", "get_num_threads",
]

ISAS = ("auto", "scalar", "sse2", "avx2", "avx512", "neon")


class FastReluError(Exception):
    """A libfastrelu call failed; status is the library's code."""

    def __init__(self, status, message, function=None):
        self.status = status
        self.message = message
        self.function = function
        where = function + ": " if function else ""
        super().__init__("%s%s (status %d)" % (where, message, status))


class ArgumentError(FastReluError, ValueError):
    """An argument was invalid (status -k names argument k of the C call)."""


class OverlapError(FastReluError, ValueError):
    """An output overlaps an input or another output (FR_EOVERLAP)."""


class UnsupportedError(FastReluError, RuntimeError):
    """The ISA is not available on this CPU or in this build (FR_EUNSUPPORTED)."""


class LibraryNotFoundError(OSError):
    """libfastrelu.so could not be loaded."""


_PREC = {"s": ctypes.c_float, "d": ctypes.c_double,
         "h": ctypes.c_float, "b": ctypes.c_float}
_I, _P = ctypes.c_int64, ctypes.c_void_p
_OPS = {
    # name: (has alpha, argument kinds after n and alpha)
    "relu": (False, (_P, _I, _P, _I)),
    "leaky_relu": (True, (_P, _I, _P, _I)),
    "relu_backward": (False, (_P, _I, _P, _I, _P, _I)),
    "leaky_relu_backward": (True, (_P, _I, _P, _I, _P, _I)),
    "relu_mask": (False, (_P, _I, _P, _I, _P)),
    "leaky_relu_mask": (True, (_P, _I, _P, _I, _P)),
    "relu_backward_mask": (False, (_P, _P, _I, _P, _I)),
    "leaky_relu_backward_mask": (True, (_P, _P, _I, _P, _I)),
}

_lock = threading.Lock()
_lib = None
_lib_path = None


def _candidates(path):
    if path is not None:
        return [os.fspath(path)]
    env = os.environ.get("FASTRELU_LIBRARY")
    if env:
        return [env]
    names = ["libfastrelu.so.1", "libfastrelu.so"]
    found = ctypes.util.find_library("fastrelu")
    if found:
        names.append(found)
    return names


def _declare(lib):
    for prec, alpha_t in _PREC.items():
        for op, (has_alpha, kinds) in _OPS.items():
            f = getattr(lib, "fr_" + prec + op)
            f.argtypes = [_I] + ([alpha_t] if has_alpha else []) + list(kinds)
            f.restype = ctypes.c_int
    lib.fr_strerror.argtypes = [ctypes.c_int]
    lib.fr_strerror.restype = ctypes.c_char_p
    lib.fr_version.argtypes = []
    lib.fr_version.restype = ctypes.c_char_p
    for name in ("fr_init", "fr_get_isa", "fr_get_num_threads"):
        getattr(lib, name).argtypes = []
        getattr(lib, name).restype = ctypes.c_int
    for name in ("fr_set_isa", "fr_isa_supported", "fr_set_num_threads"):
        getattr(lib, name).argtypes = [ctypes.c_int]
        getattr(lib, name).restype = ctypes.c_int
    lib.fr_isa_name.argtypes = [ctypes.c_int]
    lib.fr_isa_name.restype = ctypes.c_char_p


def load_library(path=None):
    """Load libfastrelu (from path if given) and return the ctypes handle.

    Without a path: $FASTRELU_LIBRARY, then the system loader. Calling it again
    with a path replaces the library used by this module."""
    global _lib, _lib_path
    with _lock:
        if _lib is not None and path is None:
            return _lib
        errors = []
        for name in _candidates(path):
            try:
                lib = ctypes.CDLL(name)
            except OSError as e:
                errors.append("%s: %s" % (name, e))
                continue
            _declare(lib)
            _lib, _lib_path = lib, name
            return lib
        raise LibraryNotFoundError(
            "libfastrelu not found (pass a path to fastrelu.load_library, "
            "set FASTRELU_LIBRARY, or put it on the loader path): "
            + "; ".join(errors))


def _get():
    return _lib if _lib is not None else load_library()


def library_path():
    """The name or path the library was loaded from."""
    _get()
    return _lib_path


def _error(status, function=None):
    msg = _get().fr_strerror(status).decode("utf-8", "replace")
    if status < 0:
        cls = ArgumentError
    elif status == 1:
        cls = OverlapError
    elif status == 2:
        cls = UnsupportedError
    else:
        cls = FastReluError
    return cls(status, msg, function)


def _check(status, function):
    if status != 0:
        raise _error(status, function)


def _func(prec, op):
    return getattr(_get(), "fr_" + prec + op)


def version():
    return _get().fr_version().decode()


# ---- runtime settings ----

def _isa_code(isa):
    if isinstance(isa, str):
        try:
            return ISAS.index(isa.lower())
        except ValueError:
            raise ValueError("unknown ISA %r (one of %s)" % (isa, ", ".join(ISAS)))
    return int(isa)


def get_isa():
    """The ISA in use now, by name: 'scalar', 'sse2', 'avx2', 'avx512', 'neon'."""
    lib = _get()
    return lib.fr_isa_name(lib.fr_get_isa()).decode()


def set_isa(isa):
    """Force an ISA by name (or fr_isa number); 'auto' restores the automatic choice."""
    _check(_get().fr_set_isa(_isa_code(isa)), "fr_set_isa")


def isa_supported(isa):
    return bool(_get().fr_isa_supported(_isa_code(isa)))


def supported_isas():
    """The ISAs this CPU and build can run, 'auto' excluded."""
    return [n for n in ISAS[1:] if isa_supported(n)]


def set_num_threads(n):
    """Threads for large calls (>= 1; 0 restores the default)."""
    _check(_get().fr_set_num_threads(int(n)), "fr_set_num_threads")


def get_num_threads():
    return _get().fr_get_num_threads()


# ---- arrays ----

def _prec_of(dtype):
    dtype = np.dtype(dtype)
    if dtype == np.float32:
        return "s"
    if dtype == np.float64:
        return "d"
    if dtype == np.float16:
        return "h"
    if dtype == np.uint16 or dtype.name == "bfloat16":
        return "b"
    raise TypeError("unsupported dtype %s (float32, float64, float16, "
                    "or uint16 holding bfloat16)" % dtype)


def _as_array(a, name):
    if not isinstance(a, np.ndarray):
        raise TypeError("%s must be a NumPy array, not %s" % (name, type(a).__name__))
    return a


def _vector(a):
    """(address, increment) if a's elements, in C order, are evenly spaced
    and aligned; else None. Increments follow BLAS: a negative one passes the
    lowest address."""
    n = a.size
    item = a.itemsize
    if n <= 1:
        return a.ctypes.data, 1
    if not a.flags.aligned:
        return None
    step = None
    for dim, stride in reversed(list(zip(a.shape, a.strides))):
        if dim == 1:
            continue
        if step is None:
            step, span = stride, stride * dim
        elif stride != span:
            return None
        else:
            span = stride * dim
    if step == 0 or step % item:
        return None
    inc = step // item
    base = a.ctypes.data
    if inc < 0:
        base += (n - 1) * step
    return base, inc


def _new_out(x, out, name="out"):
    if out is None:
        return np.empty(x.shape, x.dtype)
    _as_array(out, name)
    if out.dtype != x.dtype:
        raise TypeError("%s has dtype %s, expected %s" % (name, out.dtype, x.dtype))
    if out.shape != x.shape:
        raise ValueError("%s has shape %s, expected %s" % (name, out.shape, x.shape))
    if not out.flags.writeable:
        raise ValueError("%s is read-only" % name)
    return out


def mask_nbytes(n):
    """Bytes in the packed mask of n elements: (n + 7) // 8."""
    return (int(n) + 7) // 8


def _mask_out(n, mask):
    if mask is None:
        return np.zeros(mask_nbytes(n), np.uint8)
    _as_array(mask, "mask")
    if mask.dtype != np.uint8 or mask.ndim != 1 or not mask.flags.c_contiguous:
        raise TypeError("mask must be a contiguous 1-D uint8 array")
    if mask.size < mask_nbytes(n):
        raise ValueError("mask has %d bytes, needs %d" % (mask.size, mask_nbytes(n)))
    if not mask.flags.writeable:
        raise ValueError("mask is read-only")
    return mask


def _mask_in(n, mask):
    _as_array(mask, "mask")
    if mask.dtype != np.uint8 or mask.ndim != 1:
        raise TypeError("mask must be a 1-D uint8 array")
    if mask.size < mask_nbytes(n):
        raise ValueError("mask has %d bytes, needs %d" % (mask.size, mask_nbytes(n)))
    return np.ascontiguousarray(mask)


def _same_type(x, other, name):
    _as_array(other, name)
    if other.dtype != x.dtype:
        raise TypeError("%s has dtype %s, expected %s" % (name, other.dtype, x.dtype))
    if other.shape != x.shape:
        raise ValueError("%s has shape %s, expected %s" % (name, other.shape, x.shape))


def _run(op, alpha, ins, out, mask=None):
    """Call fr_<prec><op> on input arrays ins (same dtype and shape), writing
    out (or only the mask when out is None and mask is given)."""
    first = ins[0] if ins else out
    prec = _prec_of(first.dtype)
    f = _func(prec, op)
    n = first.size
    args = [n]
    if alpha is not None:
        args.append(float(alpha))
    vecs = [_vector(a) for a in ins]
    ovec = _vector(out) if out is not None else (None, 1)
    if any(v is None for v in vecs) or ovec is None:
        # Not expressible as one BLAS vector: work on contiguous copies.
        tmp = np.empty(out.shape, out.dtype) if ovec is None else out
        _run(op, alpha, [np.ascontiguousarray(a) for a in ins], tmp, mask)
        if tmp is not out:
            out[...] = tmp
        return
    if op.endswith("backward_mask"):
        args.append(mask.ctypes.data)
    for v in vecs:
        args.extend(v)
    args.extend(ovec)
    if op.endswith("_mask") and not op.endswith("backward_mask"):
        args.append(mask.ctypes.data)
    _check(f(*args), f.__name__)


def _src(x):
    x = _as_array(x, "x")
    _prec_of(x.dtype)
    return x


def relu(x, out=None):
    """y = x where x > 0 (NaN kept), +0.0 elsewhere. out=x works in place."""
    x = _src(x)
    out = _new_out(x, out)
    _run("relu", None, [x], out)
    return out


def leaky_relu(x, alpha=0.01, out=None):
    """y = x where x > 0, alpha * x elsewhere (one rounding in the precision;
    float then round to nearest even for float16/bfloat16)."""
    x = _src(x)
    out = _new_out(x, out)
    _run("leaky_relu", alpha, [x], out)
    return out


def relu_backward(x, dy, out=None):
    """dx = dy where x > 0, +0.0 elsewhere (x: forward input or output)."""
    x = _src(x)
    _same_type(x, dy, "dy")
    out = _new_out(x, out)
    _run("relu_backward", None, [x, dy], out)
    return out


def leaky_relu_backward(x, dy, alpha=0.01, out=None):
    """dx = dy where x > 0, alpha * dy elsewhere."""
    x = _src(x)
    _same_type(x, dy, "dy")
    out = _new_out(x, out)
    _run("leaky_relu_backward", alpha, [x, dy], out)
    return out


def relu_mask(x, out=None, mask=None):
    """relu(x) and the packed mask of x > 0 (bit i of byte i // 8, least
    significant first; numpy.unpackbits(mask, bitorder='little') reads it).
    Returns (y, mask)."""
    x = _src(x)
    out = _new_out(x, out)
    mask = _mask_out(x.size, mask)
    _run("relu_mask", None, [x], out, mask)
    return out, mask


def leaky_relu_mask(x, alpha=0.01, out=None, mask=None):
    """leaky_relu(x, alpha) and the packed mask of x > 0. Returns (y, mask)."""
    x = _src(x)
    out = _new_out(x, out)
    mask = _mask_out(x.size, mask)
    _run("leaky_relu_mask", alpha, [x], out, mask)
    return out, mask


def mask(x, out=None):
    """Only the packed mask of x > 0, as a uint8 array of (x.size + 7) // 8 bytes."""
    x = _src(x)
    m = _mask_out(x.size, out)
    v = _vector(x)
    if v is None:
        x = np.ascontiguousarray(x)
        v = _vector(x)
    f = _func(_prec_of(x.dtype), "relu_mask")
    _check(f(x.size, v[0], v[1], None, 1, m.ctypes.data), f.__name__)
    return m


def relu_backward_mask(mask, dy, out=None):
    """dx = dy where the mask bit is 1, +0.0 elsewhere."""
    dy = _src(dy)
    m = _mask_in(dy.size, mask)
    out = _new_out(dy, out)
    _run("relu_backward_mask", None, [dy], out, m)
    return out


def leaky_relu_backward_mask(mask, dy, alpha=0.01, out=None):
    """dx = dy where the mask bit is 1, alpha * dy elsewhere."""
    dy = _src(dy)
    m = _mask_in(dy.size, mask)
    out = _new_out(dy, out)
    _run("leaky_relu_backward_mask", alpha, [dy], out, m)
    return out
