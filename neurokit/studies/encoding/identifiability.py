"""Part I.4: what region-to-region direction can and cannot be identified from, in small worlds with known truth.

* **The paper's Fig. 5c, read against region size**: the digitised matrix's column means (each source's mean
  weight onto the other regions) against ``1 / voxel count`` of the source ROI in the real data, with an exact
  permutation p-value over the 9! assignments of counts to ROIs; and a world with *no coupling at all*, ROI sizes
  in the real proportions, where the paper's statistic (``mean |A|``) is read.
* **The projector**: in a shared-feature world without noise, the paper's map on predicted voxels is the
  orthogonal projector onto their span (symmetric, idempotent), whatever the planted direction.
* **The instrumented-coupling world** (:func:`neurokit.sim.regions.make_instrumented_regions`), over several
  simulation seeds, as planted (``C``) and transposed (``Cᵀ``): the instrumented encoder
  (:class:`neurokit.connectivity.InstrumentedCouplingEncoder`) beside the paper's model on the same clips
  (directed recovery, detection AUC, direction accuracy, held-out gain).
* **The trial-fluctuation channel**: same-trial residuals of the other regions recover the undirected graph;
  the direction they suggest is the same in the ``C``, ``Cᵀ`` and symmetrised ``(C + Cᵀ)/2`` worlds (set by the
  regions' variances, loadings and noise, not by ``C``).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from neurokit.connectivity import (ConnectivityEncoder, InstrumentedCouplingEncoder, coupling_metrics,
                                   trial_coupling)
from neurokit.errors import InputError
from neurokit.regression import RidgeCV
from neurokit.stats import pearsonr
from neurokit.studies.encoding import _settings, published
from neurokit.studies.encoding.layers import single_threaded

__all__ = ["Settings", "settings", "IdentifiabilityResult", "run", "size_analysis", "size_control",
           "projector_world", "instrumented_seeds", "fluctuation_seeds", "planted_matrix"]


@dataclass(frozen=True)
class Settings:
    """Settings of the identifiability analyses.

    Attributes
    ----------
    profile : str
    seed : int
        First simulation seed; the worlds use ``seed, seed + 1, …``.
    n_seeds : int
        Simulation seeds of the instrumented and fluctuation worlds (at least 4).
    n_samples : int
        Clips of those worlds.
    voxels_per_region : int
    test_fraction : float
        Held-out clips for the held-out gain.
    crossfit_cv : int
    size_voxel_scale : float
        Voxels per ROI in the no-coupling size control = real mean count × this.
    leaky_dropout : float
    n_jobs : int
        Worker processes over simulation seeds.
    """

    profile: str
    seed: int = 0
    n_seeds: int = 8
    n_samples: int = 600
    voxels_per_region: int = 12
    test_fraction: float = 0.1
    crossfit_cv: int = 5
    size_voxel_scale: float = 1 / 8
    leaky_dropout: float = 0.5
    n_jobs: int = 1

    def __post_init__(self):
        _settings.check_nonnegative(self, "seed")
        _settings.check_positive(self, "n_seeds", "n_samples", "voxels_per_region", "crossfit_cv", "n_jobs")
        _settings.check_fraction(self, "test_fraction", 0.0, 0.5)
        if not 0 < self.size_voxel_scale <= 1:
            raise InputError(f"size_voxel_scale must lie in (0, 1]; got {self.size_voxel_scale!r}.")


PROFILES = {
    "smoke": dict(n_seeds=2, n_samples=120, voxels_per_region=4, crossfit_cv=3, size_voxel_scale=1 / 40),
    "embedded": dict(n_seeds=4, n_jobs=2),
    "paper": dict(n_seeds=8, n_jobs=2),
}


def settings(profile, **overrides):
    """The settings of ``profile`` with ``overrides`` (``None`` values keep the profile's)."""
    return _settings.resolve(Settings, PROFILES, profile, overrides)


def planted_matrix():
    """The planted directed coupling of the simulated brain (rows target, columns source, ROI order)."""
    from neurokit.sim.brain import connectivity_matrix

    return connectivity_matrix()


# ----------------------------------------------------------------------------------------- Fig. 5c
def size_analysis(matrix, voxels):
    """Column means of a region matrix (off the diagonal) against ``1 / voxel count`` of the source.

    Parameters
    ----------
    matrix : ndarray of shape (k, k)
        Rows target, columns source.
    voxels : array-like of shape (k,)

    Returns
    -------
    dict
        ``r`` (Pearson), ``rho`` (Spearman), ``p_perm`` (two-sided, exact over all ``k!`` assignments of the
        counts to the columns when ``k <= 9``, else 100 000 random ones), ``column_means``, ``inv_voxels``.
    """
    from scipy.stats import spearmanr

    M = np.asarray(matrix, float)
    k = len(M)
    off = ~np.eye(k, dtype=bool)
    col = np.array([M[off[:, j], j].mean() for j in range(k)])
    inv = 1.0 / np.asarray(voxels, float)
    r = float(np.corrcoef(col, inv)[0, 1])
    if k <= 9:
        perms = np.array(list(itertools.permutations(range(k))))
    else:
        rng = np.random.default_rng(0)
        perms = np.array([rng.permutation(k) for _ in range(100_000)])
    X = inv[perms]
    Xc = X - X.mean(1, keepdims=True)
    cc = col - col.mean()
    rp = (Xc @ cc) / (np.linalg.norm(Xc, axis=1) * np.linalg.norm(cc))
    p = float((np.abs(rp) >= abs(r) - 1e-12).mean())
    return {"r": r, "rho": float(spearmanr(col, inv).statistic), "p_perm": p, "column_means": col,
            "inv_voxels": inv}


@single_threaded
def size_control(s: Settings):
    """Worlds without coupling, ROI sizes in the real data's proportions: do the paper's region weights follow
    ``1/size`` anyway?

    One world per simulation seed (``n_seeds``), each region with its own feature group and private activity
    (:func:`neurokit.sim.regions.make_instrumented_regions` with ``C = 0``, no trial fluctuations); the paper's
    model with the shared features, leaky (measured inputs, dropout) and leak-free (cross-fitted).

    Returns
    -------
    dict
        ``sizes`` (voxels per ROI); for ``"leaky"`` and ``"leak-free"``: ``weights`` (:func:`size_analysis` of
        ``mean |A|`` in the first world, for the figure), ``r_mean`` and ``r_sd`` (column means vs 1/size over
        worlds), ``diag_r_mean`` (diagonal vs 1/size), ``contributions_r_mean`` (the contribution s.d.).
    """
    from neurokit.sim.regions import make_instrumented_regions

    counts = published.roi_voxel_counts()
    sizes = np.maximum(4, np.round(counts.to_numpy() * s.size_voxel_scale)).astype(int)
    k = len(sizes)
    acc = {"leaky": [], "leak-free": []}
    for j in range(s.n_seeds):
        w = make_instrumented_regions(np.zeros((k, k)), n_samples=s.n_samples, voxels_per_region=sizes,
                                      fluctuation=0.0, region_names=tuple(counts.index), seed=s.seed + j)
        for name, kw in (("leaky", {"inputs": "measured", "dropout": s.leaky_dropout}), ("leak-free", {})):
            enc = ConnectivityEncoder(cv=s.crossfit_cv, random_state=s.seed, **kw).fit(w.shared, w.Y, w.regions)
            W = enc.region_weights_raw_
            acc[name].append({"weights": size_analysis(W, sizes),
                              "contributions": size_analysis(enc.region_contributions_raw_, sizes),
                              "diag_r": float(np.corrcoef(np.diag(W), 1.0 / sizes)[0, 1])})
    out = {"sizes": sizes}
    for name, runs in acc.items():
        r = np.array([x["weights"]["r"] for x in runs])
        out[name] = {"weights": {**runs[0]["weights"], "labels": tuple(counts.index)}, "r_mean": float(r.mean()),
                     "r_sd": float(r.std()), "diag_r_mean": float(np.mean([x["diag_r"] for x in runs])),
                     "contributions_r_mean": float(np.mean([x["contributions"]["r"] for x in runs]))}
    return out


# ------------------------------------------------------------------------------------------ projector
@single_threaded
def projector_world(s: Settings):
    """The paper's map on noise-free predicted voxels of a shared-feature world with the planted matrix.

    Returns
    -------
    dict
        ``symmetry_error``, ``idempotence_error`` (relative to ``max |A|``), ``rank`` (trace of A), ``corr_w_wt``,
        ``directed_r``, ``undirected_r``.
    """
    from neurokit.sim.regions import make_planted_regions

    C = planted_matrix()
    d = make_planted_regions(n_samples=s.n_samples, n_features=40, voxels_per_region=s.voxels_per_region,
                             planted=C, noise=0.0, seed=s.seed)
    tiny = [1e-9]
    enc = ConnectivityEncoder(base_estimator=RidgeCV(alphas=tiny, cv="loo"), inputs="insample", alphas=tiny,
                              standardize=False).fit(d.X, d.signal, d.regions)
    A = enc.coef_
    m = coupling_metrics(enc.region_weights_raw_, C)
    scale = np.abs(A).max()
    return {"symmetry_error": float(np.abs(A - A.T).max() / scale),
            "idempotence_error": float(np.abs(A @ A - A).max() / scale), "rank": int(round(np.trace(A))),
            "n_voxels": int(A.shape[0]), "corr_w_wt": m["symmetry"], "directed_r": m["directed_r"],
            "undirected_r": m["undirected_r"]}


# ------------------------------------------------------------------------------------- instrumented
def _split(n, test_fraction, seed):
    perm = np.random.default_rng([seed, 7]).permutation(n)
    k = int(round(test_fraction * n))
    return np.sort(perm[k:]), np.sort(perm[:k])


def _mean_r(Y, P, labels):
    r = np.nan_to_num(pearsonr(Y, P))
    return float(np.mean([r[labels == g].mean() for g in dict.fromkeys(labels.tolist())]))


@single_threaded
def instrumented_seeds(s: Settings):
    """The instrumented encoder and the paper's model in the instrumented world, planted and transposed.

    Returns
    -------
    metrics : pandas.DataFrame
        ``seed, world, estimator, directed_r, undirected_r, auc, direction_accuracy, symmetry, gain`` (metrics
        against that world's planted matrix; ``gain`` = held-out mean r of the estimator − its base model).
    matrices : dict
        ``(world, estimator)`` → mean matrix over seeds (and ``(world, "planted")``).
    asymmetry : pandas.DataFrame
        ``seed, estimator, r_asym, flip``: over the planted edges, the correlation of the direction readout
        ``W[r, s] − W[s, r]`` in the ``C`` world with the same in the ``Cᵀ`` world, and the fraction of edges whose
        readout changes sign between the two worlds (1: the direction follows the planted matrix; 0: it stays
        put whichever way the coupling runs).
    """
    import pandas as pd

    from neurokit.sim.regions import make_instrumented_regions

    C = planted_matrix()
    rows, mats, asym_rows = [], {}, []
    edges = [(r, q) for r in range(len(C)) for q in range(len(C)) if C[r, q] > 0]
    for k in range(s.n_seeds):
        seed = s.seed + k
        per_world = {}
        for world, CC in (("C", C), ("Cᵀ", C.T)):
            w = make_instrumented_regions(CC, n_samples=s.n_samples, voxels_per_region=s.voxels_per_region,
                                          seed=seed)
            tr, te = _split(len(w.Y), s.test_fraction, seed)
            own_tr = {g: f[tr] for g, f in w.own.items()}
            own_te = {g: f[te] for g, f in w.own.items()}
            est = {}
            enc = InstrumentedCouplingEncoder(cv=s.crossfit_cv, random_state=seed).fit(
                w.shared[tr], w.Y[tr], w.regions, own_tr)
            est["instrumented"] = (enc.coupling_, _mean_r(w.Y[te], enc.predict(w.shared[te], own_te), w.regions)
                                   - _mean_r(w.Y[te], enc.predict_base(w.shared[te], own_te), w.regions))
            for name, X in (("paper model, shared features", w.shared),
                            ("paper model, all features", np.hstack([w.shared] + [w.own[g] for g in w.region_names]))):
                pm = ConnectivityEncoder(cv=s.crossfit_cv, random_state=seed).fit(X[tr], w.Y[tr], w.regions)
                gain = _mean_r(w.Y[te], pm.predict(X[te]), w.regions) - _mean_r(w.Y[te], pm.predict_base(X[te]),
                                                                                w.regions)
                est[name] = (pm.region_weights_raw_, gain)
                if name.endswith("all features"):
                    est[name + " (contributions)"] = (pm.region_contributions_raw_, gain)
            for name, (W, gain) in est.items():
                rows.append({"seed": seed, "world": world, "estimator": name, **coupling_metrics(W, CC),
                             "gain": gain})
                mats.setdefault((world, name), []).append(W)
            mats[(world, "planted")] = [CC]
            per_world[world] = {name: W for name, (W, _) in est.items()}
        for name in per_world["C"]:
            a = np.array([per_world["C"][name][r, q] - per_world["C"][name][q, r] for r, q in edges])
            b = np.array([per_world["Cᵀ"][name][r, q] - per_world["Cᵀ"][name][q, r] for r, q in edges])
            asym_rows.append({"seed": seed, "estimator": name, "r_asym": float(np.corrcoef(a, b)[0, 1]),
                              "flip": float(np.mean(np.sign(a) != np.sign(b)))})
    return pd.DataFrame(rows), {k: np.mean(v, axis=0) for k, v in mats.items()}, pd.DataFrame(asym_rows)


@single_threaded
def fluctuation_seeds(s: Settings):
    """Same-trial residual coupling in the ``C``, ``Cᵀ`` and symmetrised worlds.

    Returns
    -------
    metrics : pandas.DataFrame
        ``seed, world, undirected_r, directed_r, direction_accuracy, auc`` (against the world's planted matrix).
    asymmetry : pandas.DataFrame
        ``seed, compared, r_asym, flip``: over the planted edges, correlation and sign changes of
        ``W[r, s] − W[s, r]`` between the ``C`` world and the ``Cᵀ`` world, and between the ``C`` world and the
        symmetrised one.
    matrix : ndarray
        Mean matrix of the ``C`` world.
    """
    import pandas as pd

    from neurokit.sim.regions import make_instrumented_regions

    C = planted_matrix()
    edges = [(r, q) for r in range(len(C)) for q in range(len(C)) if C[r, q] > 0]
    rows, asym, mats = [], [], []
    for k in range(s.n_seeds):
        seed = s.seed + k
        W = {}
        for world, CC in (("C", C), ("Cᵀ", C.T), ("(C + Cᵀ)/2", (C + C.T) / 2)):
            w = make_instrumented_regions(CC, n_samples=s.n_samples, voxels_per_region=s.voxels_per_region,
                                          seed=seed)
            tr, _ = _split(len(w.Y), s.test_fraction, seed)
            _, W[world] = trial_coupling(w.trials[tr], w.regions)
            if world != "(C + Cᵀ)/2":
                m = coupling_metrics(W[world], CC)
                rows.append({"seed": seed, "world": world, "undirected_r": m["undirected_r"],
                             "directed_r": m["directed_r"], "direction_accuracy": m["direction_accuracy"],
                             "auc": m["auc"]})
        mats.append(W["C"])
        a = {k_: np.array([v[r, q] - v[q, r] for r, q in edges]) for k_, v in W.items()}
        for other in ("Cᵀ", "(C + Cᵀ)/2"):
            asym.append({"seed": seed, "compared": f"C vs {other}",
                         "r_asym": float(np.corrcoef(a["C"], a[other])[0, 1]),
                         "flip": float(np.mean(np.sign(a["C"]) != np.sign(a[other])))})
    return pd.DataFrame(rows), pd.DataFrame(asym), np.mean(mats, axis=0)


# ------------------------------------------------------------------------------------------ result
@dataclass(frozen=True)
class IdentifiabilityResult:
    """See the module notes.

    Attributes
    ----------
    settings : Settings
    fig5c : dict
        :func:`size_analysis` of the paper's digitised matrix against the real ROI sizes.
    size_control : dict
        :func:`size_control`.
    projector : dict
        :func:`projector_world`.
    instrumented : pandas.DataFrame
    instrumented_matrices : dict
    instrumented_asymmetry : pandas.DataFrame
    fluctuation : pandas.DataFrame
    fluctuation_asymmetry : pandas.DataFrame
    fluctuation_matrix : ndarray
    summary : pandas.DataFrame
        Mean ± s.d. over seeds per (world, estimator) of every metric.
    """

    settings: Settings
    fig5c: dict = field(repr=False)
    size_control: dict = field(repr=False)
    projector: dict = field(repr=False)
    instrumented: object = field(repr=False)
    instrumented_matrices: dict = field(repr=False)
    instrumented_asymmetry: object = field(repr=False)
    fluctuation: object = field(repr=False)
    fluctuation_asymmetry: object = field(repr=False)
    fluctuation_matrix: object = field(repr=False)
    summary: object = field(repr=False)


def _one_seed(s: Settings, k: int):
    """Every world of seed ``s.seed + k`` (a unit of work for one process)."""
    import dataclasses

    one = dataclasses.replace(s, seed=s.seed + k, n_seeds=1)
    return instrumented_seeds(one), fluctuation_seeds(one)


def run(s: Settings) -> IdentifiabilityResult:
    """All identifiability analyses (array worlds only; no data set is needed)."""
    import pandas as pd

    fig5c = size_analysis(published.FIG5C, published.roi_voxel_counts().to_numpy())
    if s.n_jobs > 1 and s.n_seeds > 1:
        from joblib import Parallel, delayed

        per_seed = Parallel(n_jobs=s.n_jobs, backend="loky")(delayed(_one_seed)(s, k) for k in range(s.n_seeds))
    else:
        per_seed = [_one_seed(s, k) for k in range(s.n_seeds)]
    inst = pd.concat([x[0][0] for x in per_seed], ignore_index=True)
    asym = pd.concat([x[0][2] for x in per_seed], ignore_index=True)
    mats = {key: np.mean([x[0][1][key] for x in per_seed], axis=0) for key in per_seed[0][0][1]}
    fl = pd.concat([x[1][0] for x in per_seed], ignore_index=True)
    fl_asym = pd.concat([x[1][1] for x in per_seed], ignore_index=True)
    fl_mat = np.mean([x[1][2] for x in per_seed], axis=0)
    metrics = ["directed_r", "undirected_r", "auc", "direction_accuracy", "symmetry", "gain"]
    summary = inst.groupby(["world", "estimator"], sort=False)[metrics].agg(["mean", "std"])
    return IdentifiabilityResult(settings=s, fig5c=fig5c, size_control=size_control(s), projector=projector_world(s),
                                 instrumented=inst, instrumented_matrices=mats, instrumented_asymmetry=asym,
                                 fluctuation=fl, fluctuation_asymmetry=fl_asym, fluctuation_matrix=fl_mat,
                                 summary=summary)
