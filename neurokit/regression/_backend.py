"""The few array operations the ridge solvers need, for numpy and torch (CPU or CUDA).

One small adapter instead of an array-API dependency: the solvers are written once against
``Backend`` and run unchanged on numpy (OpenBLAS/LAPACK) or torch (MKL on CPU, cuBLAS/cuSOLVER on GPU).
"""
from __future__ import annotations

import numpy as np

from neurokit.config import resolve_device
from neurokit.errors import InputError, UnknownNameError


class NumpyBackend:
    name = "numpy"

    def __init__(self, dtype):
        self.dtype = np.dtype(dtype)

    def asarray(self, a):
        return np.ascontiguousarray(a, dtype=self.dtype)

    def to_numpy(self, a):
        return np.asarray(a)

    def index(self, a, idx):
        return a[idx]

    def zeros(self, shape, float64=False):
        return np.zeros(shape, dtype=np.float64 if float64 else self.dtype)

    def empty(self, n):
        """A flat scratch buffer of ``n`` elements, reused for GEMM outputs (no page faults per block)."""
        return np.empty(n, dtype=self.dtype)

    def matmul(self, a, b, out=None):
        return np.matmul(a, b, out=out)

    def svd(self, X):
        """Thin SVD ``X = U diag(s) Vt``; wide input is transposed first (LAPACK is faster on tall)."""
        if X.shape[1] > X.shape[0]:
            U2, s, Vt2 = np.linalg.svd(X.T, full_matrices=False)
            return Vt2.T, s, U2.T
        return np.linalg.svd(X, full_matrices=False)

    def eigh(self, K):
        lam, U = np.linalg.eigh(K)
        return np.clip(lam, 0, None), U

    def mean0(self, a):
        return a.mean(axis=0)

    def sq_err_sum(self, P, Y):
        """In place: ``P -= Y`` (broadcast over the leading axis), square, sum over axis 1 → float64."""
        P -= Y[None]
        if P.dtype == np.float64:
            return np.einsum("anv,anv->av", P, P)  # one read pass, no squared temporary
        np.square(P, out=P)
        return P.sum(axis=1, dtype=np.float64)

    def argmin0(self, a):
        return np.argmin(a, axis=0)

    def take(self, a, idx):
        return a[idx]


class TorchBackend:
    name = "torch"

    def __init__(self, dtype, device=None):
        import torch

        self.torch = torch
        self.device = resolve_device(device)
        self.dtype = {np.dtype("float32"): torch.float32, np.dtype("float64"): torch.float64}[np.dtype(dtype)]

    def asarray(self, a):
        if isinstance(a, np.ndarray):
            a = np.ascontiguousarray(a)
            t = self.torch.from_numpy(a if a.flags.writeable else a.copy())
        else:
            t = self.torch.as_tensor(a)
        return t.to(device=self.device, dtype=self.dtype).contiguous()

    def to_numpy(self, a):
        return a.detach().cpu().numpy()

    def index(self, a, idx):
        return a[self.torch.as_tensor(np.asarray(idx), device=self.device)]

    def zeros(self, shape, float64=False):
        return self.torch.zeros(shape, dtype=self.torch.float64 if float64 else self.dtype, device=self.device)

    def empty(self, n):
        return self.torch.empty(n, dtype=self.dtype, device=self.device)

    def matmul(self, a, b, out=None):
        return self.torch.matmul(a, b, out=out)

    def svd(self, X):
        if X.shape[1] > X.shape[0]:  # torch's SVD is much slower on wide input
            U2, s, Vt2 = self.torch.linalg.svd(X.T, full_matrices=False)
            return Vt2.T, s, U2.T
        return self.torch.linalg.svd(X, full_matrices=False)

    def eigh(self, K):
        lam, U = self.torch.linalg.eigh(K)
        return lam.clamp_min(0), U

    def mean0(self, a):
        return a.mean(dim=0)

    def sq_err_sum(self, P, Y):
        P.sub_(Y[None]).square_()
        return P.sum(dim=1, dtype=self.torch.float64)

    def argmin0(self, a):
        # torch.argmin does not promise the first of tied minima; numpy does. Use numpy semantics.
        return self.torch.as_tensor(np.argmin(a.cpu().numpy(), axis=0), device=self.device)

    def take(self, a, idx):
        return a[idx]


BACKENDS = {"numpy": NumpyBackend, "torch": TorchBackend}


def get_backend(name: str, dtype, device=None):
    """Instantiate the backend called ``name`` ("numpy" or "torch") for ``dtype``."""
    if name not in BACKENDS:
        raise UnknownNameError("backend", name, BACKENDS)
    if np.dtype(dtype) not in (np.dtype("float32"), np.dtype("float64")):
        raise InputError(f"dtype must be float32 or float64, got {np.dtype(dtype)}; pass dtype='float32' or 'float64'.")
    if name == "torch":
        return TorchBackend(dtype, device)
    if device not in (None, "auto", "cpu"):
        raise InputError(f"backend='numpy' runs on the CPU only; got device={device!r}. Use backend='torch' for a GPU.")
    return NumpyBackend(dtype)
