"""API routers of the members app, one module per concern; each is mounted in gonghui.api.ROUTERS."""
