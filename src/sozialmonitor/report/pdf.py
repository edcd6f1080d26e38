"""PDF with WeasyPrint: A4, table of contents with page numbers, running headers, tagged (PDF/UA-1), fonts
embedded (WeasyPrint embeds subsets of the fonts it uses)."""

from __future__ import annotations

import logging
from pathlib import Path

PDF_VARIANT = "pdf/ua-1"


def write_pdf(html: str, path: Path, base_url: Path) -> None:
    from weasyprint import HTML  # type: ignore[import-untyped]

    # WeasyPrint logs every CSS property it does not know (e.g. the screen-only ones) as a warning.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    HTML(string=html, base_url=str(base_url), media_type="print").write_pdf(
        str(path), pdf_variant=PDF_VARIANT, uncompressed_pdf=False
    )
