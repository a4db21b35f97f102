#!/usr/bin/env python
"""Voxelwise ridge benchmark: neurokit vs himalaya (RidgeCV, KernelRidgeCV) vs scikit-learn, in one run.

Same data, CV scheme and alphas for every method: n_train = 900, n_test = 100, p features, v voxels,
20 alphas = logspace(-2, 6, 20), unshuffled 5-fold KFold (sklearn: its efficient leave-one-out, the
only per-target-alpha mode it has, in the safe configuration ``fit_intercept=True``), one alpha per voxel,
refit on all 900 samples, predict the 100 test samples, Pearson r per voxel. All methods fit an intercept
(neurokit and himalaya centre within every fold). X has correlated columns with a power-law spectrum, Y is
low-rank tuning plus noise (voxel R² ~ U(0, 0.5), 20 % pure-noise voxels).

Each (method, size) runs in a fresh subprocess (a tiny warm-up, then the best of up to ``--repeat`` timed
runs within ``--budget`` seconds) so that its peak RSS can be measured; "extra RSS" is the peak minus the
RSS after loading the data. The machine's matmul peak (numpy 4096³ GEMM, same dtype and threads) is
measured in the same run, and a 1024³ probe before and after every method plus the load average record
how contended the (shared) machine was.

Usage::

    python benchmarks/ridge.py --quick                      # seconds: small sizes, all methods
    python benchmarks/ridge.py                              # full: up to (4096, 20000) float64 (minutes)
    python benchmarks/ridge.py --sizes 4096x20000 --methods neurokit_numpy,himalaya_kernel

Results: ``benchmarks/results/ridge.json`` (``--out``); plot with
``neurokit.plotting.benchmarks.plot_ridge_benchmark``.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

N_TRAIN, N_TEST, N_FOLDS = 900, 100, 5
ALPHAS = np.logspace(-2, 6, 20)
METHODS = ("neurokit_numpy", "neurokit_torch", "himalaya_ridge", "himalaya_kernel", "sklearn_gcv")
FULL_SIZES = "100x500,1000x5000,4096x5000,4096x20000"
QUICK_SIZES = "100x500,1000x2000"
REPO = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------------------------------------ data
def make_data(p: int, v: int, seed: int = 0) -> dict:
    """Correlated power-law features and low-rank voxel tuning with heterogeneous SNR."""
    rng = np.random.default_rng(seed)
    n = N_TRAIN + N_TEST
    spectrum = np.arange(1, p + 1) ** -0.5
    mix = rng.standard_normal((p, p)) / np.sqrt(p)
    X = (rng.standard_normal((n, p)) * spectrum) @ mix
    X = (X - X[:N_TRAIN].mean(0)) / X[:N_TRAIN].std(0)
    rank = 50
    S = (X @ (rng.standard_normal((p, rank)) / np.sqrt(p))) @ rng.standard_normal((rank, v))
    S /= S[:N_TRAIN].std(0)
    r2 = rng.uniform(0.0, 0.5, v)
    r2[rng.random(v) < 0.2] = 0.0
    Y = np.sqrt(r2) * S + np.sqrt(1 - r2) * rng.standard_normal((n, v))
    return {"Xtr": X[:N_TRAIN], "Xte": X[N_TRAIN:], "Ytr": Y[:N_TRAIN], "Yte": Y[N_TRAIN:]}


def data_file(p: int, v: int, workdir: Path) -> Path:
    path = workdir / f"ridge_p{p}_v{v}.npz"
    if not path.exists():
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, **make_data(p, v))
        os.replace(tmp, path)
    return path


# ------------------------------------------------------------------------------------------------ FLOPs
def svd_flops(m: int, n: int) -> float:
    m, n = max(m, n), min(m, n)
    return 6.0 * m * n * n + 20.0 * n**3


def neurokit_flops(p: int, v: int, solver: str, na: int = len(ALPHAS)) -> dict:
    """Model FLOPs of neurokit's RidgeCV (fit + predict), counted per operation as the code does them."""
    n, nte, K = N_TRAIN, N_TEST, N_FOLDS
    nva = n // K
    ntr = n - nva
    out = {}
    if solver == "svd":
        k, kf = min(ntr, p), min(n, p)
        out["decompositions"] = K * svd_flops(ntr, p) + svd_flops(n, p)
        out["heldout_design"] = K * 2.0 * nva * p * k
    else:
        k, kf = ntr, n
        out["decompositions"] = K * (2.0 * ntr * ntr * p + 9.0 * ntr**3) + 2.0 * n * n * p + 9.0 * n**3
        out["heldout_design"] = K * (2.0 * nva * ntr * p + 2.0 * nva * ntr * ntr)
    # per fold, the code folds U^T into the stacked alpha matrix when that is cheaper (see ridge_cv_path)
    folded = na * nva * ntr < k * ntr + na * nva * k
    if folded:
        out["heldout_design"] += K * 2.0 * na * nva * k * ntr
        out["project_UtY"] = 2.0 * n * kf * v
        out["alpha_gemm"] = K * 2.0 * na * nva * ntr * v
    else:
        out["project_UtY"] = K * 2.0 * ntr * k * v + 2.0 * n * kf * v
        out["alpha_gemm"] = K * 2.0 * na * nva * k * v
    if solver == "svd":
        out["refit_primal"] = 2.0 * p * kf * v
    else:
        out["refit_primal"] = (2.0 * p * n * n + 2.0 * p * n * v) if v >= p else (2.0 * n * n * v + 2.0 * p * n * v)
    out["score"] = K * 3.0 * na * nva * v
    out["predict"] = 2.0 * nte * p * v
    out["total"] = sum(out.values())
    return out


