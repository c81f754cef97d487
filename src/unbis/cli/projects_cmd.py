"""``unbis projects``, ``unbis show``, ``unbis export`` and ``unbis import``: seeing and moving projects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from unbis.cli.progress import err_console

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]
SHOWN_FIGURES = ("f1@5", "ndcg", "psp@5")


def _figures(evaluation: dict[str, Any] | None) -> str:
    if not evaluation:
        return "-"
    return " ".join(f"{k}={evaluation[k]:.3f}" for k in SHOWN_FIGURES if isinstance(evaluation.get(k), float)) + (
        f" ({evaluation.get('docs')} docs, {str(evaluation.get('evaluated', ''))[:10]})")


def projects(
    projects_dir: Annotated[Path, typer.Argument(help="Directory holding project directories.")] = Path("."),
    as_json: AsJson = False,
) -> None:
    """List the projects in a directory (and the bundled one): id, backend, languages, vocabulary,
    version, when trained, last evaluation."""
    from rich.table import Table

    from unbis.project.listing import describe_bundled, list_projects

    rows = [describe_bundled(), *list_projects(projects_dir)]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("id", "backend", "languages", "vocabulary", "version", "trained", "last evaluation")
    for r in rows:
        if "error" in r:
            table.add_row(r["id"], "[red]unreadable[/red]", "", "", r.get("version", ""), "", r["error"])
            continue
        vocab = r["vocabulary"]
        langs = r.get("languages") or []
        table.add_row(r["id"], r["backend"], f"{r['language']} ({','.join(langs)})" if langs else r["language"],
                      f"{vocab['size']} subjects ({vocab['hash'][:8]})", r["version"], r.get("trained") or "-",
                      _figures(r.get("evaluation")))
    from rich.console import Console

    Console(width=200).print(table)


def show(
    project: Annotated[str, typer.Argument(help="A project directory, or 'unbis' for the bundled project.")],
    as_json: AsJson = False,
) -> None:
    """Everything about one project: manifest, parameters, training corpus, versions, last evaluation."""
    from unbis.errors import NotFoundError
    from unbis.project.listing import describe, describe_bundled

    path = Path(project)
    if path.is_dir():
        info = describe(path)
    elif project == "unbis":
        info = describe_bundled()
    else:
        raise NotFoundError(f"no project at {project}")
    if as_json:
        typer.echo(json.dumps(info, ensure_ascii=False))
        return
    for key, value in info.items():
        if isinstance(value, dict | list):
            value = json.dumps(value, ensure_ascii=False)
        typer.echo(f"{key:<16}{value}")


def export(
    project_dir: Annotated[Path, typer.Argument(help="The project directory to ship.")],
    out: Annotated[Path, typer.Argument(help="The archive to write (.tar.gz).")],
) -> None:
    """Write the project's current version as one self-contained .tar.gz with checksums (manifest first)."""
    from unbis.project.archive import export_project

    meta = export_project(project_dir, out)
    size = sum(f["size"] for f in meta["files"].values())
    err_console.print(f"exported {meta['project']} version {meta['version']} ({len(meta['files'])} files, "
                      f"{size} bytes unpacked) -> {out}")


def import_(
    archive: Annotated[Path, typer.Argument(help="An archive written by `unbis export`.")],
    projects_dir: Annotated[Path, typer.Argument(help="Directory of projects to import into.")],
    name: Annotated[str | None, typer.Option(help="Project id to import as [default: the archive's].")] = None,
) -> None:
    """Import a project archive: verified (format, sizes, SHA-256, the model loads) before it appears."""
    from unbis.project.archive import import_project

    done = import_project(archive, projects_dir, name)
    err_console.print(f"imported {done.name} version {done.version} ({done.files} files, {done.bytes} bytes) "
                      f"-> {done.project_dir}")
