"""The feature cache (content keys, resume after a crash, byte-identical files, float16) and in-fold PCA."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from neurokit.errors import InputError
from neurokit.features import create_extractor, extract_dataset
from neurokit.regression import PCA
from neurokit.features.cache import cache_dir, clip_key

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def ex():
    return create_extractor("x3d_xs.k400", device="cpu", input_size=32, n_frames=4)


def _clips(n=5, t=8, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (t, 24, 28, 3), dtype=np.uint8) for _ in range(n)]


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.npy"))}


def test_dataset_shapes_and_cache_reuse(ex):
    clips = _clips()
    first = extract_dataset(ex, clips, progress=False)
    assert set(first) == set(ex.layers) and first["B7"].shape == (5, 400) and first["B1"].shape == (5, 24)
    assert first.meta["n_from_cache"] == 0 and first.meta["weights_source"]["kind"] == "random-init"
    again = extract_dataset(ex, clips[::-1], progress=False)  # reordered: every clip found by content
    assert again.meta["n_from_cache"] == 5
    for k in first:
        np.testing.assert_array_equal(again[k], first[k][::-1])
        np.testing.assert_array_equal(first[k][2], ex.extract(clips[2])[k])
    changed = [c.copy() for c in clips]
    changed[0][0, 0, 0, 0] ^= 1  # one pixel
    assert clip_key(changed[0]) != clip_key(clips[0])
    assert extract_dataset(ex, changed, progress=False).meta["n_from_cache"] == 4


def test_config_changes_the_key_and_float16(ex):
    other = create_extractor("x3d_xs.k400", device="cpu", input_size=32, n_frames=4, temporal_pool="max")
    assert cache_dir(other) != cache_dir(ex) and cache_dir(ex, "float16") != cache_dir(ex)
    clips = _clips(3)
    f32 = extract_dataset(ex, clips, progress=False)
    f16 = extract_dataset(ex, clips, dtype="float16", progress=False)
    assert f16["B5"].dtype == np.float16 and f16.meta["n_from_cache"] == 0
    np.testing.assert_allclose(f16["B5"].astype(np.float32), f32["B5"], rtol=2e-3, atol=2e-3)
    with pytest.raises(InputError, match="dtype"):
        extract_dataset(ex, clips, dtype="int8")
    with pytest.raises(InputError, match="empty"):
        extract_dataset(ex, [])


def test_video_files_are_keyed_by_content(ex, tmp_path):
    from neurokit.data.video import read_video
    from neurokit.sim.video import write_mp4

    clips = _clips(2, t=8)
    paths = [write_mp4(tmp_path / f"v{i}.mp4", c) for i, c in enumerate(clips)]
    feats = extract_dataset(ex, paths, progress=False)
    decoded = read_video(paths[1])
    np.testing.assert_array_equal(feats["B3"][1], ex.extract(decoded)["B3"])
    renamed = tmp_path / "renamed.mp4"
    renamed.write_bytes(Path(paths[0]).read_bytes())
    assert extract_dataset(ex, [renamed], progress=False).meta["n_from_cache"] == 1


@pytest.mark.parametrize("method,batch", [("extract", 1), ("extract_batch", 2)])
def test_crash_resumes_without_recomputing_and_byte_identical(ex, tmp_path, monkeypatch, method, batch):
    if batch > 1:
        ex = create_extractor("x3d_xs.k400", device="cpu", input_size=32, n_frames=4, precision="bf16")
    clips = _clips(6)
    monkeypatch.setenv("NEUROKIT_CACHE", str(tmp_path / "clean"))
    clean = extract_dataset(ex, clips, progress=False, batch_size=batch)
    clean_files = _files(cache_dir(ex))

    monkeypatch.setenv("NEUROKIT_CACHE", str(tmp_path / "crashed"))
    real, calls = getattr(ex, method), []
    n_ok = 3 if batch == 1 else 2  # calls that finish before the kill

    def crashing(arg):
        if len(calls) == n_ok:
            raise KeyboardInterrupt("killed")  # the run dies while computing clip 4 (or the batch of clips 5-6)
        calls.append(1)
        return real(arg)

    monkeypatch.setattr(ex, method, crashing)
    with pytest.raises(KeyboardInterrupt):
        extract_dataset(ex, clips, progress=False, batch_size=batch)
    root = cache_dir(ex)
    n_done = n_ok * batch
    assert len(_files(root)) == n_done * len(ex.layers)  # finished clips only, nothing half-written
    (root / "B1" / ".stray.npy.tmp").write_bytes(b"partial")  # what a kill during a write leaves

    calls.clear()
    monkeypatch.setattr(ex, method, lambda arg: (calls.append(1), real(arg))[1])
    resumed = extract_dataset(ex, clips[::-1], progress=False, batch_size=batch)  # other order, other batches
    assert len(calls) == (6 - n_done) // batch and resumed.meta["n_from_cache"] == n_done  # only unfinished ran
    assert _files(root) == clean_files  # byte-identical cache
    for k in clean:
        np.testing.assert_array_equal(resumed[k][::-1], clean[k])


@pytest.mark.slow
def test_sigkill_during_extraction_resumes(tmp_path):
    """A real SIGKILL of a worker process mid-run; the rerun completes from the files it left."""
    script = tmp_path / "run.py"
    script.write_text(
        "import sys, time, numpy as np\n"
        "from neurokit.features import create_extractor, extract_dataset\n"
        "ex = create_extractor('x3d_xs.k400', device='cpu', input_size=32, n_frames=4)\n"
        "rng = np.random.default_rng(0)\n"
        "clips = [rng.integers(0, 256, (8, 24, 28, 3), dtype=np.uint8) for _ in range(40)]\n"
        "orig = ex.extract\n"
        "ex.extract = lambda c: (time.sleep(float(sys.argv[1])), orig(c))[1]\n"
        "out = extract_dataset(ex, clips, progress=False, batch_size=1)\n"
        "print(out.meta['n_from_cache'])\n"
    )
    env = {**os.environ, "NEUROKIT_CACHE": str(tmp_path / "cache")}
    proc = subprocess.Popen([sys.executable, str(script), "0.2"], env=env, stdout=subprocess.PIPE)
    root = tmp_path / "cache" / "features" / "x3d_xs.k400"
    import time

    deadline = time.time() + 120
    while time.time() < deadline and len(list(root.rglob("B7/*.npy"))) < 5:
        time.sleep(0.2)
    proc.kill()
    proc.wait()
    done = len(list(root.rglob("B7/*.npy")))
    assert 5 <= done < 40
    out = subprocess.run([sys.executable, str(script), "0"], env=env, capture_output=True, text=True, check=True)
    assert int(out.stdout.strip().splitlines()[-1]) >= done


# ------------------------------------------------------------------ PCA
def test_pca_matches_sklearn_and_uses_training_fold_only(rng):
    from sklearn.decomposition import PCA as SkPCA

    X = rng.standard_normal((60, 12)) @ rng.standard_normal((12, 12))
    train, test = X[:40], X[40:] + 5.0
    p = PCA(4).fit(train)
    ref = SkPCA(4).fit(train)
    np.testing.assert_allclose(np.abs(p.transform(test)), np.abs(ref.transform(test)), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(p.mean_, train.mean(0))  # the test fold (shifted by 5) never enters the fit
    assert p.transform(test).shape == (20, 4) and p.n_features_in_ == 12
    np.testing.assert_allclose(PCA(12).fit(train).inverse_transform(PCA(12).fit(train).transform(test)), test,
                               atol=1e-8)


def test_pca_errors_and_sklearn_contract(rng):
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError

    X = rng.standard_normal((10, 30))
    with pytest.raises(InputError, match=r"min\(n_samples, n_features\) = min\(10, 30\)"):
        PCA(20).fit(X)
    with pytest.raises(InputError, match="positive integer"):
        PCA(0).fit(X)
    with pytest.raises(NotFittedError):
        PCA(2).transform(X)
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(InputError, match="NaN"):
        PCA(2).fit(bad)
    p = PCA(3, whiten=True)
    assert clone(p).get_params() == {"n_components": 3, "whiten": True, "svd_solver": "auto", "random_state": None}
    assert p.fit(X) is p
    with pytest.raises(ValueError):
        p.transform(X[:, :5])  # wrong number of features


# ------------------------------------------------------------------ block statistics (chapter helpers)
def test_block_statistics_reference_values(rng):
    from neurokit.features.stats import block_statistics, clip_discriminability, participation_ratio

    basis = np.linalg.qr(rng.standard_normal((50, 3)))[0].T  # 3 orthonormal directions in 50-d
    A = rng.standard_normal((200, 3))
    codes = np.linalg.qr(A - A.mean(0))[0]  # centred, equal variance, uncorrelated
    X = codes @ basis
    assert participation_ratio(X) == pytest.approx(3.0, rel=1e-6)  # planted dimensionality recovered
    same = np.tile(rng.standard_normal(40), (8, 1))
    assert clip_discriminability(same) == pytest.approx(0.0, abs=1e-12) and participation_ratio(same) == 0.0
    assert clip_discriminability(rng.standard_normal((30, 5000))) == pytest.approx(1.0, abs=0.02)
    df = block_statistics({"B1": X, "B2": same[:1].repeat(200, 0)})
    assert df["depth"].tolist() == [0.5, 1.0] and df["dim"].tolist() == [50, 40]
    with pytest.raises(InputError):
        clip_discriminability(X[:1])
