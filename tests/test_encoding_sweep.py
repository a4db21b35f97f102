"""Part I's encodings dispatched as sweep tasks: a local Dask cluster whose worker is killed mid-sweep finishes
with encodings identical to the in-process run (the result cache is content-keyed, the sweep resumable)."""
from __future__ import annotations

import sys

import cloudpickle
import numpy as np
import pandas as pd
import pytest

from neurokit.errors import InputError
from neurokit.studies.encoding.layers import KillWorkerOnce, check_scheduler, encode_models, same_encoding

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # Dask workers cannot import the tests package


def _world(seed=0, n=60, models=("m1", "m2", "m3")):
    rng = np.random.default_rng(seed)
    features = {m: {b: rng.standard_normal((n, 12)).astype(np.float32) for b in ("B1", "B2")} for m in models}
    w = rng.standard_normal((12, 5))
    responses = {"s1": {"V1": features["m1"]["B2"] @ w + 0.5 * rng.standard_normal((n, 5)),
                        "FFA": rng.standard_normal((n, 4))}}
    idx = np.arange(n)
    folds = [(np.setdiff1d(idx, te), te) for te in (idx[:15], idx[15:30])]
    return features, responses, folds



def test_unknown_scheduler_is_refused():
    assert check_scheduler("tcp://10.0.0.1:8786")
    with pytest.raises(InputError, match="scheduler must be one of"):
        check_scheduler("ray")


def test_dask_sweep_survives_a_killed_worker_and_matches_in_process(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setenv("NEUROKIT_CACHE", str(tmp_path / "cache"))
    features, responses, folds = _world()
    kw = dict(inner_cv=3, n_components=None, seed=0)
    ref = encode_models(features, responses, folds, scheduler="sequential", cache=False, **kw)
    marker = tmp_path / "killed"
    got = encode_models(features, responses, folds, n_jobs=2, scheduler="dask", hook=KillWorkerOnce("m2", str(marker)),
                        **kw)
    assert marker.exists()  # a worker really died mid-sweep
    for m in features:
        pd.testing.assert_frame_equal(got[m].scores, ref[m].scores, check_exact=True)
        pd.testing.assert_frame_equal(got[m].chosen, ref[m].chosen, check_exact=True)
        assert same_encoding(got[m], ref[m])
    assert not same_encoding(got["m1"], ref["m2"])  # the comparison can fail
    # the planted ROI is encoded by the model that planted it, the control ROI by none
    best = ref["m1"].scores.groupby("roi")["r"].max()
    assert best["V1"] > 0.5 and best["FFA"] < 0.3


def test_fault_drill_needs_a_local_dask_cluster():
    from neurokit.studies.encoding import families

    with pytest.raises(InputError, match="fault_drill"):
        families.settings("smoke", fault_drill=True)  # the smoke profile runs on joblib
    assert families.settings("smoke", scheduler="dask", fault_drill=True).fault_drill
