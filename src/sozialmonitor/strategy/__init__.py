"""Poverty-prevention strategy: Handlungsfelder → Ziele (with target indicators) → Maßnahmen, and the
evaluation of goal attainment against the monitoring (see docs/strategy.md)."""
