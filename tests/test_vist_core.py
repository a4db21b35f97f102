"""Vi-ST model, soft-DTW, loss and metrics: parameter count, causality, exactness, edge cases."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from neurokit.errors import InputError
from neurokit.vist.loss import ViSTLoss, window_starts
from neurokit.vist.metrics import pearson_cc, positive_mean_std, sdkl_trace, spike_kde_divergence
from neurokit.vist.model import PAPER_N_PARAMS, FrameConv3d, ViST, count_parameters
from neurokit.vist.softdtw import SoftDTWFunction, pairwise_sq_dist, soft_dtw, soft_dtw_divergence, soft_dtw_reference


pytestmark = pytest.mark.usefixtures("one_torch_thread")


# ----------------------------------------------------------------------------------------- model
def test_paper_parameter_count_and_blocks():
    m = ViST()
    assert count_parameters(m) == PAPER_N_PARAMS == 1_702_952
    assert m.temporal_reach == 183
    # block-wise counts of the authors' torchinfo table
    assert sum(p.numel() for p in m.stage1.conv_1x1.parameters()) == 262_400
    assert all(sum(p.numel() for p in layer.parameters()) == 73_472 for layer in m.stage1.layers)
    assert sum(p.numel() for p in m.adaln.parameters()) == 32_760
    assert [sum(p.numel() for p in b.parameters()) for b in m.cmst] == [109_710, 117_090, 102_510, 96_030]
    assert sum(p.numel() for p in m.readout.parameters()) == 518_490
    assert count_parameters(ViST(causal=False)) == PAPER_N_PARAMS


@pytest.mark.parametrize("kernel, dilation, groups", [
    ((3, 3, 3), (4, 1, 1), "depthwise"),  # C3TCN layer
    ((25, 3, 3), (1, 1, 1), "depthwise"),  # CMST temporal branch
    ((1, 3, 3), (1, 1, 1), 1),  # CMST w = 1 branch
    ((1, 1, 1), (1, 1, 1), 1),  # 1x1x1 mappings
])
def test_frame_conv3d_matches_conv3d_values_and_gradients(kernel, dilation, groups):
    c = 5
    g = c if groups == "depthwise" else 1
    torch.manual_seed(0)
    fast = FrameConv3d(c, c, kernel, dilation=dilation, groups=g).double()
    ref = torch.nn.Conv3d(c, c, kernel, dilation=dilation, groups=g).double()
    ref.load_state_dict(fast.state_dict())
    x = torch.randn(2, c, 40, 9, 7, dtype=torch.float64, requires_grad=True)
    y_fast, y_ref = fast(x), ref(x)
    assert y_fast.shape == y_ref.shape
    torch.testing.assert_close(y_fast, y_ref, rtol=1e-12, atol=1e-12)
    w = torch.randn_like(y_ref)
    g_fast = torch.autograd.grad((y_fast * w).sum(), [x, fast.weight, fast.bias])
    g_ref = torch.autograd.grad((y_ref * w).sum(), [x, ref.weight, ref.bias])
    for a, b in zip(g_fast, g_ref):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


def _tiny(**kw):
    torch.manual_seed(0)
    return ViST(video_layers=6, video_dim=16, feat_dim=3, n_cells=3, grid=10, **kw).double().eval()


def test_causal_reach_is_exactly_183_frames():
    m = _tiny()
    T, t0 = 230, 20
    x = torch.randn(1, T, 100, 3, dtype=torch.float64)
    rf = torch.rand(1, 3, 10, 10, dtype=torch.float64)
    with torch.no_grad():
        y0 = m(x, rf)
        x2 = x.clone()
        x2[:, t0] += torch.randn(100, 3, dtype=torch.float64)
        d = (m(x2, rf) - y0).abs().amax(dim=(0, 1)).numpy()
    moved = np.nonzero(d > 0)[0]
    assert moved.min() == t0 and moved.max() == t0 + 182  # t … t+182 move, nothing else
    assert np.all(d[:t0] == 0) and np.all(d[t0 + 183 :] == 0)


def test_noncausal_variant_looks_ahead():
    m = _tiny(causal=False)
    x = torch.randn(1, 60, 100, 3, dtype=torch.float64)
    with torch.no_grad():
        y0 = m(x)
        x2 = x.clone()
        x2[:, 40] += 1.0
        d = (m(x2) - y0).abs().amax(dim=(0, 1))
    assert d[:40].max() > 0  # earlier outputs see the future frame


def _reference_pair(dtype, train, **kw):
    """The current ViST and the frozen reference (tests/_vist_reference.py) with the same random weights."""
    from _vist_reference import ViST as ReferenceViST

    torch.manual_seed(0)
    m = ViST(**kw).to(dtype).train(train)
    with torch.no_grad():
        for p in m.parameters():  # non-trivial weights everywhere (AdaLN's modulation is zero at init)
            p.copy_(torch.randn_like(p) * 0.3)
    ref = ReferenceViST(**kw).to(dtype).train(train)
    ref.load_state_dict(m.state_dict())
    return m, ref


def _values_and_grads(m, x, rf):
    x = x.clone().requires_grad_()
    y = m(x, rf)
    w = torch.linspace(-1, 1, y.numel(), dtype=y.dtype).reshape(y.shape)
    grads = torch.autograd.grad((y * w).sum(), [x, *m.parameters()])
    return y, grads


TINY = dict(video_layers=3, video_dim=8, feat_dim=5, n_cells=6, grid=12)


@pytest.mark.parametrize("kw", [
    {},
    {"causal": False},
    {"rf_mode": "per_cell", "video_layers": 2},
    {"use_adaln": False, "cmst_windows": [[1]] * 4},
    {"cmst_windows": [[3, 1], [5], [1, 2, 7], [1, 1]]},  # several full / depthwise branches, even window
    {"causal": False, "cmst_windows": [[1, 5], [3], [1, 7], [1]]},
], ids=["causal", "symmetric", "per_cell", "no_adaln_no_cmst", "windows", "symmetric_windows"])
@pytest.mark.parametrize("train", [False, True], ids=["eval", "train_bn_batch_stats"])
def test_cpu_formulation_matches_reference_in_float64(kw, train):
    """The channels-last CPU formulation computes the reference's function: outputs, gradients w.r.t. the input
    and every parameter, and (train mode) the BatchNorm running statistics, to float64 rounding."""
    cfg = {**TINY, **kw, "dropout": 0.0}
    m, ref = _reference_pair(torch.float64, train, **cfg)
    g = torch.Generator().manual_seed(1)
    x = torch.randn(2, 37, cfg["grid"] ** 2, cfg["feat_dim"], dtype=torch.float64, generator=g)
    rf = torch.rand(2, cfg["n_cells"], cfg["grid"], cfg["grid"], dtype=torch.float64, generator=g)
    y, grads = _values_and_grads(m, x, rf)
    y_ref, grads_ref = _values_and_grads(ref, x, rf)
    y, y_ref = y.detach(), y_ref.detach()
    torch.testing.assert_close(y, y_ref, rtol=1e-10, atol=1e-12 * float(y_ref.abs().max()))
    scale = max(float(g.abs().max()) for g in grads_ref)  # bias grads before a train-mode BN are ~0: absolute
    for a, b in zip(grads, grads_ref):
        torch.testing.assert_close(a, b, rtol=1e-9, atol=1e-12 * scale)
    for a, b in zip(m.buffers(), ref.buffers()):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-14)
    with torch.no_grad():
        y_modules = m.eval()._forward_modules(x, rf) if not train else None
    if y_modules is not None:  # the module path inside the current model is the same reference
        torch.testing.assert_close(y, y_modules, rtol=1e-10, atol=1e-12 * float(y_ref.abs().max()))


def test_cpu_formulation_matches_reference_in_float32():
    """float32 (oneDNN's fused conv-add path): outputs and gradients agree with the reference to ~1e-5 of scale;
    the causal reach is still exact (an input change at frame t leaves every earlier output bit-identical)."""
    cfg = dict(video_layers=3, video_dim=16, feat_dim=6, n_cells=8, grid=12, dropout=0.0)
    m, ref = _reference_pair(torch.float32, True, **cfg)
    g = torch.Generator().manual_seed(2)
    x = torch.randn(2, 48, 144, 6, generator=g)
    rf = torch.rand(2, 8, 12, 12, generator=g)
    y, grads = _values_and_grads(m, x, rf)
    y_ref, grads_ref = _values_and_grads(ref, x, rf)
    y, y_ref = y.detach(), y_ref.detach()
    torch.testing.assert_close(y, y_ref, rtol=0, atol=1e-5 * float(y_ref.abs().max()))
    scale = max(float(g.abs().max()) for g in grads_ref)  # bias grads before a train-mode BN are ~0: absolute
    for a, b in zip(grads, grads_ref):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-5 * scale)
    m.eval()
    t0 = 30
    with torch.no_grad():
        y0 = m(x, rf)
        x2 = x.clone()
        x2[:, t0] += 1.0
        d = (m(x2, rf) - y0).abs().amax(dim=(0, 1))
    assert torch.all(d[:t0] == 0) and d[t0] > 0


def test_cpu_dropout_masks_follow_the_modules():
    """Dropout3d masks are drawn exactly as F.dropout3d draws them; the element-wise dropout mask keeps a fraction
    1 - p of the elements, scaled by 1 / (1 - p)."""
    from neurokit.vist.model import _channel_masks, _dropout_mask

    drops = [torch.nn.Dropout3d(0.25), torch.nn.Dropout3d(0.5)]
    torch.manual_seed(3)
    ours = _channel_masks(drops, 4, 6, torch.zeros(1))
    torch.manual_seed(3)
    theirs = [torch.nn.functional.dropout3d(torch.ones(4, 6, 1, 1, 1), d.p, True)[..., 0, 0, 0] for d in drops]
    for a, b in zip(ours, theirs):
        assert torch.equal(a, b)
    assert _channel_masks([torch.nn.Dropout3d(0.25).eval()], 4, 6, torch.zeros(1)) == [None]
    p = 0.25
    mask = _dropout_mask(torch.zeros(400_000), torch.nn.Dropout(p))
    assert set(mask.unique().tolist()) == {0.0, torch.tensor(1 / (1 - p)).item()}
    kept = float((mask > 0).double().mean())
    assert abs(kept - (1 - p)) < 5 * math.sqrt(p * (1 - p) / mask.numel())
    assert _dropout_mask(torch.zeros(3), torch.nn.Dropout(p).eval()) is None


def test_adaln_zero_is_identity_at_init_and_rf_modes():
    m = _tiny()
    h = torch.randn(2, 3, 5, 10, 10, dtype=torch.float64)
    c = torch.rand(2, 3, 1, 10, 10, dtype=torch.float64)
    assert torch.equal(m.adaln(h, c), h)
    torch.nn.init.normal_(m.adaln.modulation.weight)
    rf = torch.rand(2, 3, 10, 10, dtype=torch.float64)
    c_sum = m.condition(rf, 2, h)
    assert torch.allclose(c_sum[:, 0], rf.sum(1, keepdim=True)[:, 0:1].squeeze(1).unsqueeze(1))
    assert torch.equal(c_sum[:, 0], c_sum[:, 2])  # same map for every channel (code)
    m2 = _tiny(rf_mode="per_cell")
    assert torch.equal(m2.condition(rf, 2, h)[:, 1, 0], rf[:, 1])
    x = torch.randn(2, 8, 100, 3, dtype=torch.float64)
    assert m(x, rf).shape == (2, 3, 8)
    with pytest.raises(InputError):
        m(torch.randn(2, 8, 99, 3, dtype=torch.float64))


# ----------------------------------------------------------------------------------------- soft-DTW
def test_soft_dtw_matches_plain_recurrence_and_gradcheck():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(3, 7, 4, dtype=torch.float64, generator=g)
    y = torch.randn(3, 5, 4, dtype=torch.float64, generator=g)
    v = soft_dtw(x, y, gamma=0.1)
    D = pairwise_sq_dist(x, y, "exact")
    ref = [soft_dtw_reference(D[b].numpy(), 0.1) for b in range(3)]
    np.testing.assert_allclose(v.numpy(), ref, rtol=1e-13)
    Dg = D.clone().requires_grad_()
    assert torch.autograd.gradcheck(lambda d: SoftDTWFunction.apply(d, 0.1), (Dg,), eps=1e-6, atol=1e-7, rtol=1e-6)
    xg = x.clone().requires_grad_()
    assert torch.autograd.gradcheck(lambda a: soft_dtw_divergence(a, y[:, :7] if False else y, 0.5), (xg,))


def test_soft_dtw_gradient_vs_central_differences_1e10():
    g = torch.Generator().manual_seed(2)
    x = torch.rand(2, 9, 5, dtype=torch.float64, generator=g).requires_grad_()
    y = torch.rand(2, 9, 5, dtype=torch.float64, generator=g)
    soft_dtw_divergence(x, y).sum().backward()
    grad = x.grad.numpy().ravel()
    fd = np.zeros_like(grad)
    base = x.detach().clone()
    h = 1e-5
    for k in range(grad.size):
        e = torch.zeros(grad.size, dtype=torch.float64)
        e[k] = h
        e = e.reshape(base.shape)
        f = lambda z: soft_dtw_divergence(z, y).sum().item()  # noqa: E731
        # 4th-order central difference
        fd[k] = (-f(base + 2 * e) + 8 * f(base + e) - 8 * f(base - e) + f(base - 2 * e)) / (12 * h)
    assert np.abs(grad - fd).max() / np.abs(grad).max() < 1e-9


@pytest.mark.slow  # tslearn's numba JIT alone takes 30-60 s on the shared machine
def test_soft_dtw_divergence_properties_and_tslearn_agreement():
    from tslearn.metrics import SoftDTWLossPyTorch

    g = torch.Generator().manual_seed(3)
    x = torch.rand(4, 12, 6, dtype=torch.float64, generator=g)
    y = torch.rand(4, 10, 6, dtype=torch.float64, generator=g)
    assert torch.allclose(soft_dtw_divergence(x, x), torch.zeros(4, dtype=torch.float64), atol=1e-10)
    ours = soft_dtw_divergence(x, y)
    ref = SoftDTWLossPyTorch(gamma=0.1, normalize=True)(x, y)
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-6)  # tslearn rounds through float32
    assert (ours > 0).all()


def _fd4(f, z, h=1e-5):
    """4th-order central differences of the scalar function f at the float64 tensor z."""
    base = z.detach().clone().reshape(-1)
    fd = np.zeros(base.numel())
    for k in range(base.numel()):
        def at(d):
            w = base.clone()
            w[k] += d
            return f(w.reshape(z.shape)).item()
        fd[k] = (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h)
    return fd.reshape(z.shape)


def _rel_err(g, fd):
    return float(np.abs(np.asarray(g) - fd).max() / np.abs(fd).max())


@pytest.mark.parametrize("gamma", [0.01, 0.1, 1.0, 10.0])
def test_soft_dtw_float32_costs_run_in_float64(gamma):
    """float32 cost matrices are promoted inside the kernel: same float64 values and gradients as float64 costs."""
    from neurokit.vist import softdtw as S

    D32 = torch.rand(5, 9, 7, generator=torch.Generator().manual_seed(4)) * 3
    D64 = D32.double()
    v32, st32 = S._dp_forward(D32.numpy(), gamma, [5])
    v64, st64 = S._dp_forward(D64.numpy(), gamma, [5])
    ref = [soft_dtw_reference(D64[b].numpy(), gamma) for b in range(5)]
    np.testing.assert_allclose(v64, ref, rtol=1e-13)
    assert np.array_equal(v32, v64)
    g = np.linspace(0.5, 2.0, 5)
    G32, G64 = S._dp_backward(D32.numpy(), gamma, st32, g), S._dp_backward(D64.numpy(), gamma, st64, g)
    assert G32.dtype == np.float32 and np.array_equal(G32, G64.astype(np.float32))
    out = SoftDTWFunction.apply(D32, gamma)
    assert out.dtype == torch.float32 and np.allclose(out.numpy(), v64, rtol=1e-6)


def test_soft_dtw_divergence_fused_matches_autograd_path():
    """The fused matmul path (one kernel call, closed-form backward) = cost matrices through autograd."""
    g = torch.Generator().manual_seed(6)
    x = torch.rand(5, 11, 6, dtype=torch.float64, generator=g)
    y = torch.rand(5, 11, 6, dtype=torch.float64, generator=g)

    def generic(a, b):
        D = torch.cat([pairwise_sq_dist(a, b), pairwise_sq_dist(a, a), pairwise_sq_dist(b, b)])
        v = SoftDTWFunction.apply(D, 0.1)
        return v[:5] - 0.5 * (v[5:10] + v[10:])

    for y_grad in (False, True):
        xs = [x.clone().requires_grad_() for _ in range(2)]
        ys = [y.clone().requires_grad_(y_grad) for _ in range(2)]
        v_fused = soft_dtw_divergence(xs[0], ys[0], 0.1, dist="matmul")
        v_gen = generic(xs[1], ys[1])
        np.testing.assert_allclose(v_fused.detach().numpy(), v_gen.detach().numpy(), rtol=1e-12)
        w = torch.linspace(0.3, 1.7, 5, dtype=torch.float64)  # a non-uniform upstream gradient
        (v_fused * w).sum().backward()
        (v_gen * w).sum().backward()
        np.testing.assert_allclose(xs[0].grad.numpy(), xs[1].grad.numpy(), rtol=1e-10, atol=1e-13)
        if y_grad:
            np.testing.assert_allclose(ys[0].grad.numpy(), ys[1].grad.numpy(), rtol=1e-10, atol=1e-13)
    # float32 inputs: float32 costs and gradients, float64 programme
    x32, y32 = x.float().requires_grad_(), y.float()
    v32 = soft_dtw_divergence(x32, y32, 0.1, dist="matmul")
    v32.sum().backward()
    xg = x.clone().requires_grad_()
    soft_dtw_divergence(xg, y, 0.1).sum().backward()
    assert v32.dtype == torch.float32 and x32.grad.dtype == torch.float32
    scale = float(soft_dtw(x, y).abs().max())
    assert np.abs(v32.detach().double().numpy() - soft_dtw_divergence(x, y).numpy()).max() < 1e-5 * scale
    assert np.abs(x32.grad.double().numpy() - xg.grad.numpy()).max() < 1e-4 * float(xg.grad.abs().max())


def test_soft_dtw_divergence_gradients_vs_finite_differences_both_inputs():
    """Gradients w.r.t. x and y, equal lengths (fused path) and unequal lengths (one programme per shape)."""
    g = torch.Generator().manual_seed(8)
    for tx, ty in ((6, 6), (7, 5)):
        x = torch.rand(2, tx, 3, dtype=torch.float64, generator=g).requires_grad_()
        y = torch.rand(2, ty, 3, dtype=torch.float64, generator=g).requires_grad_()
        v = soft_dtw_divergence(x, y)
        np.testing.assert_allclose(v.detach().numpy(), _ref_divergence(x.detach(), y.detach()).numpy(), rtol=1e-12)
        v.sum().backward()
        assert _rel_err(x.grad.numpy(), _fd4(lambda z: soft_dtw_divergence(z, y.detach()).sum(), x)) < 1e-9
        assert _rel_err(y.grad.numpy(), _fd4(lambda z: soft_dtw_divergence(x.detach(), z).sum(), y)) < 1e-9


def test_soft_dtw_kernels_independent_of_chunking_and_threads(monkeypatch):
    """Chunk widths (batch rows per SIMD sweep) and the parallel kernels change nothing."""
    import numba

    from neurokit.vist import softdtw as S

    D = torch.rand(21, 8, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(9)).numpy() * 2
    g = np.linspace(-1.0, 1.0, 21)
    runs = []
    threads = (1, 2) if numba.config.NUMBA_NUM_THREADS >= 2 else (1,)
    monkeypatch.setattr(S, "_MIN_PARALLEL_CELLS", 0)
    for lanes in (8, 16, 64):
        for n in threads:
            monkeypatch.setattr(S, "_MAX_LANES", lanes)
            monkeypatch.setattr(S, "_n_threads", lambda n=n: n)
            v, state = S._dp_forward(D, 0.1, [7, 7, 7])
            runs.append((v, S._dp_backward(D, 0.1, state, g).copy()))
    ref = [soft_dtw_reference(D[b], 0.1) for b in range(21)]
    for v, G in runs:
        np.testing.assert_allclose(v, ref, rtol=1e-13)
        np.testing.assert_allclose(v, runs[0][0], rtol=1e-15)
        np.testing.assert_allclose(G, runs[0][1], rtol=1e-14, atol=1e-16)


def test_soft_dtw_buffer_pool_never_hands_out_live_buffers(monkeypatch):
    """Two divergences alive at once (as in the Vi-ST loss) keep their own tables; freed buffers are reused."""
    from neurokit.vist import softdtw as S

    pool = S._BufferPool(min_bytes=0)
    a = pool.take((100,), np.float64)
    b = pool.take((10, 10), np.float64)
    assert not np.shares_memory(a, b)
    addr = a.__array_interface__["data"][0]
    del a
    assert pool.take((10, 10), np.float64).__array_interface__["data"][0] == addr
    monkeypatch.setattr(S, "_POOL", S._BufferPool(min_bytes=0))
    gen = torch.Generator().manual_seed(10)
    x1, y1, x2, y2 = (torch.rand(3, 9, 4, dtype=torch.float64, generator=gen) for _ in range(4))
    xs = [x1.clone().requires_grad_(), x2.clone().requires_grad_()]
    (soft_dtw_divergence(xs[0], y1).sum() + 2.0 * soft_dtw_divergence(xs[1], y2).sum()).backward()
    for x, y, w, got in ((x1, y1, 1.0, xs[0].grad), (x2, y2, 2.0, xs[1].grad)):
        xg = x.clone().requires_grad_()
        (w * soft_dtw_divergence(xg, y).sum()).backward()
        np.testing.assert_allclose(got.numpy(), xg.grad.numpy(), rtol=1e-13)


def test_soft_dtw_exp_log_kernels_within_one_ulp():
    import numba

    from neurokit.vist import softdtw as S

    @numba.njit
    def both(u, v, eu, lv):
        for k in range(u.size):
            eu[k] = S._exp(u[k])
        for k in range(v.size):
            lv[k] = S._log_1_4(v[k])

    rng = np.random.default_rng(0)
    u = np.concatenate([-rng.uniform(0, 700, 20_000), -rng.uniform(0, 1e-3, 1000), [0.0, -1e-300, 1e-12]])
    v = np.concatenate([rng.uniform(1, 4, 20_000), [1.0, 1 + 1e-15, 2.0, 3.0, 4.0, np.sqrt(2), 2 * np.sqrt(2)]])
    eu, lv = np.empty_like(u), np.empty_like(v)
    both(u, v, eu, lv)
    assert (np.abs(eu - np.exp(u)) <= np.spacing(np.exp(u))).all()
    assert (np.abs(lv - np.log(v)) <= np.spacing(np.maximum(np.log(v), 1e-300)) + 1e-300).all()
    e = np.empty(3)
    both(np.array([-np.inf, -708.5, -1000.0]), np.ones(0), e, np.ones(0))
    assert (e == 0).all()


def test_soft_dtw_nan_input_gives_nan_row_only():
    g = torch.Generator().manual_seed(11)
    x = torch.rand(3, 6, 4, dtype=torch.float64, generator=g)
    y = torch.rand(3, 6, 4, dtype=torch.float64, generator=g)
    clean = soft_dtw_divergence(x, y)
    x[1, 2, 0] = float("nan")
    for v in (soft_dtw_divergence(x, y), soft_dtw(x, y) - soft_dtw(x, y) + clean):
        assert torch.isnan(v[1]) and torch.equal(v[[0, 2]], clean[[0, 2]])


# ----------------------------------------------------------------------------------------- loss
def _ref_divergence(a, b, gamma=0.1):
    """Soft-DTW divergence per row from the plain double-loop recurrence (independent of our kernels)."""
    def one(u, v):
        D = ((u[:, None, :] - v[None, :, :]) ** 2).sum(-1)
        return soft_dtw_reference(D, gamma)

    a, b = a.numpy(), b.numpy()
    return torch.tensor([one(x, y) - 0.5 * (one(x, x) + one(y, y)) for x, y in zip(a, b)], dtype=torch.float64)


def _reference_loss(y_hat, y):
    """Straight transcription of the formula of spec §5 with a plain-loop soft-DTW divergence."""
    sd = _ref_divergence
    yh = y_hat.permute(0, 2, 1)
    T = y.shape[1]
    loss = 0.1 * torch.sqrt(((yh - y) ** 2).mean()) + 0.5 * torch.relu(-yh).mean()
    for w in (T // 20, T // 10):
        a = torch.cat([yh[:, i : i + w] for i in range(0, T - w, w // 2)])
        b = torch.cat([y[:, i : i + w] for i in range(0, T - w, w // 2)])
        loss = loss + 0.5e-5 * sd(a, b).mean()
    return loss


@pytest.mark.parametrize("T", [40, 53, 100])
def test_loss_matches_reference_formula(T):
    g = torch.Generator().manual_seed(T)
    y_hat = torch.randn(2, 5, T, dtype=torch.float64, generator=g)
    y = torch.rand(2, T, 5, dtype=torch.float64, generator=g)
    ours = ViSTLoss()(y_hat, y)
    np.testing.assert_allclose(ours.item(), _reference_loss(y_hat, y).item(), rtol=1e-9)


def test_loss_windows_and_edge_cases():
    assert len(window_starts(128, 6)) == 41 and window_starts(128, 6)[-1] == 120
    assert window_starts(53, 5) == list(range(0, 48, 2))  # T not divisible by the window
    with pytest.raises(ValueError):
        ViSTLoss()(torch.zeros(1, 3, 39), torch.zeros(1, 39, 3))
    # all-negative prediction: the ReLU term is 0.5·mean(-ŷ)
    y_hat = -torch.ones(1, 3, 40, dtype=torch.float64)
    t = ViSTLoss().terms(y_hat, torch.zeros(1, 40, 3, dtype=torch.float64))
    assert t["neg"].item() == pytest.approx(0.5) and t["rmse"].item() == pytest.approx(0.1)
    # perfect prediction of a non-negative target: zero loss
    y = torch.rand(2, 80, 4, dtype=torch.float64)
    assert ViSTLoss()(y.permute(0, 2, 1), y).item() == pytest.approx(0.0, abs=1e-12)


# ----------------------------------------------------------------------------------------- metrics
def test_pearson_cc_conventions():
    rng = np.random.default_rng(0)
    t = rng.random((2, 4, 50))
    p = t.copy()
    p[:, 1] = -t[:, 1]  # anti-correlated cell
    p[:, 2] = 3.0  # constant prediction → nan → 0
    r, m = pearson_cc(p, t)
    joined = np.concatenate(list(t), axis=1)
    assert r[0] == pytest.approx(1.0) and r[1] == pytest.approx(-1.0) and r[2] == 0.0
    assert m == pytest.approx((1 + 1 + 0 + 1) / 4)
    np.testing.assert_allclose(r[3], np.corrcoef(np.concatenate(list(p), 1)[3], joined[3])[0, 1])
    mean, std = positive_mean_std(np.array([0.5, -0.2, 0.3, 0.0]))
    assert mean == pytest.approx(0.4) and std == pytest.approx(np.std([0.5, 0.3], ddof=1))


def _bumps(widths, T=400, height=0.8):
    x = np.zeros(T)
    pos = 10
    for w in widths:
        x[pos : pos + w] = height * np.hanning(w + 2)[1:-1]
        pos += w + 5
    return x


def test_sdkl_edge_cases():
    one_peak = _bumps([8])
    two = _bumps([6, 9, 12, 7])
    assert sdkl_trace(two, one_peak) == math.inf  # < 2 peaks
    assert sdkl_trace(np.ones(100), two) == math.inf  # constant trace: no peaks
    same_widths = _bumps([8, 8, 8])
    assert sdkl_trace(same_widths, two) == math.inf  # singular KDE covariance
    assert sdkl_trace(two, two) == pytest.approx(0.0, abs=1e-12)
    assert sdkl_trace(two, two, divergence="tvd") == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(InputError):
        sdkl_trace(two, two, divergence="js")


def test_sdkl_outcomes_explain_the_penalties():
    from neurokit.vist.metrics import sdkl_outcomes

    two = _bumps([6, 9, 12, 7])
    T = len(two)
    pred = np.stack([two, -np.ones(T), _bumps([8]), _bumps([8, 8, 8]), two])
    target = np.stack([two, two, two, two, np.zeros(T)])
    labels = sdkl_outcomes(pred, target)
    assert labels == ["finite", "pred < 2 peaks", "pred < 2 peaks", "singular widths", "target < 2 peaks"]
    mean, scores = spike_kde_divergence(pred, target)
    penalised = np.array([lab != "finite" for lab in labels])
    np.testing.assert_array_equal(scores == 1000.0, penalised)  # every 1000 has a named reason
    assert mean == pytest.approx(scores.mean())


def test_sdkl_reference_pipeline_and_direction():
    from scipy.signal import find_peaks, peak_widths
    from scipy.stats import gaussian_kde

    rng = np.random.default_rng(4)
    a = np.convolve(rng.random(600), np.ones(5) / 5, "same")
    b = np.convolve(rng.random(600), np.ones(9) / 9, "same") * 1.4

    def widths(x):
        xc = np.minimum(x, 1.0)
        return peak_widths(xc, find_peaks(x, height=0)[0], rel_height=1.0)[0]

    wa, wb = widths(a), widths(b)
    u = np.concatenate([wa, wb])
    k = gaussian_kde(u)
    bw = np.sqrt(k.covariance[0, 0]) * 0.5  # Scott factor × 0.5 × std
    grid = np.linspace(u.min() - 3 * bw, u.max() + 3 * bw, 200)
    da = gaussian_kde(wa, bw_method=0.25)(grid)  # final factor α² (code quirk)
    db = gaussian_kde(wb, bw_method=0.25)(grid)
    p, q = db / db.sum(), da / da.sum()
    kl_ref = float(np.sum(p * np.log(p / q)))  # KL(P_pred=b ‖ P_target=a)
    assert sdkl_trace(a, b) == pytest.approx(kl_ref, rel=1e-8)
    assert sdkl_trace(a, b, divergence="tvd") == pytest.approx(0.5 * np.abs(db - da).sum(), rel=1e-8)
    # the wrapper's default direction is calc_scores(pred, target) = KL(P_target ‖ P_pred)
    m, s = spike_kde_divergence(b[None], a[None])
    assert s[0] == pytest.approx(sdkl_trace(b, a))
    m2, s2 = spike_kde_divergence(b[None], a[None], direction="paper")
    assert s2[0] == pytest.approx(kl_ref, rel=1e-8)


def test_spike_kde_divergence_penalties_and_no_mutation():
    rng = np.random.default_rng(5)
    target = np.convolve(rng.random(900), np.ones(7) / 7, "same").reshape(3, 300) - 0.2
    pred = target + 0.05 * rng.standard_normal(target.shape)
    pred_copy, target_copy = pred.copy(), target.copy()
    pred3 = np.stack([pred, pred])  # (N, cells, frames)
    target3 = np.stack([target, target])
    pred3[:, 2] = -1.0  # all-negative prediction → zeroed → no peaks → inf → 1000
    m, s = spike_kde_divergence(pred3, target3)
    assert s.shape == (3,) and s[2] == 1000.0 and np.all(np.isfinite(s))
    assert m == pytest.approx(s.mean())
    np.testing.assert_array_equal(pred, pred_copy)
    np.testing.assert_array_equal(target, target_copy)
    assert pred3[0, 2, 0] == -1.0  # caller's arrays untouched
    t = torch.tensor(pred3)
    spike_kde_divergence(t, torch.tensor(target3))
    assert t[0, 2, 0].item() == -1.0
