"""What every benchmark record carries about where it was measured: the commit and the CPU.

The benchmark scripts run as ``python benchmarks/<name>.py``, so this module is imported by its plain name
(``from _common import git_commit, cpu_model``).
"""
from __future__ import annotations

import platform
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def git_commit(out: str | Path | None = None) -> dict:
    """``{"commit": HEAD, "dirty": bool}``: whether tracked files differ from HEAD, not counting the results file
    ``out`` the benchmark is about to rewrite. Both are None where git cannot say (no git, not a checkout)."""
    def run(*a):
        return subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()

    try:
        commit = run("rev-parse", "HEAD")
        changed = [line[3:] for line in run("status", "--porcelain", "--untracked-files=no").splitlines()]
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}
    skip = Path(out).resolve() if out is not None else None
    return {"commit": commit, "dirty": any((REPO / p).resolve() != skip for p in changed)}


def commit_label() -> str:
    """HEAD, with ``-dirty`` when tracked files differ from it; ``unknown`` where git cannot say."""
    g = git_commit()
    if g["commit"] is None:
        return "unknown"
    return g["commit"] + ("-dirty" if g["dirty"] else "")


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo``), else what :func:`platform.processor` says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()
