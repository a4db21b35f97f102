"""Vi-ST training loop: the authors' recipe (AdamW, warm-up + cosine, SWA, BN recompute), resumable.

Recipe (from the authors' configs and training logs)
    * AdamW, lr 8e-4, weight decay 0.1, other defaults, all parameters.
    * Per-epoch schedule (:func:`lr_schedule`): linear warm-up 5e-5 → 8e-4 over 5 epochs, then cosine to
      1e-4 with T_max = 25 epochs; from epoch 20 stochastic weight averaging (SWA) takes over the learning
      rate: cosine annealing from the current value to the SWA lr 1e-4 over 5 epochs, then constant — this
      reproduces the learning rates logged by the authors (5e-5, 2e-4, …, 7.972e-4, …, 3.844e-4 at epoch 19,
      3.573e-4, 2.862e-4, 1.983e-4, 1.272e-4, 1e-4, …).
    * SWA averages the weights at the end of every epoch from epoch 20 on; after the last epoch the average
      replaces the model and one forward pass over the training batches (train mode, no update) recomputes
      the BatchNorm statistics (the authors' "epoch 30" rows). The final model is this SWA model (the
      authors test ``last.ckpt``).
    * 30 epochs x 48 batches of 16 windows of 128 frames; windows never cross a split boundary; a fresh
      random permutation each epoch of which only the first ``batches·batch_size`` windows are used.
    * bf16 autocast on CUDA only (CPU runs in float32).

Checkpoints (``<dir>/last.pt``) are written atomically after every epoch and loaded with
``torch.load(weights_only=True)``; a killed run called again with the same directory resumes after the last
finished epoch and gives the same result as an uninterrupted run (CPU, same seed).
"""
from __future__ import annotations

import logging
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import torch

from neurokit._io import atomic_path
from neurokit.config import resolve_device
from neurokit.errors import InputError, DataError

log = logging.getLogger(__name__)


def lr_schedule(epoch: int, lr: float = 8e-4, lr_start: float = 5e-5, lr_min: float = 1e-4, warmup: int = 5,
                epochs: int = 30, swa_start: int | None = 20, swa_lr: float = 1e-4, swa_anneal: int = 5) -> float:
    """Learning rate of ``epoch`` (0-based) under the authors' OneCycleCos + SWA schedule.

    Parameters
    ----------
    epoch : int
    lr, lr_start, lr_min : float
        Peak, initial and final (cosine floor) learning rates.
    warmup : int
        Linear warm-up epochs (``LinearLR`` with start factor lr_start/lr, ``total_iters=warmup``).
    epochs : int
        ``T_max`` of the schedule: the cosine runs over ``epochs - warmup`` epochs.
    swa_start : int or None
        First SWA epoch (None: no SWA, plain OneCycleCos).
    swa_lr, swa_anneal : float, int
        SWA learning rate and the number of cosine-annealing epochs toward it (``SWALR``).

    Returns
    -------
    float
    """
    if epoch < 0:
        raise InputError(f"epoch must be >= 0, got {epoch}.")

    def base(e: int) -> float:
        if e < warmup:
            return lr * (lr_start / lr + (1 - lr_start / lr) * e / warmup)
        return lr_min + (lr - lr_min) * (1 + math.cos(math.pi * (e - warmup) / (epochs - warmup))) / 2

    if swa_start is None or epoch < swa_start:
        return base(epoch)
    lr0 = base(swa_start - 1)  # SWALR starts from the lr in effect when it takes over
    k = epoch - swa_start + 1
    t = min(1.0, k / max(1, swa_anneal))
    alpha = (1 - math.cos(math.pi * t)) / 2
    return swa_lr * alpha + lr0 * (1 - alpha)


@dataclass
class TrainConfig:
    """Training knobs; the defaults are the paper's recipe.

    Attributes
    ----------
    epochs, batches_per_epoch, batch_size, window : int
        30, 48, 16, 128 in the paper.
    lr, weight_decay, lr_start, lr_min, warmup : float/int
        AdamW and schedule (see :func:`lr_schedule`).
    swa_start : int or None
        20; None disables SWA. Values >= epochs also disable it.
    swa_lr, swa_anneal : float, int
    seed : int
        Seeds the window sampler, dropout and initialisation (the authors ran unseeded).
    device : str
        "auto", "cpu" or "cuda".
    bf16 : bool or None
        bf16 autocast; None = on CUDA only.
    eval_every : int
        Evaluate the validation sequences every k epochs (0: only at the end).
    """

    epochs: int = 30
    batches_per_epoch: int = 48
    batch_size: int = 16
    window: int = 128
    lr: float = 8e-4
    weight_decay: float = 0.1
    lr_start: float = 5e-5
    lr_min: float = 1e-4
    warmup: int = 5
    swa_start: int | None = 20
    swa_lr: float = 1e-4
    swa_anneal: int = 5
    seed: int = 0
    device: str = "auto"
    bf16: bool | None = None
    eval_every: int = 1

    def lr_at(self, epoch: int) -> float:
        swa = self.swa_start if (self.swa_start is not None and self.swa_start < self.epochs) else None
        return lr_schedule(epoch, self.lr, self.lr_start, self.lr_min, self.warmup, self.epochs, swa,
                           self.swa_lr, self.swa_anneal)


