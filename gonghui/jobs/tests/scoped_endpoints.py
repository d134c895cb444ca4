"""A job is watched by the person who started it (tested in test_progress)."""

from gonghui.orgs.tests.scoping import ScopedEndpoint

ENDPOINTS: list[ScopedEndpoint] = []
UNSCOPED = {"GET /api/v1/jobs/{job_id}": "only the job's creator sees it; others get 404 (test_progress)"}