# ------------------------------------------------------------------------------------------------ methods
def run_method(method: str, d: dict, dtype: str):
    """Fit on (Xtr, Ytr) with 5-fold CV over ALPHAS, predict Xte. Returns (prediction, alphas, info)."""
    from sklearn.model_selection import KFold

    Xtr, Ytr, Xte = d["Xtr"], d["Ytr"], d["Xte"]
    if method.startswith("neurokit"):
        from neurokit.regression import RidgeCV

        m = RidgeCV(alphas=ALPHAS, cv=KFold(N_FOLDS), fit_intercept=True,
                    backend=method.split("_")[1], dtype=dtype).fit(Xtr, Ytr)
        return m.predict(Xte), m.best_alphas_, {"solver": m.solver_}
    if method == "sklearn_gcv":
        from sklearn.linear_model import RidgeCV as SkRidgeCV

        # efficient LOO; fit_intercept=True is the safe configuration (LOO on pre-centred data without an
        # intercept picks the smallest alpha when p >= n, see perf_ridge_reference.md)
        m = SkRidgeCV(alphas=ALPHAS, alpha_per_target=True, fit_intercept=True).fit(Xtr, Ytr)
        return m.predict(Xte), np.asarray(m.alpha_), {"cv": "leave-one-out (GCV)"}
    if method.startswith("himalaya"):
        from himalaya.backend import set_backend

        backend = set_backend(os.environ.get("HIMALAYA_BACKEND", "numpy"), on_error="raise")
        info = {"himalaya_backend": backend.name}
        if method == "himalaya_kernel":
            from himalaya.kernel_ridge import KernelRidgeCV

            m = KernelRidgeCV(alphas=ALPHAS, kernel="linear", cv=KFold(N_FOLDS), fit_intercept=True)
        else:
            from himalaya.ridge import RidgeCV as HiRidgeCV

            params = {"warn": False}
            if Xtr.shape[1] * Ytr.shape[1] > 1000 * 20000:
                params["n_targets_batch_refit"] = 1000  # its refit otherwise holds (n_alphas, p, v)
                info["n_targets_batch_refit"] = 1000
            m = HiRidgeCV(alphas=ALPHAS, cv=KFold(N_FOLDS), fit_intercept=True, solver="svd", solver_params=params)
        m.fit(Xtr, Ytr)
        return backend.to_numpy(m.predict(Xte)), backend.to_numpy(m.best_alphas_), info
    raise ValueError(f"unknown method {method!r}; valid: {METHODS}")


