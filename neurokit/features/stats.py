"""Summary statistics of block features across clips (for the "Models and layers" chapter), and their figure."""
from __future__ import annotations

import numpy as np

from neurokit.errors import InputError


def participation_ratio(X: np.ndarray) -> float:
    """Effective dimensionality ``(Σλ)² / Σλ²`` of the clip covariance.

    Parameters
    ----------
    X : ndarray of shape (n_clips, n_features)

    Returns
    -------
    float in [1, min(n_clips - 1, n_features)]; 0 when the features do not vary across clips.
    """
    X = np.asarray(X, dtype=np.float64)
    Xc = X - X.mean(0)
    s = np.linalg.svd(Xc, compute_uv=False) ** 2  # eigenvalues of the (unnormalised) covariance
    scale = max(float((X ** 2).sum()), 1e-300)
    return float(s.sum() ** 2 / (s ** 2).sum()) if s.sum() > 1e-12 * scale else 0.0  # rounding noise = no variance


def clip_discriminability(X: np.ndarray) -> float:
    """``1 - mean Pearson r`` between the feature vectors of different clips (0: all clips look alike).

    Parameters
    ----------
    X : ndarray of shape (n_clips, n_features)
    """
    X = np.asarray(X, dtype=np.float64)
    if X.shape[0] < 2:
        raise InputError("clip_discriminability needs at least 2 clips")
    Z = X - X.mean(1, keepdims=True)
    norm = np.linalg.norm(Z, axis=1)
    norm[norm == 0] = np.inf  # a constant vector correlates 0 with everything
    C = (Z / norm[:, None]) @ (Z / norm[:, None]).T
    off = C[~np.eye(len(C), dtype=bool)]
    return float(1.0 - off.mean())


def block_statistics(features: dict, card=None):
    """One row per block: depth, dimension, clip discriminability, participation ratio, mean ``|activation|``.

    Parameters
    ----------
    features : dict of str → ndarray of shape (n_clips, n_features)
        From :func:`extract_dataset`.
    card : ModelCard, optional
        Adds the model name and family labels to each row.

    Returns
    -------
    pandas.DataFrame
    """
    import pandas as pd

    names = list(features)
    rows = []
    for i, b in enumerate(names):
        X = np.asarray(features[b], dtype=np.float64)
        row = {"block": b, "depth": (i + 1) / len(names), "dim": X.shape[1],
               "discriminability": clip_discriminability(X), "participation_ratio": participation_ratio(X),
               "mean_abs": float(np.abs(X).mean())}
        if card is not None:
            row.update(model=card.name, display_name=card.display_name, **card.family,
                       weights=card.weights_label())
        rows.append(row)
    return pd.DataFrame(rows)


def plot_block_statistics(df, color_by: str = "modality", ax=None):
    """Two panels against relative block depth: clip discriminability and participation ratio, one line per model.

    Parameters
    ----------
    df : pandas.DataFrame
        Concatenated :func:`block_statistics` of several models.
    color_by : str
        A family column (``modality``, ``architecture``, ``supervision``, ``streams``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from neurokit.plotting import FAMILY_COLORS, PAGE_WIDTH

    fig, axes = plt.subplots(1, 2, figsize=(PAGE_WIDTH, PAGE_WIDTH * 0.42))
    seen = set()
    for model, d in df.groupby("model", sort=True):
        fam = d[color_by].iloc[0]
        real = d["weights"].iloc[0].startswith("real")
        kw = dict(color=FAMILY_COLORS.get(fam, "grey"), lw=1.6 if real else 0.8, alpha=0.95 if real else 0.55,
                  ls="-" if real else "--", marker="o" if real else None, ms=3)
        label = f"{fam}{' (real weights)' if real else ''}"
        for a, col in zip(axes, ("discriminability", "participation_ratio")):
            a.plot(d["depth"], d[col], label=None if label in seen else label, **kw)
        seen.add(label)
    axes[0].set(xlabel="relative block depth", ylabel="clip discriminability (1 − mean r)")
    axes[1].set(xlabel="relative block depth", ylabel="participation ratio")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    return fig
