"""Part II study: the context-shift ladder's worlds, the top-8 protocol, the SD-KL pseudocode, signed CC, the
soft-DTW window stride, settings, the published numbers and the claims' judges."""
from __future__ import annotations


import numpy as np
import pytest
import torch

from neurokit.errors import InputError, UnknownNameError

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SIZE, N1, N2 = 64, 360, 320  # the embedded frame size


# ----------------------------------------------------------------------------------------- the ladder's worlds
@pytest.fixture(scope="module")
def ladder():
    from neurokit.sim.retina import movie1_frames
    from neurokit.sim.retina_stimuli import LADDER, ladder_movie

    m1 = movie1_frames(N1, SIZE, seed=3)
    return m1, {r.name: ladder_movie(r.name, N2, SIZE, 3, m1) for r in LADDER}


def test_movie1_second_half_continues_the_first_halfs_scenes():
    """Within-movie split with pixel context: test frame k·90 of the second half is the frame after training
    frame k·90 + 89, in the same scene; scene boundaries inside a half are cuts."""
    from neurokit.sim.retina_stimuli import SCENE_FRAMES, objects_clip, scene_movie

    m = scene_movie(N1, SIZE, seed=3, world="objects")
    half = N1 // 2
    clip0 = objects_clip(0, SIZE, 3)
    np.testing.assert_array_equal(m[:SCENE_FRAMES], clip0[:SCENE_FRAMES])
    np.testing.assert_array_equal(m[half : half + SCENE_FRAMES], clip0[SCENE_FRAMES:])
    step = lambda a, b: np.abs(a.astype(float) - b).mean()  # noqa: E731
    across_split = step(m[SCENE_FRAMES - 1], m[half])  # consecutive frames of scene 0
    cut = step(m[SCENE_FRAMES - 1], m[SCENE_FRAMES])  # scene 0 → scene 1 inside the first half
    assert across_split < 0.25 * cut


def test_each_rung_keeps_movie1s_luminance_and_contrast(ladder):
    m1, rungs = ladder
    for name, f in rungs.items():
        assert f.shape == (N2, SIZE, SIZE) and f.dtype == np.uint8
        assert abs(f.mean() - m1.mean()) < 1.0, name
        assert abs(f.std() / m1.std() - 1) < 0.02, name


def test_rung1_is_another_draw_of_movie1s_world(ladder):
    from neurokit.sim.retina_stimuli import MOVIE2_SEED_OFFSET, match_moments, scene_movie

    m1, rungs = ladder
    same = rungs["same_world"]
    expect = match_moments(scene_movie(N2, SIZE, 3 + MOVIE2_SEED_OFFSET, "objects"), m1.mean(), m1.std())
    np.testing.assert_array_equal(same, expect)  # the same generator, only the seed differs
    assert np.abs(same.astype(float) - m1[:N2]).mean() > 10  # but other content


