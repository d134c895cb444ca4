"""Notices (提示函, 建议书, 监督意见书) and their follow-ups.

Issuing a notice takes the inspection to "awaiting rectification"; its follow-up, due
`supervision.followup` after the rectification deadline, takes it to "rectified" or "not
rectified". Deadlines come from gonghui.workdays, never from a day count written here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import record_audit
from gonghui.core.documents import check_document, store_document, too_many_documents
from gonghui.core.errors import Conflict, FieldErrors, Forbidden
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at
from gonghui.supervision.models import (
    MAX_FOLLOWUP_DOCUMENTS,
    MAX_LONG_TEXT,
    TRANSITIONS,
    FollowUp,
    FollowUpDocument,
    FollowUpResult,
    InspectionAction,
    Notice,
    NoticeKind,
)
from gonghui.supervision.services.common import optional_text, past_date, required_text
from gonghui.supervision.services.inspections import locked_inspection, take_step
from gonghui.workdays.deadlines import due_date

RECTIFICATION_RULE = "supervision.rectification"
FOLLOWUP_RULE = "supervision.followup"

# The character of each kind in a notice's number, as the committees number their letters.
_NUMBER_MARK = {NoticeKind.REMINDER: "提", NoticeKind.RECOMMENDATION: "建", NoticeKind.OPINION: "意"}


@dataclass(frozen=True)
class NoticeInput:
    kind: str
    findings: Sequence[int]
    requirements: str
    issued_on: date | None = None
    rectification_deadline: date | None = None


def default_deadline(issued_on: date) -> date:
    return due_date(RECTIFICATION_RULE, issued_on)


def notice_number(issuer: Org, kind: str, year: int, sequence: int) -> str:
    """E.g. "明州区总工监提〔2026〕3号": the issuer, 工监 and the kind's mark, the year, the number."""
    mark = _NUMBER_MARK.get(NoticeKind(kind), "")
    return f"{issuer.short_name or issuer.name}工监{mark}〔{year}〕{sequence}号"


def _lock(org: Org) -> None:
    """Hold `org`'s row until the transaction ends (PostgreSQL; SQLite's writers queue anyway)."""
    list(Org.objects.select_for_update().order_by().filter(pk=org.pk).values_list("pk", flat=True))


@transaction.atomic
def issue_notice(inspection: Any, data: NoticeInput, *, actor: Any) -> Notice:
    """Issue a numbered notice to the inspected workplace citing some of the findings.

    The number is the inspecting union's next in the year of issue, one series for all three
    kinds; the union's row is locked while it is taken, so two officers issuing at the same
    moment never get the same number."""
    found = locked_inspection(inspection, actor)
    TRANSITIONS.require(InspectionAction.ISSUE_NOTICE, found.status)
    errors = FieldErrors()
    if data.kind not in NoticeKind.values:
        errors.add("kind", _("Choose the kind of notice."))
    chosen = list(dict.fromkeys(data.findings))
    findings = list(found.findings.filter(pk__in=chosen))
    if not chosen:
        errors.add("findings", _("Choose the findings the notice is about."))
    elif len(findings) != len(chosen):
        errors.add("findings", _("Choose findings of this inspection."))
    requirements = required_text(errors, "requirements", data.requirements, MAX_LONG_TEXT)
    issued_on = past_date(
        errors, "issued_on", data.issued_on or timezone.localdate(), not_before=found.inspected_on
    )
    deadline = data.rectification_deadline
    if deadline is None:
        deadline = default_deadline(issued_on)
    elif deadline <= issued_on:
        errors.add("rectification_deadline", _("The deadline must be after the day of issue."))
    errors.raise_if_any()

    org = found.org
    _lock(org)
    last = Notice.objects.filter(org=org, year=issued_on.year).aggregate(Max("sequence"))
    sequence = (last["sequence__max"] or 0) + 1
    notice = Notice.objects.create(
        inspection=found,
        org=org,
        kind=data.kind,
        year=issued_on.year,
        sequence=sequence,
        number=notice_number(org, data.kind, issued_on.year, sequence),
        issued_on=issued_on,
        rectification_deadline=deadline,
        followup_due=due_date(FOLLOWUP_RULE, deadline),
        requirements=requirements,
        issuer_name=org.name,
        workplace_name=found.workplace.name,
        issued_by=actor,
    )
    notice.findings.set(findings)
    record_audit(
        actor=actor,
        action="supervision.issue_notice",
        obj=notice,
        org=org,
        changes={"kind": [None, notice.kind], "rectification_deadline": [None, deadline.isoformat()]},
        note=found.workplace.name,
    )
    take_step(found, InspectionAction.ISSUE_NOTICE, actor, notice.number)
    return notice


@dataclass(frozen=True)
class FollowUpInput:
    checked_on: date
    result: str
    note: str = ""
    documents: Sequence[tuple[str, bytes]] = field(default_factory=tuple)


@transaction.atomic
def record_followup(notice: Notice | int, data: FollowUpInput, *, actor: Any) -> FollowUp:
    """Record whether the workplace rectified what the notice asked for, with evidence; the
    inspection becomes rectified, or not rectified (partly counts as not: another notice or an
    interview follows)."""
    pk = notice if isinstance(notice, int) else notice.pk
    found = get_visible(Notice.objects.select_related("org"), actor, Perm.RIGHTS_VIEW, pk=pk)
    if not has_perm_at(actor, Perm.RIGHTS_HANDLE, found.org.path):
        raise Forbidden(_("Only the officers who handle this union's supervision may record a follow-up."))
    inspection = locked_inspection(found.inspection_id, actor)
    if FollowUp.objects.filter(notice=found).exists():
        raise Conflict(_("The follow-up of this notice has already been recorded."), code="already_recorded")
    action = (
        InspectionAction.CONFIRM_RECTIFIED
        if data.result == FollowUpResult.RECTIFIED
        else InspectionAction.FIND_NOT_RECTIFIED
    )
    TRANSITIONS.require(action, inspection.status)
    errors = FieldErrors()
    past_date(errors, "checked_on", data.checked_on, not_before=found.issued_on)
    if data.result not in FollowUpResult.values:
        errors.add("result", _("Choose the result of the follow-up."))
    note = optional_text(errors, "note", data.note, MAX_LONG_TEXT)
    if len(data.documents) > MAX_FOLLOWUP_DOCUMENTS:
        raise too_many_documents(MAX_FOLLOWUP_DOCUMENTS)
    errors.raise_if_any()
    for _name, content in data.documents:
        check_document(content)  # every file before any is stored: a bad one stores none

    followup = FollowUp.objects.create(
        notice=found, checked_on=data.checked_on, result=data.result, note=note, recorded_by=actor
    )
    stored = [
        store_document(FollowUpDocument(followup=followup), actor=actor, name=name, content=content)
        for name, content in data.documents
    ]
    record_audit(
        actor=actor,
        action="supervision.record_followup",
        obj=followup,
        org=found.org,
        changes={"result": [None, followup.result], "documents": [None, stored]},
        note=found.number,
    )
    take_step(inspection, action, actor, followup.get_result_display())
    return followup
