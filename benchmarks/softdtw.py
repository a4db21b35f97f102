"""Soft-DTW divergence benchmark: neurokit (fused numba DP + analytic backward, float64 DP) vs tslearn.

Loss: sdtw(x, y) - ½(sdtw(x, x) + sdtw(y, y)), gamma 0.1, squared-Euclidean cost, ``.mean()`` over the batch,
``.backward()`` w.r.t. x (y is the target and needs no gradient), B = 40 windows of T frames of 90 cells.

Implementations, measured interleaved in one run on the same inputs (each repetition calls every
implementation once, in rotating order; the median of ``--reps`` repetitions after one warm-up call, which
includes numba's JIT and is reported separately):

    neurokit           ``neurokit.vist.softdtw.soft_dtw_divergence(x, y, 0.1, dist="matmul")``
    tslearn_mmdist     ``tslearn.metrics.SoftDTWLossPyTorch(gamma=0.1, normalize=True, dist_func=<matmul form>)``
    neurokit_baseline  (with ``--baseline REV``) neurokit/vist/softdtw.py as of git revision REV (stored under
                       "baseline" in the JSON, apart from the figures the benchmarks chapter tabulates)
    plain_loop         a pure-torch double loop over the DP table with autograd (tiny case only)

The ratio printed per (T, dtype) is time(neurokit) / time(tslearn): below 1 means neurokit is faster. Both
wall-clock and process CPU time are recorded (CPU time is less disturbed by other work on a shared machine,
but it also counts page faults). Threads: ``--threads`` sets torch's and numba's thread counts (tslearn's
kernels are numba ``prange`` loops) for every implementation; default 1.

Accuracy: relative gradient error max|g - g_fd| / max|g_fd| against 4th-order central finite differences in
float64 on a small problem (neurokit, tslearn, plain loop); the largest relative difference of the divergence
values from the plain double-loop recurrence (``soft_dtw_reference``) and from tslearn.

Usage: ``python benchmarks/softdtw.py [--reps 9] [--quick] [--baseline REV]`` → ``benchmarks/results/softdtw.json``.
"""
from __future__ import annotations

import argparse
import datetime
import importlib.util
import os
import platform
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from _common import cpu_model, git_commit

REPO = Path(__file__).resolve().parents[1]
B, C, GAMMA = 40, 90, 0.1


def mm_dist(x, y):
    return (x * x).sum(-1, keepdim=True) + (y * y).sum(-1).unsqueeze(1) - 2 * torch.bmm(x, y.transpose(1, 2))


def plain_loop_divergence(x, y, gamma=GAMMA):
    def sdtw(a, b):
        D = ((a.unsqueeze(2) - b.unsqueeze(1)) ** 2).sum(-1)
        out = []
        for bi in range(D.shape[0]):
            N, M = D.shape[1:]
            R = [[None] * (M + 1) for _ in range(N + 1)]
            inf = torch.tensor(float("inf"), dtype=D.dtype)
            for i in range(N + 1):
                for j in range(M + 1):
                    R[i][j] = inf
            R[0][0] = torch.zeros((), dtype=D.dtype)
            for i in range(1, N + 1):
                for j in range(1, M + 1):
                    r = torch.stack([R[i - 1][j - 1], R[i - 1][j], R[i][j - 1]])
                    R[i][j] = D[bi, i - 1, j - 1] - gamma * torch.logsumexp(-r / gamma, 0)
            out.append(R[N][M])
        return torch.stack(out)

    return sdtw(x, y) - 0.5 * (sdtw(x, x) + sdtw(y, y))


def make_data(B, T, C, dtype, seed=0):
    """Smoothed uniform target y and a shifted noisy prediction x, both (B, T, C)."""
    g = torch.Generator().manual_seed(seed)
    base = torch.rand(B, T + 8, C, generator=g, dtype=torch.float64)
    k = torch.ones(1, 1, 5, dtype=torch.float64) / 5
    y = torch.nn.functional.conv1d(base.permute(0, 2, 1).reshape(-1, 1, T + 8), k).reshape(B, C, -1)[..., :T]
    y = y.permute(0, 2, 1).contiguous()
    x = torch.roll(y, 2, dims=1) + 0.05 * torch.randn(y.shape, generator=g, dtype=torch.float64)
    return x.to(dtype), y.to(dtype)


def _call(fn, xg, y):
    xg.grad = None
    fn(xg, y).mean().backward()


