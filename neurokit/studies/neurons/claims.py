"""The claims of NEURONS (Wang et al., ICCV 2025) that Part III tests, each judged from the chapters' glued numbers.

What the simulated cc2017 world plants (:mod:`neurokit.sim.cc2017`): voxels in nine visual areas whose responses
are known mixtures of the clip's feature groups (the coarse image in V1–V4, motion in MT, objects and layout in
LOC, bodies in EBA, animate classes in FFA, scenes in PPA), so every subtask target is decodable from known
voxels. Nothing in the world favours NEURONS-style over NeuroClips-style conditioning: the headline gains are
tested as emergent properties of decoding more subtasks, with the same generator for both.
"""
from __future__ import annotations

from neurokit.claims import Claim, Published
from neurokit.studies.neurons import published as P

__all__ = ["CLAIMS"]

DEC, REC = "neurons_decoding", "neurons_reconstruction"


def _ci_above(value: str, ci: str, control: str):
    """recovered: the interval's lower end is above the control; partly: only the point estimate is."""

    def judge(n):
        v, lo, c = float(n[value]), float(n[ci][0]), float(n[control])
        if lo > c:
            return "recovered"
        return "partly recovered" if v > c else "not recovered"

    return judge


def _gain(value: str, ci: str):
    """recovered: the gain's interval is above 0; partly: the point estimate is; not: it is not."""

    def judge(n):
        v, lo = float(n[value]), float(n[ci][0])
        if lo > 0:
            return "recovered"
        return "partly recovered" if v > 0 else "not recovered"

    return judge


def _count(value: str, total: str):
    """recovered: all; partly: more than half; not: otherwise."""

    def judge(n):
        k, m = int(n[value]), int(n[total])
        if m and k == m:
            return "recovered"
        return "partly recovered" if k > m / 2 else "not recovered"

    return judge


def _above(value: str, control: str, margin: float = 0.0):
    def judge(n):
        v, c = float(n[value]), float(n[control])
        if v > c + margin:
            return "recovered"
        return "partly recovered" if v > c else "not recovered"

    return judge


PLANTED_SUBTASKS = "the targets are functions of feature groups that named visual areas encode (sim.cc2017)"

CLAIMS = [
    Claim("III.headline.consistency", "III",
          "NEURONS improves video consistency by 26.6 % over NeuroClips (CLIP-pcc 0.934 vs 0.738)",
          P.GAINS["clip_pcc"],
          "nothing planted: one generator for both conditionings; the gain can only come from the decoded subtasks",
          REC, "gain_clip_pcc", 0.0, "", _gain("gain_clip_pcc", "gain_clip_pcc_ci"),
          needs=("gain_clip_pcc_ci",), fmt="{:+.1%}"),
    Claim("III.headline.semantics", "III",
          "NEURONS improves semantic accuracy by 19.1 % over NeuroClips (video 50-way 0.262 vs 0.220)",
          P.GAINS["video_50way"],
          "nothing planted: one generator for both conditionings; the gain can only come from the decoded subtasks",
          REC, "gain_video_50way", 0.0, "", _gain("gain_video_50way", "gain_video_50way_ci"),
          needs=("gain_video_50way_ci",), fmt="{:+.1%}"),
    Claim("III.reconstruction.semantics", "III",
          "Reconstructions carry the clip's semantics (video 50-way above its control)",
          Published(0.262, "video 50-way", P.SRC_T1),
          "class, colour, scene and motion of every clip are encoded by known voxels",
          REC, "recon_video_50way", "shuffled_video_50way", "",
          _ci_above("recon_video_50way", "recon_video_50way_ci", "shuffled_video_50way"),
          needs=("recon_video_50way_ci",)),
    Claim("III.robustness", "III", "NEURONS has lower standard deviations across all metrics",
          P.ROBUSTNESS, "nothing planted", REC, "n_lower_std", "n_std_metrics", "metrics",
          _count("n_lower_std", "n_std_metrics"), fmt="{:.0f}"),
    Claim("III.cortex", "III",
          "NEURONS' subtask heads correspond to the functional organisation of the visual cortex",
          P.CORTEX, "each ROI's planted role (V1–V4 image, MT motion, LOC objects and layout, EBA bodies, FFA "
          "animate classes, PPA scenes)", DEC, "attribution_rho_mean", "attribution_rho_other_mean",
          "Spearman ρ", _count("n_heads_specific", "n_heads"), needs=("n_heads_specific", "n_heads")),
    Claim("III.subtask.segmentation", "III", "Key-object segmentation is decoded from fMRI (Dice 35.63 %)",
          P.SUBTASKS["seg_dice"], PLANTED_SUBTASKS + ": the key object's layout and motion (V3, LOC, MT, EBA)",
          DEC, "seg_dice", "seg_dice_shuffled", "Dice", _ci_above("seg_dice", "seg_dice_ci", "seg_dice_shuffled"),
          needs=("seg_dice_ci",)),
    Claim("III.subtask.concepts", "III", "Concepts are recognised from fMRI (per-concept recall, human 0.735)",
          Published(0.735, "recall (human)", P.SRC_CONCEPTS),
          PLANTED_SUBTASKS + ": classes and scenes (LOC, EBA, FFA, PPA)",
          DEC, "concept_2way", "concept_2way_chance", "2-way", _above("concept_2way", "concept_2way_chance", 0.05)),
    Claim("III.subtask.captions", "III", "Scene descriptions are decoded from fMRI (verb accuracy 0.243)",
          P.SUBTASKS["caption_verb_acc"], PLANTED_SUBTASKS + ": colour, class, motion and scene words",
          DEC, "caption_verb_acc", "caption_verb_acc_chance", "verb accuracy",
          _above("caption_verb_acc", "caption_verb_acc_chance", 0.05)),
    Claim("III.subtask.blurry", "III", "A blurry video with the coarse colour and layout is decoded from fMRI",
          Published("shown in figures", "", "NEURONS qualitative figures [N]"),
          PLANTED_SUBTASKS + ": the coarse opponent-colour image (V1–V4 pRFs, PPA)",
          DEC, "blurry_pixcorr", "blurry_pixcorr_shuffled", "pixel r",
          _ci_above("blurry_pixcorr", "blurry_pixcorr_ci", "blurry_pixcorr_shuffled"), needs=("blurry_pixcorr_ci",)),
    Claim("III.per_subject", "III", "The results hold for each of the three cc2017 subjects",
          Published((0.254, 0.252, 0.278), "video 50-way (S1 / S2 / S3)", P.SRC_SUBJECT),
          "three subjects with their own voxel counts and read-out weights", REC, "n_subjects_beat_shuffled",
          "n_subjects", "subjects", _count("n_subjects_beat_shuffled", "n_subjects"), fmt="{:.0f}"),
]
