"""Console pages of the members app, one module per concern; each module lists its own `urlpatterns`."""
