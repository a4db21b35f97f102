"""The claims of Gamal et al. 2024 that the Part I chapters test, each judged from the chapter's glued numbers.

Each :class:`neurokit.claims.Claim` names the chapter and the glued number that is this build's value, the chance
or control level beside it, what the simulated world planted, and a judge. The judges encode what the chapters
show: a connectivity gain counts only when it beats the same world re-drawn without coupling (a gain that needs no
coupling is shrinkage, not connectivity), a directed matrix only when the world it comes from makes direction
identifiable, and a family test only over independent architectures.
"""
from __future__ import annotations

import math

from neurokit.claims import Claim, at_least, not_testable
from neurokit.studies.encoding.published import CLAIMS as P

__all__ = ["CLAIMS"]


def _finite(n, *names):
    return all(isinstance(n.get(k), (int, float)) and math.isfinite(float(n[k])) for k in names)


def _targets(n):
    if float(n["targets_identity_wins"]) < 0.9:
        return "not testable in this world"  # the pipeline cannot even find the target itself
    return at_least("targets_correct_fraction", 0.75, partly=0.5 + 1e-9)(n)


def _video_dynamic(n):
    wins, dyn = int(n["n_dyn_wins"]), int(n["n_dynamic"])
    if float(n["contrast_p"]) < 0.05 and wins > dyn / 2 and int(n["n_static_wins"]) == 0:
        return "recovered"
    graded = _finite(n, "gap_motion_r") and float(n["gap_motion_r"]) > 0.5  # simulated: tracks the planted share
    return "partly recovered" if graded or wins > 0 else "not recovered"


def _static(n):
    return "recovered" if int(n["n_static_wins"]) == 0 else "not recovered"


def _two_stream(n):
    dyn, wins, static = int(n["n_dynamic"]), int(n["twostream_dyn_wins"]), int(n["twostream_static_wins"])
    if wins > dyn / 2 and static == 0:
        return "recovered"
    return "partly recovered" if wins > 0 else "not recovered"


def _gain(value, control, margin=0.005):
    def judge(n):
        if not _finite(n, value, control):
            return "not testable in this world"  # e.g. real data: no world without coupling to compare with
        v, c = float(n[value]), float(n[control])
        if v > c + margin:
            return "recovered"
        return "not recovered"  # no gain, or a gain the world without coupling gives as well

    return judge


def _full_best(n):
    if not _finite(n, "gain_coupled_world", "gain_no_coupling"):
        return "not testable in this world"
    k, total = int(n["n_full_best"]), int(n["n_rois"])
    if float(n["gain_coupled_world"]) <= float(n["gain_no_coupling"]) + 0.005:
        return "not recovered"
    return "recovered" if k > total / 2 else ("partly recovered" if k > 0 else "not recovered")


def _directed(n):
    if float(n["r_instrumented_directed"]) < 0.9 or float(n["r_instrumented_transposed"]) < 0.9:
        return "not testable in this world"  # the world does not make direction identifiable
    return "recovered" if float(n["r_paper_model_directed"]) >= 0.8 else "not recovered"


def _dynamics_conn(n):
    dyn, wins = int(n["n_dynamic"]), int(n["fig6_same_arch_dyn_wins"])
    return "recovered" if wins > dyn / 2 else ("partly recovered" if wins > 0 else "not recovered")


