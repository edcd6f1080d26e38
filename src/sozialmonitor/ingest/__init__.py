"""Reading and validating input files (tables, register extracts) into long observation frames.

Pure functions: nothing here writes to the database. See :mod:`.table` and :mod:`.register`.
"""

from __future__ import annotations

from sozialmonitor.ingest.mapping import TableMapping, load_mapping, mapping_from_dict
from sozialmonitor.ingest.table import OUTPUT_COLUMNS, read_table, validate_units

__all__ = [
    "OUTPUT_COLUMNS",
    "TableMapping",
    "load_mapping",
    "mapping_from_dict",
    "read_table",
    "validate_units",
]
