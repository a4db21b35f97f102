"""Figure helpers shared by every chapter: one seaborn style, a colour-blind-safe palette, page-width sizes."""
from __future__ import annotations

from neurokit.plotting._style import (
    COLORS, FAMILY_COLORS, PAGE_WIDTH, palette, row_caption, set_style, significance_bar, tight_grid, verdict_colors,
)

__all__ = ["set_style", "palette", "COLORS", "FAMILY_COLORS", "verdict_colors", "PAGE_WIDTH", "significance_bar",
           "row_caption", "tight_grid"]
