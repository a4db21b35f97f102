"""Bad input across the pipeline: every refusal names the problem and the fix, and damages nothing.

Each test runs inside :func:`untouched`, which hashes a *workspace* holding earlier work (a simulated data set,
a feature cache with entries, an executed chapter with its result JSON) before and after, so a refusal that
wrote, moved or deleted anything it should not have fails the test. The rows of ``book/reliability.md`` point
here.
"""
from __future__ import annotations

import contextlib
import errno
import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

from neurokit.errors import DataError, InputError, UnknownNameError
from neurokit.testing import corrupt, temp_files, tree_hashes

from test_reliability_crash import PixelExtractor, clips, make_book


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """Earlier work that no bad input may damage: data home, feature cache, an executed chapter."""
    from neurokit.book.runner import Book
    from neurokit.catalog.registry import ensure
    from neurokit.features.cache import extract_dataset

    base = tmp_path_factory.mktemp("workspace")
    mp = pytest.MonkeyPatch()
    mp.setenv("NEUROKIT_DATA", str(base / "data"))
    mp.setenv("NEUROKIT_CACHE", str(base / "cache"))
    try:
        alg = ensure("algonauts2021", "smoke")
        extract_dataset(PixelExtractor(), clips(3), progress=False)
        root = make_book(base / "book")
        book = Book(root, "smoke", build_dir=base / "build")
        assert book.execute("alpha", progress=False).status == "executed"
    finally:
        mp.undo()
    return {"base": base, "alg": alg, "root": root, "build": base / "build"}


@pytest.fixture
def ws(workspace, monkeypatch):
    monkeypatch.setenv("NEUROKIT_DATA", str(workspace["base"] / "data"))
    monkeypatch.setenv("NEUROKIT_CACHE", str(workspace["base"] / "cache"))
    monkeypatch.setenv("NEUROKIT_BUILD_DIR", str(workspace["build"]))
    monkeypatch.delenv("NEUROKIT_BOOK_ROOT", raising=False)
    return workspace


