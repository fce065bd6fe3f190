"""PyTorch autograd for libfastrelu: ReLU and leaky ReLU that keep only a
1-bit mask for backward.

Contiguous CPU tensors of float32, float64, bfloat16 and float16 run through
libfastrelu; anything else (other devices, strided views, other dtypes) runs
the same semantics in PyTorch ops. Either way the forward saves only a mask
of x > 0 for backward: packed bits (1/32 of a float32 activation) on the
library path, a bool tensor on the fallback path.

Semantics are the library's, which differ from torch.relu only in details:
relu(-0.0) is +0.0 and a NaN input is passed through unchanged.
"""

import torch
from torch.autograd.function import once_differentiable

import fastrelu as _fr

__all__ = ["relu", "leaky_relu", "ReLU", "LeakyReLU", "ReLUFunction"]

_PREC = {torch.float32: "s", torch.float64: "d",
         torch.bfloat16: "b", torch.float16: "h"}


def _fast(t):
    return (t.device.type == "cpu" and t.layout == torch.strided
            and t.dtype in _PREC and t.is_contiguous())


def _forward_fallback(x, alpha):
    zero = torch.zeros((), dtype=x.dtype, device=x.device)
    if alpha is None:
        return torch.where((x > 0) | torch.isnan(x), x, zero)
    return torch.where(x > 0, x, _scale(x, alpha))


def _scale(t, alpha):
    # One rounding as in the library: float32 and float64 multiply in their
    # own precision; bfloat16 and float16 in float32, then narrowed (a Python
    # scalar would otherwise be rounded to the tensor's 16-bit type first).
    if t.dtype in (torch.float32, torch.float64):
        return t * alpha
    return (t.float() * alpha).to(t.dtype)


class ReLUFunction(torch.autograd.Function):
    """relu(x) when alpha is None, else leaky_relu(x, alpha)."""

    @staticmethod
    def forward(ctx, x, alpha=None):
        ctx.alpha = alpha
        n = x.numel()
        if _fast(x):
            prec = _PREC[x.dtype]
            y = torch.empty_like(x, memory_format=torch.contiguous_format)
            mask = torch.empty(_fr.mask_nbytes(n), dtype=torch.uint8)
            if alpha is None:
                f = _fr._func(prec, "relu_mask")
                st = f(n, x.data_ptr(), 1, y.data_ptr(), 1, mask.data_ptr())
            else:
                f = _fr._func(prec, "leaky_relu_mask")
                st = f(n, float(alpha), x.data_ptr(), 1, y.data_ptr(), 1, mask.data_ptr())
            _fr._check(st, f.__name__)
            ctx.packed = True
        else:
            y = _forward_fallback(x, alpha)
            mask = x > 0
            ctx.packed = False
        ctx.save_for_backward(mask)
        return y

    @staticmethod
    @once_differentiable
    def backward(ctx, dy):
        (mask,) = ctx.saved_tensors
        alpha = ctx.alpha
        if ctx.packed:
            # x was a contiguous CPU tensor of a library dtype, and so is dy.
            dy = dy.contiguous()
            n = dy.numel()
            prec = _PREC[dy.dtype]
            dx = torch.empty_like(dy, memory_format=torch.contiguous_format)
            if alpha is None:
                f = _fr._func(prec, "relu_backward_mask")
                st = f(n, mask.data_ptr(), dy.data_ptr(), 1, dx.data_ptr(), 1)
            else:
                f = _fr._func(prec, "leaky_relu_backward_mask")
                st = f(n, float(alpha), mask.data_ptr(), dy.data_ptr(), 1, dx.data_ptr(), 1)
            _fr._check(st, f.__name__)
            return dx, None
        if alpha is None:
            zero = torch.zeros((), dtype=dy.dtype, device=dy.device)
            return torch.where(mask, dy, zero), None
        return torch.where(mask, dy, _scale(dy, alpha)), None


def relu(x):
    """y = x where x > 0 (NaN kept), +0.0 elsewhere; backward from a 1-bit mask."""
    return ReLUFunction.apply(x, None)


def leaky_relu(x, negative_slope=0.01):
    """y = x where x > 0, negative_slope * x elsewhere; backward from a 1-bit mask."""
    return ReLUFunction.apply(x, float(negative_slope))


class ReLU(torch.nn.Module):
    """Drop-in for torch.nn.ReLU that saves a 1-bit mask for backward."""

    def forward(self, x):
        return relu(x)


class LeakyReLU(torch.nn.Module):
    """Drop-in for torch.nn.LeakyReLU that saves a 1-bit mask for backward."""

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = float(negative_slope)

    def forward(self, x):
        return leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return "negative_slope=%g" % self.negative_slope
