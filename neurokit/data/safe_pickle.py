"""Restricted unpickling: numpy arrays and plain containers only, never code.

The Algonauts 2021 and BOLD Moments files are Python pickles (the Algonauts devkit reads them with
``pickle._Unpickler`` and ``encoding="latin1"``). A pickle can name any importable callable and run it
while loading (``os.system`` through ``__reduce__``), so neurokit never calls :func:`pickle.load` on a data
file: :func:`load` resolves only the globals in :data:`ALLOWED_GLOBALS` (numpy array reconstruction,
dtypes, scalars and builtin containers) and refuses anything else with a :class:`~neurokit.errors.DataError`
that names the file and the forbidden global.
"""
from __future__ import annotations

import builtins
import collections
import io
import pickle
from pathlib import Path

import numpy as np

from neurokit._io import atomic_path
from neurokit.errors import DataError

__all__ = ["load", "loads", "dump", "ALLOWED_GLOBALS"]


def _np_attr(module_tail: str, name: str):
    import importlib

    return getattr(importlib.import_module(f"numpy.{module_tail}"), name)


# (module, name) -> resolver. numpy >= 2 pickles say ``numpy._core``, older ones ``numpy.core``.
ALLOWED_GLOBALS: dict[tuple[str, str], object] = {}
for _mod in ("numpy.core.multiarray", "numpy._core.multiarray"):
    ALLOWED_GLOBALS[(_mod, "_reconstruct")] = lambda: _np_attr("_core.multiarray", "_reconstruct")
    ALLOWED_GLOBALS[(_mod, "scalar")] = lambda: _np_attr("_core.multiarray", "scalar")
for _mod in ("numpy.core.numeric", "numpy._core.numeric"):
    ALLOWED_GLOBALS[(_mod, "_frombuffer")] = lambda: _np_attr("_core.numeric", "_frombuffer")
ALLOWED_GLOBALS[("numpy", "ndarray")] = lambda: np.ndarray
ALLOWED_GLOBALS[("numpy", "dtype")] = lambda: np.dtype
# numpy 2 pickles dtypes through numpy.dtypes.<Float64DType> etc.
for _dt in ("Float64DType", "Float32DType", "Float16DType", "Int64DType", "Int32DType", "Int16DType", "Int8DType",
            "UInt64DType", "UInt32DType", "UInt16DType", "UInt8DType", "BoolDType", "StrDType", "BytesDType",
            "Complex64DType", "Complex128DType"):
    ALLOWED_GLOBALS[("numpy.dtypes", _dt)] = (lambda n=_dt: getattr(np.dtypes, n))
for _name in ("dict", "list", "tuple", "set", "frozenset", "complex", "bytearray", "slice", "range"):
    ALLOWED_GLOBALS[("builtins", _name)] = (lambda n=_name: getattr(builtins, n))
ALLOWED_GLOBALS[("collections", "OrderedDict")] = lambda: collections.OrderedDict
# protocol-2 pickles written by Python 3 encode bytes as _codecs.encode(str, "latin1"): harmless
ALLOWED_GLOBALS[("_codecs", "encode")] = lambda: __import__("codecs").encode


_FIX = ("Re-create it (simulated data: `neurokit data simulate --force NAME`) or re-download it; "
        "`neurokit data verify` finds damaged files.")


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, fh, source: str):
        super().__init__(fh, encoding="latin1", fix_imports=True)
        self._source = source

    def find_class(self, module, name):
        resolver = ALLOWED_GLOBALS.get((module, name))
        if resolver is None:
            raise DataError(
                f"refusing to unpickle {self._source}: it asks for the global '{module}.{name}', which is not "
                "an allowed numpy/builtin type. Data pickles must hold only numpy arrays and plain containers; "
                "a pickle that names other callables can run code. Do not open this file with pickle.load; "
                "get a clean copy of the data set (see `neurokit data list`)."
            )
        return resolver()

    def persistent_load(self, pid):
        raise DataError(f"refusing to unpickle {self._source}: it uses persistent ids, which data pickles never do.")


def _load(fh, source: str):
    try:
        return _RestrictedUnpickler(fh, source).load()
    except DataError:
        raise
    except EOFError as exc:
        raise DataError(f"pickle {source} is truncated (ended early: {exc or 'EOF'}). {_FIX}") from exc
    except pickle.UnpicklingError as exc:
        what = "truncated" if "truncated" in str(exc) else "corrupt or not a pickle"
        raise DataError(f"pickle {source} is {what} ({exc}). {_FIX}") from exc
    except (ValueError, TypeError, AttributeError, IndexError, KeyError,
            UnicodeDecodeError, MemoryError) as exc:
        raise DataError(f"pickle {source} is corrupt or not a pickle ({type(exc).__name__}: {exc}). Re-create "
                        "or re-download it; `neurokit data verify` finds files that fail their checksum.") from exc


def load(path):
    """Unpickle a data file safely.

    Parameters
    ----------
    path : str or Path
        Pickle file (protocol 0-5; Python 2 pickles are read with ``encoding="latin1"``).

    Returns
    -------
    object
        Nested dicts/lists/tuples of numpy arrays, scalars and strings.

    Raises
    ------
    DataError
        Missing, truncated or corrupt file, or a pickle that names a forbidden global.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"pickle file not found: {path}. Check the data set root, or re-create it with "
                        "`neurokit data simulate --force NAME` (simulated) / place the real files "
                        "(`neurokit data fetch NAME`).")
    with open(path, "rb") as fh:
        return _load(fh, str(path))


def loads(data: bytes, source: str = "<bytes>"):
    """Like :func:`load` for an in-memory pickle; ``source`` names it in errors."""
    return _load(io.BytesIO(data), source)


def dump(obj, path, protocol: int = 2) -> Path:
    """Pickle ``obj`` atomically with ``protocol`` (2 by default, readable by Python 2 era tools)."""
    with atomic_path(path, suffix=".pkl") as tmp:
        with open(tmp, "wb") as fh:
            pickle.dump(obj, fh, protocol=protocol)
    return Path(path)
