"""Soft-DTW (Cuturi & Blondel 2017) and the soft-DTW divergence, exact in float64 with an exact backward.

``soft_dtw(x, y, gamma)`` is the raw soft-DTW value per batch row with the squared-Euclidean ground cost
``D[i, j] = ||x_i - y_j||²``; ``soft_dtw_divergence(x, y, gamma) = sdtw(x, y) - ½(sdtw(x, x) + sdtw(y, y))``
is what tslearn's ``SoftDTWLossPyTorch(gamma, normalize=True)`` computes (the Vi-ST loss term).

Implementation
    The dynamic programme ``R[i, j] = D[i, j] + softmin_γ(R[i-1, j-1], R[i-1, j], R[i, j-1])`` and its adjoint
    (the expected-alignment matrix E = ∂R[N, M]/∂D) run in numba kernels, always in float64 (float32 cost
    matrices are promoted row by row inside the kernel; tslearn's torch wrapper stores R through a float32
    tensor, which limits its gradients to ~1e-4 relative accuracy).

    * Batch-innermost layout: the kernels sweep the (i, j) cells row by row and, in each cell, all batch rows
      of a chunk at once, so the innermost loop is over independent problems and compiles to SIMD code.
      Each row of the (B, N, M) cost matrix is transposed into a (M, lanes) buffer as the sweep reaches it;
      the gradient is written back in the caller's (B, N, M) layout the same way, scaled by the incoming
      gradient, in the cost matrix's dtype.
    * exp and log are inlined polynomial kernels (Cody-Waite reduced Taylor series for exp, fdlibm's log
      kernel; both within 1 ulp of libm on the ranges used) so that they vectorise; the softmin needs two exp
      and one log per cell (the smallest of the three terms contributes exp(0) = 1), the backward three exp.
    * ``soft_dtw_divergence`` with the matrix-product cost and equal lengths runs as one fused autograd
      function: batched matmuls write the three cost matrices (x-y, x-x, y-y) into one buffer, one kernel
      call runs the three dynamic programmes, and the backward applies the closed-form chain rule
      ``∂/∂x = 2(rowsum(E)·x - E y)`` with two batched matmuls, skipping the y-y programme when y needs no
      gradient. Other cases build the cost matrices with autograd and share one kernel call per shape.
    * Large buffers (cost matrices, tables, gradients) come from a small pool and are reused once nothing
      refers to them: fresh multi-MB allocations cost a page fault per 4 KiB.
    * The kernels run serially unless ``torch.get_num_threads()`` (capped by numba's thread count) allows
      more and the problem has at least ``_MIN_PARALLEL_CELLS`` cells: then chunks of batch rows run in
      parallel (numba ``prange``) on that many threads. Two single-threaded training workers therefore never
      oversubscribe the cores.
"""
from __future__ import annotations

import math
import sys
import threading

import numpy as np
import torch

from neurokit.errors import InputError

try:  # numba comes with tslearn (lock file); fall back to pure Python loops only if it is missing
    import numba
    from llvmlite import ir as _llvm_ir
    from numba.extending import intrinsic as _intrinsic
except ImportError:  # pragma: no cover
    numba = None

_LANE_MULTIPLE = 8  # lanes per chunk are padded to a multiple of one AVX-512 float64 vector
_MAX_LANES = 64  # batch rows per chunk; more gives no more instruction-level parallelism, only cache misses
_TILE = 8  # columns per tile in the row transposes (one 64-byte line of float64)
_MIN_PARALLEL_CELLS = 1 << 18  # smaller problems (~1 ms serial) run serially: waking a thread pool costs more

# exp: x = n ln2 + r (Cody-Waite, fdlibm's split of ln2), |r| <= ln2/2, Taylor series to r^13 (error < 1e-17)
_LOG2E = 1.44269504088896338700e00
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_EXP_MIN = -708.0  # exp(x) below this is returned as 0 (< 3.3e-308, negligible against the 1 in each softmin)
_EXP_MAX = 709.0
_C2, _C3, _C4, _C5, _C6, _C7, _C8, _C9, _C10, _C11, _C12, _C13 = (1.0 / math.factorial(k) for k in range(2, 14))
# log on [1, 4]: exact scaling by 1, 1/2 or 1/4 into [√2/2, √2], then fdlibm's e_log.c kernel (< 1 ulp)
_SQRT2 = 1.41421356237309514547e00
_LG1 = 6.666666666666735130e-01
_LG2 = 3.999999999940941908e-01
_LG3 = 2.857142874366239149e-01
_LG4 = 2.222219843214978396e-01
_LG5 = 1.818357216161805012e-01
_LG6 = 1.531383769920937332e-01
_LG7 = 1.479819860511658591e-01

