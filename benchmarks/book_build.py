"""Book build benchmark: clean build, no-change rebuild, and one-chapter re-run, measured in one session.

Usage::

    python benchmarks/book_build.py --profile embedded            # full clean build in a fresh build dir
    python benchmarks/book_build.py --profile smoke --chapter quickstart
    python benchmarks/book_build.py --rehearse                    # the paper profile rehearsed (<= 45 min)

Writes ``benchmarks/results/book_build.json``: the clean build (cold data, feature and result caches, chapters
and site), a rebuild with nothing changed (and how many chapters it executed), the re-run of one chapter with a
new parameter, the wall time of each chapter and of each Part, the load average before and after, and the
commit. Goals: clean embedded build ≤ 600 s on 2 cores, no-change rebuild ≤ 10 s executing no chapter,
one-chapter re-run ≤ its own run time + 30 s. With ``--rehearse`` (``neurokit book --profile paper --rehearse``:
data simulated at the paper's shapes, random weights, fewest repetitions) the record goes to
``benchmarks/results/rehearsal_build.json``; goal: clean build ≤ 2700 s on 2 cores.
"""
from __future__ import annotations

import argparse
import json
import re
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from neurokit._io import atomic_write_text  # noqa: E402

from _common import commit_label  # noqa: E402
NEUROKIT = [sys.executable, "-m", "neurokit"]


def timed(cmd, env) -> tuple[float, int, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    return time.perf_counter() - t0, proc.returncode, (proc.stdout + proc.stderr)[-3000:]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profile", default="embedded")
    ap.add_argument("--chapter", default="quickstart", help="chapter re-run with a changed seed")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--keep", action="store_true", help="keep the temporary build/data directories")
    ap.add_argument("--rehearse", action="store_true", help="rehearse the paper profile (implies --profile paper)")
    ap.add_argument("--out", default=None, help="JSON record (default benchmarks/results/book_build.json, or "
                    "rehearsal_build.json with --rehearse)")
    args = ap.parse_args(argv)
    if args.rehearse:
        args.profile = "paper"
    args.out = args.out or str(REPO / "benchmarks" / "results" / ("rehearsal_build.json" if args.rehearse
                                                                  else "book_build.json"))
    extra = ["--rehearse"] if args.rehearse else []
    goal = 2700 if args.rehearse else 600

    tmp = Path(tempfile.mkdtemp(prefix="nk-bookbench-"))
    env = dict(os.environ, NEUROKIT_BUILD_DIR=str(tmp / "build"), NEUROKIT_DATA=str(tmp / "data"),
               NEUROKIT_CACHE=str(tmp / "cache"))
    record = {"profile": args.profile, "rehearsal": args.rehearse, "machine": f"{platform.machine()}, {os.cpu_count()} cores",
              "load_before": os.getloadavg()[0], "loadavg_before": list(os.getloadavg()),
              "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "commit": commit_label()}
    try:
        clean, rc, log = timed(NEUROKIT + ["book", "--profile", args.profile, *extra, "-q", "--jobs", str(args.jobs)],
                           env)
        record.update(clean_build_s=round(clean, 1), clean_build_rc=rc)
        if rc != 0:
            record["clean_build_log_tail"] = log
        # each chapter's time in the clean build (read now: the rebuilds below may re-run a failed chapter)
        results = tmp / "build" / ("rehearsal" if args.rehearse else "") / "results" / args.profile
        per_chapter = {}
        for f in sorted(results.glob("*.provenance.json")):
            per_chapter[f.name.removesuffix(".provenance.json")] = json.loads(f.read_text())["wall_time_s"]
        record["chapter_wall_times_s"] = per_chapter
        failed_dir = results.parents[1] / "executed" / args.profile / "failed"
        record["failed_chapters"] = sorted(p.stem for p in failed_dir.glob("*.ipynb"))
        noop, rc2, noop_log = timed(NEUROKIT + ["book", "--profile", args.profile, *extra, "-q"], env)
        m = re.search(r"(\d+) executed, (\d+) cached", noop_log)
        record.update(no_change_rebuild_s=round(noop, 2), no_change_rc=rc2,
                      no_change_executed=int(m.group(1)) if m else None)
        prov = results / f"{args.chapter}.provenance.json"
        own = json.loads(prov.read_text())["wall_time_s"] if prov.is_file() else None
        rerun, rc3, _ = timed(NEUROKIT + ["run", args.chapter, "--profile", args.profile, *extra, "-q", "-p", "seed=1"],
                              env)
        record.update(chapter=args.chapter, chapter_run_time_s=own, one_chapter_rerun_s=round(rerun, 1),
                      rerun_overhead_s=round(rerun - own, 1) if own else None, rerun_rc=rc3)
        parts = {"Part I": "encoding_", "Part II": "vist_", "Part III": "neurons_"}
        record["part_wall_times_s"] = {
            name: round(sum(t for c, t in per_chapter.items() if c.startswith(pre)), 1) for name, pre in parts.items()}
        record["chapters_total_s"] = round(sum(per_chapter.values()), 1)
        record["goals"] = {"clean_build_s": goal, "no_change_rebuild_s": 10, "no_change_executed": 0,
                           "rerun_overhead_s": 30}
        record["load_after"] = os.getloadavg()[0]
        record["loadavg_after"] = list(os.getloadavg())
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    atomic_write_text(args.out, json.dumps(record, indent=2) + "\n")
    print(json.dumps(record, indent=2))
    ok = record.get("clean_build_rc") == 0
    print(f"clean {record['clean_build_s']} s (goal {goal} s, ratio {record['clean_build_s'] / goal:.2f}); "
          f"no-change {record['no_change_rebuild_s']} s executing {record.get('no_change_executed')} chapters "
          f"(goal 10 s, ratio {record['no_change_rebuild_s'] / 10:.2f}); re-run overhead {record['rerun_overhead_s']} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
