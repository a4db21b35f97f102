"""The book runner: parameter validation, staleness, failure isolation, provenance, locking, the CLI."""
from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest

from neurokit.book.chapters import parse_overrides
from neurokit.book.runner import Book, BuildLockedError
from neurokit.cli import main
from neurokit.errors import InputError, UnknownNameError

from _fixture_book import HEADER, write_book

REPO = Path(__file__).resolve().parents[1]

ALPHA = HEADER + textwrap.dedent('''
    # %% [markdown]
    # # Alpha chapter

    # %% tags=["parameters"]
    profile = "embedded"
    scale = 2.0
    n = 3
    label = "a"

    # %%
    from neurokit.book import glue
    value = scale * n
    glue("value", value)

    # %% [markdown]
    # The value is {glue:text}`value`.
''')

BOOM = HEADER + textwrap.dedent('''
    # %% [markdown]
    # # Boom chapter

    # %% tags=["parameters"]
    profile = "embedded"
    explode = False

    # %%
    x = 1

    # %%
    if explode:
        raise RuntimeError("planted failure")
    from neurokit.book import glue
    glue("x", x)

    # %% [markdown]
    # x is {glue:text}`x`.
''')


@pytest.fixture
def book_root(tmp_path) -> Path:
    return write_book(tmp_path / "book", {"alpha": ALPHA, "boom": BOOM}, {"alpha": "n: 1\n"})


def test_parameters_validated_before_execution(book_root):
    book = Book(book_root, "smoke")
    assert list(book.chapters) == ["alpha", "boom"]
    params = book.parameters("alpha")
    assert params == {"profile": "smoke", "scale": 2.0, "n": 1, "label": "a"}
    assert book.parameters("alpha", {"scale": 3})["scale"] == 3.0  # int accepted for a float
    with pytest.raises(UnknownNameError, match="Valid chapters: alpha, boom"):
        book.chapter("nosuchchapter")
    with pytest.raises(UnknownNameError, match="label, n, profile, scale"):
        book.parameters("alpha", {"nosuchparam": 1})
    with pytest.raises(InputError, match="must be an integer"):
        book.parameters("alpha", {"n": "three"})
    with pytest.raises(InputError, match="must be an integer"):
        book.parameters("alpha", {"n": 2.5})
    with pytest.raises(InputError, match="key=value"):
        parse_overrides(["n"])
    assert parse_overrides(["n=4", "scale=0.5", "label=b", "flag=true"]) == {
        "n": 4, "scale": 0.5, "label": "b", "flag": True}
    assert not (book.build / "executed").exists()  # nothing ran


def test_staleness_and_provenance(book_root):
    book = Book(book_root, "smoke")
    first = book.execute("alpha", progress=False)
    assert first.status == "executed" and first.numbers == {"value": 2.0}
    assert book.execute("alpha", progress=False).status == "cached"
    # a parameter change re-executes, and the glued number follows
    changed = book.execute("alpha", {"n": 5}, progress=False)
    assert changed.status == "executed" and changed.numbers["value"] == 10.0
    assert book.execute("alpha", {"n": 5}, progress=False).status == "cached"
    # a change of the notebook text re-executes
    nb = book_root / "notebooks" / "alpha.py"
    nb.write_text(nb.read_text().replace("The value is", "The value now is"))
    book._chapters = None
    assert book.execute("alpha", {"n": 5}, progress=False).status == "executed"

    result = json.loads((book.results / "alpha.json").read_text())
    assert result == {"chapter": "alpha", "profile": "smoke",
                      "parameters": {"profile": "smoke", "scale": 2.0, "n": 5, "label": "a"},
                      "numbers": {"value": 10.0}}
    prov = json.loads((book.results / "alpha.provenance.json").read_text())
    for key in ("git_commit", "profile", "parameters", "packages", "device", "data", "wall_time_s", "executed_at"):
        assert key in prov, key
    assert prov["packages"]["numpy"] != "absent" and prov["wall_time_s"] > 0


def test_source_change_makes_stale(book_root, monkeypatch):
    from neurokit.book import staleness

    book = Book(book_root, "smoke")
    params = book.parameters("alpha")
    key = book.key("alpha", params)
    assert "book" in staleness.referenced_modules((book_root / "notebooks" / "alpha.py").read_text())
    real = staleness.file_hashes
    monkeypatch.setattr(staleness, "file_hashes", lambda modules, root=None: {**real(modules, root), "x.py": "new"})
    assert book.key("alpha", params) != key