CLAIMS = [
    Claim(key="I.fig2.family_identifiable", part="I",
          text="A known network's model family (image or video) is identifiable by which family regresses best "
               "onto its blocks (Fig. 2)",
          paper=P["fig2_family_identifiable"],
          planted="the target network's own family (the target is a network of known family; random-init weights "
                  "except EfficientNet-Lite)",
          chapter="encoding_targets", value="targets_correct_fraction", control=0.5, unit="fraction of blocks",
          judge=_targets, needs=("targets_identity_wins",)),
    Claim(key="I.fig3.video_beats_image", part="I",
          text="Video models encode the dynamic ROIs better than image models (Fig. 3a)",
          paper=P["fig3_video_beats_image"],
          planted="motion features (frame differences, kinematics) drive 7 ROIs (V1–V4, LOC, EBA, STS)",
          chapter="encoding_families", value="n_dyn_wins", control="n_dynamic", unit="ROIs", fmt="{:.0f}",
          judge=_video_dynamic, needs=("contrast_p", "n_static_wins", "gap_motion_r")),
    Claim(key="I.fig3.no_video_advantage_static", part="I",
          text="No video advantage in FFA and PPA (Fig. 3a: ns)", paper=P["fig3_video_beats_image"],
          planted="no motion feature reaches FFA or PPA, directly or through connections",
          chapter="encoding_families", value="n_static_wins", control=0.0, unit="ROIs", fmt="{:.0f}",
          judge=_static),
    Claim(key="I.fig3.conv_beats_transformer", part="I",
          text="Convolutional models beat transformers in early-mid ROIs (Fig. 3b)",
          paper=P["fig3_conv_beats_transformer"], planted="nothing planted (no architecture effect in the world)",
          chapter="encoding_families", value="conv_minus_transformer", control=0.0, unit="r",
          judge=not_testable()),
    Claim(key="I.fig3.supervised_beats_ssl", part="I",
          text="Fully supervised models beat self-supervised ones (Fig. 3c)", paper=P["fig3_supervised_beats_ssl"],
          planted="nothing planted (embedded weights are random except EfficientNet-Lite: supervision is a label)",
          chapter="encoding_families", value="supervised_minus_ssl", control=0.0, unit="r",
          judge=not_testable()),
    Claim(key="I.fig4a.two_stream", part="I", text="Two-stream SlowFast beats single-stream Slow (Fig. 4a)",
          paper=P["fig4a_two_stream"],
          planted="motion in the dynamic ROIs (a model that resolves motion better should win there, not in "
                  "FFA/PPA)",
          chapter="encoding_families", value="twostream_dyn_wins", control="n_dynamic", unit="ROIs", fmt="{:.0f}",
          judge=_two_stream, needs=("twostream_static_wins",)),
    Claim(key="I.fig5a.connectivity_gain", part="I",
          text="Inter/intra-region connectivity priors improve encoding (Fig. 5a)", paper=P["fig5a_gain"],
          planted="directed coupling of stimulus drives along 11 connections",
          chapter="encoding_connectivity", value="gain_full", control="gain_no_coupling", unit="r",
          judge=_gain("gain_coupled_world", "gain_no_coupling"), needs=("gain_coupled_world",)),
    Claim(key="I.fig5b.full_best", part="I", text="Intra + inter together beat either alone (Fig. 5b)",
          paper=P["fig5b_full_best"], planted="directed coupling of stimulus drives along 11 connections",
          chapter="encoding_connectivity", value="n_full_best", control="n_rois", unit="ROIs", fmt="{:.0f}",
          judge=_full_best, needs=("gain_coupled_world", "gain_no_coupling")),
    Claim(key="I.fig5c.directed", part="I",
          text="The learned region weights show directed connectivity (Fig. 5c)", paper=P["fig5c_directed"],
          planted="a directed matrix C (and its transpose in the control world), identifiable in the "
                  "instrumented-coupling world",
          chapter="encoding_connectivity", value="r_paper_model_directed", control="r_instrumented_directed",
          unit="r with planted C", judge=_directed, needs=("r_instrumented_transposed", "fig5c_size_r")),
    Claim(key="I.fig6ac.dynamics_with_connectivity", part="I",
          text="With connectivity, video features beat image features (Fig. 6a–c), within one architecture",
          paper=P["fig6ac_dynamics"], planted="motion features drive the 7 dynamic ROIs",
          chapter="encoding_connectivity", value="fig6_same_arch_dyn_wins", control="n_dynamic", unit="ROIs",
          fmt="{:.0f}", judge=_dynamics_conn),
    Claim(key="I.fig6d.bmd_gain", part="I",
          text="Connectivity improves noise-normalised encoding on BOLD Moments (Fig. 6d)", paper=P["fig6d_bmd"],
          planted="directed coupling of stimulus drives (same world, BOLD Moments layout)",
          chapter="encoding_connectivity", value="gain_6d", control="gain_no_coupling", unit="noise-normalised r",
          judge=_gain("gain_coupled_world", "gain_no_coupling"), needs=("gain_coupled_world",)),
]
