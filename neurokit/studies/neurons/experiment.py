"""One cached decoding run (train stage 1 + 2 on one subject, decode the test split), shared by the chapters; its
settings per profile are :mod:`neurokit.studies.neurons.settings`.

The result is keyed by the content hash of the data set's ``sim_config.json``/checksums and every argument, and
stored under ``cache_home()/neurons/<key>.pt`` (``torch.save`` of plain tensors, lists and numbers; read back
with ``weights_only=True``), so the reconstruction chapter reuses the subtask chapter's model outputs instead of
training again.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import torch

from neurokit._io import atomic_path, sha256_file, sha256_json
from neurokit.config import cache_home
from neurokit.data.cc2017 import load_cc2017
from neurokit.errors import InputError
from neurokit.neurons import train as T
from neurokit.neurons.model import NeuronsModel, create_config
from neurokit.neurons.train import ABLATIONS

logger = logging.getLogger(__name__)

__all__ = ["run_decoding", "run_ablations", "data_fingerprint"]

def data_fingerprint(root) -> str:
    root = Path(root)
    for name in ("checksums.json", "sim_config.json"):
        if (root / name).exists():
            return sha256_file(root / name)
    return sha256_file(root / "GT_test_3fps.pt")


def run_decoding(root, subject: int = 1, config: str = "embedded", stage1_epochs: int = 10,
                 stage2_epochs: int = 4, stage1_batch: int = 32, stage2_batch: int = 10, lr: float = 3e-3,
                 text_method: str = "minilm", use_prior: bool = True, batch_coupled: bool = True,
                 subtasks=("seg", "cls", "txt", "rec"), progressive: bool = True, eval_batch: int = 20,
                 seed: int = 0, object_tokens: float = 1.0, rec_scale: float = 1.0, captions: bool = True,
                 cache: bool = True, stage1_state=None, prepared=None,
                 return_model: bool = False, threads: int | None = 1, stage1_only: bool = False,
                 steps_per_epoch: int | None = None, prior_steps: int | None = None, hidden: int | None = None,
                 rehearsal: bool = False, bf16: bool = False, device: str | None = None,
                 checkpoint: bool = False) -> dict:
    """Train NEURONS on one subject of a cc2017 folder and score the decoding subtasks on its test split.

    Parameters
    ----------
    root : path-like
        A cc2017 folder (:func:`neurokit.data.cc2017.load_cc2017`).
    config : str
        Model configuration name (``"tiny"``, ``"embedded"``); sizes that depend on the data (voxels, concepts,
        text width) are set from the data.
    object_tokens : float
        Scale of the local key-object vector in the frame-token stand-in (0: pixels and caption only; see
        :func:`neurokit.neurons.train.frame_tokens`).
    rec_scale : float
        Extra factor on the stage-2 blurry-video loss (:func:`neurokit.neurons.train.train_stage2`).
    captions : bool
        Generate captions when scoring (greedy decoding; the generated-caption scores are NaN without it).
    stage1_state : dict, optional
        A stage-1 ``state_dict`` to start from (skips stage 1; used by the ablations, which share stage 1).
    prepared : neurokit.neurons.train.Prepared, optional
        Targets from an earlier run on the same data and settings (only with ``stage1_state``, which restores the
        model state that :func:`neurokit.neurons.train.prepare` sets); skips preparing them again.
    threads : int or None
        torch intra-op threads while training (see :func:`neurokit.neurons.train.limit_threads`).
    stage1_only : bool
        Stop after stage 1 and return ``{"stage1_state", "seconds"}`` (nothing cached): the state that every
        configuration of the subject starts stage 2 from. Stage 2 seeds itself, so a run given this state as
        ``stage1_state`` gives the same numbers as a run that trains stage 1 itself.
    steps_per_epoch : int, optional
        Cap on the batches of every epoch of both stages (``None``: all, as published).
    prior_steps : int, optional
        Sampling steps of the diffusion prior at decoding (``None``: all of its timesteps, as published).
    hidden : int, optional
        Width of the ridge output and the mixer blocks (``None``: the configuration's).
    rehearsal : bool
        A rehearsal of the paper profile (recorded in the cache key and the result's ``args``).
    bf16 : bool
        Train under bfloat16 autocast (recorded in the cache key when set).
    device : str, optional
        Where the model trains: the paper configuration takes :func:`neurokit.config.resolve_device`'s choice (a
        GPU when there is one), the CPU-sized ones the CPU; results come back on the CPU.
    checkpoint : bool
        Save each epoch of both stages under ``cache_home()/neurons/ckpt-<key>-stage<n>.pt`` and resume a stopped
        run from its last epoch (the files go once the run is done).

    Returns
    -------
    dict
        ``metrics`` (see :func:`neurokit.neurons.train.evaluate_subtasks`), ``decoded`` (test outputs: blurry
        (m, F, 3, H, W) in [0, 1], mask_probs, concept_probs, top_concept, captions), ``history`` and timings;
        ``model`` and ``stage1_state`` when ``return_model``.
    """
    args = dict(subject=subject, config=config, stage1_epochs=stage1_epochs, stage2_epochs=stage2_epochs,
                stage1_batch=stage1_batch, stage2_batch=stage2_batch, lr=lr, text_method=text_method,
                use_prior=use_prior, batch_coupled=batch_coupled, subtasks=sorted(subtasks),
                progressive=progressive, eval_batch=eval_batch, seed=seed, object_tokens=float(object_tokens),
                rec_scale=float(rec_scale), captions=bool(captions), data=data_fingerprint(root),
                stage1=None if stage1_state is None else "given", version=3)
    # recorded only when set, so the keys of runs made before these settings existed stay the same
    args.update({k: v for k, v in (("steps_per_epoch", steps_per_epoch), ("prior_steps", prior_steps),
                                   ("hidden", hidden), ("rehearsal", bool(rehearsal) or None),
                                   ("bf16", bool(bf16) or None)) if v is not None})
    if prepared is not None and stage1_state is None:
        raise InputError("prepared targets can only be reused together with a stage1_state.")
    key = sha256_json(args)[:16]
    path = cache_home() / "neurons" / f"run-{key}.pt"
    if stage1_only and stage1_state is not None:
        raise InputError("stage1_only trains stage 1; it cannot start from a given stage1_state.")
    if cache and not return_model and not stage1_only and stage1_state is None and path.exists():
        logger.info("reusing cached decoding run %s", path)
        return torch.load(path, weights_only=True)
    from neurokit.config import resolve_device

    dev = resolve_device(device) if config == "paper" else torch.device(device or "cpu")
    ckpt = (tuple(T.EpochCheckpoint(cache_home() / "neurons" / f"ckpt-{key}-stage{i}.pt", key) for i in (1, 2))
            if checkpoint else (None, None))
    with T.limit_threads(threads):
        out = _run(root, args, tuple(subtasks), cache, stage1_state, prepared, return_model, path, stage1_only,
                   dev, ckpt)
    for c in ckpt:
        if c is not None:
            c.remove()
    return out


def _run(root, args, subtasks, cache, stage1_state, prepared, return_model, path, stage1_only=False,
         device=None, ckpt=(None, None)):
    """One decoding run; ``args`` is :func:`run_decoding`'s settings record (also its cache key)."""
    data = load_cc2017(root, args["subject"])
    text_dim = 384 if args["text_method"] == "minilm" else 64
    # the blurry-video target is RGB frames at the decoder's output size (:func:`neurokit.neurons.train.prepare`), in
    # every profile: the paper configuration's 4 channels are SD-1.5 VAE latents, a target this package does not make
    cfg = create_config(args["config"], n_voxels=(data.n_voxels,), n_concepts=len(data.concept_names),
                        text_dim=text_dim, use_prior=args["use_prior"], batch_coupled=args["batch_coupled"],
                        recon_channels=3, **({"hidden": int(args["hidden"])} if args.get("hidden") else {}))
    torch.manual_seed(args["seed"])
    model = NeuronsModel(cfg)
    t0 = time.perf_counter()
    prep = prepared
    if prep is None:
        prep = T.prepare(data, model, args["text_method"], object_tokens=args["object_tokens"])
    model.to(device or "cpu")
    bf16 = bool(args.get("bf16"))
    t1 = time.perf_counter()
    if stage1_state is None:
        h1 = T.train_stage1(model, prep, args["stage1_epochs"], args["stage1_batch"], args["lr"], args["seed"],
                            max_steps=args.get("steps_per_epoch"), bf16=bf16, checkpoint=ckpt[0])
    else:
        model.load_state_dict(stage1_state)
        h1 = []
    t2 = time.perf_counter()
    if stage1_only:  # the model is dropped: its own tensors are the state, no copy (on the CPU)
        return {"stage1_state": {k: v.cpu() for k, v in model.state_dict().items()},
                "seconds": {"prepare": t1 - t0, "stage1": t2 - t1}}
    # a copy of the stage-1 weights only when they were trained here (stage 2 changes the model's tensors); a given
    # state is returned as it is: at the paper's sizes every copy of the weights is 9 GB
    s1_state = stage1_state if stage1_state is not None else {k: v.clone() for k, v in model.state_dict().items()}
    h2 = T.train_stage2(model, prep, args["stage2_epochs"], args["stage2_batch"], args["lr"], subtasks,
                        args["progressive"], rec_scale=args["rec_scale"], seed=args["seed"],
                        max_steps=args.get("steps_per_epoch"), bf16=bf16, checkpoint=ckpt[1])
    t3 = time.perf_counter()
    ev = T.evaluate_subtasks(model, prep, data, args["eval_batch"], args["seed"], generate_captions=args["captions"],
                             prior_steps=args.get("prior_steps"))
    t4 = time.perf_counter()
    d = ev.pop("decoded")
    blurry = torch.from_numpy(ev.pop("blurry_frames"))
    per_video = {k: ({kk: torch.from_numpy(np.asarray(vv)) for kk, vv in v.items()} if isinstance(v, dict)
                     else torch.from_numpy(np.asarray(v))) for k, v in ev.pop("per_video").items()}
    shuffle = torch.from_numpy(np.asarray(ev.pop("shuffle")))
    result = {
        "metrics": ev,
        "decoded": {"blurry": blurry, "mask_probs": d["mask_probs"], "concept_probs": d["concept_probs"],
                    "top_concept": d["top_concept"], "captions": list(d["captions"]), "text_emb": d["text_emb"]},
        "per_video": per_video, "shuffle": shuffle,
        "history": {"stage1": h1, "stage2": h2},
        "seconds": {"prepare": t1 - t0, "stage1": t2 - t1, "stage2": t3 - t2, "evaluate": t4 - t3},
        "config": cfg.to_dict(), "args": args, "weights": {"gpt2": model.text_dec.weights},
    }
    if cache and stage1_state is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            torch.save(result, tmp)
    if return_model:
        result = dict(result, model=model, stage1_state=s1_state, prep=prep)
    return result


def run_ablations(root, subject: int = 1, ablations=None, stage2_epochs: int = 2, cache: bool = True,
                  **kwargs) -> dict:
    """The subtask ablation (paper Table, S1): stage 1 once, then stage 2 per configuration, same seed.

    Parameters
    ----------
    ablations : dict, optional
        ``name -> dict(subtasks=..., progressive=...)``; default :data:`neurokit.neurons.train.ABLATIONS`.
    stage2_epochs : int
        Stage-2 epochs of every configuration.
    **kwargs
        Passed to :func:`run_decoding` (stage-1 settings, batch sizes, seed…).

    Returns
    -------
    dict
        ``name -> metrics`` (see :func:`neurokit.neurons.train.evaluate_subtasks`).
    """
    ablations = ablations or ABLATIONS
    key = sha256_json({"ablations": ablations, "subject": subject, "stage2_epochs": stage2_epochs,
                       "data": data_fingerprint(root), **{k: (sorted(v) if isinstance(v, tuple) else v)
                                                          for k, v in kwargs.items()}, "version": 3})[:16]
    path = cache_home() / "neurons" / f"ablations-{key}.pt"
    if cache and path.exists():
        return torch.load(path, weights_only=True)
    kwargs = dict(kwargs)
    for k in ("subtasks", "progressive", "stage2_epochs", "return_model", "stage1_state", "cache", "captions",
              "prepared"):
        kwargs.pop(k, None)
    out, state, prep = {}, None, None
    for name, ab in ablations.items():
        r = run_decoding(root, subject, stage2_epochs=stage2_epochs, subtasks=tuple(ab["subtasks"]),
                         progressive=bool(ab["progressive"]), stage1_state=state, return_model=True, cache=False,
                         captions=False, prepared=prep, **kwargs)
        state, prep = r["stage1_state"], r["prep"]
        out[name] = r["metrics"]
    if cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            torch.save(out, tmp)
    return out
