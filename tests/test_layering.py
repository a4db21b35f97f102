"""The package's layers (DESIGN §4): imports only go down, no cycles, notebooks use public names only.

Every module is parsed; an *arrow* is an import (at module level or inside a function) or a string constant
(docstrings included) naming a ``neurokit.<module>``. Layers, lowest first::

    0 core        neurokit, _io, _lazy, _progress, config, errors
    1 methods     stats, regression, plotting, claims (the data structure of a paper claim and its verdict)
    2 building    features, data; models: connectivity, vist, neurons
    3 worlds      sim
    4 catalog     catalog
    5 studies     studies.encoding, studies.vist, studies.neurons
    6 book        book, cli, testing (the fault-injection harness that drives the CLI), __main__

An arrow may point to its own unit or to a lower layer, except the forbidden ones below; within layer 2 only
features → data and a model → features are allowed. A module's arrows to its own ancestor packages (``from
neurokit.data import _checks`` in ``neurokit.data.algonauts``) are what Python's import system does anyway and
are not counted as edges of the cycle check.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from neurokit.book.staleness import ModuleGraph, imported_names, notebook_code, parse_python

REPO = Path(__file__).resolve().parents[1]
PKG = REPO / "neurokit"
GRAPH = ModuleGraph(PKG)
STRING_REF = re.compile(r"\bneurokit\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)")

LAYERS = {
    "": 0, "_io": 0, "_lazy": 0, "_progress": 0, "config": 0, "errors": 0,
    "stats": 1, "regression": 1, "plotting": 1,
    "features": 2, "data": 2, "connectivity": 2, "vist": 2, "neurons": 2,
    "claims": 1, "sim": 3, "catalog": 4, "studies": 5,
    "book": 6, "cli": 6, "testing": 6, "__main__": 6,
}
MODELS = {"connectivity", "vist", "neurons"}
SAME_LAYER_ALLOWED = {("features", "data"), ("regression", "stats"), ("plotting", "stats")} | {
    (m, "features") for m in MODELS}


def unit(module: str) -> str:
    """The unit a module belongs to: its top-level subpackage, or ``studies.<paper>``."""
    parts = module.split(".") if module else [""]
    if parts[0] == "studies" and len(parts) > 1:
        return f"studies.{parts[1]}"
    return parts[0]


def layer(module: str) -> int:
    return LAYERS[module.split(".")[0] if module else ""]


def all_modules() -> list[str]:
    out = []
    for f in sorted(PKG.rglob("*.py")):
        rel = f.relative_to(PKG).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out.append(".".join(parts))
    return out


def arrows(module: str) -> dict[str, set[str]]:
    """``{target module: {"import", "string"}}`` of one module."""
    f = GRAPH.file(module)
    tree = parse_python(f.read_text())
    package = "neurokit" + (f".{module}" if module else "")
    if f.name != "__init__.py":
        package = package.rpartition(".")[0]
    out: dict[str, set[str]] = {}
    for name in imported_names(tree, package):
        target = GRAPH.resolve(name)
        if target is not None:
            out.setdefault(target, set()).add("import")
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for ref in STRING_REF.findall(node.value):
                target = GRAPH.longest_module(ref)
                if target is not None:
                    out.setdefault(target, set()).add("string")
    return out


def is_ancestor(pkg: str, module: str) -> bool:
    return pkg == "" or module.startswith(pkg + ".")


def forbidden(src: str, dst: str) -> str | None:
    """Why the arrow ``src → dst`` must not exist (None when it may)."""
    us, ud = unit(src), unit(dst)
    if us == ud or is_ancestor(dst, src) or src == "":  # the package's face names its subpackages (lazily)
        return None
    ls, ld = layer(src), layer(dst)
    if ud in ("book",) and us not in ("book", "cli", "__main__", "testing"):
        return "only the book and the CLI import the book"
    if ld > ls:
        return f"an upward arrow (layer {ls} → {ld})"
    if us == "sim" and ud in MODELS:
        return "simulators know no model"
    if ls == ld:
        if us.startswith("studies.") and ud.startswith("studies."):
            return "one study never imports another"
        if us in MODELS and ud in MODELS:
            return "one paper's model never imports another's"
        if us == "data":
            return "data formats know no model, simulator, study or book"
        if ls in (1, 2) and (us, ud) not in SAME_LAYER_ALLOWED:
            return f"{us} → {ud} is not an allowed arrow within layer {ls}"
    return None


def test_every_module_has_a_layer():
    missing = sorted({m.split(".")[0] for m in all_modules()} - set(LAYERS))
    assert not missing, f"modules outside the layer table: {missing}; add them to LAYERS (and to DESIGN §4)"


def test_no_forbidden_arrow():
    problems = []
    for src in all_modules():
        for dst, kinds in arrows(src).items():
            why = forbidden(src, dst)
            if why:
                problems.append(f"neurokit.{src} → neurokit.{dst} ({'/'.join(sorted(kinds))}): {why}")
    assert not problems, "forbidden arrows:\n" + "\n".join(problems)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in list(edges):
        if v not in index:
            visit(v)
    return out


def module_edges() -> dict[str, set[str]]:
    return {src: {dst for dst in arrows(src) if dst != src and not is_ancestor(dst, src)}
            for src in all_modules()}


def test_no_cycles_including_string_references():
    cycles = _cycles(module_edges())
    assert not cycles, "import cycles (imports and strings naming modules):\n" + "\n".join(
        " ↔ ".join(f"neurokit.{m}" for m in c) for c in cycles)


def test_the_checker_catches_what_it_must():
    """The rules themselves: a planted upward arrow, a cross-paper arrow and a cycle are caught."""
    assert forbidden("data.retina", "vist.metrics")
    assert forbidden("sim.retina", "vist.model")
    assert forbidden("vist.model", "neurons.model")
    assert forbidden("vist.train", "data.retina")
    assert forbidden("studies.neurons.experiment", "book.chapters")
    assert forbidden("studies.vist.experiment", "studies.encoding")
    assert forbidden("stats._tests", "regression")
    assert forbidden("data.registry", "sim.brain")
    assert not forbidden("sim.brain", "data.safe_pickle")
    assert not forbidden("studies.vist.experiment", "vist.zoo")
    assert not forbidden("book.runner", "catalog.registry")
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


NOTEBOOKS = sorted((REPO / "notebooks").glob("*.py"))


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_use_public_names_only(nb):
    tree = parse_python(notebook_code(nb.read_text()))
    private = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("neurokit"):
            mods = node.module.split(".")
            names = [a.name for a in node.names]
            private += [f"{node.module}.{n}" for n in names if n.startswith("_")]
            private += [node.module] * any(p.startswith("_") for p in mods)
        elif isinstance(node, ast.Import):
            private += [a.name for a in node.names if a.name.startswith("neurokit")
                        and any(p.startswith("_") for p in a.name.split("."))]
    assert not private, f"{nb.name} imports private names: {sorted(set(private))}"
