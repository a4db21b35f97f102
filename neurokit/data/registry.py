"""The data set registry: where each data set lives, how it is simulated, loaded and fingerprinted.

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
import importlib
import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from neurokit._io import atomic_write_json, sha256_file, sha256_json
from neurokit.config import check_profile, data_home as _data_home
from neurokit.errors import DataError, InputError, UnknownNameError

__all__ = [
    "DatasetSpec", "DATASETS", "get_spec", "dataset_root", "ensure", "fingerprint", "load",
    "write_checksums", "check_checksums", "CHECKSUMS", "SIMULATION_RECORD",
]

log = logging.getLogger(__name__)

CHECKSUMS = "checksums.json"
SIMULATION_RECORD = "simulation.json"


@dataclass(frozen=True)
class DatasetSpec:
    """How to simulate and load one data set.

    Attributes
    ----------
    name : str
        Registry key (also the manifest name ``data_manifests/<name>.yaml``).
    title : str
        Human-readable title.
    simulator : str
        ``"module:function"``; ``function(root: Path, profile: str, seed: int = 0) -> None`` writes the
        simulated data set into the existing, empty folder ``root``.
    loader : str
        ``"module:function"``; ``function(root, ...)`` returns the typed container.
    """

    name: str
    title: str
    simulator: str
    loader: str

    def resolve(self, which: str) -> Callable:
        target = getattr(self, which)
        module, _, func = target.partition(":")
        try:
            return getattr(importlib.import_module(module), func)
        except (ImportError, AttributeError) as exc:
            raise DataError(
                f"the {which} of data set {self.name!r} ({target}) cannot be imported: {exc}. "
                "Is that part of neurokit installed (pip install -e .) and up to date?"
            ) from exc


DATASETS: dict[str, DatasetSpec] = {
    "algonauts2021": DatasetSpec(
        "algonauts2021", "Algonauts 2021 challenge (mini and full track)",
        "neurokit.sim.brain:simulate_algonauts2021", "neurokit.data.algonauts:load_algonauts2021"),
    "bold_moments": DatasetSpec(
        "bold_moments", "BOLD Moments Dataset (BMD)",
        "neurokit.sim.brain:simulate_bold_moments", "neurokit.data.bold_moments:load_bold_moments"),
    "vist_retina": DatasetSpec(
        "vist_retina", "Salamander retina natural movies (Onken et al. 2017), Vi-ST layout",
        "neurokit.sim.retina:simulate_retina", "neurokit.data.retina:load_retina"),
    "cc2017": DatasetSpec(
        "cc2017", "cc2017 video-fMRI (Wen et al. 2018), NEURONS tensor layout",
        "neurokit.sim.cc2017:simulate_cc2017", "neurokit.data.cc2017:load_cc2017"),
}


def get_spec(name: str) -> DatasetSpec:
    """The :class:`DatasetSpec` of ``name``; an unknown name raises :class:`UnknownNameError`."""
    try:
        return DATASETS[name]
    except (KeyError, TypeError):
        raise UnknownNameError("data set", str(name), DATASETS) from None


def _seed_suffix(seed: int) -> str:
    if int(seed) < 0:
        raise InputError(f"seed must be >= 0; got {seed}.")
    return "" if int(seed) == 0 else f"-seed{int(seed)}"


def dataset_root(name: str, profile: str = "embedded", data_home=None, seed: int = 0) -> Path:
    """Where data set ``name`` lives for ``profile`` (no side effects; the folder may not exist yet)."""
    get_spec(name)
    check_profile(profile)
    home = _data_home(data_home)
    if profile == "paper":
        return home / name
    return home / "simulated" / profile / f"{name}{_seed_suffix(seed)}"


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
    import json

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


def _sim_version(spec: DatasetSpec) -> int:
    """The simulator module's ``SIM_VERSION`` (0 when it defines none)."""
    name = spec.simulator.partition(":")[0]
    try:
        module = importlib.import_module(name)
    except ImportError as exc:
        raise DataError(f"the simulator of data set {spec.name!r} ({name}) cannot be imported: {exc}. "
                        "Is that part of neurokit installed (pip install -e .) and up to date?") from exc
    return int(getattr(module, "SIM_VERSION", 0))


