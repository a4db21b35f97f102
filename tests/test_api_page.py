"""The API page documents every public module of the package (a module whose dotted name has no ``_`` part)."""
from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import neurokit

REPO = Path(__file__).resolve().parents[1]


def test_every_public_module_is_on_the_api_page():
    documented = set(re.findall(r"^\.\. automodule:: ([\w.]+)", (REPO / "book" / "api.md").read_text(), re.M))
    public = {m.name for m in pkgutil.walk_packages(neurokit.__path__, "neurokit.")
              if not any(p.startswith("_") for p in m.name.split(".")[1:])}
    missing = sorted(public - documented)
    assert not missing, f"public modules missing from book/api.md: {missing}"
    assert not sorted(documented - public - {"neurokit"}), "book/api.md names modules that do not exist"
