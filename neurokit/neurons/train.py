"""Training and evaluation of NEURONS on a cc2017-layout data set (Wang et al. 2025;
the authors' ``train_neurons.py`` and, for the sub-task metrics, ``eval_metrics.py``).

Stage 1 trains the ridge + backbone with BiMixCo on the frame tokens (temperature 0.006) plus 0.25 × InfoNCE
of ``CLIPProj(clip_vision_embeds)`` against the caption embedding; repetition ``epoch % 2`` and target frame
``2 + epoch % 2``. Stage 2 freezes them and trains the prior, motion projection and the four heads with
``30 L_prior + L_clipv + L_clipt + w1 L_seg + w2 L_cls + w3 L_txt + w4 L_rec`` (:func:`neurokit.neurons.losses.loss_weights`).

Stand-ins in the simulated profiles (labelled wherever results are shown):

* **frame tokens** (the paper's OpenCLIP bigG image tokens, 256×1664): :func:`frame_tokens`, a fixed random
  projection of the pixels of a g×g patch grid (g² tokens), plus the caption embedding, plus a key-object vector
  on the patches the key object covers (CLIP patch tokens carry what lies in the patch; pixel projections do not);
* **caption embeddings** (bigG pooled text, 1280-d): MiniLM sentence embeddings (384-d) or bag-of-words;
* **CLIPProj** (MindEye2's fixed COCO map): a least-squares map from mean frame tokens to caption embeddings,
  fitted once on the training split and then frozen;
* **blurry-video target** (SD-1.5 VAE latents): RGB frames at the decoder's output size, scaled to [-1, 1];
* **optimiser**: AdamW + OneCycle as published, with a larger ``lr`` for the short CPU schedule.
"""
from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from neurokit._io import atomic_path
from neurokit._progress import tqdm
from neurokit.errors import InputError, UnknownNameError
from neurokit.neurons import losses as L
from neurokit.neurons import metrics as M
from neurokit.neurons.model import NeuronsModel
from neurokit.neurons.text import WordTokenizer, bleu1, embed_captions, motion_phrase

logger = logging.getLogger(__name__)

__all__ = ["limit_threads", "frame_tokens", "Prepared", "prepare", "train_stage1", "train_stage2", "evaluate_subtasks",
           "ABLATIONS", "to_uint8_frames", "EpochCheckpoint"]

#: Stage-2 ablations of the paper's Table (subtasks switched on, progressive schedule on/off).
ABLATIONS = {
    "brain model + L_rec": dict(subtasks=("rec",), progressive=False),
    "+ L_seg": dict(subtasks=("rec", "seg"), progressive=False),
    "+ L_cls": dict(subtasks=("rec", "seg", "cls"), progressive=False),
    "+ L_txt": dict(subtasks=("rec", "seg", "cls", "txt"), progressive=False),
    "+ progressive learning": dict(subtasks=("rec", "seg", "cls", "txt"), progressive=True),
}


@contextlib.contextmanager
def limit_threads(n: int | None = 1):
    """Run torch with ``n`` intra-op threads inside the block (``None``: leave as is).

    The CPU-sized NEURONS models gain nothing from intra-op parallelism, and on a shared machine OpenMP's
    spin-waiting makes two threads **twenty times slower** than one (measured: 2 stage-1 epochs took 113 s with
    2 threads and 5 s with 1 under a load of 14 on 2 cores).
    """
    if n is None:
        yield
        return
    old = torch.get_num_threads()
    torch.set_num_threads(int(n))
    try:
        yield
    finally:
        torch.set_num_threads(old)


