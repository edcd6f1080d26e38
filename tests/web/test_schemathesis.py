"""schemathesis against the OpenAPI schema: generated requests never produce a server error (5xx).

Two passes per operation: the generated requests as they are (mostly unknown keys → 4xx), and the same
requests anchored to real indicator, level and unit keys, so that the other generated parameters (years,
classes, methods, palettes, languages, unit lists) reach the computations.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

EXAMPLES = 12
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
INDICATORS = ["unemployment_share_sgb2", "residents", "share_children_0_6", "share_foreigners", "nope"]
LEVELS = ["statbez", "ortsteil", "stadt", "land"]
UNITS = ["11", "12", "999", "16053000", "x"]


def _anchor(case: Any, indicator: str, level: str, units: list[str]) -> None:
    query = case.query if isinstance(case.query, dict) else None
    if query is not None:
        if "indicator" in query:
            query["indicator"] = indicator
        if "level" in query:
            query["level"] = level
        if "unit" in query:
            query["unit"] = units[0]
        if "units" in query:
            query["units"] = units
    params = case.path_parameters if isinstance(case.path_parameters, dict) else None
    if params is not None:
        if "level" in params:
            params["level"] = level
        if "unit" in params:
            params["unit"] = units[0]


def test_api_never_answers_with_a_server_error(app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 13
    for operation in operations:

        @given(case=operation.as_strategy())
        @SETTINGS
        def raw(case: Any) -> None:
            case.call_and_validate(checks=[not_a_server_error])

        @given(
            case=operation.as_strategy(),
            indicator=st.sampled_from(INDICATORS),
            level=st.sampled_from(LEVELS),
            units=st.lists(st.sampled_from(UNITS), min_size=1, max_size=5),
        )
        @SETTINGS
        def anchored(case: Any, indicator: str, level: str, units: list[str]) -> None:
            _anchor(case, indicator, level, units)
            case.call_and_validate(checks=[not_a_server_error])

        raw()
        anchored()
