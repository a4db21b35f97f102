"""The paper profile rehearsed: simulator presets at the paper's per-sample shapes (counts subsampled by a stated
factor), stamped as rehearsals in their data cards, and Part I's repetitions cut by one function."""
from __future__ import annotations

import json

import numpy as np
import pytest

from neurokit.config import REHEARSAL_ENV
from neurokit.errors import InputError, UnknownNameError


def test_brain_rehearsal_preset_has_the_papers_shapes():
    from neurokit.sim.brain import ALGONAUTS_VOXELS, PROFILES, REHEARSAL_SUBSAMPLE, ROIS, rehearsal_record

    c = PROFILES["rehearsal"]
    assert (c.n_subjects, c.n_rep_train, c.n_rep_test) == (10, 3, 10)
    f = REHEARSAL_SUBSAMPLE
    assert (c.n_train, c.n_test) == (round(1000 / f["n_train"]), round(102 / f["n_test"]))
    assert c.n_test >= 5  # correlations across test clips stay defined
    assert (c.video.n_frames, c.video.size, c.video.fps) == (90, 268, 30)  # 3-s clips, AlgonautsVideos268
    for r in ROIS:  # the real per-subject, per-ROI voxel counts, unscaled and unclipped
        assert [c.n_voxels(r, k) for k in range(10)] == list(ALGONAUTS_VOXELS[r])
    rec = rehearsal_record("rehearsal")
    assert rec["count_subsample_factor"] == REHEARSAL_SUBSAMPLE and rec["real_counts"] == {"n_train": 1000,
                                                                                          "n_test": 102}
    assert rehearsal_record("embedded") is None


def test_brain_rehearsal_simulation_is_stamped(tmp_path):
    """The rehearsal preset writes its subsampling factor into ground_truth/model.json; other presets do not."""
    from dataclasses import replace

    from neurokit.sim.brain import PROFILES, REHEARSAL_SUBSAMPLE, simulate_algonauts2021
    from neurokit.sim.video import VideoWorldConfig

    small = replace(PROFILES["rehearsal"], n_train=4, n_test=2, n_subjects=1,
                    video=VideoWorldConfig(n_frames=6, size=32, fps=2))
    simulate_algonauts2021(tmp_path / "r", "rehearsal", config=small)
    model = json.loads((tmp_path / "r" / "ground_truth" / "model.json").read_text())
    assert model["rehearsal"]["rehearsal"] and model["rehearsal"]["count_subsample_factor"] == REHEARSAL_SUBSAMPLE
    assert model["voxels"]["sub01"]["LOC"] == 1843
    simulate_algonauts2021(tmp_path / "e", "embedded", config=small)
    assert "rehearsal" not in json.loads((tmp_path / "e" / "ground_truth" / "model.json").read_text())


