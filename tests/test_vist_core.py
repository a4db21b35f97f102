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
