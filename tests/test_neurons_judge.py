"""The world's judges: a factorised joint distribution, trainable on a toy world, usable by the N-way protocol."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from neurokit.errors import InputError
from neurokit.neurons import judge as J
from neurokit.neurons.evaluation import judge_outputs, semantic_scores
from neurokit.neurons.train import limit_threads

FACTORS = J.JudgeFactors((("hue", 3), ("side", 2)))


@pytest.fixture(autouse=True)
def _one_thread():
    with limit_threads(1):
        yield


def test_joint_log_probs_is_the_product_of_the_heads_in_joint_index_order():
    torch.manual_seed(0)
    logits = {"hue": torch.randn(4, 3), "side": torch.randn(4, 2)}
    lp = J.joint_log_probs(logits, FACTORS)
    assert lp.shape == (4, 6)
    torch.testing.assert_close(lp.logsumexp(1), torch.zeros(4), atol=1e-6, rtol=0)
    combos = J.all_combinations(FACTORS)
    for j, (h, s) in enumerate(combos):
        expect = logits["hue"].log_softmax(1)[:, h] + logits["side"].log_softmax(1)[:, s]
        torch.testing.assert_close(lp[:, j], expect)
        assert FACTORS.joint_index([[h, s]])[0] == j


def _toy(n, rng):
    """Frames whose colour is the hue and whose bright half is the side."""
    labels = np.stack([rng.integers(0, 3, n), rng.integers(0, 2, n)], 1)
    x = np.zeros((n, 3, 16, 16), np.float32) + 0.1 * rng.random((n, 3, 16, 16), dtype=np.float32)
    for i, (h, s) in enumerate(labels):
        x[i, h, :, s * 8:(s + 1) * 8] += 0.8
    return np.clip(x, 0, 1), labels


def test_frame_judge_learns_a_toy_world_and_scores_reconstructions():
    rng = np.random.default_rng(0)
    x, y = _toy(256, rng)
    judge = J.FrameJudge(FACTORS, width=8)
    hist = J.train_judge(judge, x, y, epochs=8, batch_size=32, lr=1e-2)
    assert hist[-1] < hist[0]
    xt, yt = _toy(64, rng)
    _, pred, feats = J.judge_outputs(judge, torch.from_numpy(xt))
    assert (pred == yt).all(1).mean() > 0.9 and feats.shape == (64, 16)
    # through the evaluation interface: a perfect "reconstruction" beats its shuffled pairing
    world = J.WorldJudge(judge, J.VideoJudge(FACTORS, n_frames=2, width=4))
    vids = (np.moveaxis(np.stack([xt, xt], 1), 2, -1) * 255).astype(np.uint8)  # (n, 2, 16, 16, 3)
    out = judge_outputs(world, vids)
    own = semantic_scores(out, out, n_ways=(2,))
    shuffled = semantic_scores(out, out, np.roll(np.arange(64), 5), n_ways=(2,))
    assert own["frame_2way"].mean() > shuffled["frame_2way"].mean() + 0.1


def test_video_judge_needs_its_frames():
    judge = J.VideoJudge(FACTORS, n_frames=3, width=4)
    with pytest.raises(InputError, match="VideoJudge expects"):
        judge(torch.zeros(2, 4, 3, 16, 16))
    with pytest.raises(InputError, match="one label row"):
        J.train_judge(judge, torch.zeros(2, 3, 3, 16, 16), np.zeros((2, 1)), epochs=1)
