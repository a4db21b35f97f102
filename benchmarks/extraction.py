#!/usr/bin/env python
"""Multi-layer extraction benchmark: all blocks in one hooked pass vs the bare forward pass vs one pass per layer.

For each model, on the same prepared clips (sampling, resizing and normalisation done once, outside the timers),
three ways of running are timed in one process, interleaved round by round so that load changes on the shared
machine hit all three alike:

- ``bare``: ``model(x)`` with no hooks (the ceiling for any extraction);
- ``multi``: :meth:`Extractor.extract_prepared` with every block hooked and pooled in the hook (what
  ``extract`` does);
- ``per_layer``: the naive alternative, one full forward pass per block with a single hook each;
- ``per_layer_truncated`` (for reference): one pass per block, each cut short after its block.

Timed with this process's CPU time by default (``--clock cpu``, one torch thread): on a shared machine other
jobs inflate wall time unevenly, CPU time much less; wall times are saved too. Reported per model: clips/s of each, ``multi / bare`` (goal ≥ 0.90) and ``per_layer time / multi time`` (goal ≥
n_layers / 1.5), medians over rounds. The load average and torch threads are recorded with the results.

Usage::

    python benchmarks/extraction.py --quick          # ~1 min: small inputs
    python benchmarks/extraction.py                  # resnet50 (4 frames) and i3d_r50 (8 frames) at 112 px

Results: ``benchmarks/results/extraction.json`` (``--out``).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def _time(fn, n_clips: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) per call."""
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(n_clips):
        fn()
    return (time.perf_counter() - t0) / n_clips, (time.process_time() - c0) / n_clips


def bench_model(name: str, size: int, n_frames: int | None, n_clips: int, rounds: int, clock: str = "cpu") -> dict:
    import torch

    from neurokit.features import create_extractor
    from neurokit.features import hooks

    ex = create_extractor(name, layers="blocks", device="cpu", input_size=size, n_frames=n_frames)
    rng = np.random.default_rng(0)
    clip = rng.integers(0, 256, (64, 96, 128, 3), dtype=np.uint8)
    args = ex.prepare(clip)
    model = ex.model

    def bare():
        ex.forward(args)

    def multi():
        ex.extract_prepared(args)

    def one_layer(path, stop):
        a = (list(args[0]),) if ex.card.input_kind == "slowfast" else args
        with torch.inference_mode(), hooks.capture(model, {"x": path}, lambda n, o: ex._pool(
                next(b for b, p in ex.layers.items() if p == path), o), stop_early=stop):
            hooks.run_captured(model, *a)

    def per_layer():
        for path in ex.layers.values():
            one_layer(path, stop=False)

    def per_layer_truncated():
        for path in ex.layers.values():
            one_layer(path, stop=True)

    runs = {"bare": bare, "multi": multi, "per_layer": per_layer, "per_layer_truncated": per_layer_truncated}
    for fn in runs.values():  # warm-up (allocator, oneDNN kernels)
        fn()
    times = {k: [] for k in runs}
    cpu = {k: [] for k in runs}
    for _ in range(rounds):
        for k, fn in runs.items():
            w, c = _time(fn, n_clips)
            times[k].append(w)
            cpu[k].append(c)
    wall_med = {k: statistics.median(v) for k, v in times.items()}
    cpu_med = {k: statistics.median(v) for k, v in cpu.items()}
    med = cpu_med if clock == "cpu" else wall_med
    n_layers = len(ex.layers)
    res = {
        "model": name, "input": {"size": size, "n_frames": ex.sampling.n_frames, "input_kind": ex.card.input_kind},
        "n_layers": n_layers, "clock": clock, "seconds_per_clip": med, "wall_seconds_per_clip": wall_med,
        "cpu_seconds_per_clip": cpu_med, "all_rounds_wall": times, "all_rounds_cpu": cpu,
        "clips_per_s": {k: 1.0 / v for k, v in med.items()},
        "multi_over_bare_throughput": med["bare"] / med["multi"],
        "per_layer_over_multi_time": med["per_layer"] / med["multi"],
        "per_layer_truncated_over_multi_time": med["per_layer_truncated"] / med["multi"],
        "goal_multi_over_bare": 0.90, "goal_per_layer_over_multi": n_layers / 1.5,
    }
    res["meets_goals"] = bool(res["multi_over_bare_throughput"] >= 0.90
                              and res["per_layer_over_multi_time"] >= n_layers / 1.5)
    return res


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="resnet50.tv_in1k,i3d_r50_8x8.k400")
    ap.add_argument("--size", type=int, default=112)
    ap.add_argument("--clips", type=int, default=3, help="clips per timed round")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="64 px, 2 clips x 3 rounds")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1: CPU time is then a clean clock)")
    ap.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                    help="which clock the ratios use; 'cpu' (this process's CPU time) is robust to other jobs on "
                         "a shared machine, 'wall' is what a user waits on an idle one. Both are saved.")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "extraction.json"))
    a = ap.parse_args(argv)
    if a.quick:
        a.size, a.clips, a.rounds = 64, 2, 3
    import torch

    torch.set_num_threads(a.threads)
    from neurokit._io import atomic_write_json
    from neurokit.features import get_card

    load_before = os.getloadavg()
    results = []
    for name in a.models.split(","):
        card = get_card(name)
        n_frames = 4 if card.modality == "image" else 8
        r = bench_model(name, a.size, n_frames, a.clips, a.rounds, a.clock)
        results.append(r)
        print(f"{name:24s} {r['n_layers']} layers  clips/s bare {r['clips_per_s']['bare']:.2f}  "
              f"multi {r['clips_per_s']['multi']:.2f}  per-layer {r['clips_per_s']['per_layer']:.2f}  |  "
              f"multi/bare = {r['multi_over_bare_throughput']:.3f} (goal ≥ 0.90)  "
              f"per-layer/multi time = {r['per_layer_over_multi_time']:.2f} (goal ≥ {r['n_layers'] / 1.5:.2f}; "
              f"truncated per-layer: {r['per_layer_truncated_over_multi_time']:.2f})")
    out = {
        "benchmark": "extraction", "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "torch": torch.__version__,
                    "torch_threads": torch.get_num_threads(), "loadavg_before": load_before,
                    "loadavg_after": os.getloadavg()},
        "settings": {"size": a.size, "clips_per_round": a.clips, "rounds": a.rounds, "device": "cpu", "clock": a.clock,
                     "note": "seconds_per_clip are medians over rounds; inputs prepared once outside the timers"},
        "results": results,
    }
    atomic_write_json(a.out, out)
    print(f"saved {a.out}")
    return out


if __name__ == "__main__":
    main()
