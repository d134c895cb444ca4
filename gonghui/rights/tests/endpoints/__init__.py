"""Scoped endpoints of the rights app, one module per concern (gathered by ../scoped_endpoints.py)."""
