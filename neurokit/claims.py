"""Claims of the papers, as data: the published number with its source, what a simulated world planted, and a
verdict computed from this build's numbers.

Each study lists its claims (a ``claims`` module in each study package); the summary chapter evaluates them
against the numbers the chapters glued and draws the claims ledger. A claim never holds a result: it says where
the result is (a chapter and the name it is glued under) and how to judge it.

Verdicts
    ``recovered``                  the method finds what the world planted (and not in its control);
    ``partly recovered``           in the planted direction, but short of the stated criterion;
    ``not recovered``              the method does not find what was planted, or finds it in the control too;
    ``not testable in this world`` the simulated world cannot test the claim (the chapter says why);
    ``not run``                    a number the verdict needs is missing (a ledger test fails on it).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

__all__ = ["Published", "Claim", "VERDICTS", "evaluate", "at_least", "above_control", "not_testable"]

VERDICTS = ("recovered", "partly recovered", "not recovered", "not testable in this world", "not run")


@dataclass(frozen=True)
class Published:
    """A number as the paper published it.

    Attributes
    ----------
    value : float, str or tuple
        The number(s), in the paper's units (a percentage stays a percentage).
    unit : str
        e.g. ``"Pearson r"``, ``"%"``, ``"CC (mean |r|)"``.
    source : str
        Where it comes from: figure or table, digitised or printed, poster, the authors' logs.
    marks : str
        Significance marks as published (``"***"``, ``"ns"``), if any.
    """

    value: Any
    unit: str
    source: str
    marks: str = ""

    def text(self) -> str:
        v = self.value
        if isinstance(v, tuple):
            shown = " / ".join(_fmt(x) for x in v)
        else:
            shown = _fmt(v)
        unit = "" if self.unit in ("", "count") else (self.unit if self.unit == "%" else f" {self.unit}")
        return f"{shown}{unit}" + (f" ({self.marks})" if self.marks else "")


def _fmt(v) -> str:
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if math.isnan(v):
            return "n/a"
        return f"{v:,.3f}".rstrip("0").rstrip(".") if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


@dataclass(frozen=True)
class Claim:
    """One claim of one paper and how this build tests it.

    Attributes
    ----------
    key : str
        Stable identifier (``"I.fig3.video_beats_image"``).
    part : {"I", "II", "III"}
    text : str
        The claim, in the paper's terms.
    paper : Published
    planted : str
        What the simulated world planted for this claim, or ``"nothing planted"``.
    chapter : str
        The chapter that tests it.
    value : str
        Name of the chapter's glued number that is this build's value.
    control : str or float or None
        Name of the glued chance or control level, or a fixed chance value.
    unit : str
        Unit of ``value`` (the same as the paper's where they are comparable).
    judge : callable
        ``judge(numbers) -> verdict``; ``numbers`` is the chapter's glued numbers (a mapping).
    needs : tuple of str
        Further glued names ``judge`` reads (a missing one makes the verdict ``"not run"``).
    fmt : str
        Format of ``value`` in the ledger.
    """

    key: str
    part: str
    text: str
    paper: Published
    planted: str
    chapter: str
    value: str
    control: str | float | None
    unit: str
    judge: Callable[[Mapping[str, Any]], str] = field(repr=False)
    needs: tuple = ()
    fmt: str = "{:.3f}"


def _number(numbers: Mapping[str, Any], name) -> Any:
    if name is None or isinstance(name, (int, float)):
        return name
    return numbers.get(name)


def _shown(v, fmt: str) -> str:
    if v is None:
        return "missing"
    if isinstance(v, float):
        return "n/a" if math.isnan(v) else fmt.format(v)
    if isinstance(v, (list, tuple)) and all(isinstance(x, (int, float)) for x in v):
        return "[" + ", ".join(fmt.format(x) for x in v) + "]"
    return _fmt(v)


def evaluate(claim: Claim, numbers: Mapping[str, Any] | None) -> dict:
    """One ledger row: the claim, the paper's number, what was planted, this build's value, the control and the
    verdict (``"not run"`` when the chapter or a number it needs is missing)."""
    numbers = numbers or {}
    value = _number(numbers, claim.value)
    control = _number(numbers, claim.control)
    missing = [n for n in (claim.value, *claim.needs) if n is not None and n not in numbers]
    if isinstance(claim.control, str) and claim.control not in numbers:
        missing.append(claim.control)
    verdict = "not run" if missing else claim.judge(numbers)
    if verdict not in VERDICTS:
        raise ValueError(f"claim {claim.key}: judge returned {verdict!r}; expected one of {VERDICTS}")
    return {
        "part": claim.part, "key": claim.key, "claim": claim.text, "paper": claim.paper.text(),
        "source": claim.paper.source, "planted": claim.planted,
        "this build": _shown(value, claim.fmt) + ("" if claim.unit in ("", "count") else f" {claim.unit}"),
        "control": "—" if claim.control is None else _shown(control, claim.fmt),
        "verdict": verdict, "chapter": claim.chapter, "missing": missing,
    }


# ------------------------------------------------------------------------------------------- judge helpers
def at_least(name: str, goal: float, partly: float | None = None) -> Callable[[Mapping[str, Any]], str]:
    """``recovered`` when ``numbers[name] >= goal``; ``partly recovered`` when ``>= partly``; else not."""

    def judge(n):
        v = float(n[name])
        if v >= goal:
            return "recovered"
        return "partly recovered" if partly is not None and v >= partly else "not recovered"

    return judge


def above_control(name: str, control: str, margin: float = 0.0,
                  ci_low: str | None = None) -> Callable[[Mapping[str, Any]], str]:
    """``recovered`` when the value beats its control by ``margin`` (and, given ``ci_low``, the lower end of its
    confidence interval is above the control); ``partly recovered`` when only the point estimate does."""

    def judge(n):
        v, c = float(n[name]), float(n[control])
        if v > c + margin and (ci_low is None or float(n[ci_low]) > c):
            return "recovered"
        return "partly recovered" if v > c else "not recovered"

    return judge


def not_testable(reason_key: str | None = None) -> Callable[[Mapping[str, Any]], str]:
    """Always ``not testable in this world`` (the chapter shows why; ``reason_key`` is glued prose)."""
    return lambda n: "not testable in this world"
