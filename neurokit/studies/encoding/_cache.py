"""Content-keyed cache of Part I results, shared by the chapters (a chapter reuses what another computed).

A result is stored under ``cache_home()/results/encoding/<kind>/<key>.pkl``, where ``key`` hashes the settings
the computation depends on, the sha256 of every input array, and the source code of the modules that compute it
(so an edit of the method invalidates the entry). Files are written atomically and read back with
:mod:`neurokit.data.safe_pickle` (numpy arrays and plain containers only); tables travel as column dicts.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import numpy as np

from neurokit._io import sha256_json
from neurokit.config import cache_home
from neurokit.data import safe_pickle

log = logging.getLogger(__name__)

_PKG = Path(__file__).resolve().parents[2]  # the neurokit package
_CODE_CACHE: dict[tuple, str] = {}

#: Package folders and modules whose source enters every key: the methods the cached results are computed with
#: (not the figures, claims or prose, whose edits must not throw the cache away).
METHOD_SOURCES = ("regression", "stats", "connectivity", "sim/brain.py", "sim/regions.py", "studies/encoding/_cache.py",
                  "studies/encoding/layers.py", "studies/encoding/connectivity.py", "studies/encoding/inference.py")


def code_hash(parts=METHOD_SOURCES) -> str:
    """sha256 over the source files of ``parts`` (folders or modules of the package)."""
    parts = tuple(parts)
    if parts not in _CODE_CACHE:
        h = hashlib.sha256()
        for part in parts:
            path = _PKG / part
            files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
            for f in files:
                h.update(str(f.relative_to(_PKG)).encode())
                h.update(f.read_bytes())
        _CODE_CACHE[parts] = h.hexdigest()
    return _CODE_CACHE[parts]


def array_hash(*arrays) -> str:
    """sha256 of arrays (dtype, shape and bytes), nested in dicts/lists in a fixed order."""
    h = hashlib.sha256()

    def add(obj):
        if isinstance(obj, dict):
            for k in obj:
                h.update(repr(k).encode())
                add(obj[k])
        elif isinstance(obj, (list, tuple)):
            for x in obj:
                add(x)
        else:
            a = np.ascontiguousarray(obj)
            h.update(f"{a.dtype.str}|{a.shape}|".encode())
            h.update(a.data if a.dtype != object else repr(a.tolist()).encode())

    for a in arrays:
        add(a)
    return h.hexdigest()


def _encode(obj):
    import pandas as pd

    if isinstance(obj, pd.DataFrame):
        cols = {}
        for c in obj.columns:
            v = obj[c].to_numpy()
            cols[str(c)] = v.astype(str) if v.dtype == object else v
        return {"__frame__": list(map(str, obj.columns)), "data": cols}
    if isinstance(obj, dict):
        return {k: _encode(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_encode(v) for v in obj)
    return obj


def _decode(obj):
    import pandas as pd

    if isinstance(obj, dict):
        if "__frame__" in obj:
            return pd.DataFrame({c: obj["data"][c] for c in obj["__frame__"]}, columns=obj["__frame__"])
        return {k: _decode(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_decode(v) for v in obj)
    return obj


def cached(kind: str, key: dict, compute, enabled: bool = True):
    """``compute()`` once per ``key``; later calls (any chapter, any process) read the stored result.

    Parameters
    ----------
    kind : str
        Folder name (one per kind of result).
    key : dict
        JSON-serialisable description of everything the result depends on (settings, input hashes); the
        method sources (:func:`code_hash`) are added.
    compute : callable
        Returns numpy arrays, numbers, strings, DataFrames (columns of numbers or strings) and containers of them.
    enabled : bool
        False: compute and do not store.
    """
    if not enabled:
        return compute()
    digest = sha256_json({**key, "code": code_hash()})[:24]
    path = cache_home() / "results" / "encoding" / kind / f"{digest}.pkl"
    if path.is_file():
        try:
            out = _decode(safe_pickle.load(path))
            log.info("reusing %s result %s", kind, path.name)
            return out
        except Exception as exc:  # a damaged entry is recomputed, never trusted
            log.warning("recomputing %s: cached %s unreadable (%s)", kind, path, exc)
    out = compute()
    safe_pickle.dump(_encode(out), path)
    return out
