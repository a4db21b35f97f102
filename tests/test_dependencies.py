"""The declared dependencies (pyproject.toml, ranges) and the lock (pins) agree."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parents[1]


def _lock() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements-lock.txt").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def test_every_declared_dependency_is_pinned_within_its_range():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = list(project["dependencies"]) + [d for ds in project["optional-dependencies"].values() for d in ds]
    pins = _lock()
    problems = []
    for spec in declared:
        req = Requirement(spec)
        name = req.name.lower().replace("_", "-")
        if name not in pins:
            problems.append(f"{name} is declared but not pinned in requirements-lock.txt")
        elif not req.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{name}=={pins[name]} is outside the declared range {req.specifier}")
    assert not problems, "\n".join(problems)
    assert len(project["dependencies"]) >= 30  # the package declares what it imports
