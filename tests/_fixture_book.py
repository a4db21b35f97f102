"""A small book on disk that builds like the real one: the fixture shared by the runner, crash and publishing tests."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

HEADER = """\
# ---
# jupyter:
#   jupytext:
#     text_representation: {extension: .py, format_name: percent}
#   kernelspec: {display_name: Python 3, language: python, name: python3}
# ---
"""

REFERENCE_PAGES = ("book/status", "book/provenance", "book/bibliography")


def write_book(root: Path, chapters: dict[str, str], smoke_params: dict[str, str] | None = None,
               copy: tuple[str, ...] = (), reference: tuple[str, ...] = REFERENCE_PAGES,
               title: str = "Test book") -> Path:
    """Write ``_config.yml`` (the repository's), ``_toc.yml``, ``book/intro.md`` and ``notebooks/<name>.py``.

    ``chapters`` maps chapter names to notebook text (in toc order), ``smoke_params`` chapter names to the text of
    ``notebooks/params/smoke/<name>.yaml``, ``copy`` lists further repository files to copy (when present).
    """
    (root / "notebooks" / "params" / "smoke").mkdir(parents=True)
    (root / "book").mkdir()
    (root / "_static").mkdir()
    for f in ("_config.yml", "_static/neurokit.css", "book/references.bib", "book/bibliography.md", *copy):
        if (REPO / f).is_file():
            shutil.copy(REPO / f, root / f)
    (root / "book" / "intro.md").write_text(f"# {title}\n\n```{{tableofcontents}}\n```\n")
    toc = ["format: jb-book", "root: book/intro", "parts:", "  - caption: Chapters", "    chapters:"]
    toc += [f"      - file: book/chapters/{name}" for name in chapters]
    toc += ["  - caption: Reference", "    chapters:"] + [f"      - file: {page}" for page in reference]
    (root / "_toc.yml").write_text("\n".join(toc) + "\n")
    for name, text in chapters.items():
        if text is not None:
            (root / "notebooks" / f"{name}.py").write_text(text)
    for name, text in (smoke_params or {}).items():
        (root / "notebooks" / "params" / "smoke" / f"{name}.yaml").write_text(text)
    return root


def dedent(text: str) -> str:
    return textwrap.dedent(text)
