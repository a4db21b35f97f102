"""Data manifests (``data_manifests/<name>.yaml``): loading, validation, presence and hash checks, pooch.

A manifest says what a real data set is and how to get it: title, DOI/URL, licence, citation, access
notes, the chapters that use it, what the simulation keeps and leaves out, and its files. A file entry
is either one ``path`` (with ``size`` and ``sha256`` when known) or a ``pattern`` with the expected
``count`` of matching files. ``sha256_source`` says where a hash came from: ``published`` (by the data
owners), ``recorded-at-first-verified-fetch`` (by us, from a fetch whose content was checked), or
``unknown`` (no hash yet; only presence and size are checked).
"""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from neurokit._io import sha256_bytes, sha256_file
from neurokit.config import data_home as _home
from neurokit.errors import DataError, UnknownNameError

__all__ = [
    "FileEntry", "Manifest", "manifest_dir", "list_manifests", "load_manifest", "parse_manifest",
    "check_present", "verify_files", "pooch_registry", "fetch", "SHA256_SOURCES",
]

log = logging.getLogger(__name__)

SHA256_SOURCES = ("published", "recorded-at-first-verified-fetch", "unknown")
_REQUIRED = ("name", "title", "licence", "citation", "access", "chapters", "files", "simulation")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class FileEntry:
    """One file (``path``) or a family of files (``pattern`` + ``count``) of a data set."""

    path: str | None = None
    pattern: str | None = None
    count: int | None = None
    size: int | None = None
    sha256: str | None = None
    sha256_source: str = "unknown"
    description: str = ""


@dataclass(frozen=True)
class Manifest:
    """A validated data manifest; ``digest`` is the sha256 of the YAML text."""

    name: str
    title: str
    doi: str | None
    url: str | None
    licence: str
    citation_key: str
    bibtex: str
    access: str
    base_url: str | None
    chapters: tuple
    files: tuple
    keeps: tuple
    leaves_out: tuple
    source: str
    digest: str


