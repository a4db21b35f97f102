"""The resumable sweep: identical tables across backends, after crashes and after a killed Dask worker."""
import functools
import os
import signal
import sys
from pathlib import Path

import cloudpickle
import pandas as pd
import pytest

from neurokit.errors import InputError
from neurokit.regression.sweep import SweepError, demo_ridge_task, load_results, run_sweep, task_key

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers cannot import the tests package

TASKS = [{"model": m, "layer": l, "subject": 1, "roi": "EBA", "fold": f}
         for m in ("x3d", "resnet") for l in ("b2", "b4") for f in (0, 1)]


def _counting_task(task, log_dir):
    Path(log_dir, task_key(task)).open("a").write("x")
    return demo_ridge_task(task)


def _failing_task(task, log_dir):
    if task["model"] == "resnet" and task["fold"] == 1:
        raise RuntimeError("simulated crash")
    return _counting_task(task, log_dir)


def _kill_once_task(task, marker):
    """Kills its own worker process the first time any worker runs the designated task."""
    if task == TASKS[3] and not os.path.exists(marker):
        Path(marker).write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return demo_ridge_task(task)


def test_sequential_and_joblib_tables_identical_and_counted(tmp_path):
    seq = run_sweep(TASKS, demo_ridge_task, tmp_path / "seq", backend="sequential", progress=False)
    job = run_sweep(TASKS, demo_ridge_task, tmp_path / "job", backend="joblib", n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(seq, job, check_exact=True)
    assert list(seq.columns[:5]) == ["model", "layer", "subject", "roi", "fold"]
    assert len(seq) == len(TASKS) and seq.attrs["n_fits"] == 40 * len(TASKS)
    assert (seq["mean_r"] > 0.3).all()  # planted weights are recovered on held-out data


def test_rerun_after_crash_computes_only_missing(tmp_path):
    logs = tmp_path / "logs"
    logs.mkdir()
    with pytest.raises(SweepError, match="simulated crash"):
        run_sweep(TASKS, functools.partial(_failing_task, log_dir=str(logs)), tmp_path / "r",
                  backend="sequential", progress=False)
    assert len(list((tmp_path / "r").glob("*.json"))) == len(TASKS) - 2
    df = run_sweep(TASKS, functools.partial(_counting_task, log_dir=str(logs)), tmp_path / "r",
                   backend="sequential", progress=False)
    assert df.attrs["n_computed"] == 2
    assert all(p.read_text() == "x" for p in logs.iterdir())  # no task ran twice
    ref = run_sweep(TASKS, demo_ridge_task, tmp_path / "ref", backend="sequential", progress=False)
    pd.testing.assert_frame_equal(df, ref, check_exact=True)
    pd.testing.assert_frame_equal(load_results(TASKS, tmp_path / "r"), ref, check_exact=True)


def test_bad_tasks():
    with pytest.raises(InputError, match="duplicates"):
        run_sweep(TASKS + TASKS[:1], demo_ridge_task, "unused", backend="sequential")
    with pytest.raises(InputError, match="unknown sweep backend"):
        run_sweep(TASKS, demo_ridge_task, "unused", backend="ray")


def test_dask_survives_killed_worker_and_matches_joblib(tmp_path):
    pytest.importorskip("distributed")
    marker = tmp_path / "killed"
    dk = run_sweep(TASKS, functools.partial(_kill_once_task, marker=str(marker)), tmp_path / "dask",
                   backend="dask", n_jobs=2, progress=False)
    assert marker.exists()  # a worker really was killed mid-sweep
    job = run_sweep(TASKS, demo_ridge_task, tmp_path / "job", backend="joblib", n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(dk, job, check_exact=True)
