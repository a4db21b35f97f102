#!/usr/bin/env python
"""Peak memory of each Part of the book under a profile (default ``embedded``): the budget is 8 GiB per Part.

Each chapter is executed by the real runner (``Book(...).execute(name, force=True)``, so with exactly the
parameters ``neurokit book`` would use) in a fresh subprocess and a throw-away build directory (``_build`` is
not touched). The resident set size of the whole process tree (the runner *and* the notebook kernel it starts,
found with ``psutil`` children, recursively) is sampled every ``--interval`` seconds; the peak of the sum is
the chapter's peak. Summing RSS counts shared pages once per process, so the figure is an upper bound.
Chapters of a Part run one after another, so a Part's peak is the largest of its chapters' peaks.

Usage::

    python benchmarks/memory.py                       # every chapter in notebooks/ (slow: minutes per chapter),
                                                      # those not yet in _toc.yml included
    python benchmarks/memory.py quickstart            # some chapters
    python benchmarks/memory.py --profile smoke --out /tmp/memory.json

Result: ``benchmarks/results/memory.json`` (``--out``)::

    {"profile": ..., "budget_gib": 8.0, "machine": {...}, "date": ...,
     "chapters": {name: {"part", "status", "peak_rss_gib", "wall_s", "error"}},
     "parts": {part: {"chapters": [...], "peak_rss_gib", "within_budget"}}}

Exit status: 0 when every measured Part is within the budget and every chapter executed, else 1.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GIB = 1024 ** 3

CHILD = """
import json, sys
from pathlib import Path
from neurokit.book.chapters import load_chapter
from neurokit.book.runner import Book
book = Book(Path(sys.argv[1]), sys.argv[2], build_dir=Path(sys.argv[3]))
if sys.argv[4] not in book.chapters:  # a chapter that has landed in notebooks/ but not yet in _toc.yml
    book._chapters = {**book.chapters, sys.argv[4]: load_chapter(book.root / "notebooks" / f"{sys.argv[4]}.py")}
run = book.execute(sys.argv[4], force=True, progress=False)
print(json.dumps({"status": run.status, "seconds": run.seconds, "error": run.error}))
"""


def tree_rss(proc) -> int:
    """RSS in bytes of ``proc`` and all its descendants (processes that vanish meanwhile count 0)."""
    import psutil

    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def measure(chapter: str, profile: str, interval: float, timeout: float) -> dict:
    """Execute one chapter in a subprocess and return its peak tree RSS, wall time and status."""
    import psutil

    with tempfile.TemporaryDirectory(prefix=f"nk-mem-{chapter}-") as build:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", CHILD, str(ROOT), profile, build, chapter],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        ps = psutil.Process(proc.pid)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, tree_rss(ps))
            if time.perf_counter() - t0 > timeout:
                for p in [*ps.children(recursive=True), ps]:
                    try:
                        p.kill()
                    except psutil.NoSuchProcess:
                        pass
                proc.wait()
                return {"status": "timeout", "peak_rss_gib": round(peak / GIB, 3),
                        "wall_s": round(time.perf_counter() - t0, 1), "error": f"ran past {timeout} s"}
            time.sleep(interval)
        out, err = proc.communicate()
        wall = time.perf_counter() - t0
    try:
        result = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        result = {"status": "crashed", "error": err.strip().splitlines()[-1] if err.strip() else f"exit {proc.returncode}"}
    return {"status": result["status"], "peak_rss_gib": round(peak / GIB, 3), "wall_s": round(wall, 1),
            "error": result.get("error")}


def main(argv=None) -> int:
    from neurokit.book.chapters import discover, load_chapter

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("chapters", nargs="*", help="chapter names (default: every chapter in notebooks/)")
    ap.add_argument("--profile", default="embedded", choices=("smoke", "embedded", "paper"))
    ap.add_argument("--budget-gib", type=float, default=8.0)
    ap.add_argument("--interval", type=float, default=0.2, help="RSS sampling interval in seconds")
    ap.add_argument("--timeout", type=float, default=3600, help="per chapter, seconds")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "memory.json")
    args = ap.parse_args(argv)

    import psutil

    from neurokit._io import atomic_write_json
    from neurokit.errors import UnknownNameError

    known = discover(ROOT)
    for path in sorted((ROOT / "notebooks").glob("*.py")):  # chapters not (yet) in _toc.yml
        if path.stem not in known:
            known[path.stem] = load_chapter(path)
    names = args.chapters or list(known)
    for n in names:
        if n not in known:
            raise UnknownNameError("chapter", n, known)

    def report(chapters: dict) -> dict:
        parts: dict[str, dict] = {}
        for n, r in chapters.items():
            p = parts.setdefault(r["part"], {"chapters": [], "peak_rss_gib": 0.0})
            p["chapters"].append(n)
            p["peak_rss_gib"] = max(p["peak_rss_gib"], r["peak_rss_gib"])
        for p in parts.values():
            p["within_budget"] = p["peak_rss_gib"] < args.budget_gib
        return {
            "profile": args.profile,
            "budget_gib": args.budget_gib,
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "machine": {"platform": platform.platform(), "python": platform.python_version(),
                        "cpus": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / GIB, 1),
                        "load_average_1m": round(os.getloadavg()[0], 1)},
            "method": "peak of the summed RSS of the runner process and its kernel, sampled every "
                      f"{args.interval} s; chapter executed with Book.execute(force=True) in a fresh subprocess",
            "chapters": chapters,
            "parts": parts,
        }

    chapters = {}
    for n in names:
        print(f"{n} ({args.profile}) …", end=" ", flush=True)
        r = measure(n, args.profile, args.interval, args.timeout)
        # the Part is the chapter's _toc.yml caption; a chapter not yet in the TOC goes by its name's prefix
        r["part"] = known[n].part or f"{n.split('_')[0]} (not in _toc.yml)"
        chapters[n] = r
        print(f"{r['status']}, peak {r['peak_rss_gib']:.2f} GiB, {r['wall_s']:.0f} s", flush=True)
        atomic_write_json(args.out, report(chapters))  # after every chapter: an interrupted run keeps its rows
    parts = report(chapters)["parts"]
    print(f"wrote {args.out}")
    for name, p in parts.items():
        print(f"  {name}: peak {p['peak_rss_gib']:.2f} GiB ({'within' if p['within_budget'] else 'OVER'} "
              f"{args.budget_gib:g} GiB) over {', '.join(p['chapters'])}")
    ok = all(p["within_budget"] for p in parts.values()) and all(r["status"] == "executed" for r in chapters.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
