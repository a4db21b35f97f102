"""Citations: BibTeX (or CFF) for the book, one chapter, and the papers and data sets it reproduces."""
from __future__ import annotations

from pathlib import Path

from neurokit import __version__
from neurokit.book.chapters import discover, find_root, get_chapter

DOI_PLACEHOLDER = "10.5281/zenodo.TBD"  # minted at the first release; see CITATION.cff

# chapter-name prefix → the bibliography keys of what it reproduces / reads
CHAPTER_SOURCES = {
    "quickstart": [],
    "models_and_layers": ["gamal2024dynamics"],
    "encoding": ["gamal2024dynamics", "cichy2021algonauts", "lahner2024boldmoments"],
    "vist": ["wu2024vist", "onken2016retina"],
    "neurons": ["wang2025neurons", "wen2018cc2017", "gong2024neuroclips"],
}


def _bib_entries(root: Path | None) -> dict[str, str]:
    bib = (Path(root) if root else find_root()) / "book" / "references.bib"
    text = bib.read_text()
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


def book_bibtex(chapter: str | None = None, title: str | None = None) -> str:
    key = "neurokit" + ("_" + chapter if chapter else "")
    what = f"{title or chapter} (chapter of neurokit)" if chapter else \
        "neurokit: a reproducible companion to dynamics-based encoding, Vi-ST and NEURONS"
    return (f"@software{{{key},\n  title     = {{{what}}},\n  author    = {{{{The neurokit developers}}}},\n"
            f"  year      = {{2026}},\n  version   = {{{__version__}}},\n  doi       = {{{DOI_PLACEHOLDER}}},\n"
            f"  note      = {{DOI placeholder until a release is minted}}\n}}")


def citation(chapter: str | None = None, root=None, fmt: str = "bibtex") -> str:
    """BibTeX for the book (and ``chapter`` with the papers it reproduces), or the CFF file."""
    root = Path(root) if root else find_root()
    if fmt == "cff":
        return (root / "CITATION.cff").read_text()
    parts = [book_bibtex()]
    if chapter:
        ch = get_chapter(discover(root), chapter)
        parts.append(book_bibtex(chapter, ch.title))
        entries = _bib_entries(root)
        keys = next((v for k, v in CHAPTER_SOURCES.items() if chapter.startswith(k)), [])
        parts += [entries[k] for k in keys if k in entries]
    return "\n\n".join(parts) + "\n"
