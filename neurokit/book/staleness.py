"""Content-addressed staleness: a chapter re-executes only when something it depends on changed.

The key of a chapter run hashes

- the notebook's text,
- its resolved parameters (profile included),
- the source of exactly the ``neurokit`` modules the notebook can import: the modules its code cells import
  (``import``/``from`` statements, and attribute chains such as ``nk.vist.metrics`` on an imported package),
  followed transitively through the package's own imports, at module level and inside functions (prose, comments
  and docstrings that merely *name* a module are not imports and do not count), plus the parent packages whose
  ``__init__`` runs on import and the data files (layer maps, example configs) in each module's folder;
- its input data: the data sets named in the notebook's ``neurokit: datasets:`` metadata. For the simulated
  profiles the data are a deterministic function of the package source (already hashed) and the manifest; for
  ``paper`` the data set's fingerprint (the hash of its verified checksums) is included;
- the extra input files it declares (``neurokit: inputs:``), keyed by their path relative to the book root or
  the build directory, so that two clones of one commit sharing a build agree.

The source hashed is the checkout's own ``<root>/neurokit`` (the package the chapter's kernel imports, since it
runs with the book root as its working directory), not whichever copy an editable install points to.
"""
from __future__ import annotations

import ast
import contextlib
import hashlib
import os
import threading
from functools import lru_cache
from pathlib import Path

from neurokit._io import sha256_json
from neurokit.config import REHEARSAL_ENV

#: ``ast.parse`` is not thread-safe on CPython 3.11 before 3.11.8 (its recursion-depth bookkeeping is shared:
#: "SystemError: AST constructor recursion depth mismatch", python/cpython#106905), and the runner keys chapters
#: from several threads at once.
_PARSE_LOCK = threading.Lock()
#: Package files every chapter loads (``import neurokit`` runs them).
_ALWAYS = ("__init__.py", "_lazy.py", "errors.py")
_DATA_SUFFIXES = {".json", ".yaml", ".yml", ".txt", ".csv"}


def parse_python(source: str) -> ast.Module:
    """``ast.parse`` serialised across threads (see :data:`_PARSE_LOCK`)."""
    with _PARSE_LOCK:
        return ast.parse(source)


def package_dir(root: Path | None = None) -> Path:
    """The ``neurokit`` package a book at ``root`` executes: ``<root>/neurokit`` when the checkout has one,
    else the imported package (a book outside the repository, such as the tests' small books)."""
    if root is not None and (Path(root) / "neurokit" / "__init__.py").is_file():
        return (Path(root) / "neurokit").resolve()
    return Path(__file__).resolve().parents[1]


class ModuleGraph:
    """The ``neurokit`` modules of one package folder and the imports between them (parsed once, cached)."""

    def __init__(self, pkg: Path):
        self.pkg = Path(pkg)

    def file(self, name: str) -> Path | None:
        """Path of module ``neurokit.<name>`` (``""`` is the package itself), or None."""
        base = self.pkg.joinpath(*name.split(".")) if name else self.pkg
        if (base / "__init__.py").is_file():
            return base / "__init__.py"
        if name and base.with_suffix(".py").is_file():
            return base.with_suffix(".py")
        return None

    def longest_module(self, dotted: str) -> str | None:
        """The longest prefix of ``dotted`` (relative to neurokit) that is a module."""
        parts = dotted.split(".") if dotted else []
        for i in range(len(parts), -1, -1):
            cand = ".".join(parts[:i])
            if self.file(cand):
                return cand
        return None

    def resolve(self, absolute: str) -> str | None:
        """``neurokit.a.b.c`` → the longest module prefix relative to neurokit (``a.b``), or None."""
        if absolute != "neurokit" and not absolute.startswith("neurokit."):
            return None
        return self.longest_module(absolute[len("neurokit."):] if absolute != "neurokit" else "")

    def imports_of(self, name: str) -> frozenset[str]:
        f = self.file(name)
        return frozenset() if f is None else _imports_cached(self.pkg, name, f, f.stat().st_mtime_ns)


def imported_names(tree: ast.AST, package: str) -> set[str]:
    """Absolute dotted names a parsed module imports, anywhere in it (module level and inside functions).

    ``from a.b import c`` gives ``a.b.c`` (a submodule, or a name defined in ``a.b``: resolve it with
    :meth:`ModuleGraph.resolve`, which keeps the longest prefix that is a module). Attribute chains on a name
    bound to an imported package (``import neurokit as nk`` then ``nk.vist.metrics.pearson_cc``;
    ``from neurokit import vist`` then ``vist.metrics``) give the chain (``neurokit.vist.metrics.pearson_cc``),
    which reaches submodules that a lazy package ``__getattr__`` imports on first access. ``package`` is the
    importing module's package, for relative imports.
    """
    found: set[str] = set()
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                found.add(a.name)
                if a.asname:
                    bound[a.asname] = a.name
                else:
                    bound[a.name.split(".")[0]] = a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            for a in node.names:  # ``a`` may be a submodule (then ``mod`` itself runs only as its parent)
                full = f"{mod}.{a.name}" if mod else a.name
                found.add(full if a.name != "*" else mod)
                bound[a.asname or a.name] = full
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            chain = []
            cur = node
            while isinstance(cur, ast.Attribute):
                chain.append(cur.attr)
                cur = cur.value
            if isinstance(cur, ast.Name) and cur.id in bound:
                found.add(".".join([bound[cur.id], *reversed(chain)]))
    return found


