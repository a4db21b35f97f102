"""Fault injection for tests: a full disk, a process killed at a chosen point, corrupted files, tree hashes.

These helpers make the failures that a reproducible pipeline must survive happen on demand, in-process
(:func:`disk_full`, :func:`kill_during_write`) or in a subprocess (:func:`run_and_kill`,
:func:`install_faults_from_env`), and check afterwards that nothing was lost (:func:`tree_hashes`).

Examples
--------
Writes under ``build/`` fail with ``ENOSPC`` once 10 bytes have gone through:

>>> with disk_full(under=build, after_bytes=10):  # doctest: +SKIP
...     atomic_write_text(build / "x.json", "a long text")

Kill a CLI run as soon as the chapter has written its marker file:

>>> run = run_and_kill([sys.executable, "-m", "neurokit", "book"], when=marker.exists)  # doctest: +SKIP

Kill a subprocess at a precise point of the library (here: just before a chapter's ``.key`` is written) by
giving it ``NEUROKIT_FAULTS`` and starting it through :data:`FAULT_DRIVER`::

    env["NEUROKIT_FAULTS"] = json.dumps([{"kind": "kill_on_call",
                                          "target": "neurokit.book.runner:atomic_write_text",
                                          "match": "*.key"}])
    subprocess.run([sys.executable, "-c", FAULT_DRIVER, "book", "--profile", "smoke"], env=env)

Only Python-level writes (``open``/``io.open``/``os.fdopen``/``Path.write_*``/``np.save`` to a file
object/``shutil.copyfile``) are intercepted; writes done in C by extension modules (e.g. ``torch.save`` to a path) are not.
"""
from __future__ import annotations

import builtins
import contextlib
import errno
import fnmatch
import importlib
import io
import json
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

__all__ = [
    "tree_hashes", "temp_files", "corrupt", "disk_full", "kill_during_write", "kill_on_call",
    "install_faults_from_env", "run_and_kill", "KilledRun", "FAULT_DRIVER", "FAULTS_ENV",
]

FAULTS_ENV = "NEUROKIT_FAULTS"
_ACTIVE: list = []

#: ``python -c FAULT_DRIVER <neurokit CLI args>``: the ``neurokit`` CLI with the faults of ``$NEUROKIT_FAULTS``.
FAULT_DRIVER = ("import sys, neurokit.testing as t; t.install_faults_from_env(); "
                "from neurokit.cli import main; sys.exit(main(sys.argv[1:]))")


# ---------------------------------------------------------------------------------------------- inspection
def tree_hashes(root: str | os.PathLike, exclude: Sequence[str] = (".lock", "*.flock")) -> dict[str, str]:
    """sha256 of every file under ``root``.

    Parameters
    ----------
    root : path-like
        Folder to hash (a missing folder gives ``{}``).
    exclude : sequence of str
        ``fnmatch`` patterns on the file name of files to leave out (lock files by default).

    Returns
    -------
    dict
        ``{relative posix path: sha256 hex}``, sorted by path.
    """
    from neurokit._io import sha256_file

    root = Path(root)
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): sha256_file(p) for p in sorted(root.rglob("*"))
            if p.is_file() and not any(fnmatch.fnmatch(p.name, pat) for pat in exclude)}


