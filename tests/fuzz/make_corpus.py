#!/usr/bin/env python3
"""Writes the seed corpus (tests/fuzz/corpus/): each operation and precision in a few layouts. See the input layout in fuzz.c."""
import os
import struct
import sys

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
os.makedirs(out, exist_ok=True)


def inc(v):  # magnitude index into {1,1,1,1,2,3,5,16}, sign bit 8
    mags = {1: 0, 2: 4, 3: 5, 5: 6, 16: 7}
    return mags[abs(v)] | (8 if v < 0 else 0)


def seed(name, op, prec, n, inplace=0, ynull=0, overlap=0, threads=1, large=0,
         bad=None, incs=(1, 1, 1), offs=(0, 0, 0, 0), alpha=2, alpha_bits=None,
         data=b""):
    b0 = op | prec << 3 | inplace << 5 | ynull << 6 | overlap << 7
    if n < 80:
        b1, b2 = n, 0
    else:
        b1, b2 = n & 0xFF, 0x80 | (n >> 8)
    b3 = (threads - 1) | (0x7C if large else 0) | (0x80 if large == 2 else 0)
    b4 = 0xF0 | bad if bad is not None else 0
    s = bytes([b0, b1, b2, b3, b4] + [inc(i) for i in incs] + list(offs))
    if alpha_bits is None:
        s += bytes([alpha])
    else:
        s += bytes([0x80]) + struct.pack("<Q", alpha_bits)
    with open(os.path.join(out, name), "wb") as f:
        f.write(s + data)


precs = "sdhb"
ops = ["relu", "leaky", "relu_bwd", "leaky_bwd", "relu_mask", "leaky_mask",
       "relu_bwd_mask", "leaky_bwd_mask"]
for p, pn in enumerate(precs):
    for o, on in enumerate(ops):
        base = f"{pn}_{on}"
        seed(base + "_n7", o, p, 7, offs=(1, 2, 3, 1), alpha=o)
        seed(base + "_n1030_strided", o, p, 1030, incs=(-3, 2, -1),
             offs=(5, 0, 7, 3), alpha=o + 3)
        seed(base + "_n77_inplace", o, p, 77, inplace=1, offs=(3, 3, 0, 0),
             alpha=o + 5)
for p, pn in enumerate(precs):
    seed(f"{pn}_leaky_mask_ynull", 5, p, 63, ynull=1, offs=(0, 0, 0, 5))
    seed(f"{pn}_leaky_bwd_overlap", 3, p, 40, overlap=1, incs=(1, -1, 1),
         offs=(0, 10, 5, 0))
    seed(f"{pn}_relu_mask_overlap", 4, p, 33, overlap=1, offs=(0, 0, 40, 9))
    seed(f"{pn}_leaky_bwd_badarg", 3, p, 9, bad=5)
    seed(f"{pn}_leaky_threads", 1, p, 100, threads=2, large=1, incs=(1, 1, 1))
    seed(f"{pn}_relu_bwd_threads_strided", 2, p, 500, threads=4, large=2,
         incs=(-2, 1, 2))
    seed(f"{pn}_leaky_alpha_snan", 1, p, 31,
         alpha_bits=0xFFF4123456789ABC if p == 1 else 0xFFA12345)
# strided outputs interleaved with inputs of the same increment: no shared byte
# either way round, then a shared one
seed("s_relu_interleaved_after", 0, 0, 20, overlap=1, incs=(2, 1, 2), offs=(0, 0, 1, 0))
seed("s_relu_interleaved_before", 0, 0, 20, overlap=1, incs=(-2, 1, -2), offs=(1, 0, 0, 0))
seed("h_relu_bwd_interleaved_clash", 2, 2, 20, overlap=1, incs=(3, 3, 3), offs=(0, 30, 6, 0))
# the input that caught a stale emulated SSE2 table: in-place d leaky mask, n = 1038
seed("d_leaky_mask_inplace_n1038", 5, 1, 1038, inplace=1, threads=3,
     offs=(6, 0, 0, 3), alpha_bits=0xC9D3A6A81B44EA94)
print(len(os.listdir(out)), "seeds in", out, file=sys.stderr)