@lru_cache(maxsize=None)
def _imports_cached(pkg: Path, name: str, f: Path, mtime_ns: int) -> frozenset[str]:
    """Modules ``neurokit.<name>`` (file ``f`` as of ``mtime_ns``) imports; cached per file version."""
    graph = ModuleGraph(pkg)
    try:
        tree = parse_python(f.read_text())
    except SyntaxError:
        return frozenset()
    package = "neurokit" + (f".{name}" if name else "")
    if f.name != "__init__.py":
        package = package.rpartition(".")[0]
    out = set()
    for n in imported_names(tree, package):
        m = graph.resolve(n)
        if m is not None:
            out.add(m)
    return frozenset(out)


def closure(pkg: Path, roots) -> tuple[str, ...]:
    """Every module (relative to neurokit; ``""`` is the package) that importing ``roots`` can execute."""
    graph = ModuleGraph(pkg)
    seen: set[str] = set()
    stack = list(roots) + [""]
    while stack:
        m = stack.pop()
        if m in seen:
            continue
        seen.add(m)
        parts = m.split(".") if m else []
        stack.extend(".".join(parts[:i]) for i in range(len(parts)))  # parents' __init__ run on import
        stack.extend(graph.imports_of(m) - seen)
    return tuple(sorted(seen))


def notebook_code(text: str) -> str:
    """The Python source of a jupytext percent notebook's code cells (magics and shell lines blanked)."""
    import jupytext

    nb = jupytext.reads(text, fmt="py:percent")
    cells = []
    for c in nb.cells:
        if c.cell_type == "code":
            cells.append("\n".join("" if ln.lstrip().startswith(("%", "!")) else ln
                                   for ln in c.source.splitlines()))
    return "\n\n".join(cells)


def referenced_modules(text: str, root: Path | None = None) -> tuple[str, ...]:
    """neurokit modules a notebook's code can import, transitively (relative names; ``""`` is the package)."""
    pkg = package_dir(root)
    graph = ModuleGraph(pkg)
    try:
        tree = parse_python(notebook_code(text))
    except SyntaxError:
        tree = ast.Module(body=[], type_ignores=[])
    roots = {m for n in imported_names(tree, "") if (m := graph.resolve(n)) is not None}
    return closure(pkg, tuple(sorted(roots)))


def module_files(modules, root: Path | None = None) -> list[Path]:
    """The files behind ``modules``: their sources, the always-loaded core, and data files in their folders
    (and in folders below them that are not packages, such as ``features/layer_maps``)."""
    pkg = package_dir(root)
    graph = ModuleGraph(pkg)
    files = {pkg / f for f in _ALWAYS if (pkg / f).is_file()}
    for m in modules:
        f = graph.file(m)
        if f is None:
            continue
        files.add(f)
        files.update(_data_files(f.parent))
    return sorted(files)


def _data_files(folder: Path):
    """Data files in ``folder`` and in its subfolders that are not packages (recursively)."""
    for p in folder.iterdir():
        if p.is_file() and p.suffix in _DATA_SUFFIXES:
            yield p
        elif p.is_dir() and p.name != "__pycache__" and not (p / "__init__.py").is_file():
            yield from _data_files(p)


def file_hashes(modules, root: Path | None = None) -> dict[str, str]:
    """``{path relative to the package: sha256}`` of :func:`module_files`."""
    pkg = package_dir(root)
    return {p.relative_to(pkg).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in module_files(modules, root)}


def data_fingerprints(root: Path, datasets: tuple[str, ...], profile: str, rehearse: bool = False) -> dict[str, str]:
    """Per data set: the manifest's hash, plus the verified data fingerprint under ``paper``.

    A rehearsal (``rehearse``) keys its data like the simulated profiles, by the manifest alone: its data are
    simulated by the first chapter that needs them, from the simulator's source (already in the chapter's key), so
    their appearance must not make the chapters that ran before them stale."""
    out = {}
    for name in datasets:
        manifest = root / "data_manifests" / f"{name}.yaml"
        fp = hashlib.sha256(manifest.read_bytes()).hexdigest() if manifest.is_file() else "no-manifest"
        if profile == "paper" and not rehearse:
            from neurokit.catalog.registry import fingerprint  # imports every simulator (2 s): paper profile only

            try:
                with _rehearsal_env(rehearse):
                    fp += ":" + fingerprint(name, profile)
            except Exception as exc:  # noqa: BLE001 - data absent: the run will fail and say so; key stays distinct
                fp += f":unavailable({type(exc).__name__})"
        out[name] = fp
    return out


