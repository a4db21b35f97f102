"""The ``neurokit`` command line: build the book, re-run chapters, list them, manage data, cite.

Examples
--------
neurokit book                              # execute stale chapters (embedded profile), build _build/html
neurokit run quickstart -p noise=2.0       # re-execute one chapter with new parameters, rebuild the site
neurokit list                              # chapters, their parameters and defaults, last run
neurokit data simulate --profile smoke     # write the simulated data sets
neurokit cite quickstart                   # BibTeX for the book, the chapter and the papers it reproduces
"""
from __future__ import annotations

import argparse
import json
import logging
import sys

from neurokit import __version__
from neurokit.config import DEFAULT_PROFILE, PROFILES
from neurokit.errors import NeurokitError

log = logging.getLogger("neurokit")
EXPORT_FORMATS = ("html", "ipynb", "pdf")  # neurokit.book.export.FORMATS (not imported: the CLI starts fast)


def _book(args):
    from neurokit.book.chapters import find_root
    from neurokit.book.runner import Book

    return Book(find_root(args.root), args.profile, rehearse=getattr(args, "rehearse", False))


def _report(runs) -> int:
    failed = [r for r in runs if r.status == "failed"]
    for r in runs:
        print(r.describe(), file=sys.stderr if r.status == "failed" else sys.stdout)
    executed = sum(r.status == "executed" for r in runs)
    print(f"{executed} executed, {sum(r.status == 'cached' for r in runs)} cached, {len(failed)} failed")
    return 1 if failed else 0


def _dry_run(book, names=None, overrides=None) -> int:
    """Print one line per chapter that would execute, with the reason; execute and write nothing."""
    plan = book.plan(names, overrides)
    for name, reason in plan:
        print(f"{name}: {reason}")
    if not plan:
        print(f"nothing to execute: every chapter is up to date ({book.profile} profile, build {book.build})")
    return 0


def cmd_book(args) -> int:
    book = _book(args)
    if args.dry_run:
        return _dry_run(book)
    with book.lock():
        runs = book.run(jobs=args.jobs, force=args.force, progress=not args.quiet)
        code = _report(runs)
        if args.no_html:
            return code
        if not any(r.status != "cached" for r in runs) and book.html_is_current():
            print(f"site is up to date: {book.html / 'index.html'}")
            return code
        book.build_html(runs)
        print(f"site: {book.html / 'index.html'}")
        return code


def cmd_run(args) -> int:
    from neurokit.book.chapters import parse_overrides

    book = _book(args)
    overrides = parse_overrides(args.param)
    book.parameters(args.chapter, overrides)  # validate before taking the lock or executing
    if args.dry_run:
        return _dry_run(book, [args.chapter], overrides)
    with book.lock():
        runs = book.run([args.chapter], overrides=overrides, force=args.force, progress=not args.quiet)
        code = _report(runs)
        if not args.no_html:
            book.build_html(runs)
            print(f"site: {book.html / 'book' / 'chapters' / (args.chapter + '.html')}")
        return code


def cmd_list(args) -> int:
    book = _book(args)
    rows = []
    for name, ch in book.chapters.items():
        params = book.parameters(name)
        prov = book.results / f"{name}.provenance.json"
        last = json.loads(prov.read_text()) if prov.is_file() else {}
        rows.append({"chapter": name, "title": ch.title, "part": ch.part, "datasets": list(ch.datasets),
                     "parameters": params, "last_run": last.get("executed_at"), "wall_time_s": last.get("wall_time_s"),
                     "stale": book.is_stale(name, params)})
    if args.json:
        print(json.dumps(rows, indent=2, default=str))
        return 0
    for r in rows:
        state = "stale" if r["stale"] else "up to date"
        print(f"{r['chapter']}  —  {r['title']}  [{r['part'] or '-'}; {state}; last run {r['last_run'] or 'never'}]")
        for k, v in r["parameters"].items():
            print(f"    {k} = {v!r}")
    return 0


def cmd_export(args) -> int:
    from neurokit.book.export import export_chapter

    out = export_chapter(args.chapter, args.format, output=args.output, profile=args.profile, root=args.root,
                         execute=not args.no_execute, progress=not args.quiet)
    print(f"exported {args.chapter} ({args.profile} profile, {args.format}): {out}")
    return 0