def _is_current(root: Path, spec: DatasetSpec) -> bool:
    import json

    if not (root / CHECKSUMS).is_file() or not (root / SIMULATION_RECORD).is_file():
        return False
    try:
        record = json.loads((root / SIMULATION_RECORD).read_text())
    except ValueError:
        return False
    return int(record.get("sim_version", 0)) == _sim_version(spec)


def ensure(name: str, profile: str = "embedded", data_home=None, seed: int = 0, force: bool = False) -> Path:
    """Return the root folder of data set ``name`` for ``profile``, simulating it first if needed.

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS` (``"algonauts2021"``, ``"bold_moments"``, ``"vist_retina"``, ``"cc2017"``).
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
        Unknown data set or profile.
    DataError
        ``paper`` profile with missing or wrong-sized files (the message lists them and says how to get them).
    """
    spec = get_spec(name)
    root = dataset_root(name, profile, data_home, seed)
    if profile == "paper":
        from neurokit.data.manifests import check_present

        check_present(name, root)
        return root
    if not force and _is_current(root, spec):
        return root
    with _lock(root.parent / f".{root.name}.lock"):
        if not force and _is_current(root, spec):  # made by another process meanwhile
            return root
        simulate = spec.resolve("simulator")
        tmp = Path(tempfile.mkdtemp(prefix=f".{root.name}.tmp-", dir=root.parent))
        try:
            t0 = time.perf_counter()
            log.info("simulating %s (%s profile, seed %d) into %s", name, profile, seed, root)
            simulate(tmp, profile, seed=int(seed))
            atomic_write_json(tmp / SIMULATION_RECORD, {
                "name": name, "profile": profile, "seed": int(seed), "simulator": spec.simulator,
                "sim_version": _sim_version(spec),
            })  # no timings or host names: identical data give an identical checksums.json and fingerprint
            write_checksums(tmp)
            if root.exists():  # stale (older simulator version) or forced: move aside, then delete
                old = root.parent / f".{root.name}.old-{os.getpid()}"
                os.replace(root, old)
                shutil.rmtree(old, ignore_errors=True)
            os.replace(tmp, root)
            log.info("simulated %s (%s) in %.1f s", name, profile, time.perf_counter() - t0)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return root


def fingerprint(name: str, profile: str = "embedded", data_home=None, seed: int = 0) -> str:
    """A cheap content hash of data set ``name`` for ``profile``, for the book's staleness checks.

    Simulated profiles: the sha256 of ``checksums.json`` (which hashes every file). ``paper``: a hash of
    the manifest and of each present file's path, size and modification time. A data set that does not
    exist yet gets the fingerprint ``"absent:<…>"`` (it changes once the data appear).
    """
    root = dataset_root(name, profile, data_home, seed)
    if profile != "paper":
        f = root / CHECKSUMS
        return sha256_file(f) if f.is_file() else f"absent:{sha256_json([name, profile, seed])[:16]}"
    from neurokit.data.manifests import load_manifest

    manifest = load_manifest(name)
    stats = []
    if root.is_dir():
        for p in sorted(root.rglob("*")):
            if p.is_file():
                st = p.stat()
                stats.append((p.relative_to(root).as_posix(), st.st_size, st.st_mtime_ns))
    if not stats:
        return f"absent:{sha256_json([name, profile])[:16]}"
    return sha256_json({"manifest": manifest.digest, "files": stats})


def load(name: str, profile: str = "embedded", data_home=None, seed: int = 0, **kwargs):
    """:func:`ensure` the data set, then call its loader on the root with ``kwargs``."""
    root = ensure(name, profile, data_home=data_home, seed=seed)
    return get_spec(name).resolve("loader")(root, **kwargs)