if numba is not None:
    _FLAGS = dict(error_model="numpy", fastmath={"contract"}, cache=True)  # contract: FMAs, no reassociation
    _njit = numba.njit(**_FLAGS)
    _njit_inline = numba.njit(inline="always", **_FLAGS)
    _njit_parallel = numba.njit(parallel=True, **_FLAGS)
    _prange = numba.prange

    @_intrinsic
    def _bits_to_f64(typingctx, v):  # pragma: no cover - compiled
        """Reinterpret the bits of an int64 as a float64 (for 2**n in exp)."""
        if v != numba.types.int64:
            return None

        def codegen(context, builder, signature, args):
            return builder.bitcast(args[0], _llvm_ir.DoubleType())

        return numba.types.float64(numba.types.int64), codegen

    @_njit_inline
    def _exp(x):  # pragma: no cover - compiled
        """exp(x) within 1 ulp for -708 <= x <= 709; 0 below -708 (also for -inf). Branch-free, vectorises."""
        xc = x if x > _EXP_MIN else _EXP_MIN
        xc = xc if xc < _EXP_MAX else _EXP_MAX
        n = np.floor(xc * _LOG2E + 0.5)
        r = (xc - n * _LN2_HI) - n * _LN2_LO
        p = _C13
        p = p * r + _C12
        p = p * r + _C11
        p = p * r + _C10
        p = p * r + _C9
        p = p * r + _C8
        p = p * r + _C7
        p = p * r + _C6
        p = p * r + _C5
        p = p * r + _C4
        p = p * r + _C3
        p = p * r + _C2
        p = p * r + 1.0
        p = p * r + 1.0
        scale = _bits_to_f64((np.int64(n) + 1023) << 52)
        return 0.0 if x < _EXP_MIN else p * scale

    @_njit_inline
    def _log_1_4(x):  # pragma: no cover - compiled
        """log(x) within 1 ulp for 1 <= x <= 4 (the softmin's sum of three terms lies in [1, 3])."""
        big = x > 2.0 * _SQRT2
        mid = x > _SQRT2
        k = 2.0 if big else (1.0 if mid else 0.0)
        m = x * (0.25 if big else (0.5 if mid else 1.0))
        f = m - 1.0
        s = f / (2.0 + f)
        z = s * s
        w = z * z
        t1 = w * (_LG2 + w * (_LG4 + w * _LG6))
        t2 = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7)))
        hfsq = 0.5 * f * f
        return k * _LN2_HI - ((hfsq - (s * (hfsq + (t1 + t2)) + k * _LN2_LO)) - f)

else:  # pragma: no cover
    _njit = _njit_inline = _njit_parallel = lambda f: f
    _prange = range

    def _exp(x):
        return 0.0 if x < _EXP_MIN else math.exp(min(x, _EXP_MAX))

    def _log_1_4(x):
        return math.log(x)


@_njit_inline
def _load_row(D, b0, nb, i, Dt):  # pragma: no cover - compiled
    """Dt[1 + j, l] = D[b0 + l, i, j] for l < nb (row i of nb cost matrices, transposed in tiles), as float64."""
    M = D.shape[2]
    for j0 in range(0, M, _TILE):
        j1 = min(j0 + _TILE, M)
        for l in range(nb):
            for j in range(j0, j1):
                Dt[1 + j, l] = D[b0 + l, i, j]


@_njit_inline
def _store_row(Et, g, b0, nb, i, G):  # pragma: no cover - compiled
    """G[b0 + l, i, j] = g[b0 + l] · Et[1 + j, l] for l < nb (transposed back, in G's dtype)."""
    M = G.shape[2]
    for j0 in range(0, M, _TILE):
        j1 = min(j0 + _TILE, M)
        for l in range(nb):
            gl = g[b0 + l]
            for j in range(j0, j1):
                G[b0 + l, i, j] = Et[1 + j, l] * gl


