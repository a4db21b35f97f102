"""The book page "What happens when things go wrong" stays true: every row names a test that exists, and each
row's status (holds / known gap) agrees with whether that test is a strict xfail, in text, not emoji glyphs."""
from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "book" / "reliability.md"
ROW = re.compile(r"^\| (\d+) \|")
REF = re.compile(r"`((?:R/|tests/)[\w/]+\.py)::(\w+)`")


def _tests(path: Path) -> dict[str, bool]:
    """``{test function: is it marked xfail(strict=True)}`` of one test module."""
    out = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            out[node.name] = any(isinstance(d, ast.Call) and ast.unparse(d.func).endswith("mark.xfail")
                                 and any(k.arg == "strict" and ast.unparse(k.value) == "True" for k in d.keywords)
                                 for d in node.decorator_list)
    return out


def test_every_row_names_an_existing_test_and_its_status_matches():
    rows = [line for line in PAGE.read_text().splitlines() if ROW.match(line)]
    assert len(rows) >= 25
    assert [int(ROW.match(r).group(1)) for r in rows] == list(range(1, len(rows) + 1))
    modules: dict[str, dict[str, bool]] = {}
    for row in rows:
        refs = REF.findall(row)
        assert refs, f"row without a test: {row}"
        for file, name in refs:
            path = REPO / file.replace("R/", "tests/test_reliability_")
            assert path.is_file(), f"{file} (row: {row[:60]})"
            tests = modules.setdefault(str(path), _tests(path))
            assert name in tests, f"{file}::{name} does not exist"
        first_file, first_name = refs[0]
        xfail = modules[str(REPO / first_file.replace("R/", "tests/test_reliability_"))][first_name]
        assert ("known gap" in row) == xfail, f"row status disagrees with the test's xfail mark: {row[:80]}"
        assert ("`holds`" in row) != xfail, f"row without its status: {row[:80]}"
    assert not re.search("[\u2705\u274c\U0001f422]", PAGE.read_text()), "emoji marks render as boxes without an emoji font"
