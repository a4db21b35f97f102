"""The numbers NEURONS (Wang et al., ICCV 2025) published, each with its source, as reference data.

The paper's body is not reachable offline here; its numbers come from the abstract and from two third-party notes
that reproduce its tables ([N]: transcribed second hand, not checked against the PDF). They are
the "paper" tables of the Part III chapters and are never used as results.

cc2017, 3 subjects; video metrics use VideoMAE-K400 (N-way) and CLIP ViT-L/14 (CLIP-pcc) on 6 generated frames.
"""
from __future__ import annotations

from neurokit.claims import Published

__all__ = ["HEADLINE", "PER_SUBJECT", "ABLATION", "SUBTASKS", "CONCEPT_RECALL", "CAPTIONS", "GAINS",
           "ROBUSTNESS", "CORTEX", "headline_table", "per_subject_table", "ablation_table", "gain"]

SRC_T1 = "NEURONS Table 1 (cc2017, video-based, mean of 3 subjects) [N]"
SRC_ABS = "NEURONS abstract"

#: Table 1 rows: method -> (video 2-way, video 50-way, CLIP-pcc, SSIM, PSNR); None where not published or not
#: reachable (NEURONS' own SSIM/PSNR are not in the notes; NeuroClips' PSNR is from its own paper, unverified).
HEADLINE = {
    "Wen et al. 2018": (None, 0.166, None, None, None),
    "Wang et al. 2022 (f-CVGAN)": (0.773, None, 0.402, None, None),
    "Kupershmidt et al. 2022": (0.771, None, 0.386, None, None),
    "MinD-Video (NeurIPS'23)": (0.839, 0.197, 0.408, None, None),
    "Mind-Animator (ICLR'25)": (0.830, None, 0.428, None, None),
    "NeuroClips (NeurIPS'24)": (0.834, 0.220, 0.738, 0.390, 9.211),
    "NEURONS": (0.863, 0.262, 0.934, None, None),
}
HEADLINE_SOURCES = {
    "Wen et al. 2018": "as quoted in NEURONS Table 1 [N]",
    "Wang et al. 2022 (f-CVGAN)": "as quoted in NEURONS Table 1 [N]",
    "Kupershmidt et al. 2022": "as quoted in NEURONS Table 1 [N]",
    "MinD-Video (NeurIPS'23)": "as quoted in NEURONS Table 1 [N]",
    "Mind-Animator (ICLR'25)": "as quoted in NEURONS Table 1 [N]",
    "NeuroClips (NeurIPS'24)": "NEURONS Table 1 [N]; SSIM from the NeuroClips paper [N]; PSNR unverified",
    "NEURONS": SRC_T1 + "; SSIM and PSNR not in the reachable notes",
}
#: The one independent re-evaluation (SemVideo, arXiv 2602.21819, its own protocol: ViFi-gated CLIP), for the
#: SSIM that NEURONS' own table does not give here.
SEMVIDEO_SSIM = {"NEURONS": 0.285, "NeuroClips": 0.390}

#: Per subject (NEURONS): subject -> (video 2-way, video 50-way, CLIP-pcc).
PER_SUBJECT = {1: (0.862, 0.254, 0.932), 2: (0.860, 0.252, 0.933), 3: (0.868, 0.278, 0.937)}
SRC_SUBJECT = "NEURONS per-subject results (cc2017) [N]"

#: Ablation on subject 1: configuration -> (video 2-way, video 50-way, CLIP-pcc).
ABLATION = {
    "brain model + L_rec": (0.814, 0.164, 0.894),
    "+ L_seg": (0.834, 0.225, 0.926),
    "+ L_cls": (0.836, 0.234, 0.911),
    "+ L_txt": (0.847, 0.213, 0.923),
    "+ progressive learning": (0.856, 0.235, 0.937),
    "+ aggregated video reconstruction": (0.862, 0.254, 0.932),
}
SRC_ABLATION = "NEURONS ablation table (subject 1) [N]"

#: Sub-task scores on real data.
SUBTASKS = {
    "seg_dice": Published(35.63, "%", "NEURONS sub-task results: key-object Dice [N]"),
    "caption_bleu1": Published(0.238, "BLEU-1", "NEURONS caption results [N]"),
    "caption_bleu4": Published(0.036, "BLEU-4", "NEURONS caption results [N]"),
    "caption_cider": Published(0.239, "CIDEr", "NEURONS caption results [N]"),
    "caption_verb_acc": Published(0.243, "verb accuracy", "NEURONS caption results [N]"),
}
#: Per-concept recall (the paper's "accuracy": TP / positives at threshold 0.5).
CONCEPT_RECALL = {"human": 0.735, "food": 0.600, "animal": 0.450, "water body": 0.310, "fish": 0.292}
SRC_CONCEPTS = "NEURONS concept recognition results [N]"
#: NeuroClips' captions scored the same way: BLEU-1, BLEU-4, CIDEr, verb accuracy.
CAPTIONS_NEUROCLIPS = (0.227, 0.022, 0.156, 0.116)
CAPTIONS = {"NEURONS": (0.238, 0.036, 0.239, 0.243), "NeuroClips": CAPTIONS_NEUROCLIPS}


def gain(new: float, old: float) -> float:
    """Relative improvement ``new / old - 1`` (how the abstract's +26.6 % and +19.1 % are computed)."""
    return new / old - 1.0


#: The headline gains of the abstract: relative improvements of 3-subject means over NeuroClips' own numbers.
GAINS = {
    "clip_pcc": Published(26.6, "%", SRC_ABS + ": video consistency, CLIP-pcc 0.934 / 0.738 − 1 vs NeuroClips"),
    "video_50way": Published(19.1, "%", SRC_ABS + ": semantic accuracy, video 50-way 0.262 / 0.220 − 1 vs NeuroClips"),
}
ROBUSTNESS = Published("lower std on all metrics", "", "NEURONS results section [N] (stds not reachable here)")
CORTEX = Published("strong functional correlation with the visual cortex", "",
                   SRC_ABS + "; brain maps of the subtask heads (V1/V2/MT, V4, EBA, LOC, PPA, FFA) [N]")


def headline_table():
    """Table 1 as a DataFrame (one row per method, a ``source`` column)."""
    import pandas as pd

    rows = [(m, *v, HEADLINE_SOURCES[m]) for m, v in HEADLINE.items()]
    return pd.DataFrame(rows, columns=["method", "video 2-way", "video 50-way", "CLIP-pcc", "SSIM", "PSNR (dB)",
                                       "source"])


def per_subject_table():
    """NEURONS per subject and the mean (a ``source`` column)."""
    import pandas as pd

    rows = [(f"S{s}", *v, SRC_SUBJECT) for s, v in PER_SUBJECT.items()]
    rows.append(("mean", *HEADLINE["NEURONS"][:3], SRC_T1))
    return pd.DataFrame(rows, columns=["subject", "video 2-way", "video 50-way", "CLIP-pcc", "source"])


def ablation_table():
    """The subject-1 ablation (a ``source`` column)."""
    import pandas as pd

    rows = [(k, *v, SRC_ABLATION) for k, v in ABLATION.items()]
    return pd.DataFrame(rows, columns=["configuration", "video 2-way", "video 50-way", "CLIP-pcc", "source"])
