"""Pure numerics on plain data: indicators, time series, classes, spatial statistics, disclosure control.

Nothing in this package touches the database; DataFrames go in, DataFrames or result dataclasses come out.
"""