def test_retina_rehearsal_preset_and_card(tmp_path):
    from neurokit.sim.retina import PROFILE_SIZES, REHEARSAL_SUBSAMPLE, simulate_retina

    p = PROFILE_SIZES["rehearsal"]
    assert p["n_cells"] == 90 and p["n_trials"] == 20
    assert tuple(p["frames"]) == (1800 // REHEARSAL_SUBSAMPLE, 1600 // REHEARSAL_SUBSAMPLE)
    with pytest.raises(UnknownNameError):
        simulate_retina(tmp_path / "x", "huge")
    root = simulate_retina(tmp_path / "r", "rehearsal", n_cells=3, frames=(30, 20), wn_frames=300)
    card = json.loads((root / "card.json").read_text())
    assert card["rehearsal"]["count_subsample_factor"] == REHEARSAL_SUBSAMPLE
    assert card["feature_extractor"] == "vit_l14_patch_embed_random"
    import zarr

    g = zarr.open_group(str(root / "MOVIE01_zarr"), mode="r")
    assert g["dinov2_feats_0"].shape == (30, 256, 1024)  # DINOv2 ViT-L/14's token grid and width
    assert g.attrs["rehearsal"] and g.attrs["count_subsample_factor"] == REHEARSAL_SUBSAMPLE


def test_vit_l14_patch_embedding_tokens():
    """The random ViT-L/14 patch embedding is a linear map of 14x14 patches of the 224-px frame: token (i, j) of a
    frame that is zero except in patch (i, j) differs from the all-zero frame's tokens only at (i, j)."""
    from neurokit.features.grid import extract_grid_features

    f = np.full((2, 224, 224), 0.5, np.float32)
    f[1, 14 * 3:14 * 4, 14 * 5:14 * 6] = 1.0
    t = extract_grid_features(f, "vit_l14_patch_embed_random")
    assert t.shape == (2, 256, 1024)
    moved = np.flatnonzero(np.abs(t[1] - t[0]).max(1) > 1e-6)
    assert moved.tolist() == [3 * 16 + 5]


def test_encoding_rehearse_cuts_repetitions_only(monkeypatch):
    from neurokit.studies.encoding import connectivity, families, identifiability, open_questions, targets
    from neurokit.studies.encoding.settings import REHEARSAL_MINIMA, rehearse

    for mod in (families, targets, connectivity, open_questions, identifiability):
        monkeypatch.setenv(REHEARSAL_ENV, "0")
        paper = mod.settings("paper")
        monkeypatch.setenv(REHEARSAL_ENV, "1")
        r = mod.settings("paper")
        assert r == rehearse(paper), mod.__name__
        for f in paper.__dataclass_fields__:
            if f in REHEARSAL_MINIMA:
                assert getattr(r, f) == min(REHEARSAL_MINIMA[f], getattr(paper, f))
            elif f == "scheduler":  # the sweep runs on a local Dask cluster
                assert r.scheduler == "dask"
            elif f == "test_fraction":  # 2 test clips per fold from the rehearsal's 10 training clips
                assert r.test_fraction == max(paper.test_fraction, 0.2)
            elif f == "fault_drill":  # ... and one of its workers is killed mid-sweep
                assert r.fault_drill and not paper.fault_drill
            else:  # models, subjects, clips, PCA sizes, grids, inner folds: the paper's
                assert getattr(r, f) == getattr(paper, f), (mod.__name__, f)
        emb = mod.settings("embedded")
        monkeypatch.setenv(REHEARSAL_ENV, "0")
        assert mod.settings("embedded") == emb  # other profiles untouched
    monkeypatch.setenv(REHEARSAL_ENV, "1")
    assert families.settings("paper").n_permutations == 2 and families.settings("paper").n_folds == 2
    assert families.settings("paper", n_permutations=7).n_permutations == 7  # overrides still win
    assert len(families.settings("paper").models) == 37
    assert families.settings("embedded").n_permutations == 1000
    with pytest.raises(InputError, match="paper"):
        rehearse(families.settings("embedded"))


def test_manifests_state_the_rehearsal_subsampling():
    from neurokit.data.manifests import manifest_dir
    from neurokit.sim import brain, retina

    brain_factors = " and ".join(str(f) for f in brain.REHEARSAL_SUBSAMPLE.values())
    for name, factor in (("algonauts2021", brain_factors), ("bold_moments", brain_factors),
                         ("vist_retina", retina.REHEARSAL_SUBSAMPLE)):
        text = (manifest_dir() / f"{name}.yaml").read_text()
        assert f"divided by {factor}" in text, name


def test_rehearsal_features_never_share_the_real_runs_cache_location(monkeypatch):
    """Part I remembers where each model's features live; a rehearsal's random-init "paper" features get their own
    entry, so a later real run can never be pointed at them."""
    from neurokit.studies.encoding.layers import _location_key

    monkeypatch.setenv(REHEARSAL_ENV, "0")
    real, emb = _location_key("x3d_s.k400", "paper", None, {}), _location_key("x3d_s.k400", "embedded", None, {})
    monkeypatch.setenv(REHEARSAL_ENV, "1")
    assert _location_key("x3d_s.k400", "paper", None, {}) != real
    assert _location_key("x3d_s.k400", "embedded", None, {}) == emb


def test_part_i_fits_run_on_dask_in_a_rehearsal_only(monkeypatch):
    from neurokit.config import REHEARSAL_ENV
    from neurokit.studies.encoding import families

    monkeypatch.delenv(REHEARSAL_ENV, raising=False)
    assert families.settings("paper").scheduler == "joblib"
    monkeypatch.setenv(REHEARSAL_ENV, "1")
    s = families.settings("paper")
    assert s.scheduler == "dask" and s.n_folds == 2
    assert families.settings("paper", scheduler="sequential").scheduler == "sequential"  # the reader's choice wins


def test_vist_rehearse_cuts_repetitions_only(monkeypatch):
    """Part II's rehearsal keeps the paper's shapes, models and recipe and cuts counts only, by stated factors."""
    import dataclasses

    from neurokit.studies.vist.settings import (PAPER_RECIPE, PROFILES, REHEARSAL_RECIPE, rehearsal_cuts, rehearse,
                                                settings)
    from neurokit.vist.model import PAPER_N_PARAMS, ViST, count_parameters

    paper = PROFILES["paper"]
    r = rehearse(paper)
    cut = {"rehearsal", "check_seeds", "cell_counts", "eval_frames"}
    for f in dataclasses.fields(paper):
        if f.name not in cut:  # models, ablations, layers (224 px), model shape, standardisation, curves: the paper's
            assert getattr(r, f.name) == getattr(paper, f.name), f.name
    assert r.rehearsal and (r.video_layers, r.video_dim) == (6, 256)
    assert count_parameters(ViST(r.video_layers, r.video_dim, feat_dim=1024, n_cells=90)) == PAPER_N_PARAMS
    assert r.check_seeds == paper.check_seeds[:1] and len(r.check_seeds) == 1
    assert r.cell_counts == (90, 45) and paper.cell_counts[0] == 90
    assert r.eval_frames == REHEARSAL_RECIPE["eval_frames"] >= 128 and paper.eval_frames == 0
    pc, rc = paper.train_config(), r.train_config()
    for f in dataclasses.fields(pc):  # the recipe's shapes and rates are the paper's; only the counts differ
        if f.name not in ("epochs", "batches_per_epoch", "batch_size", "warmup", "swa_start", "swa_anneal"):
            assert getattr(rc, f.name) == getattr(pc, f.name), f.name
    assert (pc.epochs, pc.batches_per_epoch, pc.batch_size, pc.window) == (30, 48, 16, 128)
    assert (rc.epochs, rc.batches_per_epoch, rc.batch_size, rc.window) == (3, 1, 1, 128)
    assert PAPER_RECIPE["batch_size"] % rc.batch_size == 0
    # every phase of the schedule still runs: warm-up, cosine, SWA (annealing and averaging)
    assert 0 < rc.warmup < rc.swa_start < rc.epochs
    assert rc.lr_at(0) < rc.lr_at(1) and rc.lr_at(rc.epochs - 1) != rc.lr_at(rc.swa_start - 1)
    double = r.train_config(budget=2)
    assert (double.epochs, double.warmup, double.swa_start) == (6, 2, 4) and double.batch_size == 1
    assert (paper.steps, r.steps, paper.frames_per_step, r.frames_per_step) == (1440, 3, 2048, 128)
    table = rehearsal_cuts(paper, r)
    assert table.loc["windows per batch (128 frames each)", "factor"] == 16
    assert table.loc["optimizer steps per run", "rehearsal"] == 3
    monkeypatch.setenv(REHEARSAL_ENV, "1")
    assert settings("paper") == r and settings("embedded") == PROFILES["embedded"]
    assert settings("paper", n_jobs=2).n_jobs == 2
    monkeypatch.setenv(REHEARSAL_ENV, "0")
    assert settings("paper") == paper
    with pytest.raises(InputError, match="paper"):
        rehearse(PROFILES["embedded"])
    with pytest.raises(InputError, match="eval_frames"):
        settings("embedded", eval_frames=10)


def test_vist_scoring_the_first_frames_equals_the_whole_sequence_prediction():
    """The rehearsal scores test sequences on their first frames: Vi-ST is causal, so predicting a sequence's first
    n frames gives exactly the first n frames of the whole sequence's prediction (eval mode)."""
    import torch

    from neurokit.vist.model import ViST

    torch.manual_seed(0)
    m = ViST(video_layers=2, video_dim=4, feat_dim=6, n_cells=3).eval()
    x, rf = torch.randn(1, 70, 256, 6), torch.rand(3, 16, 16)
    with torch.no_grad():
        whole, head = m(x, rf), m(x[:, :45], rf)
    torch.testing.assert_close(head, whole[..., :45], rtol=1e-5, atol=1e-6)


def test_vist_runs_use_at_most_the_cores_available():
    """The paper profile asks for 16 torch threads; a run gets at most the cores this process may use."""
    from neurokit.config import available_cores
    from neurokit.studies.vist.experiment import _threads

    n = available_cores()
    assert _threads(16, 1) == min(16, n)
    assert _threads(1, 2) == 1
    assert _threads(16, 2) == max(1, min(16, n // 2))
