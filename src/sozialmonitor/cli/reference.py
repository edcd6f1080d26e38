"""Generate the command reference (docs/cli.md) from the command tree, so the docs cannot drift."""

from __future__ import annotations

from typing import Any

import typer.main


def _walk(cmd: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    out = [(path, cmd)]
    commands = getattr(cmd, "commands", None)
    if commands:
        for name in sorted(commands):
            out += _walk(commands[name], [*path, name])
    return out


def _param(p: Any) -> str:
    if not hasattr(p, "opts") or getattr(p, "param_type_name", "") == "argument":
        return f"| `{str(p.name).upper()}` | Argument | {getattr(p, 'help', '') or ''} |"
    names = ", ".join(f"`{n}`" for n in [*p.opts, *p.secondary_opts])
    default = "" if p.default in (None, False, ()) or p.required else f" (Standard: `{p.default}`)"
    helptext = (p.help or "").replace("|", "\\|").replace("\n", " ")
    return f"| {names} | {'Pflicht' if p.required else 'optional'} | {helptext}{default} |"


def render(app: typer.Typer) -> str:
    root = typer.main.get_command(app)
    note = "*Generated from the command tree by `python -m sozialmonitor.cli.reference`; a test keeps it current.*"
    lines = ["# Befehlsreferenz / Command reference", "", note, ""]
    for path, cmd in _walk(root, ["sozialmonitor"]):
        if cmd.hidden:
            continue
        lines += [f"## `{' '.join(path)}`", "", (cmd.help or "").strip(), ""]
        params = [p for p in cmd.params if p.name not in ("help", "install_completion", "show_completion")]
        if params:
            lines += ["| Parameter | | Beschreibung |", "| --- | --- | --- |"]
            lines += [*[_param(p) for p in params], ""]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover
    from pathlib import Path

    from sozialmonitor.cli.main import app

    target = Path(__file__).resolve().parents[3] / "docs" / "cli.md"
    target.write_text(render(app), encoding="utf-8")
    print(f"written {target}")
