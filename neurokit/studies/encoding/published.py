"""The paper's published numbers (Gamal et al. 2024, arXiv 2402.12519), as data with their sources.

Every value here was **digitised from the published figure images** (typical error ±0.005 r, ±0.05 for the
Fig. 5c matrix): the paper's body text, tables and code are not available, so no value is printed. They are
the "paper" column of the book's tables and never enter a result. Each accessor returns a tidy
``pandas.DataFrame`` with a ``source`` column; :data:`CLAIMS` holds the headline numbers as
:class:`neurokit.claims.Published` records for the claims ledger. Where a figure was not digitised (Fig. 4c),
the accessor says so instead of inventing values.

Also here, because the Fig. 5c analysis needs them: the voxel counts of the nine ROIs of the real
Mini-Algonauts 2021 data (a third-party table of the released files, see the data card).
"""
from __future__ import annotations

import numpy as np

from neurokit.claims import Published
from neurokit.data.algonauts import ROIS
from neurokit.errors import UnknownNameError
from neurokit.sim.brain import ALGONAUTS_VOXELS as _ALGONAUTS_VOXELS

SOURCE = "Gamal et al. 2024, digitised from the figure (±0.005 r)"
CITATION = "Gamal et al. 2024 (arXiv 2402.12519)"


def _src(figure):
    return f"{CITATION}, {figure}, digitised from the figure"

#: Fig. 3 family means (Pearson r) and marks: roi → (image, video, mark, conv, transf, mark, full, self, mark).
FIG3 = {
    "V1": (.245, .277, "***", .280, .248, "***", .273, .234, "*"),
    "V2": (.233, .277, "***", .280, .240, "***", .272, .225, "*"),
    "V3": (.214, .259, "***", .260, .221, "***", .251, .207, "**"),
    "V4": (.215, .253, "***", .257, .220, "***", .247, .211, "*"),
    "LOC": (.245, .275, "**", .277, .248, "**", .270, .237, "*"),
    "EBA": (.285, .326, "***", .331, .289, "**", .318, .278, "*"),
    "FFA": (.252, .264, "ns", .267, .250, "*", .263, .239, "*"),
    "STS": (.169, .187, "***", .186, .175, "ns", .184, .166, "ns"),
    "PPA": (.182, .182, "ns", .182, .180, "ns", .182, .171, "ns"),
}
#: The three Fig. 3 contrasts: (label column, group a, group b).
FIG3_CONTRASTS = (("modality", "image", "video"), ("architecture", "convolutional", "transformer"),
                  ("supervision", "fully-supervised", "self-supervised"))

#: Fig. 2: target → list over blocks of (image mean, video mean, mark).
FIG2 = {
    "mvit_b": [(.48, .57, "***"), (.42, .46, "***"), (.42, .46, "***"), (.43, .47, "ns"), (.42, .46, "*")],
    "vit_b": [(.44, .41, "***"), (.42, .38, "***"), (.33, .29, "***"), (.66, .59, "***")],
    "resnet50": [(.46, .46, "ns"), (.39, .38, "ns"), (.34, .33, "ns"), (.32, .30, "*"), (.24, .21, "ns"),
                 (.51, .44, "*"), (.62, .51, "*")],
    "i3d_r50": [(.70, .73, "ns"), (.39, .41, "ns"), (.37, .41, "**"), (.30, .32, "**"), (.25, .28, "***"),
                (.25, .30, "***"), (.64, .73, "**")],
}

#: Fig. 4a: roi → (Slow-K400, Slow-Charades, SlowFast-K400, SlowFast-Charades); only these ROIs digitised.
FIG4A = {"V1": (.289, .283, .295, .295), "EBA": (.335, .336, .355, .356), "STS": (.190, .189, .199, .197)}
FIG4A_MODELS = ("Slow K400", "Slow Charades", "SlowFast K400", "SlowFast Charades")
#: Fig. 4b: roi → (OmniMAE pre-trained, OmniMAE fine-tuned, TimeSformer), all ViT-B on SSv2.
FIG4B = {"V1": (.226, .245, .268), "V3": (.188, .210, .258), "EBA": (.229, .254, .327),
         "STS": (.145, .154, .201), "PPA": (.151, .164, .207)}
