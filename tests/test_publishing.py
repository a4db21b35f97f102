"""Publishing: the CI workflow cannot drift from the README, the site it uploads passes the link check, the
release metadata agree with the package version, ``neurokit cite`` is valid BibTeX, and ``neurokit export`` gives
a self-contained chapter (ipynb, HTML, and a PDF whose pages render with the figure on them)."""
from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import numpy as np
import pytest
import yaml

from neurokit import __version__
from neurokit.cli import main

from _fixture_book import write_book

REPO = Path(__file__).resolve().parents[1]
WORKFLOW = REPO / ".github" / "workflows" / "book.yml"

# shell words a `run:` step may use besides the README's commands: housekeeping, nothing that installs or builds
HOUSEKEEPING = {"echo", "printf", "test", "[", "grep", "cut", "cat", "ls", "du", "mkdir", "cp", "mv", "touch",
                "tee", "true", "date", "cd", "pwd", "env", "nproc", "free", "df", "uname", "head", "tail", "wc"}


# ---------------------------------------------------------------------- the README's commands
def readme_commands(readme: str) -> tuple[set[str], set[str]]:
    """``make`` targets and ``neurokit`` verbs that the README's code blocks give."""
    blocks = "\n".join(re.findall(r"```(?:bash|sh|console)?\n(.*?)```", readme, re.S))
    inline = "\n".join(re.findall(r"`([^`\n]+)`", readme))
    text = blocks + "\n" + inline
    targets = set(re.findall(r"(?:^|\s)make ([a-z][\w-]*)", text, re.M))
    verbs = set(re.findall(r"(?:^|[\s/])neurokit ([a-z][\w-]*)", text, re.M))
    return targets, verbs


def script_violations(script: str, targets: set[str], verbs: set[str]) -> list[str]:
    """Commands of a shell ``script`` that are neither the README's commands nor housekeeping."""
    bad = []
    for line in script.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        for command in re.split(r"&&|\|\||;|\|", line):
            words = shlex.split(command.replace("$(", " ").replace(")", " "))
            while words and re.match(r"^[A-Za-z_]\w*=", words[0]):  # leading VAR=value assignments
                words = words[1:]
            if not words:
                continue
            head = words[0]
            if head == "make":
                args = [w for w in words[1:] if not re.match(r"^[A-Z_]+=", w)]
                if not args or any(a not in targets for a in args):
                    bad.append(command.strip())
            elif Path(head).name == "neurokit":
                if head not in ("neurokit", ".venv/bin/neurokit") or len(words) < 2 or words[1] not in verbs:
                    bad.append(command.strip())
            elif head not in HOUSEKEEPING:
                bad.append(command.strip())
    return bad


@pytest.fixture(scope="module")
def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


@pytest.fixture(scope="module")
def allowed() -> tuple[set[str], set[str]]:
    targets, verbs = readme_commands((REPO / "README.md").read_text())
    assert {"book", "test"} <= targets, "the README no longer gives `make book` and `make test`"
    assert {"book", "run", "list", "cite", "data"} <= verbs
    return targets, verbs


def test_workflow_uses_only_the_readme_commands(workflow, allowed):
    runs = [(name, step["run"]) for name, job in workflow["jobs"].items()
            for step in job.get("steps", []) if "run" in step]
    assert runs, "no run steps found"
    for name, script in runs:
        assert not script_violations(script, *allowed), f"job {name}: {script_violations(script, *allowed)}"
    scripts = "\n".join(s for _, s in runs)
    assert "make book PROFILE=embedded" in scripts and "make test" in scripts and "make book PROFILE=paper" in scripts


def test_drift_from_the_readme_is_caught(allowed):
    for script in ("pip install -r requirements-lock.txt", "jupyter-book build . -W", "python -m pytest -q",
                   "make book && make lock", ".venv/bin/neurokit publish --now", "npm install mathjax",
                   "make", "sudo apt-get install chromium", "echo ok | bash"):
        assert script_violations(script, *allowed), f"not caught: {script}"
    for script in ("make book PROFILE=embedded", "make test", ".venv/bin/neurokit cite",
                   'v=$(grep -m1 "^version" pyproject.toml | cut -d \'"\' -f 2)\ntest "$x" = "v$v"'):
        assert not script_violations(script, *allowed), f"wrongly refused: {script}"


