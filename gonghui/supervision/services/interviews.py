"""Interviews (约谈) of an employer's representative: who came, what was said, what the employer
committed to. Needs rights.handle on the interviewing union."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core.audit import record_audit
from gonghui.core.errors import FieldErrors
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import visible
from gonghui.supervision.models import MAX_LONG_TEXT, MAX_TEXT, Inspection, Interview
from gonghui.supervision.services.common import (
    acting_org,
    line_text,
    optional_text,
    past_date,
    required_text,
    visible_workplace,
)

REPRESENTATIVE_MAX = 80
SUBJECT_MAX = 200


@dataclass(frozen=True)
class InterviewInput:
    org: int
    workplace: int
    held_on: date
    representative: str
    attendees: str
    subject: str
    record: str
    commitments: str = ""
    inspection: int | None = None


@transaction.atomic
def record_interview(data: InterviewInput, *, actor: Any) -> Interview:
    errors = FieldErrors()
    org = acting_org(errors, actor, data.org)
    workplace = visible_workplace(errors, actor, data.workplace)
    inspection: Inspection | None = None
    if data.inspection is not None:
        inspection = visible(Inspection, actor, Perm.RIGHTS_VIEW).filter(pk=data.inspection).first()
        if inspection is None or (workplace is not None and inspection.workplace_id != workplace.pk):
            errors.add("inspection", _("Choose an inspection of this workplace."))
            inspection = None
    past_date(errors, "held_on", data.held_on)
    representative = line_text(errors, "representative", data.representative, REPRESENTATIVE_MAX)
    attendees = required_text(errors, "attendees", data.attendees, MAX_TEXT)
    subject = line_text(errors, "subject", data.subject, SUBJECT_MAX)
    record = required_text(errors, "record", data.record, MAX_LONG_TEXT)
    commitments = optional_text(errors, "commitments", data.commitments, MAX_LONG_TEXT)
    errors.raise_if_any()
    assert org is not None
    assert workplace is not None

    interview = Interview.objects.create(
        org=org,
        workplace=workplace,
        inspection=inspection,
        held_on=data.held_on,
        representative=representative,
        attendees=attendees,
        subject=subject,
        record=record,
        commitments=commitments,
        created_by=actor,
    )
    record_audit(
        actor=actor,
        action="supervision.record_interview",
        obj=interview,
        changes={
            "workplace": [None, workplace.pk],
            "inspection": [None, inspection.pk if inspection else None],
        },
        note=workplace.name,
    )
    return interview
