"""Reading and validating input files (tables, register extracts) into long observation frames.

Pure functions: nothing here writes to the database. Both readers return the columns of
:data:`OUTPUT_COLUMNS` (unit_key, ref_date, variable, value, status, source_row, source_column) or raise
:class:`~sozialmonitor.errors.ImportValidationError` with every problem of the file.
See :mod:`.table`, :mod:`.mapping`, :mod:`.cells` (marks and number rules) and :mod:`.register`.
"""

from __future__ import annotations

from sozialmonitor.ingest.mapping import TableMapping, load_mapping, mapping_from_dict
from sozialmonitor.ingest.register import aggregate_register
from sozialmonitor.ingest.register_spec import RegisterSpec, load_register_spec, register_spec_from_dict
from sozialmonitor.ingest.register_synthetic import SYNTHETIC_SPEC, synthetic_register
from sozialmonitor.ingest.table import OUTPUT_COLUMNS, read_table, validate_units

__all__ = [
    "OUTPUT_COLUMNS",
    "SYNTHETIC_SPEC",
    "RegisterSpec",
    "TableMapping",
    "aggregate_register",
    "load_mapping",
    "load_register_spec",
    "mapping_from_dict",
    "read_table",
    "register_spec_from_dict",
    "synthetic_register",
    "validate_units",
]
