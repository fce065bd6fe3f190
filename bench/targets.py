#!/usr/bin/env python3
"""Issue 5's speed targets checked against one fastrelu_bench JSON: each with its worst cell and a verdict."""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from table import PREC_NAME, load, roof, size_label  # noqa: E402

FWD = ("relu", "leaky_relu")
BWD = ("relu_backward", "leaky_relu_backward")
MASK_BWD = ("relu_backward_mask", "leaky_relu_backward_mask")
INPLACE = tuple(op + "_inplace" for op in FWD + BWD + MASK_BWD)
ESIZE = {"s": 4, "d": 8, "h": 2, "b": 2}
BIG = 16 << 10      # targets 1 and 4 hold from 16K elements on
DRAM = 16 << 20     # "DRAM sizes" of target 3: 16M elements and up


def op_bytes(op, prec, n):
    """As op_bytes in bench/data.c (in place or not: the same bytes)."""
    v = n * ESIZE[prec]
    op = op[:-len("_inplace")] if op.endswith("_inplace") else op
    if op in FWD:
        return 2 * v
    if op in BWD:
        return 3 * v
    return 2 * v + (n + 7) // 8


def is_peer(impl):
    return not impl.startswith("fr_") and impl != "roofline"


class Check:
    """One target: the cells it looked at, those below it, and those two
    measures disagree on (mixed)."""

    def __init__(self, title):
        self.title, self.lines, self.cells, self.failed, self.mixed = title, [], 0, 0, 0

    def cell(self, ok, text, mixed=False):
        self.cells += 1
        if mixed:
            self.mixed += 1
            self.lines.append("    mixed: " + text)
        elif not ok:
            self.failed += 1
            self.lines.append("    below: " + text)

    def note(self, text):
        self.lines.append("    " + text)

    def verdict(self):
        if not self.cells:
            return "no data in this run"
        v = ("NOT MET in %d of %d cells" % (self.failed, self.cells) if self.failed
             else "met in %d of %d cells" % (self.cells - self.mixed, self.cells))
        return v + (", %d mixed" % self.mixed if self.mixed else "")


def cells(rows, op, prec, impl="fr_auto", threads=1):
    return sorted((k[3], r) for k, r in rows.items()
                  if k[:3] == (op, prec, impl) and k[4] == threads and "gbs" in r)


def pct_check(c, rows, ops, precs, floor, min_n=BIG):
    """fr_auto at floor % of its roofline or more, from min_n elements on."""
    worst = None
    for prec in precs:
        for op in ops:
            for n, r in cells(rows, op, prec):
                if n < min_n or r.get("pct") is None:
                    continue
                what = "%s %s %s: %.1f %%" % (op, PREC_NAME[prec], size_label(n), r["pct"])
                c.cell(r["pct"] >= floor, what)
                if worst is None or r["pct"] < worst[0]:
                    worst = (r["pct"], what)
    if worst:
        c.note("lowest: " + worst[1])


def peer_check(c, rows, ops, prec, factor=1.0, only_n=None, count=True):
    """fr_auto at factor times every peer or more, at every size (or only_n),
    by two measures: the median GB/s, and the median % of the roofline pass
    run right after each measurement, which a slow spell of a shared machine
    moves with the row. A cell is below where both say so, mixed where they
    disagree. count=False: only the closest peer, as a note."""
    worst = None
    for op in ops:
        for n, r in cells(rows, op, prec):
            if only_n and n != only_n:
                continue
            for k, pr in rows.items():
                if k[:2] != (op, prec) or k[3] != n or k[4] != 1 or not is_peer(k[2]) \
                        or not pr.get("gbs"):
                    continue
                g = r["gbs"] / pr["gbs"]
                p = r["pct"] / pr["pct"] if r.get("pct") and pr.get("pct") else g
                what = "%s %s %s against %s: %.2fx in GB/s (%.1f / %.1f), %.2fx in %% (%s / %s)" % (
                    op, PREC_NAME[prec], size_label(n), k[2], g, r["gbs"], pr["gbs"], p,
                    pct(r), pct(pr))
                if count:
                    c.cell(g >= factor or p >= factor, what,
                           mixed=(g >= factor) != (p >= factor))
                if worst is None or max(g, p) < worst[0]:
                    worst = (max(g, p), what)
    if worst:
        c.note("closest peer%s: %s" % ("" if count else " (not a target)", worst[1]))


def pct(r):
    return "%.0f %%" % r["pct"] if r.get("pct") is not None else "no %"


