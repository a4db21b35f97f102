"""Vi-ST evaluation metrics: Pearson CC with the authors' conventions and SD-KL (spike-duration KL).

Definitions follow the authors' ``src/metrics/corr.py`` and ``src/metrics/spike_kde_divergence.py``
exactly; the paper's variants are options.

CC
    :func:`pearson_cc`: (N, cells, frames) sequences are joined along time per cell, Pearson r per cell,
    ``nan → 0``; the aggregate the authors log (``val/corr``) is the **mean of** ``|r|``, which counts an
    anti-correlated cell as a good one. The prediction export instead reports :func:`positive_mean_std` (mean
    and unbiased std over cells with r > 0). :func:`cc_aggregates` gives these beside the plain (signed) mean.
Top-k protocol
    :func:`top_k_cells`, :func:`complementary_subsets` and :func:`top_k_mean` implement the protocol of the
    complementary-coding figure (ECCV poster): sort the cells by the CC of the model trained on all of them, keep
    the top 8, train models on fewer cells (subsets that contain those 8, or each of them alone) and compare the
    mean CC of the same 8 cells.
SD-KL (the authors' code)
    :func:`sdkl_trace` compares the distributions of "spike durations" (full widths at the base of every
    peak) of two 1-D traces through Gaussian KDEs. It is ``calc_scores(y=target, y_hat=pred)`` of the code:
    KL(P_pred ‖ P_target) (the paper's direction). :func:`spike_kde_divergence` is the code's population
    wrapper; it calls ``calc_scores(pred, target)``, i.e. KL(P_target ‖ P_pred) — kept as the default
    (``direction="code"``), ``direction="paper"`` swaps it.
SD-KL (the supplement's pseudocode, as written)
    :func:`sdkl_trace_pseudocode` / :func:`spike_kde_divergence_pseudocode`: traces clipped to [0, β] before peak
    finding, KDEs with bandwidth α·std (α = 0.3, not α²), a 200-point grid spanning the widths ± 3·Var with
    Var = α × the biased variance of the union of both width sets, KL(P_pred ‖ P_target), score clipped to
    [0, 1000]. It differs from the code in all five places (see :func:`sdkl_trace_pseudocode`).
"""
from __future__ import annotations

import warnings

import numpy as np

from neurokit.errors import InputError
from neurokit.stats import pearsonr


def _to_numpy(a) -> np.ndarray:
    try:
        import torch

        if torch.is_tensor(a):
            a = a.detach().cpu()
            if a.dtype in (torch.bfloat16, torch.float16):
                a = a.float()
            return a.numpy()
    except ImportError:  # pragma: no cover
        pass
    return np.asarray(a)


def _join_time(a: np.ndarray, name: str) -> np.ndarray:
    """(N, C, T) → (C, N·T) (segments concatenated along time per cell); (C, T) unchanged."""
    if a.ndim == 3:
        return np.concatenate(list(a), axis=1)
    if a.ndim == 2:
        return a
    raise InputError(f"{name} must have shape (N, cells, frames) or (cells, frames); got {a.shape}.")


# --------------------------------------------------------------------------------------------- CC
def pearson_cc(pred, target) -> tuple[np.ndarray, float]:
    """Per-cell Pearson correlation with the authors' conventions.

    Parameters
    ----------
    pred, target : array or Tensor of shape (N, cells, frames) or (cells, frames)
        N segments per cell are concatenated along time before correlating (as ``torch.cat([*x], 1)``).

    Returns
    -------
    per_cell : ndarray of shape (cells,)
        Pearson r (unbiased moments, clamped to [-1, 1], computed in float64); ``nan`` (e.g. a constant
        trace) is set to 0.
    abs_mean : float
        Mean of ``|r|`` over cells (the logged ``val/corr``; note the absolute value).

    Notes
    -----
    The authors' code passes 2-D input to torchmetrics unchanged, where it must be (frames, cells); here
    2-D input is (cells, frames), consistent with the 3-D layout.
    """
    p, t = _to_numpy(pred), _to_numpy(target)
    if p.shape != t.shape:
        raise InputError(f"pred and target must have the same shape; got {p.shape} and {t.shape}.")
    p = _join_time(p, "pred").astype(np.float64)
    t = _join_time(t, "target").astype(np.float64)
    if p.shape[1] < 2:
        raise InputError("pearson_cc needs at least 2 frames per cell.")
    r = np.nan_to_num(np.atleast_1d(pearsonr(t.T, p.T)))  # undefined (a constant trace) → 0, as the code does
    return r, float(np.abs(r).mean())