def temp_files(root: str | os.PathLike) -> list[str]:
    """Leftover temporary files of :func:`neurokit._io.atomic_path` (``.<name>.*.tmp``) under ``root``."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(p.relative_to(root).as_posix() for p in root.rglob(".*.tmp"))


def corrupt(path: str | os.PathLike, how: str = "truncate") -> Path:
    """Damage a file in place.

    Parameters
    ----------
    path : path-like
    how : {"truncate", "flip", "garbage", "empty"}
        ``truncate``: keep the first half; ``flip``: invert one byte in the middle; ``garbage``: replace the
        content with non-format bytes of the same length; ``empty``: zero bytes.
    """
    path = Path(path)
    data = path.read_bytes()
    if how == "truncate":
        new = data[: len(data) // 2]
    elif how == "flip":
        i = len(data) // 2
        new = data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]
    elif how == "garbage":
        new = (b"\x00not-a-valid-file\xff" * (len(data) // 18 + 1))[: max(len(data), 18)]
    elif how == "empty":
        new = b""
    else:
        raise ValueError(f"how must be 'truncate', 'flip', 'garbage' or 'empty', got {how!r}")
    path.write_bytes(new)
    return path


# ---------------------------------------------------------------------------------------------- writes
@dataclass
class _Budget:
    under: Path | None
    match: str
    after_bytes: int
    action: str  # "enospc" | "kill"
    skip: int = 0  # matching files opened before the fault arms
    written: int = 0
    opened: int = 0
    last_path: str = ""
    failures: list = field(default_factory=list)

    def applies(self, file, mode: str) -> bool:
        if not any(c in mode for c in "wax"):  # not "r+" (fsync re-opens)
            return False
        if isinstance(file, int):  # os.fdopen(mkstemp()[0], "wb"): find the path through /proc (Linux)
            try:
                file = os.readlink(f"/proc/self/fd/{file}")
            except OSError:
                return False
        p = Path(os.fsdecode(file)).absolute()
        if self.under is not None and not p.is_relative_to(self.under):
            return False
        if not fnmatch.fnmatch(p.name, self.match):
            return False
        self.opened += 1
        self.last_path = str(p)
        return self.opened > self.skip

    def charge(self, name: str, n: int) -> int:
        """How many of ``n`` bytes may still be written; fires the fault when the budget runs out."""
        room = self.after_bytes - self.written
        if n <= room:
            self.written += n
            return n
        return max(room, 0)

    def fire(self, name: str):
        self.failures.append(name)
        if self.action == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
            time.sleep(60)  # pragma: no cover - the signal is delivered first
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)


class _LimitedFile:
    """A file object whose writes draw on a :class:`_Budget` (partial bytes are really written first)."""

    def __init__(self, fh, budget: _Budget, name: str):
        self._fh, self._budget, self._name = fh, budget, name

    def write(self, data):
        n = len(data.encode()) if isinstance(data, str) else memoryview(data).nbytes
        ok = self._budget.charge(self._name, n)
        if ok == n:
            return self._fh.write(data)
        if ok > 0:  # the disk takes what fits, as a real one does
            self._fh.flush()
            part = data.encode()[:ok] if isinstance(data, str) else bytes(memoryview(data).cast("B")[:ok])
            (self._fh.buffer if isinstance(data, str) else self._fh).write(part)
            self._fh.flush()
        self._budget.fire(self._name)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fh.close()
        return False

    def __iter__(self):
        return iter(self._fh)

    def __getattr__(self, name):
        return getattr(self._fh, name)


@contextlib.contextmanager
def _limit_writes(under, match: str, after_bytes: int, action: str, skip: int = 0) -> Iterator[_Budget]:
    import shutil

    budget = _Budget(Path(under).absolute() if under is not None else None, match, int(after_bytes), action,
                     skip=int(skip))
    real_open = io.open

    def limited_open(file, mode="r", *args, **kwargs):
        fh = real_open(file, mode, *args, **kwargs)
        if budget.applies(file, mode):
            return _LimitedFile(fh, budget, budget.last_path)
        return fh

    saved = (builtins.open, io.open, shutil._USE_CP_SENDFILE)
    builtins.open = io.open = limited_open
    shutil._USE_CP_SENDFILE = False  # so shutil.copyfile writes through the file object
    try:
        yield budget
    finally:
        builtins.open, io.open, shutil._USE_CP_SENDFILE = saved


def disk_full(under: str | os.PathLike | None = None, after_bytes: int = 0, match: str = "*", skip: int = 0):
    """Context manager: Python-level writes raise ``OSError(ENOSPC)`` once ``after_bytes`` have been written.

    Parameters
    ----------
    under : path-like, optional
        Only files below this folder are affected (default: every file).
    after_bytes : int
        Bytes that still fit (summed over all affected files); the write that crosses the limit writes what
        fits, then raises, like a real full disk.
    match : str
        ``fnmatch`` pattern on the file name (temporary names of atomic writes look like ``.<name>.XXXX.tmp``).
    skip : int
        Number of matching files opened before the disk "fills" (they are written normally).

    Yields
    ------
    budget
        ``budget.failures`` lists the files whose write failed.
    """
    return _limit_writes(under, match, after_bytes, "enospc", skip)


def kill_during_write(under: str | os.PathLike | None = None, after_bytes: int = 0, match: str = "*",
                      skip: int = 0):
    """Like :func:`disk_full`, but the process SIGKILLs itself mid-write (use in a subprocess)."""
    return _limit_writes(under, match, after_bytes, "kill", skip)


# ---------------------------------------------------------------------------------------------- calls
def kill_on_call(target: str, match: str = "*", when: str = "before", skip: int = 0,
                 armed_by: str | None = None, armed_if: str = "") -> Callable[[], None]:
    """SIGKILL this process when ``module:function`` is called with a first argument matching ``match``.

    Parameters
    ----------
    target : str
        ``"package.module:name"``: the attribute is replaced in that module (patch where it is *used*, e.g.
        ``"neurokit.book.runner:atomic_write_text"``).
    match : str
        ``fnmatch`` pattern on the file name of the first argument (``"*"``: any call).
    when : {"before", "after"}
        Kill before the call runs or right after it returns.
    skip : int
        Matching calls to let through first.
    armed_by : str, optional
        ``"module:function"``: count and kill only after a call of this function has returned (e.g.
        ``"subprocess:run"`` with ``armed_if="jupyter_book"``: after the site has been built).
    armed_if : str
        Substring that the ``repr`` of ``armed_by``'s first argument must contain to arm.

    Returns
    -------
    callable
        Undoes the patch(es).
    """
    if when not in ("before", "after"):
        raise ValueError(f"when must be 'before' or 'after', got {when!r}")
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    real = getattr(module, attr)
    seen = [0]
    armed = [armed_by is None]
    undo_arm = lambda: None  # noqa: E731
    if armed_by is not None:
        arm_module_name, _, arm_attr = armed_by.partition(":")
        arm_module = importlib.import_module(arm_module_name)
        arm_real = getattr(arm_module, arm_attr)

        def arming(*args, **kwargs):
            out = arm_real(*args, **kwargs)
            if armed_if in repr(args[0] if args else ""):
                armed[0] = True
            return out

        setattr(arm_module, arm_attr, arming)
        undo_arm = lambda: setattr(arm_module, arm_attr, arm_real)  # noqa: E731

    def patched(*args, **kwargs):
        first = os.fsdecode(args[0]) if args and isinstance(args[0], (str, bytes, os.PathLike)) else ""
        hit = armed[0] and (fnmatch.fnmatch(Path(first).name, match) if first else match == "*")
        if hit:
            seen[0] += 1
            hit = seen[0] > skip
        if hit and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        out = real(*args, **kwargs)
        if hit:
            os.kill(os.getpid(), signal.SIGKILL)
        return out

    setattr(module, attr, patched)

    def undo():
        setattr(module, attr, real)
        undo_arm()

    return undo


def install_faults_from_env(env: dict | None = None) -> list:
    """Install the faults described by ``$NEUROKIT_FAULTS`` (a JSON list) in this process.

    Each item is a mapping with a ``kind``: ``"kill_on_call"`` (with the arguments of :func:`kill_on_call`:
    ``target``, ``match``, ``when``, ``skip``), or ``"kill_during_write"`` / ``"disk_full"`` (with ``under``,
    ``match``, ``after_bytes``, ``skip``).
    The variable is removed from ``os.environ`` so that child processes (notebook kernels) run unharmed.
    """
    spec = (env or os.environ).get(FAULTS_ENV)
    os.environ.pop(FAULTS_ENV, None)
    if not spec:
        return []
    installed = []
    for item in json.loads(spec):
        item = dict(item)
        kind = item.pop("kind")
        if kind == "kill_on_call":
            installed.append(kill_on_call(**item))
        elif kind in ("kill_during_write", "disk_full"):
            cm = (kill_during_write if kind == "kill_during_write" else disk_full)(**item)
            cm.__enter__()  # stays active for the life of the process
            installed.append(cm)
            _ACTIVE.append(cm)  # a collected generator would run its ``finally`` and undo the fault
        else:
            raise ValueError(f"unknown fault kind {kind!r}; use kill_on_call, kill_during_write or disk_full")
    return installed


# ---------------------------------------------------------------------------------------------- processes
@dataclass
class KilledRun:
    """What :func:`run_and_kill` saw: ``killed`` is False when the process ended on its own first."""

    returncode: int
    killed: bool
    stdout: str
    stderr: str
    seconds: float


def run_and_kill(cmd: Sequence[str], when: Callable[[], bool] | float | None = None, *, env: dict | None = None,
                 cwd: str | os.PathLike | None = None, timeout: float = 300.0, poll: float = 0.02) -> KilledRun:
    """Run ``cmd`` in its own process group and SIGKILL the whole group (kernels included) at a chosen point.

    Parameters
    ----------
    cmd : sequence of str
    when : callable, float or None
        A predicate polled every ``poll`` seconds (kill as soon as it is true, e.g. ``marker.exists``), a delay
        in seconds, or None (never kill: run to completion).
    env, cwd
        For :class:`subprocess.Popen`.
    timeout : float
        Kill and raise :class:`TimeoutError` if neither the process ends nor ``when`` fires by then.

    Returns
    -------
    KilledRun
    """
    import tempfile

    t0 = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=err, env=env, cwd=cwd, start_new_session=True)
        killed = False
        try:
            while proc.poll() is None:
                elapsed = time.monotonic() - t0
                fire = (when() if callable(when) else (when is not None and elapsed >= when))
                if fire:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    killed = True
                    proc.wait()
                    break
                if elapsed > timeout:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                    out.seek(0), err.seek(0)
                    raise TimeoutError(f"{' '.join(map(str, cmd))} ran past {timeout} s without reaching the "
                                       f"kill point.\nstdout: {out.read().decode()[-2000:]}\n"
                                       f"stderr: {err.read().decode()[-2000:]}")
                time.sleep(poll)
        finally:
            if proc.poll() is None:  # pragma: no cover - interrupted test
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        # a process that killed itself (kill_on_call) is reported as killed too
        killed = killed or proc.returncode == -signal.SIGKILL
        with contextlib.suppress(ProcessLookupError):  # leftover kernels of a self-killed run
            os.killpg(proc.pid, signal.SIGKILL)
        out.seek(0), err.seek(0)
        return KilledRun(proc.returncode, killed, out.read().decode(errors="replace"),
                         err.read().decode(errors="replace"), time.monotonic() - t0)
