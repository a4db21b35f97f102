"""Export one chapter as a self-contained file to share: the executed notebook, one HTML file, or a PDF.

Examples
--------
neurokit export quickstart --format pdf                 # ./quickstart.pdf (executes the chapter if stale)
neurokit export quickstart --format html -o share.html  # one HTML file: images, math and figure data inlined
neurokit export quickstart --format ipynb --profile smoke --no-execute   # the last executed notebook as is

``html`` is the chapter's page of the built site (as ``neurokit book`` renders it: glued numbers, numbered figures,
citations and references), typeset by headless Chromium (MathJax runs there) and made self-contained: the
article alone, with the site's code and notebook styles and MathJax's fonts inline, every image a ``data:`` URI,
each figure's data (the CSV the run wrote) a ``data:`` download under it, and no script, file or URL. ``pdf`` prints
that file with headless Chromium (Debian's ``chromium``; no LaTeX is needed).
"""
from __future__ import annotations

import base64
import json
import logging
import mimetypes
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

from neurokit import __version__
from neurokit._io import atomic_path, atomic_write_bytes
from neurokit.book._glue import data_label
from neurokit.book.chapters import find_root
from neurokit.book.cite import book_url
from neurokit.book.runner import Book
from neurokit.errors import DataError, InputError, NeurokitError

log = logging.getLogger(__name__)

FORMATS = ("html", "ipynb", "pdf")
MAX_EMBEDDED_CSV = 5_000_000  # bytes of a figure's CSV carried inside an HTML export
#: The site's stylesheets an exported page keeps (code highlighting, notebook cells, admonitions, figures).
KEPT_STYLES = ("pygments.css", "mystnb", "sphinx-design")
_CSS = """
body { font-family: "DejaVu Serif", Georgia, serif; font-size: 11pt; line-height: 1.45; color: #1a1a1a;
       max-width: 48em; margin: 2em auto; padding: 0 1em; }
h1, h2, h3, h4 { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; line-height: 1.2; }
a.headerlink, .toggle-details, button { display: none; }
pre { white-space: pre-wrap; word-wrap: break-word; padding: 0.5em 0.7em; font-size: 0.85em; }
div.cell_input, div.highlight { background: #f5f6f8; }
img { max-width: 100%; height: auto; }
figure, div.figure { margin: 1.2em 0; text-align: center; break-inside: avoid; page-break-inside: avoid; }
figcaption, .caption { font-size: 0.92em; text-align: left; }
.admonition { border-left: 4px solid #4a7fb5; background: #f1f6fb; padding: 0.3em 0.9em; margin: 1em 0; }
.admonition.warning { border-color: #c0392b; background: #fdf1ef; }
.admonition-title { font-weight: bold; font-family: sans-serif; }
table { border-collapse: collapse; margin: 1em auto; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
footer.nk-export { margin-top: 3em; border-top: 1px solid #ccc; font-size: 0.85em; color: #555; }
@page { size: A4; margin: 16mm 14mm; }
@media print { body { margin: 0; max-width: none; } }
"""