def cc_aggregates(per_cell) -> dict[str, float]:
    """The CC aggregates over cells of one model: the code's mean ``|r|``, the signed mean, the mean over r > 0.

    Parameters
    ----------
    per_cell : array of shape (cells,)
        Per-cell Pearson r (e.g. the first output of :func:`pearson_cc`).

    Returns
    -------
    dict
        ``abs_mean`` (the authors' logged ``val/corr``), ``mean`` (signed: an anti-correlated cell counts
        against the model), ``pos_mean`` / ``pos_std`` (:func:`positive_mean_std`) and ``n_negative`` (cells
        with r < 0, which ``abs_mean`` counts as successes).
    """
    r = _to_numpy(per_cell).astype(np.float64).ravel()
    pm, ps = positive_mean_std(r)
    return {"abs_mean": float(np.abs(r).mean()), "mean": float(r.mean()), "pos_mean": pm, "pos_std": ps,
            "n_negative": int((r < 0).sum())}


def positive_mean_std(per_cell) -> tuple[float, float]:
    """Mean and unbiased std of the per-cell CCs that are > 0 (the code's ``predict_step`` export).

    Returns ``(nan, nan)`` when no cell has r > 0 (and std ``nan`` for a single positive cell), as torch does.
    """
    r = _to_numpy(per_cell).astype(np.float64).ravel()
    pos = r[r > 0]
    mean = float(pos.mean()) if pos.size else float("nan")
    std = float(pos.std(ddof=1)) if pos.size > 1 else float("nan")
    return mean, std


# --------------------------------------------------------------------------------------------- SD-KL
def peak_widths_trace(x, high_cut: float = 1.0) -> np.ndarray:
    """Spike durations of a trace: widths (frames) of all peaks, the code's ``cells_peak_widths``.

    Peaks are the strict local maxima (flat tops count once) of the **unclipped** trace with height ≥ 0
    (``scipy.signal.find_peaks(x, height=0)``); widths are ``peak_widths(x_clipped, peaks,
    rel_height=high_cut)`` on the trace clipped from above at ``high_cut`` (no clipping from below), i.e. with
    the default ``high_cut = 1`` the full width at the peak's base, linearly interpolated.

    Parameters
    ----------
    x : array of shape (frames,)
    high_cut : float

    Returns
    -------
    ndarray of shape (n_peaks,)
    """
    from scipy.signal import find_peaks, peak_widths

    x = np.asarray(x)
    xc = np.array(x)
    xc[xc > high_cut] = high_cut
    peaks, _ = find_peaks(x, height=0)
    with warnings.catch_warnings():  # zero-width / zero-prominence peaks (clipped plateaus) are expected: width 0
        warnings.filterwarnings("ignore", message="some peaks have a (width|prominence) of 0")
        return peak_widths(xc, peaks, rel_height=high_cut)[0]


def support_grid(data: np.ndarray, bandwidth_factor: float) -> np.ndarray:
    """200-point grid: min-3bw … max+3bw with bw = std·Scott factor·bandwidth_factor (the code's helper)."""
    from scipy.stats import gaussian_kde

    kde = gaussian_kde(data)
    kde.set_bandwidth(kde.factor * bandwidth_factor)
    bw = np.sqrt(kde.covariance.squeeze())
    return np.linspace(data.min() - bw * 3, data.max() + bw * 3, 200)


