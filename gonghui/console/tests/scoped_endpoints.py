from gonghui.core.audit import record_audit
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Org, Role
from gonghui.orgs.tests.scoping import ScopedEndpoint, row_listed


def _audit_event(org: Org) -> AuditEvent:
    return record_audit(actor=None, action="test.probe", obj=org, note="probe")


ENDPOINTS = [
    ScopedEndpoint(
        covers="console:audit",
        action="list",
        url=lambda event: "/console/audit/",
        make=_audit_event,
        role=Role.AUDITOR,
        listed=row_listed,
    ),
]
UNSCOPED = {
    "console:dashboard": "figures of the signed-in officer's own grants only (selectors.scope_roots)",
    "console:reports": "links to report pages, each scoped itself; what is listed: test_reports",
    "console:jobs": "jobs belong to the person who started them, not to an org (tested in test_jobs)",
}
