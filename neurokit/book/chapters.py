"""Chapters: discovery from ``_toc.yml``, the ``parameters`` cell, profiles and parameter validation.

A chapter is a jupytext notebook ``notebooks/<name>.py`` listed in ``_toc.yml`` as ``book/chapters/<name>``.
Its parameters are the assignments of its one cell tagged ``parameters``; their default values fix the types
that ``-p key=value`` overrides must have. A comment after an assignment may declare the values allowed, before
an optional ``;`` and a description::

    n_train = 600  # at least 10; training stimuli
    noise = 1.0  # in [0, 100]
    weights = "embedded"  # one of embedded, paper

(forms: ``at least x``, ``more than x``, ``at most x``, ``less than x``, ``in [a, b]`` with ``[``/``(`` and
``]``/``)`` for closed/open ends, ``one of a, b, c``; words, not ``>=``, which papermill's parameter parser
cannot read). Every override is checked against it before anything executes. A profile (``smoke``,
``embedded``, ``paper``) overrides defaults from ``notebooks/params/<profile>/<chapter>.yaml``.
"""
from __future__ import annotations

import ast
import io
import os
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from neurokit.book.staleness import parse_python
from neurokit.config import PROFILES, check_profile
from neurokit.errors import InputError, UnknownNameError

CHAPTER_PREFIX = "book/chapters/"


def find_root(start: str | os.PathLike | None = None) -> Path:
    """The book root: ``$NEUROKIT_BOOK_ROOT``, else the nearest folder above ``start`` (default: the current
    directory, then the package's checkout) holding ``_config.yml``, ``_toc.yml`` and ``notebooks/``."""
    env = os.environ.get("NEUROKIT_BOOK_ROOT")
    if env:
        return Path(env).resolve()
    candidates = [Path(start or os.getcwd()).resolve(), Path(__file__).resolve().parents[2]]
    for base in candidates:
        for p in (base, *base.parents):
            if (p / "_config.yml").is_file() and (p / "_toc.yml").is_file() and (p / "notebooks").is_dir():
                return p
    raise InputError(
        "could not find the book root (a folder with _config.yml, _toc.yml and notebooks/). "
        "Run neurokit from inside the repository, or set NEUROKIT_BOOK_ROOT."
    )


@dataclass(frozen=True)
class Chapter:
    """One chapter of the book."""

    name: str
    path: Path
    title: str
    defaults: dict[str, Any]
    datasets: tuple[str, ...] = ()
    part: str = ""
    timeout: int = 1800
    meta: dict = field(default_factory=dict, compare=False, hash=False)
    constraints: dict = field(default_factory=dict, compare=False, hash=False)


_BOUND = re.compile(r"^(at least|more than|at most|less than)\s+(-?[\d.eE+\-]+)$")
_INTERVAL = re.compile(r"^in\s*([\[(])\s*(-?[\d.eE+\-]+)\s*,\s*(-?[\d.eE+\-]+)\s*([\])])$")
_CHOICES = re.compile(r"^one of\s+(.+)$")


@dataclass(frozen=True)
class Constraint:
    """The values a parameter may take, as declared in the comment after its default (see the module notes)."""

    text: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple | None = None

    @classmethod
    def parse(cls, comment: str) -> "Constraint | None":
        """The constraint at the start of ``comment`` (before an optional ``;``), or None."""
        text = comment.lstrip("#").strip().split(";", 1)[0].strip()
        if m := _BOUND.match(text):
            op, x = m.group(1), float(m.group(2))
            if op in ("at least", "more than"):
                return cls(text, low=x, low_open=op == "more than")
            return cls(text, high=x, high_open=op == "less than")
        if m := _INTERVAL.match(text):
            return cls(text, low=float(m.group(2)), high=float(m.group(3)), low_open=m.group(1) == "(",
                       high_open=m.group(4) == ")")
        if m := _CHOICES.match(text):
            items = []
            for item in m.group(1).split(","):
                item = item.strip().strip("'\"")
                try:
                    items.append(ast.literal_eval(item) if re.fullmatch(r"-?[\d.]+", item) else item)
                except (ValueError, SyntaxError):
                    items.append(item)
            return cls(text, choices=tuple(items))
        return None

    def allows(self, value) -> bool:
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            if self.choices is not None:
                if v not in self.choices:
                    return False
                continue
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                return False
            if self.low is not None and (v < self.low or (self.low_open and v == self.low)):
                return False
            if self.high is not None and (v > self.high or (self.high_open and v == self.high)):
                return False
        return True