def pearson_cols(a, b):
    a = a - a.mean(0)
    b = b - b.mean(0)
    den = np.sqrt((a * a).sum(0) * (b * b).sum(0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (a * b).sum(0) / np.where(den > 0, den, 1), 0.0)


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def probe_gflops(n: int = 1024, dtype: str = "float64") -> float:
    a = np.random.default_rng(1).standard_normal((n, n)).astype(dtype)
    best = np.inf
    for _ in range(3):
        t0 = time.perf_counter()
        a @ a
        best = min(best, time.perf_counter() - t0)
    return 2.0 * n**3 / best / 1e9


def worker(args) -> None:
    import torch

    torch.set_num_threads(args.threads)
    raw = np.load(args.data)
    d = {k: np.ascontiguousarray(raw[k].astype(args.dtype)) for k in ("Xtr", "Ytr", "Xte")}
    Yte = raw["Yte"]
    tiny = {"Xtr": d["Xtr"][:, :20].copy(), "Ytr": d["Ytr"][:, :8].copy(), "Xte": d["Xte"][:, :20].copy()}
    run_method(args.method, tiny, args.dtype)  # warm-up: imports, thread pools
    base = rss_bytes()
    cal0, load0 = probe_gflops(), os.getloadavg()[0]
    times, deadline = [], time.perf_counter() + args.budget
    while True:
        t0 = time.perf_counter()
        pred, alphas, info = run_method(args.method, d, args.dtype)
        times.append(time.perf_counter() - t0)
        if len(times) >= args.repeat or time.perf_counter() + times[-1] > deadline:
            break
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    cal1, load1 = probe_gflops(), os.getloadavg()[0]
    r = pearson_cols(np.asarray(pred, dtype=np.float64), Yte)
    np.savez(args.result, r=r, alphas=np.asarray(alphas, dtype=np.float64))
    print("RESULT " + json.dumps({
        "method": args.method, "p": args.p, "v": args.v, "dtype": args.dtype, "time_s": min(times),
        "times_s": times, "extra_rss_mb": (peak - base) / 2**20, "peak_rss_mb": peak / 2**20,
        "data_mb": sum(a.nbytes for a in d.values()) / 2**20, "mean_r": float(r.mean()),
        "probe_gflops_before_after": [round(cal0, 1), round(cal1, 1)],
        "loadavg_before_after": [round(load0, 2), round(load1, 2)], **info,
    }))


# ------------------------------------------------------------------------------------------------ driver
def measure_peak(dtype: str, threads: int) -> dict:
    code = (
        "import numpy as np, time, json\n"
        f"a = np.random.default_rng(0).standard_normal((4096, 4096)).astype('{dtype}')\n"
        "a @ a\nts = []\n"
        "for _ in range(3):\n    t0 = time.perf_counter(); a @ a; ts.append(time.perf_counter() - t0)\n"
        "print(json.dumps({'gemm4096_gflops': 2 * 4096**3 / min(ts) / 1e9, 'times_s': ts}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(threads), check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _env(threads: int) -> dict:
    env = dict(os.environ)
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[k] = str(threads)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default=None, help=f"comma-separated PxV (default {FULL_SIZES})")
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--dtype", default="float64", choices=("float32", "float64"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--budget", type=float, default=30.0, help="seconds of repeats per (method, size)")
    ap.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES}, one repeat")
    ap.add_argument("--wait-quiet", type=float, default=0.0, metavar="SECONDS",
                    help="first wait up to SECONDS for the 1-min load average to fall below --quiet-load")
    ap.add_argument("--quiet-load", type=float, default=2.5)
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "ridge.json"))
    ap.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "neurokit_ridge_bench"))
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--method", help=argparse.SUPPRESS)
    ap.add_argument("--p", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--v", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args)
        return 0
    sizes_s = args.sizes or (QUICK_SIZES if args.quick else FULL_SIZES)
    if args.quick:
        args.repeat = 1
    sizes = [tuple(int(x) for x in s.lower().split("x")) for s in sizes_s.split(",")]
    methods = [m for m in args.methods.split(",") if m]
    bad = [m for m in methods if m not in METHODS]
    if bad:
        ap.error(f"unknown methods {bad}; valid: {', '.join(METHODS)}")
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    waited = 0.0
    while args.wait_quiet > 0 and os.getloadavg()[0] >= args.quiet_load and waited < args.wait_quiet:
        time.sleep(15)
        waited += 15
    load_at_start = os.getloadavg()
    started = time.time()
    peak0 = measure_peak(args.dtype, args.threads)
    print(f"matmul peak ({args.dtype}, {args.threads} threads): {peak0['gemm4096_gflops']:.1f} GF/s", flush=True)
    runs = []
    for p, v in sizes:
        path = data_file(p, v, workdir)
        for method in methods:
            res_path = workdir / f"res_{method}_p{p}_v{v}_{args.dtype}.npz"
            cmd = [sys.executable, __file__, "--worker", "--method", method, "--p", str(p), "--v", str(v),
                   "--dtype", args.dtype, "--threads", str(args.threads), "--repeat", str(args.repeat),
                   "--budget", str(args.budget), "--data", str(path), "--result", str(res_path)]
            proc = subprocess.run(cmd, capture_output=True, text=True, env=_env(args.threads))
            line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
            if proc.returncode != 0 or not line:
                print(f"{method} {p}x{v} FAILED:\n{proc.stderr[-2000:]}", flush=True)
                runs.append({"method": method, "p": p, "v": v, "dtype": args.dtype, "error": proc.stderr[-2000:]})
                continue
            rec = json.loads(line[0][7:])
            rec["_res"] = str(res_path)
            if method.startswith("neurokit"):
                fl = neurokit_flops(p, v, rec["solver"])
                rec["gflop"] = fl["total"] / 1e9
                rec["gflops_achieved"] = rec["gflop"] / rec["time_s"]
                rec["flop_breakdown"] = {k: round(val / fl["total"], 4) for k, val in fl.items() if k != "total"}
            runs.append(rec)
            print(f"{method:16s} {p:5d}x{v:<6d} {rec['time_s']:8.2f} s  extra RSS {rec['extra_rss_mb']:7.0f} MB"
                  f"  mean r {rec['mean_r']:.4f}  probe {rec['probe_gflops_before_after']}"
                  f"  load {rec['loadavg_before_after']}", flush=True)
    peak1 = measure_peak(args.dtype, args.threads)
    peak = max(peak0["gemm4096_gflops"], peak1["gemm4096_gflops"])
    summary = []
    for p, v in sorted(sizes, key=lambda s: (s[0] * s[1], s[0])):
        by = {r["method"]: r for r in runs if r["p"] == p and r["v"] == v and "error" not in r}
        ref = by.get("neurokit_numpy")
        row = {"p": p, "v": v}
        if ref is not None:
            ref_res = np.load(ref["_res"])
            ref["frac_of_peak"] = ref["gflops_achieved"] / peak
            row.update(neurokit_time_s=ref["time_s"], neurokit_frac_of_peak=ref["frac_of_peak"])
            for m, rec in by.items():
                res = np.load(rec["_res"])
                dr = np.abs(res["r"] - ref_res["r"])
                rec["agreement_vs_neurokit_numpy"] = {
                    "same_alpha_frac": float(np.mean(np.isclose(res["alphas"], ref_res["alphas"], rtol=1e-6))),
                    "max_abs_dr": float(dr.max()), "median_abs_dr": float(np.median(dr)),
                }
                if m != "neurokit_numpy":
                    row[f"speedup_vs_{m}"] = rec["time_s"] / ref["time_s"]
        if "neurokit_torch" in by and "gflops_achieved" in by["neurokit_torch"]:
            by["neurokit_torch"]["frac_of_peak"] = by["neurokit_torch"]["gflops_achieved"] / peak
        summary.append(row)
    for r in runs:
        r.pop("_res", None)
    big = max(sizes, key=lambda s: s[0] * s[1])
    brow = next(s for s in summary if (s["p"], s["v"]) == big)
    goals = {
        "size": f"{big[0]}x{big[1]}",
        "speedup_vs_himalaya_ridge>=3": _ge(brow.get("speedup_vs_himalaya_ridge"), 3.0),
        "speedup_vs_himalaya_kernel>1": _ge(brow.get("speedup_vs_himalaya_kernel"), 1.0 + 1e-9),
        "speedup_vs_sklearn_gcv>=5": _ge(brow.get("speedup_vs_sklearn_gcv"), 5.0),
        "frac_of_peak>=0.75": _ge(brow.get("neurokit_frac_of_peak"), 0.75),
    }
    import himalaya
    import sklearn
    import torch

    out = {
        "description": "neurokit RidgeCV vs himalaya RidgeCV / KernelRidgeCV vs sklearn RidgeCV(alpha_per_target, "
                       "fit_intercept=True); fit (5-fold CV over 20 alphas + refit) + predict; n_train 900, n_test 100",
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "wall_s": time.time() - started,
        "load": {"loadavg_at_start": load_at_start, "loadavg_at_end": os.getloadavg(), "waited_for_quiet_s": waited},
        "machine": {"platform": platform.platform(), "processor": platform.processor(), "cpu_count": os.cpu_count(),
                    "threads": args.threads, "python": platform.python_version(), "numpy": np.__version__,
                    "torch": torch.__version__, "himalaya": himalaya.__version__, "sklearn": sklearn.__version__,
                    "note": "shared machine: see loadavg and the 1024^3 probe of every run for contention"},
        "settings": {"n_train": N_TRAIN, "n_test": N_TEST, "n_folds": N_FOLDS, "alphas": ALPHAS.tolist(),
                     "dtype": args.dtype, "sizes": sizes_s, "methods": methods, "quick": args.quick},
        "peak": {"gemm4096_gflops_before": peak0["gemm4096_gflops"], "gemm4096_gflops_after": peak1["gemm4096_gflops"],
                 "gemm4096_gflops_used": peak},
        "runs": runs, "summary": summary, "goals": goals,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(args.out).with_suffix(".json.tmp")
    tmp.write_text(json.dumps(out, indent=2) + "\n")
    os.replace(tmp, args.out)
    print(json.dumps({"summary": summary, "goals": goals}, indent=1))
    return 0


def _ge(x, thr):
    return None if x is None else bool(x >= thr)


if __name__ == "__main__":
    sys.exit(main())
