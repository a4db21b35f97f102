"""Export one chapter as a self-contained file to share: the executed notebook, one HTML file, or a PDF.

Examples
--------
neurokit export quickstart --format pdf                 # ./quickstart.pdf (executes the chapter if stale)
neurokit export quickstart --format html -o share.html  # one HTML file: images and math inlined, no network
neurokit export quickstart --format ipynb --profile smoke --no-execute   # the last executed notebook as is

``html`` renders the executed notebook itself (no jupyter-book theme): markdown with the chapter's MyST roles and
directives resolved from the run (``{glue:text}`` numbers, ``{glue:figure}`` figures with numbered captions,
``{numref}``, ``{cite:t}``, admonitions), code highlighted with Pygments, outputs as the notebook holds them. Every
image is a ``data:`` URI, each figure's data (the CSV the run wrote) is a ``data:`` download link under it, and math
is drawn to SVG by matplotlib's mathtext, so the file needs no network and no JavaScript. ``pdf`` prints that HTML with headless Chromium (Debian's ``chromium``; no LaTeX is needed).
"""
from __future__ import annotations

import ast
import base64
import html
import io
import json
import logging
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from neurokit.errors import DataError, InputError, NeurokitError

log = logging.getLogger(__name__)

FORMATS = ("html", "ipynb", "pdf")
MAX_EMBEDDED_CSV = 5_000_000  # bytes of a figure's CSV carried inside an HTML export
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_ADMONITIONS = {"note", "warning", "tip", "important", "caution", "attention", "danger", "error", "hint",
                "seealso", "admonition"}
_MIME_ORDER = ("image/png", "image/jpeg", "image/svg+xml", "text/html", "text/markdown", "text/latex",
               "text/plain")
