"""Staleness keys cover exactly what a chapter can import, do not depend on where the checkout lives, and
``neurokit book --dry-run`` says what would execute and why without writing anything."""
from __future__ import annotations

import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest

from neurokit.book import staleness
from neurokit.book.runner import Book
from neurokit.cli import main

from _fixture_book import HEADER, write_book

REPO = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(p.stem for p in (REPO / "notebooks").glob("*.py"))


def _modules(chapter: str) -> tuple[str, ...]:
    return staleness.referenced_modules((REPO / "notebooks" / f"{chapter}.py").read_text(), REPO)


@pytest.fixture(scope="module")
def closures():
    return {c: set(_modules(c)) for c in CHAPTERS}


def test_editing_the_crnn_baseline_touches_only_the_vist_results_chapter(closures):
    hit = sorted(c for c, mods in closures.items() if "vist.baselines.crnn" in mods)
    assert hit == ["vist_results"]


def test_editing_a_neurons_model_file_touches_only_part_iii(closures):
    for module in ("neurons.model", "neurons.losses", "neurons.train"):
        hit = {c for c, mods in closures.items() if module in mods}
        assert hit and hit <= {"neurons_data", "neurons_decoding", "neurons_reconstruction"}, (module, hit)


def test_simulators_reach_only_the_chapters_of_their_data_set(closures):
    # the summary evaluates every study's claims, whose published numbers name the simulated worlds' sizes
    assert {c for c, mods in closures.items() if "sim.retina" in mods} <= {"vist_data", "vist_results", "summary"}
    assert not {c for c, mods in closures.items() if "sim.brain" in mods} & {
        "vist_data", "vist_model", "vist_results", "vist_sdkl", "neurons_data", "neurons_decoding",
        "neurons_reconstruction", "quickstart"}


def test_prose_naming_a_module_is_not_an_import(tmp_path):
    text = HEADER + textwrap.dedent('''
        # %% [markdown]
        # # A chapter that talks about neurokit.vist.baselines.crnn without using it

        # %% tags=["parameters"]
        profile = "embedded"

        # %%
        # a comment naming neurokit.sim.brain
        import neurokit as nk
        from neurokit.book import glue
        x = nk.vist.metrics.pearson_cc
        doc = "neurokit.neurons.model in a string"
    ''')
    mods = set(staleness.referenced_modules(text, REPO))
    assert {"book", "book._glue", "vist", "vist.metrics"} <= mods
    assert not mods & {"vist.baselines.crnn", "sim.brain", "neurons.model"}


def _summary_text():
    head, _, rest = (HEADER + textwrap.dedent('''
        # %% [markdown]
        # # Summary

        # %% tags=["parameters"]
        profile = "embedded"

        # %%
        from neurokit.book import glue
        glue("n", 1)
    ''')).partition("# ---\n")
    meta = "#   neurokit:\n#     run_last: true\n#     inputs: ['{build}/results/{profile}/*.json']\n"
    body = rest.split("# ---\n", 1)
    return head + "# ---\n" + body[0] + meta + "# ---\n" + body[1]


ALPHA = HEADER + textwrap.dedent('''
    # %% [markdown]
    # # Alpha

    # %% tags=["parameters"]
    profile = "embedded"
    n = 2

    # %%
    from neurokit.book import glue
    glue("value", n * 2)
''')


def test_second_clone_sharing_the_build_sees_nothing_stale_and_dry_run_writes_nothing(tmp_path, capsys):
    a = write_book(tmp_path / "a", {"alpha": ALPHA, "summary": _summary_text()})
    book = Book(a, "smoke")
    runs = book.run(progress=False)
    assert [r.status for r in runs] == ["executed", "executed"]
    # the summary's own results are not its input: a no-change run executes nothing
    assert book.plan() == []
    b = tmp_path / "b"
    shutil.copytree(a, b, ignore=shutil.ignore_patterns("_build"))
    before = sorted(p for p in (a / "_build").rglob("*"))
    stamp = {p: p.stat().st_mtime_ns for p in before if p.is_file()}
    os.environ["NEUROKIT_BUILD_DIR"] = str(a / "_build")
    try:
        assert main(["book", "--root", str(b), "--profile", "smoke", "--dry-run"]) == 0
        out = capsys.readouterr().out
        assert "nothing to execute" in out
        # a change of the alpha chapter's parameters: alpha, then the summary that reads its results
        (b / "notebooks" / "alpha.py").write_text(ALPHA.replace("n = 2", "n = 3"))
        assert main(["book", "--root", str(b), "--profile", "smoke", "--dry-run"]) == 0
        lines = capsys.readouterr().out.strip().splitlines()
        assert lines[0].startswith("alpha: notebook changed") and lines[1].startswith("summary: summarises")
        assert len(lines) == 2
    finally:
        del os.environ["NEUROKIT_BUILD_DIR"]
    after = sorted(p for p in (a / "_build").rglob("*"))
    assert after == before and all(p.stat().st_mtime_ns == stamp[p] for p in stamp)  # nothing written
    assert not (b / "_build").exists()


def test_dry_run_names_the_changed_module(tmp_path, capsys, monkeypatch):
    a = write_book(tmp_path / "a", {"alpha": ALPHA})
    book = Book(a, "smoke")
    book.run(progress=False)
    real = staleness.file_hashes

    def edited(modules, root=None):
        h = real(modules, root)
        return {**h, "book/_glue.py": "edited"} if "book/_glue.py" in h else h

    monkeypatch.setattr(staleness, "file_hashes", edited)
    (reason,) = [r for _, r in Book(a, "smoke").plan()]
    assert reason == "source changed: neurokit/book/_glue.py"
    keyparts = json.loads((book.executed / "alpha.key.json").read_text())
    assert "book/_glue.py" in keyparts["files"] and not Path(next(iter(keyparts["inputs"] or {"x": 0}))).is_absolute()


def test_rehearsal_data_appearing_makes_nothing_stale_but_real_data_do(tmp_path, monkeypatch):
    """A rehearsal simulates its data in the first chapter that needs them; the chapters that ran before must not
    become stale when the data appear (the simulator's source is in their key). Real paper data are keyed by their
    files, so adding one changes the key."""
    monkeypatch.setenv("NEUROKIT_DATA", str(tmp_path / "data"))
    before = staleness.data_fingerprints(REPO, ("algonauts2021",), "paper", rehearse=True)
    sim = tmp_path / "data" / "rehearsal" / "algonauts2021"
    sim.mkdir(parents=True)
    (sim / "checksums.json").write_text("{}")
    assert staleness.data_fingerprints(REPO, ("algonauts2021",), "paper", rehearse=True) == before
    real_before = staleness.data_fingerprints(REPO, ("algonauts2021",), "paper")
    (tmp_path / "data" / "algonauts2021").mkdir(parents=True)
    (tmp_path / "data" / "algonauts2021" / "x.mp4").write_bytes(b"0")
    assert staleness.data_fingerprints(REPO, ("algonauts2021",), "paper") != real_before
