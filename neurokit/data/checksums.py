"""``checksums.json``: the sha256 of every file of a data set folder, written last and checked on demand.

A simulated data set carries one beside its files (its fingerprint for the book's staleness checks); a real one
is checked against its manifest instead (:mod:`neurokit.data.manifests`).
"""
from __future__ import annotations

import json
from pathlib import Path

from neurokit._io import atomic_write_json, sha256_file

__all__ = ["CHECKSUMS", "write_checksums", "check_checksums"]

CHECKSUMS = "checksums.json"


def write_checksums(root) -> dict[str, str]:
    """Hash every file under ``root`` (except ``checksums.json``) into ``root/checksums.json``.

    Returns
    -------
    dict
        ``{relative posix path: sha256 hex}``, sorted by path.
    """
    root = Path(root)
    sums = {
        p.relative_to(root).as_posix(): sha256_file(p)
        for p in sorted(root.rglob("*")) if p.is_file() and p.name != CHECKSUMS
    }
    atomic_write_json(root / CHECKSUMS, sums)
    return sums


def check_checksums(root, expected: dict[str, str] | None = None) -> list[str]:
    """Re-hash the files of ``root`` against ``expected`` (default: ``root/checksums.json``).

    Returns
    -------
    list of str
        One line per problem (mismatch, missing file, unexpected file); empty when all match.
    """
    root = Path(root)
    if expected is None:
        f = root / CHECKSUMS
        if not f.is_file():
            return [f"{f}: no checksums.json (the data set is incomplete; re-create it with "
                    "`neurokit data simulate --force`)"]
        try:
            expected = json.loads(f.read_text())
        except ValueError as exc:
            return [f"{f}: unreadable checksums.json ({exc})"]
    problems = []
    for rel, digest in sorted(expected.items()):
        p = root / rel
        if not p.is_file():
            problems.append(f"{p}: missing")
            continue
        got = sha256_file(p)
        if got != digest:
            problems.append(f"{p}: sha256 mismatch (expected {digest[:16]}…, got {got[:16]}…)")
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.name != CHECKSUMS and p.relative_to(root).as_posix() not in expected:
            problems.append(f"{p}: unexpected file (not in checksums.json)")
    return problems