def kde_on_grid(data: np.ndarray, other: np.ndarray, bandwidth_factor: float) -> np.ndarray:
    """Density of ``data`` on the grid of data ∪ other; KDE bandwidth = bandwidth_factor² × std (code quirk)."""
    from scipy.stats import gaussian_kde

    grid = support_grid(np.concatenate([data, other]), bandwidth_factor)
    kde = gaussian_kde(data, bw_method=bandwidth_factor)
    kde.set_bandwidth(bw_method=kde.factor * bandwidth_factor)
    return kde(grid)


def _kl(p: np.ndarray, q: np.ndarray) -> float:
    """torchmetrics ``kl_divergence(p, q)`` for one row: normalise, Σ p log(p/q) with 0·log(…) = 0."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        p = p / p.sum()
        q = q / q.sum()
        terms = p * np.log(p / q)
    terms[p == 0] = 0.0
    return float(terms.sum())


def sdkl_trace(target, pred, bandwidth_factor: float = 0.5, high_cut: float = 1.0, divergence: str = "kl") -> float:
    """SD-KL between two 1-D traces: KL(P_pred ‖ P_target) of the KDEs of their peak widths.

    Exactly the authors' ``calc_scores(y=target, y_hat=pred, …)``.

    Parameters
    ----------
    target, pred : array of shape (frames,)
        Firing-rate traces. Negative values are *not* zeroed here (the population wrapper does that).
    bandwidth_factor : float, default 0.5
        α. The grid uses std·Scott·α; each KDE's final bandwidth is α²·std (the code multiplies twice).
        The paper's pseudocode uses α = 0.3 and no squaring.
    high_cut : float, default 1.0
        Upper clip before measuring widths (also passed as ``rel_height``, as in the code).
    divergence : {"kl", "tvd"}
        "kl": KL(P_pred ‖ P_target) of the normalised densities on the 200-point grid; "tvd":
        ``½ Σ |density_pred - density_target|`` on the unnormalised KDE values.

    Returns
    -------
    float
        ``inf`` if either trace has fewer than 2 peaks, if the KDE covariance is singular ("singular data",
        e.g. all widths equal) or where q underflows to 0 while p > 0; ``nan`` if a density is all zeros.
    """
    if divergence not in ("kl", "tvd"):
        raise InputError(f"Unknown divergence method: {divergence!r}; use 'kl' or 'tvd'.")
    t, p = _to_numpy(target), _to_numpy(pred)
    if t.ndim != 1 or p.ndim != 1:
        raise InputError(f"sdkl_trace expects 1-D traces; got shapes {t.shape} and {p.shape}.")
    wt = peak_widths_trace(t, high_cut=high_cut)
    wp = peak_widths_trace(p, high_cut=high_cut)
    if len(wt) < 2 or len(wp) < 2:
        return float("inf")
    try:
        dens_t = kde_on_grid(wt, wp, bandwidth_factor)
        dens_p = kde_on_grid(wp, wt, bandwidth_factor)
        if divergence == "kl":
            return _kl(dens_p, dens_t)
        return float(0.5 * np.sum(np.abs(dens_p - dens_t)))
    except Exception as e:  # the code maps scipy's singular-covariance error to +inf, re-raises the rest
        if "singular data" in str(e):
            return float("inf")
        raise


def spike_kde_divergence(pred, target, divergence: str = "kl", bandwidth_factor: float = 0.5,
                         high_cut: float = 1.0, cut_negative: bool = True,
                         direction: str = "code") -> tuple[float, np.ndarray]:
    """Population SD-KL with the code's defaults.

    Parameters
    ----------
    pred, target : array or Tensor of shape (N, cells, frames) or (cells, frames)
        3-D input is joined along time per cell.
    divergence, bandwidth_factor, high_cut
        As in :func:`sdkl_trace`.
    cut_negative : bool, default True
        Set negative values to 0 first. Unlike the authors' code this works on copies and never mutates
        the caller's arrays.
    direction : {"code", "paper"}
        "code" (default): ``calc_scores(pred, target)`` as the wrapper calls it = KL(P_target ‖ P_pred);
        "paper": KL(P_pred ‖ P_target) (the supplement's pseudocode).

    Returns
    -------
    mean : float
        Mean of the per-cell scores (penalties included).
    scores : ndarray of shape (cells,)
        Per-cell scores with ``nan → 1000``, ``+inf → 1000``, ``-inf → 0``; finite values are not clipped.
    """
    if direction not in ("code", "paper"):
        raise InputError(f"direction must be 'code' (wrapper: KL(P_target‖P_pred)) or 'paper'; got {direction!r}.")
    p, t = np.array(_to_numpy(pred)), np.array(_to_numpy(target))  # copies: never mutate the caller's arrays
    if p.shape != t.shape:
        raise InputError(f"preds and target must have the same shape; got {p.shape} and {t.shape}.")
    if p.ndim not in (2, 3):
        raise InputError(f"preds and target must have 2 or 3 dimensions (cells, frames) / (N, cells, frames); "
                         f"got {p.ndim}.")
    if cut_negative:
        p[p < 0] = 0
        t[t < 0] = 0
    p, t = _join_time(p, "pred"), _join_time(t, "target")
    scores = np.empty(p.shape[0], dtype=np.float64)
    for i in range(p.shape[0]):
        a, b = (p[i], t[i]) if direction == "code" else (t[i], p[i])
        scores[i] = sdkl_trace(a, b, bandwidth_factor=bandwidth_factor, high_cut=high_cut, divergence=divergence)
    scores = np.nan_to_num(scores, nan=1000.0, posinf=1000.0, neginf=0.0)
    return float(scores.mean()), scores


#: Reasons reported by :func:`sdkl_outcomes`, in the order they are checked.
SDKL_OUTCOMES = ("finite", "pred < 2 peaks", "target < 2 peaks", "singular widths", "density underflow", "nan")


def sdkl_outcomes(pred, target, bandwidth_factor: float = 0.5, high_cut: float = 1.0,
                  direction: str = "code") -> list[str]:
    """Why each cell's SD-KL is finite or penalised (the wrapper's 1000), one label per cell.

    Runs the same steps as :func:`spike_kde_divergence` (negatives zeroed, segments joined) and names the
    outcome: ``"finite"``, ``"pred < 2 peaks"`` / ``"target < 2 peaks"`` (+inf), ``"singular widths"``
    (scipy's singular-covariance error, +inf), ``"density underflow"`` (the second density is 0 where the
    first is not, +inf) or ``"nan"``. Scores themselves are unchanged; this only explains the penalties.

    Parameters
    ----------
    pred, target : array of shape (N, cells, frames) or (cells, frames)
    bandwidth_factor, high_cut, direction
        As in :func:`spike_kde_divergence`.

    Returns
    -------
    list of str, length cells
        Entries of :data:`SDKL_OUTCOMES`.
    """
    p, t = np.array(_to_numpy(pred)), np.array(_to_numpy(target))
    if p.shape != t.shape or p.ndim not in (2, 3):
        raise InputError(f"preds and target must have the same 2-D or 3-D shape; got {p.shape} and {t.shape}.")
    p[p < 0] = 0
    t[t < 0] = 0
    p, t = _join_time(p, "pred"), _join_time(t, "target")
    out = []
    for i in range(p.shape[0]):
        if len(peak_widths_trace(p[i], high_cut)) < 2:
            out.append("pred < 2 peaks")
            continue
        if len(peak_widths_trace(t[i], high_cut)) < 2:
            out.append("target < 2 peaks")
            continue
        a, b = (p[i], t[i]) if direction == "code" else (t[i], p[i])
        s = sdkl_trace(a, b, bandwidth_factor=bandwidth_factor, high_cut=high_cut)
        if np.isnan(s):
            out.append("nan")
        elif np.isinf(s):
            wa = peak_widths_trace(a, high_cut)
            wb = peak_widths_trace(b, high_cut)
            singular = np.ptp(wa) == 0 or np.ptp(wb) == 0
            out.append("singular widths" if singular else "density underflow")
        else:
            out.append("finite")
    return out


# --------------------------------------------------------------------------------------------- SD-KL, pseudocode
def peak_widths_pseudocode(x, beta: float = 1.0) -> np.ndarray:
    """Spike durations as the supplement's pseudocode defines them: ``peak_widths(min(max(0, x), β))``.

    The trace is clipped to [0, β] **before** peak finding (the code finds peaks on the unclipped trace); peaks
    are the local maxima of the clipped trace (a plateau at β counts once), widths the full width at the base
    (``rel_height=1``, as in the code; the pseudocode does not say), in frames.
    """
    from scipy.signal import find_peaks, peak_widths

    xc = np.clip(np.asarray(x, dtype=np.float64), 0.0, beta)
    peaks, _ = find_peaks(xc)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="some peaks have a (width|prominence) of 0")
        return peak_widths(xc, peaks, rel_height=1.0)[0]


def sdkl_trace_pseudocode(target, pred, alpha: float = 0.3, beta: float = 1.0) -> float:
    """SD-KL of two traces by the supplement's Algorithm 1, as written.

    1-2. D̂, D = :func:`peak_widths_pseudocode` of the prediction and the target (clipped to [0, β]);
    3. Var = α · (1/n) Σ (x_i − x̄)² over the union D ∪ D̂ (the biased variance, times α);
    4. grid = 200 points from min(D ∪ D̂) − 3·Var to max(D ∪ D̂) + 3·Var;
    5-6. Gaussian KDEs with bandwidth factor α (``gaussian_kde(D, bw_method=α)``: bandwidth α · std, **not** the
    code's α²);
    7-8. densities on the grid, each normalised to sum 1;
    9. KL(P_D̂ ‖ P_D) (prediction first), with 0·log(0/q) = 0;
    10. clipped to [0, 1000].

    Where the pseudocode is silent (a trace with fewer than two peaks, all widths equal so that no KDE exists, a
    prediction density that underflows where the target's does not, or nan) the score is 1000, the clip value,
    as the code penalises those cases.

    Parameters
    ----------
    target, pred : array of shape (frames,)
    alpha, beta : float
        0.3 and 1.0 in the pseudocode.

    Returns
    -------
    float in [0, 1000]
    """
    from scipy.stats import gaussian_kde

    t, p = _to_numpy(target), _to_numpy(pred)
    if t.ndim != 1 or p.ndim != 1:
        raise InputError(f"sdkl_trace_pseudocode expects 1-D traces; got shapes {t.shape} and {p.shape}.")
    if not alpha > 0 or not beta > 0:
        raise InputError(f"alpha and beta must be > 0; got alpha={alpha}, beta={beta}.")
    d_hat, d = peak_widths_pseudocode(p, beta), peak_widths_pseudocode(t, beta)
    if len(d) < 2 or len(d_hat) < 2 or np.ptp(d) == 0 or np.ptp(d_hat) == 0:
        return 1000.0
    union = np.concatenate([d, d_hat])
    var = alpha * union.var()  # (α/n) Σ (x − x̄)²
    grid = np.linspace(union.min() - 3 * var, union.max() + 3 * var, 200)
    q = gaussian_kde(d, bw_method=alpha)(grid)
    p_hat = gaussian_kde(d_hat, bw_method=alpha)(grid)
    score = _kl(p_hat, q)
    if not np.isfinite(score):
        return 1000.0
    return float(min(max(0.0, score), 1000.0))


def spike_kde_divergence_pseudocode(pred, target, alpha: float = 0.3, beta: float = 1.0) -> tuple[float, np.ndarray]:
    """Population SD-KL by the supplement's pseudocode: :func:`sdkl_trace_pseudocode` per cell, then the mean.

    Parameters
    ----------
    pred, target : array or Tensor of shape (N, cells, frames) or (cells, frames)
        3-D input is joined along time per cell (as the code's wrapper does).
    alpha, beta : float

    Returns
    -------
    mean : float
    scores : ndarray of shape (cells,), each in [0, 1000]
    """
    p, t = np.asarray(_to_numpy(pred), dtype=np.float64), np.asarray(_to_numpy(target), dtype=np.float64)
    if p.shape != t.shape or p.ndim not in (2, 3):
        raise InputError(f"preds and target must have the same 2-D or 3-D shape; got {p.shape} and {t.shape}.")
    p, t = _join_time(p, "pred"), _join_time(t, "target")
    scores = np.array([sdkl_trace_pseudocode(t[i], p[i], alpha, beta) for i in range(p.shape[0])])
    return float(scores.mean()), scores


# --------------------------------------------------------------------------------------------- top-k protocol
def top_k_cells(per_cell, k: int = 8) -> np.ndarray:
    """Indices of the ``k`` cells with the highest (signed) CC, best first (ties: lower index first).

    Step 1 of the complementary-coding protocol: the CCs of the model trained on all cells, sorted.
    """
    r = np.asarray(_to_numpy(per_cell), dtype=np.float64).ravel()
    if not 1 <= k <= r.size:
        raise InputError(f"k must be between 1 and the number of cells ({r.size}); got {k}.")
    return np.lexsort((np.arange(r.size), -r))[:k]


def complementary_subsets(n_cells: int, top, size: int, seed: int = 0) -> list[np.ndarray]:
    """The cell subsets a model of ``size`` cells is trained on, so that every top cell is modelled.

    ``size >= len(top)``: one subset, the top cells plus ``size - len(top)`` others drawn at random (seeded).
    ``size < len(top)``: the top cells split into consecutive groups of ``size`` (``size = 1``: each top cell
    alone, one model each).

    Parameters
    ----------
    n_cells : int
        Cells in the population.
    top : sequence of int
        The top cells (:func:`top_k_cells`).
    size : int
        Cells per model (90, 64, 32, 16, 8, 1 in the poster).
    seed : int

    Returns
    -------
    list of ndarray of int
        Sorted cell indices of each model's subset.
    """
    top = np.asarray(top, dtype=np.int64)
    if len(set(top.tolist())) != len(top) or top.min() < 0 or top.max() >= n_cells:
        raise InputError(f"top must hold distinct cell indices in [0, {n_cells}); got {top.tolist()}.")
    if not 1 <= size <= n_cells:
        raise InputError(f"size must be between 1 and n_cells={n_cells}; got {size}.")
    if size >= len(top):
        rest = np.setdiff1d(np.arange(n_cells), top)
        extra = np.random.default_rng([seed, size]).choice(rest, size - len(top), replace=False)
        return [np.sort(np.concatenate([top, extra]))]
    return [np.sort(top[i : i + size]) for i in range(0, len(top), size)]


def top_k_mean(per_cell_by_subset, top) -> float:
    """Mean CC of the ``top`` cells over the models of one condition (step 4 of the protocol).

    Parameters
    ----------
    per_cell_by_subset : sequence of (cells, r)
        For each model of the condition, its subset of cell indices and the CC of each of those cells.
    top : sequence of int

    Returns
    -------
    float
        Mean over the top cells of their CC; a top cell modelled by several models of the condition is averaged
        over them first. A top cell that no model predicts raises ``InputError``.
    """
    vals: dict[int, list[float]] = {}
    for cells, r in per_cell_by_subset:
        cells, r = np.asarray(cells).ravel(), np.asarray(_to_numpy(r), dtype=np.float64).ravel()
        if cells.shape != r.shape:
            raise InputError(f"each subset needs one CC per cell; got {cells.size} cells and {r.size} CCs.")
        for c, v in zip(cells.tolist(), r.tolist()):
            vals.setdefault(int(c), []).append(v)
    missing = [int(c) for c in top if int(c) not in vals]
    if missing:
        raise InputError(f"top cells {missing} are predicted by no model of this condition.")
    return float(np.mean([np.mean(vals[int(c)]) for c in top]))