FIG4B_MODELS = ("OmniMAE pre-trained", "OmniMAE fine-tuned", "TimeSformer")

#: Fig. 5a: roi → (MViT base, MViT conn, mark, SlowFast base, SlowFast conn, mark).
FIG5A = {
    "V1": (.286, .297, "**", .293, .300, "*"), "V2": (.287, .298, "*", .294, .304, "*"),
    "V3": (.270, .283, "**", .279, .288, "**"), "V4": (.262, .271, "*", .274, .284, "*"),
    "LOC": (.292, .316, "***", .296, .311, "***"), "EBA": (.347, .369, "***", .354, .359, "*"),
    "FFA": (.280, .305, "**", .278, .293, "*"), "STS": (.203, .231, "**", .198, .226, "***"),
    "PPA": (.193, .218, "**", .187, .203, "*"),
}
#: Fig. 5b: roi → (intra, inter, full); base model unspecified (probably MViT-B), no marks.
FIG5B = {
    "V1": (.293, .283, .297), "V2": (.291, .295, .298), "V3": (.275, .278, .283), "V4": (.263, .273, .272),
    "LOC": (.313, .311, .316), "EBA": (.363, .366, .371), "FFA": (.301, .307, .306), "STS": (.224, .225, .232),
    "PPA": (.212, .213, .219),
}
#: Fig. 5c region-weight matrix (rows target, columns source, ROIS order), ±0.05.
FIG5C = np.array([
    [1.00, .39, .30, .50, .00, .24, .40, .19, .26],
    [.51, 1.00, .51, .65, .00, .25, .43, .22, .28],
    [.31, .48, 1.00, .83, .00, .28, .44, .20, .35],
    [.09, .10, .15, 1.00, .00, .08, .16, .06, .14],
    [.09, .09, .15, .51, .32, .62, .82, .28, .38],
    [.15, .17, .20, .43, .00, .99, .51, .30, .18],
    [.05, .04, .04, .16, .01, .11, 1.00, .14, .09],
    [.06, .04, .04, .11, .01, .17, .29, 1.00, .09],
    [.10, .09, .11, .30, .00, .07, .20, .09, 1.00],
])
#: Fig. 6d, BOLD Moments, noise-normalised r: roi → (BMD SOA, MViT conn, TSM base, TSM conn).
FIG6D = {
    "V1v": (.55, .66, .62, .655), "V1d": (.565, .69, .63, .65), "V2d": (.57, .71, .63, .66),
    "hV4": (.585, .67, .655, .68), "EBA": (.505, .71, .615, .66), "FFA": (.53, .735, .64, .70),
    "OFA": (.56, .76, .685, .73), "STS": (.38, .61, .53, .61), "LOC": (.495, .68, .60, .65),
    "PPA": (.43, .64, .55, .635), "RSC": (.305, .56, .465, .555), "TOS": (.505, .745, .68, .725),
    "V3ab": (.535, .71, .60, .66), "IPS0": (.465, .69, .56, .625), "IPS1-2-3": (.40, .655, .535, .62),
    "7AL": (.32, .57, .485, .55), "BA2": (.295, .545, .43, .515), "PFt": (.30, .57, .46, .545),
    "PFop": (.25, .55, .41, .49),
}
FIG6D_MODELS = ("BMD SOA (TSM block 3)", "MViT-B + connectivity", "TSM base", "TSM + connectivity")

