"""Run settings of the Vi-ST study, per profile: one frozen record that every analysis of Part II reads.

Every trained model of a comparison gets the same recipe (:meth:`ViSTSettings.train_config`): the same number of
optimizer steps, batch, window, learning-rate schedule and seed. That is what "equal budget" means in the
chapters; the LN model and the feature ridge are fitted in closed form.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from neurokit.config import check_profile, rehearsing
from neurokit.errors import InputError, UnknownNameError

__all__ = ["ViSTSettings", "PROFILES", "STAND_INS", "settings", "rehearse", "REHEARSAL_RECIPE", "PAPER_RECIPE",
           "rehearsal_cuts"]

#: The authors' recipe cut, in a rehearsal of the paper profile, to the fewest repetitions that run every part of it
#: (counts only; the window of 128 frames, the 256 x 1024 tokens and the model are the paper's):
#:
#: * ``epochs``, ``warmup``, ``swa_start``, ``swa_anneal``: one warm-up epoch, one cosine epoch, one SWA epoch
#:   (annealing, averaging and the BatchNorm recomputation) instead of 5 + 15 + 10 of 30. With ``curve_every=1``
#:   the headline runs also stop after each epoch and resume from their checkpoint, so checkpoint reload runs too.
#: * ``batches_per_epoch``: 1 instead of 48 (each epoch's loop body runs once).
#: * ``batch_size``: 1 window per step instead of 16 (the paper's batch count subsampled by 16). The code is the same
#:   for any batch (BatchNorm still averages over 128 frames x 16 x 16 positions); a float32 step of 16 windows
#:   does not fit beside the data in a 23-GB machine's memory, and one step costs ~4-7 CPU seconds per window at
#:   the paper's shapes on this CPU.
#: * ``eval_frames``: every test sequence (movie 1's held-out half, its training half, each half of each cross
#:   store, and the learning-curve points) is scored on its first 128 frames instead of all 225 / 200. Every model
#:   of the study is causal (Vi-ST, the MS-TCN baselines, CRNN, the lagged LN and ridge readouts), so these are
#:   the first 128 frames of the whole-sequence prediction; scoring whole sequences cost as much as the training.
REHEARSAL_RECIPE = {"epochs": 3, "batches_per_epoch": 1, "warmup": 1, "swa_start": 2, "swa_anneal": 1,
                    "batch_size": 1, "eval_frames": 128}
#: The paper's counts that :data:`REHEARSAL_RECIPE` cuts (the authors' recipe: 30 epochs x 48 batches of 16 windows;
#: whole test sequences).
PAPER_RECIPE = {"epochs": 30, "batches_per_epoch": 48, "warmup": 5, "swa_start": 20, "swa_anneal": 5,
                "batch_size": 16, "eval_frames": 0}


@dataclass(frozen=True)
class ViSTSettings:
    """The settings of one build of Part II.

    Attributes
    ----------
    profile : {"smoke", "embedded", "paper"}
    seed : int
        Simulation seed and the training seed of the reference runs.
    video_layers, video_dim : int
        Depth and width of the C3TCN of Vi-ST and of the MS-TCN baselines (6 and 256 in the paper).
    epochs, batches_per_epoch, batch_size, window, lr : int, int, int, int, float
        The training recipe of every trained model (warm-up, cosine and SWA scale with ``epochs``; see
        :meth:`train_config`). ``paper_recipe=True`` uses the authors' recipe instead (30 x 48 steps of 16 x 128).
    paper_recipe : bool
    standardize : bool
        Z-score the feature channels with movie 1's training frames (our choice; the authors fed raw DINOv2
        features).
    models : tuple of str
        The headline comparison (registry names of :mod:`neurokit.vist.zoo`); must contain ``"vist"``.
    check_seeds : tuple of int
        Further training seeds of Vi-ST (run-to-run spread).
    ablations : tuple of str
        Vi-ST variants trained at the same budget.
    curve_every : int
        Epochs between held-out evaluations of the trained headline models (their learning curves).
    budget_check : bool
        Also train the reference Vi-ST with twice the budget (twice the epochs, the same schedule stretched), to
        show whether it has stopped improving at ``steps``.
    layers : tuple of str
        EfficientNet-Lite0 blocks whose features replace the patch tokens in the feature-layer comparison
        (empty: not run).
    layer_input_size : int
        Frames are resized to this many pixels before EfficientNet-Lite0.
    cell_counts : tuple of int
        Cells modelled in the complementary-coding experiment (the full population first; empty: not run).
    top_k : int
        Cells whose mean CC is compared across cell counts (8 in the poster).
    n_jobs, torch_threads : int
        Worker processes and torch threads per worker (capped at run time by the cores this process may use:
        :func:`neurokit.studies.vist.experiment.run_jobs`; the paper profile's 16 threads run as 2 on a 2-core
        machine).
    rehearsal : bool
        A rehearsal of the paper profile (:func:`rehearse`): the authors' recipe with the epochs of
        :data:`REHEARSAL_RECIPE` (paper profile only).
    eval_frames : int
        Score every test sequence on its first ``eval_frames`` frames (0: whole sequences; a rehearsal's cut).
    """

    profile: str = "embedded"
    seed: int = 0
    video_layers: int = 3
    video_dim: int = 16
    epochs: int = 30
    batches_per_epoch: int = 8
    batch_size: int = 4
    window: int = 64
    lr: float = 2e-3
    paper_recipe: bool = False
    standardize: bool = True
    models: tuple = ("vist", "dinov2_mstcn", "i3d_mstcn", "crnn", "ln", "feature_ridge")
    check_seeds: tuple = (1,)
    ablations: tuple = ("vist_no_adaln", "vist_no_cmst", "vist_rmse_only", "vist_sdtw_stride1")
    curve_every: int = 5
    budget_check: bool = True
    layers: tuple = ("B1", "B2", "B3")
    layer_input_size: int = 64
    cell_counts: tuple = (24, 16, 8, 1)
    top_k: int = 8
    n_jobs: int = 2
    torch_threads: int = 1
    rehearsal: bool = False
    eval_frames: int = 0

    def __post_init__(self):
        check_profile(self.profile)
        if self.rehearsal and not (self.profile == "paper" and self.paper_recipe):
            raise InputError("rehearsal=True rehearses the paper profile's recipe: use it with profile='paper' and "
                             f"paper_recipe=True (got profile={self.profile!r}, paper_recipe={self.paper_recipe}).")
        for name in ("video_layers", "video_dim", "epochs", "batches_per_epoch", "batch_size", "window",
                     "curve_every", "layer_input_size", "top_k", "n_jobs", "torch_threads"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise InputError(f"Vi-ST setting {name} must be a positive integer; got {v!r}.")
        if isinstance(self.eval_frames, bool) or not isinstance(self.eval_frames, int) or self.eval_frames < 0:
            raise InputError(f"eval_frames must be 0 (whole test sequences) or a positive number of frames; got "
                             f"{self.eval_frames!r}.")
        if 0 < self.eval_frames < 40:
            raise InputError(f"eval_frames must be >= 40 (the SD-KL kernels and CMST windows need them); got "
                             f"{self.eval_frames}.")
        if self.window < 40:
            raise InputError(f"window must be >= 40 frames (the Vi-ST loss's soft-DTW windows); got {self.window}.")
        if not self.lr > 0:
            raise InputError(f"lr must be > 0; got {self.lr!r}.")
        for name in ("models", "check_seeds", "ablations", "layers", "cell_counts"):
            if not isinstance(getattr(self, name), tuple):
                object.__setattr__(self, name, tuple(getattr(self, name)))
        if "vist" not in self.models:
            raise InputError(f"models must include 'vist' (the reference of every comparison); got {self.models}.")
        from neurokit.vist import zoo

        for name in self.models + self.ablations:
            zoo.get(name)  # unknown names list the valid ones
        if any(int(c) < 1 for c in self.cell_counts):
            raise InputError(f"cell_counts must be positive; got {self.cell_counts}.")
        if self.cell_counts and list(self.cell_counts) != sorted(self.cell_counts, reverse=True):
            raise InputError(f"cell_counts must be in decreasing order, the full population first; got "
                             f"{self.cell_counts}.")
        if any(s == self.seed for s in self.check_seeds):
            raise InputError(f"check_seeds must differ from seed={self.seed}; got {self.check_seeds}.")

    @property
    def steps(self) -> int:
        """Optimizer steps of every trained model."""
        if self.paper_recipe:
            return self.recipe["epochs"] * self.recipe["batches_per_epoch"]
        return self.epochs * self.batches_per_epoch

    @property
    def recipe(self) -> dict | None:
        """The authors' counts this build trains with (:data:`PAPER_RECIPE`, or :data:`REHEARSAL_RECIPE` in a
        rehearsal); None unless ``paper_recipe``."""
        if not self.paper_recipe:
            return None
        return REHEARSAL_RECIPE if self.rehearsal else PAPER_RECIPE

    @property
    def frames_per_step(self) -> int:
        """Frames of one optimizer step: windows per batch x window length."""
        if self.paper_recipe:
            return self.recipe["batch_size"] * 128
        return self.batch_size * self.window

    def train_config(self, seed: int | None = None, budget: int = 1):
        """The :class:`~neurokit.vist.train.TrainConfig` of every trained model (``seed`` default: ``self.seed``;
        ``budget``: a multiple of the epochs, the schedule stretched with them).

        Simulated profiles shrink the authors' schedule to ``epochs`` epochs: warm-up over ``epochs // 6``,
        cosine from ``lr`` to ``lr / 8``, SWA over the last quarter (annealing over ``epochs // 6``, SWA lr
        ``lr / 8``), evaluation only at the end.
        """
        from neurokit.vist.train import TrainConfig

        s = self.seed if seed is None else int(seed)
        if self.paper_recipe:
            r = self.recipe
            return TrainConfig(seed=s, eval_every=0, epochs=r["epochs"] * budget, batch_size=r["batch_size"],
                               batches_per_epoch=r["batches_per_epoch"], warmup=r["warmup"] * budget,
                               swa_start=r["swa_start"] * budget, swa_anneal=r["swa_anneal"] * budget)
        e, lr = self.epochs * budget, self.lr
        return TrainConfig(epochs=e, batches_per_epoch=self.batches_per_epoch, batch_size=self.batch_size,
                           window=self.window, lr=lr, lr_start=lr / 16, lr_min=lr / 8, swa_lr=lr / 8,
                           warmup=max(1, e // 6), swa_start=e - max(1, e // 4), swa_anneal=max(1, e // 6),
                           seed=s, device="cpu", eval_every=0)


#: The settings of each profile. ``smoke``: every code path in seconds (tiny sizes, not science).
#: ``paper``: the authors' recipe and model sizes on the real recordings (a GPU).
PROFILES = {
    "smoke": ViSTSettings(profile="smoke", video_layers=2, video_dim=4, epochs=2, batches_per_epoch=1, batch_size=1,
                          window=40, curve_every=1, check_seeds=(1,),
                          ablations=("vist_no_adaln", "vist_no_cmst", "vist_rmse_only"),
                          layers=("B1",), layer_input_size=64, cell_counts=(6, 2, 1), top_k=2, n_jobs=1),
    "embedded": ViSTSettings(),
    "paper": ViSTSettings(profile="paper", video_layers=6, video_dim=256, paper_recipe=True, standardize=False,
                          check_seeds=(1, 2), curve_every=1, layer_input_size=224,
                          ablations=("vist_no_adaln", "vist_no_cmst", "vist_rmse_only", "vist_no_sdtw",
                                     "vist_sdtw_stride1", "vist_per_cell_rf"),
                          cell_counts=(90, 64, 32, 16, 8, 1), n_jobs=1, torch_threads=16),
}


def _stand_ins(profile: str) -> list[tuple[str, str]]:
    from neurokit.sim.retina import PROFILE_SIZES

    s = PROFILES[profile]
    return [
        ("90 salamander RGCs under two natural movies", f"a simulated population of "
         f"{PROFILE_SIZES[profile]['n_cells']} cells (linear ON/OFF and ON-OFF subunit cells) under movie 1 and three "
         "rungs of a context-shift ladder for movie 2"),
        ("the authors' baselines (not published)", "our reconstructions of CRNN, DINOv2+MSTCN and I3D+MSTCN (a "
         "random-init, frozen I3D-style stem), plus an LN model"),
        ("DINOv2 layers L − n (Fig. 5b)", f"EfficientNet-Lite0 blocks {', '.join(s.layers)} (ImageNet, shipped "
         "weights) and pixel patches"),
        ("the authors' recipe: 1440 steps of 16 × 128 frames, 6 × 256 C3TCN", f"{s.steps} steps of "
         f"{s.frames_per_step} frames for every trained model, {s.video_layers} × {s.video_dim} C3TCN"),
    ]


#: What the paper used, and what each simulated profile uses instead (the book's substitutions box).
STAND_INS = {p: _stand_ins(p) for p in ("smoke", "embedded")}


def rehearse(s: ViSTSettings) -> ViSTSettings:
    """The paper settings ``s`` cut for a rehearsal of the paper profile: repetitions only, never shapes.

    Kept (the paper's): the Vi-ST of the paper (6 x 256 C3TCN, 1,702,952 parameters on 90 cells), windows of 128
    frames of 256 x 1024 tokens, the optimiser and the shape of the schedule (warm-up, cosine, SWA with BatchNorm
    recomputation), every headline model (Vi-ST, DINOv2+MSTCN, I3D+MSTCN, CRNN, LN, feature ridge), every ablation
    (each is a model or loss option of its own), the learning curves with their checkpoint reloads, the
    twice-the-budget run, every EfficientNet-Lite0 block at 224 px, and the complementary-coding protocol (top
    cells of the full model, subsets holding them).

    Cut (counts only; :func:`rehearsal_cuts` tabulates them for the chapter):

    * the schedule to :data:`REHEARSAL_RECIPE`: 3 epochs x 1 batch (30 x 48 in the paper);
    * the windows per batch from 16 to 1 (the batch count subsampled by 16);
    * the test sequences scored on their first 128 frames (every model is causal: the same predictions for those
      frames as from the whole sequence);
    * the extra training seeds of Vi-ST from 2 to 1 (the same code as the reference run, another seed);
    * the cell counts of the complementary-coding experiment from 90, 64, 32, 16, 8, 1 (11 models on subsets)
      to the full population and its half (one model on a subset: the same code path as every subset of 8 or
      more cells; the groups of fewer than 8 top cells are built by the same function, tested in
      ``tests/test_vist_core.py``).

    The data are the retina simulator's ``rehearsal`` preset (90 cells, DINOv2-L-shaped tokens, frames divided by
    :data:`neurokit.sim.retina.REHEARSAL_SUBSAMPLE`), the weights random.

    Parameters
    ----------
    s : ViSTSettings
        Settings of the ``paper`` profile.

    Returns
    -------
    ViSTSettings
        ``rehearsal=True``.
    """
    if s.profile != "paper":
        raise InputError(f"only the paper profile is rehearsed; got settings of profile {s.profile!r}.")
    half = max(1, s.cell_counts[0] // 2) if s.cell_counts else None
    return dataclasses.replace(s, rehearsal=True, check_seeds=s.check_seeds[:1], eval_frames=REHEARSAL_RECIPE[
        "eval_frames"], cell_counts=(s.cell_counts[0], half) if s.cell_counts else ())


def rehearsal_cuts(paper: ViSTSettings, rehearsal: ViSTSettings):
    """What a rehearsal cuts, as a table for the chapter: one row per count (``setting``, ``paper``, ``rehearsal``,
    ``factor`` = paper / rehearsal where both are numbers).

    Parameters
    ----------
    paper, rehearsal : ViSTSettings
        The paper profile's settings and the same after :func:`rehearse`.

    Returns
    -------
    DataFrame
    """
    import pandas as pd

    P, R = PAPER_RECIPE, REHEARSAL_RECIPE
    full = lambda n: n or "whole sequence"  # noqa: E731
    rows = [("epochs (warm-up, cosine, SWA)", f"{P['epochs']} ({P['warmup']}, {P['swa_start'] - P['warmup']}, "
             f"{P['epochs'] - P['swa_start']})", f"{R['epochs']} ({R['warmup']}, {R['swa_start'] - R['warmup']}, "
             f"{R['epochs'] - R['swa_start']})", P["epochs"] / R["epochs"]),
            ("batches per epoch", P["batches_per_epoch"], R["batches_per_epoch"],
             P["batches_per_epoch"] / R["batches_per_epoch"]),
            ("windows per batch (128 frames each)", P["batch_size"], R["batch_size"], P["batch_size"] / R["batch_size"]),
            ("optimizer steps per run", paper.steps, rehearsal.steps, paper.steps / rehearsal.steps),
            ("frames scored per test sequence", full(paper.eval_frames), full(rehearsal.eval_frames), None),
            ("extra Vi-ST training seeds", len(paper.check_seeds), len(rehearsal.check_seeds),
             len(paper.check_seeds) / max(1, len(rehearsal.check_seeds))),
            ("complementary-coding cell counts", ", ".join(map(str, paper.cell_counts)),
             ", ".join(map(str, rehearsal.cell_counts)), None)]
    return pd.DataFrame(rows, columns=["setting", "paper", "rehearsal", "factor"]).set_index("setting")


def settings(profile: str, **overrides) -> ViSTSettings:
    """The settings of ``profile`` with ``overrides`` (setting names to values; unknown names are refused).

    In a rehearsal of the paper profile (:func:`neurokit.config.rehearsing`) the paper settings pass through
    :func:`rehearse` before the overrides.
    """
    check_profile(profile)
    fields = {f.name for f in dataclasses.fields(ViSTSettings)}
    for k in overrides:
        if k not in fields:
            raise UnknownNameError("Vi-ST setting", k, sorted(fields))
    base = PROFILES[profile]
    if profile == "paper" and rehearsing():
        base = rehearse(base)
    return dataclasses.replace(base, **overrides)