@_njit
def _forward_chunk(D, b0, nb, gamma, R, out):  # pragma: no cover - compiled
    """Soft-DTW table of batch rows b0 … b0+nb-1 of D (B, N, M) into R (N+1, M+1, L), lanes innermost.

    R[0, 0] = 0, R[0, j>0] = R[i>0, 0] = inf; ``out[b0 + l] = R[N, M, l]``. Lanes nb … L-1 carry zero costs.
    """
    N, M = D.shape[1], D.shape[2]
    L = R.shape[2]
    inv = 1.0 / gamma
    Dt = np.zeros((M + 1, L))
    for j in range(M + 1):
        for l in range(L):
            R[0, j, l] = np.inf
    for l in range(L):
        R[0, 0, l] = 0.0
    for i in range(1, N + 1):
        _load_row(D, b0, nb, i - 1, Dt)
        for l in range(L):
            R[i, 0, l] = np.inf
        for j in range(1, M + 1):
            for l in range(L):
                a = R[i - 1, j - 1, l]
                b = R[i - 1, j, l]
                c = R[i, j - 1, l]
                lo = a if a < b else b
                hi = b if a < b else a
                rmin = lo if lo < c else c
                rmid = c if lo < c else lo
                # softmin = rmin - γ log(1 + e^{-(rmid - rmin)/γ} + e^{-(hi - rmin)/γ})
                s = 1.0 + _exp((rmin - rmid) * inv) + _exp((rmin - hi) * inv)
                v = Dt[j, l] + (rmin - gamma * _log_1_4(s))
                R[i, j, l] = np.nan if (a != a) | (b != b) | (c != c) else v  # the comparisons drop NaN
    for l in range(nb):
        out[b0 + l] = R[N, M, l]


@_njit
def _backward_chunk(D, b0, nb, gamma, R, g, G):  # pragma: no cover - compiled
    """G[b0 + l] = g[b0 + l] · E for the chunk, E = ∂R[N, M]/∂D from the forward table R (N+1, M+1, L).

    Row sweep from the end: with Q = R - D (the softmin part of a cell),
    ``E[i, j] = Σ_s E[s] exp((Q[s] - R[i, j])/γ)`` over the successors s = (i+1, j), (i, j+1), (i+1, j+1).
    Only two rows of Q and E are kept.
    """
    N, M = D.shape[1], D.shape[2]
    L = R.shape[2]
    inv = 1.0 / gamma
    Dt = np.zeros((M + 1, L))
    Qn = np.full((M + 2, L), -np.inf)  # Q of row i+1 (-inf: no successor below row N)
    Qc = np.empty((M + 2, L))
    En = np.zeros((M + 2, L))
    Ec = np.empty((M + 2, L))
    for l in range(L):  # virtual successor (N+1, M+1) of (N, M) with weight 1
        Qn[M + 1, l] = R[N, M, l]
        En[M + 1, l] = 1.0
    for i in range(N, 0, -1):
        _load_row(D, b0, nb, i - 1, Dt)
        for l in range(L):
            Qc[M + 1, l] = -np.inf
            Ec[M + 1, l] = 0.0
        for j in range(M, 0, -1):
            for l in range(L):
                r = R[i, j, l]
                Qc[j, l] = r - Dt[j, l]
                Ec[j, l] = (En[j, l] * _exp((Qn[j, l] - r) * inv)
                            + Ec[j + 1, l] * _exp((Qc[j + 1, l] - r) * inv)
                            + En[j + 1, l] * _exp((Qn[j + 1, l] - r) * inv))
        _store_row(Ec, g, b0, nb, i - 1, G)
        Qn, Qc = Qc, Qn
        En, Ec = Ec, En
        if i == N:
            for l in range(L):
                En[M + 1, l] = 0.0


@_njit
def _forward_serial(D, gamma, starts, counts, R, out):  # pragma: no cover - compiled
    for c in range(starts.size):
        _forward_chunk(D, starts[c], counts[c], gamma, R[c], out)


@_njit_parallel
def _forward_parallel(D, gamma, starts, counts, R, out):  # pragma: no cover - compiled
    for c in _prange(starts.size):
        _forward_chunk(D, starts[c], counts[c], gamma, R[c], out)


