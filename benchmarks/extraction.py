#!/usr/bin/env python
"""Extraction benchmark: bf16 vs float32 extraction, each against a bare forward pass in its own precision, and
how far bf16 features are from float32 ones (block correlations, block statistics, encoding scores).

Speed. For each model, on the same clips (sampling, resizing and normalisation done once, outside the timers),
these are timed in one process, interleaved round by round so that load changes on the shared machine hit all
of them alike:

- ``f32_extract``: the float32 path as it was before bf16 (``precision="f32"``): one clip per forward pass,
  every block hooked and pooled (:meth:`Extractor.extract_prepared`);
- ``f32_bare``: the bare float32 forward pass on the same input (no hooks, no pooling): its ceiling;
- ``bf16_extract``: ``precision="bf16"`` (autocast, channels-last convolutional models, bf16 weights) with
  :func:`extract_dataset`'s default batch (several clips per forward pass at the embedded sizes);
- ``bf16_bare``: the bare bf16 forward pass on the same batches;
- ``bf16_bare_1``: the bare bf16 forward pass on one clip at a time (what bf16 and the layout alone give,
  without batching);
- ``f32_dataset`` / ``bf16_dataset`` (``--dataset``): :func:`extract_dataset` on in-memory clips, cache on
  (a fresh cache folder every round), so preparation, hashing and the atomic writes are inside the timer.

Reported per model (medians over rounds, seconds per clip): ``speedup = f32_extract / bf16_extract`` (goal
≥ 3) and ``bare / extract`` in each precision (goal ≥ 0.90: hooks, pooling, copies and caching add ≤ 10 %).
Timed with this process's CPU time by default (``--clock cpu``): on a shared machine other jobs inflate wall time
unevenly, CPU time much less (with ``--threads 2`` use ``--clock wall`` on a quiet machine: CPU time then counts
both threads). Wall and CPU times are both saved, with the load average before and after.

Agreement (``--agreement``, on by default). The first ``--agreement-clips`` training clips of the simulated
Algonauts 2021 set (embedded profile) go through both precisions. Per block: Pearson r between the bf16 and
float32 features after centring each feature across clips (the variation encoding models use), its 5th
percentile over features, and the relative change of the book's block statistics (clip discriminability,
participation ratio, mean |activation|). Encoding: :func:`neurokit.encoding.layer_scores` with the embedded
protocol (4 disjoint test folds of 10 %, inner 5-fold ridge, 50 in-fold PCA components) on one subject's nine
ROIs, from each precision's features: the largest |Δr| over blocks and ROIs, and the change of the best-block
score that the chapters report.

Usage::

    python benchmarks/extraction.py --quick                 # ~3 min: 3 models, small rounds, 60 clips
    python benchmarks/extraction.py                         # encoding_families' embedded roster + 2 video ViTs
    python benchmarks/extraction.py --threads 2 --clock wall   # on a quiet machine

Results: ``benchmarks/results/extraction.json`` (``--out``).
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import cpu_model, git_commit

REPO = Path(__file__).resolve().parents[1]
VIDEO_TRANSFORMERS = ["mvit_b_16x4.k400", "videomae_b_16x4.k400"]
QUICK_MODELS = ["resnet50.tv_in1k", "vit_b16.augreg_in1k", "x3d_xs.k400", "mvit_b_16x4.k400"]


def embedded_roster() -> list[str]:
    """The models of ``notebooks/params/embedded/encoding_families.yaml`` plus two video transformers."""
    import yaml

    params = yaml.safe_load((REPO / "notebooks" / "params" / "embedded" / "encoding_families.yaml").read_text())
    return list(dict.fromkeys(params["models"] + VIDEO_TRANSFORMERS))


def _time(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def _clips(n: int, seed: int = 0) -> list[np.ndarray]:
    """Procedural clips of the simulated world (45 frames of 64 x 64 px, the embedded Algonauts format)."""
    from neurokit.sim.video import VideoWorldConfig, make_clip

    world = VideoWorldConfig()
    return [make_clip(i, world, seed=seed).frames for i in range(n)]


def _batches(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def bench_speed(name: str, clips: list, rounds: int, clock: str, size: int | None, dataset: bool,
                per_layer: bool) -> dict:
    """Interleaved timings of one model; see the module docstring."""
    from neurokit.features import create_extractor, extract_dataset, hooks

    ex32 = create_extractor(name, layers="blocks", device="cpu", precision="f32", input_size=size)
    ex16 = create_extractor(name, layers="blocks", device="cpu", precision="bf16", input_size=size)
    batch = ex16.default_batch_size()
    args32 = [ex32.prepare(c) for c in clips]
    args16 = [ex16.prepare_batch(b) for b in _batches(clips, batch)]
    args16_1 = [ex16.prepare(c) for c in clips]
    n = len(clips)

    runs = {
        "f32_extract": lambda: [ex32.extract_prepared(a) for a in args32],
        "f32_bare": lambda: [ex32.forward(a) for a in args32],
        "bf16_extract": lambda: [ex16.extract_prepared(a, s) for a, s in args16],
        "bf16_bare": lambda: [ex16.forward(a) for a, _ in args16],
        "bf16_bare_1": lambda: [ex16.forward(a) for a in args16_1],
    }
    if dataset:
        tmp = Path(tempfile.mkdtemp(prefix="nk-bench-cache-"))
        counter = iter(range(10 ** 6))

        def in_fresh_cache(ex):
            os.environ["NEUROKIT_CACHE"] = str(tmp / str(next(counter)))
            extract_dataset(ex, clips, progress=False)

        runs["f32_dataset"] = lambda: in_fresh_cache(ex32)
        runs["bf16_dataset"] = lambda: in_fresh_cache(ex16)
    if per_layer:
        def one_layer_passes():
            for path in ex32.layers.values():
                for a in args32:
                    with hooks.capture(ex32.model, {"x": path}, stop_early=False):
                        ex32.forward(a)

        runs["f32_per_layer"] = one_layer_passes
    for fn in runs.values():  # warm-up (allocator, oneDNN kernels)
        fn()
    wall = {k: [] for k in runs}
    cpu = {k: [] for k in runs}
    for _ in range(rounds):
        for k, fn in runs.items():
            w, c = _time(fn)
            wall[k].append(w / n)
            cpu[k].append(c / n)
    wall_med = {k: statistics.median(v) for k, v in wall.items()}
    cpu_med = {k: statistics.median(v) for k, v in cpu.items()}
    med = cpu_med if clock == "cpu" else wall_med
    card = ex16.card
    res = {
        "model": name, "modality": card.modality, "architecture": card.architecture,
        "input": {"size": ex16.sampling.size, "n_frames": ex16.sampling.n_frames, "input_kind": card.input_kind},
        "memory_format_bf16": ex16.memory_format, "bf16_batch": batch, "clips_per_round": n,
        "n_layers": len(ex16.layers), "clock": clock, "seconds_per_clip": med,
        "wall_seconds_per_clip": wall_med, "cpu_seconds_per_clip": cpu_med,
        "all_rounds_wall": wall, "all_rounds_cpu": cpu,
        "speedup_bf16_over_f32": med["f32_extract"] / med["bf16_extract"],
        "speedup_bf16_bare_unbatched_over_f32_bare": med["f32_bare"] / med["bf16_bare_1"],
        "extract_over_bare_f32": med["f32_bare"] / med["f32_extract"],
        "extract_over_bare_bf16": med["bf16_bare"] / med["bf16_extract"],
    }
    if dataset:
        res["dataset_over_bare_f32"] = med["f32_bare"] / med["f32_dataset"]
        res["dataset_over_bare_bf16"] = med["bf16_bare"] / med["bf16_dataset"]
        res["speedup_dataset_bf16_over_f32"] = med["f32_dataset"] / med["bf16_dataset"]
    if per_layer:
        res["per_layer_over_multi_time_f32"] = med["f32_per_layer"] / med["f32_extract"]
    res["meets_speedup_goal"] = bool(res["speedup_bf16_over_f32"] >= 3.0)
    res["meets_overhead_goal"] = bool(min(res["extract_over_bare_f32"], res["extract_over_bare_bf16"],
                                          *([res["dataset_over_bare_bf16"]] if dataset else [])) >= 0.90)
    return res


# ------------------------------------------------------------------------------------------------ agreement
def _centred_r(X: np.ndarray, Y: np.ndarray) -> tuple[float, float]:
    """(Pearson r of the feature-centred matrices, 5th percentile of the per-feature r over varying features)."""
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    r = float((Xc * Yc).sum() / np.sqrt((Xc ** 2).sum() * (Yc ** 2).sum()))
    sx, sy = np.sqrt((Xc ** 2).sum(0)), np.sqrt((Yc ** 2).sum(0))
    ok = (sx > 1e-12 * max(sx.max(), 1e-30)) & (sy > 0)
    per = (Xc[:, ok] * Yc[:, ok]).sum(0) / (sx[ok] * sy[ok])
    return r, float(np.percentile(per, 5)) if per.size else float("nan")


def agreement(names: list[str], n_clips: int, seed: int = 0) -> dict:
    """bf16 vs float32 features of the embedded Algonauts clips: block correlations, statistics, encoding."""
    from neurokit.data import ensure, load_algonauts2021
    from neurokit.data.video import read_video
    from neurokit.encoding import best_block, disjoint_test_folds, layer_scores
    from neurokit.features import create_extractor, extract_dataset, precision
    from neurokit.features.stats import block_statistics

    data = load_algonauts2021(ensure("algonauts2021", profile="embedded", seed=seed))
    n = min(n_clips, data.n_train)
    clips = [read_video(p) for p in data.train_video_paths[:n]]
    subject = data.subjects[0]
    responses = {r: data.responses[subject][r][:n] for r in data.rois}
    folds = disjoint_test_folds(n, n_folds=4, test_fraction=0.1, seed=seed)
    out = {"n_clips": n, "subject": subject, "rois": list(data.rois),
           "encoding_protocol": "layer_scores: 4 disjoint test folds of 10 %, inner 5-fold RidgeCV, 50 PCA "
                                "components in-fold, test r averaged over each ROI's voxels", "models": {}}
    for name in names:
        feats = {}
        for prec in ("f32", "bf16"):
            ex = create_extractor(name, device="cpu", precision=prec)
            feats[prec] = {b: np.asarray(v, np.float64) for b, v in extract_dataset(ex, clips, cache=False,
                                                                                     progress=False).items()}
        card = ex.card
        s32, s16 = block_statistics(feats["f32"]), block_statistics(feats["bf16"])
        blocks = {}
        for i, b in enumerate(feats["f32"]):
            r, p5 = _centred_r(feats["f32"][b], feats["bf16"][b])
            diff = np.abs(feats["f32"][b] - feats["bf16"][b])
            blocks[b] = {"r": r, "r_feature_p5": p5, "max_abs_diff": float(diff.max()),
                         "max_abs_f32": float(np.abs(feats["f32"][b]).max())}
            for col in ("discriminability", "participation_ratio", "mean_abs"):
                a, c = float(s32[col].iloc[i]), float(s16[col].iloc[i])
                blocks[b][f"{col}_f32"], blocks[b][f"{col}_bf16"] = a, c
                blocks[b][f"{col}_rel_diff"] = abs(c - a) / abs(a) if a else float("nan")
        sc = {p: layer_scores(feats[p], responses, folds, inner_cv=5, n_components=50, seed=seed)
              for p in ("f32", "bf16")}
        merged = sc["f32"].merge(sc["bf16"], on=["block", "fold", "roi"], suffixes=("_f32", "_bf16"))
        d = (merged["r_bf16"] - merged["r_f32"]).to_numpy()
        per_block_roi = merged.groupby(["block", "roi"])[["r_f32", "r_bf16"]].mean()
        dbr = (per_block_roi["r_bf16"] - per_block_roi["r_f32"]).to_numpy()
        best = {p: best_block(sc[p]) for p in sc}
        bm = best["f32"].merge(best["bf16"], on=["fold", "roi"], suffixes=("_f32", "_bf16"))
        best_roi = bm.groupby("roi")[["r_f32", "r_bf16"]].mean()
        out["models"][name] = {
            "modality": card.modality, "architecture": card.architecture, "weights": card.weights_label(),
            "blocks": blocks,
            "min_block_r": min(v["r"] for v in blocks.values()),
            "max_stat_rel_diff": {col: max(v[f"{col}_rel_diff"] for v in blocks.values())
                                  for col in ("discriminability", "participation_ratio", "mean_abs")},
            "encoding": {
                "max_abs_dr_fold": float(np.abs(d).max()), "max_abs_dr_block_roi": float(np.abs(dbr).max()),
                "mean_abs_dr_block_roi": float(np.abs(dbr).mean()),
                "mean_r_f32": float(merged["r_f32"].mean()), "mean_r_bf16": float(merged["r_bf16"].mean()),
                "best_block_same_fraction": float((bm["block_f32"] == bm["block_bf16"]).mean()),
                "best_block_max_abs_dr_roi": float((best_roi["r_bf16"] - best_roi["r_f32"]).abs().max()),
                "best_block_r_f32": best_roi["r_f32"].to_dict(), "best_block_r_bf16": best_roi["r_bf16"].to_dict(),
            },
        }
        m = out["models"][name]
        e, tol = m["encoding"], precision.TOLERANCES
        m["within_tolerances"] = {
            "block_r": m["min_block_r"] >= tol["block_r"],
            "stat_rel_diff": max(m["max_stat_rel_diff"].values()) <= tol["stat_rel_diff"],
            "encoding_best_block_dr": e["best_block_max_abs_dr_roi"] <= tol["encoding_best_block_dr"],
            "encoding_block_roi_dr": e["max_abs_dr_block_roi"] <= tol["encoding_block_roi_dr"],
            "encoding_model_mean_dr": abs(e["mean_r_bf16"] - e["mean_r_f32"]) <= tol["encoding_model_mean_dr"],
        }
        print(f"  {name:28s} min block r {m['min_block_r']:.5f}  max rel Δ stats "
              + " ".join(f"{k[:4]} {v:.1e}" for k, v in m["max_stat_rel_diff"].items())
              + f"  encoding max|Δr| (block x ROI) {m['encoding']['max_abs_dr_block_roi']:.4f}, best-block "
                f"max|Δr| {m['encoding']['best_block_max_abs_dr_roi']:.4f}, same block "
                f"{m['encoding']['best_block_same_fraction']:.2f}; within tolerances: "
                f"{all(m['within_tolerances'].values())}", flush=True)
    out["tolerances"] = precision.TOLERANCES
    return out


def _versions() -> dict:
    import sys

    import timm
    import torch
    import torchvision

    from neurokit.features import precision

    return {**git_commit(), "python": sys.version.split()[0], "torch": torch.__version__,
            "torchvision": torchvision.__version__, "timm": timm.__version__, "numpy": np.__version__,
            "onednn": torch.backends.mkldnn.version() if hasattr(torch.backends.mkldnn, "version") else None,
            "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "native_bf16": precision.native_bf16(torch.device("cpu"))}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=None, help="comma-separated registry names (default: the embedded "
                                                    "encoding_families roster plus two video transformers)")
    ap.add_argument("--size", type=int, default=None, help="crop size override (default: each card's embedded "
                                                           "sampling, what the book runs)")
    ap.add_argument("--clips", type=int, default=16, help="clips per timed round")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--clock", choices=("cpu", "wall"), default="cpu")
    ap.add_argument("--dataset", action=argparse.BooleanOptionalAction, default=True,
                    help="also time extract_dataset end to end (cache writes included)")
    ap.add_argument("--per-layer", action="store_true", help="also time one f32 pass per block (the old peer)")
    ap.add_argument("--agreement", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--agreement-clips", type=int, default=300)
    ap.add_argument("--quick", action="store_true", help="4 models, 8 clips x 3 rounds, 60 agreement clips")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "extraction.json"))
    a = ap.parse_args(argv)
    if a.quick:
        a.clips, a.rounds, a.agreement_clips = 8, 3, 60
    names = a.models.split(",") if a.models else (QUICK_MODELS if a.quick else embedded_roster())

    import torch

    torch.set_num_threads(a.threads)
    from neurokit._io import atomic_write_json

    load_before = os.getloadavg()
    if a.threads > 1 and load_before[0] > 0.5:
        print(f"warning: load average {load_before[0]:.2f} with --threads {a.threads}: timings share the cores")
    clips = _clips(a.clips)
    results = []
    for name in names:
        r = bench_speed(name, clips, a.rounds, a.clock, a.size, a.dataset, a.per_layer)
        results.append(r)
        s = r["seconds_per_clip"]
        line = (f"{name:28s} ms/clip f32 {s['f32_extract'] * 1e3:7.1f} (bare {s['f32_bare'] * 1e3:7.1f})  "
                f"bf16 {s['bf16_extract'] * 1e3:6.1f} (bare {s['bf16_bare'] * 1e3:6.1f}, batch {r['bf16_batch']:2d}; "
                f"bare 1 clip {s['bf16_bare_1'] * 1e3:6.1f})  |  speed-up {r['speedup_bf16_over_f32']:.2f}x "
                f"(goal ≥ 3; bare unbatched {r['speedup_bf16_bare_unbatched_over_f32_bare']:.2f}x)  extract/bare "
                f"f32 {r['extract_over_bare_f32']:.3f} bf16 {r['extract_over_bare_bf16']:.3f}")
        if a.dataset:
            line += (f"  dataset/bare f32 {r['dataset_over_bare_f32']:.3f} bf16 {r['dataset_over_bare_bf16']:.3f}"
                     " (goal ≥ 0.90)")
        print(line, flush=True)
    load_after_speed = os.getloadavg()
    agree = None
    if a.agreement:
        print(f"agreement of bf16 with f32 features on {a.agreement_clips} simulated Algonauts clips:")
        agree = agreement(names, a.agreement_clips)
    speedups = [r["speedup_bf16_over_f32"] for r in results]
    out = {
        "benchmark": "extraction", "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpu": cpu_model(), "cpus": os.cpu_count(),
                    "torch_threads": torch.get_num_threads(), "loadavg_before": load_before,
                    "loadavg_after_speed": load_after_speed, "loadavg_after": os.getloadavg()},
        "versions": _versions(),
        "settings": {"size": a.size or "card embedded sampling", "clips_per_round": a.clips, "rounds": a.rounds,
                     "device": "cpu", "clock": a.clock, "threads": a.threads,
                     "note": "seconds_per_clip are medians over rounds; inputs prepared once outside the timers "
                             "(except *_dataset); bf16_extract uses extract_dataset's default batch"},
        "summary": {"speedup_min": min(speedups), "speedup_median": statistics.median(speedups),
                    "extract_over_bare_min": min(min(r["extract_over_bare_f32"], r["extract_over_bare_bf16"])
                                                 for r in results)},
        "results": results,
        "agreement": agree,
    }
    atomic_write_json(a.out, out)
    print(f"speed-up bf16 / f32: min {min(speedups):.2f}x, median {statistics.median(speedups):.2f}x; "
          f"load average {load_before[0]:.2f} → {os.getloadavg()[0]:.2f}")
    print(f"saved {a.out}")
    return out


if __name__ == "__main__":
    main()
