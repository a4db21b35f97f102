"""Content-addressed staleness: a chapter re-executes only when something it depends on changed.

The key of a chapter run hashes

- the notebook's text,
- its resolved parameters (profile included),
- the source of every ``neurokit`` module the notebook imports, followed transitively through the package's own
  imports (plus the data files that live beside those modules, e.g. layer maps),
- its input data: the data sets named in the notebook's ``neurokit: datasets:`` metadata. For the simulated
  profiles the data are a deterministic function of the package source (already hashed) and the manifest; for
  ``paper`` the data set's fingerprint (the hash of its verified checksums) is included.
"""
from __future__ import annotations

import ast
import hashlib
import re
import threading
from functools import lru_cache
from pathlib import Path

from neurokit._io import sha256_json

PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: ``ast.parse`` is not thread-safe on CPython 3.11 before 3.11.8 (its recursion-depth bookkeeping is shared:
#: "SystemError: AST constructor recursion depth mismatch", python/cpython#106905), and the runner keys chapters
#: from several threads at once.
_PARSE_LOCK = threading.Lock()
_REF = re.compile(r"\b(?:neurokit|nk)\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)")


def parse_python(source: str) -> ast.Module:
    """``ast.parse`` serialised across threads (see :data:`_PARSE_LOCK`)."""
    with _PARSE_LOCK:
        return ast.parse(source)


def _module_file(name: str) -> Path | None:
    """Path of module ``neurokit.<name>`` (package ``__init__`` or module file), or None."""
    parts = name.split(".")
    base = PACKAGE_DIR.joinpath(*parts)
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    return None


def _longest_module(dotted: str) -> str | None:
    """The longest prefix of ``dotted`` (relative to neurokit) that is a module."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        cand = ".".join(parts[:i])
        if _module_file(cand):
            return cand
    return None


def _imports_of(path: Path, modname: str) -> set[str]:
    """neurokit modules (relative names) imported by the file ``path`` of module ``modname``."""
    try:
        tree = parse_python(path.read_text())
    except SyntaxError:
        return set()
    pkg = modname if path.name == "__init__.py" else modname.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".") if pkg else []
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                mod = ".".join(base + ([node.module] if node.module else []))
                names = [mod] + [f"{mod}.{a.name}" if mod else a.name for a in node.names]
                names = ["neurokit." + n if n else "neurokit" for n in names]
            elif node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for n in names:
            if n == "neurokit" or n.startswith("neurokit."):
                rel = n[len("neurokit."):] if n != "neurokit" else ""
                if rel:
                    m = _longest_module(rel)
                    if m:
                        found.add(m)
    # string references such as registry entries "neurokit.sim.brain:simulate"
    for m in _REF.findall(path.read_text()):
        mod = _longest_module(m)
        if mod:
            found.add(mod)
    return found


@lru_cache(maxsize=None)
def _closure(roots: tuple[str, ...]) -> tuple[str, ...]:
    seen: set[str] = set()
    stack = list(roots) + ["book"]  # the book helpers are always used
    while stack:
        m = stack.pop()
        if m in seen:
            continue
        seen.add(m)
        # parents' __init__ run on import
        parts = m.split(".")
        for i in range(1, len(parts)):
            stack.append(".".join(parts[:i]))
        f = _module_file(m)
        if f is not None:
            stack.extend(_imports_of(f, m) - seen)
    return tuple(sorted(seen))


def referenced_modules(source: str) -> tuple[str, ...]:
    """neurokit modules a notebook refers to (imports and ``nk.x`` / ``neurokit.x`` attribute use)."""
    found = set()
    for m in _REF.findall(source):
        mod = _longest_module(m)
        if mod:
            found.add(mod)
    return _closure(tuple(sorted(found)))


def source_hash(modules: tuple[str, ...]) -> str:
    """Hash of the files of ``modules`` plus ``neurokit/__init__.py`` and non-Python files beside them."""
    h = hashlib.sha256()
    files: set[Path] = {PACKAGE_DIR / "__init__.py", PACKAGE_DIR / "errors.py", PACKAGE_DIR / "_io.py",
                        PACKAGE_DIR / "config.py"}
    for m in modules:
        f = _module_file(m)
        if f is None:
            continue
        files.add(f)
        for extra in f.parent.rglob("*"):
            if extra.is_file() and extra.suffix in {".json", ".yaml", ".yml", ".txt", ".csv"}:
                files.add(extra)
    for f in sorted(files):
        if f.is_file():
            h.update(str(f.relative_to(PACKAGE_DIR)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def data_fingerprints(root: Path, datasets: tuple[str, ...], profile: str) -> dict[str, str]:
    """Per data set: the manifest's hash, plus the verified data fingerprint under ``paper``."""
    out = {}
    for name in datasets:
        manifest = root / "data_manifests" / f"{name}.yaml"
        fp = hashlib.sha256(manifest.read_bytes()).hexdigest() if manifest.is_file() else "no-manifest"
        if profile == "paper":
            try:
                from neurokit.data import fingerprint

                fp += ":" + fingerprint(name, profile)
            except Exception as exc:  # data absent: the run will fail and say so; key stays distinct
                fp += f":unavailable({type(exc).__name__})"
        out[name] = fp
    return out


def input_hashes(root: Path, patterns, profile: str, build: Path | None = None) -> dict[str, str]:
    """Hashes of the extra input files a chapter declares (``neurokit: inputs:`` globs).

    ``{profile}`` in a pattern is the profile; ``{build}`` the build directory (for chapters that summarise
    other chapters' results).
    """
    out = {}
    for pat in patterns or ():
        pat = pat.format(profile=profile, build=str(build or root / "_build"))
        base = Path(pat) if Path(pat).is_absolute() else root / pat
        anchor = Path(base.anchor)
        for f in sorted(anchor.glob(str(base.relative_to(anchor)))):
            if f.is_file() and not f.name.endswith(".provenance.json"):
                out[str(f)] = hashlib.sha256(f.read_bytes()).hexdigest()
    return out


def chapter_key(root: Path, chapter, params: dict, profile: str, build: Path | None = None) -> tuple[str, dict]:
    """Return ``(key, parts)``: the content hash deciding whether ``chapter`` must re-execute."""
    text = chapter.path.read_text()
    modules = referenced_modules(text)
    parts = {
        "notebook": hashlib.sha256(text.encode()).hexdigest(),
        "parameters": sha256_json(params),
        "profile": profile,
        "modules": list(modules),
        "source": source_hash(modules),
        "data": data_fingerprints(root, chapter.datasets, profile),
        "inputs": input_hashes(root, chapter.meta.get("inputs", ()), profile, build),
    }
    return sha256_json(parts), parts
