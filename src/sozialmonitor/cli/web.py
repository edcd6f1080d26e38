"""`sozialmonitor serve`, `user add`, `publish`: the web application from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from sozialmonitor.cli.common import DbOption, engine_for, handle_errors, out

user_app = typer.Typer(
    help="Benutzer des internen Bereichs / users of the internal area", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")

    @app.command("serve")
    @handle_errors
    def serve(
        db: DbOption = None,
        host: Annotated[str, typer.Option(help="Adresse / host")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="Port")] = 8000,
        dev: Annotated[
            bool,
            typer.Option(
                "--dev",
                help="Entwicklungsmodus: fester Schlüssel, Cookie auch über http / development mode",
            ),
        ] = False,
    ) -> None:
        """Webanwendung starten (Atlas, Steckbriefe, API unter /api/v1) / start the web application."""
        import uvicorn

        from sozialmonitor.web.app import create_app
        from sozialmonitor.web.settings import WebSettings

        settings = WebSettings.from_env(db, dev=True if dev else None)
        app_ = create_app(settings, engine_for(settings.db_url))
        # build the public and internal tables once before the first visitor, not during their request
        snap = app_.state.data.snapshot()
        for level in snap.scope:
            for public in (True, False):
                snap.table(level, public)
        out.print(f"sozialmonitor: http://{host}:{port}/ (Datenbank / database {settings.db_url})")
        uvicorn.run(app_, host=host, port=port, log_level="warning")

    @app.command("publish")
    @handle_errors
    def publish(
        indicator: Annotated[
            list[str] | None, typer.Argument(help="Indikatorschlüssel / indicator keys")
        ] = None,
        all_: Annotated[bool, typer.Option("--all", help="alle Indikatoren / all indicators")] = False,
        withdraw: Annotated[bool, typer.Option("--withdraw", help="zurückziehen / withdraw")] = False,
        db: DbOption = None,
    ) -> None:
        """Indikatoren im öffentlichen Portal veröffentlichen / publish indicators on the public portal."""
        from sozialmonitor.db.engine import session_scope
        from sozialmonitor.errors import SozialmonitorError
        from sozialmonitor.indicators.catalogue import load_catalogue
        from sozialmonitor.web.service import set_published

        cat = load_catalogue()
        keys = list(cat.indicators) if all_ else list(indicator or [])
        if not keys:
            raise SozialmonitorError(
                "Keine Indikatoren angegeben (oder --all)", "no indicators given (or --all)"
            )
        for k in keys:
            cat.get(k)
        with session_scope(engine_for(db)) as s:
            set_published(s, keys, not withdraw, "cli")
        verb = "zurückgezogen / withdrawn" if withdraw else "veröffentlicht / published"
        out.print(f"{len(keys)} Indikatoren {verb}")


@user_app.command("add")
@handle_errors
def user_add(
    username: Annotated[str, typer.Argument(help="Benutzername / user name")],
    role: Annotated[str, typer.Option(help="admin | planner | viewer")] = "planner",
    password: Annotated[
        str,
        typer.Option(
            prompt="Passwort / password",
            hide_input=True,
            confirmation_prompt=True,
            envvar="SOZIALMONITOR_NEW_PASSWORD",
            help="ohne Angabe: Abfrage / prompted when not given",
        ),
    ] = "",
    db: DbOption = None,
) -> None:
    """Benutzer anlegen oder Passwort und Rolle ändern / create a user or change password and role."""
    from sozialmonitor.db.engine import session_scope
    from sozialmonitor.web.auth import add_user

    with session_scope(engine_for(db)) as s:
        user = add_user(s, username, password, role)
        out.print(f"Benutzer / user {user.username!r} ({user.role}) gespeichert / saved")
