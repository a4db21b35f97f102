"""``neurokit data {list, fetch, verify, simulate}``: the data subcommands of the neurokit CLI.

The top-level CLI calls :func:`configure` on its ``data`` sub-parser; each subcommand sets
``func(args) -> int`` (the exit status).
"""
from __future__ import annotations

import argparse
import logging
import sys

from neurokit.config import PROFILES
from neurokit.data.checksums import check_checksums
from neurokit.data.manifests import fetch, load_manifest, verify_files
from neurokit.errors import NeurokitError

__all__ = ["configure", "main"]

log = logging.getLogger(__name__)


def _out(msg: str = "") -> None:
    sys.stdout.write(msg + "\n")


def _err(msg: str) -> None:
    sys.stderr.write(msg + "\n")


def _cmd_list(args) -> int:
    from neurokit.catalog.registry import DATASETS  # 2 s of imports (every simulator): only here

    for name, spec in DATASETS.items():
        try:
            m = load_manifest(name)
            extra = f"{m.licence.splitlines()[0][:70]} | chapters: {', '.join(m.chapters)}"
        except NeurokitError as exc:
            extra = f"(manifest problem: {exc})"
        _out(f"{name:14s} {spec.title}")
        _out(f"{'':14s} {extra}")
        for profile in PROFILES:
            root = spec.root(profile, args.data_home)
            state = "present" if root.is_dir() and any(root.iterdir()) else "absent"
            _out(f"{'':14s} {profile:9s} {state:8s} {root}")
    return 0


def _cmd_fetch(args) -> int:
    try:
        root = fetch(args.name, data_home=args.data_home, timeout=args.timeout)
    except NeurokitError as exc:
        _err(f"neurokit data fetch: {exc}")
        return 1
    _out(f"fetched {args.name} into {root}")
    return 0


def _cmd_verify(args) -> int:
    from neurokit.catalog.registry import DATASETS, get  # 2 s of imports (every simulator): only here

    names = [args.name] if args.name else list(DATASETS)
    status, verified = 0, 0
    for name in names:
        try:
            root = get(name).root(args.profile, args.data_home, args.seed)
        except NeurokitError as exc:
            _err(f"neurokit data verify: {exc}")
            return 2
        if not root.is_dir():
            _out(f"{name} ({args.profile}): absent ({root})" + ("" if args.name else ", skipped"))
            if args.name:
                status = 1
            continue
        verified += 1
        problems = verify_files(name, root) if args.profile == "paper" else check_checksums(root)
        if problems:
            status = 1
            _out(f"{name} ({args.profile}): {len(problems)} problem(s) in {root}")
            for p in problems:
                _out(f"  {p}")
            if args.profile != "paper":
                _out(f"  re-create it with: neurokit data simulate --force --profile {args.profile} {name}")
        else:
            _out(f"{name} ({args.profile}): OK ({root})")
    if not verified:
        how = ("place the real files as `neurokit data list` says" if args.profile == "paper"
               else f"simulate them with `neurokit data simulate --profile {args.profile}`")
        _err(f"neurokit data verify: nothing was verified: no data set of the {args.profile} profile is present "
             f"under {get(names[0]).root(args.profile, args.data_home, args.seed).parent}; {how}.")
        return 1
    return status


def _cmd_simulate(args) -> int:
    from neurokit.catalog.registry import DATASETS, ensure  # 2 s of imports (every simulator): only here

    if args.profile == "paper":
        _err("neurokit data simulate: the paper profile uses the real data; choose --profile smoke or embedded.")
        return 2
    names = args.names or list(DATASETS)
    status = 0
    for name in names:
        try:
            root = ensure(name, args.profile, data_home=args.data_home, seed=args.seed, force=args.force)
        except NeurokitError as exc:
            _err(f"neurokit data simulate {name}: {exc}")
            status = 1
            continue
        _out(f"{name} ({args.profile}, seed {args.seed}): {root}")
    return status


def configure(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``list``, ``fetch``, ``verify`` and ``simulate`` subcommands to ``parser``."""
    sub = parser.add_subparsers(dest="data_command", metavar="{list,fetch,verify,simulate}")
    sub.required = True

    def common(p, profile=True):
        p.add_argument("--data-home", default=None, help="data home (default: $NEUROKIT_DATA or ~/neurokit_data)")
        if profile:
            p.add_argument("--profile", default="embedded", choices=PROFILES, help="profile (default: embedded)")
            p.add_argument("--seed", type=int, default=0, help="simulation seed (simulated profiles; default 0)")

    p = sub.add_parser("list", help="data sets, their licences, chapters and where they are on disk")
    common(p, profile=False)
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("fetch", help="download a real data set (paper profile); says how to get it by hand")
    p.add_argument("name")
    p.add_argument("--timeout", type=float, default=5.0, help="network timeout in seconds (default 5)")
    common(p, profile=False)
    p.set_defaults(func=_cmd_fetch)

    p = sub.add_parser("verify", help="re-hash data files and report every mismatch (exit 1 if any)")
    p.add_argument("name", nargs="?", default=None)
    common(p)
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser("simulate", help="write the simulated data sets (smoke or embedded profile)")
    p.add_argument("names", nargs="*", help="data sets (default: all)")
    p.add_argument("--force", action="store_true", help="re-simulate even if a current copy exists")
    common(p)
    p.set_defaults(func=_cmd_simulate)
    return parser


def main(argv=None) -> int:
    """Stand-alone entry point: ``python -m neurokit.catalog.cli verify``."""
    parser = configure(argparse.ArgumentParser(prog="neurokit data"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