def manifest_dir() -> Path:
    """``$NEUROKIT_MANIFESTS`` if set, else the repository's ``data_manifests/``."""
    env = os.environ.get("NEUROKIT_MANIFESTS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "data_manifests"


def list_manifests() -> list[str]:
    """Names of the manifests present (``<name>.yaml`` files)."""
    return sorted(p.stem for p in manifest_dir().glob("*.yaml"))


def _bad(source: str, problem: str) -> DataError:
    return DataError(f"malformed data manifest {source}: {problem}. Fix the YAML (see the other manifests in "
                     f"{manifest_dir()} for the schema).")


def parse_manifest(text: str, source: str = "<manifest>") -> Manifest:
    """Parse and validate a manifest's YAML text; errors name ``source`` and the problem."""
    import yaml

    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise _bad(source, f"not valid YAML ({exc})") from exc
    if not isinstance(raw, dict):
        raise _bad(source, "the top level must be a mapping")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise _bad(source, f"missing required key(s) {missing}")
    cit = raw["citation"]
    if not isinstance(cit, dict) or not cit.get("key") or not cit.get("bibtex"):
        raise _bad(source, "'citation' must be a mapping with 'key' and 'bibtex'")
    if not raw.get("doi") and not raw.get("url"):
        raise _bad(source, "give at least one of 'doi' and 'url'")
    if not isinstance(raw["chapters"], list) or not all(isinstance(c, str) for c in raw["chapters"]):
        raise _bad(source, "'chapters' must be a list of chapter names")
    sim = raw["simulation"]
    if not (isinstance(sim, dict) and isinstance(sim.get("keeps"), list) and isinstance(sim.get("leaves_out"), list)):
        raise _bad(source, "'simulation' must be a mapping with lists 'keeps' and 'leaves_out'")
    if not isinstance(raw["files"], list) or not raw["files"]:
        raise _bad(source, "'files' must be a non-empty list")
    files = []
    for i, f in enumerate(raw["files"]):
        where = f"files[{i}]"
        if not isinstance(f, dict):
            raise _bad(source, f"{where} must be a mapping")
        unknown = set(f) - {"path", "pattern", "count", "size", "sha256", "sha256_source", "description"}
        if unknown:
            raise _bad(source, f"{where} has unknown key(s) {sorted(unknown)}")
        if bool(f.get("path")) == bool(f.get("pattern")):
            raise _bad(source, f"{where} needs exactly one of 'path' and 'pattern'")
        if f.get("pattern") and not isinstance(f.get("count"), int):
            raise _bad(source, f"{where} ('{f['pattern']}') needs an integer 'count'")
        src = f.get("sha256_source", "unknown")
        if src not in SHA256_SOURCES:
            raise _bad(source, f"{where}: sha256_source {src!r} is not one of {SHA256_SOURCES}")
        digest = f.get("sha256")
        if digest is not None and not (isinstance(digest, str) and _HEX64.match(digest)):
            raise _bad(source, f"{where}: sha256 must be 64 lowercase hex digits, got {digest!r}")
        if (digest is None) != (src == "unknown"):
            raise _bad(source, f"{where}: sha256 and sha256_source disagree (a hash needs a source other than "
                               "'unknown', and 'unknown' means no hash)")
        if f.get("pattern") and digest:
            raise _bad(source, f"{where}: a pattern entry cannot carry one sha256; list the files by path")
        size = f.get("size")
        if size is not None and (not isinstance(size, int) or size < 0):
            raise _bad(source, f"{where}: size must be a non-negative integer (bytes) or null")
        files.append(FileEntry(path=f.get("path"), pattern=f.get("pattern"), count=f.get("count"), size=size,
                               sha256=digest, sha256_source=src, description=str(f.get("description", ""))))
    return Manifest(
        name=str(raw["name"]), title=str(raw["title"]), doi=raw.get("doi"), url=raw.get("url"),
        licence=str(raw["licence"]), citation_key=str(cit["key"]), bibtex=str(cit["bibtex"]),
        access=str(raw["access"]).strip(), base_url=(raw.get("download") or {}).get("base_url"),
        chapters=tuple(raw["chapters"]), files=tuple(files), keeps=tuple(sim["keeps"]),
        leaves_out=tuple(sim["leaves_out"]), source=source, digest=sha256_bytes(text.encode()),
    )


def load_manifest(name: str) -> Manifest:
    """Load and validate ``data_manifests/<name>.yaml``."""
    path = manifest_dir() / f"{name}.yaml"
    if not path.is_file():
        raise UnknownNameError("data manifest", name, list_manifests())
    m = parse_manifest(path.read_text(encoding="utf-8"), str(path))
    if m.name != name:
        raise _bad(str(path), f"its 'name' is {m.name!r} but the file is named {name}.yaml")
    return m


def _how_to_get(m: Manifest, root: Path) -> str:
    fetch_hint = f"Or run `neurokit data fetch {m.name}` once the network is reachable. " if m.base_url else ""
    return (f"Place the real files of {m.title} under {root} (that is $NEUROKIT_DATA/{m.name}) with the layout "
            f"listed in data_manifests/{m.name}.yaml. How to get them: {m.access} {fetch_hint}"
            f"To run without the real data, use the embedded profile (simulated data).")


def check_present(name: str, root) -> None:
    """Check that every file of the manifest is under ``root`` with the right size (no hashing).

    Raises
    ------
    DataError
        Naming the missing / wrong-sized files and how to get them.
    """
    m = load_manifest(name)
    root = Path(root)
    problems = []
    for f in m.files:
        if f.path:
            p = root / f.path
            if not p.exists():  # a file, or a directory store such as zarr
                problems.append(f"missing {f.path}")
            elif f.size is not None and p.stat().st_size != f.size:
                problems.append(f"{f.path} has {p.stat().st_size} bytes, expected {f.size}")
        else:
            n = len(list(root.glob(f.pattern)))
            if n != f.count:
                problems.append(f"{f.pattern}: found {n} file(s), expected {f.count}")
    if problems:
        shown = "; ".join(problems[:12]) + (f"; … ({len(problems)} problems in all)" if len(problems) > 12 else "")
        raise DataError(f"data set {name!r} (paper profile) is incomplete under {root}: {shown}. "
                        + _how_to_get(m, root))


def verify_files(name: str, root) -> list[str]:
    """Re-hash the real files of ``name`` under ``root`` against the manifest.

    Returns
    -------
    list of str
        Every problem (missing file, wrong size, sha256 mismatch, wrong count); empty if all is well.
        Entries without a known sha256 are checked for presence and size only.
    """
    m = load_manifest(name)
    root = Path(root)
    problems = []
    for f in m.files:
        if f.pattern:
            n = len(list(root.glob(f.pattern)))
            if n != f.count:
                problems.append(f"{root / f.pattern}: found {n} file(s), expected {f.count}")
            continue
        p = root / f.path
        if not p.exists():
            problems.append(f"{p}: missing")
            continue
        if p.is_dir():  # directory stores (zarr) are checked for presence only
            continue
        if f.size is not None and p.stat().st_size != f.size:
            problems.append(f"{p}: size {p.stat().st_size} bytes, expected {f.size}")
        if f.sha256:
            got = sha256_file(p)
            if got != f.sha256:
                problems.append(f"{p}: sha256 mismatch (expected {f.sha256[:16]}…, got {got[:16]}…; "
                                f"hash {f.sha256_source})")
    return problems


def pooch_registry(name: str, data_home=None, timeout: float = 5.0):
    """A :class:`pooch.Pooch` for the path entries of ``name`` (hashes where known, else ``None``).

    Raises
    ------
    DataError
        When the data set has no direct download (``download.base_url`` is null).
    """
    import pooch

    m = load_manifest(name)
    if not m.base_url:
        raise DataError(f"data set {name!r} has no direct download. " + _how_to_get(m, _home(data_home) / name))
    registry = {f.path: (f"sha256:{f.sha256}" if f.sha256 else None) for f in m.files if f.path}
    return pooch.create(path=_home(data_home) / name, base_url=m.base_url.rstrip("/") + "/", registry=registry,
                        retry_if_failed=0)


def _reachable(url: str, timeout: float) -> str | None:
    """None if a TCP connection to ``url``'s host opens within ``timeout`` s, else the reason."""
    import socket
    from urllib.parse import urlparse

    u = urlparse(url)
    port = u.port or (443 if u.scheme == "https" else 80)
    try:
        with socket.create_connection((u.hostname, port), timeout=timeout):
            return None
    except OSError as exc:
        return f"{u.hostname}:{port} unreachable ({exc})"


def fetch(name: str, data_home=None, timeout: float = 5.0) -> Path:
    """Download the files of ``name`` (paper profile) and check their hashes; fails fast without network.

    Returns
    -------
    Path
        The data set root ``<data_home>/<name>``.

    Raises
    ------
    DataError
        No direct download, no network (after at most ``timeout`` seconds), or a download failed its hash.
    """
    import pooch

    m = load_manifest(name)
    root = _home(data_home) / name
    pup = pooch_registry(name, data_home, timeout)
    why = _reachable(m.base_url, timeout)
    if why:
        raise DataError(f"cannot fetch {name!r}: {why}. " + _how_to_get(m, root))
    downloader = pooch.HTTPDownloader(timeout=timeout, progressbar=False)
    for f in m.files:
        if not f.path:
            continue
        try:
            local = pup.fetch(f.path, downloader=downloader)
        except Exception as exc:  # pooch raises requests/ValueError types; report them all the same way
            raise DataError(f"download of {name}/{f.path} failed: {exc}. " + _how_to_get(m, root)) from exc
        if not f.sha256:
            log.warning("%s: no published sha256; recorded %s (add it to the manifest as "
                        "recorded-at-first-verified-fetch once the content is checked)", local, sha256_file(local))
    return root
