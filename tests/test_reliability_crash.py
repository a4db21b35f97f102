"""Crashes and concurrent runs: ``neurokit book`` killed at several points and restarted, two runs at once,
a full disk while results are published, a kill during a feature-cache write. Nothing finished may be lost,
and a restarted run must end exactly where an uninterrupted one does."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from neurokit.book.runner import Book
from neurokit.testing import (FAULT_DRIVER, FAULTS_ENV, disk_full, run_and_kill, temp_files, tree_hashes)

from _fixture_book import HEADER, write_book

REPO = Path(__file__).resolve().parents[1]

def _chapter(title: str, body: str) -> str:
    return HEADER + textwrap.dedent(f'''
        # %% [markdown]
        # # {title}

        # %% tags=["parameters"]
        profile = "embedded"
        n = 3
        seed = 0

        # %%
        import os, time
        import numpy as np
        from neurokit.book import glue
        {body}

        # %% [markdown]
        # The value is {{glue:text}}`value`.
    ''')


# beta announces itself through a marker file and sleeps where the test says (environment only: the notebook
# text, hence its content key, is the same in every run)
ALPHA = _chapter("Alpha", 'glue("value", float(np.random.default_rng(seed).normal(size=n).sum()))')
BETA = _chapter("Beta", textwrap.dedent('''\
    marker = os.environ.get("NK_TEST_MARKER")
    if marker:
        open(marker, "w").close()
        time.sleep(float(os.environ.get("NK_TEST_SLEEP", "0")))
    glue("value", float(np.random.default_rng(seed + 1).normal(size=n).std()))''').replace("\n", "\n        "))


def make_book(root: Path) -> Path:
    """A two-chapter book (``alpha``, ``beta``) that builds to HTML like the real one."""
    return write_book(root, {"alpha": ALPHA, "beta": BETA}, {"alpha": "n: 4\n"})


@pytest.fixture
def book_root(tmp_path) -> Path:
    return make_book(tmp_path / "book")


def cli(root: Path, build: Path, *args: str, faults=None, marker: Path | None = None, sleep: float = 0.0):
    """Command line and environment of ``neurokit <args>`` on ``root`` with build directory ``build``."""
    env = dict(os.environ, NEUROKIT_BUILD_DIR=str(build), PYTHONUNBUFFERED="1")
    env.pop("NEUROKIT_BOOK_ROOT", None)
    if faults:
        env[FAULTS_ENV] = json.dumps(faults)
    if marker is not None:
        env.update(NK_TEST_MARKER=str(marker), NK_TEST_SLEEP=str(sleep))
    cmd = [sys.executable, "-c", FAULT_DRIVER, *args, "--root", str(root), "--profile", "smoke", "-q"]
    return cmd, env


def results_of(build: Path) -> dict[str, str]:
    """Hashes of what a run must reproduce exactly: result JSON (not provenance: it holds times), keys, figure data."""
    h = tree_hashes(build / "results" / "smoke")
    out = {k: v for k, v in h.items() if not k.endswith(".provenance.json") and not k.startswith(".")}
    out |= {f"executed/{k}": v for k, v in tree_hashes(build / "executed" / "smoke").items() if k.endswith(".key")}
    return out


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict[str, str]:
    """An uninterrupted ``neurokit book --no-html`` of the fixture book."""
    tmp = tmp_path_factory.mktemp("reference")
    root = make_book(tmp / "book")
    cmd, env = cli(root, tmp / "build", "book", "--no-html")
    run = run_and_kill(cmd, None, env=env, timeout=240)
    assert run.returncode == 0, run.stderr
    ref = results_of(tmp / "build")
    assert sorted(ref) == ["alpha.json", "beta.json", "executed/alpha.key", "executed/beta.key"]
    return ref


def _restart_matches(root: Path, build: Path, reference: dict, *extra: str) -> subprocess.CompletedProcess:
    cmd, env = cli(root, build, "book", *extra)
    done = run_and_kill(cmd, None, env=env, timeout=300)
    assert done.returncode == 0 and not done.killed, done.stderr
    assert results_of(build) == reference
    return done


def _second_run_is_refused(book_root: Path, build: Path) -> None:
    """While a run holds ``build``: a second run fails at once, names the holder and the fix, writes nothing."""
    before = tree_hashes(build)
    cmd, env = cli(book_root, build, "book", "--no-html")
    second = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 2, second.stderr
    assert "another neurokit book/run is using" in second.stderr and str(build) in second.stderr
    assert "Wait for it to finish" in second.stderr and "pid" in second.stderr  # who holds it, and the fix
    assert tree_hashes(build) == before


def _kill(book_root: Path, build: Path, point: str, tmp_path: Path, check_lock: bool = False):
    """One ``neurokit book --no-html`` run, SIGKILLed (process group, kernel included) at ``point``."""
    marker = tmp_path / "beta.started"
    marker.unlink(missing_ok=True)
    if point == "mid_chapter":  # while beta's kernel is executing

        def when():
            if not marker.exists():
                return False
            if check_lock:
                _second_run_is_refused(book_root, build)
            return True

        cmd, env = cli(book_root, build, "book", "--no-html", marker=marker, sleep=120)
        run = run_and_kill(cmd, when, env=env, timeout=240)
    elif point == "before_key":  # beta's results and notebook are published, its key is not
        faults = [{"kind": "kill_on_call", "target": "neurokit.book.runner:atomic_write_text", "match": "beta.key"}]
        cmd, env = cli(book_root, build, "book", "--no-html", faults=faults)
        run = run_and_kill(cmd, None, env=env, timeout=240)
        assert (build / "results" / "smoke" / "beta.json").is_file()
    elif point == "mid_results_write":  # half of beta's result JSON is in its temporary file when the process dies
        faults = [{"kind": "kill_during_write", "under": str(build / "results"), "match": ".beta.json.*",
                   "after_bytes": 20}]
        cmd, env = cli(book_root, build, "book", "--no-html", faults=faults)
        run = run_and_kill(cmd, None, env=env, timeout=240)
        assert temp_files(build / "results"), "the kill was meant to happen mid-write"
    else:
        raise ValueError(point)
    assert run.killed, run.stderr
    # alpha finished before the kill and is kept; beta is not marked up to date
    assert (build / "executed" / "smoke" / "alpha.key").is_file()
    assert not (build / "executed" / "smoke" / "beta.key").is_file()
    return run


def test_killed_three_times_then_restarted_matches_uninterrupted(book_root, tmp_path, reference):
    """Kill mid-chapter (meanwhile a concurrent run is refused), then mid-write of a result, then just before a
    key; a fourth run (not blocked by the dead runs' lock) completes with results byte-identical to an
    uninterrupted run and never recomputes the chapter that had finished."""
    build = tmp_path / "build"
    _kill(book_root, build, "mid_chapter", tmp_path, check_lock=True)
    assert (build / ".lock").exists()  # the dead holder's note is left behind; its flock died with it
    alpha = (build / "results" / "smoke" / "alpha.json").read_bytes()
    _kill(book_root, build, "mid_results_write", tmp_path)
    _kill(book_root, build, "before_key", tmp_path)
    done = _restart_matches(book_root, build, reference, "--no-html")
    assert "1 executed, 1 cached, 0 failed" in done.stdout  # alpha was never recomputed
    assert (build / "results" / "smoke" / "alpha.json").read_bytes() == alpha


@pytest.mark.slow
@pytest.mark.parametrize("point", ["mid_chapter", "before_key", "mid_results_write"])
def test_killed_run_restarts_to_identical_results(book_root, tmp_path, reference, point):
    """Each kill point on its own (a fresh build directory), then restart."""
    build = tmp_path / "build"
    _kill(book_root, build, point, tmp_path)
    done = _restart_matches(book_root, build, reference, "--no-html")
    assert "1 executed, 1 cached, 0 failed" in done.stdout


@pytest.mark.slow
def test_two_runs_at_once_second_refused_first_unharmed(book_root, tmp_path, reference):
    """A second ``neurokit book`` on the same build directory fails at once, names the holder and the fix, and
    writes nothing; the first one finishes normally; a killed holder leaves no stale lock behind."""
    build = tmp_path / "build"
    marker = tmp_path / "beta.started"
    cmd, env = cli(book_root, build, "book", "--no-html", marker=marker, sleep=3)
    first = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        t0 = time.monotonic()
        while not marker.exists():
            assert first.poll() is None and time.monotonic() - t0 < 240, first.communicate()
            time.sleep(0.05)
        _second_run_is_refused(book_root, build)
        out, err = first.communicate(timeout=240)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, err
    assert results_of(build) == reference


# ------------------------------------------------------------------------------------------------ disk full
def _first_run(book_root, tmp_path):
    book = Book(book_root, "smoke", build_dir=tmp_path / "build")
    assert book.execute("alpha", progress=False).status == "executed"
    return book, tree_hashes(book.build)


def test_disk_full_while_publishing_result_keeps_previous(book_root, tmp_path):
    book, before = _first_run(book_root, tmp_path)
    key = "executed/smoke/alpha.key"
    with disk_full(under=book.results, after_bytes=16, match=".alpha.json.*") as budget:
        with pytest.raises(OSError, match="No space left on device"):
            book.execute("alpha", {"n": 7}, progress=False)
    assert budget.failures  # the write did start and fail half-way
    after = tree_hashes(book.build)
    # previous result, provenance and notebook intact; the key is kept or dropped (then the chapter is stale)
    assert {k: v for k, v in after.items() if k != key} == {k: v for k, v in before.items() if k != key}
    assert after.get(key, before[key]) == before[key]
    assert temp_files(book.build) == []
    book.execute("alpha", progress=False)  # cached, or re-executed to the same result
    assert (book.results / "alpha.json").read_bytes() == (tmp_path / "build" / "results" / "smoke" / "alpha.json"
                                                          ).read_bytes()
    assert tree_hashes(book.results)["alpha.json"] == before["results/smoke/alpha.json"]


def test_disk_full_while_writing_key_keeps_result_consistent(book_root, tmp_path):
    book, before = _first_run(book_root, tmp_path)
    old = json.loads((book.results / "alpha.json").read_text())
    with disk_full(under=book.executed, after_bytes=0, match=".alpha.key.*"):
        with pytest.raises(OSError, match="No space left on device"):
            book.execute("alpha", {"n": 7}, progress=False)
    assert temp_files(book.build) == []
    run = book.execute("alpha", progress=False)  # the old parameters again
    assert json.loads((book.results / "alpha.json").read_text()) == old
    assert run.numbers == old["numbers"]


# ------------------------------------------------------------------------------------------------ HTML build
@pytest.mark.slow
def test_killed_during_html_build_restarts_to_identical_site_inputs(book_root, tmp_path, reference):
    build = tmp_path / "build"
    cmd, env = cli(book_root, build, "book")
    run = run_and_kill(cmd, (build / "stage_out").exists, env=env, timeout=300)
    assert run.killed
    assert not (build / "html" / "index.html").exists()
    _restart_matches(book_root, build, reference)
    book = Book(book_root, "smoke", build_dir=build)
    assert (build / "html" / "index.html").is_file() and book.html_is_current()
    assert "The value is" in (build / "html" / "book" / "chapters" / "beta.html").read_text()


@pytest.mark.slow
@pytest.mark.parametrize("k", [1, 2])
def test_killed_while_publishing_the_site_keeps_a_complete_site(book_root, tmp_path, k):
    """SIGKILL right after the k-th rename once jupyter-book has built the new site (the renames that swap it in):
    ``_build/html`` must at every instant be a complete site, the old one or the new one; a restart repairs."""
    build = tmp_path / "build"
    cmd, env = cli(book_root, build, "book")
    assert run_and_kill(cmd, None, env=env, timeout=300).returncode == 0
    old_page = (build / "html" / "book" / "chapters" / "alpha.html").read_bytes()
    intro = book_root / "book" / "intro.md"
    intro.write_text(intro.read_text().replace("# Test book", "# Test book, edited"))
    faults = [{"kind": "kill_on_call", "target": "os:replace", "when": "after", "skip": k - 1,
               "armed_by": "subprocess:run", "armed_if": "jupyter_book"}]
    cmd, env = cli(book_root, build, "book", faults=faults)
    assert run_and_kill(cmd, None, env=env, timeout=300).killed
    intro_page = build / "html" / "book" / "intro.html"
    assert (build / "html" / "index.html").is_file() and intro_page.is_file(), "the site vanished"
    assert (build / "html" / "book" / "chapters" / "alpha.html").is_file()
    if "edited" not in intro_page.read_text():  # still the old site, complete and unchanged
        assert (build / "html" / "book" / "chapters" / "alpha.html").read_bytes() == old_page
    cmd, env = cli(book_root, build, "book")
    assert run_and_kill(cmd, None, env=env, timeout=300).returncode == 0
    assert "edited" in intro_page.read_text()
    assert Book(book_root, "smoke", build_dir=build).html_is_current()


# ------------------------------------------------------------------------------------------------ feature cache
KILL_CACHE = textwrap.dedent("""\
    import sys, numpy as np, neurokit.testing as t
    t.install_faults_from_env()
    from neurokit.features.cache import extract_dataset
    sys.path.insert(0, sys.argv[1])
    from test_reliability_crash import PixelExtractor, clips
    extract_dataset(PixelExtractor(), clips(), progress=False)
""")


class _Card:
    name = "pixel_stats"


class PixelExtractor:
    """A real (if simple) extractor: per-frame channel means and spatial std-dev, pooled over time."""

    card = _Card()
    layers = {"means": "means", "stds": "stds"}

    def config(self) -> dict:
        return {"model": "pixel_stats", "layers": sorted(self.layers)}

    def meta(self) -> dict:
        return self.config()

    def extract(self, clip):
        x = np.asarray(clip, dtype=np.float32) / 255.0
        return {"means": x.mean(axis=(0, 1, 2)), "stds": x.std(axis=(1, 2)).mean(axis=0)}


def clips(n: int = 6):
    rng = np.random.default_rng(0)
    return [rng.integers(0, 256, size=(3, 8, 8, 3), dtype=np.uint8) for _ in range(n)]


def test_killed_during_feature_cache_write_resumes_identically(tmp_path, monkeypatch):
    from neurokit.features.cache import extract_dataset

    env = dict(os.environ, NEUROKIT_CACHE=str(tmp_path / "cache_a"))
    env[FAULTS_ENV] = json.dumps([{"kind": "kill_during_write", "under": str(tmp_path / "cache_a"),
                                   "match": "*.npy*", "after_bytes": 40, "skip": 5}])
    run = run_and_kill([sys.executable, "-c", KILL_CACHE, str(Path(__file__).parent)], None, env=env, timeout=120)
    assert run.killed, run.stderr
    cache_a = tmp_path / "cache_a" / "features"
    done = [p for p in cache_a.rglob("*.npy") if not p.name.startswith(".")]
    assert len(done) == 5 and temp_files(cache_a)  # five entries finished, the sixth died half-written
    monkeypatch.setenv("NEUROKIT_CACHE", str(tmp_path / "cache_a"))
    resumed = extract_dataset(PixelExtractor(), clips(), progress=False)
    assert resumed.meta["n_from_cache"] == 2  # clips 0-1 complete (2 layers each) + clip 2 half → recomputed
    monkeypatch.setenv("NEUROKIT_CACHE", str(tmp_path / "cache_b"))
    fresh = extract_dataset(PixelExtractor(), clips(), progress=False)
    for layer in PixelExtractor.layers:
        np.testing.assert_array_equal(resumed[layer], fresh[layer])
    a = {k: v for k, v in tree_hashes(cache_a).items() if not k.split("/")[-1].startswith(".")}
    assert a == tree_hashes(tmp_path / "cache_b" / "features")


def test_disk_full_seen_from_the_cli(book_root, tmp_path, monkeypatch, capsys):
    from neurokit.cli import main

    book, before = _first_run(book_root, tmp_path)
    monkeypatch.setenv("NEUROKIT_BUILD_DIR", str(book.build))
    with disk_full(under=book.build, after_bytes=0, match="..lock.*"):  # the temporary file of _build/.lock
        code = main(["book", "--root", str(book_root), "--profile", "smoke", "--no-html", "-q"])
    err = capsys.readouterr().err
    assert code == 2 and "No space left on device" in err and "Free disk space" in err
    assert tree_hashes(book.build) == before and temp_files(book.build) == []