def test_failure_is_isolated_and_previous_html_kept(book_root):
    book = Book(book_root, "smoke")
    runs = book.run(progress=False)
    assert [r.status for r in runs] == ["executed", "executed"]
    book.build_html(runs)
    page = book.html / "book" / "chapters" / "boom.html"
    assert page.is_file() and "x is" in page.read_text()
    before = page.read_text()

    runs = book.run(progress=False, overrides=None, names=["alpha", "boom"])  # cached
    assert {r.status for r in runs} == {"cached"}
    failed = book.execute("boom", {"explode": True}, progress=False)
    assert failed.status == "failed"
    assert failed.cell is not None and "RuntimeError: planted failure" in failed.error and "if explode:" in failed.error
    assert failed.failed_notebook is not None and failed.failed_notebook.is_file()
    assert "cell" in failed.describe() and str(failed.failed_notebook) in failed.describe()
    # the last good notebook is still there, and the site built now still shows it
    assert (book.executed / "boom.ipynb").is_file()
    book.build_html([failed])
    after = page.read_text()
    assert "x is" in after and "latest run of this chapter failed" in after
    glued = re.compile(r"<p>x is .*?</p>", re.S)  # the chapter's own text, with its glued number
    assert glued.search(before).group(0) == glued.search(after).group(0)
    status = (book.html / "book" / "status.html").read_text()
    assert "failed" in status


def test_failed_chapter_without_previous_run_gets_stub(book_root):
    book = Book(book_root, "smoke")
    bad = book.execute("boom", {"explode": True}, progress=False)
    ok = book.execute("alpha", progress=False)
    book.build_html([bad, ok])
    text = " ".join(re.sub(r"<[^>]+>", " ", (book.html / "book" / "chapters" / "boom.html").read_text()).split())
    assert "has no executed notebook" in text and "planted failure" in text and "if explode:" in text
    assert (book.html / "book" / "chapters" / "alpha.html").is_file()


def test_build_lock(book_root):
    book = Book(book_root, "smoke")
    with book.lock():
        with pytest.raises(BuildLockedError, match="another neurokit book/run is using"):
            with Book(book_root, "smoke").lock():
                pass
    with book.lock():  # released
        pass


def test_cli_errors_list_valid_names(book_root, capsys, monkeypatch):
    monkeypatch.setenv("NEUROKIT_BOOK_ROOT", str(book_root))
    assert main(["run", "nosuchchapter", "--profile", "smoke"]) == 2
    err = capsys.readouterr().err
    assert "unknown chapter 'nosuchchapter'" in err and "alpha, boom" in err
    assert main(["run", "alpha", "--profile", "smoke", "-p", "nosuchparam=1"]) == 2
    err = capsys.readouterr().err
    assert "nosuchparam" in err and "label, n, profile, scale" in err
    assert main(["run", "alpha", "--profile", "smoke", "-p", "n=notanint"]) == 2
    assert "must be an integer" in capsys.readouterr().err
    assert main(["list", "--profile", "smoke"]) == 0
    out = capsys.readouterr().out
    assert "alpha" in out and "scale = 2.0" in out