def time_interleaved(impls: dict, x, y, reps: int) -> dict:
    """Median wall and CPU seconds of forward+backward per implementation, calls interleaved."""
    xg = {k: x.clone().requires_grad_() for k in impls}
    first = {}
    for name, fn in impls.items():
        t = time.perf_counter()
        _call(fn, xg[name], y)
        first[name] = time.perf_counter() - t
    wall = {k: [] for k in impls}
    cpu = {k: [] for k in impls}
    names = list(impls)
    for r in range(reps):
        for name in names[r % len(names):] + names[: r % len(names)]:
            t, c = time.perf_counter(), time.process_time()
            _call(impls[name], xg[name], y)
            cpu[name].append(time.process_time() - c)
            wall[name].append(time.perf_counter() - t)
    return {k: {"median_s": float(np.median(wall[k])), "cpu_median_s": float(np.median(cpu[k])),
                "first_call_s": first[k], "all_s": wall[k], "cpu_all_s": cpu[k]} for k in impls}


def grad_error(fn, B=2, T=8, C=4, h=1e-4):
    """max|g - g_fd| / max|g_fd| with 4th-order central differences, float64."""
    x, y = make_data(B, T, C, torch.float64, seed=5)
    xg = x.clone().requires_grad_()
    fn(xg, y).sum().backward()
    g = xg.grad.numpy().ravel()
    fd = np.zeros_like(g)
    flat = x.clone().reshape(-1)
    for k in range(g.size):
        def f(d):
            z = flat.clone()
            z[k] += d
            return fn(z.reshape(x.shape), y).sum().item()
        fd[k] = (-f(2 * h) + 8 * f(h) - 8 * f(-h) + f(-2 * h)) / (12 * h)
    return float(np.abs(g - fd).max() / np.abs(fd).max())


