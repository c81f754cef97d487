"""`unbis serve`: the REST API and the web page (FastAPI on uvicorn)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from unbis.cli.progress import err_console


def serve(
    projects_dir: Annotated[Path | None, typer.Argument(
        help="Directory of trained projects (each a sub-directory); the bundled UNBIS project is always served.",
    )] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
    feedback_db: Annotated[Path | None, typer.Option(
        help="SQLite file for indexers' decisions [default: $UNBIS_FEEDBACK_DB or ~/.local/share/unbis/].",
    )] = None,
    max_body: Annotated[int, typer.Option(min=1, help="Largest request body in bytes (413 above).")] = 10 * 1024 * 1024,
    max_batch: Annotated[int, typer.Option(min=1, help="Most documents in one suggest-batch request.")] = 32,
    api_key: Annotated[str | None, typer.Option(
        envvar="UNBIS_API_KEY", show_envvar=True,
        help="Key every write (feedback, documents, learn) must send as `Authorization: Bearer KEY`. Without "
             "one, writes are accepted only when bound to loopback.",
    )] = None,
    queue: Annotated[list[str] | None, typer.Option(
        help="A review queue NAME=OUT.jsonl (the output of `unbis index`), reviewed at /queue/NAME "
             "(repeatable).")] = None,
) -> None:
    """Serve the Annif-compatible REST API (/v1), the richer API (/api, docs at /docs) and the web page (/)."""
    import uvicorn

    from unbis.api.app import create_app

    if projects_dir is not None and not projects_dir.is_dir():
        raise typer.BadParameter(f"{projects_dir}: not a directory", param_hint="PROJECTS_DIR")
    from unbis.feedback.queue import parse_queue_option

    queues = dict(parse_queue_option(spec) for spec in queue or [])
    app = create_app(projects_dir, feedback_db, max_body=max_body, max_batch=max_batch, api_key=api_key,
                     host=host, queues=queues)
    registry = app.state.unbis.registry
    err_console.print(f"loading projects: {', '.join(registry.ids())}")
    for project_id in registry.ids():  # load before listening so the first request is not slow
        try:
            registry.get(project_id)
        except Exception as exc:  # noqa: BLE001 - a broken project is reported, the others still served
            err_console.print(f"[yellow]warning:[/yellow] {project_id}: {exc}")
    err_console.print(f"feedback: {app.state.unbis.feedback.path}")
    writes = app.state.unbis.writes
    colour = "yellow" if writes.mode == "refused" else "green"
    err_console.print(f"[{colour}]writes:[/{colour}] {writes.startup_note()}", highlight=False)
    for q in app.state.unbis.queues.values():
        p = q.progress(app.state.unbis.feedback)
        skipped = f", skipped {sum(q.skipped.values())} ({', '.join(q.skipped)})" if q.skipped else ""
        err_console.print(f"review queue {q.name} ({q.project}): {p['reviewed']} of {p['total']} reviewed"
                          f"{skipped}: http://{host}:{port}/queue/{q.name}")
    err_console.print(f"serving on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")

    uvicorn.run(app, host=host, port=port, log_level="warning")
