"""Data-building scripts: the procedural motion generator, real-clip converters, curation, Hub dataset."""
