"""Train the generator and the judges of the simulated cc2017 world and write them as the shipped file.

    python scripts/train_neurons_world_models.py            # train, write assets/ and the manifest entry
    python scripts/train_neurons_world_models.py --check    # train into a temporary folder, compare the sha256

The result is bit-identical from run to run on the same software (one thread, seeded; the data are simulated
deterministically): ``--check`` exits with status 1 if the file it trains differs from the manifest's. It needs the
simulated world of the profile (``neurokit.catalog.cc2017.ensure``), made on first use under ``$NEUROKIT_DATA``.
Training takes about 20 minutes of one CPU core.
"""
from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402


def main(argv=None) -> int:
    import torch

    from neurokit.catalog import cc2017
    from neurokit.studies.neurons import world_models as W
    from neurokit.studies.neurons.settings import settings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="embedded", choices=("smoke", "embedded"))
    parser.add_argument("--check", action="store_true", help="train into a temporary folder and compare hashes")
    parser.add_argument("--progress", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    root = cc2017.ensure(args.profile)
    world = settings("world_models", args.profile)
    t0 = time.perf_counter()
    models = W.train(root, world, progress=args.progress)
    print(f"trained the {args.profile} world models in {time.perf_counter() - t0:.0f} s (key {models.key})")
    if not args.check:
        entry = W.write_assets(models, root, args.profile)
        print(json.dumps(entry, indent=2))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        entry = W.write_assets(models, root, args.profile, manifest=Path(tmp) / "world_models.json")
    shipped = W.check_manifest(args.profile)
    same = entry["sha256"] == shipped["sha256"] and entry["key"] == shipped["key"]
    print(f"trained sha256 {entry['sha256']}\nshipped sha256 {shipped['sha256']}\n"
          f"{'identical' if same else 'DIFFERENT'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