def _toc_files(toc: Any) -> list[str]:
    """Every ``file:`` entry of a jupyter-book ``_toc.yml`` in order (root first)."""
    out: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key in ("root", "file"):
                if key in node:
                    out.append(str(node[key]))
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(toc)
    return out


def _toc_parts(toc: Any) -> dict[str, str]:
    """Map each chapter file to the caption of its part."""
    parts: dict[str, str] = {}
    for part in toc.get("parts", []) or []:
        caption = part.get("caption", "")
        for f in _toc_files({"chapters": part.get("chapters", [])}):
            parts[f] = caption
    return parts


def _parameters_cell(source_cells: list) -> str:
    cells = [c for c in source_cells if "parameters" in (c.get("metadata", {}).get("tags") or [])]
    if len(cells) != 1:
        raise InputError(f"a chapter needs exactly one cell tagged 'parameters', found {len(cells)}")
    return cells[0]["source"]


def parse_constraints(source_cells: list) -> dict[str, Constraint]:
    """``{name: Constraint}`` declared in comments of the ``parameters`` cell (see the module notes)."""
    src = _parameters_cell(source_cells)
    comments = {tok.start[0]: tok.string for tok in tokenize.generate_tokens(io.StringIO(src).readline)
                if tok.type == tokenize.COMMENT}
    out = {}
    for node in parse_python(src).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.end_lineno in comments:
            c = Constraint.parse(comments[node.end_lineno])
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if c is not None and isinstance(t, ast.Name):
                    out[t.id] = c
    return out


def parse_parameters(source_cells: list) -> dict[str, Any]:
    """Return ``{name: default}`` from the notebook cell tagged ``parameters``.

    Raises
    ------
    InputError
        If there is not exactly one such cell, or a default is not a Python literal.
    """
    tree = parse_python(_parameters_cell(source_cells))
    params: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if isinstance(t, ast.Name):
                    try:
                        params[t.id] = ast.literal_eval(node.value)
                    except ValueError as exc:
                        raise InputError(
                            f"parameter {t.id!r} must have a literal default (number, string, list, …)"
                        ) from exc
    return params


def _title(cells: list, fallback: str) -> str:
    for c in cells:
        if c.get("cell_type") == "markdown":
            for line in c["source"].splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def load_chapter(path: Path, part: str = "") -> Chapter:
    import jupytext

    if not path.is_file():
        raise InputError(f"chapter notebook {path} is missing")
    nb = jupytext.read(path)
    meta = dict(nb.metadata.get("neurokit", {}) or {})
    return Chapter(
        name=path.stem,
        path=path,
        title=_title(nb.cells, path.stem),
        defaults=parse_parameters(nb.cells),
        datasets=tuple(meta.get("datasets", ()) or ()),
        part=part,
        timeout=int(meta.get("timeout", 1800)),
        meta=meta,
        constraints=parse_constraints(nb.cells),
    )


