"""Sentences that follow the numbers: the words of a comparison come from the sign and size of the difference.

Every sentence a chapter glues about a comparison is made here, so that a rise is never called a drop and a
difference inside the run-to-run spread is never called a win.
"""
from __future__ import annotations

import math

__all__ = ["change", "versus", "ladder_verdict", "plateau", "budget_verdict"]


def change(before: float, after: float, what: str = "CC", fmt: str = "{:.3f}", tol: float = 5e-4) -> str:
    """``"CC drops from 0.450 to 0.330"`` / ``"rises from … to …"`` / ``"stays at …"``."""
    b, a = fmt.format(before), fmt.format(after)
    if abs(after - before) <= tol:
        return f"{what} stays at {b}"
    return f"{what} {'rises' if after > before else 'drops'} from {b} to {a}"


def versus(a: float, b: float, name_a: str, name_b: str, margin: float = float("nan"), what: str = "CC",
           fmt: str = "{:.3f}", margin_name: str = "the seed spread") -> str:
    """``"Vi-ST is ahead of LN (0.45 vs 0.34), by more than the seed spread (0.02)"`` and the other cases."""
    sa, sb = fmt.format(a), fmt.format(b)
    d = a - b
    if d == 0:
        return f"{name_a} and {name_b} have the same {what} ({sa})"
    lead, lag = (name_a, name_b) if d > 0 else (name_b, name_a)
    s = f"{lead} is ahead of {lag} in {what} ({sa if d > 0 else sb} vs {sb if d > 0 else sa})"
    if not math.isnan(margin):
        s += (f", by more than {margin_name} ({fmt.format(margin)})" if abs(d) > margin
              else f", within {margin_name} ({fmt.format(margin)})")
    return s


def ladder_verdict(vist_drop: float, base_drop: float, lo: float, hi: float, rung: str) -> str:
    """What the ladder says about "Vi-ST generalises better than the baselines" at one rung."""
    d = base_drop - vist_drop
    ci = f"difference {d:+.3f}, 95 % interval over resampled cells {lo:+.3f} to {hi:+.3f}"
    if lo > 0:
        return (f"At the {rung} rung Vi-ST loses less than the baselines ({vist_drop:.3f} against {base_drop:.3f}; "
                f"{ci}): the claim holds in this world.")
    if hi < 0:
        return (f"At the {rung} rung Vi-ST loses more than the baselines ({vist_drop:.3f} against {base_drop:.3f}; "
                f"{ci}): this world contradicts the claim.")
    more = "less" if d > 0 else "more"
    return (f"At the {rung} rung Vi-ST loses {more} than the baselines ({vist_drop:.3f} against {base_drop:.3f}), "
            f"but the interval includes no difference ({ci}): this world does not separate them.")


def plateau(gain: float, spread: float) -> str:
    """Whether a held-out curve has flattened: its gain over the last quarter of training against the seed spread."""
    if math.isnan(spread) or spread <= 0:
        return ("no seed spread is available to judge whether it has flattened" if gain > 0 else
                "it does not rise over the last quarter of training")
    if gain <= spread:
        return (f"less than the seed spread, so at this budget Vi-ST has stopped improving on held-out data "
                f"({gain:+.3f} against {spread:.3f})")
    return (f"more than the seed spread, so Vi-ST is still improving at this budget ({gain:+.3f} against "
            f"{spread:.3f}) and the comparisons below are between models that are not fully trained")


def budget_verdict(at_budget: float, at_double: float, spread: float, steps: int, what: str) -> str:
    """Whether doubling the training budget still helps: the CC at ``steps`` and at twice as many, against the
    seed spread."""
    d = at_double - at_budget
    head = (f"{what} {'rises' if d > 0 else 'falls' if d < 0 else 'stays'} from {at_budget:.3f} at {steps} steps "
            f"to {at_double:.3f} at {2 * steps}")
    if math.isnan(spread):
        return head
    if abs(d) <= spread:
        return head + f", within the seed spread ({spread:.3f}): Vi-ST has stopped improving at this budget"
    if d > 0:
        return head + (f", more than the seed spread ({spread:.3f}): Vi-ST is still improving at this budget, and "
                       "the comparisons at this budget are between models that are not fully trained")
    return head + f", more than the seed spread ({spread:.3f}): longer training overfits"
