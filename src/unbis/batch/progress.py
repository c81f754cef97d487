"""The indexing progress bar: documents done, rate and ETA (to stderr; hidden when not a terminal)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


@contextlib.contextmanager
def eta_bar(console: Console, description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(n)``; with a known ``total`` the bar shows percent and time remaining."""
    columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
               TextColumn("{task.speed:>7.1f} docs/s" if total else ""), TimeElapsedColumn(),
               TextColumn("ETA"), TimeRemainingColumn()]
    with Progress(*columns, console=console, transient=False, disable=not console.is_terminal,
                  speed_estimate_period=60) as progress:
        task = progress.add_task(description, total=total)
        yield lambda n: progress.advance(task, n)
