"""The paper profile of Part III rehearsed: the cc2017 preset at the paper's per-sample shapes (clip counts divided by
a stated factor), NEURONS settings cut to minimal repetitions, and pretrained weights replaced by random init only
inside a rehearsal, labelled."""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import torch

from neurokit.config import REHEARSAL_ENV
from neurokit.errors import DataError, InputError


def test_cc2017_rehearsal_preset_has_the_papers_shapes():
    from neurokit.sim.cc2017 import PAPER_COUNTS, PROFILES, REHEARSAL_SUBSAMPLE, rehearsal_record

    c = PROFILES["rehearsal"]
    assert c.size == 224 and c.n_voxels == (13447, 14828, 9114)  # 224-px frames, the 3 subjects' reliable voxels
    assert (c.n_train, c.n_test) == (4320 // REHEARSAL_SUBSAMPLE, 1200 // REHEARSAL_SUBSAMPLE)
    assert PAPER_COUNTS == {"n_train": 4320, "n_test": 1200}
    assert (c.n_train * REHEARSAL_SUBSAMPLE, c.n_test * REHEARSAL_SUBSAMPLE) == (4320, 1200)  # an exact division
    paper = PROFILES["paper"]
    assert (paper.size, paper.n_voxels) == (c.size, c.n_voxels)  # the same per-sample shapes as the paper preset
    rec = rehearsal_record("rehearsal")
    assert rec["count_subsample_factor"] == REHEARSAL_SUBSAMPLE and rec["real_counts"] == PAPER_COUNTS
    assert rehearsal_record("embedded") is None


def test_cc2017_rehearsal_simulation_is_stamped_in_the_real_layout(tmp_path):
    """A rehearsal simulation writes the real file layout with per-sample shapes (2 / 10 repetitions, 6 frames) and
    states its subsampling factor in sim_config.json; another preset does not."""
    from neurokit.data.cc2017 import load_cc2017
    from neurokit.sim.cc2017 import PROFILES, REHEARSAL_SUBSAMPLE, simulate_cc2017

    small = dataclasses.replace(PROFILES["rehearsal"], n_train=8, n_test=4, size=32, n_voxels=(40,))
    root = simulate_cc2017(tmp_path / "r", "rehearsal", config=small)
    stamp = json.loads((root / "sim_config.json").read_text())
    assert stamp["rehearsal"]["rehearsal"] and stamp["rehearsal"]["count_subsample_factor"] == REHEARSAL_SUBSAMPLE
    assert tuple(torch.load(root / "subj01_train_fmri.pt", weights_only=True).shape) == (8, 2, 40)
    assert tuple(torch.load(root / "subj01_test_fmri.pt", weights_only=True).shape) == (4, 10, 40)
    d = load_cc2017(root, 1)
    assert d.train_frames.shape == (8, 6, 3, 32, 32) and d.test_fmri.shape == (4, 40)
    other = simulate_cc2017(tmp_path / "e", "embedded", config=small)
    assert "rehearsal" not in json.loads((other / "sim_config.json").read_text())


def test_cc2017_manifest_states_the_rehearsal_subsampling():
    from neurokit.data.manifests import manifest_dir
    from neurokit.sim.cc2017 import REHEARSAL_SUBSAMPLE

    text = (manifest_dir() / "cc2017.yaml").read_text()
    assert f"divided by {REHEARSAL_SUBSAMPLE}" in text and "rehearsal/cc2017" in text


def test_plain_paper_profile_refuses_missing_data_and_a_rehearsal_never_uses_the_real_location(tmp_path,
                                                                                               monkeypatch):
    from neurokit.catalog import cc2017

    monkeypatch.delenv(REHEARSAL_ENV, raising=False)
    with pytest.raises(DataError):
        cc2017.ensure("paper", data_home=tmp_path)
    assert cc2017.root("paper", data_home=tmp_path) == tmp_path / "cc2017"
    monkeypatch.setenv(REHEARSAL_ENV, "1")
    assert cc2017.root("paper", data_home=tmp_path) == tmp_path / "rehearsal" / "cc2017"


def _fields(s):
    return {f.name: getattr(s, f.name) for f in dataclasses.fields(s)}


@pytest.mark.parametrize("analysis", ["training", "study", "world_models", "reconstruction"])
def test_neurons_rehearse_keeps_the_paper_configuration_and_cuts_repetitions(analysis, monkeypatch):
    from neurokit.studies.neurons.settings import REHEARSAL_CPU_FIT, REHEARSAL_CUTS, rehearse, settings

    monkeypatch.setenv(REHEARSAL_ENV, "0")
    paper, emb = settings(analysis, "paper"), settings(analysis, "embedded")
    monkeypatch.setenv(REHEARSAL_ENV, "1")
    r = settings(analysis, "paper")
    assert r == rehearse(paper)
    assert settings(analysis, "embedded") == emb  # other profiles untouched
    cut = dict(REHEARSAL_CUTS[analysis])
    for name, value in _fields(paper).items():
        got = getattr(r, name)
        if name == "rehearsal":
            assert got is True
        elif name == "training":  # the study's training run is the rehearsed training run
            assert got == rehearse(value) and got.config == "paper"
        elif name in REHEARSAL_CPU_FIT and analysis == "training":  # the one stated size change (memory)
            assert got == REHEARSAL_CPU_FIT[name] and value is None
        elif name in cut:
            want = cut[name] if name == "subjects" or name == "ablations" else min(cut[name], value or cut[name])
            assert got == (tuple(value[:1]) if name == "subjects" else want), name
        else:
            assert got == value, (analysis, name)  # batch sizes, lr, prior, coupling, guidance, sizes: the paper's
    if analysis == "training":
        assert (r.stage1_epochs, r.stage2_epochs, r.steps_per_epoch, r.prior_steps) == (1, 1, 1, 2)
        assert r.hidden == REHEARSAL_CPU_FIT["hidden"] and r.config == "paper"
        assert settings("training", "paper", {"stage2_epochs": 3}).stage2_epochs == 3  # overrides still win
        with pytest.raises(InputError, match="paper"):
            rehearse(emb)
    if analysis == "reconstruction":
        assert (r.steps, r.guidance, r.shared_noise, r.stand_in_size) == (1, 8.5, paper.shared_noise, 224)


def test_rehearsal_keys_differ_and_other_profiles_keys_do_not_change():
    """The rehearsal's settings enter the run's cache key; a profile that does not set them has the same keyword
    arguments (and cache keys) as before they existed."""
    from neurokit.studies.neurons.settings import PROFILES, rehearse

    emb = PROFILES["training"]["embedded"].as_kwargs()
    assert not {"steps_per_epoch", "prior_steps", "hidden", "rehearsal", "bf16"} & set(emb)
    r = rehearse(PROFILES["training"]["paper"]).as_kwargs()
    assert r["rehearsal"] is True and r["hidden"] == 512 and r["bf16"] is True  # the paper trains in mixed precision


def _tiny_gpt_config():
    from neurokit.neurons.model import create_config

    return create_config("tiny", gpt_pretrained="gpt2")


def test_pretrained_gpt2_missing_is_refused_outside_a_rehearsal_and_labelled_inside(tmp_path, monkeypatch):
    from neurokit.features.weights import REHEARSAL_WEIGHTS
    from neurokit.neurons.model import CaptionDecoder

    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    cfg = _tiny_gpt_config()
    monkeypatch.delenv(REHEARSAL_ENV, raising=False)
    with pytest.raises(DataError, match="never runs on random"):
        CaptionDecoder(cfg)
    monkeypatch.setenv(REHEARSAL_ENV, "1")
    dec = CaptionDecoder(cfg)
    assert dec.weights == REHEARSAL_WEIGHTS
    assert (dec.decoder.config.n_layer, dec.decoder.config.n_embd) == (cfg.gpt_layers, cfg.gpt_width)
    assert dec.decoder.config.vocab_size == 50257  # GPT-2's vocabulary, as the pretrained model's
    from neurokit.neurons.model import create_config

    assert CaptionDecoder(create_config("tiny")).weights == "random-init"


def _published_loop(prior, cond, generator):
    """The published DDPM ancestral loop (``p_sample_loop``, x0 parameterisation), written out step by step."""
    x = torch.randn(cond.shape, generator=generator)
    for i in reversed(range(prior.T)):
        x0 = prior.denoise(x, torch.full((len(cond),), i, dtype=torch.long), cond)
        ab, beta = prior.alphas_cumprod[i], prior.betas[i]
        ab_prev = prior.alphas_cumprod[i - 1] if i > 0 else torch.tensor(1.0)
        mean = (ab_prev.sqrt() * beta / (1 - ab)) * x0 + ((1 - beta).sqrt() * (1 - ab_prev) / (1 - ab)) * x
        x = mean + (beta * (1 - ab_prev) / (1 - ab)).sqrt() * torch.randn(x.shape, generator=generator) if i else mean
    return x


def test_respaced_prior_sampling_matches_the_full_loop_at_all_steps():
    """The prior's sampler is the published ancestral loop, bit for bit, when it keeps every timestep; on fewer
    timesteps (a rehearsal) it runs the respaced schedule, and differs."""
    from neurokit.neurons.model import DiffusionPrior, create_config

    cfg = create_config("tiny", prior_timesteps=12)
    torch.manual_seed(0)
    prior = DiffusionPrior(cfg).eval()
    cond = torch.randn(3, cfg.n_tokens, cfg.clip_dim)
    with torch.no_grad():
        reference = _published_loop(prior, cond, torch.Generator().manual_seed(1))
    full = prior.sample(cond, generator=torch.Generator().manual_seed(1))
    assert torch.equal(full, reference)
    assert torch.equal(prior.sample(cond, generator=torch.Generator().manual_seed(1), steps=cfg.prior_timesteps),
                       reference)
    two = prior.sample(cond, generator=torch.Generator().manual_seed(1), steps=2)
    assert two.shape == full.shape and torch.isfinite(two).all() and not torch.allclose(two, full)
    with pytest.raises(InputError):
        prior.sample(cond, steps=0)


def test_steps_per_epoch_cap():
    from neurokit.neurons.train import _steps

    assert _steps(72, 10) == 7 and _steps(72, 10, 1) == 1 and _steps(72, 120) == 1 and _steps(72, 10, 50) == 7


def test_reconstruction_paper_path_refuses_random_weights_unless_rehearsed(monkeypatch, tmp_path):
    """The paper profile never generates or judges real data with random or world-trained weights: without a
    manifest of the published weights it stops; a rehearsal builds the published architectures with random weights
    and says so in every record (its generator and judges are labelled "random-init (rehearsal)")."""
    from neurokit.studies.neurons.reconstruction import judge_note, refuse_random_weights
    from neurokit.studies.neurons.settings import settings

    monkeypatch.delenv(REHEARSAL_ENV, raising=False)
    with pytest.raises(DataError, match="published AnimateDiff"):
        refuse_random_weights(settings("reconstruction", "paper"))
    monkeypatch.setenv(REHEARSAL_ENV, "1")
    rehearsed = settings("reconstruction", "paper")
    refuse_random_weights(rehearsed)  # a rehearsal goes on, with random weights
    from neurokit.studies.neurons.reconstruction import PAPER_JUDGE, ReconstructionResult

    rec = ReconstructionResult(rehearsed, (1,), 2, {}, {}, {}, {}, {}, "random-init (rehearsal)", {}, PAPER_JUDGE)
    assert "VideoMAE" in judge_note(rec) and "rehearsal" in judge_note(rec)
