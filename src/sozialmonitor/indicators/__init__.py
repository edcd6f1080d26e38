"""Variables, observations, the indicator catalogue and the import of tables into the store."""
