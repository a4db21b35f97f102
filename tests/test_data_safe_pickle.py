"""Safe unpickling: numpy arrays and containers load; code, truncation and junk are refused with the file name."""
from __future__ import annotations

import os
import pickle

import numpy as np
import pytest

from neurokit.data import safe_pickle
from neurokit.errors import DataError


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_numpy_and_containers_round_trip(tmp_path, protocol):
    obj = {"train": np.arange(24, dtype=np.float32).reshape(2, 3, 4), "mask": np.ones((2, 2), np.uint8),
           "names": np.array(["vid0001", "vid0002"]), "nested": [1, "a", (2.5, np.float64(3.0), None)],
           "scalar": np.int64(7)}
    path = tmp_path / "x.pkl"
    path.write_bytes(pickle.dumps(obj, protocol=protocol))
    back = safe_pickle.load(path)
    np.testing.assert_array_equal(back["train"], obj["train"])
    assert back["train"].dtype == np.float32
    assert back["names"].tolist() == ["vid0001", "vid0002"]
    assert back["nested"] == [1, "a", (2.5, 3.0, None)] and back["scalar"] == 7


def test_python2_numpy1_style_pickle_reads_with_latin1():
    """A protocol-2 pickle naming numpy.core.multiarray (NumPy 1 era) with latin-1 byte strings, as the
    Algonauts files are; built by hand so the test does not depend on an old numpy."""
    arr = np.array([1.5, -2.0], dtype="<f8")
    p = pickle.dumps({"train": arr}, protocol=2).replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
    back = safe_pickle.loads(p, "old.pkl")
    np.testing.assert_array_equal(back["train"], arr)


class _Evil:
    def __init__(self, sentinel):
        self.sentinel = sentinel

    def __reduce__(self):
        return (os.system, (f"touch {self.sentinel}",))


def test_malicious_pickle_is_refused_and_never_runs(tmp_path):
    sentinel = tmp_path / "pwned"
    path = tmp_path / "V1.pkl"
    path.write_bytes(pickle.dumps({"train": _Evil(sentinel)}, protocol=2))
    with pytest.raises(DataError) as exc:
        safe_pickle.load(path)
    msg = str(exc.value)
    assert str(path) in msg and "system" in msg and "not an allowed" in msg
    assert not sentinel.exists()


@pytest.mark.parametrize("target", ["builtins.eval", "subprocess.Popen", "numpy.load", "builtins.getattr"])
def test_other_dangerous_globals_are_refused(target):
    module, name = target.rsplit(".", 1)
    payload = b"\x80\x02c" + module.encode() + b"\n" + name.encode() + b"\nq\x00."
    with pytest.raises(DataError, match=f"{module}.{name}"):
        safe_pickle.loads(payload, "bad.pkl")


def test_truncated_and_junk_pickles_are_refused(tmp_path):
    data = pickle.dumps({"train": np.zeros((10, 3, 5))}, protocol=2)
    trunc = tmp_path / "trunc.pkl"
    trunc.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match=r"trunc\.pkl.*truncated"):
        safe_pickle.load(trunc)
    junk = tmp_path / "junk.pkl"
    junk.write_bytes(b"this is not a pickle at all")
    with pytest.raises(DataError, match=r"junk\.pkl"):
        safe_pickle.load(junk)
    with pytest.raises(DataError, match=r"not found.*missing\.pkl"):
        safe_pickle.load(tmp_path / "missing.pkl")


def test_dump_is_protocol_2_and_atomic(tmp_path):
    path = safe_pickle.dump({"a": np.ones(3)}, tmp_path / "a.pkl")
    assert path.read_bytes()[:2] == b"\x80\x02"
    assert [p.name for p in tmp_path.iterdir()] == ["a.pkl"]
