"""Loaders read the simulated files and agree with the ground truth; every bad input is refused clearly."""
from __future__ import annotations

import os
import pickle
import shutil

import numpy as np
import pytest

from neurokit.catalog.registry import ensure
from neurokit.data import load_algonauts2021, load_bold_moments
from neurokit.data.bold_moments import load_bold_moments_betas
from neurokit.errors import DataError, UnknownNameError
from neurokit.sim.brain import ROIS, load_ground_truth


@pytest.fixture(scope="module")
def smoke_roots(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    return {name: ensure(name, "smoke", data_home=home) for name in ("algonauts2021", "bold_moments")}


@pytest.fixture
def alg(smoke_roots, tmp_path):
    """A private copy of the smoke Algonauts set that a test may damage."""
    dst = tmp_path / "alg"
    shutil.copytree(smoke_roots["algonauts2021"], dst)
    return dst


def test_algonauts_loader_matches_ground_truth(smoke_roots):
    root = smoke_roots["algonauts2021"]
    gt = load_ground_truth(root)
    data = load_algonauts2021(root, average_repeats=False)
    assert data.simulated and data.track == "mini" and data.subjects == ("sub01", "sub02")
    assert data.n_train == gt.model["n_train"] == 40 and len(data.video_paths) == 48
    assert list(data.split).count("test") == 8 and data.test_video_paths[0].name.startswith("0041_")
    assert [p.name[:4] for p in data.video_paths] == [f"{i:04d}" for i in range(1, 49)]
    for sub in data.subjects:
        for roi in ROIS:
            y = data.responses[sub][roi]
            assert y.shape == (40, 3, gt.model["voxels"][sub][roi]) and y.dtype == np.float32
    avg = load_algonauts2021(root, subjects=["sub02"], rois=["EBA"])
    np.testing.assert_allclose(avg.responses["sub02"]["EBA"], data.responses["sub02"]["EBA"].mean(1), rtol=1e-6)
    assert avg.rois == ("EBA",) and avg.subjects == ("sub02",)


def test_full_track_mask_indexes_the_roi_voxels(smoke_roots):
    root = smoke_roots["algonauts2021"]
    gt = load_ground_truth(root)
    full = load_algonauts2021(root, track="full", average_repeats=False)
    mini = load_algonauts2021(root, average_repeats=False)
    for sub in full.subjects:
        wb, mask = full.responses[sub]["WB"], full.voxel_masks[sub]
        assert mask.shape == (78, 93, 71) and mask.sum() == wb.shape[2]
        roi_of, idx = gt.subjects[sub]["wb_roi"], gt.subjects[sub]["wb_index_in_roi"]
        for i, roi in enumerate(ROIS):
            sel = roi_of == i
            np.testing.assert_array_equal(wb[:, :, sel], mini.responses[sub][roi][:, :, idx[sel]])


def test_bold_moments_loader_matches_ground_truth(smoke_roots):
    root = smoke_roots["bold_moments"]
    gt = load_ground_truth(root)
    data = load_bold_moments(root, subjects=["sub01"], average_repeats=False)
    assert data.subjects == ("sub-01",) and data.n_train == 40 and data.n_test == 8
    for roi in ROIS:
        V = gt.model["voxels"]["sub01"][roi]
        assert data.train["sub-01"][roi].shape == (40, 3, V) and data.test["sub-01"][roi].shape == (8, 10, V)
    left = load_bold_moments(root, rois=["V1"], hemispheres=("l",))
    n_left = sum(len(gt.subjects["sub01"][f"bmd_part_l{p}"]) for p in ("V1v", "V1d"))
    assert left.train["sub-01"]["V1"].shape == (40, n_left)
    betas, order = load_bold_moments_betas(root, "sub-02", "train")
    assert betas.shape[:2] == (40, 3) and order[0] == "vid0001" and len(order) == 40
    assert data.annotations["0001"]["text_descriptions"][0].endswith(".")


def test_unknown_subject_roi_and_track_name_the_valid_ones(smoke_roots):
    root = smoke_roots["algonauts2021"]
    with pytest.raises(UnknownNameError, match="sub01, sub02"):
        load_algonauts2021(root, subjects=["sub07"])
    with pytest.raises(UnknownNameError, match="Did you mean: EBA"):
        load_algonauts2021(root, rois=["EBB"])
    with pytest.raises(UnknownNameError, match="mini"):
        load_algonauts2021(root, track="half")
    with pytest.raises(UnknownNameError, match="OFA|BOLD Moments ROI"):
        load_bold_moments(smoke_roots["bold_moments"], rois=["OFA"])


def _pkl(alg, sub="sub01", roi="V1"):
    return alg / "participants_data_v2021" / "mini_track" / sub / f"{roi}.pkl"


def test_missing_file_is_named(alg):
    _pkl(alg).unlink()
    with pytest.raises(DataError, match=r"not found: .*sub01/V1\.pkl"):
        load_algonauts2021(alg)


def test_missing_videos_are_named(alg):
    shutil.rmtree(alg / "AlgonautsVideos268_All_30fpsmax")
    with pytest.raises(DataError, match="no videos found in .*AlgonautsVideos268_All_30fpsmax"):
        load_algonauts2021(alg)


def test_truncated_pickle_is_named(alg):
    p = _pkl(alg, roi="FFA")
    data = p.read_bytes()
    p.write_bytes(data[: len(data) - 40])
    with pytest.raises(DataError, match=r"FFA\.pkl is truncated"):
        load_algonauts2021(alg)


def test_malicious_pickle_is_refused(alg, tmp_path):
    sentinel = tmp_path / "ran"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {sentinel}",))

    _pkl(alg, roi="STS").write_bytes(pickle.dumps({"train": Evil()}, protocol=2))
    with pytest.raises(DataError, match=r"STS\.pkl.*system"):
        load_algonauts2021(alg)
    assert not sentinel.exists()


def test_wrong_shape_is_named(alg):
    pickle.dump({"train": np.zeros((40, 2, 5), np.float32)}, open(_pkl(alg, roi="V4"), "wb"), protocol=2)
    with pytest.raises(DataError, match=r"V4\.pkl \['train'\] has shape \(40, 2, 5\)"):
        load_algonauts2021(alg)
    pickle.dump({"train": np.zeros((39, 3, 5), np.float32)}, open(_pkl(alg, roi="V4"), "wb"), protocol=2)
    with pytest.raises(DataError, match=r"V4\.pkl.*\(39, 3, 5\)"):
        load_algonauts2021(alg)


def test_nans_are_named(alg):
    p = _pkl(alg, roi="PPA")
    arr = pickle.loads(p.read_bytes())["train"]
    arr[3, 1, 2] = np.nan
    pickle.dump({"train": arr}, open(p, "wb"), protocol=2)
    with pytest.raises(DataError, match=r"PPA\.pkl.*1 NaN/inf value\(s\) \(first at index \(3, 1, 2\)\)"):
        load_algonauts2021(alg)


def test_not_a_dict_and_missing_key_are_named(alg):
    pickle.dump([1, 2, 3], open(_pkl(alg), "wb"), protocol=2)
    with pytest.raises(DataError, match=r"V1\.pkl should hold a dict"):
        load_algonauts2021(alg)
    pickle.dump({"test": np.zeros((40, 3, 5))}, open(_pkl(alg), "wb"), protocol=2)
    with pytest.raises(DataError, match=r"V1\.pkl lacks key\(s\) \['train'\]"):
        load_algonauts2021(alg)


def test_bad_voxel_mask_is_named(alg):
    p = alg / "participants_data_v2021" / "full_track" / "sub01" / "WB.pkl"
    obj = pickle.loads(p.read_bytes())
    obj["voxel_mask"][0, 0, 0] = 1 - obj["voxel_mask"][0, 0, 0]
    pickle.dump(obj, open(p, "wb"), protocol=2)
    with pytest.raises(DataError, match=r"WB\.pkl: 'voxel_mask' has \d+ ones but 'train' has"):
        load_algonauts2021(alg, track="full")


def test_bmd_test_split_shape_is_named(smoke_roots, tmp_path):
    root = tmp_path / "bmd"
    shutil.copytree(smoke_roots["bold_moments"], root)
    p = next((root / "derivatives/versionB/MNI152/prepared_allvoxel_pkl/sub-01").glob("*roi-lEBA_*"))
    obj = pickle.loads(p.read_bytes())
    obj["test_data_allvoxel"] = obj["test_data_allvoxel"][:, :5]
    pickle.dump(obj, open(p, "wb"), protocol=2)
    with pytest.raises(DataError, match=r"roi-lEBA_betas_normalized\.pkl \['test_data_allvoxel'\] has shape \(8, 5,"):
        load_bold_moments(root)


def test_load_convenience_ensures_then_loads(tmp_path):
    from neurokit.catalog.registry import load

    data = load("algonauts2021", "smoke", data_home=tmp_path, subjects=["sub01"], rois=["V1"])
    assert data.subjects == ("sub01",) and data.responses["sub01"]["V1"].shape[0] == 40