def test_workflow_jobs_and_triggers(workflow):
    on, jobs = workflow["on"], workflow["jobs"]
    assert "v*" in on["push"]["tags"] and "pull_request" in on and on["schedule"][0]["cron"]
    assert "pull_request" in jobs["test"]["if"]
    steps = {s.get("uses", "").split("@")[0]: s for s in jobs["book"]["steps"]}
    assert "refs/tags/v" in jobs["book"]["if"] and jobs["book"]["needs"] == "test"
    assert steps["actions/setup-python"]["with"]["python-version"] == "3.11"
    assert steps["actions/upload-pages-artifact"]["with"]["path"] == "_build/html"
    deploy = jobs["deploy"]
    assert deploy["needs"] == "book" and deploy["steps"][0]["uses"].startswith("actions/deploy-pages@")
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    paper = jobs["paper"]
    assert "vars.GPU_RUNNER == 'true'" in paper["if"] and "schedule" in paper["if"]
    assert {"self-hosted", "gpu"} <= set(paper["runs-on"])
    # `make book` is the README's command and runs `neurokit book --profile $(PROFILE)` into _build/html
    recipe = re.search(r"^book:.*\n((?:\t.*\n)+)", (REPO / "Makefile").read_text(), re.M).group(1)
    assert "neurokit book --profile $(PROFILE)" in recipe


# ---------------------------------------------------------------------- versions and citation
def test_version_in_one_place_and_metadata_agree():
    import tomllib

    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert __version__ == version, "installed metadata is stale: re-run `make setup` (pip install -e .)"
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text())
    zen = json.loads((REPO / ".zenodo.json").read_text())
    assert str(cff["version"]) == zen["version"] == version
    assert cff["title"] == zen["title"]
    assert cff["license"].lower() == zen["license"].lower()
    assert [a["name"] for a in cff["authors"]] == [c["name"] for c in zen["creators"]]
    assert set(cff["keywords"]) == set(zen["keywords"])
    assert str(cff["date-released"]) == zen["publication_date"]
    from neurokit.book.cite import DOI

    assert cff.get("doi") == DOI and "TBD" not in (REPO / "CITATION.cff").read_text() + json.dumps(zen)
    cited = {i["identifier"] for i in zen["related_identifiers"] if i["scheme"] == "doi"}
    assert {r["doi"] for r in cff["references"]} <= cited
    changelog = (REPO / "CHANGELOG.md").read_text()
    assert f"## [{version}] - {cff['date-released']}" in changelog, "CHANGELOG has no entry for this release"


@pytest.mark.parametrize("chapter", [None, "quickstart"])
def test_cite_prints_valid_bibtex_with_version_url_and_commit(chapter, capsys):
    import bibtexparser

    extra = [chapter, "--profile", "smoke", "-p", "noise=2.0"] if chapter else []
    assert main(["cite", "--root", str(REPO)] + extra) == 0
    out = capsys.readouterr().out
    assert "TBD" not in out
    library = bibtexparser.parse_string(out)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    ours = [e for e in library.entries if e.key.startswith("neurokit")]
    assert len(ours) == (2 if chapter else 1)
    cff_year = str(yaml.safe_load((REPO / "CITATION.cff").read_text())["date-released"])[:4]
    for entry in ours:
        assert entry.entry_type == "software"
        assert entry["version"] == __version__ and entry["year"] == cff_year
        assert entry["url"].startswith("https://") and re.search(r"commit [0-9a-f]{12}|commit unknown", entry["note"])
    if chapter:  # the chapter as it was run: its profile and parameters
        assert "smoke profile" in ours[1]["note"] and "noise=2.0" in ours[1]["note"]
        vist = [e for e in library.entries if e.key == "gamal2024dynamics"]
        assert not vist  # quickstart reproduces no paper
    assert main(["cite", "--root", str(REPO), "vist_model"]) == 0
    vist = [e for e in bibtexparser.parse_string(capsys.readouterr().out).entries if e.key == "wu2024vist"]
    assert vist and vist[0].entry_type == "inproceedings" and "ECCV" in vist[0]["booktitle"]


def test_binder_installs_the_lock_and_launch_buttons_point_at_built_chapters():
    req = (REPO / "binder" / "requirements.txt").read_text().split()
    assert "-r" in req and (REPO / "binder" / req[req.index("-r") + 1]).resolve() == REPO / "requirements-lock.txt"
    post = REPO / "binder" / "postBuild"
    assert post.stat().st_mode & 0o111, "binder/postBuild must be executable"
    text = post.read_text()
    assert "pip install --no-deps -e ." in text and "jupytext --to ipynb" in text and "book/chapters/" in text
    # the dev container (Codespaces) sets up through the Makefile, like `make book` / `make test` do
    dev = json.loads(re.sub(r"^\s*//.*$", "", (REPO / ".devcontainer" / "devcontainer.json").read_text(), flags=re.M))
    words = dev["postCreateCommand"].split()
    phony = re.search(r"^\.PHONY:(.*)$", (REPO / "Makefile").read_text(), re.M).group(1).split()
    assert words[0] == "make" and set(words[1:]) <= set(phony), dev["postCreateCommand"]
    config = yaml.safe_load((REPO / "_config.yml").read_text())
    launch = config["launch_buttons"]
    assert launch["binderhub_url"].startswith("https://") and "colab_url" not in launch  # Colab cannot work here
    assert launch["notebook_interface"] == "jupyterlab"
    assert config["repository"]["url"].startswith("https://github.com/")
    # every chapter page the buttons open (book/chapters/<name>) has the source postBuild converts
    from neurokit.book.chapters import _toc_files

    for f in _toc_files(yaml.safe_load((REPO / "_toc.yml").read_text())):
        if f.startswith("book/chapters/"):
            assert (REPO / "notebooks" / f"{Path(f).stem}.py").is_file(), f


