"""NEURONS on simulated cc2017: the decoding subtasks beat chance (seeded)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from neurokit.errors import InputError, UnknownNameError
from neurokit.studies.neurons.experiment import run_decoding
from neurokit.studies.neurons.settings import decoding_settings
from neurokit.neurons.train import frame_tokens, limit_threads
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


def test_blurry_video_beats_the_shuffled_control(tmp_path):
    """Fast: stage 1, then the shared text-driven decoder with the segmentation and blurry-video heads (the embedded
    model on a smaller world, progressive schedule, seed 0). Control: the same decoded frames scored against another
    test clip's (``evaluate_subtasks``), so a decoder that ignores the brain (one mean video for every clip) scores
    no margin. (Segmentation needs the chapter's world and budget: the slow test below.)"""
    root = simulate_cc2017(tmp_path / "cc", config=CC2017SimConfig(
        n_train=200, n_test=40, size=32, n_voxels=(400,), noise_sd=1.0), seed=0)
    with limit_threads(1):
        r = run_decoding(root, 1, config="embedded", stage1_epochs=20, stage2_epochs=5, stage1_batch=32,
                         stage2_batch=10, lr=3e-3, text_method="bow", use_prior=False, batch_coupled=False,
                         subtasks=("seg", "rec"), progressive=True, rec_scale=2.0, eval_batch=20, seed=0,
                         captions=False, cache=False)
    m = r["metrics"]
    assert m["blurry_pixcorr"] > m["blurry_pixcorr_chance"] + 0.2, _shown(m)  # measured 0.529 vs 0.113
    assert m["blurry_psnr"] > m["blurry_psnr_chance"] + 1.0, _shown(m)       # measured 16.02 vs 14.05 dB
    assert float(r["decoded"]["blurry"].std(0).mean()) > 0.02  # one video per clip, not one for all


def _small_world(tmp_path):
    """A 40 + 12-clip simulated cc2017 subject (seed 0): enough for the bookkeeping tests of the training loop."""
    return simulate_cc2017(tmp_path / "cc", config=CC2017SimConfig(
        n_train=40, n_test=12, size=32, n_voxels=(120,), noise_sd=1.0), seed=0)


def _tiny_run(**kw):
    """``run_decoding`` keywords of a tiny uncached run on one thread, with ``kw`` on top."""
    return dict(dict(config="tiny", stage1_batch=16, lr=3e-3, text_method="bow", batch_coupled=False, eval_batch=6,
                     seed=0, cache=False, captions=False, threads=1), **kw)


def test_a_shared_stage1_gives_the_numbers_of_a_run_that_trains_its_own(tmp_path):
    """The study trains stage 1 once per subject and starts every configuration's stage 2 from it: stage 2 seeds
    itself, so the decoded outputs and scores are bit-identical to a run that trains its own stage 1."""
    root = _small_world(tmp_path)
    kw = _tiny_run(stage1_epochs=2, stage2_epochs=1, stage2_batch=6, use_prior=False)
    own = run_decoding(root, 1, **kw)
    s1 = run_decoding(root, 1, stage1_only=True, **kw)
    assert set(s1) == {"stage1_state", "seconds"}
    shared = run_decoding(root, 1, stage1_state=s1["stage1_state"], **kw)
    for k in ("blurry", "mask_probs", "concept_probs"):
        torch.testing.assert_close(shared["decoded"][k], own["decoded"][k], rtol=0, atol=0)
    np.testing.assert_equal({k: v for k, v in shared["metrics"].items() if isinstance(v, float)},
                            {k: v for k, v in own["metrics"].items() if isinstance(v, float)})
    with pytest.raises(InputError, match="stage1_only"):
        run_decoding(root, 1, stage1_only=True, stage1_state=s1["stage1_state"], **kw)


def test_object_tokens_carry_the_key_object():
    """The frame-token stand-in adds the object vector only to the patches the object covers."""
    frames = np.full((1, 2, 3, 8, 8), 0.5, np.float32)
    objects = np.zeros((1, 2, 8, 8), np.float32)
    objects[0, :, :4, :4] = 1  # top-left patch of a 2×2 grid
    text = np.ones((1, 5), np.float32)
    base = frame_tokens(frames, 4, 6)
    tok = frame_tokens(frames, 4, 6, objects=objects, object_text=text)
    moved = (tok - base).norm(dim=-1)[0]  # (F, N)
    assert (moved[:, 0] > 0).all() and torch.all(moved[:, 1:] == 0)
    half = frame_tokens(frames, 4, 6, objects=objects, object_text=text, object_scale=0.5)
    torch.testing.assert_close(half - base, (tok - base) / 2)


def test_the_run_settings_of_each_profile_live_with_the_study():
    import inspect

    s = decoding_settings("smoke")
    assert s.config == "tiny" and decoding_settings("paper").lr == 5e-5
    assert decoding_settings("smoke", {"stage2_epochs": 3}).stage2_epochs == 3
    kwargs = set(inspect.signature(run_decoding).parameters)
    assert set(s.as_kwargs()) <= kwargs  # every setting is a keyword of the run
    with pytest.raises(UnknownNameError, match="stage3_epochs"):
        decoding_settings("smoke", {"stage3_epochs": 3})
    with pytest.raises(InputError, match="positive integer"):
        decoding_settings("smoke", {"stage1_epochs": 0})


@pytest.mark.slow
def test_all_subtasks_beat_chance_with_the_chapter_settings(tmp_path):
    """The embedded chapter's NEURONS run on subject 1 (its own settings, all four heads): every subtask above its
    chance or shuffled control (minutes)."""
    root = simulate_cc2017(tmp_path / "cc", "embedded", seed=0)
    r = run_decoding(root, 1, cache=False, **decoding_settings("embedded").as_kwargs())
    m = r["metrics"]
    assert m["seg_dice"] > m["seg_dice_chance"] + 0.02, _shown(m)
    assert m["concept_auc"] > 0.8 and m["concept_2way"] > m["concept_2way_chance"] + 0.1, _shown(m)
    assert m["caption_2way"] > 0.8 and m["caption_top1"] > 10 * m["caption_top1_chance"], _shown(m)
    assert m["blurry_pixcorr"] > m["blurry_pixcorr_chance"] + 0.1, _shown(m)


def test_a_stopped_training_resumes_from_its_last_epoch_with_the_same_numbers(tmp_path):
    """Each epoch of both stages is checkpointed (model, optimiser, schedule, data order and random state): a run
    stopped after its first epoch and started again ends with the weights of an uninterrupted run, bit for bit.
    Control: a checkpoint of another run (another key) is not resumed."""
    from neurokit.neurons import train as T
    from neurokit.neurons.model import NeuronsModel, create_config
    from neurokit.data.cc2017 import load_cc2017

    root = _small_world(tmp_path)
    data = load_cc2017(root, 1)

    def fresh():
        cfg = create_config("tiny", n_voxels=(data.n_voxels,), n_concepts=len(data.concept_names), text_dim=64,
                            use_prior=True, batch_coupled=False, recon_channels=3)
        torch.manual_seed(0)
        model = NeuronsModel(cfg)
        return model, T.prepare(data, model, "bow")

    kw1 = dict(epochs=3, batch_size=16, lr=3e-3, seed=0)
    kw2 = dict(epochs=3, batch_size=10, lr=3e-3, seed=0, subtasks=("seg", "cls", "txt", "rec"))
    with limit_threads(1):
        ref, prep = fresh()
        h1 = T.train_stage1(ref, prep, **kw1)
        h2 = T.train_stage2(ref, prep, **kw2)
        model, prep = fresh()
        c1, c2 = T.EpochCheckpoint(tmp_path / "s1.pt", "run"), T.EpochCheckpoint(tmp_path / "s2.pt", "run")
        assert T.train_stage1(model, prep, checkpoint=c1, stop_after=1, **kw1) == h1[:1]   # "crash" after epoch 1
        model, prep = fresh()                                                               # a new process
        assert T.train_stage1(model, prep, checkpoint=c1, **kw1) == h1
        T.train_stage2(model, prep, checkpoint=c2, stop_after=2, **kw2)
        assert T.train_stage2(model, prep, checkpoint=c2, **kw2) == h2
        for k, v in ref.state_dict().items():
            assert torch.equal(model.state_dict()[k], v), k
        other, prep = fresh()
        h = T.train_stage2(other, prep, checkpoint=T.EpochCheckpoint(tmp_path / "s2.pt", "another run"),
                           stop_after=1, **kw2)
    assert len(h) == 1  # started at epoch 0: the finished checkpoint of "run" (3 epochs) was not taken


def test_bf16_autocast_training_follows_the_float32_run(tmp_path):
    """The paper profile trains under bfloat16 autocast: on the CPU the losses of a bf16 run track the float32
    run's (same data, seed and steps) within bf16's precision, and stay finite."""
    root = _small_world(tmp_path)
    kw = _tiny_run(stage1_epochs=3, stage2_epochs=2, stage2_batch=10, use_prior=True)
    a = run_decoding(root, 1, **kw)
    b = run_decoding(root, 1, bf16=True, **kw)
    assert b["args"]["bf16"] is True and "bf16" not in a["args"]
    h32, h16 = np.array(a["history"]["stage1"]), np.array(b["history"]["stage1"])
    assert np.all(np.isfinite(h16)) and np.allclose(h16, h32, rtol=0.05), (h32, h16)
    s32, s16 = a["history"]["stage2"][-1], b["history"]["stage2"][-1]
    assert all(np.isfinite(v) for v in s16.values())
    assert all(abs(s16[k] - s32[k]) <= 0.1 * abs(s32[k]) + 0.05 for k in s32), (s32, s16)
