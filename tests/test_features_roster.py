"""The registry: 37 complete cards, the paper's block counts, and every entry builds and extracts all its blocks."""
from __future__ import annotations

import gc

import numpy as np
import pytest

from neurokit.errors import DataError, InputError, UnknownNameError
from neurokit.features import FAMILY_RULE, create_extractor, get_card, list_extractors, roster_table
from neurokit.features.cards import ARCHITECTURES, MODALITIES, STREAMS, SUPERVISIONS
from neurokit.features.hooks import n_hooks

NAMES = list_extractors()

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_roster_size_and_families():
    cards = [get_card(n) for n in NAMES]
    assert len(cards) == 37
    assert sum(c.modality == "video" for c in cards) == 26
    assert sum(c.modality == "image" for c in cards) == 11
    ssl = [c for c in cards if c.supervision == "self-supervised"]
    assert len(ssl) == 5 and all(c.architecture == "transformer" for c in ssl)  # as the reviewers report
    assert {c.train_data for c in cards if c.modality == "video"} >= {"K400", "Charades", "SSv2"}
    assert {c.streams for c in cards} == {"single", "two"}
    assert "temporal" in FAMILY_RULE
    # C2D: 2D convs + temporal pool ⇒ video by our rule, and the card says why
    assert get_card("c2d_r50_8x8.k400").modality == "video" and "family rule" in get_card("c2d_r50_8x8.k400").notes


def test_cards_are_complete():
    for n in NAMES:
        c = get_card(n)
        assert c.modality in MODALITIES and c.architecture in ARCHITECTURES
        assert c.supervision in SUPERVISIONS and c.streams in STREAMS
        assert c.licence and c.citation and c.temporal_handling and c.source
        assert c.layers and set(c.block_dims) == set(c.layers), n
        assert list(c.layers) == [f"B{i + 1}" for i in range(len(c.layers))]
        assert c.embedded_weights in ("shipped", "random-init")
        assert c.embedded_sampling.size <= c.paper_sampling.size
        assert c.min_frames >= 1 and (c.modality == "video") == (c.min_frames > 1)
        if c.source == "neurokit" and c.name.startswith(("timesformer", "omnimae", "videomae")):
            assert c.substitute_for and c.paper_weights["hub"] is None
        with pytest.raises(Exception):
            c.name = "x"  # frozen
    assert len({get_card(n).card_hash for n in NAMES}) == len(NAMES)


def test_paper_named_models_and_block_counts():
    # encoding_spec §4: ResNet-50 and I3D-R50 have 7 blocks, ViT-B 4, MViT-B 5
    for name, k in [("resnet50.tv_in1k", 7), ("i3d_r50_8x8.k400", 7), ("vit_b16.augreg_in1k", 4),
                    ("mvit_b_16x4.k400", 5)]:
        assert len(get_card(name).layers) == k and get_card(name).in_paper
    named = {get_card(n).display_name for n in NAMES if get_card(n).in_paper}
    for want in ["ResNet-50", "ViT-B/16", "MViT-B 16x4", "TSM-R50 (Multi-Moments in Time)",
                 "Slow-R50 8x8 (Charades)", "SlowFast-R50 8x8 (K400)", "TimeSformer-B (SSv2)"]:
        assert want in named
    real = [n for n in NAMES if get_card(n).embedded_weights == "shipped"]
    assert real == ["efficientnet_lite0.in1k", "efficientnet_lite1.in1k", "efficientnet_lite2.in1k"]


def test_roster_table():
    t = roster_table()
    assert len(t) == 37 and {"modality", "embedded weights", "substitute for"} <= set(t.columns)
    assert (t["embedded weights"].str.contains("substitute")).sum() == sum(bool(get_card(n).substitute_for) for n in NAMES)


def test_list_patterns_and_unknown_names():
    assert list_extractors("slowfast*") == [n for n in NAMES if n.startswith("slowfast")]
    assert "x3d_xs.k400" in list_extractors("X3D")
    with pytest.raises(UnknownNameError, match="resnet50.tv_in1k"):
        get_card("resnet50")
    with pytest.raises(UnknownNameError, match="B7"):
        create_extractor("x3d_xs.k400", layers=["B9"], input_size=32, n_frames=4)


def test_substitutes_refuse_paper_weights():
    with pytest.raises(DataError, match="random weights"):
        create_extractor("timesformer_b_8x32.k400", weights="paper", input_size=32, n_frames=2)
    with pytest.raises(InputError, match="weights must be"):
        create_extractor("x3d_xs.k400", weights="imagenet")


def _tiny(card):
    size = 64 if card.layer_map == "timm_swin" else 32
    return size, (None if card.modality == "image" else 4)


@pytest.mark.parametrize("name", NAMES)
def test_every_entry_extracts_all_blocks(name):
    """Build each architecture at a tiny input and check every block's vector has the card's length."""
    card = get_card(name)
    size, n_frames = _tiny(card)
    ex = create_extractor(name, layers="blocks", device="cpu", input_size=size, n_frames=n_frames)
    clip = np.random.default_rng(1).integers(0, 256, (max(card.min_frames, 5), 36, 44, 3), dtype=np.uint8)
    feats = ex.extract(clip)
    assert list(feats) == card.block_names
    for b, v in feats.items():
        assert v.shape == (card.block_dims[b],), (name, b)
        assert v.dtype == np.float32 and np.isfinite(v).all()
    assert n_hooks(ex.model) == 0
    import torch

    for mname, m in ex.model.named_modules():  # every Linear got a real (non-zero) initialisation
        if isinstance(m, torch.nn.Linear):
            assert m.weight.abs().sum() > 0, (name, mname)
    assert feats.meta["weights_source"]["kind"] == ("shipped" if card.embedded_weights == "shipped" else "random-init")
    del ex
    gc.collect()


def test_exact_trunc_normal_matches_reference_distribution():
    import torch

    from neurokit.features.builders import _exact_trunc_normal_

    x = _exact_trunc_normal_(torch.empty(400_000), 0.0, 0.02, -0.04, 0.04)
    ref = torch.nn.init.trunc_normal_(torch.empty(400_000), 0.0, 0.02, -0.04, 0.04)
    assert x.min() >= -0.04 and x.max() <= 0.04
    # truncated at ±2σ: std = σ·0.8796; both samplers agree with it and with each other
    assert abs(x.std().item() - 0.02 * 0.8796) < 2e-4 and abs(x.std().item() - ref.std().item()) < 2e-4
    q = torch.linspace(0.05, 0.95, 10)
    assert torch.allclose(torch.quantile(x[:100_000], q), torch.quantile(ref[:100_000], q), atol=1e-3)
