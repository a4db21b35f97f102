"""Citations: BibTeX (or CFF) for the book, one chapter as executed under a profile with its parameters, and the
papers and data sets it reproduces.

Until a release has a DOI (Zenodo mints one per published release; see the book's publishing page), the book is
cited by its URL, version and commit; set :data:`DOI` in the release that receives one.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

from neurokit import __version__
from neurokit.book.chapters import discover, find_root, get_chapter, resolve_parameters

#: The version DOI, once minted (None until then: the citation carries the URL, version and commit instead).
DOI: str | None = None
URL = "https://github.com/neurokit-book/neurokit"

# chapter-name prefix → the bibliography keys of what it reproduces / reads
CHAPTER_SOURCES = {
    "quickstart": [],
    "models_and_layers": ["gamal2024dynamics"],
    "encoding": ["gamal2024dynamics", "cichy2021algonauts", "lahner2024boldmoments"],
    "vist": ["wu2024vist", "onken2016retina"],
    "neurons": ["wang2025neurons", "wen2018cc2017", "gong2024neuroclips"],
}


def book_url() -> str:
    """Where the book lives (its repository)."""
    return URL


def _commit(root: Path) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                             timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _bib_entries(root: Path) -> dict[str, str]:
    text = (root / "book" / "references.bib").read_text()
    entries, current, key = {}, [], None
    for line in text.splitlines():
        if line.startswith("@"):
            if key:
                entries[key] = "\n".join(current).strip()
            key = line.split("{", 1)[1].rstrip(",").strip()
            current = [line]
        elif key:
            current.append(line)
    if key:
        entries[key] = "\n".join(current).strip()
    return entries


def _braces(text: str) -> str:
    return text.replace("{", "(").replace("}", ")")


def book_bibtex(chapter: str | None = None, title: str | None = None, commit: str | None = None,
                profile: str | None = None, parameters: dict | None = None, year: int = 2026) -> str:
    """A ``@software`` entry for the book, or for one chapter executed under ``profile`` with ``parameters``."""
    key = "neurokit" + ("_" + chapter if chapter else "")
    what = f"{title or chapter} (chapter of neurokit)" if chapter else \
        "neurokit: a reproducible companion to dynamics-based encoding, Vi-ST and NEURONS"
    note = [f"commit {commit[:12]}" if commit else "commit unknown"]
    if chapter and profile:
        shown = ", ".join(f"{k}={v!r}" for k, v in sorted((parameters or {}).items()) if k != "profile")
        note.append(f"{profile} profile" + (f", parameters {shown}" if shown else ", default parameters"))
    fields = [("title", f"{{{what}}}"), ("author", "{{The neurokit developers}}"), ("year", f"{{{year}}}"),
              ("version", f"{{{__version__}}}"), ("url", f"{{{URL}}}")]
    if DOI:
        fields.append(("doi", f"{{{DOI}}}"))
    fields.append(("note", "{" + _braces("; ".join(note)) + "}"))
    body = ",\n".join(f"  {k:<9} = {v}" for k, v in fields)
    return f"@software{{{key},\n{body}\n}}"


def citation(chapter: str | None = None, root=None, fmt: str = "bibtex", profile: str = "embedded",
             overrides: dict | None = None) -> str:
    """BibTeX for the book (and ``chapter`` as run under ``profile`` with ``overrides``, with the papers it
    reproduces), or the CFF file."""
    root = Path(root) if root else find_root()
    if fmt == "cff":
        return (root / "CITATION.cff").read_text()
    commit = _commit(root)
    parts = [book_bibtex(commit=commit)]
    if chapter:
        ch = get_chapter(discover(root), chapter)
        params = resolve_parameters(root, ch, profile, overrides)
        parts.append(book_bibtex(chapter, ch.title, commit=commit, profile=profile, parameters=params))
        entries = _bib_entries(root)
        keys = next((v for k, v in CHAPTER_SOURCES.items() if chapter.startswith(k)), [])
        parts += [entries[k] for k in keys if k in entries]
    return "\n\n".join(parts) + "\n"
