"""GPU check: the ``gpu``-marked tests, then one rehearsed chapter per Part on CUDA, with times per unit.

Usage (on a machine with a CUDA device; nothing is downloaded, the rehearsal simulates its data)::

    python scripts/gpu_check.py                  # tests + vist_model, encoding_families, neurons_decoding and
                                                 # neurons_reconstruction (it reuses the decoding runs)
    python scripts/gpu_check.py --chapters vist_model --out gpu_check.json

It prints one line per step (what ran, wall time, peak GPU memory) and writes a JSON record beside the
benchmarks (``benchmarks/results/gpu_check.json`` by default) with the device name, the commit and the load
average. Without a CUDA device it says so and exits with status 2, so that no CPU run can pass for a GPU check.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))
from _common import git_commit  # noqa: E402

CHAPTERS = ("vist_model", "encoding_families", "neurons_decoding", "neurons_reconstruction")


def _step(name: str, cmd: list[str], env: dict) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    rec = {"step": name, "command": " ".join(cmd), "rc": proc.returncode, "wall_s": round(wall, 1),
           "tail": (proc.stdout + proc.stderr)[-2000:]}
    print(f"{name:28s} rc={proc.returncode} {wall:8.1f} s", flush=True)
    return rec


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chapters", nargs="*", default=list(CHAPTERS), help="rehearsed chapters to run on CUDA")
    ap.add_argument("--skip-tests", action="store_true", help="do not run the gpu-marked tests")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "gpu_check.json"))
    args = ap.parse_args(argv)

    import torch

    if not torch.cuda.is_available():
        print("no CUDA device here: the GPU check cannot run on this machine (nothing was measured)")
        return 2
    device = torch.cuda.get_device_name(0)
    tmp = Path(tempfile.mkdtemp(prefix="nk-gpucheck-"))
    env = dict(os.environ, NEUROKIT_DATA=str(tmp / "data"), NEUROKIT_BUILD_DIR=str(tmp / "build"))
    record = {"benchmark": "gpu_check", "device": device, "commit": git_commit()["commit"] or "unknown", "platform": platform.platform(),
              "torch": torch.__version__, "loadavg_before": list(os.getloadavg()),
              "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "steps": []}
    if not args.skip_tests:
        record["steps"].append(_step("pytest -m gpu", [sys.executable, "-m", "pytest", "-q", "-m", "gpu",
                                                       "-p", "no:cacheprovider"], env))
    for chapter in args.chapters:
        record["steps"].append(_step(f"{chapter} (rehearsal)", [
            sys.executable, "-m", "neurokit", "run", chapter, "--profile", "paper", "--rehearse", "--no-html", "-q"],
            env))
        prov = tmp / "build" / "rehearsal" / "results" / "paper" / f"{chapter}.provenance.json"
        if prov.is_file():
            record["steps"][-1]["provenance"] = json.loads(prov.read_text())
    record["loadavg_after"] = list(os.getloadavg())
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    tmp_out = Path(args.out).with_suffix(".tmp")
    tmp_out.write_text(json.dumps(record, indent=2) + "\n")
    tmp_out.replace(args.out)
    failed = [s["step"] for s in record["steps"] if s["rc"] != 0]
    print(f"device {device}; {len(record['steps'])} steps, failed: {failed or 'none'}; record in {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