@contextlib.contextmanager
def untouched(ws):
    """Fail if anything under the workspace changed, appeared or disappeared (lock files aside)."""
    before = tree_hashes(ws["base"])
    assert before
    yield
    after = tree_hashes(ws["base"])
    assert after == before, {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert temp_files(ws["base"]) == []


def raises(exc, *fragments):
    """``pytest.raises`` that also checks that every fragment (problem and fix) is in the message."""

    class _Check(contextlib.AbstractContextManager):
        def __enter__(self):
            self._cm = pytest.raises(exc)
            self.info = self._cm.__enter__()
            return self.info

        def __exit__(self, *args):
            out = self._cm.__exit__(*args)
            if not out:  # no exception, or one of another type: pytest.raises has said so
                return out
            msg = str(self.info.value)
            for f in fragments:
                assert f in msg, f"{f!r} not in message: {msg}"
            return out

    return _Check()


@pytest.fixture
def alg_copy(ws, tmp_path):
    """A private copy of the simulated Algonauts set that a test may damage."""
    dst = tmp_path / "alg"
    shutil.copytree(ws["alg"], dst)
    return dst


def _pkl(root: Path, sub: str = "sub01", roi: str = "V1") -> Path:
    return root / "participants_data_v2021" / "mini_track" / sub / f"{roi}.pkl"


# ------------------------------------------------------------------------------------------------ data files
def test_missing_data_file(ws, alg_copy, tmp_path):
    from neurokit.catalog.registry import ensure
    from neurokit.data import load_algonauts2021

    _pkl(alg_copy).unlink()
    with untouched(ws):
        with raises(DataError, "V1.pkl", "neurokit data simulate --force"):
            load_algonauts2021(alg_copy)
        with raises(DataError, "is incomplete", "missing participants_data_v2021/mini_track/sub01/V1.pkl",
                    "unzip them", "use the embedded profile"):
            ensure("algonauts2021", "paper", data_home=tmp_path / "empty_home")


def test_truncated_data_file(ws, alg_copy):
    from neurokit.data import load_algonauts2021

    corrupt(_pkl(alg_copy, roi="FFA"), "truncate")
    with untouched(ws):
        with raises(DataError, "FFA.pkl is truncated", "Re-create it", "neurokit data verify"):
            load_algonauts2021(alg_copy)


def test_truncated_video_file(ws, alg_copy):
    from neurokit.data.video import read_video

    video = sorted(alg_copy.rglob("*.mp4"))[0]
    corrupt(video, "truncate")
    with untouched(ws):
        with raises(DataError, str(video), "corrupt or truncated", "re-create or re-download"):
            read_video(video)


def test_checksum_mismatch(ws, alg_copy, capsys):
    from neurokit.data.checksums import check_checksums

    target = _pkl(alg_copy, "sub02", "EBA")
    corrupt(target, "flip")
    with untouched(ws):
        problems = check_checksums(alg_copy)
    assert len(problems) == 1 and str(target) in problems[0] and "sha256 mismatch" in problems[0]
    # the same through the CLI on a data home whose simulated set has one flipped byte
    from neurokit.cli import main

    home = alg_copy.parent / "home"
    dst = home / "simulated" / "smoke" / "algonauts2021"
    shutil.copytree(alg_copy, dst)
    with untouched(ws):
        code = main(["data", "verify", "algonauts2021", "--profile", "smoke", "--data-home", str(home)])
    out = capsys.readouterr()
    assert code != 0 and "EBA.pkl" in out.out + out.err and "mismatch" in out.out + out.err


def test_malicious_pickle_never_runs(ws, alg_copy, tmp_path):
    from neurokit.data import load_algonauts2021

    sentinel = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {sentinel}",))

    _pkl(alg_copy, roi="STS").write_bytes(pickle.dumps({"train": Evil()}, protocol=2))
    with untouched(ws):
        with raises(DataError, "STS.pkl", "system"):
            load_algonauts2021(alg_copy)
    assert not sentinel.exists()


def test_corrupted_checkpoint(ws, tmp_path):
    """A damaged or code-carrying checkpoint is refused by ``torch.load(weights_only=True)`` with the fix."""
    import torch

    from neurokit.features import get_card
    from neurokit.features.weights import load_paper_weights

    card = get_card("resnet50.tv_in1k")
    model = torch.nn.Linear(4, 2)
    good = tmp_path / "checkpoint.pth"
    torch.save(model.state_dict(), good)
    truncated = tmp_path / "truncated.pth"
    shutil.copy(good, truncated)
    corrupt(truncated, "truncate")
    sentinel = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {sentinel}",))

    evil = tmp_path / "evil.pth"
    torch.save({"weight": Evil()}, evil)
    with untouched(ws):
        for bad in (truncated, evil):
            with raises(DataError, f"cannot read {bad}", "tensor-only checkpoint", "Convert it"):
                load_paper_weights(model, card, bad)
    assert not sentinel.exists()


def _vist_checkpoint(tmp_path):
    """A real Vi-ST checkpoint: one epoch of a tiny model, written by the training loop."""
    import torch

    from neurokit.vist.model import ViST
    from neurokit.vist.train import Sequence_, TrainConfig, train

    rng = np.random.default_rng(0)
    feats = rng.standard_normal((120, 100, 4)).astype(np.float32)
    target = np.maximum(0, feats[:, :, :1].mean(1) * 5 + 0.1 * rng.standard_normal((120, 3))).astype(np.float32)
    seg = Sequence_(feats, target, rng.random((3, 10, 10)).astype(np.float32))
    cfg = TrainConfig(epochs=2, batches_per_epoch=1, batch_size=2, window=48, swa_start=None, warmup=1,
                      device="cpu", eval_every=0)

    def model():
        torch.manual_seed(0)
        return ViST(video_layers=2, video_dim=4, feat_dim=4, n_cells=3, grid=10)

    def run():
        n = torch.get_num_threads()
        torch.set_num_threads(1)  # 2 spinning OpenMP threads are several times slower on the shared machine
        try:
            return train(model(), [seg], [], cfg, checkpoint_dir=tmp_path / "ckpt", stop_after=1)
        finally:
            torch.set_num_threads(n)

    run()
    return tmp_path / "ckpt" / "last.pt", run


@pytest.mark.parametrize("how", ["truncate", "malicious"])
def test_corrupted_vist_checkpoint(ws, tmp_path, how):
    import torch

    ckpt, run = _vist_checkpoint(tmp_path)
    sentinel = tmp_path / "pwned"
    if how == "truncate":
        corrupt(ckpt, "truncate")
    else:
        class Evil:
            def __reduce__(self):
                return (os.system, (f"touch {sentinel}",))

        torch.save({"model": Evil()}, ckpt)
    damaged = ckpt.read_bytes()
    with untouched(ws):
        with raises(DataError, str(ckpt), "resume=False"):
            run()
    assert ckpt.read_bytes() == damaged and not sentinel.exists()  # left for inspection; nothing ran


# ------------------------------------------------------------------------------------------------ arrays
@pytest.fixture
def xy(rng):
    X = rng.normal(size=(30, 6))
    return X, X @ rng.normal(size=(6, 4)) + 0.1 * rng.normal(size=(30, 4))


def test_nan_in_responses(ws, xy):
    from neurokit.regression import RidgeCV

    X, Y = xy
    Y = Y.copy()
    Y[3, 1] = np.nan
    with untouched(ws):
        with raises(InputError, "Y contains 1 NaN/inf", "index (3, 1)", "Remove or impute"):
            RidgeCV().fit(X, Y)


def test_inf_in_features(ws, xy):
    from neurokit.regression import RidgeCV

    X, Y = xy
    X = X.copy()
    X[2, 5] = np.inf
    with untouched(ws):
        with raises(InputError, "X contains 1 NaN/inf", "index (2, 5)", "Remove or impute"):
            RidgeCV().fit(X, Y)


def test_wrong_array_shapes(ws, xy):
    from neurokit.regression import RidgeCV
    from neurokit.stats import pearsonr

    X, Y = xy
    with untouched(ws):
        with raises(InputError, "different numbers of rows (30 vs 20)", "same samples in the same order"):
            RidgeCV().fit(X, Y[:20])
        with raises(InputError, "must be 2-D", "got ndim=3", "Reshape"):
            RidgeCV().fit(X[:, :, None], Y)
        with raises(InputError, "same shape", "(30, 4) and (10, 4)"):
            pearsonr(Y, Y[:10])


def test_wrong_clip_shape_and_dtype(ws):
    from neurokit.features.sampling import check_clip

    clip = np.zeros((6, 16, 16, 3), np.uint8)
    with untouched(ws):
        with raises(InputError, "shape (frames, height, width, 3)", "(6, 16, 16)"):
            check_clip(clip[..., 0], "x3d_xs.k400", 5)
        with raises(InputError, "uint8 RGB", "float32", "Convert"):
            check_clip(clip.astype(np.float32), "x3d_xs.k400", 5)


def test_wrong_array_dtype(ws, xy):
    from neurokit.regression import RidgeCV

    X, Y = xy
    with untouched(ws):
        for bad in (np.full(X.shape, "a"), X.astype(complex)):
            with raises(InputError, "dtype", "astype"):
                RidgeCV().fit(bad, Y)


# ------------------------------------------------------------------------------------------------ names
def test_unknown_names_list_valid_choices(ws):
    from neurokit.config import check_profile
    from neurokit.catalog.registry import ensure
    from neurokit.data import load_algonauts2021
    from neurokit.features import create_extractor
    from neurokit.regression import RidgeCV

    X, Y = np.ones((10, 2)), np.ones((10, 1))
    with untouched(ws):
        with raises(UnknownNameError, "unknown data set 'algonauts2012'", "Did you mean: algonauts2021"):
            ensure("algonauts2012", "smoke")
        with raises(UnknownNameError, "unknown profile 'smok'", "Did you mean: smoke"):
            check_profile("smok")
        with raises(UnknownNameError, "unknown extractor 'resnet50'", "Did you mean: resnet50.tv_in1k"):
            create_extractor("resnet50", device="cpu")
        with raises(UnknownNameError, "'B9'", "B1, B2, B3, B4, B5, B6"):
            create_extractor("efficientnet_lite0.in1k", layers=["B9"], device="cpu")
        with raises(UnknownNameError, "unknown Algonauts ROI 'V9'", "Valid Algonauts ROIs: EBA"):
            load_algonauts2021(ws["alg"], rois=["V9"])
        with raises(UnknownNameError, "unknown Algonauts subject 'sub09'", "sub01, sub02"):
            load_algonauts2021(ws["alg"], subjects=["sub09"])
        with raises(UnknownNameError, "unknown backend 'jax'", "numpy, torch"):
            RidgeCV(backend="jax").fit(X, Y)


def test_unknown_chapter_and_parameter_in_cli(ws, capsys):
    from neurokit.cli import main

    root = str(ws["root"])
    with untouched(ws):
        assert main(["run", "alpah", "--root", root, "--profile", "smoke"]) == 2
        err = capsys.readouterr().err
        assert "unknown chapter 'alpah'" in err and "Did you mean: alpha" in err and "alpha, beta" in err
        assert main(["run", "alpha", "--root", root, "--profile", "smoke", "-p", "nn=3"]) == 2
        err = capsys.readouterr().err
        assert "unknown parameter" in err and "'nn'" in err and "n, profile, seed" in err
        with pytest.raises(SystemExit) as exc:
            main(["book", "--root", root, "--profile", "smok"])
        assert exc.value.code == 2
        err = capsys.readouterr().err
        assert "invalid choice: 'smok'" in err and "'smoke'" in err


# ------------------------------------------------------------------------------------------------ parameters
def test_parameter_of_wrong_type_in_cli(ws, capsys):
    from neurokit.cli import main

    with untouched(ws):
        assert main(["run", "alpha", "--root", str(ws["root"]), "--profile", "smoke", "-p", "n=three"]) == 2
        err = capsys.readouterr().err
        assert "must be an integer" in err and "three" in err
        assert main(["run", "alpha", "--root", str(ws["root"]), "--profile", "smoke", "-p", "n"]) == 2
        assert "key=value" in capsys.readouterr().err


def test_parameter_of_wrong_type_in_api(ws, xy):
    from neurokit.regression import RidgeCV

    X, Y = xy
    with untouched(ws):
        with raises(InputError, "cv", "int"):
            RidgeCV(cv="five").fit(X, Y)


def test_parameter_out_of_range(ws, xy):
    from neurokit.catalog.registry import ensure
    from neurokit.features import create_extractor
    from neurokit.regression import RidgeCV

    X, Y = xy
    with untouched(ws):
        with raises(InputError, "alphas must be positive", "np.logspace"):
            RidgeCV(alphas=[-1.0, 1.0]).fit(X, Y)
        with raises(InputError, "cv=1", "use cv>=2"):
            RidgeCV(cv=1).fit(X, Y)
        with raises(InputError, "seed must be >= 0"):
            ensure("algonauts2021", "smoke", seed=-1)
        with raises(InputError, "n_frames must be a positive integer", "x3d_xs.k400"):
            create_extractor("x3d_xs.k400", n_frames=0, device="cpu")
        with raises(InputError, "spatial_pool must be one of", "'median'"):
            create_extractor("efficientnet_lite0.in1k", spatial_pool="median", device="cpu")


def test_empty_roi(ws, xy):
    from neurokit.data import load_algonauts2021
    from neurokit.regression import RidgeCV

    X, Y = xy
    with untouched(ws):
        with raises(InputError, "empty"):
            load_algonauts2021(ws["alg"], rois=[])
        with raises(InputError, "no voxels"):
            RidgeCV().fit(X, Y[:, :0])


def test_fewer_clips_than_folds(ws, xy):
    from neurokit.regression import RidgeCV

    X, Y = xy
    with untouched(ws):
        with raises(InputError, "cannot make 5 folds from n_samples=3", "fewer samples than folds",
                    "Use cv<=3 or provide more samples"):
            RidgeCV(cv=5).fit(X[:3], Y[:3])


def test_video_too_short_for_model(ws):
    from neurokit.features import create_extractor

    ext = create_extractor("x3d_xs.k400", layers=["B1"], device="cpu")
    short = np.zeros((2, 32, 32, 3), np.uint8)
    with untouched(ws):
        with raises(InputError, "x3d_xs.k400 needs clips of at least 5 frames", "this clip has 2",
                    "Use a longer clip or an image model"):
            ext.extract(short)


def test_gpu_requested_where_none(ws):
    import torch

    from neurokit.config import resolve_device
    from neurokit.features import create_extractor

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with untouched(ws):
        with raises(InputError, "'cuda' was requested but torch sees no CUDA GPU", "Use device='cpu'"):
            resolve_device("cuda")
        with raises(InputError, "'cuda:1' was requested", "Use device='cpu'"):
            create_extractor("efficientnet_lite0.in1k", layers=["B1"], device="cuda:1")


def test_unknown_device_string(ws):
    from neurokit.config import resolve_device

    with untouched(ws):
        with raises(InputError, "'tpu9'", "'cpu'"):
            resolve_device("tpu9")


# ------------------------------------------------------------------------------------------------ caches
@pytest.mark.parametrize("how", ["truncate", "garbage"])
def test_corrupted_feature_cache_entry(ws, tmp_path, monkeypatch, how):
    from neurokit.features.cache import extract_dataset

    monkeypatch.setenv("NEUROKIT_CACHE", str(tmp_path / "cache"))
    good = extract_dataset(PixelExtractor(), clips(3), progress=False)
    entries = sorted(Path(good.meta["cache_dir"]).rglob("*.npy"))
    others = {p: p.read_bytes() for p in entries[1:]}
    corrupt(entries[0], how)
    with untouched(ws):
        again = extract_dataset(PixelExtractor(), clips(3), progress=False)  # recovers: recomputes the entry
    for layer in PixelExtractor.layers:
        np.testing.assert_array_equal(again[layer], good[layer])
    assert all(p.read_bytes() == b for p, b in others.items())  # the intact entries were not rewritten
    assert np.load(entries[0]).shape  # and the bad one was repaired


def test_disk_full_in_an_atomic_write_leaves_previous_file(ws, tmp_path):
    """The primitive every writer uses: ENOSPC half-way keeps the old bytes and leaves no temporary file."""
    from neurokit._io import atomic_save_npy, atomic_write_json
    from neurokit.testing import disk_full

    target = tmp_path / "result.json"
    atomic_write_json(target, {"r": 0.5})
    arr = tmp_path / "x.npy"
    atomic_save_npy(arr, np.arange(10.0))
    before = {target: target.read_bytes(), arr: arr.read_bytes()}
    with untouched(ws), disk_full(under=tmp_path, after_bytes=8) as budget:
        with pytest.raises(OSError) as exc:
            atomic_write_json(target, {"r": 0.75, "pad": "x" * 100})
        assert exc.value.errno == errno.ENOSPC
        with pytest.raises(OSError, match="No space left on device"):
            atomic_save_npy(arr, np.arange(1000.0))
    assert len(budget.failures) == 2
    assert {p: p.read_bytes() for p in before} == before and temp_files(tmp_path) == []
