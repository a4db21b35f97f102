"""Atomic writes and content hashing: nothing half-written is ever visible under its final name."""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterator

CHUNK = 1 << 20


def _temp_beside(path: Path, suffix: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix + ".tmp", dir=path.parent)
    os.close(fd)
    return Path(tmp)


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = "", fsync: bool = True) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it is fsynced and renamed over ``path``.

    On any exception the temporary file is removed and ``path`` is left as it was. ``fsync=False`` skips the
    fsync (the rename is still atomic for a killed process); for writers of many small files that make them
    durable together afterwards (one ``os.sync()``, as the feature cache does).
    """
    path = Path(path)
    tmp = _temp_beside(path, suffix)
    try:
        yield tmp
        if fsync:
            _fsync(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def prepare_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Phase 1 of a two-phase write: ``data`` in a fsynced temporary file beside ``path``, returned.

    Nothing under ``path`` changes; on failure the temporary file is removed and the error re-raised.
    Phase 2 is ``os.replace(tmp, path)``, done by the caller once every file of a group is prepared.
    """
    tmp = _temp_beside(Path(path))
    try:
        tmp.write_bytes(data)
        _fsync(tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    os.replace(prepare_bytes(path, data), path)
    return Path(path)


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: str | os.PathLike, obj: Any, **kwargs) -> Path:
    kwargs.setdefault("indent", 2)
    kwargs.setdefault("sort_keys", True)
    return atomic_write_text(path, json.dumps(obj, default=_json_default, **kwargs) + "\n")


def atomic_save_npy(path: str | os.PathLike, array, fsync: bool = True) -> Path:
    import numpy as np

    with atomic_path(path, suffix=".npy", fsync=fsync) as tmp:
        with open(tmp, "wb") as fh:
            np.save(fh, array, allow_pickle=False)
    return Path(path)


def _json_default(obj):
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def sha256_file(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_json(obj: Any) -> str:
    """Hash of the canonical JSON form of ``obj`` (sorted keys), for cache keys."""
    return sha256_bytes(json.dumps(obj, sort_keys=True, default=_json_default).encode())


def sync_bytes(data: bytes, dst: Path) -> None:
    """Write ``data`` to ``dst`` atomically, and only when its content differs (an unchanged file keeps its mtime)."""
    dst = Path(dst)
    if dst.is_file() and dst.read_bytes() == data:
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(dst) as tmp:
        tmp.write_bytes(data)


def sync_file(src: Path, dst: Path) -> None:
    """:func:`sync_bytes` of the file ``src`` (nothing when ``src`` does not exist)."""
    if Path(src).is_file():
        sync_bytes(Path(src).read_bytes(), dst)
