#!/usr/bin/env python
"""Vi-ST training step at the embedded configuration: the reference implementation vs the current model, one run.

Configuration of the ``vist_results`` chapter's embedded profile: ``ViST(video_layers=3, video_dim=16,
feat_dim=18, n_cells=24)`` (grid 16, 86k parameters), batches of 4 windows x 64 frames x 256 tokens x 18
features, the chapter's loss (``ViSTLoss``: RMSE + negative-rate penalty + soft-DTW) and optimiser (AdamW,
weight decay 0.1), one torch thread. Two implementations with the same weights and inputs:

- ``reference``: ``tests/_vist_reference.py``, a frozen copy of ``neurokit/vist/model.py`` before the CPU
  channels-last formulation (commit 97dc610);
- ``current``: ``neurokit.vist.model.ViST``.

Timed per step and interleaved step by step (so load changes on the shared machine hit both alike):
``forward`` (model + loss), ``backward`` (``loss.backward()``) and the whole optimiser ``step`` (zero_grad,
forward, backward, ``opt.step()``); medians over ``--steps`` steps after ``--warmup`` steps. Both clocks are
kept: this thread's CPU time (``--clock cpu``, the default for the ratios: robust to other jobs) and wall time.

FLOPs: ``torch.utils.flop_counter.FlopCounterMode`` over one forward + backward of the reference. Its stock
formula for ``convolution_backward`` counts the weight gradient of a grouped (here depthwise) conv ``groups``
times over, so the step's model FLOPs use the exact count (input and weight gradients each cost the forward
conv's FLOPs); the stock figure is saved too. The one-thread float32 matmul peak (``torch.mm`` of 2048² float32
matrices, best of 7) is measured in the same run, and each implementation's FLOP rate is reported as a
fraction of it (model FLOPs / step time / peak).

``--train-seeds 0 1`` also trains both implementations as the chapter trains its main Vi-ST run (240 steps of
4 x 64 frames, ``vist_retina`` embedded profile, standardised features; the steps of
``neurokit.studies.vist.experiment.run_model``) and reports the held-out cross-movie and within-movie CC (about
4 + 1.5 minutes per seed on one core). The two draw their dropout masks differently (the current model uses
``torch.rand``, in its own layout), so the same seed gives two different random trajectories; with
``--reference-masks`` a third run per seed trains the current model with the reference's masks, which isolates
the implementation from the mask stream. The data set comes from ``$NEUROKIT_DATA`` (simulated on demand).

Usage::

    python benchmarks/vist_step.py                      # ~1 min: step timings, FLOPs, peak
    python benchmarks/vist_step.py --train-seeds 0 1    # + the CC check (~12 min)
    python benchmarks/vist_step.py --train-seeds 0 1 2 3 --reference-masks

Results: ``benchmarks/results/vist_step.json`` (``--out``).
"""
from __future__ import annotations

import argparse
import datetime
import importlib.util
import os
import platform
import statistics
import time
from pathlib import Path

from _common import cpu_model, git_commit

REPO = Path(__file__).resolve().parents[1]
EMBEDDED = dict(video_layers=3, video_dim=16, feat_dim=18, n_cells=24)


def reference_module():
    """The frozen reference implementation (tests/_vist_reference.py) as a module."""
    spec = importlib.util.spec_from_file_location("_vist_reference", REPO / "tests" / "_vist_reference.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def conv_backward_flops(grad_out_shape, x_shape, w_shape, _bias, _stride, _padding, _dilation, transposed,
                        _output_padding, _groups, output_mask, out_shape=None, **kwargs) -> int:
    """Exact FLOPs of ``aten.convolution_backward``: each requested gradient (input, weight) costs the forward conv."""
    from torch.utils.flop_counter import conv_flop_count

    return conv_flop_count(x_shape, w_shape, grad_out_shape, transposed) * (int(output_mask[0]) + int(output_mask[1]))


def count_step_flops(model, loss_fn, x, y, rf) -> dict:
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    out = {}
    exact = {torch.ops.aten.convolution_backward: conv_backward_flops}
    for key, mapping in (("model", exact), ("flop_counter_stock", {})):
        fc = FlopCounterMode(display=False, custom_mapping=mapping)
        with fc:
            loss_fn(model(x, rf), y).backward()
        model.zero_grad(set_to_none=True)
        out[key] = int(fc.get_total_flops())
    return out


def matmul_peak(n: int = 2048, reps: int = 7) -> float:
    """One-thread float32 ``torch.mm`` rate in FLOP/s (best of ``reps``, CPU time)."""
    import torch

    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    best = float("inf")
    for _ in range(reps):
        t0 = time.thread_time()
        torch.mm(a, b)
        best = min(best, time.thread_time() - t0)
    return 2 * n**3 / best


