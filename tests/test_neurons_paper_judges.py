"""The published evaluation's judges (ViT-B/16, VideoMAE-K400 on 6 frames, CLIP ViT-L/14) at their real sizes, with
random weights as a rehearsal builds them: the published input protocol and the N-way bookkeeping they feed."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from neurokit.errors import DataError, InputError
from neurokit.neurons.evaluation import judge_outputs, semantic_scores
from neurokit.neurons.paper_judges import PaperJudge


@pytest.fixture(scope="module")
def judge():
    return PaperJudge(random_init=True, dtype=torch.bfloat16, batch_size=12)


def test_paper_judges_have_the_published_architectures(judge):
    m = judge.models
    count = lambda x: sum(p.numel() for p in x.parameters())
    assert m["vit_b16"].config.num_labels == 1000 and m["vit_b16"].config.patch_size == 16
    assert 86e6 < count(m["vit_b16"]) < 87e6                       # ViT-B/16: 86.6 M
    assert m["videomae_k400"].config.num_frames == 6 and m["videomae_k400"].config.num_labels == 400
    assert m["clip_vit_l14"].config.projection_dim == 768 and m["clip_vit_l14"].config.num_hidden_layers == 24
    assert 303e6 < count(m["clip_vit_l14"]) < 305e6               # CLIP ViT-L/14 vision tower + projection


def test_paper_judges_feed_the_published_protocol(judge):
    rng = np.random.default_rng(0)
    videos = rng.integers(0, 256, size=(3, 6, 64, 64, 3), dtype=np.uint8)
    out = judge_outputs(judge, videos)
    assert out.video.shape == (3, 400) and out.frames.shape == (3, 6, 1000) and out.features.shape == (3, 6, 768)
    np.testing.assert_allclose(np.exp(out.video).sum(-1), 1, atol=1e-4)     # log-probabilities
    np.testing.assert_allclose(np.exp(out.frames).sum(-1), 1, atol=1e-4)
    sc = semantic_scores(out, out)                                          # a video judged against itself
    assert np.all(sc["video_2way"] == 1) and np.all(sc["frame_50way"] == 1)
    again = judge_outputs(judge, videos[:1])
    np.testing.assert_allclose(again.video, out.video[:1], atol=1e-2)       # deterministic, batch-independent


def test_paper_judges_refuse_bad_input(judge, tmp_path):
    with pytest.raises(InputError, match="6, H, W, 3"):
        judge.video_scores(np.zeros((1, 4, 32, 32, 3), np.uint8))
    with pytest.raises(InputError, match="uint8"):
        judge.frame_outputs(np.zeros((1, 32, 32, 3), np.float32))
    with pytest.raises(InputError, match="either a manifest"):
        PaperJudge()
    man = tmp_path / "m.yaml"
    man.write_text("vit_b16: {path: /nowhere}\n")
    with pytest.raises(DataError, match="videomae_k400"):
        PaperJudge(man)