# ---------------------------------------------------------------------- HTML rendering (no execution)
# ---------------------------------------------------------------------- the real chapter, built and exported
@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The repository's quickstart in a small book: exported as ipynb (which executes it, smoke profile, into a
    temporary build directory), then the site built by `neurokit book`, the command `make book` runs."""
    root = write_book(tmp_path_factory.mktemp("pubbook") / "book", {"quickstart": None},
                      copy=("book/publishing.md", "notebooks/quickstart.py", "notebooks/params/smoke/quickstart.yaml",
                            "CITATION.cff"),
                      reference=("book/publishing", "book/status", "book/provenance", "book/bibliography"),
                      title="Published test book")
    if (REPO / "_static" / "mathjax").is_dir():
        shutil.copytree(REPO / "_static" / "mathjax", root / "_static" / "mathjax")
    smoke = root / "notebooks" / "params" / "smoke" / "quickstart.yaml"
    if not smoke.is_file():  # tiny sizes: the test is about publishing, not about the regression
        smoke.write_text("n_train: 200\nn_test: 100\nn_voxels: 100\n")
    build = tmp_path_factory.mktemp("pubbuild")
    out = tmp_path_factory.mktemp("exports")
    with _build_dir(build):
        assert main(["export", "quickstart", "--root", str(root), "--profile", "smoke", "--format", "ipynb",
                     "-o", str(out / "quickstart.ipynb"), "-q"]) == 0
        executed = build / "executed" / "smoke" / "quickstart.ipynb"
        assert executed.is_file(), "export did not execute the missing chapter"
        assert main(["book", "--root", str(root), "--profile", "smoke", "-q"]) == 0
    return {"root": root, "build": build, "out": out, "executed": executed}


@contextlib.contextmanager
def _build_dir(path: Path):
    """Point the runner at a temporary build directory (``NEUROKIT_BUILD_DIR``) for the duration."""
    old = os.environ.get("NEUROKIT_BUILD_DIR")
    os.environ["NEUROKIT_BUILD_DIR"] = str(path)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("NEUROKIT_BUILD_DIR", None)
        else:
            os.environ["NEUROKIT_BUILD_DIR"] = old


def _export(published, fmt: str, output: Path, *extra: str) -> int:
    with _build_dir(published["build"]):
        return main(["export", "quickstart", "--root", str(published["root"]), "--profile", "smoke",
                     "--format", fmt, "-o", str(output), "-q", *extra])


def test_site_built_by_make_book_command_passes_link_check(published):
    from test_book_site import _Links

    from neurokit.book.runner import Book

    if "NEUROKIT_BUILD_DIR" not in os.environ:  # the directory the workflow uploads is the one the runner builds
        assert Book(published["root"], "smoke").html == published["root"] / "_build" / "html"
    html = published["build"] / "html"
    pages = [f for f in html.rglob("*.html") if f.relative_to(html).parts[0] not in ("_static", "_sources")]
    assert {"index.html", "book/chapters/quickstart.html", "book/publishing.html"} <= {
        f.relative_to(html).as_posix() for f in pages}
    broken, external = [], []
    for f in pages:
        parser = _Links()
        parser.feed(f.read_text(errors="replace"))
        for tag, ref in parser.refs:
            u = urlparse(ref)
            if u.scheme in ("http", "https"):
                if tag in ("script", "img") or (tag == "link" and "stylesheet" not in ref):
                    external.append((f.name, ref))
                continue
            if u.scheme in ("mailto", "data", "javascript") or ref.startswith("#") or not u.path:
                continue
            if not (f.parent / unquote(u.path)).resolve().exists():
                broken.append((f.relative_to(html).as_posix(), ref))
        content = f.read_text()
        if 'http-equiv="Refresh"' not in content:  # every page but the root redirect shows the version
            assert f"neurokit {__version__}" in content, f"{f.name}: version missing from the footer"
    assert not broken, f"broken local links: {broken[:20]}"
    assert not external, f"assets from the network: {external[:10]}"
    chapter = (html / "book" / "chapters" / "quickstart.html").read_text()
    binder = re.search(r'href="(https://mybinder\.org/v2/gh/[^"]+)"', chapter)
    assert binder and binder.group(1).endswith("urlpath=lab/tree/book/chapters/quickstart.ipynb")
    assert "colab.research.google.com" not in chapter  # no button that cannot work (see book/publishing.md)


def test_export_ipynb_is_the_executed_notebook_with_provenance(published):
    nb = nbformat.read(published["out"] / "quickstart.ipynb", as_version=4)
    executed = nbformat.read(published["executed"], as_version=4)
    info = nb.metadata["neurokit"]["export"]
    assert info["profile"] == "smoke" and info["neurokit_version"] == __version__
    assert info["parameters"]["profile"] == "smoke" and info["git_commit"]
    assert "neurokit-export" in nb.cells[1].metadata["tags"] and "smoke" in nb.cells[1].source
    assert [c.source for c in nb.cells[:1] + nb.cells[2:]] == [c.source for c in executed.cells]
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any(k.endswith("image/png") for o in outputs for k in o.get("data", {})), "the figure is missing"


def test_export_html_is_self_contained(published):
    from neurokit.book.runner import Book

    out = published["out"] / "quickstart.html"
    book = Book(published["root"], "smoke", build_dir=published["build"])
    current = not book.is_stale("quickstart", book.parameters("quickstart"))  # others may edit the package
    stamp = published["executed"].stat().st_mtime_ns
    assert _export(published, "html", out) == 0
    if current:
        assert published["executed"].stat().st_mtime_ns == stamp, "an up-to-date chapter was re-executed"
    page = out.read_text()
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert re.search(r"mean Pearson .{0,200}? of 0\.\d{3}", text) and "{glue:" not in text
    assert re.search(r"Book figure 1\.? Left: held-out prediction accuracy", text)
    assert "simulated data with known ground truth" in text and "smoke profile" in text
    assert "<script" not in page and "mjx-container" in page  # math typeset by MathJax, no script left
    assert not re.search(r'(src|href)="(?!data:|#)', page), "external reference in the export"
    assert re.search(r"url\(\"data:font/woff", page) or "MathJax_" not in page  # the math fonts travel inside
    assert page.count('src="data:image/png;base64,') >= 1
    # the figure's data travel inside the file, byte-identical to the CSV the run wrote
    from bs4 import BeautifulSoup

    links = [(a["download"], a["href"]) for a in BeautifulSoup(page, "html.parser").find_all("a", download=True)]
    assert [name for name, _ in links] == ["fig_quickstart.csv"]
    csv = published["build"] / "results" / "smoke" / "figdata" / "quickstart" / "fig_quickstart.csv"
    assert base64.b64decode(links[0][1].split(",", 1)[1]) == csv.read_bytes()


def test_export_pdf_pages_render_with_the_figure(published, tmp_path):
    if not (shutil.which("chromium") and shutil.which("pdftoppm")):
        pytest.skip("needs Debian's chromium and poppler-utils (make test installs them: scripts/install_browser.sh)")
    from PIL import Image
    from scipy import ndimage

    pdf = published["out"] / "quickstart.pdf"
    assert _export(published, "pdf", pdf) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert pages, "pdftoppm rendered no page"
    largest = []
    for page in pages:
        rgb = np.asarray(Image.open(page).convert("RGB")).astype(int)
        assert rgb.shape[0] > 500 and rgb.shape[1] > 350  # A4 at 50 dpi
        labels, _ = ndimage.label(rgb.min(axis=2) < 200, structure=np.ones((3, 3)))
        boxes = [(s[0].stop - s[0].start, s[1].stop - s[1].start) for s in ndimage.find_objects(labels)]
        largest.append(max((min(h, w) for h, w in boxes), default=0))
    # text glyphs and code-block rules are at most a few pixels on one side; the figure's axes are ~3 cm square
    assert max(largest) >= 60, f"no page holds a figure-sized drawing (largest blobs per page: {largest})"


def test_export_refuses_bad_requests(published, tmp_path, capsys):
    root = str(published["root"])
    with _build_dir(published["build"]):
        assert main(["export", "nosuchchapter", "--root", root, "--profile", "smoke", "-q"]) == 2
        assert "quickstart" in capsys.readouterr().err
        assert main(["export", "quickstart", "--root", root, "--profile", "embedded", "--no-execute",
                     "-o", str(tmp_path / "x.html")]) == 2
    err = capsys.readouterr().err
    assert "no executed notebook" in err and "neurokit run quickstart --profile embedded" in err
    with pytest.raises(SystemExit):
        main(["export", "quickstart", "--format", "docx"])