def time_steps(models: dict, loss_fn, x, y, rf, steps: int, warmup: int) -> dict:
    """Interleaved timing of forward / backward / whole optimiser step; medians (CPU and wall)."""
    import torch

    opts = {k: torch.optim.AdamW(m.parameters(), lr=2e-3, weight_decay=0.1) for k, m in models.items()}
    samples = {k: [] for k in models}
    for i in range(warmup + steps):
        for k, m in models.items():
            c0, w0 = time.thread_time(), time.perf_counter()
            opts[k].zero_grad(set_to_none=True)
            loss = loss_fn(m(x, rf), y)
            c1, w1 = time.thread_time(), time.perf_counter()
            loss.backward()
            c2, w2 = time.thread_time(), time.perf_counter()
            opts[k].step()
            c3, w3 = time.thread_time(), time.perf_counter()
            if i >= warmup:
                samples[k].append({"forward": (c1 - c0, w1 - w0), "backward": (c2 - c1, w2 - w1),
                                   "step": (c3 - c0, w3 - w0)})
    out = {}
    for k, rows in samples.items():
        out[k] = {f"{part}_{clock}_s": statistics.median(r[part][j] for r in rows)
                  for part in ("forward", "backward", "step") for j, clock in enumerate(("cpu", "wall"))}
        out[k]["step_cpu_s_all"] = [r["step"][0] for r in rows]
    return out


def reference_dropout_mask(z, drop):
    """The element-wise dropout mask the reference draws (``F.dropout``: ``bernoulli_`` over the (B, C, T, H, W)
    tensor), permuted to the current model's time-major (T, B, H, W, C) layout."""
    import torch

    if not drop.training or drop.p == 0:
        return None
    t, b, h, w, c = z.shape
    return torch.empty(b, c, t, h, w, dtype=z.dtype).bernoulli_(1 - drop.p).div_(1 - drop.p).permute(2, 0, 3, 4, 1)


