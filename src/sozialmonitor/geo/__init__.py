"""Spatial units: levels, boundaries with validity periods, lineage, overlay."""
