"""Execute chapters with papermill and build the book with jupyter-book, losing nothing on failure.

Layout under ``<root>/_build/``::

    executed/<profile>/<chapter>.ipynb         last good executed notebook
    executed/<profile>/<chapter>.key           its content key (see :mod:`neurokit.book.staleness`)
    executed/<profile>/<chapter>.key.json      what the key hashed (says why a chapter is stale: --dry-run)
    executed/<profile>/failed/<chapter>.ipynb  the notebook of a failed run, kept for inspection
    results/<profile>/<chapter>.json           the numbers the chapter glued (deterministic for a seed)
    results/<profile>/<chapter>.provenance.json  commit, versions, device, data, wall time
    stage/                                     the jupyter-book source assembled for a build
    html/                                      the site; replaced only by a complete new build (swap)

A chapter that raises keeps its failed notebook, the others still execute, the site is built from the last
good notebook of every chapter (a stub page where there is none), and the run exits non-zero.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from neurokit import __version__
from neurokit._io import (
    _json_default, atomic_path, atomic_write_json, atomic_write_text, prepare_bytes, sha256_file, sha256_json,
    sync_bytes, sync_file,
)
from neurokit._progress import tqdm
from neurokit.book.chapters import Chapter, discover, get_chapter, resolve_parameters
from neurokit.book.pages import chapter_header_cell, write_generated_pages
from neurokit.book.staleness import chapter_key, closure, explain, file_hashes, package_dir
from neurokit.config import REHEARSAL_ENV, check_profile, check_rehearsal
from neurokit.errors import NeurokitError

log = logging.getLogger(__name__)

RESULTS_ENV = "NEUROKIT_RESULTS_FILE"
FIGDATA_ENV = "NEUROKIT_FIGDATA_DIR"
_GLUE_FIGURE = re.compile(r"\{glue:figure\}\s+([\w.\-]+)")
_FIGURE_FENCE = re.compile(r"^(`{3,}|:{3,})\{glue:figure\}\s+([\w.\-]+)")
STAGE_FILES = ("_config.yml", "_toc.yml")
STAGE_DIRS = ("book", "_static")


class BuildLockedError(NeurokitError):
    """Another ``neurokit book`` holds the build directory."""


@dataclass
class ChapterRun:
    chapter: str
    status: str  # "executed" | "cached" | "failed"
    seconds: float = 0.0
    error: str | None = None
    cell: int | None = None
    failed_notebook: Path | None = None
    numbers: dict = field(default_factory=dict)

    def describe(self) -> str:
        if self.status == "failed":
            where = f" in cell {self.cell}" if self.cell is not None else ""
            return (f"{self.chapter}: FAILED{where}: {self.error}\n"
                    f"    the failed notebook is kept at {self.failed_notebook}")
        return f"{self.chapter}: {self.status} ({self.seconds:.1f} s)"


class Book:
    """The book at ``root`` for one ``profile``.

    ``rehearse=True`` (paper profile only) rehearses the paper profile: every chapter runs its paper code path on
    data simulated at the paper's shapes (the rehearsal data home) with random weights and minimal repetitions,
    into a build of its own (``<build>/rehearsal/``), and every page and provenance record says so.
    """

    def __init__(self, root: Path, profile: str = "embedded", build_dir: Path | None = None, rehearse: bool = False):
        self.root = Path(root).resolve()
        self.profile = check_profile(profile)
        check_rehearsal(profile, rehearse)
        self.rehearse = bool(rehearse)
        build_dir = build_dir or os.environ.get("NEUROKIT_BUILD_DIR")
        self.build = Path(build_dir).resolve() if build_dir else self.root / "_build"
        if self.rehearse:  # never beside a real paper build
            self.build = self.build / "rehearsal"
        self.executed = self.build / "executed" / profile
        self.results = self.build / "results" / profile
        self.html = self.build / "html"
        self._chapters: dict[str, Chapter] | None = None

    # ------------------------------------------------------------------ chapters
    @property
    def chapters(self) -> dict[str, Chapter]:
        if self._chapters is None:
            self._chapters = discover(self.root)
        return self._chapters

    def chapter(self, name: str) -> Chapter:
        return get_chapter(self.chapters, name)

    def parameters(self, name: str, overrides: dict | None = None) -> dict[str, Any]:
        return resolve_parameters(self.root, self.chapter(name), self.profile, overrides, rehearse=self.rehearse)

    def key(self, name: str, params: dict) -> str:
        return chapter_key(self.root, self.chapter(name), params, self.profile, self.build, self.rehearse)[0]

    def is_stale(self, name: str, params: dict) -> bool:
        return self.stale_reason(name, params) is not None

    def stale_reason(self, name: str, params: dict) -> str | None:
        """Why chapter ``name`` would execute with ``params`` (one line), or None when it is up to date."""
        keyfile = self.executed / f"{name}.key"
        nb = self.executed / f"{name}.ipynb"
        key, parts = chapter_key(self.root, self.chapter(name), params, self.profile, self.build, self.rehearse)
        if nb.is_file() and keyfile.is_file() and keyfile.read_text().strip() == key:
            return None
        if not nb.is_file() or not keyfile.is_file():
            return "never executed under this profile" if not nb.is_file() else "no key recorded"
        old = self.executed / f"{name}.key.json"
        try:
            old_parts = json.loads(old.read_text()) if old.is_file() else None
        except ValueError:
            old_parts = None
        return explain(old_parts, parts) if old_parts else "key changed (no record of the previous key)"

    def plan(self, names: Iterable[str] | None = None, overrides: dict | None = None
             ) -> list[tuple[str, str]]:
        """``(chapter, reason)`` for every chapter that :meth:`run` would execute; executes and writes nothing.

        A chapter that summarises the others (``run_last``) is listed when it is stale itself, or when any
        chapter before it will execute (its inputs will then change).
        """
        names = list(names or self.chapters)
        names.sort(key=lambda n: bool(self.chapter(n).meta.get("run_last")))
        out = []
        for n in names:
            reason = self.stale_reason(n, self.parameters(n, overrides if len(names) == 1 else None))
            if reason is None and self.chapter(n).meta.get("run_last") and out:
                reason = "summarises chapters that will execute: " + ", ".join(c for c, _ in out)
            if reason is not None:
                out.append((n, reason))
        return out

    # ------------------------------------------------------------------ locking
    @contextlib.contextmanager
    def lock(self):
        """Hold ``_build/.lock``; a second concurrent run fails at once with a clear message."""
        from filelock import FileLock, Timeout

        self.build.mkdir(parents=True, exist_ok=True)
        lockfile = self.build / ".lock"
        lock = FileLock(str(lockfile) + ".flock", timeout=0)
        try:
            lock.acquire()
        except Timeout:
            holder = lockfile.read_text().strip() if lockfile.exists() else "unknown"
            raise BuildLockedError(
                f"another neurokit book/run is using {self.build} ({holder}). Wait for it to finish, "
                "or, if no such process is alive, delete "
                f"{lockfile}.flock and try again."
            ) from None
        try:
            atomic_write_text(lockfile, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
            yield
        finally:
            with contextlib.suppress(FileNotFoundError):
                lockfile.unlink()
            lock.release()

    # ------------------------------------------------------------------ execution
    def execute(self, name: str, overrides: dict | None = None, force: bool = False,
                progress: bool = True) -> ChapterRun:
        """Execute chapter ``name`` if stale (or ``force``); keep what a failure produced."""
        import jupytext
        import papermill as pm

        chapter = self.chapter(name)
        params = self.parameters(name, overrides)
        key, parts = chapter_key(self.root, chapter, params, self.profile, self.build, self.rehearse)
        if not force and not self.is_stale(name, params):
            return ChapterRun(name, "cached", numbers=self._numbers(name))
        self.executed.mkdir(parents=True, exist_ok=True)
        self.results.mkdir(parents=True, exist_ok=True)
        nb = jupytext.read(chapter.path)
        nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
        with tempfile.TemporaryDirectory(prefix=f"nk-{name}-") as tmp:
            out_nb = Path(tmp) / f"{name}.ipynb"
            results_tmp = Path(tmp) / "results.json"
            figdata_tmp = Path(tmp) / "figdata"
            # Where this kernel records its numbers and figure data: set inside the kernel by a first cell (not
            # through this process's environment, which chapters executing in parallel share).
            nb.cells.insert(0, _setup_cell({RESULTS_ENV: str(results_tmp), FIGDATA_ENV: str(figdata_tmp),
                                            "NEUROKIT_BUILD_DIR_ACTIVE": str(self.build),
                                            REHEARSAL_ENV: "1" if self.rehearse else "0"}))
            t0 = time.perf_counter()
            try:
                pm.execute_notebook(
                    nb, str(out_nb), parameters=params, kernel_name="python3", cwd=str(self.root),
                    progress_bar=progress, log_output=False, execution_timeout=chapter.timeout,
                    report_mode=False,
                )
            except pm.PapermillExecutionError as exc:
                _strip_setup_cell(out_nb)
                first = next((ln for ln in (exc.source or "").splitlines() if ln.strip()), "")
                where = f"{exc.ename}: {exc.evalue} (In [{exc.exec_count}]: {first.strip()[:80]})"
                return self._failed(name, out_nb, exc.exec_count, where, t0)
            except Exception as exc:  # kernel died, timeout, …
                _strip_setup_cell(out_nb)
                return self._failed(name, out_nb, None, f"{type(exc).__name__}: {exc}", t0)
            _strip_setup_cell(out_nb)
            seconds = time.perf_counter() - t0
            numbers = json.loads(results_tmp.read_text()) if results_tmp.exists() else {}
            # Publish in two phases. 1: write every new file beside its destination under a temporary name (a full
            # disk fails here and changes nothing). 2: drop the old key, rename the files into place, write the new
            # key last; a crash inside phase 2 leaves the chapter "stale", never an old key beside new results.
            result = {"chapter": name, "profile": self.profile, "parameters": params, "numbers": numbers}
            payload = {
                self.results / f"{name}.json": _json_bytes(result),
                self.results / f"{name}.provenance.json": _json_bytes(self._provenance(chapter, params, parts, seconds)),
                self.executed / f"{name}.ipynb": out_nb.read_bytes(),
            }
            figdata = self.results / "figdata" / name
            prepared: dict[Path, Path] = {}
            figdata_new = figdata.with_name(f".{name}.partial")
            try:
                for dst, data in payload.items():
                    prepared[dst] = prepare_bytes(dst, data)
                shutil.rmtree(figdata_new, ignore_errors=True)
                if figdata_tmp.is_dir():
                    shutil.copytree(figdata_tmp, figdata_new)
            except BaseException:
                for tmp_file in prepared.values():
                    tmp_file.unlink(missing_ok=True)
                shutil.rmtree(figdata_new, ignore_errors=True)
                raise
            (self.executed / f"{name}.key").unlink(missing_ok=True)
            (self.executed / f"{name}.key.json").unlink(missing_ok=True)
            for dst, tmp_file in prepared.items():
                os.replace(tmp_file, dst)
            shutil.rmtree(figdata, ignore_errors=True)
            if figdata_new.is_dir():
                os.replace(figdata_new, figdata)
            atomic_write_json(self.executed / f"{name}.key.json", parts)
            atomic_write_text(self.executed / f"{name}.key", key + "\n")
            failed = self.executed / "failed" / f"{name}.ipynb"
            failed.unlink(missing_ok=True)
        return ChapterRun(name, "executed", seconds=seconds, numbers=numbers)

    def _failed(self, name: str, out_nb: Path, cell: int | None, error: str, t0: float) -> ChapterRun:
        dst = self.executed / "failed" / f"{name}.ipynb"
        if out_nb.exists():
            with atomic_path(dst) as tmp:
                shutil.copyfile(out_nb, tmp)
        atomic_write_json(self.executed / "failed" / f"{name}.json",
                          {"chapter": name, "cell": cell, "error": error, "time": time.strftime("%Y-%m-%dT%H:%M:%S")})
        return ChapterRun(name, "failed", seconds=time.perf_counter() - t0, error=error, cell=cell,
                          failed_notebook=dst if dst.exists() else None)

    def _numbers(self, name: str) -> dict:
        f = self.results / f"{name}.json"
        return json.loads(f.read_text()).get("numbers", {}) if f.exists() else {}

    def _provenance(self, chapter: Chapter, params: dict, parts: dict, seconds: float) -> dict:
        return {
            "chapter": chapter.name,
            "title": chapter.title,
            "notebook": str(chapter.path.relative_to(self.root)),
            "profile": self.profile,
            "rehearsal": self.rehearse,
            "parameters": params,
            "git_commit": git_commit(self.root),
            "executed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "wall_time_s": round(seconds, 2),
            "device": device_description(),
            "python": platform.python_version(),
            "packages": package_versions(),
            "data": parts["data"],
            "datasets": list(chapter.datasets),
            "key_parts": {k: parts[k] for k in ("notebook", "parameters", "source")},
        }

    def run(self, names: Iterable[str] | None = None, overrides: dict | None = None, force: bool = False,
            jobs: int = 1, progress: bool = True) -> list[ChapterRun]:
        """Execute the given (default: all) chapters that are stale."""
        names = list(names or self.chapters)
        # chapters that summarise the others (``neurokit: run_last: true``) execute after them
        names.sort(key=lambda n: bool(self.chapter(n).meta.get("run_last")))
        for n in names:  # validate everything before executing anything
            self.parameters(n, overrides if len(names) == 1 else None)
        runs: list[ChapterRun] = []
        bar = tqdm(total=len(names), desc=f"chapters ({self.profile})", unit="chapter", disable=not progress)

        def one(n):
            bar.set_postfix_str(n)
            r = self.execute(n, overrides if len(names) == 1 else None, force=force, progress=progress and jobs == 1)
            bar.update(1)
            return r

        first = [n for n in names if not self.chapter(n).meta.get("run_last")]
        last = [n for n in names if self.chapter(n).meta.get("run_last")]
        if jobs > 1:
            with ThreadPoolExecutor(max_workers=jobs) as pool:
                runs = list(pool.map(one, first))
        else:
            runs = [one(n) for n in first]
        runs += [one(n) for n in last]
        bar.close()
        return runs

    # ------------------------------------------------------------------ building
    def stage(self, runs: list[ChapterRun] | None = None) -> Path:
        """Assemble the jupyter-book source in ``_build/stage`` (unchanged files keep their mtime)."""
        stage = self.build / "stage"
        stage.mkdir(parents=True, exist_ok=True)
        for f in STAGE_FILES:
            sync_file(self.root / f, stage / f)
        sync_bytes(_config_with_version(self.root / "_config.yml", self.profile, self.rehearse), stage / "_config.yml")
        for d in STAGE_DIRS:
            src = self.root / d
            (stage / d).mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                for p in src.rglob("*"):
                    if p.is_file() and "chapters" not in p.relative_to(src).parts[:1]:
                        sync_file(p, stage / d / p.relative_to(src))
        chapters_dir = stage / "book" / "chapters"
        chapters_dir.mkdir(parents=True, exist_ok=True)
        failed = {r.chapter: r for r in runs or [] if r.status == "failed"}
        for name, chapter in self.chapters.items():
            nb_path = self.executed / f"{name}.ipynb"
            if nb_path.is_file():
                import nbformat

                nb = nbformat.read(nb_path, as_version=4)
                prov = self.results / f"{name}.provenance.json"
                prov = json.loads(prov.read_text()) if prov.is_file() else {}
                insert_at = 1 if nb.cells and nb.cells[0].cell_type == "markdown" else 0
                # the parameters cells, defaults and papermill's injected copy, are folded: the header lists the
                # values this run used, and an unfolded default (profile = "embedded" on a smoke page) misleads
                for cell in nb.cells:
                    tags = cell.get("metadata", {}).get("tags", [])
                    if {"parameters", "injected-parameters"} & set(tags) and "hide-input" not in tags:
                        cell.metadata["tags"] = [*tags, "hide-input"]
                nb.cells.insert(insert_at, chapter_header_cell(self, chapter, prov, failed.get(name)))
                self._link_figure_data(nb, name, chapters_dir)
                sync_bytes(nbformat.writes(nb).encode(), chapters_dir / f"{name}.ipynb")
                (chapters_dir / f"{name}.md").unlink(missing_ok=True)
            else:
                r = failed.get(name)
                why = (f"It failed to execute in cell {r.cell}: `{r.error}`." if r else "It has not been executed yet.")
                stub = (f"# {chapter.title}\n\n```{{warning}}\nThis chapter has no executed notebook for the "
                        f"`{self.profile}` profile. {why} Run `neurokit run {name} --profile {self.profile}` "
                        "to see the error.\n```\n")
                sync_bytes(stub.encode(), chapters_dir / f"{name}.md")
                (chapters_dir / f"{name}.ipynb").unlink(missing_ok=True)
        write_generated_pages(self, stage, runs or [])
        return stage

    def _link_figure_data(self, nb, name: str, chapters_dir: Path) -> None:
        """Stage each glued figure's CSV and put its download link right under the figure's directive."""
        src_dir = self.results / "figdata" / name

        def link_for(fig):
            csv = src_dir / f"{fig}.csv"
            if not csv.is_file():
                return None
            sync_file(csv, chapters_dir / "figdata" / name / f"{fig}.csv")
            return f"{{download}}`Data behind this figure ({fig}.csv) <figdata/{name}/{fig}.csv>`"

        for cell in nb.cells:
            if cell.cell_type == "markdown" and _GLUE_FIGURE.search(cell.source):
                cell.source = _with_alt_text(_with_figure_links(cell.source, link_for))

    def build_html(self, runs: list[ChapterRun] | None = None, strict: bool = True) -> Path:
        """Build the site from the staged source, then swap it into ``_build/html`` in one rename."""
        stage = self.stage(runs)
        out = self.build / "stage_out"
        cmd = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()",
               "build", str(stage), "--path-output", str(out), "--quiet"]
        if strict:
            cmd += ["-W", "-n", "--keep-going"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        built = out / "_build" / "html"
        if proc.returncode != 0 or not (built / "index.html").is_file():
            raise NeurokitError(
                "jupyter-book build failed; the previous site in _build/html is untouched.\n"
                + _tail(proc.stdout + "\n" + proc.stderr)
            )
        self._publish_site(built)
        atomic_write_text(self.build / "html.key", self.html_key() + "\n")
        return self.html

    def _publish_site(self, built: Path) -> None:
        """Copy the built site to ``_build/sites/<new>`` and point the ``_build/html`` symlink at it in one
        atomic rename: at every instant ``_build/html`` is a complete site (the old or the new one)."""
        sites = self.build / "sites"
        sites.mkdir(parents=True, exist_ok=True)
        name = f"site-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.perf_counter_ns() % 10**6}"
        shutil.copytree(built, sites / f".{name}.partial")
        os.replace(sites / f".{name}.partial", sites / name)
        link = self.build / f".html-link-{os.getpid()}"
        link.unlink(missing_ok=True)
        link.symlink_to(Path("sites") / name)
        if self.html.is_dir() and not self.html.is_symlink():  # a site from an older layout: move it aside once
            os.replace(self.html, sites / f"legacy-{name}")
        os.replace(link, self.html)
        current = os.readlink(self.html)
        for old in sites.iterdir():  # earlier sites and leftovers of interrupted publications
            if Path("sites") / old.name != Path(current):
                shutil.rmtree(old, ignore_errors=True)

    def html_key(self) -> str:
        """Hash of everything the site is built from (staged inputs and executed notebooks)."""
        files = [self.root / f for f in STAGE_FILES]
        for d in STAGE_DIRS:
            if (self.root / d).is_dir():
                files += sorted(p for p in (self.root / d).rglob("*") if p.is_file()
                                and "chapters" not in p.relative_to(self.root / d).parts[:1])
        files += sorted(self.executed.glob("*.ipynb")) + sorted(self.results.glob("*.json"))
        files = [f for f in files if f.is_relative_to(self.root) or f.is_relative_to(self.build)]
        files += sorted((self.executed / "failed").glob("*.json")) if (self.executed / "failed").is_dir() else []

        def rel(f: Path) -> str:  # keys independent of where the checkout and the build live
            return ("{build}/" + f.relative_to(self.build).as_posix()) if f.is_relative_to(self.build) \
                else f.relative_to(self.root).as_posix()

        # the code that stages the site (headers, generated pages, the substitutions box and its registries)
        code = file_hashes(closure(package_dir(self.root), ("book.runner", "book.substitutes")), self.root)
        return sha256_json({rel(f): sha256_file(f) for f in files if f.is_file()}
                           | {"profile": self.profile, "code": code})

    def html_is_current(self) -> bool:
        k = self.build / "html.key"
        return (self.html / "index.html").is_file() and k.is_file() and k.read_text().strip() == self.html_key()


# ---------------------------------------------------------------------- helpers
def _json_bytes(obj) -> bytes:
    return (json.dumps(obj, indent=2, sort_keys=True, default=_json_default) + "\n").encode()


def _setup_cell(env: dict):
    import nbformat

    code = "import os as _os\n" + "".join(f"_os.environ[{k!r}] = {v!r}\n" for k, v in env.items()) + "del _os"
    cell = nbformat.v4.new_code_cell(code)
    cell.metadata["tags"] = ["neurokit-setup", "remove-cell"]
    return cell


def _strip_setup_cell(path: Path) -> None:
    """Remove the runner's setup cell from an executed notebook (it holds temporary paths only)."""
    import nbformat

    if not path.exists():
        return
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if "neurokit-setup" not in c.get("metadata", {}).get("tags", [])]
    nbformat.write(nb, path)


