"""The `sozialmonitor` command."""

from __future__ import annotations

import typer

from sozialmonitor import __version__
from sozialmonitor.cli import demo, web
from sozialmonitor.cli.city import city_app
from sozialmonitor.cli.common import DbOption, engine_for, handle_errors, out
from sozialmonitor.cli.data import catalogue_app, export_app, units_app, variables_app
from sozialmonitor.cli.imports import import_app
from sozialmonitor.cli.index import index_app
from sozialmonitor.cli.release import release
from sozialmonitor.cli.report import report_app
from sozialmonitor.cli.strategy import strategy_app
from sozialmonitor.cli.survey import survey_app
from sozialmonitor.cli.survey_publish import register as register_survey_publish

app = typer.Typer(
    name="sozialmonitor",
    help="sozialmonitor – integrierte Sozialplanung: Sozialmonitoring, Sozialindex, Befragung. "
    "/ integrated social planning for German cities.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Datenbank / database", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(variables_app, name="variables")
app.add_typer(units_app, name="units")
app.add_typer(catalogue_app, name="catalogue")
app.add_typer(city_app, name="city")
demo.register(app)
web.register(app)

app.add_typer(index_app, name="index")
register_survey_publish(survey_app)
app.add_typer(survey_app, name="survey")
app.add_typer(strategy_app, name="strategy")
app.add_typer(report_app, name="report")
app.command("release")(release)


@app.command("version")
def version() -> None:
    """Version anzeigen / show the version."""
    out.print(__version__)


@db_app.command("upgrade")
@handle_errors
def db_upgrade(db: DbOption = None) -> None:
    """Datenbank auf das aktuelle Schema bringen / bring the database to the current schema."""
    from sozialmonitor.db.engine import current_revision

    engine = engine_for(db)
    out.print(f"Schema-Version / schema revision: {current_revision(engine)}")


if __name__ == "__main__":  # pragma: no cover
    app()
