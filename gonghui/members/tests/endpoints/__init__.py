"""Scoped endpoints of the members app, one module per concern, gathered by ../scoped_endpoints.py."""
