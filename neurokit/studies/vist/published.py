"""The numbers Wu et al. (ECCV 2024) published for Vi-ST, each with its source, as data.

Sources
    * **poster**: the ECCV 2024 poster, table "Better Generalization" (printed values) and the protocol of the
      complementary-coding experiment (printed text);
    * **website**: figures on the first author's website (``wurining.com``, publication page): the ablation
      figure and the complementary-coding figure, digitised (±0.002 and ±0.005);
    * **logs**: the authors' training logs in their repository (``checkpoints/{0,1}/csv/version_0/metrics.csv``
      at commit 0fa11245): a training run's per-epoch validation CC, not a published table;
    * **supplement**: the supplementary PDF in the repository (``docs/12149-supp.pdf``): SD-KL pseudocode and its
      noise-baseline figure (digitised);
    * **code**: the released code (parameter count logged as ``model/params/total``).

The chapters read every paper number from here; none is typed in a notebook.
"""
from __future__ import annotations

import pandas as pd

from neurokit.claims import Published

__all__ = ["POSTER", "LOGS", "ABLATION", "COMPLEMENTARY", "SDKL_NOISE", "N_PARAMS", "LOSS_WEIGHTS",
           "generalisation_table", "ablation_table", "complementary_table", "logs_table", "poster_drops",
           "ABLATION_OF_VARIANT"]

SRC_POSTER = "ECCV 2024 poster, table 'Better Generalization' (printed)"
SRC_POSTER_PROTOCOL = "ECCV 2024 poster, 'Comparison of benefits of complementary coding' (printed protocol)"
SRC_ABLATION = "first author's website, ablation figure (Mov1 → Mov2 per the poster), digitised ±0.002"
SRC_COMPLEMENTARY = "first author's website, complementary-coding figure, digitised ±0.005"
SRC_LOGS = "authors' training logs (checkpoints/{0,1} metrics.csv, commit 0fa11245), val/corr = mean |r|, bf16"
SRC_SUPP = "supplement (docs/12149-supp.pdf) Fig. 1, digitised"

#: Poster table: model → {(train movie, test movie): CC}. "*": same video, "pixel context is conserved";
#: "**": training and testing data from different videos. The CC aggregate (mean ``|r|`` as the code logs it, or
#: another) is not stated.
POSTER: dict[str, dict[tuple[str, str], float]] = {
    "CRNN": {("Mov1", "Mov1"): 0.857, ("Mov2", "Mov2"): 0.718},
    "I3D+MSTCN": {("Mov1", "Mov1"): 0.846, ("Mov2", "Mov2"): 0.668, ("Mov1", "Mov2"): 0.108, ("Mov2", "Mov1"): 0.074},
    "DINOv2+MSTCN": {("Mov1", "Mov1"): 0.849, ("Mov2", "Mov2"): 0.672, ("Mov1", "Mov2"): 0.101,
                     ("Mov2", "Mov1"): 0.100},
    "Vi-ST": {("Mov1", "Mov1"): 0.789, ("Mov2", "Mov2"): 0.570, ("Mov1", "Mov2"): 0.334, ("Mov2", "Mov1"): 0.281},
}
#: Poster model name → the registry name of our reconstruction (:mod:`neurokit.vist.zoo`).
POSTER_MODELS = {"CRNN": "crnn", "I3D+MSTCN": "i3d_mstcn", "DINOv2+MSTCN": "dinov2_mstcn", "Vi-ST": "vist"}

#: The authors' training logs: run → best val/corr (epoch), val/corr after the SWA BatchNorm pass, train/corr.
LOGS = {
    "Mov1 → Mov2 (checkpoints/0)": {"best": 0.3281, "best_epoch": 3, "final": 0.3047, "train": 0.962},
    "Mov2 → Mov1 (checkpoints/1)": {"best": 0.2695, "best_epoch": 4, "final": 0.2275, "train": 0.915},
}

#: Website ablation figure (CC, Mov1 → Mov2), in the figure's order.
ABLATION = {
    "Vi-ST": 0.334, "replace causal dilated 3D-CNN": 0.326, "remove RF mask": 0.328,
    "replace condition by video": 0.326, "replace causal multiscale block": 0.332, "remove multiscale kernel": 0.322,
    "replace loss by RMSE": 0.313, "remove DINOv2 prior": 0.281, "remove video extractor": 0.283,
    "remove spikes alignment": 0.170,
}
#: Our ablation variants → the paper's nearest ablation (None: no counterpart in the figure).
ABLATION_OF_VARIANT = {
    "vist": "Vi-ST",
    "vist_no_adaln": "remove RF mask",  # ours removes the whole RF-conditioning block
    "vist_no_cmst": "remove multiscale kernel",
    "vist_rmse_only": "replace loss by RMSE",
    "vist_no_sdtw": None,  # RMSE + negative-output penalty: not in the figure
    "vist_sdtw_stride1": None,  # the poster's soft-DTW windows: not in the figure
}

