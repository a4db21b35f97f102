"""Pages the runner writes into the staged book: chapter headers, execution status and provenance."""
from __future__ import annotations

import json
import shlex
from pathlib import Path

import nbformat
import yaml

from neurokit._io import sync_bytes
from neurokit.book.chapters import resolve_parameters
from neurokit.book.substitutes import substitutions_markdown

REPO_URL = "https://github.com/neurokit-book/neurokit"


def _cli_value(v) -> str:
    """``v`` as ``-p key=value`` reads it back (a YAML scalar or flow collection; JSON is YAML)."""
    if isinstance(v, str):
        try:
            if yaml.safe_load(v) == v:
                return v
        except yaml.YAMLError:
            pass
    return json.dumps(v)


def rerun_arguments(params: dict, defaults: dict) -> list[str]:
    """``-p key=value`` for every parameter that differs from the notebook's default, each quoted for a POSIX
    shell (bash, zsh): pasted into a terminal they give ``params`` back."""
    out = []
    for k, v in sorted(params.items()):
        if k != "profile" and defaults.get(k) != v:
            out += ["-p", shlex.quote(f"{k}={_cli_value(v)}")]
    return out


def _fmt_values(params: dict) -> str:
    return ", ".join(f"`{k}={v!r}`" for k, v in sorted(params.items()) if k != "profile") or "the defaults"


def chapter_header_cell(book, chapter, prov: dict, failed_run=None):
    """A markdown cell placed under the chapter title: profile, parameters, commit, run time, re-run box."""
    params = prov.get("parameters", {})
    data_note = ("simulated data with known ground truth" if book.profile != "paper" else "real data")
    stamp = []
    if getattr(book, "rehearse", False):
        data_note = "a REHEARSAL: data simulated at the paper's shapes, random weights, minimal repetitions"
        stamp = ["```{warning}", "**Rehearsal of the `paper` profile.** This page ran the paper profile's code path on "
                 "simulated data at the paper's shapes with random weights and minimal repetitions, to check that "
                 "it executes. No number on it is a result.", "```", ""]
    lines = stamp + [
        "```{admonition} How this page was made",
        ":class: note",
        f"Executed under the **{book.profile}** profile ({data_note}) on {prov.get('executed_at', '?')} "
        f"in {prov.get('wall_time_s', '?')} s, commit `{str(prov.get('git_commit', '?'))[:12]}`, "
        f"device {prov.get('device', '?')}.",
        "",
        f"Parameters: {_fmt_values(params)}.",
        "",
        "Re-run this chapter with these parameters (change any of them with `-p key=value`):",
        "```",
        "",
        "```{code-block} bash",
        ":class: nk-rerun",
        " ".join(["neurokit", "run", chapter.name, "--profile", book.profile,
                  *(["--rehearse"] if getattr(book, "rehearse", False) else []),
                  *rerun_arguments(params, chapter.defaults)]),
        "```",
        "",
        _paper_line(book, chapter, params),
        "",
        f"Source: [`notebooks/{chapter.name}.py`]({REPO_URL}/blob/main/notebooks/{chapter.name}.py) · "
        f"executed notebook: {{download}}`{chapter.name}.ipynb <{chapter.name}.ipynb>` · "
        f"provenance: {{doc}}`/book/provenance`"
        + (" · data: " + ", ".join(f"{{doc}}`{d} </book/data/{d}>`" for d in chapter.datasets)
           if chapter.datasets and all((book.root / "book" / "data" / f"{d}.md").is_file() for d in chapter.datasets)
           else ""),
    ]
    if failed_run is not None:
        lines += ["", "```{warning}",
                  f"The latest run of this chapter failed in cell {failed_run.cell}: `{failed_run.error}`. "
                  "This page shows the last successful run.", "```"]
    cell = nbformat.v4.new_markdown_cell("\n".join(lines))
    cell.metadata["tags"] = ["neurokit-header"]
    return cell


