"""NEURONS on simulated cc2017: the decoding subtasks beat chance (seeded)."""
from __future__ import annotations

import pytest

from neurokit.neurons.experiment import run_decoding
from neurokit.neurons.train import limit_threads
from neurokit.sim.cc2017 import CC2017SimConfig, simulate_cc2017


def _shown(m):
    return {k: round(v, 3) for k, v in m.items() if isinstance(v, float)}


def test_concepts_and_captions_beat_chance(tmp_path):
    """Fast: stage 1, then the concept and caption heads only (no video decoder), tiny sizes, seed 0."""
    root = simulate_cc2017(tmp_path / "cc", config=CC2017SimConfig(
        n_train=200, n_test=40, size=32, n_voxels=(200,), noise_sd=1.0), seed=0)
    with limit_threads(1):
        r = run_decoding(root, 1, config="tiny", stage1_epochs=10, stage2_epochs=30, stage1_batch=32,
                         stage2_batch=20, lr=3e-3, text_method="bow", use_prior=False, batch_coupled=False,
                         subtasks=("cls", "txt"), eval_batch=20, seed=0, cache=False)
    m = r["metrics"]
    assert m["concept_auc"] > 0.62, _shown(m)                                   # chance 0.5
    assert m["concept_2way"] > m["concept_2way_chance"] + 0.08, _shown(m)       # published N-way protocol
    assert m["caption_2way"] > m["caption_2way_chance"] + 0.2, _shown(m)        # caption-embedding retrieval


@pytest.mark.slow
def test_all_subtasks_embedded_sizes(tmp_path):
    """The embedded configuration with all four heads and the prior (minutes on 2 cores)."""
    root = simulate_cc2017(tmp_path / "cc", "embedded", seed=0)
    with limit_threads(1):
        r = run_decoding(root, 1, config="embedded", stage1_epochs=10, stage2_epochs=4, stage2_batch=10, lr=3e-3,
                         text_method="bow", use_prior=True, batch_coupled=False, seed=0, cache=False)
    m = r["metrics"]
    assert m["concept_auc"] > 0.65, _shown(m)
    assert m["caption_2way"] > 0.6, _shown(m)
    assert m["blurry_psnr"] > m["blurry_psnr_chance"] + 0.2, _shown(m)
    assert float(r["decoded"]["blurry"].std(0).mean()) > 0.05  # one video per clip, not one for all
