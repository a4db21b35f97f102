"""Shared fixtures: every test runs with a temporary data home and cache, offline, seeded."""
from __future__ import annotations

import os
import socket

import numpy as np
import pytest

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def _isolated_homes(tmp_path_factory, monkeypatch):
    """A fresh NEUROKIT_DATA / NEUROKIT_CACHE per test; hub caches pointed at an empty folder."""
    root = tmp_path_factory.mktemp("nkhome")
    monkeypatch.setenv("NEUROKIT_DATA", str(root / "data"))
    monkeypatch.setenv("NEUROKIT_CACHE", str(root / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("TORCH_HOME", str(root / "torch"))
    yield root


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Refuse connections to anything but loopback, so no test can silently depend on the network."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1")):
            if self.family in (socket.AF_INET, socket.AF_INET6):
                raise OSError(f"network access blocked in tests: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(scope="module")
def one_torch_thread():
    """Tiny inputs gain nothing from intra-op threads; one thread avoids oversubscribing the shared cores.

    Modules opt in with ``pytestmark = pytest.mark.usefixtures("one_torch_thread")``.
    """
    import torch

    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
