#!/usr/bin/env python
"""One training step of the paper's Vi-ST at the paper's per-sample shapes on this CPU: float32 and bf16 autocast.

The configuration of the ``vist_results`` chapter's paper profile (and of its rehearsal): ``ViST(video_layers=6,
video_dim=256, feat_dim=1024, n_cells=90)`` (1,702,952 parameters), windows of 128 frames x 256 tokens x 1024
features (DINOv2 ViT-L/14's token grid and width), the chapter's loss (``ViSTLoss``) and optimiser (AdamW, weight
decay 0.1). The paper's batch is 16 windows; a float32 batch of 16 is 2.1 GB of input and its activations do not
fit this machine's memory beside other work, so steps are timed at ``--batches`` windows per step and the cost per
window is reported (a step's cost is linear in the windows it holds: every operation is per window, except the
parameter update).

Per batch size and precision (``f32``: the CPU channels-last path; ``bf16``: ``torch.autocast("cpu", bf16)``,
which runs the modules as written), interleaved step by step: the median wall and CPU time of a whole optimiser
step (zero_grad, forward, loss, backward, AdamW) over ``--steps`` steps after one warm-up step, and the peak
resident memory of the process. Also the forward pass alone in eval mode over one whole 225-frame half of movie 1
(the rehearsal's evaluation unit), in float32.

Usage::

    python benchmarks/vist_paper_step.py --threads 2 --batches 1 2 4

Results: ``benchmarks/results/vist_paper_step.json`` (``--out``).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import time
from pathlib import Path

from _common import cpu_model, git_commit

REPO = Path(__file__).resolve().parents[1]
PAPER = dict(video_layers=6, video_dim=256, feat_dim=1024, n_cells=90)


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batches", type=int, nargs="+", default=[1, 2, 4], help="windows per step")
    ap.add_argument("--steps", type=int, default=3, help="timed steps per setting (median)")
    ap.add_argument("--precisions", nargs="+", default=["f32", "bf16"])
    ap.add_argument("--eval-frames", type=int, default=225)
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "vist_paper_step.json"))
    a = ap.parse_args(argv)

    import torch

    from neurokit.vist.loss import ViSTLoss
    from neurokit.vist.model import ViST, count_parameters

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    loss_fn = ViSTLoss()
    models = {p: ViST(**PAPER) for p in a.precisions}
    for m in models.values():
        m.load_state_dict(next(iter(models.values())).state_dict())
    n_params = count_parameters(next(iter(models.values())))
    rows = []
    for b in a.batches:
        x = torch.randn(b, 128, 256, 1024)
        y = torch.rand(b, 128, 90)
        rf = torch.rand(b, 90, 16, 16)
        opts = {p: torch.optim.AdamW(m.parameters(), lr=8e-4, weight_decay=0.1) for p, m in models.items()}
        samples = {p: [] for p in models}
        for i in range(1 + a.steps):
            for p, m in models.items():
                m.train()
                c0, w0 = time.process_time(), time.perf_counter()
                opts[p].zero_grad(set_to_none=True)
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=p == "bf16"):
                    out = m(x, rf)
                loss = loss_fn(out.float(), y)
                loss.backward()
                opts[p].step()
                if i:
                    samples[p].append((time.perf_counter() - w0, time.process_time() - c0))
        for p, s in samples.items():
            rows.append({"windows": b, "precision": p, "step_wall_s": statistics.median(w for w, _ in s),
                         "step_cpu_s": statistics.median(c for _, c in s),
                         "per_window_wall_s": statistics.median(w for w, _ in s) / b})
            print(f"batch {b:2d} {p:4s}: step {rows[-1]['step_wall_s']:.2f} s wall, {rows[-1]['step_cpu_s']:.2f} s CPU"
                  f" ({rows[-1]['per_window_wall_s']:.2f} s per window)", flush=True)
        del x, y, rf, opts
    m = models[a.precisions[0]].eval()
    xe = torch.randn(1, a.eval_frames, 256, 1024)
    ev = []
    with torch.no_grad():
        for _ in range(3):
            w0 = time.perf_counter()
            m(xe, torch.rand(90, 16, 16))
            ev.append(time.perf_counter() - w0)
    print(f"eval forward of {a.eval_frames} frames: {statistics.median(ev):.2f} s wall", flush=True)
    per_window = {p: statistics.median(r["per_window_wall_s"] for r in rows if r["precision"] == p)
                  for p in a.precisions}
    rec = {"benchmark": "vist_paper_step", "date": datetime.datetime.now().isoformat(timespec="seconds"),
           **git_commit(a.out), "cpu": cpu_model(), "machine": platform.machine(), "threads": a.threads,
           "torch": torch.__version__, "n_params": n_params, "config": PAPER, "window": 128, "tokens": 256,
           "rows": rows, "per_window_wall_s": per_window,
           "paper_batch_16_step_wall_s_extrapolated": {p: 16 * v for p, v in per_window.items()},
           "bf16_over_f32": (per_window["bf16"] / per_window["f32"]) if {"bf16", "f32"} <= set(per_window) else None,
           "eval_frames": a.eval_frames, "eval_forward_wall_s": statistics.median(ev),
           "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
           "load_average": os.getloadavg()}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(rec, indent=1))
    return rec


if __name__ == "__main__":
    main()
