"""Building a city's database from a configuration folder; the bundled Jena demo."""

from pathlib import Path

JENA = Path(__file__).parent / "jena"
