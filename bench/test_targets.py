"""Tests of bench/targets.py on small synthetic fastrelu_bench JSON files."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import targets  # noqa: E402
from table import load  # noqa: E402


def bench_json(tmp_path, rows):
    """rows: (name without options, GB/s, % or None), one round each."""
    out = []
    for name, gbs, pct in rows:
        b = {"name": name + "/round:1/min_time:0.020", "run_type": "iteration",
             "repetitions": 1, "bytes_per_second": gbs * 1e9, "items_per_second": 1.0}
        if pct is not None:
            b["pct_roofline"] = pct
        out.append(b)
    p = tmp_path / "bench.json"
    p.write_text(json.dumps({"context": {"bench_mode": "test"}, "benchmarks": out}))
    return str(p)


def verdicts(path):
    return {c.title.split(".")[0]: c for c in targets.check_all(load(path)[1])}


def test_forward_target_follows_the_percent(tmp_path):
    base = [("roofline/s/memcpy/16384", 100, None)]
    met = verdicts(bench_json(tmp_path, base + [("relu/s/fr_auto/16384", 96, 96.0)]))["1"]
    assert (met.cells, met.failed) == (1, 0)
    low = verdicts(bench_json(tmp_path, base + [("relu/s/fr_auto/16384", 94, 94.0)]))["1"]
    assert (low.cells, low.failed) == (1, 1)
    # below 16K the forward percentage is not a target
    small = verdicts(bench_json(tmp_path, [("relu/s/fr_auto/1024", 50, 50.0)]))["1"]
    assert small.cells == 0


def test_peer_below_mixed_and_ahead(tmp_path):
    def peer(fr_gbs, fr_pct, xnn_gbs, xnn_pct):
        c = verdicts(bench_json(tmp_path, [("relu/s/fr_auto/1024", fr_gbs, fr_pct),
                                           ("relu/s/xnnpack/1024", xnn_gbs, xnn_pct)]))["1"]
        return c.failed, c.mixed
    assert peer(110, 110.0, 100, 100.0) == (0, 0)
    assert peer(90, 90.0, 100, 100.0) == (1, 0)
    assert peer(90, 105.0, 100, 100.0) == (0, 1)
    # fastrelu's own tables are not peers
    c = verdicts(bench_json(tmp_path, [("relu/s/fr_auto/1024", 90, 90.0),
                                       ("relu/s/fr_avx2/1024", 100, 100.0)]))["1"]
    assert c.cells == 0


def test_mask_backward_time_ratio(tmp_path):
    n = 16 << 20

    def ratio_ok(mask_gbs):
        c = verdicts(bench_json(tmp_path, [("relu_backward/s/fr_auto/%d" % n, 30, 95.0),
                                           ("relu_backward_mask/s/fr_auto/%d" % n, mask_gbs, 95.0)]))["3"]
        return c.failed == 0
    # x-based moves 12n bytes, the mask backward 8n + n/8: at equal GB/s 0.68x the time
    assert ratio_ok(30)
    assert not ratio_ok(20)


def test_small_calls_and_increment_2(tmp_path):
    c = verdicts(bench_json(tmp_path, [("relu/s/fr_auto/1024", 89, 89.0),
                                       ("relu/s/eigen/1024", 100, 100.0)]))["5"]
    assert (c.cells, c.failed) == (1, 1)
    c = verdicts(bench_json(tmp_path, [("relu/s/fr_auto/1024", 91, 91.0),
                                       ("relu/s/eigen/1024", 100, 100.0)]))["5"]
    assert c.failed == 0
    c = verdicts(bench_json(tmp_path, [("relu_inc2/h/fr_auto/1024", 10, None),
                                       ("relu_inc2/h/plain_O3/1024", 5.1, None)]))["6"]
    assert (c.cells, c.failed) == (1, 1)


def test_halves_floors_differ_for_relu_and_leaky(tmp_path):
    c = verdicts(bench_json(tmp_path, [("relu/h/fr_auto/16384", 85, 85.0),
                                       ("leaky_relu/b/fr_auto/16384", 85, 85.0)]))["4b"]
    assert (c.cells, c.failed) == (2, 1)


def test_threads_use_the_paired_percent(tmp_path):
    def sweep(pct):
        return verdicts(bench_json(tmp_path, [
            ("roofline/s/ntcopy/67108864/threads:2", 66, None),
            ("relu/s/fr_auto/67108864/threads:2", 40, pct)]))["7"]
    assert (sweep(98.0).cells, sweep(98.0).failed) == (1, 0)
    assert sweep(85.0).failed == 1


def test_in_place_against_its_own_loop_at_every_size(tmp_path):
    def two(pct, peer_gbs=None):
        rows = [("roofline/s/rmw/1024", 100, None), ("relu_inplace/s/fr_auto/1024", pct, pct)]
        if peer_gbs:
            rows.append(("relu_inplace/s/eigen/1024", peer_gbs, peer_gbs))
        return verdicts(bench_json(tmp_path, rows))["2"]
    assert (two(96.0).cells, two(96.0).failed) == (1, 0)
    assert (two(94.0).cells, two(94.0).failed) == (1, 1)
    # a faster peer in place is named, not counted
    c = two(96.0, peer_gbs=120)
    assert (c.cells, c.failed) == (1, 0)
    assert any("closest peer (not a target)" in s and "eigen" in s for s in c.lines)
    # the out-of-place rows are not target 2's
    c = verdicts(bench_json(tmp_path, [("relu/s/fr_auto/1024", 50, 50.0)]))["2"]
    assert c.cells == 0


def test_backwards_in_place_count_in_target_2_against_their_own_loops(tmp_path):
    rows = [("roofline/d/rmw/1024", 100, None), ("roofline/d/rmw2/1024", 90, None),
            ("roofline/d/rmw2_64/1024", 120, None),
            ("relu_backward_inplace/d/fr_auto/1024", 110, 96.0),
            ("leaky_relu_backward_mask_inplace/d/fr_auto/1024", 90, 90.0)]
    path = bench_json(tmp_path, rows)
    c = verdicts(path)["2"]
    assert (c.cells, c.failed) == (2, 1)
    assert any("leaky_relu_backward_mask_inplace" in s for s in c.lines if "below" in s)
    # the x-based backward reads b too: its roofline is the faster a ^= b & 0 loop
    from table import roof
    r = load(path)[1]
    assert roof(r, "relu_backward_inplace", "d", 1024, 1)["src"] == "rmw2_64"
    assert roof(r, "relu_backward_mask_inplace", "d", 1024, 1)["src"] == "rmw"
    # both move the same bytes in place as out of place
    assert targets.op_bytes("relu_backward_inplace", "s", 1024) == 3 * 4096
    assert targets.op_bytes("relu_backward_mask_inplace", "s", 1024) == 2 * 4096 + 128
