"""The whole book rehearses the paper profile on this CPU (``neurokit book --profile paper --rehearse``): every
chapter executes its paper code path on data simulated at the paper's shapes, with random weights and the fewest
repetitions, and every page and provenance record says it is a rehearsal. About 45 minutes on 2 cores, so it is
``slow`` (kept out of ``make test``); its time is measured by ``python benchmarks/book_build.py --rehearse``."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from neurokit.book.chapters import discover

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]


def test_whole_book_rehearses_the_paper_profile(tmp_path):
    env = dict(os.environ, NEUROKIT_BUILD_DIR=str(tmp_path / "build"), NEUROKIT_DATA=str(tmp_path / "data"),
               NEUROKIT_CACHE=str(tmp_path / "cache"))
    env.pop("NEUROKIT_REHEARSAL", None)
    proc = subprocess.run([sys.executable, "-m", "neurokit", "book", "--profile", "paper", "--rehearse", "-q"],
                          cwd=REPO, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    build = tmp_path / "build" / "rehearsal"
    chapters = discover(REPO)
    for name in chapters:  # every chapter ran its paper path, and says it was a rehearsal
        prov = json.loads((build / "results" / "paper" / f"{name}.provenance.json").read_text())
        assert prov["rehearsal"] is True and prov["profile"] == "paper", name
    pages = sorted((build / "html" / "book" / "chapters").glob("*.html"))
    assert {p.stem for p in pages} >= set(chapters)
    for page in pages:  # the banner and footer of every page
        assert "REHEARSAL" in page.read_text(), page.name
    # simulated data went to the rehearsal data home only, never where the real data sets would be
    data = tmp_path / "data"
    assert (data / "rehearsal").is_dir()
    assert not [p.name for p in data.iterdir() if p.name not in ("rehearsal", "cache")]
    assert not (tmp_path / "build" / "results" / "paper").exists()  # no real paper build beside it