def _paper_line(book, chapter, params: dict) -> str:
    """What the ``paper`` profile runs this chapter with (its real data, pretrained weights and sizes)."""
    try:
        paper = resolve_parameters(book.root, chapter, "paper")
    except Exception as exc:  # noqa: BLE001 - a broken paper parameter file is reported, not fatal to the page
        return f"The `paper` profile's parameters could not be read: {exc}."
    if book.profile == "paper":
        return "This page is the `paper` profile's run (real data and pretrained weights)."
    differ = {k: v for k, v in paper.items() if k != "profile" and params.get(k) != v}
    return ("Under the `paper` profile (real data, pretrained weights, a GPU) it runs with "
            + (_fmt_values(differ) + " in place of these." if differ else "the same parameters."))


def write_generated_pages(book, stage: Path, runs) -> None:
    """Write ``book/status.md``, ``book/provenance.md`` and ``book/_substitutes.md`` (included by the landing page)
    into the stage from the result records and the registries."""
    sync_bytes((substitutions_markdown(book.profile) + "\n").encode(), stage / "book" / "_substitutes.md")
    run_by_name = {r.chapter: r for r in runs}
    rows_status, rows_prov = [], []
    for name, chapter in book.chapters.items():
        prov_f = book.results / f"{name}.provenance.json"
        prov = json.loads(prov_f.read_text()) if prov_f.is_file() else {}
        res_f = book.results / f"{name}.json"
        numbers = json.loads(res_f.read_text()).get("numbers", {}) if res_f.is_file() else {}
        failed_f = book.executed / "failed" / f"{name}.json"
        run = run_by_name.get(name)
        if run is not None and run.status == "failed":
            status = f"{{bdg-danger}}`failed` (cell {run.cell})"
        elif failed_f.is_file() and not prov:
            status = "{bdg-danger}`failed`"
        elif prov:
            status = "{bdg-success}`ok`" + (" (cached)" if run is not None and run.status == "cached" else "")
        else:
            status = "– not run"
        rows_status.append(
            f"| {{doc}}`{chapter.title} </book/chapters/{name}>` | {status} | {prov.get('wall_time_s', '–')} | "
            f"{prov.get('executed_at', '–')} | `{str(prov.get('git_commit', '–'))[:12]}` | {len(numbers)} |"
        )
        params = ", ".join(f"{k}={v}" for k, v in sorted(prov.get("parameters", {}).items())) or "–"
        data = ", ".join(f"{k} (`{v[:10]}`)" for k, v in sorted(prov.get("data", {}).items())) or "–"
        rows_prov.append(f"| `notebooks/{name}.py` | {params} | {data} | `{str(prov.get('git_commit', '–'))[:12]}` | "
                         f"{prov.get('executed_at', '–')} |")
    versions = {}
    for name in book.chapters:
        prov_f = book.results / f"{name}.provenance.json"
        if prov_f.is_file():
            prov = json.loads(prov_f.read_text())
            versions = prov.get("packages", {})
            device = prov.get("device", "?")
            break
    else:
        device = "?"
    status = "\n".join([
        "# Execution status",
        "",
        f"Every chapter of this build, executed under the `{book.profile}` profile. "
        "A chapter re-executes only when its notebook, parameters, the neurokit code it imports or its input "
        "data change; otherwise its last executed notebook is reused (\"cached\").",
        "",
        "| chapter | status | run time (s) | executed (UTC) | commit | recorded numbers |",
        "|---|---|---|---|---|---|",
        *rows_status,
        "",
        "## Environment",
        "",
        f"Device: {device}.",
        "",
        "| package | version |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in sorted(versions.items())],
        "",
    ])
    prov_page = "\n".join([
        "# Provenance",
        "",
        "Where every page of this build comes from: the notebook, the parameters it ran with, the data "
        "(manifest hash, and the verified data fingerprint under `paper`), the commit and the time. "
        "The full records, with package versions and wall times, are the `_build/results/<profile>/"
        "<chapter>.provenance.json` files of the build.",
        "",
        "| notebook | parameters | data | commit | executed (UTC) |",
        "|---|---|---|---|---|",
        *rows_prov,
        "",
    ])
    sync_bytes(status.encode(), stage / "book" / "status.md")
    sync_bytes(prov_page.encode(), stage / "book" / "provenance.md")
