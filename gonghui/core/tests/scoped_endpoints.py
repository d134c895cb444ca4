from gonghui.orgs.tests.scoping import ScopedEndpoint

ENDPOINTS: list[ScopedEndpoint] = []
UNSCOPED = {"GET /api/v1/health": "public health check, no data"}
