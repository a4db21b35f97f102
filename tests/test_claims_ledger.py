"""The claims of the three studies, as the summary chapter evaluates them: every claim names a chapter of the
book and a glued number, keys are unique, a missing number shows as ``not run`` (never as a silent row), and each
judge returns one of the verdicts."""
from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from neurokit.claims import VERDICTS, Claim, Published, evaluate

REPO = Path(__file__).resolve().parents[1]
STUDIES = [p.parent.name for p in sorted((REPO / "neurokit" / "studies").glob("*/claims.py"))]


def _claims():
    return [c for s in STUDIES for c in importlib.import_module(f"neurokit.studies.{s}.claims").CLAIMS]


def test_every_study_declares_claims():
    assert {"encoding", "vist"} <= set(STUDIES)
    for s in STUDIES:
        claims = importlib.import_module(f"neurokit.studies.{s}.claims").CLAIMS
        assert claims and all(isinstance(c, Claim) for c in claims), s


def test_claims_name_chapters_of_the_book_and_unique_keys():
    claims = _claims()
    keys = [c.key for c in claims]
    assert len(keys) == len(set(keys)), "duplicate claim keys"
    chapters = {p.stem for p in (REPO / "notebooks").glob("*.py")}
    for c in claims:
        assert c.chapter in chapters, f"{c.key}: no chapter {c.chapter}"
        assert c.part in ("I", "II", "III") and c.paper.source, c.key


def test_glued_names_of_each_claim_appear_in_its_chapter():
    """Each name a claim reads is glued by its chapter (literally, or by an f-string whose literal part matches)."""
    for c in _claims():
        source = (REPO / "notebooks" / f"{c.chapter}.py").read_text()
        for name in (c.value, *c.needs, *([c.control] if isinstance(c.control, str) else [])):
            literal = re.search(r"""glue\(\s*f?["']""" + re.escape(name) + r"""["']""", source)
            prefix = any(name.startswith(m.group(1)) for m in re.finditer(r"""glue\(\s*f["']([^{"']*)\{""", source))
            assert literal or prefix or f'"{name}"' in source or f"'{name}'" in source, (
                f"{c.key}: {c.chapter} never glues {name!r}")


def test_a_missing_number_is_not_run_and_never_dropped():
    c = Claim(key="t", part="I", text="x", paper=Published(0.5, "r", "Fig. 1"), planted="nothing planted",
              chapter="quickstart", value="a", control="b", unit="r", judge=lambda n: "recovered")
    assert evaluate(c, {"a": 0.3})["verdict"] == "not run"
    assert evaluate(c, None)["verdict"] == "not run"
    row = evaluate(c, {"a": 0.3, "b": 0.0})
    assert row["verdict"] == "recovered" and row["missing"] == []


@pytest.mark.parametrize("bad", ["holds", "", None])
def test_a_judge_returning_an_unknown_verdict_is_an_error(bad):
    c = Claim(key="t", part="I", text="x", paper=Published(0.5, "r", "Fig. 1"), planted="nothing planted",
              chapter="quickstart", value="a", control=None, unit="r", judge=lambda n: bad)
    with pytest.raises(ValueError, match="judge returned"):
        evaluate(c, {"a": 1.0})
    assert "not run" in VERDICTS
