#!/usr/bin/env python3
"""Compact table (and gnuplot plot) from fastrelu_bench's Google Benchmark JSON."""
import argparse
import json
import os
import shutil
import subprocess
import sys

OPS = ["relu", "leaky_relu", "relu_backward", "leaky_relu_backward",
       "relu_mask", "leaky_relu_mask", "relu_backward_mask",
       "leaky_relu_backward_mask", "relu_inc2", "relu_inplace", "leaky_relu_inplace",
       "relu_backward_inplace", "leaky_relu_backward_inplace",
       "relu_backward_mask_inplace", "leaky_relu_backward_mask_inplace"]
PRECS = "sdhb"
PREC_NAME = {"s": "f32", "d": "f64", "h": "f16", "b": "bf16"}
BACKWARD = {"relu_backward", "leaky_relu_backward"}
INPLACE = {op for op in OPS if op.endswith("_inplace")}
BACKWARD_INPLACE = {"relu_backward_inplace", "leaky_relu_backward_inplace"}


def size_label(n):
    for unit, v in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if n >= v and n % v == 0:
            return "%d%s" % (n // v, unit)
    return str(n)


def parse_name(name):
    """'relu/s/fr_avx2/1024[/threads:2]/min_time:...' -> (op, prec, impl, n, threads)."""
    parts = name.split("/")
    threads = 1
    keep = []
    for p in parts:
        if p.startswith("threads:"):
            threads = int(p.split(":")[1])
        elif ":" not in p and p != "real_time":
            keep.append(p)
    if len(keep) != 4:
        return None
    op, prec, impl, n = keep
    return op, prec, impl, int(n), threads


def median(v):
    v = sorted(v)
    k = len(v) // 2
    return v[k] if len(v) % 2 else (v[k - 1] + v[k]) / 2


def load(path):
    """Rows keyed by parse_name: a row timed as Google Benchmark repetitions
    has its median aggregate; a row timed in rounds (one run per round,
    fastrelu_bench's /round:k) gets the median of its runs here."""
    with open(path) as f:
        data = json.load(f)
    rows, runs, aggr = {}, {}, set()
    reps = max([b.get("repetitions", 1) for b in data["benchmarks"]] + [1])
    for b in data["benchmarks"]:
        name = b.get("run_name", b["name"])
        key = parse_name(name)
        if key is None:
            continue
        if "/round:" in name:
            reps = max(reps, int(name.split("/round:")[1].split("/")[0]))
        if b.get("error_occurred"):
            msg = b.get("error_message", "error")
            rows[key] = {"error": "WRONG" if "wrong" in msg else "skip"}
            continue
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") != "median":
                continue
            aggr.add(key)
        elif key in aggr or b.get("repetitions", 1) > 1:
            continue  # a repetition of an aggregated row
        r = {
            "gbs": b.get("bytes_per_second", 0) / 1e9,
            "eps": b.get("items_per_second", 0),
            "pct": b.get("pct_roofline"),
        }
        if key in aggr:
            rows[key] = r
        else:
            runs.setdefault(key, []).append(r)
    for key, rs in runs.items():
        if key in aggr or "error" in rows.get(key, {}):
            continue
        pcts = [r["pct"] for r in rs if r["pct"] is not None]
        rows[key] = {
            "gbs": median([r["gbs"] for r in rs]),
            "eps": median([r["eps"] for r in rs]),
            "pct": median(pcts) if pcts else None,
        }
    return data.get("context", {}), rows, reps


def impl_order(impls):
    def rank(i):
        if i == "fr_auto":
            return (0, "")
        if i.startswith("fr_"):
            isa = ["scalar", "sse2", "avx2", "avx512", "neon"]
            name = i[3:]
            return (1, "%02d" % (isa.index(name) if name in isa else 99))
        return (2, i)
    return sorted(impls, key=rank)


def roof(rows, op, prec, n, threads):
    """The roofline row for op: the faster copy for forwards, stream2 for
    backwards, the in-place loop for the in-place rows (reading a second
    vector for the x-based backwards)."""
    if op in BACKWARD_INPLACE:
        cands = (("rmw2", "rmw2"), ("rmw2_64", "rmw2_64"))
    elif op in INPLACE:
        cands = (("rmw", "rmw"), ("rmw16", "rmw16"), ("rmw64", "rmw64"))
    elif op in BACKWARD:
        cands = (("stream2", "loop"), ("ntstream2", "nt"))
    else:
        cands = (("memcpy", "memcpy"), ("copyloop", "loop"), ("ntcopy", "nt"))
    best = None
    for impl, tag in cands:
        r = rows.get(("roofline", prec, impl, n, threads))
        if r and "gbs" in r and (best is None or r["gbs"] > best["gbs"]):
            best = dict(r, src=tag)
    return best


def roof_label(op):
    if op in BACKWARD_INPLACE:
        return "  roofline (in-place a^=b&0)"
    if op in INPLACE:
        return "  roofline (in-place loop)"
    return "  roofline (a+b loop)" if op in BACKWARD else "  roofline (copy)"


def cell(r, width):
    if r is None:
        return "-".rjust(width)
    if "error" in r:
        return r["error"].rjust(width)
    s = "%.1f" % r["gbs"]
    if r.get("src"):
        s += " %-6s" % r["src"]
    elif r.get("pct") is not None:
        s += " %3.0f%%" % r["pct"]
    else:
        s += "     "
    return s.rjust(width)


def header(ctx, reps):
    cpu = ctx.get("cpu_model", "?")
    out = []
    out.append("CPU: %s, %s CPUs at %s MHz%s" % (
        cpu, ctx.get("num_cpus", "?"), int(float(ctx.get("mhz_per_cpu", 0))),
        ", load average %s" % " ".join("%.2f" % v for v in ctx["load_avg"])
        if ctx.get("load_avg") else ""))
    out.append("fastrelu %s, automatic ISA: %s; mode %s, %s; peers missing: %s" % (
        ctx.get("fastrelu_version", "?"), ctx.get("fastrelu_auto_isa", "?"),
        ctx.get("bench_mode", "?"), ctx.get("date", "?"),
        ctx.get("peers_missing", "?")))
    if ctx.get("checks_failed", "none") != "none":
        out.append("FAILED CHECKS (not timed): %s" % ctx["checks_failed"])
    out.append("cells: GB/s (1e9 bytes/s, every byte read or written once, median of %d) "
               "and %% of the roofline" % reps)
    out.append("roofline: copy of the same bytes, the fastest of memcpy, a copy loop and a "
               "non-temporal (nt) copy "
               "(forwards, *_mask, *_backward_mask);")
    out.append("  c = a + b loop, two vectors in, one out, ordinary or nt stores "
               "(relu_backward, leaky_relu_backward);")
    out.append("  a ^= 0 over the vector in place, the compiler's loop (rmw) or one line a step "
               "in 16- or 64-byte vectors (rmw16, rmw64) (forwards and mask backwards in place);")
    out.append("  a ^= b & 0 in place, the compiler's loop (rmw2) or one line a step in 64-byte "
               "vectors (rmw2_64) (x-based backwards in place)")
    out.append("  (*_inplace: y = x, or dx = dy for the backwards; the leaky ops there with "
               "alpha 1)")
    return out


def table(ctx, rows, reps):
    sizes = sorted({k[3] for k in rows if k[4] == 1})
    lines = header(ctx, reps)
    w0, w = 30, 14
    for prec in PRECS:
        for op in OPS:
            impls = {k[2] for k in rows if k[0] == op and k[1] == prec and k[4] == 1}
            if not impls:
                continue
            lines.append("")
            lines.append(("%s %s" % (op, PREC_NAME[prec])).ljust(w0) +
                         "".join(size_label(n).rjust(w) for n in sizes))
            lines.append(roof_label(op).ljust(w0) +
                         "".join(cell(roof(rows, op, prec, n, 1), w) for n in sizes))
            for impl in impl_order(impls):
                lines.append(("  " + impl).ljust(w0) +
                             "".join(cell(rows.get((op, prec, impl, n, 1)), w)
                                     for n in sizes))
    sweep = sorted({(k[0], k[1], k[3]) for k in rows if k[4] > 1 and k[0] != "roofline"})
    for op, prec, n in sweep:
        threads = [1] + sorted({k[4] for k in rows if k[4] > 1 and k[3] == n})
        lines.append("")
        lines.append(("%s %s n=%s" % (op, PREC_NAME[prec], size_label(n))).ljust(w0) +
                     "".join(("%d thr" % t).rjust(w) for t in threads))
        lines.append(roof_label(op).ljust(w0) +
                     "".join(cell(roof(rows, op, prec, n, t), w) for t in threads))
        lines.append("  fr_auto".ljust(w0) +
                     "".join(cell(rows.get((op, prec, "fr_auto", n, t)), w)
                             for t in threads))
    return "\n".join(lines)


def md_cell(r):
    if r is None:
        return "-"
    if "error" in r:
        return r["error"]
    if r.get("src"):
        return "%.1f (%s)" % (r["gbs"], r["src"])
    if r.get("pct") is not None:
        return "%.1f (%.0f%%)" % (r["gbs"], r["pct"])
    return "%.1f" % r["gbs"]


def markdown(ctx, rows, reps, ops=None, impls_only=None, roofline=True):
    """A Markdown table, optionally only some operations and implementations."""
    sizes = sorted({k[3] for k in rows if k[4] == 1})
    out = ["| operation | implementation | " +
           " | ".join(size_label(n) for n in sizes) + " |",
           "|---|---|" + "---:|" * len(sizes)]
    for prec in PRECS:
        for op in OPS:
            if ops and op not in ops and "%s/%s" % (op, prec) not in ops:
                continue
            impls = {k[2] for k in rows if k[0] == op and k[1] == prec and k[4] == 1}
            if impls_only:
                impls &= set(impls_only)
            if not impls:
                continue
            name = "%s %s" % (op, PREC_NAME[prec])
            if roofline:
                out.append("| %s | *%s* | " % (name, roof_label(op).strip()) +
                           " | ".join(md_cell(roof(rows, op, prec, n, 1))
                                      for n in sizes) + " |")
            for impl in impl_order(impls):
                out.append("| %s | %s | " % (name, impl) +
                           " | ".join(md_cell(rows.get((op, prec, impl, n, 1)))
                                      for n in sizes) + " |")
    return "\n".join(out)


def plot(ctx, rows, png):
    """One panel per operation, GB/s against size (log axis), roofline dashed."""
    if not shutil.which("gnuplot"):
        print("gnuplot not found: no plot", file=sys.stderr)
        return False
    all_impls = impl_order({k[2] for k in rows if k[0] != "roofline"})
    palette = ["#d62728", "#1f77b4", "#17becf", "#2ca02c", "#9467bd", "#8c564b",
               "#ff7f0e", "#e377c2", "#7f7f7f", "#bcbd22", "#aec7e8", "#98df8a"]
    color = {impl: palette[i % len(palette)] for i, impl in enumerate(all_impls)}
    written = []
    for prec in PRECS:
        ops = [op for op in OPS if any(k[0] == op and k[1] == prec for k in rows)]
        if not ops:
            continue
        out = png if prec == "s" else png.replace(".png", "_%s.png" % prec)
        cols = 4 if len(ops) > 2 else len(ops)
        nrow = (len(ops) + cols - 1) // cols
        script = ["set terminal pngcairo size %d,%d font ',9'" % (420 * cols, 340 * nrow + 40),
                  "set output '%s'" % out,
                  "set multiplot layout %d,%d title \"fastrelu %s, %s (auto ISA %s)\"" % (
                      nrow, cols, PREC_NAME[prec], ctx.get("cpu_model", ""),
                      ctx.get("fastrelu_auto_isa", "?")),
                  "set termoption noenhanced", "set logscale x 2", "set grid",
                  "set xlabel 'elements'", "set ylabel 'GB/s'", "set yrange [0:*]",
                  "set key top right font ',7'"]
        sizes = sorted({k[3] for k in rows if k[1] == prec and k[4] == 1})
        script.append("set xtics (%s)" % ", ".join("'%s' %d" % (size_label(n), n) for n in sizes))
        script.append("set xrange [%g:%g]" % (sizes[0] / 1.3, sizes[-1] * 1.3))
        for op in ops:
            series = [(roof_label(op).strip(), "roofline", None)]
            series += [(impl, op, impl) for impl in impl_order(
                {k[2] for k in rows if k[0] == op and k[1] == prec and k[4] == 1})]
            plots = []
            for title, o, impl in series:
                if impl is None:
                    pts = [(n, r["gbs"]) for n, r in
                           ((n, roof(rows, op, prec, n, 1)) for n in sizes) if r]
                else:
                    pts = sorted((k[3], r["gbs"]) for k, r in rows.items()
                                 if k[0] == o and k[1] == prec and k[2] == impl
                                 and k[4] == 1 and "gbs" in r)
                if not pts:
                    continue
                name = "$d%d" % len(script)
                script.append("%s << EOD" % name)
                script += ["%d %g" % p for p in pts]
                script.append("EOD")
                if o == "roofline":
                    style = "with lines dt 2 lw 2 lc rgb 'black'"
                else:
                    style = "with linespoints lc rgb '%s' lw %d pt 7 ps 0.5" % (
                        color[impl], 3 if impl == "fr_auto" else 1)
                plots.append("%s using 1:2 %s title '%s'" % (name, style, title))
            script.append("set title '%s'" % op)
            script.append("plot " + ", ".join(plots))
        script.append("unset multiplot")
        r = subprocess.run(["gnuplot"], input="\n".join(script) + "\n", text=True,
                           capture_output=True)
        if r.returncode != 0:
            print("gnuplot failed: %s" % r.stderr.strip(), file=sys.stderr)
            return False
        written.append(out)
    for w in written:
        print("plot: %s" % w)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("json")
    ap.add_argument("--png", help="write the plot here (gnuplot)")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("--ops", help="with --markdown: only these, e.g. relu,relu/d")
    ap.add_argument("--impls", help="with --markdown: only these implementations")
    ap.add_argument("--no-roofline", action="store_true", help="with --markdown")
    a = ap.parse_args()
    ctx, rows, reps = load(a.json)
    if a.markdown:
        print(markdown(ctx, rows, reps, a.ops and a.ops.split(","),
                       a.impls and a.impls.split(","), not a.no_roofline))
    else:
        print(table(ctx, rows, reps))
    if a.png:
        plot(ctx, rows, os.path.abspath(a.png))


if __name__ == "__main__":
    main()
