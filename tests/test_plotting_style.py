"""One colour means one thing in every figure of the book."""
from neurokit.plotting import COLORS, FAMILY_COLORS, verdict_colors


def test_no_two_meanings_share_a_colour():
    seen = {}
    for meaning, colour in COLORS.items():
        assert colour.lower() not in seen, f"{meaning!r} and {seen[colour.lower()]!r} share {colour}"
        seen[colour.lower()] = meaning
    assert all(COLORS[k] == v for k, v in {**FAMILY_COLORS, **verdict_colors()}.items())