#: Fig. 6a–c, both models with connectivity: pair → {roi: (image model r, video model r, mark)}; ``None`` where the
#: figure shows a bar pair that was not digitised (only its mark was read).
FIG6AC = {
    "ViT-B vs MViT-B": {"V1": (.253, .298, "*–**"), "V3": (.215, .283, "*–**"), "LOC": (.238, .317, "*–**"),
                        "EBA": (.268, .370, "*–**"), "STS": (.180, .232, "*–**")},
    "ResNet-50 vs 3D-ResNet-50": {"V1": (.265, .296, "***"), "EBA": (.317, .348, "**"), "LOC": (None, None, "ns"),
                                  "FFA": (None, None, "ns"), "STS": (None, None, "ns"), "PPA": (None, None, "ns")},
    "ResNet-50 vs SlowFast": {"V1": (.265, .302, "***"), "EBA": (.317, .360, "**"), "FFA": (None, None, "ns"),
                              "PPA": (None, None, "ns")},
}
#: Which Fig. 6a–c pairs change the architecture as well as the input modality.
FIG6AC_CONFOUNDED = {"ViT-B vs MViT-B": "ViT vs multiscale ViT", "ResNet-50 vs 3D-ResNet-50": "2-D vs inflated 3-D R50",
                     "ResNet-50 vs SlowFast": "one- vs two-stream"}

#: Voxels per ROI and subject of the real Mini-Algonauts 2021 data (sub01 … sub10); third-party count of the
#: released files, see the Algonauts 2021 data card (one copy, kept with the simulator that scales it).
ALGONAUTS_VOXELS = _ALGONAUTS_VOXELS
VOXELS_SOURCE = "Mini-Algonauts 2021 release, voxels per ROI and subject (third-party count; data card)"

#: The paper's headline numbers, one record per claim the Part I chapters test.
CLAIMS = {
    "fig2_family_identifiable": Published(
        "correct family higher in most blocks, clearest for MViT-B and ViT-B targets", "",
        _src("Fig. 2 and caption")),
    "fig3_video_beats_image": Published((7, 9), "ROIs with video > image (count of 9)", _src("Fig. 3a"),
                                        "*** to ** except FFA, PPA: ns"),
    "fig3_conv_beats_transformer": Published((7, 9), "ROIs with convolutional > transformer (count of 9)",
                                             _src("Fig. 3b"), "* to *** except STS, PPA: ns"),
    "fig3_supervised_beats_ssl": Published((7, 9), "ROIs with fully > self-supervised (count of 9)",
                                           _src("Fig. 3c"), "* to ** except STS, PPA: ns"),
    "fig4a_two_stream": Published((.295, .289), "r, V1: SlowFast-K400 vs Slow-K400", _src("Fig. 4a"),
                                  "* to *** in most ROIs"),
    "fig4c_six_models": Published("six video models compared per ROI", "", _src("Fig. 4c (values not digitised)")),
    "fig5a_gain": Published((0.009, 0.028), "r, range of connectivity − base over ROIs (MViT-B)", _src("Fig. 5a"),
                            "* to ***"),
    "fig5b_full_best": Published("full > intra and > inter in most ROIs", "", _src("Fig. 5b")),
    "fig5c_directed": Published("directional learned connectivity", "", _src("Fig. 5c and caption")),
    "fig6ac_dynamics": Published((.265, .302), "r, V1: ResNet-50 vs SlowFast, both with connectivity",
                                 _src("Fig. 6c"), "***"),
    "fig6d_bmd": Published((0.02, 0.09), "noise-normalised r, TSM connectivity − base over ROIs",
                           _src("Fig. 6d")),
}


def fig3_families():
    """Fig. 3 family means as a tidy table.

    Returns
    -------
    pandas.DataFrame
        Columns ``roi, contrast, group_a, group_b, mean_a, mean_b, mark, source``; one row per ROI × contrast.
    """
    import pandas as pd

    rows = []
    for roi, v in FIG3.items():
        for i, (contrast, ga, gb) in enumerate(FIG3_CONTRASTS):
            rows.append({"roi": roi, "contrast": contrast, "group_a": ga, "group_b": gb,
                         "mean_a": v[3 * i], "mean_b": v[3 * i + 1], "mark": v[3 * i + 2], "source": SOURCE})
    return pd.DataFrame(rows)


