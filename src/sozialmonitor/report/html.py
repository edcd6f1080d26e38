"""HTML from the document tree through Jinja2 templates (overridable from the report folder).

The output is one self-contained file (CSS and SVG inline). It depends only on the input: no timestamps
except the stated report date, everything sorted, so the same input gives the same bytes.
"""

from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)

from sozialmonitor.report.model import Report
from sozialmonitor.report.settings import TEMPLATE_DIR

TEMPLATE = "bericht.html.j2"


def environment(folder: Path | None) -> Environment:
    loaders: list[FileSystemLoader | PackageLoader] = []
    if folder is not None and (folder / TEMPLATE_DIR).is_dir():
        loaders.append(FileSystemLoader(str(folder / TEMPLATE_DIR)))
    loaders.append(PackageLoader("sozialmonitor.report", "templates"))
    return Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "j2", "html.j2"], default=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=False,
    )


def logo(folder: Path | None) -> str:
    """The logo from the template folder: inline SVG, or a PNG/JPEG as data URI."""
    if folder is None:
        return ""
    base = folder / TEMPLATE_DIR
    svg = base / "logo.svg"
    if svg.is_file():
        return svg.read_text(encoding="utf-8")
    for name, mime in (("logo.png", "image/png"), ("logo.jpg", "image/jpeg")):
        path = base / name
        if path.is_file():
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            return f'<img src="data:{mime};base64,{data}" alt="Logo">'
    return ""


def render_html(report: Report, folder: Path | None = None, author: str = "") -> str:
    env = environment(folder)
    if not report.logo:
        report.logo = logo(folder)
    return env.get_template(TEMPLATE).render(r=report, author=author)