_CSS = """
body { font-family: "DejaVu Serif", Georgia, serif; font-size: 11pt; line-height: 1.45; color: #1a1a1a;
       max-width: 46em; margin: 2em auto; padding: 0 1em; }
h1, h2, h3, h4 { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; line-height: 1.2; }
h1 { font-size: 1.7em; } h2 { font-size: 1.3em; margin-top: 1.6em; }
code, pre { font-family: "DejaVu Sans Mono", monospace; font-size: 0.85em; }
pre { white-space: pre-wrap; word-wrap: break-word; margin: 0; padding: 0.5em 0.7em; }
.cell-input { background: #f5f6f8; border-left: 3px solid #9ab; margin: 0.8em 0 0.3em; }
.cell-input .highlight, .cell-input .highlight pre { background: transparent !important; }
.cell-tag { font-family: sans-serif; font-size: 0.75em; color: #567; padding: 0.3em 0.7em 0; }
.output pre { border-left: 3px solid #ddd; }
.output .stderr { background: #fff5f0; } .output .error { background: #fdecea; }
.output img, figure img { max-width: 100%; height: auto; }
.output { margin: 0.2em 0 0.8em; }
figure { margin: 1.2em 0; text-align: center; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-size: 0.92em; text-align: left; margin-top: 0.4em; }
.figure-data { font-family: sans-serif; font-size: 0.85em; }
img.math { vertical-align: middle; }
div.math-block { text-align: center; margin: 0.8em 0; }
.admonition { border-left: 4px solid #4a7fb5; background: #f1f6fb; padding: 0.3em 0.9em; margin: 1em 0; }
.admonition.warning, .admonition.caution, .admonition.danger, .admonition.error, .admonition.attention {
  border-color: #c0392b; background: #fdf1ef; }
.admonition-title { font-weight: bold; font-family: sans-serif; margin: 0.3em 0; }
table { border-collapse: collapse; margin: 1em auto; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
footer { margin-top: 3em; border-top: 1px solid #ccc; font-size: 0.85em; color: #555; }
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
        ``ipynb``: the executed notebook with a provenance cell; ``html``: one file with every image and formula
        inlined; ``pdf``: that HTML printed by headless Chromium.
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
    from neurokit.book.chapters import find_root
    from neurokit.book.runner import Book

    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    book = Book(find_root(root), profile, build_dir=build_dir)
    book.chapter(chapter)  # unknown name → UnknownNameError listing the chapters
    nb_path = executed_notebook(book, chapter, execute=execute, progress=progress)
    out = Path(output) if output is not None else Path.cwd() / f"{chapter}.{fmt}"
    nb = export_notebook(book, chapter, nb_path)
    from neurokit._io import atomic_path, atomic_write_bytes

    if fmt == "ipynb":
        import nbformat

        atomic_write_bytes(out, nbformat.writes(nb).encode())
    elif fmt == "html":
        page = notebook_to_html(nb, root=book.root, figure_data=book.results / "figdata" / chapter)
        atomic_write_bytes(out, page.encode())
    else:  # a PDF cannot offer data: downloads, so the figures' CSV links are left out
        page = notebook_to_html(nb, root=book.root)
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

    from neurokit import __version__
    from neurokit.book._glue import data_label
    from neurokit.book.cite import DOI_PLACEHOLDER

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
        "doi": DOI_PLACEHOLDER,
    }
    params = ", ".join(f"`{k}={v!r}`" for k, v in sorted(info["parameters"].items())) or "none recorded"
    text = (
        f"*Exported from neurokit {__version__}.* Executed under the **{book.profile}** profile "
        f"({info['data']}) on {info['executed_at'] or 'an unrecorded date'}, commit "
        f"`{str(info['git_commit'] or 'unknown')[:12]}`, device {info['device'] or 'unrecorded'}, in "
        f"{info['wall_time_s'] if info['wall_time_s'] is not None else '?'} s. Parameters: {params}. "
        f"Reproduce with `neurokit run {chapter} --profile {book.profile}`; cite with `neurokit cite {chapter}` "
        f"(DOI {DOI_PLACEHOLDER} until the release is minted)."
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
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if chromium is None:
        raise NeurokitError("PDF export prints the HTML with headless Chromium, which is not installed; install "
                            "Debian's chromium (`bash scripts/install_browser.sh`) or export --format html")
    pdf = Path(pdf).resolve()
    with tempfile.TemporaryDirectory(prefix="nk-chromium-") as profile_dir:
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions", "--no-first-run",
               f"--user-data-dir={profile_dir}", "--host-resolver-rules=MAP * ~NOTFOUND",  # nothing from the net
               "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
               f"--print-to-pdf={pdf}", Path(html_file).resolve().as_uri()]
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


# ---------------------------------------------------------------------- notebook → one HTML file
def notebook_to_html(nb, root: str | Path | None = None, title: str | None = None,
                     figure_data: str | Path | None = None) -> str:
    """Render an executed chapter notebook to one self-contained HTML document.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook (glued values are read from its outputs).
    root : path, optional
        Book root, for ``book/references.bib`` (citations) and static images of ``{figure}`` directives.
    title : str, optional
        Document title (default: the notebook's first heading).
    figure_data : path, optional
        Folder of the CSV files the run wrote for its figures (``<name>.csv``, see
        :func:`neurokit.book._glue.save_figure_data`); each ``{glue:figure}`` then gets a download link that carries
        its CSV inline (up to ``MAX_EMBEDDED_CSV`` bytes).

    Returns
    -------
    str
        HTML with every image as a ``data:`` URI and math as inline SVG images; no scripts, no external files.
    """
    return _Renderer(nb, Path(root) if root else None, Path(figure_data) if figure_data else None).render(title)


class _Renderer:
    """One pass over the notebook: glue store and figure numbers first, then cells in order."""

    def __init__(self, nb, root: Path | None, figure_data: Path | None = None):
        from markdown_it import MarkdownIt
        from mdit_py_plugins.amsmath import amsmath_plugin
        from mdit_py_plugins.colon_fence import colon_fence_plugin
        from mdit_py_plugins.deflist import deflist_plugin
        from mdit_py_plugins.dollarmath import dollarmath_plugin
        from mdit_py_plugins.myst_role import myst_role_plugin

        self.nb = nb
        self.root = root
        self.figure_data = figure_data
        self.md = (MarkdownIt("commonmark", {"html": True}).enable("table").use(myst_role_plugin)
                   .use(dollarmath_plugin).use(amsmath_plugin).use(colon_fence_plugin).use(deflist_plugin))
        rules = self.md.add_render_rule
        rules("myst_role", lambda _r, tokens, i, *a: self._role(tokens[i].meta.get("name", ""), tokens[i].content))
        rules("math_inline", lambda _r, tokens, i, *a: self._math(tokens[i].content, display=False))
        for kind in ("math_inline_double", "math_block", "math_block_label", "amsmath"):
            rules(kind, lambda _r, tokens, i, *a: self._math(tokens[i].content, display=True))
        rules("fence", lambda _r, tokens, i, *a: self._fence(tokens[i].info, tokens[i].content))
        rules("colon_fence", lambda _r, tokens, i, *a: self._fence(tokens[i].info, tokens[i].content))
        self.glue = self._collect_glue(nb)
        self.figures: dict[str, int] = {}
        self.cited: list[str] = []
        self._bib: dict[str, dict] | None = None
        self._number_figures()

    # -- pre-passes
    @staticmethod
    def _collect_glue(nb) -> dict[str, dict]:
        store = {}
        for cell in nb.cells:
            for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
                scrap = out.get("metadata", {}).get("scrapbook")
                if scrap and out.get("output_type") in ("display_data", "execute_result"):
                    prefix = scrap.get("mime_prefix", "")
                    store[scrap["name"]] = {k.removeprefix(prefix): v for k, v in out.get("data", {}).items()}
        return store

    def _number_figures(self) -> None:
        n = 0
        for cell in self.nb.cells:
            if cell.cell_type != "markdown":
                continue
            for tok in self.md.parse(cell.source):
                if tok.type in ("fence", "colon_fence") and _directive_name(tok.info) in ("glue:figure", "figure"):
                    n += 1
                    label = _options(tok.content)[0].get("name")
                    if label:
                        self.figures[label] = n

    # -- document
    def render(self, title: str | None) -> str:
        from neurokit import __version__

        body = []
        for cell in self.nb.cells:
            tags = set(cell.get("metadata", {}).get("tags", []))
            if "remove-cell" in tags:
                continue
            if cell.cell_type == "markdown":
                body.append(self.md.render(cell.source))
                if title is None:
                    m = re.search(r"^#\s+(.+)$", cell.source, re.M)
                    title = m.group(1).strip() if m else None
            elif cell.cell_type == "code":
                body.append(self._code_cell(cell, tags))
            elif cell.cell_type == "raw" and cell.get("metadata", {}).get("format") == "text/html":
                body.append(cell.source)
        if self.cited:
            body.append(self._references())
        info = self.nb.metadata.get("neurokit", {}).get("export", {})
        footer = (f"neurokit {__version__}" + (f" · {info['profile']} profile" if info.get("profile") else "")
                  + (f" · exported {info['exported_at']}" if info.get("exported_at") else "")
                  + " · self-contained export of one chapter of the neurokit book")
        title = html.escape(title or "neurokit chapter")
        return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f'<meta name="generator" content="neurokit {__version__} export">\n<title>{title}</title>\n'
                f"<style>{_CSS}</style>\n</head>\n<body>\n<main>\n" + "\n".join(body)
                + f"\n</main>\n<footer><p>{html.escape(footer)}</p></footer>\n</body>\n</html>\n")

    # -- code cells and outputs
    def _code_cell(self, cell, tags: set) -> str:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer

        parts = []
        if "remove-input" not in tags and cell.source.strip():
            label = ""
            if "injected-parameters" in tags:
                label = '<div class="cell-tag">parameters of this run (injected by the runner)</div>'
            elif "parameters" in tags:
                label = '<div class="cell-tag">parameters (defaults)</div>'
            code = highlight(cell.source, PythonLexer(), HtmlFormatter(noclasses=True, nobackground=True))
            parts.append(f'<div class="cell-input">{label}{code}</div>')
        if "remove-output" not in tags:
            outs = [self._output(o) for o in cell.get("outputs", [])]
            outs = [o for o in outs if o]
            if outs:
                parts.append('<div class="output">' + "\n".join(outs) + "</div>")
        return "\n".join(parts)

    def _output(self, out) -> str:
        kind = out.get("output_type")
        if kind == "stream":
            text = html.escape(_ANSI.sub("", _text(out.get("text", ""))))
            return f'<pre class="{html.escape(out.get("name", "stdout"))}">{text}</pre>' if text.strip() else ""
        if kind == "error":
            tb = _ANSI.sub("", "\n".join(out.get("traceback", [])) or f"{out.get('ename')}: {out.get('evalue')}")
            return f'<pre class="error">{html.escape(tb)}</pre>'
        if out.get("metadata", {}).get("scrapbook"):  # a glued value: shown where the text refers to it
            return ""
        return self._mime_bundle(out.get("data", {}))

    def _mime_bundle(self, data: dict, alt: str = "output") -> str:
        for mime in _MIME_ORDER:
            if mime not in data:
                continue
            value = data[mime]
            if mime in ("image/png", "image/jpeg"):
                b64 = "".join(value) if isinstance(value, list) else value
                return f'<img src="data:{mime};base64,{b64.strip()}" alt="{html.escape(alt)}">'
            if mime == "image/svg+xml":
                b64 = base64.b64encode(_text(value).encode()).decode()
                return f'<img src="data:image/svg+xml;base64,{b64}" alt="{html.escape(alt)}">'
            if mime == "text/html":
                return _strip_external(_text(value))
            if mime == "text/markdown":
                return self.md.render(_text(value))
            if mime == "text/latex":
                return self._math(_text(value).strip().strip("$"), display=True)
            return f"<pre>{html.escape(_text(value))}</pre>"
        return ""

    # -- MyST roles and directives
    def _role(self, name: str, content: str) -> str:
        if name in ("glue", "glue:text", "glue:any"):
            key, _, spec = content.partition(":") if name == "glue:text" else (content, "", "")
            return html.escape(self._glue_text(key.strip(), spec.strip()))
        if name == "glue:md":
            key = content.partition(":")[0].strip()
            return self.md.renderInline(_text(self.glue.get(key, {}).get("text/markdown", "")))
        if name == "numref":
            text, label = _title_target(content)
            n = self.figures.get(label)
            if n is None:
                return html.escape(text or label)
            if text:
                return html.escape(text.replace("%s", str(n)).replace("{number}", str(n)))
            return f"Fig. {n}"
        if name in ("cite", "cite:t", "cite:p", "cite:ps", "cite:ts", "cite:author", "cite:year"):
            return html.escape(self._cite(name, content))
        if name == "math":
            return self._math(content, display=False)
        if name in ("sub", "sup", "kbd", "abbr"):
            tag = {"abbr": "abbr"}.get(name, name)
            text, target = _title_target(content)
            return f"<{tag}>{html.escape(text or target)}</{tag}>"
        if name in ("ref", "doc", "download", "term", "eq", "py:func", "func", "class", "mod"):
            text, target = _title_target(content)
            return html.escape(text or target)
        return f"<code>{html.escape(content)}</code>"

    def _glue_text(self, key: str, spec: str) -> str:
        bundle = self.glue.get(key)
        if bundle is None:
            return f"[{key}: not glued]"
        plain = _text(bundle.get("text/plain", ""))
        try:
            value = ast.literal_eval(plain)
        except (ValueError, SyntaxError):
            value = plain
        if spec:
            try:
                return format(value, spec)
            except (TypeError, ValueError):
                return str(value)
        return value if isinstance(value, str) else plain

    def _fence(self, info: str, content: str) -> str:
        name = _directive_name(info)
        if name is None:  # plain code block
            from pygments import highlight
            from pygments.formatters import HtmlFormatter
            from pygments.lexers import TextLexer, get_lexer_by_name
            from pygments.util import ClassNotFound

            try:
                lexer = get_lexer_by_name(info.strip().split()[0]) if info.strip() else TextLexer()
            except ClassNotFound:
                lexer = TextLexer()
            return f'<div class="cell-input">{highlight(content, lexer, HtmlFormatter(noclasses=True))}</div>'
        arg = info.strip()[len(name) + 2:].strip()
        opts, body = _options(content)
        if name in ("glue:figure", "figure"):
            if name == "glue:figure":
                bundle = self.glue.get(arg)
                image = self._mime_bundle(bundle, alt=arg) if bundle else html.escape(f"[figure {arg}: not glued]")
            else:
                image = self._static_image(arg)
            label = opts.get("name")
            number = self.figures.get(label) if label else None
            caption = self.md.render(body).strip() if body.strip() else ""
            if number is not None:
                caption = re.sub(r"^<p>", f"<p><strong>Fig. {number}.</strong> ", caption, count=1) \
                    if caption else f"<p><strong>Fig. {number}.</strong></p>"
            anchor = f' id="{html.escape(label)}"' if label else ""
            data = self._figure_data_link(arg) if name == "glue:figure" else ""
            return f"<figure{anchor}>{image}<figcaption>{caption}{data}</figcaption></figure>\n"
        if name in ("glue", "glue:any"):
            bundle = self.glue.get(arg)
            return self._mime_bundle(bundle, alt=arg) if bundle else html.escape(f"[{arg}: not glued]")
        if name in ("glue:math", "math"):
            tex = body if name == "math" else _text(self.glue.get(arg, {}).get("text/latex", "")).strip("$")
            return self._math(tex.strip(), display=True)
        if name in ("code-block", "code", "code-cell", "sourcecode"):
            return self._fence(arg or "python", body)
        if name in ("tableofcontents", "bibliography", "toctree"):
            return ""
        inner = self.md.render(body)
        if name in _ADMONITIONS:
            title = arg if name == "admonition" else (arg or name.capitalize())
            klass = " ".join([name] + opts.get("class", "").split())
            return (f'<div class="admonition {html.escape(klass)}"><p class="admonition-title">'
                    f"{self.md.renderInline(title)}</p>{inner}</div>\n")
        return f'<div class="directive {html.escape(name)}">{inner}</div>\n'

    def _figure_data_link(self, name: str) -> str:
        csv = self.figure_data / f"{name}.csv" if self.figure_data else None
        if csv is None or not csv.is_file():
            return ""
        size = csv.stat().st_size
        if size > MAX_EMBEDDED_CSV:
            return (f'<p class="figure-data">Data behind this figure: {name}.csv ({size / 1e6:.1f} MB, too large '
                    "to embed; see the chapter in the book).</p>")
        b64 = base64.b64encode(csv.read_bytes()).decode()
        return (f'<p class="figure-data"><a download="{html.escape(name)}.csv" href="data:text/csv;base64,{b64}">'
                f"Data behind this figure ({html.escape(name)}.csv)</a></p>")

    def _static_image(self, ref: str) -> str:
        import mimetypes

        for base in ([self.root / "book" / "chapters", self.root / "book", self.root] if self.root else []):
            path = (base / ref).resolve()
            if path.is_file():
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                b64 = base64.b64encode(path.read_bytes()).decode()
                return f'<img src="data:{mime};base64,{b64}" alt="{html.escape(ref)}">'
        return html.escape(f"[image {ref} not found]")

    # -- math and citations
    def _math(self, tex: str, display: bool) -> str:
        svg, depth = _mathtext_svg(tex, 13.0 if display else 11.0)
        if svg is None:
            code = f'<code class="tex">{html.escape(tex)}</code>'
            return f'<div class="math-block">{code}</div>' if display else code
        b64 = base64.b64encode(svg).decode()
        img = (f'<img class="math" src="data:image/svg+xml;base64,{b64}" alt="{html.escape(tex)}" '
               f'style="vertical-align: -{depth:.2f}pt">')
        return f'<div class="math-block">{img}</div>' if display else img

    def _bibliography(self) -> dict[str, dict]:
        if self._bib is None:
            self._bib = {}
            bib = self.root / "book" / "references.bib" if self.root else None
            if bib is not None and bib.is_file():
                import bibtexparser

                for entry in bibtexparser.parse_string(bib.read_text()).entries:
                    self._bib[entry.key] = {f.key.lower(): f.value for f in entry.fields}
        return self._bib

    def _cite(self, role: str, content: str) -> str:
        out = []
        for key in (k.strip() for k in content.split(",") if k.strip()):
            if key not in self.cited:
                self.cited.append(key)
            entry = self._bibliography().get(key)
            if entry is None:
                out.append((key, key))
                continue
            out.append((_short_author(entry.get("author", key)), _clean_bib(entry.get("year", "n.d."))))
        if role.startswith("cite:t"):
            return "; ".join(f"{a} ({y})" for a, y in out)
        if role == "cite:author":
            return "; ".join(a for a, _ in out)
        if role == "cite:year":
            return "; ".join(y for _, y in out)
        return "(" + "; ".join(f"{a}, {y}" for a, y in out) + ")"

    def _references(self) -> str:
        items = []
        for key in self.cited:
            e = self._bibliography().get(key)
            if e is None:
                items.append(f"<li>{html.escape(key)}</li>")
                continue
            venue = e.get("journal") or e.get("booktitle") or e.get("publisher") or ""
            doi = f" doi:{e['doi']}" if e.get("doi") else ""
            text = (f"{_clean_bib(e.get('author', ''))} ({_clean_bib(e.get('year', ''))}). "
                    f"{_clean_bib(e.get('title', ''))}. {_clean_bib(venue)}{doi}")
            items.append(f"<li>{html.escape(text)}</li>")
        return "<h2>References</h2>\n<ul>" + "".join(items) + "</ul>"


# ---------------------------------------------------------------------- helpers
def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _directive_name(info: str) -> str | None:
    m = re.match(r"^\s*\{([\w:.\-]+)\}", info or "")
    return m.group(1) if m else None


def _options(content: str) -> tuple[dict[str, str], str]:
    """Split a directive's ``:key: value`` option lines (or a ``---`` YAML block) from its body."""
    lines = content.splitlines()
    opts: dict[str, str] = {}
    if lines and lines[0].strip() == "---":
        import yaml

        end = next((i for i, ln in enumerate(lines[1:], 1) if ln.strip() == "---"), None)
        if end is not None:
            loaded = yaml.safe_load("\n".join(lines[1:end])) or {}
            opts = {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}
            return opts, "\n".join(lines[end + 1:]).lstrip("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^:([\w\-]+):\s*(.*)$", lines[i])
        if not m:
            break
        opts[m.group(1)] = m.group(2).strip()
        i += 1
    return opts, "\n".join(lines[i:]).lstrip("\n")


def _title_target(content: str) -> tuple[str, str]:
    """``"text <target>"`` → (text, target); ``"target"`` → ("", target)."""
    m = re.match(r"^(.*?)\s*<([^<>]+)>\s*$", content, re.S)
    return (m.group(1).strip(), m.group(2).strip()) if m else ("", content.strip())


def _clean_bib(value: str) -> str:
    return re.sub(r"\s+", " ", value.replace("{", "").replace("}", "")).strip()


def _short_author(authors: str) -> str:
    names = [a.strip() for a in _clean_bib(authors).split(" and ") if a.strip()]
    last = [(n.split(",")[0] if "," in n else n.split()[-1]).strip() for n in names] or ["?"]
    if len(last) == 1:
        return last[0]
    if len(last) == 2:
        return f"{last[0]} and {last[1]}"
    return f"{last[0]} et al."


_MATH_CACHE: dict[tuple[str, float], tuple[bytes | None, float]] = {}


def _mathtext_svg(tex: str, size: float) -> tuple[bytes | None, float]:
    """Draw ``tex`` with matplotlib's mathtext as SVG (glyphs as paths); (None, 0) if mathtext cannot parse it."""
    key = (tex, size)
    if key in _MATH_CACHE:
        return _MATH_CACHE[key]
    import matplotlib
    from matplotlib import mathtext
    from matplotlib.font_manager import FontProperties

    source = " ".join(tex.replace("\\\\", " ").split())
    result: tuple[bytes | None, float] = (None, 0.0)
    if source and "\\begin" not in source:
        buf = io.BytesIO()
        try:
            with matplotlib.rc_context({"mathtext.fontset": "cm", "svg.fonttype": "path", "svg.hashsalt": "nk"}):
                depth = mathtext.math_to_image(f"${source}$", buf, prop=FontProperties(size=size), dpi=72,
                                               format="svg")
            svg = re.sub(rb"<metadata>.*?</metadata>", b"", buf.getvalue(), flags=re.S)
            result = (svg, float(depth or 0.0))
        except (ValueError, RuntimeError) as exc:  # mathtext's ParseFatalException is a ValueError
            log.debug("mathtext could not draw %r (%s); shown as TeX", tex, exc)
    _MATH_CACHE[key] = result
    return result


_EXTERNAL = re.compile(r"<(script|link|iframe)\b[^>]*\b(src|href)\s*=\s*[\"']?https?://[^>]*>(\s*</\1>)?", re.I)


def _strip_external(fragment: str) -> str:
    """Drop scripts, stylesheets and frames loaded from the network (an export must not need it)."""
    return _EXTERNAL.sub("", fragment)


# ---------------------------------------------------------------------- CLI
def configure(parser) -> None:
    """Add the ``neurokit export`` arguments to ``parser`` (an argparse sub-parser)."""
    from neurokit.config import DEFAULT_PROFILE, PROFILES

    import argparse

    parser.description = __doc__.split("\n\n", 1)[0]
    parser.epilog = "examples:\n" + __doc__.split("--------\n", 1)[1].split("\n\n", 1)[0]
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("chapter", help="chapter name (see `neurokit list`)")
    parser.add_argument("--format", "-f", dest="format", choices=FORMATS, default="html",
                        help="ipynb: the executed notebook; html: one self-contained file; pdf: its print "
                             "(default html)")
    parser.add_argument("-o", "--output", default=None, help="output file (default ./<chapter>.<format>)")
    parser.add_argument("--profile", default=DEFAULT_PROFILE, choices=PROFILES,
                        help=f"parameter profile of the executed notebook (default {DEFAULT_PROFILE})")
    parser.add_argument("--root", default=None, help="book root (default: found from the current directory)")
    parser.add_argument("--no-execute", action="store_true",
                        help="export the last executed notebook as it is, even if stale; never execute")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    parser.set_defaults(func=_cmd_export)


def _cmd_export(args) -> int:
    out = export_chapter(args.chapter, args.format, output=args.output, profile=args.profile, root=args.root,
                         execute=not args.no_execute, progress=not args.quiet)
    print(f"exported {args.chapter} ({args.profile} profile, {args.format}): {out}")
    return 0


__all__ = ["FORMATS", "MAX_EMBEDDED_CSV", "export_chapter", "executed_notebook", "export_notebook", "notebook_to_html", "html_to_pdf"]