def fig2_targets():
    """Fig. 2 (simulated targets): ``target, block, image, video, mark, source`` per target block."""
    import pandas as pd

    return pd.DataFrame([{"target": t, "block": f"B{i + 1}", "image": a, "video": b, "mark": m, "source": SOURCE}
                         for t, blocks in FIG2.items() for i, (a, b, m) in enumerate(blocks)])


def fig5a_connectivity():
    """Fig. 5a: ``roi, model, base, conn, gain, mark, source`` for MViT-B and SlowFast."""
    import pandas as pd

    rows = []
    for roi, v in FIG5A.items():
        for j, model in enumerate(("MViT-B", "SlowFast")):
            base, conn, mark = v[3 * j: 3 * j + 3]
            rows.append({"roi": roi, "model": model, "base": base, "conn": conn, "gain": round(conn - base, 4),
                         "mark": mark, "source": SOURCE})
    return pd.DataFrame(rows)


def fig5b_variants():
    """Fig. 5b: ``roi, intra, inter, full, source``."""
    import pandas as pd

    return pd.DataFrame([{"roi": r, "intra": a, "inter": b, "full": c, "source": SOURCE}
                         for r, (a, b, c) in FIG5B.items()])


def fig5c_matrix():
    """Fig. 5c region weights as a ``DataFrame`` (index target, columns source)."""
    import pandas as pd

    return pd.DataFrame(FIG5C, index=list(ROIS), columns=list(ROIS))


def fig6ac_pairs():
    """Fig. 6a–c: ``pair, roi, image, video, mark, confound, source`` (NaN where only the mark was read)."""
    import pandas as pd

    return pd.DataFrame([{"pair": pair, "roi": roi, "image": a, "video": b, "mark": m,
                          "confound": FIG6AC_CONFOUNDED[pair], "source": SOURCE}
                         for pair, rows in FIG6AC.items() for roi, (a, b, m) in rows.items()]).astype(
        {"image": float, "video": float})


def fig4c_models():
    """Fig. 4c compares six video models per ROI; its bars were not digitised, so there are no values to show.

    Returns
    -------
    pandas.DataFrame
        One row saying so (``figure, note, source``).
    """
    import pandas as pd

    return pd.DataFrame([{"figure": "Fig. 4c", "note": "six video models per ROI; bar values not digitised",
                          "source": CITATION}])


def roi_voxel_counts():
    """Mean voxel count over the ten subjects per ROI of the real data: ``pandas.Series`` indexed by ROI."""
    import pandas as pd

    return pd.Series({r: float(np.mean(v)) for r, v in ALGONAUTS_VOXELS.items()}, name="voxels").reindex(list(ROIS))


def table(name):
    """A paper table by figure name (``"fig2"``, ``"fig3"``, ``"fig4a"``, ``"fig4b"``, ``"fig4c"``, ``"fig5a"``,
    ``"fig5b"``, ``"fig5c"``, ``"fig6ac"``, ``"fig6d"``)."""
    import pandas as pd

    makers = {
        "fig4c": fig4c_models, "fig6ac": fig6ac_pairs,
        "fig2": fig2_targets, "fig3": fig3_families, "fig5a": fig5a_connectivity, "fig5b": fig5b_variants,
        "fig5c": fig5c_matrix,
        "fig4a": lambda: pd.DataFrame([dict(roi=r, **dict(zip(FIG4A_MODELS, v)), source=SOURCE)
                                       for r, v in FIG4A.items()]),
        "fig4b": lambda: pd.DataFrame([dict(roi=r, **dict(zip(FIG4B_MODELS, v)), source=SOURCE)
                                       for r, v in FIG4B.items()]),
        "fig6d": lambda: pd.DataFrame([dict(roi=r, **dict(zip(FIG6D_MODELS, v)), source=SOURCE)
                                       for r, v in FIG6D.items()]),
    }
    if name not in makers:
        raise UnknownNameError("paper figure", name, makers)
    return makers[name]()