@contextlib.contextmanager
def _rehearsal_env(rehearse: bool):
    old = os.environ.get(REHEARSAL_ENV)
    os.environ[REHEARSAL_ENV] = "1" if rehearse else "0"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(REHEARSAL_ENV, None)
        else:
            os.environ[REHEARSAL_ENV] = old


def input_hashes(root: Path, patterns, profile: str, build: Path | None = None,
                 exclude: tuple[Path, ...] = ()) -> dict[str, str]:
    """Hashes of the extra input files a chapter declares (``neurokit: inputs:`` globs).

    ``{profile}`` in a pattern is the profile; ``{build}`` the build directory (for chapters that summarise
    other chapters' results). Files are keyed by their path relative to the book root (``{build}`` files: to
    the build directory, prefixed ``{build}/``), so the key does not depend on where the checkout lives.
    ``exclude`` lists files never counted (a summary chapter's own results).
    """
    root = Path(root).resolve()
    build = Path(build or root / "_build").resolve()
    excluded = {Path(p).resolve() for p in exclude}
    out = {}
    for pat in patterns or ():
        in_build = pat.startswith("{build}")
        pat = pat.format(profile=profile, build=str(build))
        base = Path(pat) if Path(pat).is_absolute() else root / pat
        anchor = Path(base.anchor)
        for f in sorted(anchor.glob(str(base.relative_to(anchor)))):
            if not f.is_file() or f.name.endswith(".provenance.json") or f.resolve() in excluded:
                continue
            rel = ("{build}/" + f.resolve().relative_to(build).as_posix()) if in_build \
                else f.resolve().relative_to(root).as_posix()
            out[rel] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def key_parts(root: Path, chapter, params: dict, profile: str, build: Path | None = None,
              rehearse: bool = False) -> dict:
    """Everything a chapter's content key hashes, in a form :func:`explain` can compare."""
    text = chapter.path.read_text()
    modules = referenced_modules(text, root)
    build = Path(build or Path(root) / "_build")
    own = build / "results" / profile / f"{chapter.name}.json"
    files = file_hashes(modules, root)
    return {
        "notebook": hashlib.sha256(text.encode()).hexdigest(),
        "parameters": sha256_json(params),
        "profile": profile,
        "modules": ["neurokit" + (f".{m}" if m else "") for m in modules],
        "source": sha256_json(files),
        "files": files,
        "rehearsal": bool(rehearse),
        "data": data_fingerprints(root, chapter.datasets, profile, rehearse),
        "inputs": input_hashes(root, chapter.meta.get("inputs", ()), profile, build, exclude=(own,)),
    }


def key_of(parts: dict) -> str:
    """The content key: the hash of the parts (the per-file list is summarised by ``source``)."""
    return sha256_json({k: v for k, v in parts.items() if k != "files"})


def chapter_key(root: Path, chapter, params: dict, profile: str, build: Path | None = None,
                rehearse: bool = False) -> tuple[str, dict]:
    """Return ``(key, parts)``: the content hash deciding whether ``chapter`` must re-execute."""
    parts = key_parts(root, chapter, params, profile, build, rehearse)
    return key_of(parts), parts


def explain(old: dict | None, new: dict) -> str:
    """Why a chapter with stored key parts ``old`` is stale under ``new`` (one line)."""
    if not old:
        return "never executed under this profile"
    reasons = []
    if old.get("notebook") != new["notebook"]:
        reasons.append("notebook changed")
    if old.get("parameters") != new["parameters"]:
        reasons.append("parameters changed")
    if old.get("source") != new["source"]:
        of, nf = old.get("files") or {}, new["files"]
        changed = sorted(f for f in set(of) | set(nf) if of.get(f) != nf.get(f))
        shown = ", ".join(f"neurokit/{f}" for f in changed[:4]) + (f" and {len(changed) - 4} more"
                                                                    if len(changed) > 4 else "")
        reasons.append(f"source changed: {shown}" if changed else "source changed")
    if old.get("data") != new["data"]:
        reasons.append("data changed: " + ", ".join(sorted(k for k in set(old.get("data") or {}) | set(new["data"])
                                                           if (old.get("data") or {}).get(k) != new["data"].get(k))))
    if old.get("inputs") != new["inputs"]:
        oi, ni = old.get("inputs") or {}, new["inputs"]
        changed = sorted(f for f in set(oi) | set(ni) if oi.get(f) != ni.get(f))
        reasons.append("inputs changed: " + ", ".join(changed[:4]) + (" …" if len(changed) > 4 else ""))
    if old.get("profile") != new["profile"]:
        reasons.append("profile changed")
    return "; ".join(reasons) or "key changed"