def test_cli_help_lists_verbs(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for verb in ("book", "run", "list", "cite", "data"):
        assert verb in out


def test_figure_data_extraction():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from neurokit.book.figdata import figure_data

    fig, axes = plt.subplots(1, 3)
    axes[0].plot([0, 1, 2], [3, 4, 5], label="line")
    axes[0].set_title("panel A")
    axes[1].bar(["a", "b"], [0.25, 0.5])
    axes[2].imshow(np.arange(6.0).reshape(2, 3))
    table = figure_data(fig)
    plt.close(fig)
    line = table[table.artist == "line"]
    assert line["y"].tolist() == [3, 4, 5] and set(line["axes"]) == {"panel A"}
    assert sorted(table[table.artist == "bar"].y.tolist()) == [0.25, 0.5]
    image = table[table.artist == "image"]
    assert len(image) == 6 and image.value.max() == 5.0


def test_cli_run_changes_glued_number_on_rebuilt_page(book_root, monkeypatch, capsys):
    monkeypatch.setenv("NEUROKIT_BOOK_ROOT", str(book_root))
    page = book_root / "_build" / "html" / "book" / "chapters" / "alpha.html"

    def glued_value():
        text = " ".join(re.sub(r"<[^>]+>", " ", page.read_text()).split())
        return re.search(r"The value is ([\d.]+)", text).group(1)

    assert main(["run", "alpha", "--profile", "smoke", "-q"]) == 0
    assert glued_value() == "2.0"
    assert main(["run", "alpha", "--profile", "smoke", "-q", "-p", "n=5", "-p", "scale=1.5"]) == 0
    assert glued_value() == "7.5"
    # the page tells the reader how to reproduce it
    assert "neurokit run alpha --profile smoke -p n=5 -p scale=1.5" in " ".join(
        re.sub(r"<[^>]+>", "", page.read_text()).split())


def test_figure_data_link_goes_right_under_its_figure():
    from neurokit.book.runner import _with_figure_links

    src = ("intro\n```{glue:figure} fig_a\n:name: a\nCaption A.\n```\nprose after A\n"
           "````{glue:figure} fig_b\nCaption B.\n````\n```{glue:figure} no_csv\nC.\n```\ntail")
    out = _with_figure_links(src, lambda f: None if f == "no_csv" else f"LINK {f}").splitlines()
    assert out[out.index("LINK fig_a") - 2] == "```" and out.index("LINK fig_a") < out.index("prose after A")
    assert out[out.index("LINK fig_b") - 2] == "````"
    assert not any("no_csv" in line and line.startswith("LINK") for line in out)
    assert out[-1] == "tail" and sum(line.startswith("LINK") for line in out) == 2


def test_staged_page_folds_both_parameter_cells(book_root):
    """The staged page shows the values the run used (header), not an unfolded default that contradicts them."""
    import nbformat

    book = Book(book_root, "smoke")
    book.execute("alpha", {"n": 5}, progress=False)
    staged = book.stage() / "book" / "chapters" / "alpha.ipynb"
    nb = nbformat.read(staged, as_version=4)
    params = [c for c in nb.cells if {"parameters", "injected-parameters"} & set(c.metadata.get("tags", []))]
    assert len(params) == 2
    assert all("hide-input" in c.metadata["tags"] for c in params)
    visible = [c.source for c in nb.cells if c.cell_type == "code" and "hide-input" not in c.metadata.get("tags", [])]
    assert not any('profile = "embedded"' in src for src in visible)


def test_source_parsing_is_serialised_across_threads(monkeypatch):
    """The runner keys chapters from several threads; ``ast.parse`` on CPython 3.11 < 3.11.8 can raise a spurious
    "AST constructor recursion depth mismatch" SystemError when two threads parse at once (python/cpython#106905),
    so every parse of the book code goes through one lock."""
    import ast
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from neurokit.book import staleness

    real_parse, inside, worst = ast.parse, [0], [0]
    guard = threading.Lock()

    def slow_parse(*args, **kwargs):
        with guard:
            inside[0] += 1
            worst[0] = max(worst[0], inside[0])
        time.sleep(0.001)
        try:
            return real_parse(*args, **kwargs)
        finally:
            with guard:
                inside[0] -= 1

    monkeypatch.setattr(ast, "parse", slow_parse)
    files = sorted(staleness.package_dir().rglob("*.py"))[:40]
    with ThreadPoolExecutor(4) as pool:
        trees = list(pool.map(lambda f: staleness.parse_python(f.read_text()), files * 2))
    assert len(trees) == 80 and all(isinstance(t, ast.Module) for t in trees)
    assert worst[0] == 1


def test_parameters_are_checked_against_their_declared_ranges(tmp_path, capsys):
    """A value outside the range or choices declared beside a parameter is refused before anything runs."""
    text = ALPHA.replace("scale = 2.0", "scale = 2.0  # in (0, 10]; a scale").replace(
        "n = 3", "n = 3  # at least 1").replace('label = "a"', 'label = "a"  # one of a, b')
    root = write_book(tmp_path / "book", {"alpha": text})
    book = Book(root, "smoke")
    assert book.parameters("alpha", {"scale": 10, "n": 1, "label": "b"})["scale"] == 10.0
    for bad, match in (({"n": -5}, r"must be at least 1; got -5"), ({"scale": 0.0}, r"in \(0, 10\]"),
                       ({"label": "c"}, "one of a, b")):
        with pytest.raises(InputError, match=match):
            book.parameters("alpha", bad)
    assert main(["run", "alpha", "--root", str(root), "--profile", "smoke", "-p", "n=-5", "--no-html"]) == 2
    assert "must be at least 1" in capsys.readouterr().err
    assert not (book.build / "executed").exists()  # nothing ran


def test_rerun_command_quotes_every_value_for_the_shell():
    """The "How this page was made" command, pasted into bash, gives the run's parameters back (lists included)."""
    import shlex
    import subprocess

    from neurokit.book.chapters import parse_overrides
    from neurokit.book.pages import rerun_arguments

    params = {"profile": "smoke", "models": ["resnet50.tv_in1k", "x3d_xs.k400"], "label": "two words; $HOME",
              "scale": 0.5, "n": 3, "flag": True, "ver": "1.0", "overrides": {"a": 1}}
    defaults = {k: None for k in params}
    args = rerun_arguments(params, defaults)
    line = " ".join(["neurokit", "run", "x", *args])
    echoed = subprocess.run(["bash", "-c", f"set -- {line}; shift 3; printf '%s\\n' \"$@\""], capture_output=True,
                            text=True, check=True).stdout.splitlines()
    assert echoed == shlex.split(" ".join(args))
    back = parse_overrides([a for a in echoed if a != "-p"])
    assert back == {k: v for k, v in params.items() if k != "profile"}


def test_rehearsal_is_stamped_everywhere_and_kept_apart(tmp_path, monkeypatch):
    """A rehearsal of the paper profile runs in a build of its own, and its kernel, provenance record, page header
    and footer all say that it is one; it exists only for the paper profile."""
    text = ALPHA.replace("from neurokit.book import glue\n",
                         "from neurokit.book import glue, glue_profile\nglue_profile(profile)\n"
                         "import os\nglue('flag', os.environ.get('NEUROKIT_REHEARSAL'))\n")
    root = write_book(tmp_path / "book", {"alpha": text})
    with pytest.raises(InputError, match="--profile paper"):
        Book(root, "embedded", rehearse=True)
    book = Book(root, "paper", rehearse=True)
    assert book.build == root / "_build" / "rehearsal"
    run = book.execute("alpha", progress=False)
    assert run.status == "executed", run.describe()
    assert run.numbers["flag"] == "1" and run.numbers["data_label"].startswith("REHEARSAL of the paper profile")
    prov = json.loads((book.results / "alpha.provenance.json").read_text())
    assert prov["rehearsal"] is True and prov["profile"] == "paper"
    # the real paper build is untouched and sees the chapter as never executed
    real = Book(root, "paper")
    assert not real.executed.exists() and real.is_stale("alpha", real.parameters("alpha"))
    book.build_html([run])
    page = (book.html / "book" / "chapters" / "alpha.html").read_text()
    assert "Rehearsal of the" in page and "REHEARSAL (simulated data at the paper" in page
    assert "--rehearse" in page  # the re-run command reproduces the rehearsal
    monkeypatch.delenv("NEUROKIT_REHEARSAL", raising=False)
    assert main(["run", "alpha", "--root", str(root), "--profile", "smoke", "--rehearse", "--no-html"]) == 2


def test_papermill_reads_every_chapter_parameter():
    """papermill parses each parameters cell itself (to inject -p values); a comment it cannot read would make it
    warn and drop the parameter from its list, so every declared range must be in a form it reads."""
    import jupytext
    from papermill.translators import PythonTranslator

    from neurokit.book.chapters import discover

    for name, ch in discover(REPO).items():
        nb = jupytext.read(ch.path)
        cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        seen = {p.name for p in PythonTranslator.inspect(cell)}
        assert seen == set(ch.defaults), (name, set(ch.defaults) - seen)


def test_rehearsal_parameters_layer_over_the_paper_ones(tmp_path):
    """A rehearsal reads notebooks/params/rehearsal/<chapter>.yaml on top of the paper profile's parameters (its
    repetition cuts); the plain paper profile never does, and the reader's -p values still win."""
    root = write_book(tmp_path / "book", {"alpha": ALPHA})
    (root / "notebooks" / "params" / "paper").mkdir(parents=True)
    (root / "notebooks" / "params" / "paper" / "alpha.yaml").write_text("n: 100\nlabel: paper\n")
    (root / "notebooks" / "params" / "rehearsal").mkdir(parents=True)
    (root / "notebooks" / "params" / "rehearsal" / "alpha.yaml").write_text("n: 2\n")
    assert Book(root, "paper").parameters("alpha")["n"] == 100
    rehearsal = Book(root, "paper", rehearse=True)
    assert rehearsal.parameters("alpha")["n"] == 2 and rehearsal.parameters("alpha")["label"] == "paper"
    assert rehearsal.parameters("alpha", {"n": 5})["n"] == 5
    (root / "notebooks" / "params" / "rehearsal" / "alpha.yaml").write_text("n: -1\nbogus: 1\n")
    with pytest.raises(UnknownNameError, match="bogus"):
        rehearsal.parameters("alpha")
