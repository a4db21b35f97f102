#!/usr/bin/env python
"""Rehearsal extraction benchmark: every roster entry at its paper configuration, random init, on one CPU thread.

The paper profile extracts features of all 37 roster entries at their paper input sizes and frame counts
(:attr:`neurokit.features.ModelCard.paper_sampling`). No pretrained weights can be reached here, so, as in a
rehearsal of the paper profile (``neurokit book --profile paper --rehearse``), each model runs with the card's
random initialisation (``weights="paper"`` under :data:`neurokit.config.REHEARSAL_ENV`; the efficientnet-lite
entries load their shipped ImageNet weights). Random weights cost what pretrained ones cost: the figures are per-unit
costs of the real run on this CPU.

Each (model, precision) runs in a fresh subprocess (so its peak resident memory is its own), with one torch thread:

- ``build_s``: :func:`neurokit.features.create_extractor` (architecture, init, precision preparation);
- ``s_per_clip``: :meth:`Extractor.extract` of one paper-format clip (90 frames of 268 x 268 px, 30 fps, a 3-s
  Algonauts clip of the procedural world), wall and CPU seconds; the first clip (warm-up) separately, then the
  median of the next ``--clips`` clips;
- ``peak_rss_mib``: the subprocess's peak resident memory while building the model and extracting (``VmHWM`` of
  ``/proc/self/status``, reset with ``clear_refs`` once the libraries and clips are loaded; elsewhere
  ``resource.getrusage(RUSAGE_SELF).ru_maxrss``), ``rss_before_build_mib`` (the libraries and the clips) and
  ``peak_rss_over_baseline_mib`` (what the model and its activations add), and
  ``peak_traced_mib``: the peak of Python-level allocations during extraction (``tracemalloc``, which does not
  see torch's own allocator; both are reported).

Precisions: ``bf16`` where this CPU has bfloat16 units (:func:`neurokit.features.precision.native_bf16`; the cards
leave bf16 to the device), and ``f32``. A subprocess that runs past ``--cap`` seconds is stopped and recorded as
``timeout`` with what it had measured; the JSON is rewritten after every model, so a stopped run leaves partial,
labelled results.

Usage::

    python benchmarks/rehearsal_extraction.py                        # all 37, bf16 and f32, 2 clips, cap 300 s
    python benchmarks/rehearsal_extraction.py --models x3d_xs.k400,resnet50.tv_in1k --precisions f32 --clips 1

Results: ``benchmarks/results/rehearsal_extraction.json`` (``--out``).
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def _clip_file(n: int, out: Path) -> Path:
    """``n`` paper-format clips (90 frames of 268 x 268 px, 30 fps) of the procedural world, saved once as .npy."""
    from neurokit.sim.video import VideoWorldConfig, make_clip

    cfg = VideoWorldConfig(n_frames=90, size=268, fps=30)
    clips = np.stack([make_clip(i, cfg, 0).frames for i in range(n)])
    np.save(out, clips)
    return out


def _vm(field: str) -> float:
    """``/proc/self/status`` memory field (``VmRSS``, ``VmHWM``) in MiB (NaN where unavailable)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _reset_peak() -> bool:
    """Reset this process's peak resident memory (``VmHWM``) to its current value (Linux ``clear_refs`` 5)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def child(name: str, precision: str, clips_path: str, n_clips: int) -> dict:
    """One (model, precision) measurement, run inside its own process."""
    import resource
    import statistics
    import tracemalloc

    import torch

    torch.set_num_threads(1)
    os.environ["NEUROKIT_REHEARSAL"] = "1"
    from neurokit.features import create_extractor, get_card

    card = get_card(name)
    clips = np.load(clips_path)
    out = {"model": name, "precision": precision, "modality": card.modality,
           "paper_sampling": card.paper_sampling.as_dict()}
    out["rss_before_build_mib"] = _vm("VmRSS")  # torch, the libraries and the clips
    out["hwm_reset"] = _reset_peak()  # from here on, VmHWM is the peak of building and extracting
    t0 = time.perf_counter()
    ex = create_extractor(name, layers="blocks", device="cpu", weights="paper", precision=precision)
    out["build_s"] = time.perf_counter() - t0
    out["weights"] = ex.config()["weights"]
    out["weights_kind"] = ex.weights_source["kind"]
    out["n_params"] = int(sum(p.numel() for p in ex.model.parameters()))
    out["memory_format"] = ex.memory_format
    walls, cpus = [], []
    tracemalloc.start()
    for i in range(n_clips + 1):
        w0, c0 = time.perf_counter(), time.process_time()
        feats = ex.extract(clips[i % len(clips)])
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
        out["warmup_wall_s"], out["warmup_cpu_s"] = walls[0], cpus[0]
        if i >= 1:
            out["s_per_clip_wall"] = statistics.median(walls[1:])
            out["s_per_clip_cpu"] = statistics.median(cpus[1:])
            out["clips_timed"] = i
        print(json.dumps({"partial": out}), flush=True)
    out["peak_traced_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    out["peak_rss_mib"] = _vm("VmHWM") if out["hwm_reset"] else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["peak_rss_over_baseline_mib"] = out["peak_rss_mib"] - out["rss_before_build_mib"]
    out["feature_dims"] = {b: int(np.asarray(v).size) for b, v in feats.items()}
    out["status"] = "ok"
    return out


def _run_child(name, precision, clips_path, n_clips, cap) -> dict:
    cmd = [sys.executable, __file__, "--child", name, "--precisions", precision, "--clips", str(n_clips),
           "--clip-file", str(clips_path)]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1",
           "PYTHONPATH": str(REPO)}
    t0 = time.perf_counter()
    last = {"model": name, "precision": precision}
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=cap, env=env)
        lines, status = proc.stdout.splitlines(), None
        if proc.returncode != 0:
            status = "error: " + (proc.stderr.strip().splitlines() or ["?"])[-1][:300]
    except subprocess.TimeoutExpired as err:
        out = err.stdout.decode() if isinstance(err.stdout, bytes) else (err.stdout or "")
        lines, status = out.splitlines(), f"timeout after {cap} s"
    for line in lines:
        try:
            d = json.loads(line)
        except ValueError:
            continue
        last = d.get("result", d.get("partial", last))
    if status is not None:
        last = {**last, "status": status}
    last["subprocess_wall_s"] = time.perf_counter() - t0
    return last


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=None, help="comma-separated registry names (default: all 37)")
    ap.add_argument("--precisions", default=None, help="comma-separated: bf16,f32 (default: bf16 where the CPU "
                                                       "has bfloat16 units, and f32)")
    ap.add_argument("--clips", type=int, default=2, help="timed clips per model after one warm-up clip")
    ap.add_argument("--cap", type=float, default=300.0, help="seconds per (model, precision) subprocess")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "rehearsal_extraction.json"))
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--clip-file", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps({"result": child(args.child, args.precisions, args.clip_file, args.clips)}), flush=True)
        return {}

    import torch

    from _common import cpu_model
    from extraction import _versions
    from neurokit.features import list_extractors
    from neurokit.features.precision import native_bf16

    models = args.models.split(",") if args.models else list(list_extractors())
    precisions = (args.precisions.split(",") if args.precisions
                  else (["bf16"] if native_bf16(torch.device("cpu")) else []) + ["f32"])
    load_before = os.getloadavg()
    record = {
        "benchmark": "rehearsal_extraction",
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": "python benchmarks/rehearsal_extraction.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": {"platform": platform.platform(), "cpu": cpu_model(), "cpus": os.cpu_count(), "threads": 1,
                    "loadavg_before": load_before},
        "versions": _versions(),
        "clip": "90 frames of 268 x 268 px (3 s at 30 fps), procedural world; each model samples it at its card's "
                "paper sampling",
        "weights": "random-init (rehearsal) except the shipped efficientnet-lite ImageNet weights",
        "cap_s": args.cap, "clips_timed": args.clips, "precisions": precisions, "models": models, "results": [],
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        clips_path = _clip_file(max(1, args.clips + 1), Path(tmp) / "clips.npy")
        for name in models:
            for prec in precisions:
                res = _run_child(name, prec, clips_path, args.clips, args.cap)
                res["loadavg"] = os.getloadavg()
                record["results"].append(res)
                record["machine"]["loadavg_after"] = os.getloadavg()
                out.write_text(json.dumps(record, indent=1, default=float))
                print(f"{name:28s} {prec:5s} {res.get('status', '?')[:40]:40s} "
                      f"build {res.get('build_s', float('nan')):6.1f} s  clip {res.get('s_per_clip_wall', float('nan')):7.2f} s "
                      f"(cpu {res.get('s_per_clip_cpu', float('nan')):7.2f})  peak RSS "
                      f"{res.get('peak_rss_mib', float('nan')):7.0f} MiB  load {res['loadavg'][0]:.1f}", flush=True)
    # ratios against peers measured in the same run: bf16 speed-up per model, and each model against the median
    by = {(r["model"], r["precision"]): r for r in record["results"] if r.get("status") == "ok"}
    ratios = {}
    for name in models:
        a, b = by.get((name, "f32")), by.get((name, "bf16"))
        if a and b:
            ratios[name] = a["s_per_clip_cpu"] / b["s_per_clip_cpu"]
    record["bf16_speedup_cpu"] = ratios
    done = [r for r in record["results"] if r.get("status") == "ok"]
    record["summary"] = {"ok": len(done), "total": len(record["results"]),
                         "not_ok": {f"{r['model']}/{r['precision']}": r.get("status") for r in record["results"]
                                    if r.get("status") != "ok"}}
    out.write_text(json.dumps(record, indent=1, default=float))
    print(f"{len(done)}/{len(record['results'])} measured; bf16/f32 speed-up median "
          f"{np.median(list(ratios.values())) if ratios else float('nan'):.2f}; load {load_before[0]:.2f} → "
          f"{os.getloadavg()[0]:.2f}; → {out}")
    return record


if __name__ == "__main__":
    main()
