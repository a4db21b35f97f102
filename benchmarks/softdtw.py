"""Soft-DTW divergence benchmark: neurokit (numba DP + analytic backward, float64 DP) vs tslearn vs a plain loop.

Loss: sdtw(x, y) - ½(sdtw(x, x) + sdtw(y, y)), gamma 0.1, squared-Euclidean cost, ``.mean()`` over the batch,
``.backward()`` w.r.t. x. Timing = median of ``--reps`` forward+backward calls after one warm-up call (the
warm-up includes numba JIT; reported separately). One run measures every implementation on the same inputs.

Implementations
    neurokit        ``neurokit.vist.softdtw.soft_dtw_divergence`` (matmul cost in torch, numba DP in float64)
    tslearn_mmdist  ``tslearn.metrics.SoftDTWLossPyTorch(gamma=0.1, normalize=True, dist_func=<matmul form>)``
    plain_loop      a pure-torch double loop over the DP table with autograd (only for the small case)

Accuracy: relative gradient error max|g - g_fd| / max|g_fd| against 4th-order central finite differences in
float64 on a small problem, for neurokit and tslearn.

Usage: ``python benchmarks/softdtw.py [--reps 5] [--quick]`` → ``benchmarks/results/softdtw.json``.
"""
from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch


def mm_dist(x, y):
    return (x * x).sum(-1, keepdim=True) + (y * y).sum(-1).unsqueeze(1) - 2 * torch.bmm(x, y.transpose(1, 2))


def plain_loop_divergence(x, y, gamma=0.1):
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
    g = torch.Generator().manual_seed(seed)
    base = torch.rand(B, T + 8, C, generator=g, dtype=torch.float64)
    k = torch.ones(1, 1, 5, dtype=torch.float64) / 5
    y = torch.nn.functional.conv1d(base.permute(0, 2, 1).reshape(-1, 1, T + 8), k).reshape(B, C, -1)[..., :T]
    y = y.permute(0, 2, 1).contiguous()
    x = torch.roll(y, 2, dims=1) + 0.05 * torch.randn(y.shape, generator=g, dtype=torch.float64)
    return x.to(dtype), y.to(dtype)


def time_impl(fn, x, y, reps):
    xg = x.clone().requires_grad_()
    t = time.perf_counter()
    fn(xg, y).mean().backward()
    first = time.perf_counter() - t
    ts = []
    for _ in range(reps):
        xg.grad = None
        t = time.perf_counter()
        fn(xg, y).mean().backward()
        ts.append(time.perf_counter() - t)
    return {"median_s": float(np.median(ts)), "first_call_s": first, "all_s": ts}


def grad_error(fn, B=2, T=8, C=4, h=1e-4):
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


def main(argv=None):
    from tslearn.metrics import SoftDTWLossPyTorch

    from neurokit.vist.softdtw import soft_dtw_divergence

    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="only T=90 and the small loop case")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "softdtw.json"))
    a = ap.parse_args(argv)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    ts = SoftDTWLossPyTorch(gamma=0.1, normalize=True, dist_func=mm_dist)
    impls = {"neurokit": lambda x, y: soft_dtw_divergence(x, y, 0.1, dist="matmul"), "tslearn_mmdist": ts}
    res = {"setup": {"B": 40, "C": 90, "gamma": 0.1, "reps": a.reps, "torch": torch.__version__,
                     "threads": torch.get_num_threads(), "machine": platform.machine(), "python": platform.python_version()},
           "timing": [], "grad_error_vs_fd": {}}
    for T in ([90] if a.quick else [90, 180]):
        for dtype in (torch.float32, torch.float64):
            x, y = make_data(40, T, 90, dtype)
            for name, fn in impls.items():
                r = time_impl(fn, x, y, a.reps)
                r.update({"impl": name, "T": T, "dtype": str(dtype).replace("torch.", "")})
                res["timing"].append(r)
                print(f"T={T} {r['dtype']} {name}: {r['median_s'] * 1e3:.1f} ms (first {r['first_call_s']:.2f} s)")
    # tiny case including the plain loop
    x, y = make_data(4, 12, 8, torch.float64)
    for name, fn in {**impls, "plain_loop": plain_loop_divergence}.items():
        r = time_impl(fn, x, y, max(1, a.reps // 2))
        r.update({"impl": name, "T": 12, "B": 4, "C": 8, "dtype": "float64"})
        res["timing"].append(r)
        print(f"T=12 B=4 C=8 float64 {name}: {r['median_s'] * 1e3:.2f} ms")
    for name, fn in {**impls, "plain_loop": plain_loop_divergence}.items():
        res["grad_error_vs_fd"][name] = grad_error(fn)
        print(f"rel. grad error vs finite differences ({name}): {res['grad_error_vs_fd'][name]:.2e}")
    x, y = make_data(40, 90, 90, torch.float64)
    v_nk = soft_dtw_divergence(x, y)
    v_ts = ts(x, y)
    res["value_rel_diff_tslearn_vs_neurokit_f64"] = float(((v_nk - v_ts).abs() / v_nk.abs()).max())
    from neurokit._io import atomic_write_json

    atomic_write_json(a.out, res)
    print("wrote", a.out)


if __name__ == "__main__":
    main()
