"""Spatial foundation: CRS policy, the data model, readers and the stores."""
