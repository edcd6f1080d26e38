"""Composite indices built from indicator tables: the Berlin MSS method, min–max composites, typologies."""
