#!/usr/bin/env python
"""Units of work of the ``paper`` profile, counted without running them: floating-point operations per clip of
every roster network at its paper sampling, per Vi-ST training step at the paper configuration, and the sizes of
the ridge fits of Part I.

Every network is built on PyTorch's ``meta`` device (shapes only, no memory, no arithmetic) and its forward pass
(Vi-ST: forward and backward) is counted by ``torch.utils.flop_counter.FlopCounterMode``, which counts a
multiply-add as two operations. Parameters are counted too. The book's page "Running the paper profile" turns
these counts into estimates of GPU time (``notebooks/paper_plan.py``).

Usage::

    python benchmarks/paper_costs.py            # writes benchmarks/results/paper_costs.json
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from _common import git_commit  # noqa: E402

#: Real Mini-Algonauts video length: 3 s at 30 frames per second (the data card of the book).
ALGONAUTS_CLIP_FRAMES = 90


def _meta_inputs(card, n_seen: int):
    """The positional arguments of one clip's forward pass, on the meta device (as the extractor builds them)."""
    import torch

    s = card.paper_sampling.size
    if card.input_kind == "frames":
        return (torch.empty(n_seen, 3, s, s, device="meta"),)
    x = torch.empty(1, 3, n_seen, s, s, device="meta")
    if card.input_kind == "clip":
        return (x,)
    alpha = card.builder_kwargs["alpha"]
    return ([torch.empty(1, 3, max(n_seen // alpha, 1), s, s, device="meta"), x],)


def network_costs() -> list[dict]:
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from neurokit.features import get_card, list_extractors
    from neurokit.features import sampling as fsampling
    from neurokit.features.builders import build_model

    rows = []
    for name in list_extractors():
        card = get_card(name)
        samp = card.paper_sampling
        idx, _ = fsampling.frame_indices(ALGONAUTS_CLIP_FRAMES, samp.n_frames, samp.stride, card.modality)
        t0 = time.perf_counter()
        row = {"model": name, "modality": card.modality, "architecture": card.architecture,
               "input_size": samp.size, "frames_seen": int(len(idx)), "blocks": len(card.layers)}
        try:
            try:
                with torch.device("meta"):
                    model = build_model(card, samp.size, samp.n_frames or 1).eval()
            except RuntimeError:  # initialisers that read values (.item()) need real tensors: build, then drop them
                model = build_model(card, samp.size, samp.n_frames or 1).eval().to("meta")
            counter = FlopCounterMode(display=False)
            with counter, torch.no_grad():
                model(*_meta_inputs(card, len(idx)))
            row.update(gflop_per_clip=counter.get_total_flops() / 1e9,
                       parameters=int(sum(p.numel() for p in model.parameters())), status="counted")
        except Exception as err:  # noqa: BLE001 - a network the meta device cannot run is reported, not hidden
            row.update(gflop_per_clip=None, parameters=None, status=f"not counted: {type(err).__name__}: {err}"[:300])
        row["count_s"] = round(time.perf_counter() - t0, 2)
        print(f"{name:34s} {row['gflop_per_clip'] or float('nan'):9.1f} GFLOP/clip  {row['status'][:60]}", flush=True)
        rows.append(row)
    return rows


def _conv_backward(grad_out_shape, x_shape, w_shape, _bias, _stride, _padding, _dilation, transposed,
                   _output_padding, _groups, output_mask, out_shape=None, **kwargs) -> int:
    from torch.utils.flop_counter import conv_flop_count

    return conv_flop_count(x_shape, w_shape, grad_out_shape, transposed) * (int(output_mask[0]) + int(output_mask[1]))


def vist_step_cost() -> dict:
    """Forward + backward of the paper's Vi-ST on one batch of the authors' recipe (16 windows x 128 frames of
    256 DINOv2-L tokens x 1024 features, 90 cells), counted on the meta device; the loss is a sum (the soft-DTW
    term runs in numba and is excluded: a few milliseconds per step on CPU)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from neurokit.vist.model import ViST, count_parameters
    from neurokit.vist.train import TrainConfig

    cfg = TrainConfig()
    with torch.device("meta"):
        model = ViST(video_layers=6, video_dim=256, feat_dim=1024, n_cells=90)
        x = torch.empty(cfg.batch_size, cfg.window, 256, 1024)
        rf = torch.empty(cfg.batch_size, 90, 16, 16)
    # the stock count of a grouped convolution's backward is too high (16-24x for depthwise weights): each
    # requested gradient costs one forward convolution
    counter = FlopCounterMode(display=False, custom_mapping={torch.ops.aten.convolution_backward: _conv_backward})
    with counter:
        model(x, rf).sum().backward()
    from neurokit.studies.vist.settings import PROFILES

    s = PROFILES["paper"]
    runs = len(s.models) * (1 + len(s.check_seeds)) + len(s.ablations)  # models x seeds, plus the ablations
    return {"parameters": int(count_parameters(model)), "batch": [cfg.batch_size, cfg.window, 256, 1024],
            "runs_in_results_chapter": int(runs),
            "gflop_per_step": counter.get_total_flops() / 1e9, "epochs": cfg.epochs,
            "steps_per_epoch": cfg.batches_per_epoch, "steps_per_run": cfg.epochs * cfg.batches_per_epoch}


def dinov2_frame_cost() -> dict:
    """DINOv2 ViT-L/14 at 224 px (256 patch tokens of 1024 features, Vi-ST's input), per movie frame."""
    import timm
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    with torch.device("meta"):
        model = timm.create_model("vit_large_patch14_dinov2", pretrained=False, img_size=224).eval()
        x = torch.empty(1, 3, 224, 224)
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model.forward_features(x)
    return {"model": "vit_large_patch14_dinov2 (timm)", "gflop_per_frame": counter.get_total_flops() / 1e9,
            "frames": {"movie 1": 1800, "movie 2": 1600}}


def neurons_unet_cost() -> dict:
    """One clip of the video generator at the paper's shapes (16 frames of 32 x 32 latents, 256 px), built from
    :data:`neurokit.neurons.pipeline.PAPER_ARCHITECTURE`: per denoising step, Stable Diffusion 1.5's UNet with
    AnimateDiff v3's motion modules and SparseCtrl-RGB, both doubled for classifier-free guidance; per clip, the VAE
    encoding of the 16-frame motion prior and the decoding of the 16 generated frames (the published script saves
    them all). The text encoder is not counted (77 tokens, small beside the rest)."""
    import torch
    from diffusers import AutoencoderKL, MotionAdapter, SparseControlNetModel, UNet2DConditionModel, UNetMotionModel
    from torch.utils.flop_counter import FlopCounterMode

    from neurokit.neurons.pipeline import PAPER_ARCHITECTURE as A
    from neurokit.neurons.pipeline import PAPER_FRAMES, PAPER_SIZE, PAPER_STEPS

    lat = PAPER_SIZE // 8
    with torch.device("meta"):
        unet2d = UNet2DConditionModel(**A["unet"])
        spatial = int(sum(p.numel() for p in unet2d.parameters()))
        unet = UNetMotionModel.from_unet2d(unet2d, MotionAdapter(**A["motion_adapter"])).eval()
        ctrl = SparseControlNetModel(**A["sparsectrl"]).eval()
        vae = AutoencoderKL(**A["vae"]).eval()
        x = torch.empty(2, 4, PAPER_FRAMES, lat, lat)
        enc = torch.empty(2 * PAPER_FRAMES, 77, 768)
        cond, mask = torch.empty(2, 4, PAPER_FRAMES, lat, lat), torch.empty(2, 1, PAPER_FRAMES, lat, lat)
        t = torch.tensor([10])
        frames, latents = torch.empty(PAPER_FRAMES, 3, PAPER_SIZE, PAPER_SIZE), torch.empty(PAPER_FRAMES, 4, lat, lat)

    def flops(fn):
        counter = FlopCounterMode(display=False)
        with counter, torch.no_grad():
            fn()
        return counter.get_total_flops() / 1e9

    parts = {"unet_with_motion_modules": flops(lambda: unet(x, t, enc)),
             "sparsectrl": flops(lambda: ctrl(x, t, enc, controlnet_cond=cond, conditioning_mask=mask))}
    vae_gflop = flops(lambda: vae.encode(frames)) + flops(lambda: vae.decode(latents))
    return {"gflop_per_step": sum(parts.values()), "gflop_per_step_parts": parts, "gflop_vae_per_video": vae_gflop,
            "steps_per_video": PAPER_STEPS, "unet_parameters": spatial,
            "motion_unet_parameters": int(sum(p.numel() for p in unet.parameters())),
            "sparsectrl_parameters": int(sum(p.numel() for p in ctrl.parameters())), "frames": PAPER_FRAMES,
            "size": PAPER_SIZE, "test_clips_per_subject": 1200, "subjects": 3,
            "note": "UNet with motion modules and SparseCtrl per step (guidance doubles the batch); VAE per clip"}


def ridge_fit_counts() -> dict:
    """Part I at the paper's sizes: voxels, and the per-voxel ridge fits of the layer-wise encoding."""
    from neurokit.features import get_card, list_extractors
    from neurokit.sim.brain import ALGONAUTS_VOXELS

    voxels = sum(sum(v) for v in ALGONAUTS_VOXELS.values())  # 10 subjects, 9 ROIs
    blocks = sum(len(get_card(n).layers) for n in list_extractors())
    from neurokit.studies.encoding.connectivity import settings

    return {"subjects": 10, "roi_voxels_all_subjects": int(voxels), "model_blocks": int(blocks),
            "bmd_model": settings("paper").bmd_model,
            "block_floats_all_models": int(sum(sum(get_card(n).block_dims.values()) for n in list_extractors())),
            "per_voxel_fits": int(voxels * blocks), "train_clips": 1000, "test_clips": 102}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "paper_costs.json"))
    args = ap.parse_args(argv)
    import torch

    from neurokit._io import atomic_write_json

    import logging
    import warnings

    warnings.filterwarnings("ignore")
    logging.getLogger("efficientnet_pytorch").setLevel(logging.WARNING)
    torch.set_num_threads(1)
    load = os.getloadavg()
    record = {"benchmark": "paper_costs", "date": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
              "commit": git_commit()["commit"] or "unknown", "method": "FlopCounterMode on the meta device (2 FLOP per multiply-add)",
              "clip_frames": ALGONAUTS_CLIP_FRAMES, "networks": network_costs(), "vist": vist_step_cost(),
              "ridge": ridge_fit_counts(), "dinov2": dinov2_frame_cost(), "neurons": neurons_unet_cost(),
              "machine": {"platform": platform.platform(), "torch": torch.__version__, "loadavg_before": list(load)}}
    atomic_write_json(args.out, record)
    counted = [r for r in record["networks"] if r["gflop_per_clip"] is not None]
    print(f"{len(counted)} of {len(record['networks'])} networks counted; Vi-ST "
          f"{record['vist']['gflop_per_step']:.0f} GFLOP per step ({record['vist']['parameters']:,} parameters); "
          f"{record['ridge']['per_voxel_fits']:,} per-voxel fits; record in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