@dataclass
class Sequence_:
    """One recording segment: ``inputs`` (T, …) aligned with ``target`` (T, cells), ``rf`` (cells, g, g)."""

    inputs: np.ndarray
    target: np.ndarray
    rf: np.ndarray | None = None


@dataclass
class TrainResult:
    """What :func:`train` returns: the final (SWA) model, the per-epoch history and timings."""

    model: torch.nn.Module
    history: list = field(default_factory=list)
    seconds: float = 0.0
    seconds_per_epoch: float = 0.0
    resumed_from: int = 0


def _window_index(segments: Sequence[Sequence_], window: int) -> list[tuple[int, int]]:
    idx = []
    for s_i, seg in enumerate(segments):
        n = len(seg.target) - window
        if n <= 0:
            raise InputError(f"training segment {s_i} has {len(seg.target)} frames, fewer than the window "
                             f"{window} + 1; use a shorter window or longer segments.")
        idx.extend((s_i, k) for k in range(n))  # the code's L - W start positions per half
    return idx


def _batch(segments, picks, window, device):
    x = torch.from_numpy(np.stack([segments[s].inputs[k : k + window] for s, k in picks])).to(device)
    y = torch.from_numpy(np.stack([segments[s].target[k : k + window] for s, k in picks])).float().to(device)
    rf = None
    if segments[0].rf is not None:
        rf = torch.from_numpy(np.stack([segments[s].rf for s, _ in picks])).float().to(device)
    return x.float() if x.dtype != torch.uint8 else x, y, rf


@torch.no_grad()
def predict(model: torch.nn.Module, inputs: np.ndarray, rf: np.ndarray | None = None, device: str = "auto",
            bf16: bool | None = None) -> np.ndarray:
    """Run ``model`` (eval mode) over one whole sequence ``inputs`` (T, …); returns (cells, T) float32."""
    dev = resolve_device(device)
    model.eval().to(dev)
    a = np.asarray(inputs)
    x = torch.from_numpy(a if a.flags.writeable else a.copy())[None].to(dev)  # joblib memmaps are read-only
    x = x.float() if x.dtype != torch.uint8 else x
    r = None if rf is None else torch.from_numpy(np.array(rf, dtype=np.float32))[None].to(dev)
    use_bf16 = (dev.type == "cuda") if bf16 is None else bf16
    with torch.autocast(device_type=dev.type, dtype=torch.bfloat16, enabled=use_bf16):
        out = model(x, r)
    return out[0].float().cpu().numpy()


def _recompute_bn(model, segments, cfg, device, rng):
    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if not bns:
        return
    moms = [m.momentum for m in bns]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average over the pass
    model.train()
    idx = _window_index(segments, cfg.window)
    order = rng.permutation(len(idx))[: cfg.batches_per_epoch * cfg.batch_size]
    with torch.no_grad():
        for b in range(0, len(order), cfg.batch_size):
            x, _, rf = _batch(segments, [idx[i] for i in order[b : b + cfg.batch_size]], cfg.window, device)
            model(x, rf)
    for m, mom in zip(bns, moms):
        m.momentum = mom


