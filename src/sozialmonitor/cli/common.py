"""Shared pieces of the CLI: the --db option, engine creation, error output, progress bars."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine

from sozialmonitor.config import SETTINGS
from sozialmonitor.errors import ImportValidationError, SozialmonitorError

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help=f"{SETTINGS['db'].help_de} / {SETTINGS['db'].help_en}. "
        f"Standard: ${SETTINGS['db'].env} oder {SETTINGS['db'].default}",
        show_default=False,
    ),
]
# Wide and without soft wrapping when piped, so messages and tables stay whole in logs and files.
err = Console(stderr=True, soft_wrap=True, width=None if sys.stderr.isatty() else 160)
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)

F = TypeVar("F", bound=Callable[..., Any])


def engine_for(db: str | None, upgrade_schema: bool = True) -> Engine:
    from sozialmonitor.db.engine import make_engine, upgrade

    engine = make_engine(db)
    if upgrade_schema:
        upgrade(engine)
    return engine


def handle_errors(func: F) -> F:
    """Turn sozialmonitor errors into bilingual messages and exit codes (2 = invalid input, 1 = other)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ImportValidationError as exc:
            err.print(exc.de, markup=False, highlight=False)
            err.print(exc.en, markup=False, highlight=False)
            raise typer.Exit(2) from None
        except SozialmonitorError as exc:
            err.print(f"Fehler: {exc.de}", markup=False, highlight=False)
            err.print(f"Error: {exc.en}", markup=False, highlight=False)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err.print("Abgebrochen – nichts wurde geschrieben. / Cancelled – nothing was written.")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar on stderr (hidden when stderr is not a terminal)."""
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[step]}"),
        TimeElapsedColumn(),
        console=err,
        disable=not sys.stderr.isatty(),
    )
    with progress:
        task = progress.add_task(label, total=None, step="")

        def update(step: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, step=step)

        yield update
