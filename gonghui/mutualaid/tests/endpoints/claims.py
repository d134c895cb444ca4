"""Scoped endpoints: mutual aid claims in the console and the officers' API.

A claim belongs to the member's union; deciding on it needs the handle permission on the
federation running its plan. So that the scoping world's own union can be both, it becomes a
township federation running its own plan (as the pledge endpoints do), with an enrolled member
whose claim is entered in it.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import count
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gonghui.members.tests.factories import member_row
from gonghui.mutualaid.models import AidClaim, AidClaimAttachment, AidPlanStatus
from gonghui.mutualaid.services.claims import approve_claim, check_claim, submit_claim
from gonghui.mutualaid.tests.factories import claim_input, line, make_enrolment, make_plan, make_rule
from gonghui.orgs.models import FederationLevel, Org, OrgKind
from gonghui.orgs.tests.factories import officer_at
from gonghui.orgs.tests.scoping import ScopedEndpoint, ScopeWorld, listed_by, row_listed

CONSOLE = "/console/mutualaid/claims"
API = "/api/v1/mutualaid/claims"
_serial = count()
# One fixed file for the document download: written again by each test, never piling up.
DOCUMENT_NAME = "mutualaid/claims/scoped-endpoint-test.pdf"
PDF = b"%PDF-1.4\n%scoping test\n"


def _as_federation(org: Org) -> Org:
    Org.objects.filter(pk=org.pk).update(kind=OrgKind.FEDERATION, level=FederationLevel.TOWNSHIP)
    org.kind, org.level = OrgKind.FEDERATION, FederationLevel.TOWNSHIP
    return org


def _entry_handler(org: Org) -> Any:
    """A handler of the federation who enters and prepares claims, distinct from the visitors."""
    return officer_at(org, f"scope.entry.{next(_serial)}")


def enrolled_member(org: Org, **plan_fields: Any) -> Any:
    """The own union as a federation running an open plan for this year, and a member enrolled."""
    today = timezone.localdate()
    federation = _as_federation(org)
    values: dict[str, Any] = {"status": AidPlanStatus.OPEN, "second_review_rate": Decimal("0"), **plan_fields}
    plan = make_plan(federation, year=today.year, name=f"{today.year}年度职工医疗互助", **values)
    make_rule(plan, waiting_days=0)
    member = member_row(federation)
    member.save()
    make_enrolment(plan, member)
    return member


def entered_claim(org: Org, **plan_fields: Any) -> AidClaim:
    member = enrolled_member(org, **plan_fields)
    plan = member.org.aid_plans.get()
    today = timezone.localdate()
    return submit_claim(
        plan,
        actor=_entry_handler(org),
        member=member,
        **claim_input(admitted_on=today, discharged_on=today, lines=[line("FP-SCOPE-1", "5000.00")]),
    )


def checked_claim(org: Org) -> AidClaim:
    claim = entered_claim(org)
    return check_claim(claim, actor=_entry_handler(org))


def in_second_review(org: Org) -> AidClaim:
    claim = entered_claim(org, second_review_rate=Decimal("1"))
    handler = _entry_handler(org)
    return approve_claim(check_claim(claim, actor=handler), actor=handler)


def with_document(org: Org) -> AidClaimAttachment:
    claim = entered_claim(org)
    path = Path(settings.MEDIA_ROOT) / DOCUMENT_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PDF)
    attachment: AidClaimAttachment = AidClaimAttachment.objects.create(
        claim=claim,
        file=DOCUMENT_NAME,
        original_name="出院小结.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    return attachment


def _entry_form(world: ScopeWorld, member: Any) -> dict[str, Any]:
    today = timezone.localdate().isoformat()
    return {
        "member": str(member.pk),
        "plan": str(member.org.aid_plans.get().pk),
        "claim_type": "inpatient",
        "hospital": "示范市第一人民医院",
        "diagnosis_category": "cardiovascular",
        "admitted_on": today,
        "discharged_on": today,
        "bank_account_name": "王小明",
        "bank_account_number": "6222021234567890",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-invoice_number": "FP-SCOPE-2",
        "lines-0-amount": "3000.00",
        "lines-0-excluded": "0",
    }


def _entry_json(world: ScopeWorld, member: Any) -> dict[str, Any]:
    today = timezone.localdate().isoformat()
    return {
        "plan": member.org.aid_plans.get().pk,
        "member": member.pk,
        "claim_type": "inpatient",
        "hospital": "示范市第一人民医院",
        "diagnosis_category": "cardiovascular",
        "admitted_on": today,
        "discharged_on": today,
        "lines": [{"invoice_number": "FP-SCOPE-3", "amount": "3000.00"}],
        "bank_account_name": "王小明",
        "bank_account_number": "6222021234567890",
    }


def _reject_one_line(world: ScopeWorld, claim: AidClaim) -> dict[str, Any]:
    line_id = claim.lines.get().pk
    return {"line": [str(line_id)], f"reason_{line_id}": "自费药品"}


def _refused_upload(world: ScopeWorld, claim: AidClaim) -> dict[str, Any]:
    """A file the service refuses for its content, after its scope and permission checks: the
    allowed officers get that refusal (422), the others 404, and no file is ever stored under
    MEDIA_ROOT by the scoping base (the success path is test_claims_console.py's)."""
    return {"file": SimpleUploadedFile("发票.pdf", b"not a document", content_type="application/pdf")}


_FOUND_302 = frozenset({302})

ENDPOINTS: list[ScopedEndpoint] = [
    # --- console ---
    ScopedEndpoint(
        covers="console:mutualaid:claim_list",
        action="list",
        url=lambda claim: f"{CONSOLE}/",
        make=entered_claim,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:mutualaid:claim_detail",
        action="detail",
        url=lambda claim: f"{CONSOLE}/{claim.pk}/",
        make=entered_claim,
    ),
    ScopedEndpoint(
        covers="console:mutualaid:claim_new",
        action="list",  # finding the member by ID number: found in scope, not found outside it
        url=lambda member: f"{CONSOLE}/new/?id_number={member.id_number}",
        make=enrolled_member,
        listed=listed_by("data-member-id"),
    ),
    ScopedEndpoint(
        covers="console:mutualaid:claim_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/new/",
        make=enrolled_member,
        data=_entry_form,
        model=AidClaim,
        ok=_FOUND_302,
    ),
    ScopedEndpoint(
        covers="console:mutualaid:claim_check",
        action="update",
        method="POST",
        url=lambda claim: f"{CONSOLE}/{claim.pk}/check/",
        make=entered_claim,
        data=lambda world, claim: {},
        ok=_FOUND_302,
    ),
    ScopedEndpoint(
        covers="console:mutualaid:claim_reject_lines",
        action="update",
        method="POST",
        url=lambda claim: f"{CONSOLE}/{claim.pk}/reject-lines/",
        make=checked_claim,
        data=_reject_one_line,
        ok=_FOUND_302,
    ),
    ScopedEndpoint(
        covers="console:mutualaid:claim_approve",
        action="update",
        method="POST",
        url=lambda claim: f"{CONSOLE}/{claim.pk}/approve/",
        make=checked_claim,
        data=lambda world, claim: {},
        ok=_FOUND_302,
    ),
    ScopedEndpoint(
        covers="console:mutualaid:claim_confirm",
        action="update",
        method="POST",
        url=lambda claim: f"{CONSOLE}/{claim.pk}/confirm/",
        make=in_second_review,
        data=lambda world, claim: {"reason": ""},
        ok=_FOUND_302,
    ),
    ScopedEndpoint(
        covers="console:mutualaid:claim_reject",
        action="update",
        method="POST",
        url=lambda claim: f"{CONSOLE}/{claim.pk}/reject/",
        make=entered_claim,
        data=lambda world, claim: {"reason": "发票为复印件"},
        ok=_FOUND_302,
    ),
    ScopedEndpoint(
        covers="console:mutualaid:claim_document_upload",
        action="update",
        method="POST",
        url=lambda claim: f"{CONSOLE}/{claim.pk}/documents/",
        make=entered_claim,
        data=_refused_upload,
        ok=frozenset({422}),
    ),
    ScopedEndpoint(
        covers="console:mutualaid:claim_document",
        action="detail",
        url=lambda document: f"{CONSOLE}/{document.claim_id}/documents/{document.pk}/",
        make=with_document,
    ),
    # --- API ---
    ScopedEndpoint(
        covers="GET /api/v1/mutualaid/claims",
        action="list",
        url=lambda claim: API,
        make=entered_claim,
    ),
    ScopedEndpoint(
        covers="GET /api/v1/mutualaid/claims/{claim_id}",
        action="detail",
        url=lambda claim: f"{API}/{claim.pk}",
        make=entered_claim,
    ),
    ScopedEndpoint(
        covers="POST /api/v1/mutualaid/claims",
        action="create",
        method="POST",
        url=lambda org: API,
        make=enrolled_member,
        data=_entry_json,
        model=AidClaim,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers="POST /api/v1/mutualaid/claims/{claim_id}/check",
        action="update",
        method="POST",
        url=lambda claim: f"{API}/{claim.pk}/check",
        make=entered_claim,
        data=lambda world, claim: {},
    ),
    ScopedEndpoint(
        covers="POST /api/v1/mutualaid/claims/{claim_id}/reject-lines",
        action="update",
        method="POST",
        url=lambda claim: f"{API}/{claim.pk}/reject-lines",
        make=checked_claim,
        data=lambda world, claim: {"lines": [{"line": claim.lines.get().pk, "reason": "自费药品"}]},
    ),
    ScopedEndpoint(
        covers="POST /api/v1/mutualaid/claims/{claim_id}/approve",
        action="update",
        method="POST",
        url=lambda claim: f"{API}/{claim.pk}/approve",
        make=checked_claim,
        data=lambda world, claim: {},
    ),
    ScopedEndpoint(
        covers="POST /api/v1/mutualaid/claims/{claim_id}/second-review",
        action="update",
        method="POST",
        url=lambda claim: f"{API}/{claim.pk}/second-review",
        make=in_second_review,
        data=lambda world, claim: {"decision": "confirm"},
    ),
    ScopedEndpoint(
        covers="POST /api/v1/mutualaid/claims/{claim_id}/reject",
        action="update",
        method="POST",
        url=lambda claim: f"{API}/{claim.pk}/reject",
        make=entered_claim,
        data=lambda world, claim: {"reason": "发票为复印件"},
    ),
]

UNSCOPED: dict[str, str] = {
    # A multipart upload, which the scoping base's JSON requests cannot send; the same scoping
    # (visible_claim, then the service's handle check) is tested in test_claims_api.py.
    "POST /api/v1/mutualaid/claims/{claim_id}/attachments": (
        "multipart upload: scoped like the other claim operations, tested in "
        "test_claims_api.py::test_attachment_upload_is_scoped"
    ),
}
