"""The procedural video world: determinism, ground truth of motion and masks, MP4 round trip."""
from __future__ import annotations

import numpy as np
import pytest

from neurokit.data.video import read_video, video_info
from neurokit.errors import DataError, InputError
from neurokit.sim.video import CLASSES, VideoWorldConfig, clip_metadata, make_clip, write_mp4

SMALL = VideoWorldConfig(n_frames=10, size=32, fps=5)


def test_same_seed_and_index_give_identical_bytes():
    a, b = make_clip(3, SMALL, seed=7), make_clip(3, SMALL, seed=7)
    assert a.frames.tobytes() == b.frames.tobytes()
    assert a.masks.tobytes() == b.masks.tobytes()
    assert clip_metadata(a) == clip_metadata(b)
    assert a.frames.dtype == np.uint8 and a.frames.shape == (10, 32, 32, 3)
    assert a.masks.dtype == np.uint8 and a.masks.shape == (10, 32, 32)


def test_other_seed_or_index_give_other_clips():
    base = make_clip(3, SMALL, seed=7).frames
    assert not np.array_equal(base, make_clip(4, SMALL, seed=7).frames)
    assert not np.array_equal(base, make_clip(3, SMALL, seed=8).frames)


def test_masks_labels_and_captions_agree():
    for i in range(12):
        c = make_clip(i, SMALL)
        assert c.object_classes[0] == "background"
        assert set(np.unique(c.masks)) <= set(range(len(c.object_classes)))
        assert c.key_class == c.object_classes[1] and c.key_class in CLASSES
        assert (c.masks == 1).any(), "the key object must be visible"
        assert c.key_class in c.caption and c.colour in c.caption
        assert (c.texture_change_frame >= 0) == ("changes colour" in c.caption)
        assert (c.camera_motion != (0.0, 0.0)) == ("camera pans" in c.caption)


def test_key_object_moves_with_its_planted_velocity():
    """Centroid displacement of the key object's mask = (velocity - camera) x frames, within 1.5 px."""
    cfg = VideoWorldConfig(n_frames=12, size=64, fps=12, p_occlusion=0.0, max_distractors=0)
    checked = 0
    for i in range(40):
        c = make_clip(i, cfg)
        m0, m1 = c.masks[0] == 1, c.masks[-1] == 1
        border = lambda m: m[0].any() or m[-1].any() or m[:, 0].any() or m[:, -1].any()  # noqa: E731
        resized = abs(int(m0.sum()) - int(m1.sum())) > 0.05 * m0.sum()
        if c.texture_change_frame >= 0 or border(m0) or border(m1) or resized:
            continue  # partly out of frame: the visible centroid is biased
        ys0, xs0 = np.nonzero(m0)
        ys1, xs1 = np.nonzero(m1)
        steps = cfg.n_frames - 1
        vx = c.speed * np.cos(c.direction) - c.camera_motion[0]
        vy = -c.speed * np.sin(c.direction) - c.camera_motion[1]
        assert xs1.mean() - xs0.mean() == pytest.approx(vx * steps, abs=1.5)
        assert ys1.mean() - ys0.mean() == pytest.approx(vy * steps, abs=1.5)
        checked += 1
    assert checked >= 5


def test_camera_pan_moves_the_background():
    cfg = VideoWorldConfig(n_frames=8, size=48, fps=8, p_camera_motion=1.0, max_distractors=0)
    c = next(make_clip(i, cfg) for i in range(50) if abs(make_clip(i, cfg).camera_motion[0]) > 0.5)
    bg = (c.masks[0] == 0) & (c.masks[-1] == 0)
    assert not np.array_equal(c.frames[0][bg], c.frames[-1][bg])


def test_bad_config_is_refused():
    with pytest.raises(InputError, match="n_frames"):
        VideoWorldConfig(n_frames=1)
    with pytest.raises(InputError, match="p_occlusion"):
        VideoWorldConfig(p_occlusion=1.5)
    with pytest.raises(InputError, match="index"):
        make_clip(-1, SMALL)


def test_mp4_lossless_round_trip_is_exact(tmp_path):
    c = make_clip(0, SMALL)
    path = write_mp4(tmp_path / "a.mp4", c.frames, fps=SMALL.fps)
    back = read_video(path)
    assert back.dtype == np.uint8 and back.shape == c.frames.shape
    np.testing.assert_array_equal(back, c.frames)
    assert read_video(path, max_frames=3).shape[0] == 3
    info = video_info(path)
    assert (info["height"], info["width"]) == (32, 32) and info["fps"] == pytest.approx(SMALL.fps)
    # deterministic bytes
    write_mp4(tmp_path / "b.mp4", c.frames, fps=SMALL.fps)
    assert (tmp_path / "a.mp4").read_bytes() == (tmp_path / "b.mp4").read_bytes()


def test_mp4_lossy_round_trip_is_close(tmp_path):
    c = make_clip(1, SMALL)
    back = read_video(write_mp4(tmp_path / "a.mp4", c.frames, fps=5, lossless=False))
    assert back.shape == c.frames.shape
    assert np.abs(back.astype(int) - c.frames.astype(int)).mean() < 8


def test_read_video_refuses_missing_and_corrupt_files(tmp_path):
    with pytest.raises(DataError, match="not found.*nope.mp4"):
        read_video(tmp_path / "nope.mp4")
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 4)
    with pytest.raises(DataError, match="bad.mp4"):
        read_video(bad)
    good = write_mp4(tmp_path / "t.mp4", make_clip(2, SMALL).frames, fps=5)
    data = good.read_bytes()
    trunc = tmp_path / "trunc.mp4"
    trunc.write_bytes(data[: len(data) // 3])
    with pytest.raises(DataError, match="trunc.mp4"):
        read_video(trunc)


def test_write_mp4_refuses_bad_frames(tmp_path):
    with pytest.raises(InputError, match="uint8"):
        write_mp4(tmp_path / "x.mp4", np.zeros((2, 8, 8, 3), np.float32))
    assert not (tmp_path / "x.mp4").exists()