def discover(root: Path) -> dict[str, Chapter]:
    """All chapters listed in ``root/_toc.yml``, in book order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    parts = _toc_parts(toc)
    chapters: dict[str, Chapter] = {}
    for f in _toc_files(toc):
        f = f.removesuffix(".ipynb").removesuffix(".md")
        if not f.startswith(CHAPTER_PREFIX):
            continue
        name = f[len(CHAPTER_PREFIX):]
        chapters[name] = load_chapter(root / "notebooks" / f"{name}.py", parts.get(f, parts.get(f + ".ipynb", "")))
    return chapters


def get_chapter(chapters: dict[str, Chapter], name: str) -> Chapter:
    if name not in chapters:
        raise UnknownNameError("chapter", name, chapters)
    return chapters[name]


def _read_params(f: Path) -> dict[str, Any]:
    """A parameter file (a YAML mapping of parameter names to values); ``{}`` when it does not exist."""
    if not f.is_file():
        return {}
    data = yaml.safe_load(f.read_text()) or {}
    if not isinstance(data, dict):
        raise InputError(f"{f} must be a mapping of parameter names to values")
    return data


def profile_overrides(root: Path, profile: str, chapter: str) -> dict[str, Any]:
    check_profile(profile)
    return _read_params(root / "notebooks" / "params" / profile / f"{chapter}.yaml")


def parse_overrides(pairs: list[str] | None) -> dict[str, Any]:
    """Parse CLI ``key=value`` pairs; values are read as YAML scalars/lists (``3``, ``0.5``, ``true``, ``[1,2]``)."""
    out: dict[str, Any] = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise InputError(f"parameter {pair!r} is not of the form key=value (e.g. -p n_voxels=200)")
        key, value = pair.split("=", 1)
        try:
            out[key.strip()] = yaml.safe_load(value)
        except yaml.YAMLError as exc:
            raise InputError(f"cannot read the value of {key!r}: {value!r} ({exc})") from exc
    return out


def _coerce(chapter: str, name: str, value: Any, default: Any, source: str) -> Any:
    def bad(expected: str):
        return InputError(
            f"parameter {name!r} of chapter {chapter!r} ({source}) must be {expected}, "
            f"got {value!r} ({type(value).__name__}); default is {default!r}"
        )

    if default is None or value is None:
        return value
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad("an integer")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise bad("a number")
        return float(value)
    if isinstance(default, str):
        if not isinstance(value, str):
            raise bad("a string")
        return value
    if isinstance(default, (list, tuple)):
        if not isinstance(value, (list, tuple)):
            raise bad("a list")
        return list(value)
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise bad("a mapping")
        return value
    return value


def rehearsal_overrides(root: Path, chapter: str) -> dict[str, Any]:
    """``notebooks/params/rehearsal/<chapter>.yaml``: what a rehearsal of the paper profile changes in the chapter's
    paper parameters (repetition counts only, e.g. clips per model for block statistics)."""
    return _read_params(root / "notebooks" / "params" / "rehearsal" / f"{chapter}.yaml")


def resolve_parameters(root: Path, chapter: Chapter, profile: str, overrides: dict[str, Any] | None = None,
                       rehearse: bool = False) -> dict[str, Any]:
    """Defaults ← ``notebooks/params/<profile>/<chapter>.yaml`` (← ``notebooks/params/rehearsal/<chapter>.yaml``
    in a rehearsal of the paper profile) ← ``overrides``, validated and typed.

    Unknown names and values of the wrong type are refused before anything executes.
    """
    check_profile(profile)
    params = dict(chapter.defaults)
    layers = [(f"notebooks/params/{profile}/{chapter.name}.yaml", profile_overrides(root, profile, chapter.name))]
    if rehearse:
        layers.append((f"notebooks/params/rehearsal/{chapter.name}.yaml", rehearsal_overrides(root, chapter.name)))
    for source, layer in (*layers, ("command line", overrides or {})):
        for key, value in layer.items():
            if key not in chapter.defaults:
                raise UnknownNameError(f"parameter of chapter {chapter.name!r} ({source})", key, chapter.defaults)
            params[key] = _coerce(chapter.name, key, value, chapter.defaults[key], source)
            c = chapter.constraints.get(key)
            if c is not None and params[key] is not None and not c.allows(params[key]):
                raise InputError(
                    f"parameter {key!r} of chapter {chapter.name!r} ({source}) must be {c.text}; got "
                    f"{params[key]!r}. The default is {chapter.defaults[key]!r}; see `neurokit list`.")
    if "profile" in chapter.defaults:
        params["profile"] = profile
    return params


__all__ = [
    "Chapter", "Constraint", "PROFILES", "parse_constraints", "discover", "find_root", "get_chapter", "load_chapter", "parse_overrides",
    "parse_parameters", "profile_overrides", "rehearsal_overrides", "resolve_parameters",
]
