from gonghui.core.audit import record_audit
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Org, Role
from gonghui.orgs.tests.scoping import ScopedEndpoint


def _audit_event(org: Org) -> AuditEvent:
    return record_audit(actor=None, action="test.probe", obj=org, note="probe")


ENDPOINTS = [
    ScopedEndpoint(
        covers="console:audit",
        action="list",
        url=lambda event: "/console/audit/",
        make=_audit_event,
        role=Role.AUDITOR,
        listed=lambda response, event: f'data-row-id="{event.pk}"' in response.content.decode(),
    ),
]
UNSCOPED = {"console:dashboard": "figures of the signed-in officer's own grants only (selectors.scope_roots)"}