def frame_tokens(frames, n_tokens: int, dim: int, seed: int = 0, semantic=None, objects=None, object_text=None,
                 object_scale: float = 1.0):
    """Stand-in for bigG image tokens: a fixed random projection of each patch of a g×g grid, plus (optionally) a
    clip-level semantic vector added to every token and a local object vector added where the object is.

    CLIP image tokens carry both local appearance and global semantics (their mean is what ``CLIPProj`` maps to
    the caption space). Pixel patches alone have no semantics in their mean, so the embedded profile adds a fixed
    random projection of the clip's caption embedding to every token (``semantic``): our stand-in, labelled.

    Parameters
    ----------
    frames : array of shape (n, F, 3, H, W) in [0, 1]
    n_tokens : int
        g² tokens (H and W must be divisible by g).
    dim : int
        Token width.
    seed : int
        Seed of the projection (the same for every frame and split).
    semantic : array of shape (n, T), optional
        Clip-level semantic vectors (caption embeddings), projected to ``dim`` and added to every token.
    objects : array of shape (n, F, H, W) in [0, 1], optional
        An object's mask per frame. CLIP patch tokens carry the semantics of what lies in the patch (which is how
        NEURONS can segment from them); pixel patches do not, so each token gets a fixed "object here" vector plus
        a projection of ``object_text`` (the object's class name embedding), times the share of the patch the
        object covers, times ``object_scale``.
    object_text : array of shape (n, T), optional
        Class-name embedding of each clip's object (required with ``objects``).

    Returns
    -------
    tensor of shape (n, F, n_tokens, dim), float32
    """
    x = torch.as_tensor(np.asarray(frames), dtype=torch.float32)
    n, f, c, h, w = x.shape
    g = int(round(np.sqrt(n_tokens)))
    if g * g != n_tokens or h % g or w % g:
        raise InputError(f"frames {h}×{w} cannot be cut into a {g}×{g} grid for {n_tokens} tokens.")
    p = x.reshape(n, f, c, g, h // g, g, w // g).permute(0, 1, 3, 5, 2, 4, 6).reshape(n, f, g * g, -1)
    gen = torch.Generator().manual_seed(seed)
    proj = torch.randn(p.shape[-1], dim, generator=gen) / np.sqrt(p.shape[-1])
    tokens = (p - 0.5) @ proj * 2
    if semantic is not None:
        sem = torch.as_tensor(np.asarray(semantic), dtype=torch.float32)
        if len(sem) != n:
            raise InputError(f"semantic has {len(sem)} rows for {n} clips.")
        sem = sem / sem.norm(dim=1, keepdim=True).clamp_min(1e-8)
        sp = torch.randn(sem.shape[1], dim, generator=gen)
        tokens = tokens + (sem @ sp)[:, None, None, :]
    if objects is not None:
        ob = torch.as_tensor(np.asarray(objects), dtype=torch.float32)
        if ob.shape != (n, f, h, w) or object_text is None or len(object_text) != n:
            raise InputError(f"objects must have shape {(n, f, h, w)} with one object_text row per clip.")
        cover = ob.reshape(n, f, g, h // g, g, w // g).mean((3, 5)).reshape(n, f, g * g, 1)
        ot = torch.as_tensor(np.asarray(object_text), dtype=torch.float32)
        ot = ot / ot.norm(dim=1, keepdim=True).clamp_min(1e-8)
        here = torch.randn(dim, generator=gen) + ot @ torch.randn(ot.shape[1], dim, generator=gen)
        tokens = tokens + object_scale * cover * here[:, None, None, :]  # (n, F, N, 1) * (n, 1, 1, dim)
    return tokens


def to_uint8_frames(x):
    """(…, 3, H, W) float in [0, 1] → (…, H, W, 3) uint8."""
    a = np.asarray(x)
    return (np.clip(np.moveaxis(a, -3, -1), 0, 1) * 255).round().astype(np.uint8)


@dataclass
class Prepared:
    """Targets and labels of one subject, ready for training (see :func:`prepare`)."""

    subj_idx: int
    train_tokens: torch.Tensor          # (n, F, N, C)
    train_cap: torch.Tensor             # (n, T)
    test_cap: torch.Tensor              # (m, T)
    tokenizer: WordTokenizer
    train_tok: torch.Tensor             # (n, L)
    concept_text: torch.Tensor          # (K, T)
    train_key_idx: torch.Tensor         # (n,) concept index of the key object
    test_key_idx: torch.Tensor
    train_masks: torch.Tensor           # (n, F, S, S)
    test_masks: torch.Tensor
    train_blurry: torch.Tensor          # (n, F, 3, S, S) in [-1, 1]
    train_fmri: torch.Tensor            # (n, 2, V)
    test_fmri: torch.Tensor             # (m, V)
    train_concepts: torch.Tensor        # (n, K)
    test_concepts: torch.Tensor
    text_method: str = "minilm"
    info: dict = field(default_factory=dict)


def _resize(x, size, mode):
    t = torch.as_tensor(np.asarray(x), dtype=torch.float32)
    shp = t.shape
    t = t.reshape(-1, *shp[-3:]) if t.ndim >= 4 and mode != "nearest" else t.reshape(-1, 1, *shp[-2:])
    kw = {} if mode == "nearest" else {"antialias": True, "align_corners": False}
    out = F.interpolate(t, size=(size, size), mode=mode, **kw)
    return out.reshape(*shp[:-2], size, size)


def prepare(data, model: NeuronsModel, text_method: str = "minilm", subj_idx: int = 0,
            semantic_tokens: bool = True, object_tokens: float = 1.0) -> Prepared:
    """Targets for ``data`` sized to ``model``; fits its CLIPProj.

    ``data`` holds one subject's arrays in the cc2017 layout as attributes: ``train_fmri``/``test_fmri``
    (clips, voxels), ``train_frames``/``test_frames`` (clips, 6, 3, H, W), masks, captions, concept labels and
    ``concept_names``, ``n_voxels``.

    ``semantic_tokens`` adds the caption embedding to the frame tokens; ``object_tokens`` is the scale of the
    local key-object vector added to the tokens of the patches the key object covers (0: none; see
    :func:`frame_tokens`)."""
    cfg = model.config
    if data.n_voxels != cfg.n_voxels[subj_idx]:
        raise InputError(f"subject has {data.n_voxels} voxels but the model's ridge {subj_idx} expects "
                         f"{cfg.n_voxels[subj_idx]}; build the config with n_voxels from the data.")
    if len(data.concept_names) != cfg.n_concepts:
        raise InputError(f"data has {len(data.concept_names)} concepts, the model {cfg.n_concepts}.")
    tr_cap = torch.from_numpy(embed_captions(data.train_captions, text_method, cfg.text_dim))
    te_cap = torch.from_numpy(embed_captions(data.test_captions, text_method, cfg.text_dim))
    phrases = [f"a {n}" if not n.startswith("scene:") else f"a scene of {n[6:]}" for n in data.concept_names]
    concept_text = torch.from_numpy(embed_captions(phrases, text_method, cfg.text_dim))
    names = list(data.concept_names)
    key_idx = lambda ks: torch.tensor([names.index(k) if k in names else 0 for k in ks])
    train_key_idx = key_idx(data.train_key_class)
    objects = dict(objects=data.train_masks, object_text=concept_text[train_key_idx],
                   object_scale=object_tokens) if object_tokens else {}
    tokens = frame_tokens(data.train_frames, cfg.n_tokens, cfg.clip_dim, semantic=tr_cap if semantic_tokens else None,
                          **objects)
    tok = WordTokenizer(cfg.caption_len).fit(data.train_captions)
    if len(tok) > cfg.caption_vocab:
        raise InputError(f"caption vocabulary has {len(tok)} words but caption_vocab={cfg.caption_vocab}; raise it.")
    # CLIPProj stand-in: least squares from mean frame-2 tokens to the caption embedding (train split only)
    xm = tokens[:, 2].mean(1)
    sol = torch.linalg.lstsq(torch.cat([xm, torch.ones(len(xm), 1)], 1), tr_cap, driver="gelsd").solution
    model.clipproj.proj.copy_(sol[:-1])
    model.concept_text.data.copy_(concept_text)
    model.key_candidates.copy_(torch.tensor([not n.startswith("scene:") for n in data.concept_names]))
    S = cfg.out_size
    return Prepared(
        subj_idx=subj_idx, train_tokens=tokens, train_cap=tr_cap, test_cap=te_cap, tokenizer=tok,
        train_tok=torch.from_numpy(tok.encode(data.train_captions)), concept_text=concept_text,
        train_key_idx=train_key_idx, test_key_idx=key_idx(data.test_key_class),
        train_masks=(_resize(data.train_masks, S, "nearest") > 0.5).float(),
        test_masks=(_resize(data.test_masks, S, "nearest") > 0.5).float(),
        train_blurry=_resize(data.train_frames, S, "bilinear") * 2 - 1,
        train_fmri=torch.from_numpy(data.train_fmri), test_fmri=torch.from_numpy(data.test_fmri),
        train_concepts=torch.from_numpy(data.train_concepts.astype(np.float32)),
        test_concepts=torch.from_numpy(data.test_concepts.astype(np.float32)), text_method=text_method)


def _steps(n, batch_size, max_steps=None):
    """Batches per epoch: every full batch of the ``n`` clips (at least one), capped at ``max_steps``."""
    steps = max(n // batch_size, 1)
    return steps if max_steps is None else max(1, min(steps, int(max_steps)))


def _optim(params, lr, epochs, steps_per_epoch):
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    pct = min(2 / max(epochs, 1), 0.5)
    # OneCycleLR divides by the length of its warm-up phase, pct · total - 1 steps: at least 3 steps in all (a run of
    # one or two steps only uses the first ones)
    total = max(epochs * steps_per_epoch, int(np.ceil(1 / pct)) + 1, 3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=total, final_div_factor=1000,
                                                pct_start=pct, last_epoch=-1)
    return opt, sched


class EpochCheckpoint:
    """The state of a training stage after each epoch, written atomically to ``path``: a run that stops (a crash, a
    lost GPU lease) starts again after its last completed epoch with the same numbers as an uninterrupted run.

    Saved: the model, optimiser and learning-rate schedule, the data-order generator, torch's global random state
    (and CUDA's) and the per-epoch history, with ``key`` (the run's settings) so that a checkpoint of another run
    is never resumed.
    """

    def __init__(self, path, key: str):
        self.path, self.key = Path(path), str(key)

    def load(self, model, opt, sched, gen):
        """Restore a checkpoint of this run if there is one. Returns ``(first epoch to run, history)``."""
        if not self.path.exists():
            return 0, []
        state = torch.load(self.path, map_location="cpu", weights_only=False)
        if state.get("key") != self.key:
            logger.warning("ignoring %s: it belongs to another run", self.path)
            return 0, []
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        gen.set_state(state["gen"])
        torch.set_rng_state(state["rng"])
        if state.get("cuda_rng") is not None and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(state["cuda_rng"])
        logger.info("resuming from %s after epoch %d", self.path, state["epoch"] + 1)
        return state["epoch"] + 1, list(state["history"])

    def save(self, epoch: int, model, opt, sched, gen, history) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        state = {"key": self.key, "epoch": int(epoch), "model": model.state_dict(), "opt": opt.state_dict(),
                 "sched": sched.state_dict(), "gen": gen.get_state(), "rng": torch.get_rng_state(),
                 "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
                 "history": list(history)}
        with atomic_path(self.path) as tmp:
            torch.save(state, tmp)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def _autocast(dev, bf16: bool):
    """bfloat16 autocast on the model's device ``dev`` (CPU or CUDA) when ``bf16``; losses are computed inside it
    too (autocast keeps softmax, log-softmax and the norms in float32)."""
    return torch.autocast(dev.type, dtype=torch.bfloat16, enabled=bool(bf16))


def train_stage1(model: NeuronsModel, prep: Prepared, epochs: int = 20, batch_size: int = 32, lr: float = 1e-3,
                 seed: int = 0, progress: bool = False, max_steps: int | None = None, bf16: bool = False,
                 checkpoint: EpochCheckpoint | None = None, stop_after: int | None = None) -> list[float]:
    """Stage 1 (brain model): BiMixCo on frame tokens + 0.25 × caption InfoNCE. Returns per-epoch mean losses.

    ``max_steps`` caps the batches of every epoch (``None``: all, as published; a rehearsal runs a few). The model
    trains on its own device (move it first; batches follow it) under bfloat16 autocast when ``bf16``. With a
    ``checkpoint`` every epoch is saved and a stopped run resumes; ``stop_after`` ends the call after that many
    epochs of this call (to test the resume)."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    dev = next(model.parameters()).device
    n = len(prep.train_fmri)
    steps = _steps(n, batch_size, max_steps)
    opt, sched = _optim(model.stage1_parameters(), lr, epochs, steps)
    start, history = checkpoint.load(model, opt, sched, gen) if checkpoint is not None else (0, [])
    model.train()
    for done, epoch in enumerate(tqdm(range(start, epochs), disable=not progress, desc="stage 1")):
        if stop_after is not None and done >= stop_after:
            break
        rep, frame = epoch % 2, 2 + epoch % 2
        perm = torch.randperm(n, generator=gen)
        losses = []
        for it in range(steps):
            idx = perm[it * batch_size:(it + 1) * batch_size]
            vox = prep.train_fmri[idx, rep].to(dev)
            vox, mperm, betas, select = L.mixco(vox, generator=gen)
            with _autocast(dev, bf16):
                cve = model.encode(vox, prep.subj_idx)
                pred = F.normalize(cve.flatten(1).float(), dim=-1)
                targ = F.normalize(prep.train_tokens[idx, frame].to(dev).flatten(1), dim=-1)
                loss = L.bimixco_loss(pred, targ, mperm.to(dev), betas, select, temp=0.006)
                txt = F.normalize(model.clipproj(cve).float(), dim=-1)
                loss = loss + 0.25 * L.info_nce(txt, F.normalize(prep.train_cap[idx].to(dev), dim=-1), 0.1)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            losses.append(loss.item())
        history.append(float(np.mean(losses)))
        if checkpoint is not None:
            checkpoint.save(epoch, model, opt, sched, gen, history)
    model.eval()
    return history


def train_stage2(model: NeuronsModel, prep: Prepared, epochs: int = 10, batch_size: int = 10, lr: float = 1e-3,
                 subtasks=("seg", "cls", "txt", "rec"), progressive: bool = True, prior_scale: float = 30.0,
                 rec_scale: float = 1.0, seed: int = 0, progress: bool = False,
                 max_steps: int | None = None, bf16: bool = False, checkpoint: EpochCheckpoint | None = None,
                 stop_after: int | None = None) -> list[dict]:
    """Stage 2 (decoupler): the prior, motion projection and the subtask heads on the frozen backbone.

    Parameters
    ----------
    subtasks : subset of {"seg", "cls", "txt", "rec"}
        Heads whose losses are used (the others get weight 0): the ablation switch.
    progressive : bool
        Use :func:`~neurokit.neurons.losses.loss_weights`; else every weight is 1.
    rec_scale : float
        Extra factor on the blurry-video loss (1 as published). The progressive schedule peaks each task at
        10× only when stage 2 has >= 5 epochs; in shorter CPU schedules every weight stays 1 and the shared
        decoder serves the Dice loss alone, so the embedded profile raises this.
    max_steps : int, optional
        Cap on the batches of every epoch (``None``: all, as published; a rehearsal runs a few).
    bf16, checkpoint, stop_after
        As :func:`train_stage1`.

    Returns
    -------
    list of dict
        Per-epoch mean of each loss term.
    """
    bad = set(subtasks) - set(L.SUBTASKS)
    if bad:
        raise UnknownNameError("subtask", sorted(bad)[0], L.SUBTASKS)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1)
    for p in model.stage1_parameters():
        p.requires_grad_(False)
    n = len(prep.train_fmri)
    dev = next(model.parameters()).device
    steps = _steps(n, batch_size, max_steps)
    opt, sched = _optim(model.stage2_parameters(), lr, epochs, steps)
    start, history = checkpoint.load(model, opt, sched, gen) if checkpoint is not None else (0, [])
    temps = L.cosine_anneal(0.004, 0.0075, epochs)
    model.train()
    model.ridge.eval(); model.backbone.eval()
    bce = torch.nn.BCEWithLogitsLoss()
    ce = torch.nn.CrossEntropyLoss(ignore_index=0, label_smoothing=0.1)
    f = model.config.n_frames
    for done, epoch in enumerate(tqdm(range(start, epochs), disable=not progress, desc="stage 2")):
        if stop_after is not None and done >= stop_after:
            break
        perm = torch.randperm(n, generator=gen)
        acc = {}
        for it in range(steps):
            idx = perm[it * batch_size:(it + 1) * batch_size]
            b = _Batch(prep, idx, dev)
            with torch.no_grad(), _autocast(dev, bf16):
                cve = model.encode(b.fmri, prep.subj_idx)
            terms = {}
            with _autocast(dev, bf16):
                loss = _stage2_loss(model, prep, b, cve, terms, subtasks, progressive, epochs, epoch, it, steps,
                                    float(temps[epoch]), prior_scale, rec_scale, gen, bce, ce)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            for k, v in terms.items():
                acc.setdefault(k, []).append(float(v.detach()))
        history.append({k: float(np.mean(v)) for k, v in acc.items()})
        if checkpoint is not None:
            checkpoint.save(epoch, model, opt, sched, gen, history)
    model.eval()
    return history


class _Batch:
    """One stage-2 batch of the prepared targets, on the model's device."""

    def __init__(self, prep: Prepared, idx, dev):
        self.fmri = prep.train_fmri[idx, 0].to(dev)
        self.tokens = prep.train_tokens[idx].to(dev)
        self.cap = prep.train_cap[idx].to(dev)
        self.key_text = prep.concept_text[prep.train_key_idx[idx]].to(dev)
        self.masks = prep.train_masks[idx].to(dev)
        self.concepts = prep.train_concepts[idx].to(dev)
        self.tok = prep.train_tok[idx].to(dev)
        self.blurry = prep.train_blurry[idx].to(dev)


def _stage2_loss(model, prep, b: _Batch, cve, terms, subtasks, progressive, epochs, epoch, it, steps, temp,
                 prior_scale, rec_scale, gen, bce, ce):
    """The stage-2 loss of one batch; fills ``terms`` with its parts."""
    if model.prior is not None:
        terms["prior"], prior_out = model.prior.loss(cve, b.tokens[:, 2], generator=gen)
    else:
        prior_out = cve
    motion = model.motion(prior_out)
    terms["clipv"] = L.soft_clip_loss(F.normalize(motion.flatten(2, 3).float(), dim=-1).flatten(0, 1),
                                      F.normalize(b.tokens.flatten(2, 3), dim=-1).flatten(0, 1), temp=temp)
    text_emb = model.text_embedding(motion)
    text_norm = F.normalize(text_emb.float(), dim=-1)
    terms["clipt"] = L.info_nce(text_norm, F.normalize(b.cap, dim=-1), 0.1)
    if "seg" in subtasks:
        logits = model.segment(motion, b.key_text)
        terms["seg"] = L.dice_loss(logits.flatten(0, 1)[:, None].float(), b.masks.flatten(0, 1)[:, None])
    if "cls" in subtasks:
        terms["cls"] = bce(model.concepts(motion).float(), b.concepts)
    if "txt" in subtasks:
        logits = model.text_dec(text_norm, b.tok)
        terms["txt"] = ce(logits.reshape(-1, logits.shape[-1]).float(), b.tok.flatten())
    if "rec" in subtasks:
        terms["rec"] = F.l1_loss(model.blurry(motion).float(), b.blurry)
    w = L.loss_weights(epochs, epoch, it, steps) if progressive else [1.0] * 4
    wd = dict(zip(L.SUBTASKS, w))
    wd["rec"] *= rec_scale
    loss = terms["clipv"] + terms["clipt"] + prior_scale * terms.get("prior", 0.0)
    for k in L.SUBTASKS:
        if k in terms:
            loss = loss + wd[k] * terms[k]
    return loss


@torch.no_grad()
def decode_test(model: NeuronsModel, prep: Prepared, batch_size: int = 20, seed: int = 0, sample_prior: bool = True,
                generate_captions: bool = True, prior_steps: int | None = None):
    """Decode the test fMRI in batches of ``batch_size`` (20 at inference in the paper: it matters when
    ``batch_coupled``). Returns a dict of concatenated outputs (see :meth:`NeuronsModel.decode`) plus
    ``captions`` (greedy scene descriptions)."""
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    dev = next(model.parameters()).device
    outs = []
    for s in range(0, len(prep.test_fmri), batch_size):
        o = model.decode(prep.test_fmri[s:s + batch_size].to(dev), prep.subj_idx, sample_prior=sample_prior,
                         generator=gen, prior_steps=prior_steps)
        if generate_captions:
            ids = model.text_dec.generate(F.normalize(o["text_emb"], dim=-1), WordTokenizer.SOT, WordTokenizer.EOT)
            o["captions"] = [prep.tokenizer.decode(i) for i in ids]
        else:
            o["captions"] = [""] * len(o["text_emb"])
        outs.append({k: (v.cpu() if torch.is_tensor(v) else v) for k, v in o.items()})
    res = {k: torch.cat([o[k] for o in outs]) for k in outs[0] if k != "captions"}
    res["captions"] = [c for o in outs for c in o["captions"]]
    return res


def evaluate_subtasks(model: NeuronsModel, prep: Prepared, data, batch_size: int = 20, seed: int = 0,
                      decoded=None, generate_captions: bool = True, prior_steps: int | None = None) -> dict:
    """Sub-task scores on the test split, each beside its chance level (shuffled-clip or analytic).

    Returns
    -------
    dict
        ``seg_dice``/``seg_iou`` (threshold 0.5, per clip over its frames, mean) and ``seg_dice_chance``
        (prediction scored against the masks of another clip), ``seg_dice_published`` (sigmoid-of-binary);
        ``concept_auc`` (macro ROC AUC, chance 0.5), ``concept_top1`` and its chance, ``concept_2way``
        (published N-way protocol with the positive concepts as GT ids) and its exact chance;
        ``caption_top1`` (retrieval among the test captions, chance 1/m) and ``caption_2way`` (chance 0.5);
        ``caption_key_word`` (generated caption names the key object) and its majority-class chance,
        ``caption_verb_acc`` (the generated caption's verb phrase, "stays still" or "moves … <direction>",
        matches the true one) and its majority-class chance, ``caption_bleu1``;
        ``blurry_pixcorr``/``blurry_ssim``/``blurry_ssim_2d``/``blurry_psnr`` and their ``*_chance`` (the same
        decoded video scored against another clip, a fixed derangement ``shuffle``: the shuffled-fMRI control of a
        per-sample decoder); ``per_video`` (arrays for bootstrap intervals); plus ``decoded`` (the raw outputs). Without ``generate_captions`` (greedy decoding is the
        slow part) the two generated-caption scores are NaN.
    """
    from sklearn.metrics import roc_auc_score

    d = decoded if decoded is not None else decode_test(model, prep, batch_size, seed,
                                                        generate_captions=generate_captions, prior_steps=prior_steps)
    rng = np.random.RandomState(seed)
    m = len(prep.test_fmri)
    shuffle = np.roll(np.arange(m), 1 + m // 3)
    out = {}
    pred_m = (d["mask_probs"] > 0.5).numpy()
    gt_m = prep.test_masks.numpy()
    per_dice = np.array([M.dice_score(pred_m[i], gt_m[i]) for i in range(m)])
    per_dice_sh = np.array([M.dice_score(pred_m[i], gt_m[shuffle[i]]) for i in range(m)])
    out["seg_dice"], out["seg_dice_chance"] = float(per_dice.mean()), float(per_dice_sh.mean())
    out["seg_iou"] = float(np.mean([M.iou_score(pred_m[i], gt_m[i]) for i in range(m)]))
    out["seg_dice_published"] = float(np.mean([M.dice_published(pred_m[i], gt_m[i]) for i in range(m)]))
    probs = d["concept_probs"].numpy()
    y = prep.test_concepts.numpy()
    cols = [k for k in range(y.shape[1]) if 0 < y[:, k].sum() < m]
    out["concept_auc"] = float(np.mean([roc_auc_score(y[:, k], probs[:, k]) for k in cols]))
    out["concept_top1"] = float(np.mean(y[np.arange(m), probs.argmax(1)]))
    out["concept_top1_chance"] = float(np.mean(y.sum(1) / y.shape[1]))
    accs, chances = [], []
    for p, row in zip(probs, y):
        gt = np.flatnonzero(row)
        accs.append(M.n_way_top_k_acc(p, gt, 2, 100, 1, rng)[0])
        chances.append(M.n_way_chance(2, len(gt), 1))
    out["concept_2way"], out["concept_2way_chance"] = float(np.mean(accs)), float(np.mean(chances))
    out["concept_recall"] = M.per_class_recall(probs, y).tolist()
    sim = F.normalize(d["text_emb"], dim=-1) @ F.normalize(prep.test_cap, dim=-1).T
    sim = sim.numpy()
    out["caption_top1"] = float(np.mean(sim.argmax(1) == np.arange(m)))
    out["caption_top1_chance"] = 1.0 / m
    diag = np.diag(sim)[:, None]
    out["caption_2way"] = float(((diag > sim).sum(1) / (m - 1)).mean())
    out["caption_2way_chance"] = 0.5
    keys = list(data.test_key_class)
    gen_caps = d["captions"]
    out["caption_key_word"] = float(np.mean([k in c.split() for k, c in zip(keys, gen_caps)]))
    tr_keys = list(data.train_key_class)
    out["caption_key_word_chance"] = float(max(tr_keys.count(k) for k in set(tr_keys)) / len(tr_keys))
    out["caption_bleu1"] = float(np.mean([bleu1(c, r) for c, r in zip(gen_caps, data.test_captions)]))
    true_verbs = [motion_phrase(c) for c in data.test_captions]
    out["caption_verb_acc"] = float(np.mean([motion_phrase(c) == v for c, v in zip(gen_caps, true_verbs)]))
    tr_verbs = [motion_phrase(c) for c in data.train_captions]
    out["caption_verb_acc_chance"] = float(max(tr_verbs.count(v) for v in set(tr_verbs)) / len(tr_verbs))
    if decoded is None and not generate_captions:
        out["caption_key_word"] = out["caption_bleu1"] = out["caption_verb_acc"] = float("nan")
    H = data.test_frames.shape[-1]
    blurry = (d["blurry"].clamp(-1, 1) + 1) / 2
    blurry = F.interpolate(blurry.flatten(0, 1), size=(H, H), mode="bilinear", align_corners=False)
    blurry = blurry.reshape(m, -1, 3, H, H).numpy()
    pv, gv = to_uint8_frames(blurry), to_uint8_frames(data.test_frames)
    own, other = M.video_scores(pv, gv), M.video_scores(pv, gv[shuffle])
    for k in ("ssim", "ssim_2d", "psnr", "pixcorr"):
        out[f"blurry_{k}"], out[f"blurry_{k}_chance"] = float(np.mean(own[k])), float(np.mean(other[k]))
    out["per_video"] = {"blurry": own, "blurry_shuffled": other, "seg_dice": per_dice, "seg_dice_shuffled": per_dice_sh}
    out["shuffle"] = shuffle
    out["decoded"] = d
    out["blurry_frames"] = blurry
    return out