def load_baseline(rev: str):
    """neurokit/vist/softdtw.py as of git revision ``rev``, imported as a separate module."""
    src = subprocess.run(["git", "show", f"{rev}:neurokit/vist/softdtw.py"], cwd=REPO, check=True,
                         capture_output=True, text=True).stdout
    d = Path(tempfile.mkdtemp(prefix="softdtw_baseline_"))
    path = d / "softdtw_baseline.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location("softdtw_baseline", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(argv=None):
    import numba
    import tslearn
    from tslearn.metrics import SoftDTWLossPyTorch

    from neurokit._io import atomic_write_json
    from neurokit.vist.softdtw import pairwise_sq_dist, soft_dtw_divergence, soft_dtw_reference

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=9, help="timed repetitions per case (>= 7 recommended)")
    ap.add_argument("--quick", action="store_true", help="only T = 90")
    ap.add_argument("--threads", type=int, default=1, help="torch and numba threads for every implementation")
    ap.add_argument("--baseline", default=None, help="also time neurokit/vist/softdtw.py at this git revision")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "softdtw.json"))
    a = ap.parse_args(argv)
    threads = max(1, min(a.threads, numba.config.NUMBA_NUM_THREADS))
    torch.set_num_threads(threads)
    numba.set_num_threads(threads)
    load_start, started = os.getloadavg(), time.time()

    ts = SoftDTWLossPyTorch(gamma=GAMMA, normalize=True, dist_func=mm_dist)
    impls = {"neurokit": lambda x, y: soft_dtw_divergence(x, y, GAMMA, dist="matmul"), "tslearn_mmdist": ts}
    if a.baseline:
        base = load_baseline(a.baseline)
        impls["neurokit_baseline"] = lambda x, y: base.soft_dtw_divergence(x, y, GAMMA, dist="matmul")
    res = {
        "description": "soft-DTW divergence (gamma 0.1, squared Euclidean), forward + .mean().backward() w.r.t. x; "
                       "B = 40 windows, 90 cells as channels; implementations interleaved in one run",
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "git": git_commit(a.out), "baseline_rev": a.baseline,
        "setup": {"B": B, "C": C, "gamma": GAMMA, "reps": a.reps, "threads": threads,
                  "torch_threads": torch.get_num_threads(), "numba_threads": numba.get_num_threads(),
                  "torch": torch.__version__, "numba": numba.__version__, "tslearn": tslearn.__version__,
                  "numpy": np.__version__, "python": platform.python_version(), "machine": platform.machine(),
                  "cpu": cpu_model(), "cpu_count": os.cpu_count()},
        "timing": [], "ratio_neurokit_over_tslearn": [], "grad_error_vs_fd": {},
    }
    if a.baseline:  # kept apart from "timing" and "grad_error_vs_fd", which the benchmarks chapter tabulates
        res["baseline"] = {"timing": [], "grad_error_vs_fd": None}

    def record(r):
        (res["baseline"]["timing"] if r["impl"] == "neurokit_baseline" else res["timing"]).append(r)
    for T in ([90] if a.quick else [90, 180]):
        for dtype in (torch.float32, torch.float64):
            x, y = make_data(B, T, C, dtype)
            load0 = os.getloadavg()[0]
            out = time_interleaved(impls, x, y, a.reps)
            dt = str(dtype).replace("torch.", "")
            for name, r in out.items():
                r.update({"impl": name, "T": T, "dtype": dt})
                record(r)
            nk, tl = out["neurokit"], out["tslearn_mmdist"]
            row = {"T": T, "dtype": dt, "wall": nk["median_s"] / tl["median_s"],
                   "cpu": nk["cpu_median_s"] / tl["cpu_median_s"], "loadavg_1m": [load0, os.getloadavg()[0]]}
            if "neurokit_baseline" in out:
                row["baseline_over_tslearn_wall"] = out["neurokit_baseline"]["median_s"] / tl["median_s"]
            res["ratio_neurokit_over_tslearn"].append(row)
            firsts = ", ".join(f"{v['first_call_s']:.2f}" for v in out.values())
            extra = "".join(f"  {k} {v['median_s'] * 1e3:.1f} ms" for k, v in out.items()
                            if k not in ("neurokit", "tslearn_mmdist"))
            print(f"T={T} {dt}: neurokit {nk['median_s'] * 1e3:.1f} ms, tslearn {tl['median_s'] * 1e3:.1f} ms, "
                  f"neurokit/tslearn = {row['wall']:.2f} (cpu {row['cpu']:.2f}){extra}  "
                  f"[load {load0:.2f}; first calls {firsts} s]",
                  flush=True)
    # tiny case including the plain loop
    x, y = make_data(4, 12, 8, torch.float64)
    tiny = time_interleaved({**impls, "plain_loop": plain_loop_divergence}, x, y, 3)
    for name, r in tiny.items():
        r.update({"impl": name, "T": 12, "B": 4, "C": 8, "dtype": "float64"})
        record(r)
        print(f"T=12 B=4 C=8 float64 {name}: {r['median_s'] * 1e3:.2f} ms")
    for name, fn in {**impls, "plain_loop": plain_loop_divergence}.items():
        err = grad_error(fn)
        if name == "neurokit_baseline":
            res["baseline"]["grad_error_vs_fd"] = err
        else:
            res["grad_error_vs_fd"][name] = err
        print(f"rel. grad error vs finite differences ({name}): {err:.2e}")
    # values: neurokit against the plain recurrence (float64, exact cost) and against tslearn
    x, y = make_data(6, 30, 12, torch.float64, seed=3)

    def ref_one(a, b):
        return soft_dtw_reference(pairwise_sq_dist(a[None], b[None], "exact")[0].numpy(), GAMMA)

    ref = np.array([ref_one(a, b) - 0.5 * (ref_one(a, a) + ref_one(b, b)) for a, b in zip(x, y)])
    v_nk = soft_dtw_divergence(x, y, GAMMA, dist="exact").numpy()
    res["value_rel_diff_neurokit_vs_reference_f64"] = float(np.abs(v_nk - ref).max() / np.abs(ref).max())
    x, y = make_data(B, 90, C, torch.float64)
    v_nk, v_ts = soft_dtw_divergence(x, y), ts(x, y)
    res["value_rel_diff_tslearn_vs_neurokit_f64"] = float(((v_nk - v_ts).abs() / v_nk.abs()).max())
    print(f"value rel. diff vs plain recurrence {res['value_rel_diff_neurokit_vs_reference_f64']:.1e}, "
          f"vs tslearn {res['value_rel_diff_tslearn_vs_neurokit_f64']:.1e}")
    res["load"] = {"loadavg_at_start": load_start, "loadavg_at_end": os.getloadavg(),
                   "note": "shared machine: compare the ratios (measured interleaved), not absolute times"}
    res["wall_s"] = time.time() - started
    atomic_write_json(a.out, res)
    print("ratio time(neurokit)/time(tslearn) per (T, dtype):",
          ", ".join(f"T={r['T']} {r['dtype']}: {r['wall']:.2f}" for r in res["ratio_neurokit_over_tslearn"]))
    print("wrote", a.out)


if __name__ == "__main__":
    main()
