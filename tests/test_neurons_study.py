"""The NEURONS study: settings per profile, the claims' verdicts, the paper profile's refusal of other weights,
the shipped world models, and (slow) their bit-identical regeneration and the study end to end in smoke."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from neurokit.claims import evaluate
from neurokit.errors import DataError, InputError, UnknownNameError
from neurokit.studies.neurons import claims, published, world_models
from neurokit.studies.neurons.reconstruction import derangement, refuse_random_weights
from neurokit.studies.neurons.settings import settings

REPO = Path(__file__).resolve().parents[1]


def test_settings_per_profile_and_overrides():
    s = settings("study", "embedded", {"subjects": [1, 2], "training": {"stage1_epochs": 3}})
    assert s.subjects == (1, 2) and s.training.stage1_epochs == 3 and s.training.config == "embedded"
    assert settings("study", "paper").training.config == "paper"  # the published model, pretrained GPT-2
    assert settings("study", "paper").training.batch_coupled and settings("study", "paper").training.use_prior
    assert settings("reconstruction", "embedded").steps == 25 and settings("reconstruction", "embedded").guidance == 8.5
    assert "n_jobs" not in settings("study", "embedded").key()  # results do not depend on the workers
    # the progressive schedule is active in every profile's stage 2 (period (epochs // 5) * 2 > 0)
    for p in ("smoke", "embedded", "paper"):
        assert settings("study", p).training.stage2_epochs >= 5
    with pytest.raises(UnknownNameError, match="reconstruction setting"):
        settings("reconstruction", "embedded", {"n_frames": 3})
    with pytest.raises(UnknownNameError, match="training setting"):
        settings("study", "embedded", {"training": {"stage3_epochs": 1}})
    with pytest.raises(InputError, match="ablation_subject"):
        settings("study", "embedded", {"subjects": [2], "ablation_subject": 1})
    with pytest.raises(UnknownNameError, match="NEURONS analysis"):
        settings("decoder", "embedded")


def test_paper_profile_refuses_random_or_world_weights():
    with pytest.raises(DataError, match="published AnimateDiff"):
        refuse_random_weights(settings("reconstruction", "paper"))
    from neurokit.neurons.model import CONFIGS

    assert CONFIGS["paper"].gpt_pretrained == "gpt2" and CONFIGS["paper"].attn_dim is None
    assert CONFIGS["paper"].decoder_attention is None and CONFIGS["paper"].text_dim == 1280


def test_shipped_world_models_match_their_manifest():
    entry = world_models.check_manifest("embedded")
    path = world_models.ASSETS / entry["file"]
    from neurokit._io import sha256_file

    assert path.exists() and sha256_file(path) == entry["sha256"] and path.stat().st_size == entry["bytes"]
    assert entry["bytes"] < 4_000_000  # a small file
    assert entry["settings"] == settings("world_models", "embedded").key()


def test_derangement_has_no_fixed_point():
    for n in (2, 5, 60):
        p = derangement(n)
        assert sorted(p) == list(range(n)) and np.all(p != np.arange(n))


NUMBERS = {
    "gain_clip_pcc": 0.05, "gain_clip_pcc_ci": [0.01, 0.09], "gain_video_50way": 0.2, "gain_video_50way_ci": [-0.1, 0.4],
    "recon_video_50way": 0.3, "recon_video_50way_ci": [0.25, 0.35], "shuffled_video_50way": 0.1,
    "n_lower_std": 4, "n_std_metrics": 9, "attribution_rho_mean": 0.3, "attribution_rho_other_mean": 0.1,
    "n_heads_specific": 4, "n_heads": 4, "seg_dice": 0.3, "seg_dice_ci": [0.2, 0.4], "seg_dice_shuffled": 0.25,
    "concept_2way": 0.9, "concept_2way_chance": 0.7, "caption_verb_acc": 0.2, "caption_verb_acc_chance": 0.3,
    "blurry_pixcorr": 0.4, "blurry_pixcorr_ci": [0.3, 0.5], "blurry_pixcorr_shuffled": 0.05,
    "n_subjects_beat_shuffled": 3, "n_subjects": 3,
}
EXPECTED = {
    "III.headline.consistency": "recovered", "III.headline.semantics": "partly recovered",
    "III.reconstruction.semantics": "recovered", "III.robustness": "not recovered", "III.cortex": "recovered",
    "III.subtask.segmentation": "partly recovered", "III.subtask.concepts": "recovered",
    "III.subtask.captions": "not recovered", "III.subtask.blurry": "recovered", "III.per_subject": "recovered",
}


def test_claims_are_judged_from_the_glued_numbers():
    keys = [c.key for c in claims.CLAIMS]
    assert len(keys) == len(set(keys)) == len(EXPECTED)
    for c in claims.CLAIMS:
        assert c.part == "III" and c.chapter in ("neurons_decoding", "neurons_reconstruction")
        row = evaluate(c, NUMBERS)
        assert row["verdict"] == EXPECTED[c.key], (c.key, row)
        assert evaluate(c, {})["verdict"] == "not run"
    # the paper's gains are the ratios of its own table
    assert published.gain(0.934, 0.738) == pytest.approx(0.266, abs=5e-4)
    assert published.gain(0.262, 0.220) == pytest.approx(0.191, abs=5e-4)


def test_every_glued_name_a_claim_reads_is_glued_by_its_chapter():
    import re

    for c in claims.CLAIMS:
        source = (REPO / "notebooks" / f"{c.chapter}.py").read_text()
        names = [n for n in (c.value, c.control, *c.needs) if isinstance(n, str)]
        for n in names:  # glued directly, through a loop over literal names, or by an f-string template
            found = re.search(rf'"{re.escape(n)}"', source) or _templated(n, source)
            assert found, f"{c.key}: {n} is not glued by {c.chapter}"


def _templated(name, source):
    """``glue(f"recon_{m}", ...)`` glues recon_video_50way etc.: match the f-string templates."""
    import re

    for tpl in re.findall(r'glue\(f"([^"]+)"', source):
        rx = "^" + re.sub(r"\\{[^}]+\\}", "[a-z0-9_]+", re.escape(tpl)) + "$"
        if re.match(rx, name):
            return True
    return False


@pytest.mark.slow
def test_shipped_world_models_regenerate_bit_for_bit(tmp_path):
    """The regeneration script trains the same bytes as the shipped file (about 20 CPU minutes)."""
    env = {"NEUROKIT_DATA": str(tmp_path / "data"), "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO),
           "PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, str(REPO / "scripts" / "train_neurons_world_models.py"), "--check"],
                       env=env, capture_output=True, text=True, timeout=7200)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "identical" in r.stdout
    assert json.loads((world_models.MANIFEST).read_text())["embedded"]["sha256"] in r.stdout