def check_all(rows):
    out = []

    c = Check("1. f32 relu and leaky forward: >= 95 % of the copy from 16K, "
              "and at least as fast as every peer at every size")
    pct_check(c, rows, FWD, "s", 95)
    peer_check(c, rows, FWD, "s")
    out.append(c)

    c = Check("2. f32 and f64 in place (forwards y = x, backwards dx = dy): >= 95 % of an "
              "in-place streaming loop at every size")
    pct_check(c, rows, INPLACE, "sd", 95, min_n=0)
    for prec in "sd":
        peer_check(c, rows, INPLACE, prec, count=False)
    out.append(c)

    c = Check("3. f32 backward, x-based and mask-based: >= 90 % of the roofline; "
              "mask backward <= 0.75x the x-based time from 16M elements")
    pct_check(c, rows, BWD + MASK_BWD, "s", 90, min_n=0)
    for m, x in zip(MASK_BWD, BWD):
        xs = dict(cells(rows, x, "s"))
        for n, r in cells(rows, m, "s"):
            if n >= DRAM and n in xs:
                t = (op_bytes(m, "s", n) / r["gbs"]) / (op_bytes(x, "s", n) / xs[n]["gbs"])
                c.cell(t <= 0.75, "%s %s: %.2fx the time of %s" % (m, size_label(n), t, x))
                c.note("%s at %s: %.2fx the time of %s" % (m, size_label(n), t, x))
    out.append(c)

    c = Check("4a. f64 as f32: forwards >= 95 % from 16K, backwards >= 90 %, "
              "at least as fast as every peer")
    pct_check(c, rows, FWD, "d", 95)
    pct_check(c, rows, BWD + MASK_BWD, "d", 90, min_n=0)
    peer_check(c, rows, FWD, "d")
    out.append(c)

    relu_ops = ("relu", "relu_backward", "relu_mask", "relu_backward_mask", "relu_inplace",
                "relu_backward_inplace", "relu_backward_mask_inplace")
    leaky_ops = tuple("leaky_" + o for o in relu_ops)
    c = Check("4b. f16 and bf16 from 16K: relu ops >= 90 %, leaky ops >= 80 % of the roofline")
    pct_check(c, rows, relu_ops, "hb", 90)
    pct_check(c, rows, leaky_ops, "hb", 80)
    out.append(c)

    c = Check("5. n = 1024 f32: >= 90 % of the fastest peer")
    peer_check(c, rows, FWD + BWD, "s", 0.9, only_n=1024)
    out.append(c)

    c = Check("6. increment 2: >= 2x GCC's scalar loop (plain_O3)")
    for prec in "sdhb":
        base = dict(cells(rows, "relu_inc2", prec, "plain_O3"))
        for n, r in cells(rows, "relu_inc2", prec):
            if n in base:
                x = r["gbs"] / base[n]["gbs"]
                c.cell(x >= 2, "relu_inc2 %s %s: %.2fx" % (PREC_NAME[prec], size_label(n), x))
    out.append(c)

    c = Check("7. threads: relu f32 at the sweep's size, every thread count "
              ">= 90 % of a copy on as many threads")
    for k, r in sorted(rows.items()):
        if k[0] == "relu" and k[2] == "fr_auto" and k[4] > 1 and r.get("gbs"):
            rf = roof(rows, "relu", k[1], k[3], k[4])
            p = r.get("pct")
            if p is None and rf:
                p = 100 * r["gbs"] / rf["gbs"]
            if p is not None:
                c.cell(p >= 90, "%d threads at %s: %.0f %%" % (k[4], size_label(k[3]), p))
                c.note("%d threads at %s: %.1f GB/s, %.0f %% of the %d-thread copy "
                       "(the copy's own median: %s)" % (
                           k[4], size_label(k[3]), r["gbs"], p, k[4],
                           "%.1f GB/s" % rf["gbs"] if rf else "not run"))
    out.append(c)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("json", help="fastrelu_bench --benchmark_out file (bench/run.sh: build/bench.json)")
    ap.add_argument("--all", action="store_true", help="list every cell below its target or mixed")
    a = ap.parse_args()
    ctx, rows, reps = load(a.json)
    print("%s, automatic ISA %s, mode %s, %s; medians of %d" % (
        ctx.get("cpu_model", "?"), ctx.get("fastrelu_auto_isa", "?"),
        ctx.get("bench_mode", "?"), ctx.get("date", "?"), reps))
    print("% of the roofline as bench/table.py prints it (paired round by round); "
          "peers by GB/s and by that %")
    for c in check_all(rows):
        print("\n%s\n  %s" % (c.title, c.verdict()))
        below = [s for s in c.lines if s.startswith(("    below:", "    mixed:"))]
        other = [s for s in c.lines if s not in below]
        for s in other + (below if a.all else below[:3]):
            print(s)
        if not a.all and len(below) > 3:
            print("    ... %d more (--all)" % (len(below) - 3))


if __name__ == "__main__":
    main()
