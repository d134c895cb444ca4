"""Reads of legal consultation and aid, and who may see what, in one place.

- Officers see consultations and aid cases through scoping: `rights.view` on the case's org (or
  above) to read, `rights.handle` to act. A viewer without `rights.handle` (an auditor) reads the
  case with the worker's mobile number masked.
- A lawyer's sign-in holds no role: `lawyer_of(user)` finds their Lawyer row and
  `consultations_of_lawyer` / `aid_of_lawyer` are all they reach (the desk).
- A worker reaches their own questions and applications by their account, never by org.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, QuerySet

from gonghui.accounts.models import User
from gonghui.core.mobile import mask_mobile
from gonghui.legal.models import Lawyer, LegalAid, LegalConsultation
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at, visible

MINE_LIMIT = 200


def lawyer_of(user: Any) -> Lawyer | None:
    """The active lawyer the signed-in account is, if it is one."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return None
    return Lawyer.objects.active().select_related("org").filter(user=user).first()


def consultation_rows() -> QuerySet[LegalConsultation]:
    return LegalConsultation.objects.select_related("org", "lawyer")


def aid_rows() -> QuerySet[LegalAid]:
    return LegalAid.objects.select_related("org", "lawyer", "employer")


def officer_consultations(user: Any) -> QuerySet[LegalConsultation]:
    return visible(consultation_rows(), user, Perm.RIGHTS_VIEW)


def officer_aid(user: Any) -> QuerySet[LegalAid]:
    return visible(aid_rows(), user, Perm.RIGHTS_VIEW)


def consultations_of_lawyer(lawyer: Lawyer) -> QuerySet[LegalConsultation]:
    return consultation_rows().filter(lawyer=lawyer)


def aid_of_lawyer(lawyer: Lawyer) -> QuerySet[LegalAid]:
    return aid_rows().filter(lawyer=lawyer)


def consultations_of_asker(user: Any) -> QuerySet[LegalConsultation]:
    return consultation_rows().filter(asker=user).order_by("-asked_on", "-id")


def aid_of_applicant(user: Any) -> QuerySet[LegalAid]:
    return aid_rows().filter(applicant=user).order_by("-submitted_on", "-id")


def may_handle(user: Any, case: LegalConsultation | LegalAid) -> bool:
    return has_perm_at(user, Perm.RIGHTS_HANDLE, case.org.path)


def is_assigned_lawyer(user: Any, case: LegalConsultation | LegalAid) -> bool:
    lawyer = case.lawyer
    return bool(
        lawyer is not None and lawyer.is_active and lawyer.user_id is not None and lawyer.user_id == user.pk
    )


def may_see_contact(user: Any, case: LegalConsultation | LegalAid) -> bool:
    """Handling officers and the assigned lawyer see the worker's mobile number unmasked."""
    return may_handle(user, case) or is_assigned_lawyer(user, case)


def contact_for(user: Any, case: LegalConsultation | LegalAid) -> str:
    mobile = case.asker_mobile if isinstance(case, LegalConsultation) else case.applicant_mobile
    if not mobile:
        return ""
    return mobile if may_see_contact(user, case) else mask_mobile(mobile)


@dataclass(frozen=True)
class Figure:
    value: str
    label: str
    count: int


def counts_by(rows: QuerySet[Any], field: str, choices: Sequence[tuple[str, Any]]) -> list[Figure]:
    """How many of `rows` there are for each choice of `field` (choices without rows show 0)."""
    found = dict(rows.order_by().values_list(field).annotate(n=Count("id")))
    return [Figure(value=value, label=str(label), count=found.get(value, 0)) for value, label in choices]


def in_period(rows: QuerySet[Any], field: str, start: date | None, end: date | None) -> QuerySet[Any]:
    if start is not None:
        rows = rows.filter(**{f"{field}__gte": start})
    if end is not None:
        rows = rows.filter(**{f"{field}__lte": end})
    return rows
