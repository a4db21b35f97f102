"""A data set of the catalog: where it lives, how it is simulated, loaded and fingerprinted.

Layout under the data home (``$NEUROKIT_DATA``, see :func:`neurokit.config.data_home`)::

    <data_home>/<name>/                          real files (``paper`` profile), placed by hand or fetched
    <data_home>/simulated/<profile>/<name>/      simulated copy in the same layout (``smoke``, ``embedded``)
        checksums.json                           sha256 of every file (written last, before the rename)
        simulation.json                          name, profile, seed, simulator, its SIM_VERSION

A simulated data set is built in a temporary sibling folder and renamed into place only once it is
complete, so a crash never leaves half a data set under the final name.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from neurokit._io import atomic_write_json, sha256_file, sha256_json
from neurokit.config import check_profile, data_home as _data_home, rehearsing
from neurokit.data.checksums import CHECKSUMS, write_checksums
from neurokit.data.manifests import check_present, load_manifest
from neurokit.errors import InputError

__all__ = ["Dataset", "SIMULATION_RECORD", "simulated_root"]

log = logging.getLogger(__name__)

SIMULATION_RECORD = "simulation.json"


def _seed_suffix(seed: int) -> str:
    if int(seed) < 0:
        raise InputError(f"seed must be >= 0; got {seed}.")
    return "" if int(seed) == 0 else f"-seed{int(seed)}"


def simulated_root(name: str, profile: str, data_home=None, seed: int = 0) -> Path:
    """``<data_home>/simulated/<profile>/<name>[-seed<k>]``: where a simulated data set lives."""
    return _data_home(data_home) / "simulated" / profile / f"{name}{_seed_suffix(seed)}"


@contextlib.contextmanager
def _lock(path: Path):
    """An advisory inter-process lock (POSIX ``flock``; a no-op where unavailable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Dataset:
    """One data set of the catalog: a loader of its real on-disk format and a simulator writing that format.

    Attributes
    ----------
    name : str
        Catalog key (also the manifest name ``data_manifests/<name>.yaml``).
    title : str
    simulator : callable
        ``simulator(root: Path, profile: str, seed: int = 0, data_home=None) -> None`` writes the simulated data
        set into the existing, empty folder ``root``.
    loader : callable
        ``loader(root, ...)`` returns the typed container.
    sim_version : int
        The simulator's version; a simulated copy made by another version is rebuilt.
    """

    name: str
    title: str
    simulator: Callable = field(repr=False)
    loader: Callable = field(repr=False)
    sim_version: int = 0

    def root(self, profile: str = "embedded", data_home=None, seed: int = 0) -> Path:
        """Where the data set lives for ``profile`` (no side effects; the folder may not exist yet).

        In a rehearsal of the paper profile (:func:`neurokit.config.rehearsing`) the paper profile's data are the
        simulation at the paper's shapes under ``<data home>/rehearsal/<name>``, never the real data's folder.
        """
        check_profile(profile)
        if profile == "paper" and rehearsing():
            return _data_home(data_home) / "rehearsal" / f"{self.name}{_seed_suffix(seed)}"
        if profile == "paper":
            return _data_home(data_home) / self.name
        return simulated_root(self.name, profile, data_home, seed)

    def _is_current(self, root: Path) -> bool:
        if not (root / CHECKSUMS).is_file() or not (root / SIMULATION_RECORD).is_file():
            return False
        try:
            record = json.loads((root / SIMULATION_RECORD).read_text())
        except ValueError:
            return False
        return int(record.get("sim_version", 0)) == int(self.sim_version)

    def ensure(self, profile: str = "embedded", data_home=None, seed: int = 0, force: bool = False) -> Path:
        """Return the root folder of the data set for ``profile``, simulating it first if needed.

        Parameters
        ----------
        profile : {"smoke", "embedded", "paper"}
            ``smoke``/``embedded``: simulate into ``<data_home>/simulated/<profile>/<name>/`` when missing or
            made by an older simulator version. ``paper``: the real files under ``<data_home>/<name>/``,
            checked against the manifest (presence and size; ``neurokit data verify`` re-hashes them).
        data_home : path, optional
            Overrides ``$NEUROKIT_DATA``.
        seed : int
            Simulation seed (simulated profiles only; non-zero seeds get their own folder).
        force : bool
            Re-simulate even when a current copy exists (e.g. after a file was damaged; see
            ``neurokit data verify``). Ignored for ``paper``.

        Returns
        -------
        Path

        Raises
        ------
        UnknownNameError
            Unknown profile.
        DataError
            ``paper`` profile with missing or wrong-sized files (the message lists them and says how to get them).
        """
        root = self.root(profile, data_home, seed)
        sim_profile = profile
        if profile == "paper" and rehearsing():
            sim_profile = "rehearsal"  # the simulators' preset at the paper's per-sample shapes
        elif profile == "paper":
            check_present(self.name, root)
            return root
        if not force and self._is_current(root):
            return root
        with _lock(root.parent / f".{root.name}.lock"):
            if not force and self._is_current(root):  # made by another process meanwhile
                return root
            tmp = Path(tempfile.mkdtemp(prefix=f".{root.name}.tmp-", dir=root.parent))
            try:
                t0 = time.perf_counter()
                log.info("simulating %s (%s sizes, seed %d) into %s", self.name, sim_profile, seed, root)
                self.simulator(tmp, sim_profile, seed=int(seed), data_home=data_home)
                atomic_write_json(tmp / SIMULATION_RECORD, {
                    "name": self.name, "profile": sim_profile, "seed": int(seed),
                    "simulator": f"{self.simulator.__module__}:{self.simulator.__qualname__}",
                    "sim_version": int(self.sim_version),
                })  # no timings or host names: identical data give an identical checksums.json and fingerprint
                write_checksums(tmp)
                if root.exists():  # stale (older simulator version) or forced: move aside, then delete
                    old = root.parent / f".{root.name}.old-{os.getpid()}"
                    os.replace(root, old)
                    shutil.rmtree(old, ignore_errors=True)
                os.replace(tmp, root)
                log.info("simulated %s (%s) in %.1f s", self.name, sim_profile, time.perf_counter() - t0)
            finally:
                if tmp.exists():
                    shutil.rmtree(tmp, ignore_errors=True)
        return root

    def fingerprint(self, profile: str = "embedded", data_home=None, seed: int = 0) -> str:
        """A cheap content hash of the data set for ``profile``, for the book's staleness checks.

        Simulated profiles: the sha256 of ``checksums.json`` (which hashes every file). ``paper``: a hash of
        the manifest and of each present file's path, size and modification time. A data set that does not
        exist yet gets the fingerprint ``"absent:<…>"`` (it changes once the data appear).
        """
        root = self.root(profile, data_home, seed)
        if profile != "paper" or rehearsing():
            f = root / CHECKSUMS
            return sha256_file(f) if f.is_file() else f"absent:{sha256_json([self.name, profile, seed])[:16]}"
        manifest = load_manifest(self.name)
        stats = []
        if root.is_dir():
            for p in sorted(root.rglob("*")):
                if p.is_file():
                    st = p.stat()
                    stats.append((p.relative_to(root).as_posix(), st.st_size, st.st_mtime_ns))
        if not stats:
            return f"absent:{sha256_json([self.name, profile])[:16]}"
        return sha256_json({"manifest": manifest.digest, "files": stats})

    def load(self, profile: str = "embedded", data_home=None, seed: int = 0, **kwargs):
        """:meth:`ensure` the data set, then call its loader on the root with ``kwargs``."""
        return self.loader(self.ensure(profile, data_home=data_home, seed=seed), **kwargs)