#: Website complementary-coding figure: movie → {cells modelled: mean CC of the top 8 cells}.
COMPLEMENTARY = {
    "Mov1": {1: 0.11, 8: 0.38, 16: 0.42, 32: 0.45, 64: 0.58, 90: 0.54},
    "Mov2": {1: 0.17, 8: 0.31, 16: 0.34, 32: 0.40, 64: 0.38, 90: 0.39},
}
COMPLEMENTARY_BAND_90 = {"Mov1": (0.51, 0.58), "Mov2": (0.33, 0.46)}
COMPLEMENTARY_SIZES = (90, 64, 32, 16, 8, 1)
TOP_K = 8

#: Supplement Fig. 1: SD-KL of sine-like mock rates with added noise (fraction) → SD-KL.
SDKL_NOISE = {0.0: 0.0, 0.1: 10.0, 0.9: 15.0}

#: Vi-ST's parameter count in the paper configuration (logged ``model/params/total``).
N_PARAMS = Published(1_702_952, "parameters", "authors' log model/params/total (code, commit 0fa11245)")
#: Loss weights α (RMSE), β (negative ReLU), γ (each soft-DTW term), poster; the code's 0.1, 0.5, 0.5·1e-5.
LOSS_WEIGHTS = {"alpha": 0.1, "beta": 0.5, "gamma": 5e-6}


def _direction(train: str, test: str) -> str:
    return f"{train} → {test}"


def generalisation_table() -> pd.DataFrame:
    """The poster's table in long form: model, registry name, protocol, direction, CC, source."""
    rows = []
    for model, vals in POSTER.items():
        for (a, b), v in vals.items():
            rows.append({"model": model, "registry name": POSTER_MODELS[model],
                         "protocol": "within movie" if a == b else "cross movie", "direction": _direction(a, b),
                         "CC": v, "source": SRC_POSTER})
    return pd.DataFrame(rows)


def poster_drops(train: str = "Mov1") -> pd.DataFrame:
    """Within − cross CC per model for models trained on ``train`` (the poster's pairs; CRNN has no cross value)."""
    other = "Mov2" if train == "Mov1" else "Mov1"
    rows = []
    for model, vals in POSTER.items():
        w, c = vals.get((train, train)), vals.get((train, other))
        if w is None or c is None:
            continue
        rows.append({"model": model, "registry name": POSTER_MODELS[model], "within": w, "cross": c,
                     "drop": round(w - c, 3), "retained (cross / within)": round(c / w, 3),
                     "source": SRC_POSTER + " (difference computed here)"})
    return pd.DataFrame(rows)


def logs_table() -> pd.DataFrame:
    """The authors' two training runs (not the published table)."""
    return pd.DataFrame([{"run": k, **v, "source": SRC_LOGS} for k, v in LOGS.items()])


def ablation_table() -> pd.DataFrame:
    """The website's ablation figure, with the registry name of our nearest variant (if any)."""
    back = {v: k for k, v in ABLATION_OF_VARIANT.items() if v is not None}
    return pd.DataFrame([{"paper ablation": k, "CC": v, "our variant": back.get(k), "source": SRC_ABLATION}
                         for k, v in ABLATION.items()])


def complementary_table() -> pd.DataFrame:
    """The website's complementary-coding curve: movie, cells modelled, mean CC of the top 8 cells, source."""
    return pd.DataFrame([{"movie": m, "cells modelled": n, "top-8 mean CC": v, "source": SRC_COMPLEMENTARY}
                         for m, d in COMPLEMENTARY.items() for n, v in d.items()])


# ------------------------------------------------------------------------------------------- claim numbers
def headline(model: str = "Vi-ST", protocol: str = "cross", train: str = "Mov1") -> Published:
    """One poster CC as a :class:`~neurokit.claims.Published` (``protocol``: "within" or "cross")."""
    other = "Mov2" if train == "Mov1" else "Mov1"
    key = (train, train) if protocol == "within" else (train, other)
    return Published(POSTER[model][key], "CC", f"{SRC_POSTER}, {model} {_direction(*key)}")