@_njit
def _backward_serial(D, gamma, starts, counts, active, R, g, G):  # pragma: no cover - compiled
    for c in range(starts.size):
        if active[c]:
            _backward_chunk(D, starts[c], counts[c], gamma, R[c], g, G)


@_njit_parallel
def _backward_parallel(D, gamma, starts, counts, active, R, g, G):  # pragma: no cover - compiled
    for c in _prange(starts.size):
        if active[c]:
            _backward_chunk(D, starts[c], counts[c], gamma, R[c], g, G)


_parallel_lock = threading.Lock()


class _BufferPool:
    """Reusable arrays for the large per-call buffers (cost matrices, DP tables, gradients).

    A fresh allocation of tens of MB costs one page fault per 4 KiB page (about 2 µs each on the project's
    machine, i.e. ~15 ms for the 31 MB table of 120 problems of 180 × 180), more than the matmul that fills it.
    A buffer is handed out again once nothing refers to it any more (its reference count shows only the
    pool's own reference: numpy views and tensors made from them keep their base array alive). Idle buffers
    beyond ``keep_bytes`` are dropped; arrays under ``min_bytes`` are not pooled.
    """

    def __init__(self, keep_bytes: int = 256 << 20, min_bytes: int = 1 << 20):
        self.keep_bytes, self.min_bytes = keep_bytes, min_bytes
        self._bufs: list[np.ndarray] = []
        self._lock = threading.Lock()

    def _free(self, k: int) -> bool:
        return sys.getrefcount(self._bufs[k]) <= 2  # the list's reference and getrefcount's argument

    def take(self, shape, dtype) -> np.ndarray:
        """An uninitialised C-contiguous array of ``shape`` and ``dtype`` (reused memory when possible)."""
        dtype = np.dtype(dtype)
        n = math.prod(shape) * dtype.itemsize
        if n < self.min_bytes:
            return np.empty(shape, dtype)
        with self._lock:
            pick = None
            for k in range(len(self._bufs)):
                size = self._bufs[k].nbytes
                if n <= size <= 2 * n and self._free(k) and (pick is None or size < self._bufs[pick].nbytes):
                    pick = k
            if pick is None:
                self._bufs.append(np.empty(n, dtype=np.uint8))
                pick = len(self._bufs) - 1
            out = self._bufs[pick][:n].view(dtype).reshape(shape)
            idle = [k for k in range(len(self._bufs)) if self._free(k)]
            excess = sum(self._bufs[k].nbytes for k in idle) - self.keep_bytes
            for k in sorted(idle, key=lambda k: -self._bufs[k].nbytes):
                if excess <= 0:
                    break
                excess -= self._bufs[k].nbytes
                self._bufs[k] = None
            self._bufs = [b for b in self._bufs if b is not None]
        return out

    def clear(self) -> None:
        """Forget every buffer (memory is returned once the arrays still in use are dropped)."""
        with self._lock:
            self._bufs = []


_POOL = _BufferPool()


def _n_threads() -> int:
    """Threads the caller grants: torch's intra-op thread count, capped by numba's pool."""
    if numba is None:
        return 1
    return max(1, min(torch.get_num_threads(), numba.config.NUMBA_NUM_THREADS))