def train(model: torch.nn.Module, train_segments: Sequence[Sequence_], val_segments: Sequence[Sequence_] = (),
          config: TrainConfig | None = None, loss_fn: torch.nn.Module | None = None, checkpoint_dir=None,
          resume: bool = True, progress: bool = False, stop_after: int | None = None) -> TrainResult:
    """Train ``model`` with the Vi-ST recipe.

    Parameters
    ----------
    model : torch.nn.Module
        Called as ``model(x, rf)`` with x (B, window, …) and rf (B, cells, g, g) or None; returns (B, cells, T).
    train_segments : sequence of :class:`Sequence_`
        Training segments (e.g. the two halves of the training movie); windows never cross segments.
    val_segments : sequence of :class:`Sequence_`
        Each evaluated as one whole sequence; ``val_corr`` = mean ``|r|`` over cells of the joined segments.
    config : TrainConfig
    loss_fn : module, optional
        ``loss(y_hat (B, C, T), y (B, T, C))``; default :class:`neurokit.vist.loss.ViSTLoss`.
    checkpoint_dir : path, optional
        Where ``last.pt`` is written after every epoch (atomic) and resumed from.
    resume : bool
        Resume from ``checkpoint_dir/last.pt`` when it exists.
    progress : bool
        tqdm bar over epochs.
    stop_after : int, optional
        Stop after this many epochs in this call (simulates a killed run; for tests).

    Returns
    -------
    TrainResult
    """
    from neurokit._progress import tqdm

    from neurokit.vist.loss import ViSTLoss
    from neurokit.vist.metrics import pearson_cc

    cfg = config or TrainConfig()
    dev = resolve_device(cfg.device)
    use_bf16 = (dev.type == "cuda") if cfg.bf16 is None else cfg.bf16
    loss_fn = loss_fn or ViSTLoss()
    torch.manual_seed(cfg.seed)
    model.to(dev)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=cfg.lr_at(0), weight_decay=cfg.weight_decay)
    swa_on = cfg.swa_start is not None and cfg.swa_start < cfg.epochs
    swa = torch.optim.swa_utils.AveragedModel(model) if swa_on else None
    history: list[dict] = []
    start = 0
    ckpt = Path(checkpoint_dir) / "last.pt" if checkpoint_dir is not None else None
    if ckpt is not None and resume and ckpt.is_file():
        try:
            state = torch.load(ckpt, map_location=dev, weights_only=True)
        except Exception as err:  # truncated file (OSError/RuntimeError) or refused globals (UnpicklingError)
            raise DataError(
                f"cannot read the checkpoint {ckpt} with torch.load(weights_only=True): {type(err).__name__}: "
                f"{str(err).splitlines()[0][:200]}. It is corrupted or not a neurokit checkpoint (it is never "
                "loaded unsafely); delete it to start over, or pass resume=False."
            ) from err
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        if swa is not None and "swa" in state:
            swa.load_state_dict(state["swa"])
        torch.set_rng_state(state["torch_rng"])
        history = [dict(zip(state["history_keys"], row)) for row in state["history"].tolist()]
        start = int(state["epoch"]) + 1
        log.info("resuming from %s after epoch %d", ckpt, start - 1)
    idx = _window_index(train_segments, cfg.window)
    n_use = cfg.batches_per_epoch * cfg.batch_size
    if n_use > len(idx):
        log.info("only %d windows available for %d per epoch; sampling with wrap-around", len(idx), n_use)
    t0 = time.perf_counter()
    done = 0
    for epoch in tqdm(range(start, cfg.epochs), disable=not progress, desc="epochs"):
        lr = cfg.lr_at(epoch)
        for g in opt.param_groups:
            g["lr"] = lr
        model.train()
        rng = np.random.default_rng([cfg.seed, epoch])  # epoch-keyed: identical after a resume
        order = rng.permutation(len(idx))
        order = np.resize(order, n_use)
        losses = []
        for b in range(cfg.batches_per_epoch):
            picks = [idx[i] for i in order[b * cfg.batch_size : (b + 1) * cfg.batch_size]]
            x, y, rf = _batch(train_segments, picks, cfg.window, dev)
            with torch.autocast(device_type=dev.type, dtype=torch.bfloat16, enabled=use_bf16):
                y_hat = model(x, rf)
            loss = loss_fn(y_hat.float(), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
        if swa is not None and epoch >= cfg.swa_start:
            swa.update_parameters(model)
        row = {"epoch": float(epoch), "lr": lr, "train_loss": float(np.mean(losses)), "val_corr": float("nan")}
        if val_segments and cfg.eval_every and (epoch + 1) % cfg.eval_every == 0:
            preds = [predict(model, s.inputs, s.rf, device=str(dev), bf16=use_bf16) for s in val_segments]
            tg = [s.target.T for s in val_segments]
            row["val_corr"] = pearson_cc(np.concatenate(preds, 1), np.concatenate(tg, 1))[1]
        history.append(row)
        if ckpt is not None:
            keys = list(history[0])
            state = {"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": epoch,
                     "torch_rng": torch.get_rng_state(), "history_keys": keys,
                     "history": torch.tensor([[h[k] for k in keys] for h in history], dtype=torch.float64)}
            if swa is not None:
                state["swa"] = swa.state_dict()
            with atomic_path(ckpt, suffix=".pt") as tmp:
                torch.save(state, tmp)
        done += 1
        if stop_after is not None and done >= stop_after and epoch + 1 < cfg.epochs:
            return TrainResult(model, history, time.perf_counter() - t0, 0.0, start)
    if swa is not None:
        # copy the averaged weights into the model, then recompute BatchNorm statistics ("epoch 30")
        for p, q in zip(model.parameters(), swa.module.parameters()):
            p.data.copy_(q.data)
        _recompute_bn(model, train_segments, cfg, dev, np.random.default_rng([cfg.seed, cfg.epochs]))
    model.eval()
    secs = time.perf_counter() - t0
    return TrainResult(model, history, secs, secs / max(1, done), start)


def config_dict(cfg: TrainConfig) -> dict:
    """The config as a plain dict (for result records)."""
    return asdict(cfg)