def test_rungs_move_away_from_movie1_in_the_stated_order(ladder):
    """Context distance (nearest training patch) grows rung by rung; the within-movie half stays close."""
    from neurokit.studies.vist.stimuli import frame_statistics, patch_distance

    m1, rungs = ladder
    train, test = m1[: N1 // 2], m1[N1 // 2 :]
    d0 = patch_distance(train, test, n_test=600, n_train=6000)
    d = [patch_distance(train, rungs[n], n_test=600, n_train=6000) for n in ("same_world", "novel_world",
                                                                           "noise_flicker")]
    assert d0 < d[0] < d[1] < d[2]
    # temporal statistics: the two object worlds move alike; the noise rung jitters
    diff = {n: frame_statistics(f)["mean |frame difference|"] for n, f in rungs.items()}
    base = frame_statistics(m1)["mean |frame difference|"]
    assert 0.5 < diff["same_world"] / base < 2 and 0.5 < diff["novel_world"] / base < 2.5
    assert diff["noise_flicker"] > 3 * base


def test_noise_rung_is_1_over_f2_with_global_flicker():
    from neurokit.sim.retina_stimuli import noise_flicker_frames
    from neurokit.studies.vist.stimuli import spectral_slope

    f = noise_flicker_frames(470, SIZE, seed=1)
    assert -2.4 < spectral_slope(f) < -1.6  # power ∝ 1/f²
    contrast = f.reshape(len(f), -1).std(1)
    spec = np.abs(np.fft.rfft(contrast - contrast.mean()))
    freqs = np.fft.rfftfreq(len(contrast))
    assert abs(freqs[np.argmax(spec[1:]) + 1] - 1 / 47) < 0.005  # the flicker period


def test_novel_world_uses_none_of_the_video_worlds_shapes():
    """Novel scenes are not made by the video world's generator (no frame of a novel clip equals any frame the
    objects world draws for the same index and seed) and have its scene structure."""
    from neurokit.sim.retina_stimuli import SCENE_FRAMES, novel_clip, objects_clip

    for i in range(3):
        a, b = novel_clip(i, SIZE, 5), objects_clip(i, SIZE, 5)
        assert a.shape == b.shape == (2 * SCENE_FRAMES, SIZE, SIZE)
        assert np.abs(a - b).mean() > 5
        np.testing.assert_array_equal(a, novel_clip(i, SIZE, 5))  # deterministic
    with pytest.raises(InputError, match="unknown rung"):
        from neurokit.sim.retina_stimuli import ladder_movie

        ladder_movie("moon", 10, SIZE, 0, np.zeros((4, SIZE, SIZE)) + 100)


def test_ladder_statistics_table(tmp_path):
    from neurokit.sim.retina import simulate_retina
    from neurokit.studies.vist.stimuli import ladder_statistics, read_movies

    simulate_retina(tmp_path, "smoke", seed=0)
    m1, cross = read_movies(tmp_path)
    assert list(cross) == ["MOVIE03", "MOVIE03_NOVEL", "MOVIE03_NOISE"]
    st = ladder_statistics(m1, cross)
    assert list(st["level"]) == [0, 1, 2, 3]
    assert st["context distance"].iloc[0] == 1.0
    assert (st["context distance"].iloc[1:] > 1).all()


# ----------------------------------------------------------------------------------------- metrics
def test_signed_mean_beside_abs_mean():
    from neurokit.vist.metrics import cc_aggregates, pearson_cc

    rng = np.random.default_rng(0)
    t = rng.standard_normal((3, 200))
    p = np.stack([t[0], -t[1], t[2] + 0.5 * rng.standard_normal(200)])  # cell 1 anti-correlated
    r, absmean = pearson_cc(p, t)
    agg = cc_aggregates(r)
    assert agg["abs_mean"] == pytest.approx(absmean)
    assert agg["mean"] == pytest.approx(r.mean()) and agg["mean"] < agg["abs_mean"] - 0.6
    assert agg["n_negative"] == 1 and agg["pos_mean"] == pytest.approx(np.mean(r[[0, 2]]))


def test_top_k_protocol_picks_and_averages_the_same_cells():
    from neurokit.vist.metrics import complementary_subsets, top_k_cells, top_k_mean

    r_full = np.array([0.1, 0.9, 0.3, 0.9, -0.2, 0.5, 0.7, 0.0, 0.8, 0.2])
    top = top_k_cells(r_full, 4)
    assert top.tolist() == [1, 3, 8, 6]  # best first, ties by index
    # every condition's subsets hold every top cell; n >= k: one model, n < k: the top split into groups
    for n in (10, 6, 4):
        subs = complementary_subsets(10, top, n, seed=0)
        assert len(subs) == 1 and len(subs[0]) == n and set(top) <= set(subs[0].tolist())
    again = complementary_subsets(10, top, 6, seed=0)[0]
    assert complementary_subsets(10, top, 6, seed=0)[0].tolist() == again.tolist()  # seeded
    ones = complementary_subsets(10, top, 1)
    assert [s.tolist() for s in ones] == [[1], [3], [8], [6]]
    twos = complementary_subsets(10, top, 2)
    assert sorted(c for s in twos for c in s.tolist()) == sorted(top.tolist())
    # the mean over the top cells, whatever else a model predicts; singles averaged over their models
    assert top_k_mean([(np.arange(10), r_full)], top) == pytest.approx(np.mean([0.9, 0.9, 0.8, 0.7]))
    singles = [(np.array([c]), np.array([0.1 * (i + 1)])) for i, c in enumerate(top)]
    assert top_k_mean(singles, top) == pytest.approx(0.25)
    sub = complementary_subsets(10, top, 6, seed=0)[0]
    assert top_k_mean([(sub, r_full[sub])], top) == pytest.approx(np.mean(r_full[top]))
    with pytest.raises(InputError, match="no model"):
        top_k_mean(singles[:2], top)
    with pytest.raises(InputError):
        complementary_subsets(10, [1, 1], 3)


def _kde_reference(d, grid, alpha):
    """Gaussian KDE with bandwidth alpha · sample std (ddof 1), written out."""
    h = alpha * np.std(d, ddof=1)
    z = (grid[:, None] - d[None]) / h
    return np.exp(-0.5 * z**2).sum(1) / (len(d) * h * np.sqrt(2 * np.pi))


def test_sdkl_pseudocode_is_the_algorithm_as_written():
    from scipy.signal import find_peaks, peak_widths

    from neurokit.vist.metrics import sdkl_trace_pseudocode

    rng = np.random.default_rng(1)
    t = np.arange(600)
    target = 0.7 + 0.6 * np.sin(2 * np.pi * t / 21) * np.sin(2 * np.pi * t / 140)  # peaks above β = 1
    pred = target + 0.15 * rng.standard_normal(600)
    alpha, beta = 0.3, 1.0

    def widths(x):  # step 1-2: clip to [0, β] first, then peaks and full widths on the clipped trace
        xc = np.clip(x, 0, beta)
        return peak_widths(xc, find_peaks(xc)[0], rel_height=1.0)[0]

    d, d_hat = widths(target), widths(pred)
    union = np.concatenate([d, d_hat])
    var = alpha * np.mean((union - union.mean()) ** 2)  # step 3: α times the biased variance
    grid = np.linspace(union.min() - 3 * var, union.max() + 3 * var, 200)  # step 4
    p = _kde_reference(d, grid, alpha)  # steps 5-6: bandwidth α·std, not α²
    q = _kde_reference(d_hat, grid, alpha)
    p, q = p / p.sum(), q / q.sum()  # steps 7-8
    keep = q > 0
    expect = float(np.sum(q[keep] * np.log(q[keep] / p[keep])))  # step 9: KL(P_pred ‖ P_target)
    got = sdkl_trace_pseudocode(target, pred, alpha, beta)
    assert got == pytest.approx(min(max(expect, 0), 1000), rel=1e-6)
    assert sdkl_trace_pseudocode(target, target) == 0.0
    # clipping before peak finding: a trace whose peaks all rise above β has flat tops, measured once each
    assert sdkl_trace_pseudocode(target, np.full(600, 0.3)) == 1000.0  # no peaks: the clip value
    # it is not the code's α = 0.3 (which squares α and uses another grid and clipping)
    from neurokit.vist.metrics import sdkl_trace

    assert got != pytest.approx(sdkl_trace(target, pred, bandwidth_factor=0.3))


def test_sdkl_pseudocode_population_and_bounds():
    from neurokit.vist.metrics import spike_kde_divergence_pseudocode

    rng = np.random.default_rng(2)
    tgt = np.abs(rng.standard_normal((4, 300))).cumsum(1) % 1.2
    pred = tgt + 0.5 * rng.standard_normal((4, 300))
    mean, scores = spike_kde_divergence_pseudocode(pred, tgt)
    assert scores.shape == (4,) and np.all((scores >= 0) & (scores <= 1000)) and mean == pytest.approx(scores.mean())
    m3, _ = spike_kde_divergence_pseudocode(np.stack([pred[:, :150], pred[:, 150:]]),
                                            np.stack([tgt[:, :150], tgt[:, 150:]]))
    assert m3 == pytest.approx(mean)  # segments joined per cell


# ----------------------------------------------------------------------------------------- loss and registry
def test_soft_dtw_window_stride_options():
    from neurokit.vist.loss import ViSTLoss, window_starts

    assert window_starts(128, 6) == list(range(0, 122, 3))  # code: w // 2
    assert window_starts(128, 6, 1) == list(range(0, 122))  # poster: every one of the L − n windows
    with pytest.raises(InputError):
        window_starts(128, 6, 0)
    g = torch.Generator().manual_seed(0)
    y = torch.rand(2, 64, 5, generator=g, dtype=torch.float64)
    yh = torch.rand(2, 5, 64, generator=g, dtype=torch.float64)
    code, poster = ViSTLoss().terms(yh, y), ViSTLoss(window_stride=1).terms(yh, y)
    assert code["rmse"] == poster["rmse"] and code["neg"] == poster["neg"]
    assert set(code) == set(poster) and not torch.equal(code["sdtw_6"], poster["sdtw_6"])


def test_rmse_only_variant_trains_on_the_rmse_term_alone():
    from neurokit.vist import zoo
    from neurokit.vist.loss import ViSTLoss

    y = torch.rand(1, 64, 3, dtype=torch.float64)
    yh = -torch.rand(1, 3, 64, dtype=torch.float64)  # negative outputs: the ReLU term would be non-zero
    terms = ViSTLoss(**zoo.get("vist_rmse_only").loss).terms(yh, y)
    assert list(terms) == ["rmse"]
    assert set(ViSTLoss(**zoo.get("vist_no_sdtw").loss).terms(yh, y)) == {"rmse", "neg"}
    assert zoo.get("vist_sdtw_stride1").loss == {"window_stride": 1}


# ----------------------------------------------------------------------------------------- settings and prose
def test_settings_validate_and_give_equal_recipes():
    from neurokit.studies.vist.settings import settings

    s = settings("embedded")
    assert s.steps == s.epochs * s.batches_per_epoch and s.frames_per_step == s.batch_size * s.window
    a, b = s.train_config(), s.train_config(seed=5)
    assert (a.epochs, a.lr, a.batch_size, a.window) == (b.epochs, b.lr, b.batch_size, b.window) and b.seed == 5
    assert settings("paper").steps == 1440
    d = s.train_config(budget=2)
    assert d.epochs == 2 * a.epochs and d.lr == a.lr and d.swa_start > a.swa_start
    with pytest.raises(UnknownNameError):
        settings("embedded", epoch=3)
    with pytest.raises(InputError, match="window"):
        settings("embedded", window=20)
    with pytest.raises(InputError, match="vist"):
        settings("embedded", models=("ln",))
    with pytest.raises(UnknownNameError):
        settings("embedded", ablations=("vist_no_such_thing",))
    with pytest.raises(InputError, match="decreasing"):
        settings("embedded", cell_counts=(1, 8, 24))


def test_rehearsal_cuts_repetitions_and_keeps_the_paper_shapes(monkeypatch):
    """A rehearsal of the paper profile keeps the paper's model, batches and comparisons and runs the authors'
    schedule (warm-up, cosine, SWA) in the fewest epochs; without the rehearsal the paper settings are untouched."""
    from neurokit.config import REHEARSAL_ENV
    from neurokit.studies.vist.settings import REHEARSAL_RECIPE, rehearse, settings
    from neurokit.vist import zoo
    from neurokit.vist.model import PAPER_N_PARAMS, count_parameters

    monkeypatch.setenv(REHEARSAL_ENV, "0")
    paper = settings("paper")
    assert not paper.rehearsal and paper.steps == 1440
    monkeypatch.setenv(REHEARSAL_ENV, "1")
    r = settings("paper")
    assert r == rehearse(paper) and r.rehearsal
    assert settings("embedded") == settings("embedded", rehearsal=False)  # only the paper profile is rehearsed
    for name in ("video_layers", "video_dim", "models", "ablations", "budget_check", "layers", "layer_input_size",
                 "top_k", "standardize", "paper_recipe", "curve_every"):
        assert getattr(r, name) == getattr(paper, name), name
    assert r.check_seeds == (1,) and r.cell_counts == (90, 45)
    cfg, ref = r.train_config(), paper.train_config()
    assert (cfg.window, cfg.lr, cfg.lr_min, cfg.swa_lr, cfg.device, cfg.bf16) == (
        ref.window, ref.lr, ref.lr_min, ref.swa_lr, ref.device, ref.bf16)
    # the windows per batch are a count, subsampled by a stated factor: 16 -> 1 window of 128 frames
    assert (ref.batch_size, cfg.batch_size) == (16, REHEARSAL_RECIPE["batch_size"]) and r.frames_per_step == 128
    assert r.steps == cfg.epochs * cfg.batches_per_epoch == 3
    # every phase of the schedule runs: warm-up (rising lr), cosine, then SWA at the SWA lr
    lrs = [cfg.lr_at(e) for e in range(cfg.epochs)]
    assert cfg.warmup == 1 and 0 < cfg.swa_start < cfg.epochs and lrs[-1] == pytest.approx(cfg.swa_lr)
    assert r.curve_every < cfg.epochs  # every run stops after an epoch and resumes from its checkpoint
    d = r.train_config(budget=2)
    assert d.epochs == 2 * REHEARSAL_RECIPE["epochs"] and d.swa_start < d.epochs
    shape = zoo.ModelShape(feat_dim=1024, n_cells=90, size=64, video_layers=r.video_layers, video_dim=r.video_dim)
    assert count_parameters(zoo.create("vist", shape)) == PAPER_N_PARAMS == 1_702_952
    with pytest.raises(InputError, match="paper"):
        rehearse(settings("embedded"))
    with pytest.raises(InputError, match="paper"):
        settings("embedded", rehearsal=True)


def test_sentences_follow_the_numbers():
    from neurokit.studies.vist.prose import budget_verdict, change, ladder_verdict, versus

    assert change(0.2, 0.3).startswith("CC rises") and change(0.3, 0.2).startswith("CC drops")
    assert "stays" in change(0.3, 0.3)
    assert versus(0.2, 0.4, "Vi-ST", "LN", 0.05).startswith("LN is ahead of Vi-ST") and "more than" in \
        versus(0.2, 0.4, "Vi-ST", "LN", 0.05)
    assert "within the seed spread" in versus(0.41, 0.4, "Vi-ST", "LN", 0.05)
    assert "holds" in ladder_verdict(0.1, 0.3, 0.05, 0.3, "x")
    assert "contradicts" in ladder_verdict(0.3, 0.1, -0.3, -0.05, "x")
    assert "does not separate" in ladder_verdict(0.3, 0.25, -0.2, 0.1, "x")
    assert "stopped improving" in budget_verdict(0.40, 0.405, 0.01, 240, "CC")
    assert "still improving" in budget_verdict(0.40, 0.45, 0.01, 240, "CC") and "rises" in \
        budget_verdict(0.40, 0.45, 0.01, 240, "CC")
    assert "overfits" in budget_verdict(0.45, 0.40, 0.01, 240, "CC")


# ----------------------------------------------------------------------------------------- published and claims
def test_published_numbers_are_the_posters():
    from neurokit.studies.vist import published

    t = published.generalisation_table()
    v = t[t["model"] == "Vi-ST"].set_index("direction")["CC"]
    assert v.to_dict() == {"Mov1 → Mov1": 0.789, "Mov2 → Mov2": 0.570, "Mov1 → Mov2": 0.334,
                           "Mov2 → Mov1": 0.281}
    assert (t["source"].str.contains("poster")).all()
    d = published.poster_drops().set_index("model")
    assert d.loc["Vi-ST", "drop"] == pytest.approx(0.455) and "CRNN" not in d.index
    logs = published.logs_table()
    assert set(logs["final"]) == {0.3047, 0.2275}
    assert published.complementary_table().query("`cells modelled` == 90")["top-8 mean CC"].tolist() == [0.54, 0.39]
    assert published.ablation_table().set_index("paper ablation").loc["replace loss by RMSE", "our variant"] == \
        "vist_rmse_only"


def _numbers(**kw):
    base = dict(vist_drop=0.2, baseline_drop_mean=0.4, drop_diff_ci_low=0.05, vist_cc_cross=0.4,
                best_baseline_cc_cross=0.3, seed_spread_cross=0.02, vist_cc_within=0.5, baseline_cc_within_mean=0.6,
                seed_spread_within=0.02, abl_delta_vist_no_adaln=-0.05, abl_delta_vist_no_cmst=0.01,
                abl_delta_vist_rmse_only=0.1, layer_cc_range=0.1, comp_gain=0.2, comp_selection_bias=0.02,
                comp_top_full=0.5, comp_top_one=0.3, comp_top_eight=0.45, n_params=1_702_952,
                sdkl_pseudo_noise_0=0.0, sdkl_pseudo_noise_10=3.0, sdkl_pseudo_noise_90=5.0)
    return {**base, **kw}


def test_every_claim_is_judged_from_glued_numbers():
    from neurokit.claims import VERDICTS, evaluate
    from neurokit.studies.vist.claims import CLAIMS

    keys = [c.key for c in CLAIMS]
    assert len(keys) == len(set(keys)) and all(c.part == "II" for c in CLAIMS)
    rows = {c.key: evaluate(c, _numbers()) for c in CLAIMS}
    assert all(r["verdict"] in VERDICTS and r["verdict"] != "not run" for r in rows.values())
    assert rows["II.poster.generalises_better"]["verdict"] == "recovered"
    assert rows["II.ablation.rf_condition"]["verdict"] == "recovered"
    assert rows["II.ablation.multiscale"]["verdict"] == "not recovered"
    assert rows["II.ablation.loss"]["verdict"] == "not recovered"
    assert rows["II.fig5b.feature_layer"]["verdict"] == "not testable in this world"
    assert rows["II.model.parameters"]["verdict"] == "recovered"
    flipped = {c.key: evaluate(c, _numbers(vist_drop=0.5, drop_diff_ci_low=-0.2, comp_gain=-0.1, comp_top_full=0.2))
               for c in CLAIMS}
    assert flipped["II.poster.generalises_better"]["verdict"] == "not recovered"
    assert flipped["II.fig6.complementary_coding"]["verdict"] == "not recovered"
    assert evaluate(CLAIMS[0], {})["verdict"] == "not run"


# ----------------------------------------------------------------------------------------- analyses on fake runs
def _run(key, within, cross, steps=10, cells=None):
    from neurokit.studies.vist.experiment import RunResult

    w, c = np.asarray(within, float), np.asarray(cross, float)
    return RunResult(key, key, {"within": {"cc": float(np.abs(w).mean()), "cc_signed": float(w.mean()), "sdkl": 1.0},
                                "MOVIE03": {"cc": float(np.abs(c).mean()), "cc_signed": float(c.mean()), "sdkl": 1.0}},
                     per_cell={"within": w, "MOVIE03": c}, cells=np.arange(len(w)) if cells is None else cells,
                     steps=steps)


def test_drop_difference_interval_resamples_cells():
    from neurokit.studies.vist.generalisation import drop_difference_ci

    rng = np.random.default_rng(0)
    w = 0.8 + 0.05 * rng.standard_normal(40)  # every |r| stays positive
    runs = {"vist": _run("vist", w, w - 0.1), "dinov2_mstcn": _run("d", w, w - 0.5), "i3d_mstcn": _run("i", w, w - 0.4)}
    d, lo, hi = drop_difference_ci(runs, "MOVIE03")
    assert d == pytest.approx(0.35) and lo <= d <= hi and lo > 0.3
    same = {"vist": runs["vist"], "dinov2_mstcn": runs["vist"], "i3d_mstcn": runs["vist"]}
    assert drop_difference_ci(same, "MOVIE03")[:3] == pytest.approx((0.0, 0.0, 0.0))


def test_ablation_order_against_the_paper_and_the_seed_spread():
    from neurokit.studies.vist import ablations
    from neurokit.studies.vist.experiment import Movies
    from neurokit.studies.vist.settings import settings

    s = settings("embedded", ablations=("vist_no_adaln", "vist_no_cmst", "vist_rmse_only", "vist_no_sdtw"),
                 check_seeds=(1,))
    w = np.full(10, 0.5)
    runs = {"vist": _run("vist", w, np.full(10, 0.30)), "vist, seed 1": _run("s1", w, np.full(10, 0.31)),
            "vist_no_adaln": _run("a", w, np.full(10, 0.36)),  # ahead by 6 spreads: paper has it behind
            "vist_no_cmst": _run("c", w, np.full(10, 0.305)),  # within the spread
            "vist_rmse_only": _run("r", w, np.full(10, 0.25)),  # behind, as the paper
            "vist_no_sdtw": _run("n", w, np.full(10, 0.40))}  # no counterpart in the figure
    from neurokit.studies.vist import generalisation

    runs.update({j.key: runs.get(j.key, _run(j.key, w, w)) for j in generalisation.jobs(s)})
    movies = Movies(train=None, cross={"MOVIE03": None})
    res = ablations.run(s, movies, runs)
    order = res.table["order vs paper"]
    assert res.seed_spread == pytest.approx(0.01)
    assert order["vist_no_adaln"] == "opposite" and res.opposite == ("vist_no_adaln",)
    assert order["vist_no_cmst"] == "within seed spread" and order["vist_rmse_only"] == "as paper"
    assert order["vist_no_sdtw"] == "no counterpart"
    assert (res.table["training steps"] == 10).all()


def test_complementary_table_follows_the_top8_protocol():
    """The full model's top cells fix the comparison; each condition's number is the mean CC of those cells."""
    from neurokit.studies.vist import complementary
    from neurokit.studies.vist.experiment import Movies
    from neurokit.studies.vist.settings import settings
    from neurokit.vist.metrics import top_k_cells

    class _Train:  # the two attributes the analysis reads
        n_cells = 12
        movie = "MOVIE01"

    s = settings("embedded", cell_counts=(12, 8, 4, 1), top_k=8)
    rng = np.random.default_rng(3)
    full_cross, full_within = rng.uniform(0, 0.8, 12), rng.uniform(0, 0.8, 12)
    runs = {"vist": _run("vist", full_within, full_cross)}
    top = top_k_cells(full_cross, 8)
    for job in complementary.jobs(s, 12, top, "MOVIE03"):
        cells = np.asarray(job.cells)
        runs[job.key] = _run(job.key, 0.5 * full_within[cells], 0.5 * full_cross[cells], cells=cells)
    movies = Movies(train=_Train(), cross={"MOVIE03": None})
    res = complementary.run(s, movies, runs)
    col = "top-8 mean CC (cross)"
    assert res.top.tolist() == top.tolist()
    assert res.table.loc[12, col] == pytest.approx(full_cross[top].mean())
    for n in (8, 4, 1):  # every smaller model predicts its top cells at half the full model's CC
        assert res.table.loc[n, col] == pytest.approx(0.5 * full_cross[top].mean())
    assert list(res.table["models"]) == [1, 1, 2, 8]
    within_top = top_k_cells(full_within, 8)
    assert res.selection_bias == pytest.approx(full_cross[top].mean() - full_cross[within_top].mean())
    assert res.selection_bias >= 0  # choosing on the test movie itself can only raise the full model's top-8 mean


def test_efficientnet_block_tokens_land_on_the_16x16_grid():
    """B1 (stride 4 at 64 px) is the grid itself; B2 (8 × 8) and B3 (4 × 4) are repeated onto it, so the tokens of
    one coarse cell are equal and the token order is row-major."""
    from neurokit.studies.vist.layers import block_tokens

    frames = (np.random.default_rng(0).random((3, 64, 64)) * 255).astype(np.uint8)
    tok = block_tokens(frames, ["B1", "B2", "B3"], input_size=64)
    assert {b: t.shape for b, t in tok.items()} == {"B1": (3, 256, 24), "B2": (3, 256, 40), "B3": (3, 256, 112)}
    g2 = tok["B2"].reshape(3, 16, 16, 40)
    np.testing.assert_array_equal(g2[:, 0, 0], g2[:, 1, 1])  # one 8 × 8 cell covers tokens (0..1, 0..1)
    assert not np.array_equal(g2[:, 0, 0], g2[:, 0, 2])
    g3 = tok["B3"].reshape(3, 16, 16, 112)
    np.testing.assert_array_equal(g3[:, 0, 0], g3[:, 3, 3])
    assert all(t.flags["C_CONTIGUOUS"] for t in tok.values())