# ---------------------------------------------------------------------- public API
def export_chapter(chapter: str, fmt: str, output: str | Path | None = None, profile: str = "embedded",
                   root: str | Path | None = None, build_dir: str | Path | None = None, execute: bool = True,
                   progress: bool = False) -> Path:
    """Write a self-contained copy of one chapter and return its path.

    Parameters
    ----------
    chapter : str
        Chapter name (``notebooks/<chapter>.py``; see ``neurokit list``).
    fmt : {"html", "ipynb", "pdf"}
        ``ipynb``: the executed notebook with a provenance cell; ``html``: the chapter's page of the built site
        (built first when out of date) as one self-contained file; ``pdf``: that HTML printed by headless
        Chromium.
    output : path, optional
        Where to write (default ``./<chapter>.<fmt>``). Written atomically.
    profile : str
        Parameter profile whose executed notebook is exported (``smoke``, ``embedded``, ``paper``).
    root, build_dir : path, optional
        Book root (default: found from the current directory) and build directory (default ``<root>/_build``,
        or ``$NEUROKIT_BUILD_DIR``).
    execute : bool
        Execute the chapter first when its executed notebook is missing or stale (the runner's content key);
        with ``False`` the last executed notebook is exported as it is, and a missing one is an error.
    progress : bool
        Progress bars while executing.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    book = Book(find_root(root), profile, build_dir=build_dir)
    book.chapter(chapter)  # unknown name → UnknownNameError listing the chapters
    nb_path = executed_notebook(book, chapter, execute=execute, progress=progress)
    out = Path(output) if output is not None else Path.cwd() / f"{chapter}.{fmt}"
    if fmt == "ipynb":
        import nbformat

        atomic_write_bytes(out, nbformat.writes(export_notebook(book, chapter, nb_path)).encode())
    else:  # a PDF cannot offer data: downloads, so the figures' CSV links are left out there
        page = single_file_page(built_page(book, chapter, execute=execute), figure_data=fmt == "html",
                                footer=_provenance_note(book, chapter))
    if fmt == "html":
        atomic_write_bytes(out, page.encode())
    elif fmt == "pdf":
        with tempfile.TemporaryDirectory(prefix=f"nk-export-{chapter}-") as tmp:
            src = Path(tmp) / f"{chapter}.html"
            src.write_text(page, encoding="utf-8")
            with atomic_path(out, suffix=".pdf") as tmp_pdf:
                html_to_pdf(src, tmp_pdf)
    out.chmod(0o644)  # a file to share (atomic writes create it owner-only)
    log.info("exported %s (%s profile) to %s", chapter, profile, out)
    return out


def executed_notebook(book, chapter: str, execute: bool = True, progress: bool = False) -> Path:
    """Path of ``chapter``'s executed notebook under ``book``'s profile, executing it first if needed.

    Raises
    ------
    DataError
        With ``execute=False`` and no executed notebook, or when the execution fails (the message names the
        failing cell and where the failed notebook is kept).
    """
    path = book.executed / f"{chapter}.ipynb"
    if not execute:
        if not path.is_file():
            raise DataError(f"chapter {chapter!r} has no executed notebook for the {book.profile!r} profile at "
                            f"{path}; run `neurokit run {chapter} --profile {book.profile}` first, or export "
                            "without --no-execute")
        return path
    if path.is_file() and not book.is_stale(chapter, book.parameters(chapter)):
        return path  # up to date: no need to wait for the build lock
    with book.lock():
        run = book.run([chapter], progress=progress)[0]
    if run.status == "failed":
        raise DataError(f"chapter {chapter!r} failed to execute under the {book.profile!r} profile, so there is "
                        f"nothing current to export:\n{run.describe()}\nFix the error and export again, or pass "
                        "--no-execute to export the last good notebook")
    return path


def export_notebook(book, chapter: str, nb_path: Path):
    """The executed notebook with a provenance cell under its title and ``metadata.neurokit.export``.

    Returns
    -------
    nbformat.NotebookNode
    """
    import nbformat

    nb = nbformat.read(nb_path, as_version=4)
    prov_file = book.results / f"{chapter}.provenance.json"
    prov = json.loads(prov_file.read_text()) if prov_file.is_file() else {}
    info = {
        "neurokit_version": __version__,
        "chapter": chapter,
        "profile": book.profile,
        "data": data_label(book.profile),
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "executed_at": prov.get("executed_at"),
        "git_commit": prov.get("git_commit"),
        "wall_time_s": prov.get("wall_time_s"),
        "device": prov.get("device"),
        "parameters": prov.get("parameters", {}),
        "url": book_url(),
    }
    params = ", ".join(f"`{k}={v!r}`" for k, v in sorted(info["parameters"].items())) or "none recorded"
    text = (
        f"*Exported from neurokit {__version__}.* Executed under the **{book.profile}** profile "
        f"({info['data']}) on {info['executed_at'] or 'an unrecorded date'}, commit "
        f"`{str(info['git_commit'] or 'unknown')[:12]}`, device {info['device'] or 'unrecorded'}, in "
        f"{info['wall_time_s'] if info['wall_time_s'] is not None else '?'} s. Parameters: {params}. "
        f"Reproduce with `neurokit run {chapter} --profile {book.profile}`; cite with "
        f"`neurokit cite {chapter} --profile {book.profile}` ({info['url']})."
    )
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["tags"] = ["neurokit-export"]
    at = 1 if nb.cells and nb.cells[0].cell_type == "markdown" else 0
    nb.cells.insert(at, cell)
    nb.metadata.setdefault("neurokit", {})["export"] = info
    return nb


def html_to_pdf(html_file: str | Path, pdf: str | Path, timeout: float = 180.0) -> Path:
    """Print ``html_file`` to ``pdf`` with headless Chromium (A4, no header/footer, network disabled).

    Raises
    ------
    NeurokitError
        When Chromium is not installed or the print fails.
    """
    chromium = _chromium("PDF export prints the HTML")
    pdf = Path(pdf).resolve()
    with tempfile.TemporaryDirectory(prefix="nk-chromium-") as profile_dir:
        cmd = [chromium, *_CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}", "--no-pdf-header-footer",
               "--run-all-compositor-stages-before-draw", f"--print-to-pdf={pdf}", Path(html_file).resolve().as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise NeurokitError(f"headless Chromium did not print {html_file} within {timeout:.0f} s; "
                                "export --format html instead, or retry on a less busy machine") from None
    if proc.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0 \
            or not pdf.read_bytes().startswith(b"%PDF"):
        tail = "\n".join((proc.stderr or "").strip().splitlines()[-10:])
        raise NeurokitError(f"headless Chromium failed to print {html_file} (exit {proc.returncode}):\n{tail}")
    return pdf




# ---------------------------------------------------------------------- the built page → one HTML file
def built_page(book, chapter: str, execute: bool = True) -> Path:
    """The chapter's page of ``book``'s built site, building the site first when it is out of date."""
    page = book.html / "book" / "chapters" / f"{chapter}.html"
    if page.is_file() and book.html_is_current():
        return page
    if not execute and page.is_file():
        return page  # --no-execute: the last site as it is
    with book.lock():
        book.build_html()
    if not page.is_file():
        raise DataError(f"the site was built but has no page for {chapter!r} at {page}")
    return page


def _provenance_note(book, chapter: str) -> str:
    prov_file = book.results / f"{chapter}.provenance.json"
    prov = json.loads(prov_file.read_text()) if prov_file.is_file() else {}
    return (f"Exported from neurokit {__version__} ({book_url()}): chapter {chapter}, {book.profile} profile "
            f"({data_label(book.profile)}), commit {str(prov.get('git_commit', 'unknown'))[:12]}, executed "
            f"{prov.get('executed_at', '?')}. Reproduce with <code>neurokit run {chapter} --profile "
            f"{book.profile}</code>; cite with <code>neurokit cite {chapter} --profile {book.profile}</code>.")


def typeset_dom(page: Path, timeout: float = 120.0) -> str:
    """The DOM of ``page`` after its scripts ran (MathJax typesets the math), from headless Chromium."""
    chromium = _chromium("an HTML export renders the page's math")
    with tempfile.TemporaryDirectory(prefix="nk-chromium-") as profile_dir:
        cmd = [chromium, *_CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}", "--virtual-time-budget=30000",
               "--dump-dom", Path(page).resolve().as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise NeurokitError(f"headless Chromium did not render {page} within {timeout:.0f} s; retry on a "
                                "less busy machine") from None
    if proc.returncode != 0 or "<html" not in proc.stdout:
        raise NeurokitError(f"headless Chromium failed to render {page} (exit {proc.returncode}):\n"
                            + "\n".join(proc.stderr.strip().splitlines()[-10:]))
    return proc.stdout


def _data_uri(path: Path, mime: str | None = None) -> str:
    mime = mime or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


def _local(ref: str, base: Path) -> Path | None:
    u = urlparse(ref)
    if u.scheme == "file":
        return Path(unquote(u.path))
    if u.scheme or not u.path:
        return None
    return (base / unquote(u.path)).resolve()


def _inline_css_urls(css: str, base: Path) -> str:
    """``url(...)`` of local files (fonts, images) in ``css`` as ``data:`` URIs; others removed."""
    def one(m):
        ref = m.group(1).strip("'\"")
        if ref.startswith("data:"):
            return m.group(0)
        f = _local(ref.split("?")[0], base)
        return f'url("{_data_uri(f)}")' if f is not None and f.is_file() else "url()"

    return re.sub(r"url\(([^)]*)\)", one, css)


def single_file_page(page: Path, figure_data: bool = True, footer: str = "") -> str:
    """The article of a built chapter page as one self-contained HTML document.

    Parameters
    ----------
    page : path
        ``<site>/book/chapters/<chapter>.html``.
    figure_data : bool
        Keep each figure's data download (the CSV the run wrote), inlined as a ``data:`` URI (up to
        ``MAX_EMBEDDED_CSV`` bytes); a PDF cannot offer downloads, so it is left out there.
    footer : str
        HTML of a provenance note at the end.

    Returns
    -------
    str
        HTML with no script and no reference to any file or URL.
    """
    from bs4 import BeautifulSoup

    base = Path(page).resolve().parent
    soup = BeautifulSoup(typeset_dom(page), "html.parser")
    article = soup.find("article", class_="bd-article") or soup.body
    title = soup.title.get_text(strip=True) if soup.title else page.stem
    styles = [_CSS]
    for link in soup.find_all("link", rel="stylesheet"):
        href = link.get("href", "")
        f = _local(href.split("?")[0], base)
        if f is not None and f.is_file() and any(k in f.name for k in KEPT_STYLES):
            styles.append(_inline_css_urls(f.read_text(), f.parent))
    for style in soup.find_all("style"):
        if style.get("id", "").startswith("MJX"):  # MathJax's CHTML rules and its fonts
            styles.append(_inline_css_urls(style.get_text(), base))
    for tag in article.find_all(["script", "button", "template"]):
        tag.decompose()
    for img in article.find_all("img"):
        f = _local(img.get("src", ""), base)
        if f is not None and f.is_file():
            img["src"] = _data_uri(f)
        else:
            img.decompose()
    for a in article.find_all("a"):
        href = a.get("href", "")
        f = _local(href.split("#")[0], base) if href and not href.startswith(("#", "data:")) else None
        if href.startswith(("#", "data:")):
            continue
        if (figure_data and f is not None and f.suffix == ".csv" and f.is_file()
                and f.stat().st_size <= MAX_EMBEDDED_CSV):
            a["href"], a["download"] = _data_uri(f, "text/csv"), f.name
        elif f is not None and f.suffix == ".csv":
            a.decompose()
        else:  # a link to another page, a source file or the web: keep the words, drop the reference
            a.unwrap()
    for tag in article.find_all(True):
        for attr in ("src", "href"):
            v = tag.get(attr)
            if v and not str(v).startswith(("data:", "#")):
                del tag[attr]
    doc = BeautifulSoup("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title></title></head>"
                        "<body></body></html>", "html.parser")
    doc.title.string = title
    style = doc.new_tag("style")
    style.string = "\n".join(styles)
    doc.head.append(style)
    doc.body.append(article)
    if footer:
        doc.body.append(BeautifulSoup(f'<footer class="nk-export">{footer}</footer>', "html.parser"))
    return str(doc)


_CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--host-resolver-rules=MAP * ~NOTFOUND")


def _chromium(why: str) -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if chromium is None:
        raise NeurokitError(f"{why} with headless Chromium, which is not installed; install Debian's chromium "
                            "(`bash scripts/install_browser.sh`) or export --format ipynb")
    return chromium


__all__ = ["FORMATS", "MAX_EMBEDDED_CSV", "export_chapter", "executed_notebook", "export_notebook", "built_page",
           "single_file_page", "typeset_dom", "html_to_pdf"]
