"""API routers of the orgs app, one module per concern; each is mounted in gonghui.api.ROUTERS."""
