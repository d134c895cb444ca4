"""The worker's own legal consultations and aid applications for the portal's "I need help" page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.models import User
from gonghui.legal.models import AidStatus
from gonghui.legal.selectors import MINE_LIMIT, aid_of_applicant, consultations_of_asker
from gonghui.portal.cases import PortalCase

TITLE_LENGTH = 40


def _short(text: str) -> str:
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= TITLE_LENGTH else line[: TITLE_LENGTH - 1] + "…"


def portal_cases(user: User) -> list[PortalCase]:
    cases = [
        PortalCase(
            kind=_("Legal consultation"),
            title=_short(consultation.question),
            status=consultation.get_status_display(),
            updated_at=consultation.updated_at,
            url=reverse("portal:consultation_detail", args=[consultation.pk]),
        )
        for consultation in consultations_of_asker(user)[:MINE_LIMIT]
    ]
    cases += [
        PortalCase(
            kind=_("Legal aid"),
            title=_short(aid.description),
            status=aid.get_status_display(),
            updated_at=aid.updated_at,
            url=reverse("portal:legal_aid_detail", args=[aid.pk]),
            needs_reply=aid.status == AidStatus.CONCLUDED,
        )
        for aid in aid_of_applicant(user)[:MINE_LIMIT]
    ]
    return sorted(cases, key=lambda case: case.updated_at, reverse=True)