def _config_with_version(path: Path, profile: str, rehearse: bool = False) -> bytes:
    """The book's ``_config.yml`` with the package version and profile in the footer of every page, and the
    registry's counts as MyST substitutions (``{{ n_models }}`` in a page's text), so no page types them."""
    import yaml

    from neurokit.book.substitutes import counts

    config = yaml.safe_load(path.read_text())
    html = config.setdefault("html", {})
    what = f"{profile} profile" + (" REHEARSAL (simulated data at the paper's shapes, random weights: no result)"
                                   if rehearse else "")
    html["extra_footer"] = (f"neurokit {__version__} · {what} · " + html.get("extra_footer", "")).strip()
    if rehearse:
        html["announcement"] = ("REHEARSAL of the paper profile: simulated data at the paper's shapes, random "
                                "weights, minimal repetitions. Nothing on these pages is a result.")
    parse = config.setdefault("parse", {})
    parse["myst_substitutions"] = {**parse.get("myst_substitutions", {}), **counts(), "profile": profile}
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True).encode()


def _tail(text: str, n: int = 40) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return "\n".join(lines[-n:])


def git_commit(root: Path) -> str:
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10)
        commit = out.stdout.strip() or "unknown"
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return commit + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def device_description() -> str:
    try:
        import torch

        if torch.cuda.is_available():
            return f"cuda: {torch.cuda.get_device_name(0)}"
    except ImportError:  # pragma: no cover
        pass
    return f"cpu: {platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def package_versions() -> dict[str, str]:
    from importlib import metadata

    names = ["neurokit", "numpy", "scipy", "scikit-learn", "torch", "torchvision", "timm", "pytorchvideo",
             "diffusers", "transformers", "statsmodels", "nilearn", "papermill", "jupytext", "jupyter-book"]
    out = {}
    for n in names:
        try:
            out[n] = metadata.version(n)
        except metadata.PackageNotFoundError:
            out[n] = "absent"
    return out