def cmd_cite(args) -> int:
    from neurokit.book.cite import citation

    from neurokit.book.chapters import parse_overrides

    print(citation(args.chapter, root=args.root, fmt=args.format, profile=args.profile,
                   overrides=parse_overrides(args.param)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="neurokit",
        description="Execute and build the neurokit book; manage its data; cite it.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("Examples", 1)[1].replace("--------\n", ""),
    )
    p.add_argument("--version", action="version", version=f"neurokit {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def common(sp, profile=True):
        sp.add_argument("--root", default=None, help="book root (default: found from the current directory)")
        if profile:
            sp.add_argument("--profile", default=DEFAULT_PROFILE, choices=PROFILES,
                            help=f"parameter profile (default {DEFAULT_PROFILE})")

    def executing(sp, force_help):
        sp.add_argument("--force", action="store_true", help=force_help)
        sp.add_argument("--no-html", action="store_true", help="execute only, do not (re)build the site")
        sp.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
        sp.add_argument("--dry-run", action="store_true",
                        help="print each chapter that would execute and why; execute and write nothing")
        sp.add_argument("--rehearse", action="store_true",
                        help="with --profile paper: run the paper code paths on data simulated at the paper's shapes "
                             "(in <data home>/rehearsal), with random weights and minimal repetitions, into "
                             "_build/rehearsal, every page stamped as a rehearsal")

    sp = sub.add_parser("book", help="execute every stale chapter and build the HTML site")
    common(sp)
    sp.add_argument("--jobs", type=int, default=1, help="chapters executed in parallel (default 1)")
    executing(sp, "re-execute every chapter even if up to date")
    sp.set_defaults(func=cmd_book)

    sp = sub.add_parser("run", help="re-execute one chapter (with -p key=value overrides) and rebuild the site")
    common(sp)
    sp.add_argument("chapter", help="chapter name (see `neurokit list`)")
    sp.add_argument("-p", "--param", action="append", metavar="KEY=VALUE", help="override a parameter")
    executing(sp, "execute even if up to date")
    sp.set_defaults(func=cmd_run)

    sp = sub.add_parser("list", help="list chapters, their parameters and defaults, and their last run")
    common(sp)
    sp.add_argument("--json", action="store_true", help="machine-readable output")
    sp.set_defaults(func=cmd_list)

    sp = sub.add_parser("cite", help="print BibTeX for the book, a chapter and the papers it reproduces")
    common(sp)
    sp.add_argument("chapter", nargs="?", default=None)
    sp.add_argument("-p", "--param", action="append", metavar="KEY=VALUE",
                    help="a parameter the cited chapter was run with (as for `neurokit run`)")
    sp.add_argument("--format", choices=("bibtex", "cff"), default="bibtex")
    sp.set_defaults(func=cmd_cite)

    sp = sub.add_parser("data", help="list, fetch, verify or simulate the data sets")
    try:
        from neurokit.catalog.cli import configure
    except ImportError:  # data subpackage not available in a stripped install
        sp.set_defaults(func=lambda a: (print("neurokit.data is not available"), 2)[1])
    else:
        configure(sp)

    sp = sub.add_parser("export", help="export one chapter as a self-contained file: the executed notebook, one "
                                       "HTML file, or a PDF", formatter_class=argparse.RawDescriptionHelpFormatter,
                        epilog="examples:\n"
                               "  neurokit export quickstart --format pdf                 # ./quickstart.pdf\n"
                               "  neurokit export quickstart --format html -o share.html  # one self-contained file\n"
                               "  neurokit export quickstart --format ipynb --profile smoke --no-execute")
    common(sp)
    sp.add_argument("chapter", help="chapter name (see `neurokit list`)")
    sp.add_argument("--format", "-f", dest="format", choices=EXPORT_FORMATS, default="html",
                    help="ipynb: the executed notebook; html: one self-contained file; pdf: its print (default html)")
    sp.add_argument("-o", "--output", default=None, help="output file (default ./<chapter>.<format>)")
    sp.add_argument("--no-execute", action="store_true",
                    help="export the last executed notebook (and site) as it is, even if stale; never execute")
    sp.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    sp.set_defaults(func=cmd_export)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("papermill", "traitlets", "matplotlib", "PIL"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if args.verbose else logging.WARNING)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except NeurokitError as exc:
        print(f"neurokit: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # disk full, permissions, …: say what to do; finished work is kept
        print(f"neurokit: error: {exc}. Free disk space or fix the permissions (or point NEUROKIT_BUILD_DIR / "
              "NEUROKIT_DATA elsewhere) and re-run; finished chapters are kept.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("neurokit: interrupted; finished chapters are kept and will not re-execute", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
