"""The ridge benchmark's FLOP model and its plot."""
import importlib.util
import json
from pathlib import Path

import matplotlib
import pytest

from neurokit.errors import DataError
from neurokit.plotting.benchmarks import plot_ridge_benchmark

matplotlib.use("Agg")
BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "ridge.py"


def _bench():
    spec = importlib.util.spec_from_file_location("ridge_bench", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_flop_model_matches_reference_counts():
    b = _bench()
    # alpha GEMM: 2 * n_alphas * n_val * k * v per fold; at 4096x20000 (eig, k = 720) it dominates
    fl = b.neurokit_flops(4096, 20000, "eig")
    assert fl["alpha_gemm"] == pytest.approx(5 * 2 * 20 * 180 * 720 * 20000)
    assert 0.5 < fl["alpha_gemm"] / fl["total"] < 0.7
    assert 0.7e12 < fl["total"] < 1.0e12  # ~0.9 TFLOP, as in the performance reference
    assert b.neurokit_flops(100, 500, "svd")["total"] < fl["total"]


def test_plot_from_results_json(tmp_path):
    res = {
        "peak": {"gemm4096_gflops_used": 100.0}, "settings": {"dtype": "float64"}, "machine": {"threads": 2},
        "runs": [{"method": m, "p": p, "v": v, "time_s": t} for (m, t) in
                 (("neurokit_numpy", 1.0), ("himalaya_ridge", 4.0), ("sklearn_gcv", 6.0)) for p, v in ((100, 50),)],
        "summary": [{"p": 100, "v": 50, "neurokit_frac_of_peak": 0.8, "speedup_vs_himalaya_ridge": 4.0,
                     "speedup_vs_sklearn_gcv": 6.0}],
    }
    path = tmp_path / "ridge.json"
    path.write_text(json.dumps(res))
    fig = plot_ridge_benchmark(path)
    assert len(fig.axes) == 2
    with pytest.raises(DataError, match="benchmarks/ridge.py"):
        plot_ridge_benchmark(tmp_path / "missing.json")
