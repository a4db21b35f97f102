"""What a build substitutes for the papers' data, weights and models, generated from the registries and cards.

One line per Part (and one for the data), for the landing page and the summary: the data sets the profile
simulates (the catalog), the networks that run with random weights or re-implemented architectures (the feature
cards), the retina's stand-in for DINOv2 patch tokens (the simulator's extractor card), and the stand-ins each
study declares (``STAND_INS`` in its ``settings`` module: what the paper used, what this profile uses instead).
"""
from __future__ import annotations

from neurokit.features import get_card, list_extractors
from neurokit.features.grid import EXTRACTORS as GRID_EXTRACTORS
from neurokit.studies.encoding.settings import STAND_INS as _ENCODING
from neurokit.studies.neurons.settings import STAND_INS as _NEURONS
from neurokit.studies.vist.settings import STAND_INS as _VIST

__all__ = ["substitutions", "substitutions_markdown", "counts"]

_STUDIES = {"I": _ENCODING, "II": _VIST, "III": _NEURONS}


def counts() -> dict[str, int]:
    """Numbers the prose quotes about the network registry (for the book's text substitutions)."""
    cards = [get_card(n) for n in list_extractors()]
    return {
        "n_models": len(cards),
        "n_image_models": sum(c.modality == "image" for c in cards),
        "n_video_models": sum(c.modality == "video" for c in cards),
        "n_shipped_weights": sum(c.embedded_weights == "shipped" for c in cards),
        "n_reimplemented": sum(bool(c.substitute_for) for c in cards),
    }


def _study_stand_ins(part: str, profile: str) -> list[tuple[str, str]]:
    """``(what the paper used, what this profile uses)`` declared by the study of ``part``."""
    return list(_STUDIES[part].get(profile, ()))


def substitutions(profile: str) -> list[dict]:
    """Rows ``{"part", "what", "instead"}``: everything this profile runs in place of the papers' own."""
    if profile == "paper":
        rows = [{"part": "all", "what": "data", "instead": "the real data sets (checked against their manifests)"}]
    else:
        from neurokit.catalog.registry import DATASETS

        rows = [{"part": "all", "what": "data",
                 "instead": "simulated data written in the real on-disk formats, with known ground truth: "
                            + ", ".join(d.title for d in DATASETS.values())}]
    cards = [get_card(n) for n in list_extractors()]
    shipped = [c.display_name for c in cards if c.embedded_weights == "shipped"]
    reimpl = [c.display_name for c in cards if c.substitute_for]
    c = counts()
    if profile != "paper":
        rows.append({"part": "I", "what": "pretrained network weights",
                     "instead": f"random initialisation for {c['n_models'] - len(shipped)} of the {c['n_models']} "
                                f"networks; real ImageNet weights for {', '.join(shipped)} (they ship as packages)"})
    if reimpl:
        rows.append({"part": "I", "what": "architectures without a public implementation",
                     "instead": f"re-implemented from timm layers, no published checkpoint loads: {', '.join(reimpl)}"})
    if profile != "paper":
        from neurokit.sim.retina import PROFILE_SIZES

        extractor = PROFILE_SIZES.get(profile, {}).get("extractor")
        if extractor in GRID_EXTRACTORS:
            rows.append({"part": "II", "what": "DINOv2 ViT-L/14 patch tokens", "instead": GRID_EXTRACTORS[extractor]})
    for part in ("I", "II", "III"):
        rows += [{"part": part, "what": what, "instead": instead} for what, instead in _study_stand_ins(part, profile)]
    return rows


def substitutions_markdown(profile: str) -> str:
    """The "What this build substitutes" box (MyST), one line per substitution."""
    lines = ["```{admonition} What this build substitutes", ":class: important",
             f"The **{profile}** profile runs the papers' analyses with these in place of the originals; every "
             "page and figure caption that depends on one says so.", ""]
    lines += [f"- **Part {r['part']}**, {r['what']}: {r['instead']}." if r["part"] != "all"
              else f"- **All Parts**, {r['what']}: {r['instead']}." for r in substitutions(profile)]
    lines.append("```")
    return "\n".join(lines)