_ROLE = re.compile(r"\{([\w:-]+)\}`([^`<]*?)(?:\s*<[^>]*>)?`")


def _alt_from_caption(caption: str) -> str:
    """A figure's alt text: the first sentence of its caption, roles reduced to their text, plain characters."""
    text = _ROLE.sub(lambda m: "" if m.group(1).startswith("glue") else m.group(2), " ".join(caption.split()))
    text = " ".join(re.sub(r"\(\s*\)", "", text).split())
    text = re.sub(r"[*_`$\\]", "", text)
    first = re.split(r"(?<=[.;])\s", text, maxsplit=1)[0]
    return first[:240].rstrip(" .;:") or "figure"


def _with_alt_text(source: str) -> str:
    """Give every ``{glue:figure}`` without an ``:alt:`` option one made from its caption (the figure's file
    name is no description for a screen reader or a missing image)."""
    lines, out, i = source.splitlines(), [], 0
    while i < len(lines):
        line = lines[i]
        m = _FIGURE_FENCE.match(line.strip())
        if not m:
            out.append(line)
            i += 1
            continue
        fence = m.group(1)
        j = i + 1
        while j < len(lines) and lines[j].strip() != fence:
            j += 1
        block = lines[i + 1:j]
        options = [b for b in block if b.strip().startswith(":")]
        caption = " ".join(b for b in block if b.strip() and not b.strip().startswith(":"))
        out.append(line)
        if not any(o.strip().startswith(":alt:") for o in options):
            out.append(f":alt: {_alt_from_caption(caption)}")
        out += block
        if j < len(lines):
            out.append(lines[j])
        i = j + 1
    return "\n".join(out)


def _with_figure_links(source: str, link_for) -> str:
    """``source`` with ``link_for(fig)`` (markdown, or None for no link) after each ``{glue:figure} fig`` block."""
    out, fence, fig = [], None, None
    for line in source.splitlines():
        out.append(line)
        m = _FIGURE_FENCE.match(line.strip())
        if fence is None and m:
            fence, fig = m.group(1), m.group(2)
        elif fence is not None and line.strip() == fence:
            link = link_for(fig)
            if link:
                out += ["", link, ""]
            fence = fig = None
    return "\n".join(out)