class _Plan:
    """Chunks of batch rows for the kernels: no chunk straddles two segments (x-y, x-x, y-y)."""

    def __init__(self, segments: list[int], threads: int):
        starts, counts = [], []
        per = max(-(-max(segments) // _MAX_LANES), 1)
        if threads > 1:  # enough chunks to share among the threads
            per = max(per, -(-threads // len(segments)))  # at least one chunk per thread
        b = 0
        for n in segments:
            k = min(per, n)
            for p in range(k):
                c = n // k + (p < n % k)
                starts.append(b)
                counts.append(c)
                b += c
        self.starts = np.asarray(starts, dtype=np.int64)
        self.counts = np.asarray(counts, dtype=np.int64)
        self.lanes = -(-max(counts, default=0) // _LANE_MULTIPLE) * _LANE_MULTIPLE
        self.threads = threads if len(starts) > 1 else 1
        self.segment_of_chunk = [s for s, n in enumerate(segments) for _ in range(min(per, n))]

    def run(self, serial, parallel, *args):
        if self.threads > 1 and _parallel_lock.acquire(blocking=False):
            before = numba.get_num_threads()
            try:
                numba.set_num_threads(self.threads)
                return parallel(*args)
            finally:
                numba.set_num_threads(before)
                _parallel_lock.release()
        return serial(*args)


def _dp_forward(Dn: np.ndarray, gamma: float, segments: list[int]):
    """Run the forward kernel on Dn (B, N, M) (float32 or float64). Returns (values (B,) float64, state)."""
    B, N, M = Dn.shape
    if N == 0 or M == 0:
        raise InputError(f"soft-DTW needs non-empty sequences; got cost matrices of shape {Dn.shape}.")
    plan = _Plan(segments, _n_threads() if B * N * M >= _MIN_PARALLEL_CELLS else 1)
    R = _POOL.take((plan.starts.size, N + 1, M + 1, plan.lanes), np.float64)
    out = np.empty(B)
    plan.run(_forward_serial, _forward_parallel, Dn, float(gamma), plan.starts, plan.counts, R, out)
    return out, (plan, R)


def _dp_backward(Dn: np.ndarray, gamma: float, state, g: np.ndarray, need_segments=None) -> np.ndarray:
    """G (B, N, M) in Dn's dtype with ``G[b] = g[b] · ∂R_b[N, M]/∂D_b``, rows of segments not needed left unset."""
    plan, R = state
    if need_segments is None:
        active = np.ones(plan.starts.size, dtype=np.bool_)
    else:
        active = np.array([need_segments[s] for s in plan.segment_of_chunk], dtype=np.bool_)
    G = _POOL.take(Dn.shape, Dn.dtype)
    plan.run(_backward_serial, _backward_parallel, Dn, float(gamma), plan.starts, plan.counts, active, R,
             np.ascontiguousarray(g, dtype=np.float64), G)
    return G


_NUMPY_DTYPE = {torch.float32: np.float32, torch.float64: np.float64}


def _as_numpy(D: torch.Tensor) -> np.ndarray:
    D = D.detach()
    if D.dtype not in (torch.float32, torch.float64):
        D = D.to(torch.float64)
    return np.ascontiguousarray(D.cpu().numpy())


class SoftDTWFunction(torch.autograd.Function):
    """Soft-DTW value R[N, M] of cost matrices D (B, N, M) with the exact analytic backward ∂/∂D = E.

    ``SoftDTWFunction.apply(D, gamma)`` returns a tensor of shape (B,) in D's dtype; the dynamic programme
    runs in float64 whatever D's dtype.
    """

    @staticmethod
    def forward(ctx, D: torch.Tensor, gamma: float) -> torch.Tensor:
        Dn = _as_numpy(D)
        out, state = _dp_forward(Dn, gamma, [Dn.shape[0]])
        ctx.gamma, ctx.Dn, ctx.state = float(gamma), Dn, state
        ctx.device, ctx.dtype = D.device, D.dtype
        return torch.from_numpy(out).to(device=D.device, dtype=D.dtype)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_out: torch.Tensor):
        g = grad_out.detach().to(torch.float64).cpu().reshape(-1).numpy()
        G = _dp_backward(ctx.Dn, ctx.gamma, ctx.state, g)
        return torch.from_numpy(G).to(device=ctx.device, dtype=ctx.dtype), None


class _MatmulDivergence(torch.autograd.Function):
    """Soft-DTW divergence of x, y (B, T, d) with the matrix-product cost, all three programmes fused."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, y: torch.Tensor, gamma: float) -> torch.Tensor:
        B, N = x.shape[0], x.shape[1]
        if x.device.type == "cpu":
            D = torch.from_numpy(_POOL.take((3 * B, N, N), _NUMPY_DTYPE[x.dtype]))
        else:
            D = torch.empty((3 * B, N, N), dtype=x.dtype, device=x.device)
        nx, ny = (x * x).sum(-1), (y * y).sum(-1)
        # D = |a_i|² + |b_j|² - 2 a_i·b_j for (a, b) = (x, y), (x, x), (y, y), written in place
        for k, (a, b, na, nb) in enumerate(((x, y, nx, ny), (x, x, nx, nx), (y, y, ny, ny))):
            Dk = D[k * B : (k + 1) * B]
            torch.baddbmm(nb.unsqueeze(1), a, b.transpose(1, 2), alpha=-2.0, out=Dk)
            Dk.add_(na.unsqueeze(2))
        Dn = _as_numpy(D)
        out, state = _dp_forward(Dn, gamma, [B, B, B])
        ctx.save_for_backward(x, y)
        ctx.gamma, ctx.Dn, ctx.state = float(gamma), Dn, state
        v = out[:B] - 0.5 * (out[B : 2 * B] + out[2 * B :])
        return torch.from_numpy(v).to(device=x.device, dtype=x.dtype)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_out: torch.Tensor):
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        B = x.shape[0]
        g = grad_out.detach().to(torch.float64).cpu().reshape(-1).numpy()
        g3 = np.concatenate([g, -0.5 * g, -0.5 * g])
        G = torch.from_numpy(_dp_backward(ctx.Dn, ctx.gamma, ctx.state, g3, [True, need_x, need_y]))
        G = G.to(device=x.device)
        Gxy = G[:B]
        grads = []
        # Σ_ij G_ij D_ij with D_ij = |a_i|² + |b_j|² - 2 a_i·b_j has ∂/∂a_i = 2(Σ_j G_ij a_i - Σ_j G_ij b_j);
        # the self term (a = b) adds the transpose: G → G + Gᵀ
        for need, k, z, other, Gc in ((need_x, 1, x, y, Gxy), (need_y, 2, y, x, Gxy.transpose(1, 2))):
            if not need:
                grads.append(None)
                continue
            Gs = G[k * B : (k + 1) * B]
            if z.device.type == "cpu":
                S = torch.from_numpy(_POOL.take(Gs.shape, _NUMPY_DTYPE[z.dtype]))
                torch.add(Gs, Gs.transpose(1, 2), out=S)
            else:
                S = Gs + Gs.transpose(1, 2)
            w = (Gc.sum(2) + S.sum(2)).unsqueeze(2)
            acc = torch.bmm(Gc, other)
            acc.baddbmm_(S, z)
            acc.addcmul_(w, z, value=-1.0)
            grads.append(acc.mul_(-2.0))
        return grads[0], grads[1], None


def _check_xy(x: torch.Tensor, y: torch.Tensor) -> None:
    if not (torch.is_tensor(x) and torch.is_tensor(y)):
        raise InputError("soft-DTW expects torch tensors x (B, Tx, d) and y (B, Ty, d).")
    if x.ndim != 3 or y.ndim != 3 or x.shape[0] != y.shape[0] or x.shape[2] != y.shape[2]:
        raise InputError(
            f"soft-DTW expects x of shape (B, Tx, d) and y of shape (B, Ty, d) with the same B and d; "
            f"got {tuple(x.shape)} and {tuple(y.shape)}. Add a batch axis with x[None] for a single pair."
        )
    if x.shape[1] == 0 or y.shape[1] == 0:
        raise InputError(f"soft-DTW needs at least one frame in x and y; got {tuple(x.shape)} and {tuple(y.shape)}.")


def pairwise_sq_dist(x: torch.Tensor, y: torch.Tensor, dist: str = "matmul") -> torch.Tensor:
    """Squared-Euclidean cost D[b, i, j] = ||x[b, i] - y[b, j]||².

    Parameters
    ----------
    x : Tensor of shape (B, N, d)
    y : Tensor of shape (B, M, d)
    dist : {"matmul", "exact"}
        "matmul": ||x||² + ||y||² - 2 x yᵀ (one GEMM; cancellation error ~eps·||x||², harmless in float64);
        "exact": the broadcast difference (B·N·M·d memory).

    Returns
    -------
    Tensor of shape (B, N, M)
    """
    if dist == "matmul":
        xx = (x * x).sum(-1, keepdim=True)
        yy = (y * y).sum(-1).unsqueeze(1)
        return xx + yy - 2.0 * torch.bmm(x, y.transpose(1, 2))
    if dist == "exact":
        return ((x.unsqueeze(2) - y.unsqueeze(1)) ** 2).sum(-1)
    raise InputError(f"dist must be 'matmul' or 'exact', got {dist!r}.")


def _auto_dist(x: torch.Tensor, y: torch.Tensor, dist: str) -> str:
    if dist != "auto":
        if dist not in ("matmul", "exact"):
            raise InputError(f"dist must be 'auto', 'matmul' or 'exact', got {dist!r}.")
        return dist
    if x.dtype == torch.float64:
        return "matmul"
    # lower precision: the exact form avoids cancellation when x ≈ y, as long as it stays small
    return "exact" if x.shape[0] * x.shape[1] * y.shape[1] * x.shape[2] <= 4_000_000 else "matmul"


def soft_dtw(x: torch.Tensor, y: torch.Tensor, gamma: float = 0.1, dist: str = "auto") -> torch.Tensor:
    """Soft-DTW value per batch row.

    Parameters
    ----------
    x : Tensor of shape (B, Tx, d)
    y : Tensor of shape (B, Ty, d)
    gamma : float, default 0.1
        Soft-min temperature (> 0).
    dist : {"auto", "matmul", "exact"}
        How the squared-Euclidean cost is formed (see :func:`pairwise_sq_dist`); "auto" = matmul in float64,
        exact for small lower-precision inputs.

    Returns
    -------
    Tensor of shape (B,)
        ``-gamma log Σ_A exp(-<A, D>/gamma)`` over monotone alignments A, in the dtype of ``x``.
    """
    _check_xy(x, y)
    if not gamma > 0:
        raise InputError(f"gamma must be > 0, got {gamma}.")
    D = pairwise_sq_dist(x, y, _auto_dist(x, y, dist))
    return SoftDTWFunction.apply(D, float(gamma))


def soft_dtw_divergence(x: torch.Tensor, y: torch.Tensor, gamma: float = 0.1, dist: str = "auto") -> torch.Tensor:
    """Soft-DTW divergence ``sdtw(x, y) - ½ (sdtw(x, x) + sdtw(y, y))`` per batch row.

    Same as tslearn ``SoftDTWLossPyTorch(gamma, normalize=True)`` but exact in float64 (tslearn rounds its DP
    table through float32). Non-negative up to rounding, zero when x == y.

    Parameters
    ----------
    x : Tensor of shape (B, Tx, d)
    y : Tensor of shape (B, Ty, d)
    gamma : float, default 0.1
    dist : {"auto", "matmul", "exact"}

    Returns
    -------
    Tensor of shape (B,)

    Notes
    -----
    With the matrix-product cost and Tx == Ty the three programmes run fused (one matmul, one kernel call, a
    closed-form backward); otherwise the cost matrices are built with autograd and the programmes of equal
    shape share one kernel call.
    """
    _check_xy(x, y)
    if not gamma > 0:
        raise InputError(f"gamma must be > 0, got {gamma}.")
    mode = _auto_dist(x, y, dist)
    B = x.shape[0]
    if x.shape == y.shape:
        if mode == "matmul" and x.dtype in (torch.float32, torch.float64) and y.dtype == x.dtype:
            return _MatmulDivergence.apply(x, y, float(gamma))
        if y.requires_grad or not x.requires_grad:
            D = torch.cat([pairwise_sq_dist(x, y, mode), pairwise_sq_dist(x, x, mode), pairwise_sq_dist(y, y, mode)])
            v = SoftDTWFunction.apply(D, float(gamma))
            return v[:B] - 0.5 * (v[B : 2 * B] + v[2 * B :])
        D = torch.cat([pairwise_sq_dist(x, y, mode), pairwise_sq_dist(x, x, mode)])
        v = SoftDTWFunction.apply(D, float(gamma))
        with torch.no_grad():
            vyy = SoftDTWFunction.apply(pairwise_sq_dist(y, y, mode), float(gamma))
        return v[:B] - 0.5 * (v[B:] + vyy)
    return soft_dtw(x, y, gamma, mode) - 0.5 * (soft_dtw(x, x, gamma, mode) + soft_dtw(y, y, gamma, mode))


def soft_dtw_reference(D: np.ndarray, gamma: float) -> float:
    """Plain double-loop soft-DTW recurrence on one cost matrix D (N, M) in float64 (for tests/benchmarks)."""
    D = np.asarray(D, dtype=np.float64)
    N, M = D.shape
    R = np.full((N + 1, M + 1), np.inf)
    R[0, 0] = 0.0
    for i in range(1, N + 1):
        for j in range(1, M + 1):
            r = -np.array([R[i - 1, j - 1], R[i - 1, j], R[i, j - 1]]) / gamma
            rmax = r.max()
            R[i, j] = D[i - 1, j - 1] - gamma * (np.log(np.exp(r - rmax).sum()) + rmax)
    return float(R[N, M])
