"""Determinism: the same profile, parameters and seed give byte-identical results (CPU) wherever they run."""
from __future__ import annotations

import json
from pathlib import Path


from neurokit._io import sha256_file
from neurokit.book.runner import Book
from neurokit.testing import tree_hashes

from test_reliability_crash import make_book

REPO = Path(__file__).resolve().parents[1]
# small but real: every step of the chapter runs (fit, CV, held-out r, weight recovery, figures)
QUICK = {"n_train": 120, "n_test": 40, "n_features": 10, "n_voxels": 30}


def test_quickstart_result_json_is_byte_identical_across_build_dirs(tmp_path):
    runs = []
    for i in (1, 2):
        book = Book(REPO, "smoke", build_dir=tmp_path / f"build{i}")
        run = book.execute("quickstart", QUICK, progress=False)
        assert run.status == "executed", run.describe()
        runs.append(book)
    a, b = (bk.results / "quickstart.json" for bk in runs)
    assert a.read_bytes() == b.read_bytes()
    numbers = json.loads(a.read_text())["numbers"]
    assert numbers["profile"] == "smoke" and 0 < numbers["mean_r"] < 1  # a real result, not an empty one
    # the data behind every figure too
    fa, fb = (tree_hashes(bk.results / "figdata") for bk in runs)
    assert fa == fb
    # the provenance differs only in when, how long and (in a shared checkout where others commit meanwhile) at
    # which commit
    pa, pb = (json.loads((bk.results / "quickstart.provenance.json").read_text()) for bk in runs)
    for p in (pa, pb):
        p.pop("executed_at"), p.pop("wall_time_s"), p.pop("git_commit")
    assert pa == pb


def test_simulated_data_sets_are_identical_across_data_homes(tmp_path):
    from neurokit.catalog.registry import ensure
    from neurokit.data.checksums import CHECKSUMS

    for name in ("algonauts2021",):
        a = ensure(name, "smoke", data_home=tmp_path / "home_a")
        b = ensure(name, "smoke", data_home=tmp_path / "home_b")
        assert a != b
        assert sha256_file(a / CHECKSUMS) == sha256_file(b / CHECKSUMS)
        assert tree_hashes(a) == tree_hashes(b)
        assert len(tree_hashes(a)) > 10


def test_parallel_chapters_keep_their_own_results(tmp_path, monkeypatch):
    import time

    import papermill

    root = make_book(tmp_path / "book")
    serial = Book(root, "smoke", build_dir=tmp_path / "serial")
    assert [r.status for r in serial.run(progress=False)] == ["executed", "executed"]
    # a busy machine: each kernel starts a moment after its thread has prepared it (makes the overlap certain)
    real = papermill.execute_notebook

    def slow_start(*args, **kwargs):
        time.sleep(2.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", slow_start)
    parallel = Book(root, "smoke", build_dir=tmp_path / "parallel")
    runs = parallel.run(jobs=2, progress=False)
    assert [r.status for r in runs] == ["executed", "executed"]
    for name in ("alpha", "beta"):
        assert (parallel.results / f"{name}.json").read_bytes() == (serial.results / f"{name}.json").read_bytes()