def train_check(ref_mod, seeds, reference_masks: bool = False) -> list:
    """Train both implementations like the chapter's main Vi-ST run; held-out CC (mean |r|) within and across movies.

    ``reference_masks`` adds a third run per seed: the current model drawing its element-wise dropout masks as the
    reference does (the two then consume the random generator identically, so they differ by rounding only).
    """
    import torch

    import neurokit.vist.model as model_module

    from neurokit.catalog import retina as retina_data
    from neurokit.data.retina import load_retina
    from neurokit.studies.vist.experiment import score, standardize_features
    from neurokit.vist.loss import ViSTLoss
    from neurokit.vist.model import ViST
    from neurokit.vist.train import Sequence_, TrainConfig, predict, train

    root = retina_data.ensure("embedded", seed=0)
    m1, m2 = standardize_features(load_retina(root, "movie1"), load_retina(root, "movie2"))
    tr, te = m1.split_train, m1.split_test
    rows = []
    for seed in seeds:
        # notebooks/vist_results.py, recipe(epochs=30) with its embedded parameters: 30 x 8 steps of 4 x 64 frames
        lr, n = 2e-3, 30
        cfg = TrainConfig(epochs=n, batches_per_epoch=8, batch_size=4, window=64, lr=lr, lr_start=lr / 16,
                          lr_min=lr / 8, swa_lr=lr / 8, warmup=max(1, n // 6), swa_start=n - max(1, n // 4),
                          swa_anneal=max(1, n // 6), seed=int(seed), device="cpu", eval_every=0)
        runs = [("reference", ref_mod.ViST), ("current", ViST)]
        runs += [("current, reference masks", ViST)] if reference_masks else []
        for impl, cls in runs:
            torch.manual_seed(cfg.seed)  # as run_model: the same initial weights for both
            model = cls(video_layers=3, video_dim=16, feat_dim=m1.features.shape[-1], n_cells=m1.n_cells)
            own_mask = model_module._dropout_mask
            if impl == "current, reference masks":
                model_module._dropout_mask = reference_dropout_mask
            c0, w0 = time.process_time(), time.perf_counter()
            try:
                res = train(model, [Sequence_(m1.features[tr], m1.spike_avg[tr], m1.rf)], [], cfg, loss_fn=ViSTLoss())
            finally:
                model_module._dropout_mask = own_mask
            cpu, wall = time.process_time() - c0, time.perf_counter() - w0
            s_w = score(predict(res.model, m1.features[te], m1.rf, device="cpu"), m1.spike_avg[te].T)
            s_c = score(predict(res.model, m2.features, m1.rf, device="cpu"), m2.spike_avg.T)
            rows.append({"seed": int(seed), "impl": impl, "cc_cross": float(s_c["cc"]), "cc_within": float(s_w["cc"]),
                         "final_train_loss": float(res.history[-1]["train_loss"]), "train_cpu_s": cpu,
                         "train_wall_s": wall, "steps": cfg.epochs * cfg.batches_per_epoch})
            print(f"seed {seed} {impl}: CC cross {s_c['cc']:.4f}  within {s_w['cc']:.4f}  "
                  f"({cpu:.0f} s CPU, {wall:.0f} s wall)", flush=True)
    return rows


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=15, help="timed steps per implementation (median)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                    help="clock of the ratios: 'cpu' (this thread's CPU time, robust to other jobs on a shared "
                         "machine) or 'wall'. Both are saved.")
    ap.add_argument("--train-seeds", type=int, nargs="*", default=[],
                    help="also train both implementations with these seeds and compare held-out CC")
    ap.add_argument("--reference-masks", action="store_true",
                    help="with --train-seeds: also train the current model with the reference's dropout masks")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "vist_step.json"))
    a = ap.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    from neurokit._io import atomic_write_json
    from neurokit.vist.loss import ViSTLoss
    from neurokit.vist.model import ViST, count_parameters

    ref_mod = reference_module()
    load_before = os.getloadavg()
    torch.manual_seed(0)
    current = ViST(**EMBEDDED)
    reference = ref_mod.ViST(**EMBEDDED)
    reference.load_state_dict(current.state_dict())
    g = torch.Generator().manual_seed(0)
    x = torch.randn(4, 64, 256, 18, generator=g)
    y = torch.rand(4, 64, 24, generator=g) * 2
    rf = torch.rand(4, 24, 16, 16, generator=g)
    loss_fn = ViSTLoss()
    flops = count_step_flops(reference, loss_fn, x, y, rf)
    peak_before = matmul_peak()
    timing = time_steps({"reference": reference, "current": current}, loss_fn, x, y, rf, a.steps, a.warmup)
    peak = max(peak_before, matmul_peak())
    for k, t in timing.items():
        t["gflop_per_s"] = flops["model"] / t[f"step_{a.clock}_s"] / 1e9
        t["fraction_of_matmul_peak"] = flops["model"] / t[f"step_{a.clock}_s"] / peak
    ratios = {part: timing["reference"][f"{part}_{a.clock}_s"] / timing["current"][f"{part}_{a.clock}_s"]
              for part in ("forward", "backward", "step")}
    for k in ("reference", "current"):
        t = timing[k]
        ms = {part: t[f"{part}_{a.clock}_s"] * 1e3 for part in ("forward", "backward", "step")}
        print(f"{k:9s}: forward {ms['forward']:6.1f} ms  backward {ms['backward']:6.1f} ms  step {ms['step']:6.1f} ms "
              f"({a.clock}; wall {t['step_wall_s'] * 1e3:.1f} ms)  {t['gflop_per_s']:.1f} GFLOP/s = "
              f"{t['fraction_of_matmul_peak']:.1%} of the matmul peak")
    print(f"model FLOPs per step {flops['model'] / 1e9:.2f} G (FlopCounterMode's stock count: "
          f"{flops['flop_counter_stock'] / 1e9:.2f} G); one-thread float32 matmul peak {peak / 1e9:.0f} GFLOP/s")
    print(f"speed-up (reference / current, {a.clock} time): step {ratios['step']:.2f}x, forward "
          f"{ratios['forward']:.2f}x, backward {ratios['backward']:.2f}x")
    training = train_check(ref_mod, a.train_seeds, a.reference_masks) if a.train_seeds else []
    out = {
        "benchmark": "vist_step", "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "git": git_commit(a.out),
        "machine": {"platform": platform.platform(), "cpu": cpu_model(), "cpus": os.cpu_count(),
                    "python": platform.python_version(), "torch": torch.__version__,
                    "torch_threads": torch.get_num_threads(), "mkldnn": torch.backends.mkldnn.is_available(),
                    "loadavg_before": load_before, "loadavg_after": os.getloadavg()},
        "settings": {"model": EMBEDDED, "grid": 16, "n_parameters": count_parameters(current),
                     "batch": [4, 64, 256, 18], "loss": "ViSTLoss()", "optimizer": "AdamW(lr=2e-3, weight_decay=0.1)",
                     "steps": a.steps, "warmup": a.warmup, "clock": a.clock,
                     "reference": "tests/_vist_reference.py (neurokit/vist/model.py at 97dc610)"},
        "flops_per_step": flops, "matmul_peak_flop_per_s": peak, "timing": timing,
        "speedup": ratios, "training": training,
    }
    atomic_write_json(a.out, out)
    print(f"saved {a.out}")
    return out


if __name__ == "__main__":
    main()
