"""Volunteer lawyers: registering one, changing their details, opening their sign-in and
switching them off (their work in hand moved to a successor). Writes need `rights.handle` on
the org the lawyer serves; a lawyer outside the actor's scope is a missing one (NotFound). The
sign-in is an officer-kind `User` with no role anywhere: it reaches the lawyer's desk and the
cases assigned to them, nothing else."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.models import AccountKind, User, officer_username_validator
from gonghui.core.audit import changes_between, record_audit, snapshot
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationFailed
from gonghui.core.inputs import text_problem
from gonghui.core.text import normalize_name, normalize_text
from gonghui.legal.models import (
    LAWYER_OPEN_STATUSES,
    MAX_NAME,
    AidAction,
    ConsultationStatus,
    Lawyer,
    LegalAid,
    LegalAidHistory,
    LegalConsultation,
)
from gonghui.orgs.models import Org, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at, visible

LAW_FIRM_MAX = 120
PRACTICE_AREAS_MAX = 200
# 律师执业证号: 17 digits (the licensing authority's region, year, kind, sex and serial).
LICENCE = re.compile(r"\d{17}")
LAWYER_FIELDS = ("org", "name", "law_firm", "licence_number", "practice_areas", "is_active")


@dataclass(frozen=True)
class LawyerInput:
    name: str
    law_firm: str
    licence_number: str
    practice_areas: str


def handled_org(actor: Any, org_id: int) -> Org:
    """The org `org_id` if the actor handles rights cases there; NotFound otherwise."""
    org: Org | None = Org.objects.filter(pk=org_id).first()
    if org is None or not has_perm_at(actor, Perm.RIGHTS_HANDLE, org.path):
        raise NotFound(_("There is no such union."))
    return org


def managed_lawyer(actor: Any, lawyer_id: int, *, lock: bool = False) -> Lawyer:
    rows = visible(Lawyer, actor, Perm.RIGHTS_HANDLE).select_related("org", "user")
    if lock:
        rows = rows.select_for_update(of=("self",))
    lawyer = rows.filter(pk=lawyer_id).first()
    if lawyer is None:
        if visible(Lawyer, actor, Perm.RIGHTS_VIEW).filter(pk=lawyer_id).exists():
            raise Forbidden(_("Only officers who handle rights cases for this union may do this."))
        raise NotFound(_("There is no such lawyer."))
    return lawyer


def _validated(data: LawyerInput, *, exclude: int | None = None) -> LawyerInput:
    errors = FieldErrors()
    name = normalize_name(data.name or "")
    problem = text_problem(name, max_length=MAX_NAME, required=True)
    if problem:
        errors.add("name", problem)
    firm = normalize_text(data.law_firm or "")
    problem = text_problem(firm, max_length=LAW_FIRM_MAX, required=True)
    if problem:
        errors.add("law_firm", problem)
    licence = normalize_text(data.licence_number or "").replace(" ", "")
    if not LICENCE.fullmatch(licence):
        errors.add("licence_number", _("A lawyer's licence number has 17 digits."))
    elif Lawyer.objects.filter(licence_number=licence).exclude(pk=exclude or 0).exists():
        errors.add("licence_number", _("A lawyer with this licence number is already registered."))
    areas = normalize_text(data.practice_areas or "")
    problem = text_problem(areas, max_length=PRACTICE_AREAS_MAX, required=True)
    if problem:
        errors.add("practice_areas", problem)
    errors.raise_if_any()
    return LawyerInput(name=name, law_firm=firm, licence_number=licence, practice_areas=areas)


@transaction.atomic
def register_lawyer(*, actor: Any, org_id: int, data: LawyerInput) -> Lawyer:
    org = handled_org(actor, org_id)
    if org.status != OrgStatus.ACTIVE:
        raise Conflict(_("This union is not active; it cannot take on lawyers."))
    clean = _validated(data)
    lawyer = Lawyer.objects.create(
        org=org,
        name=clean.name,
        law_firm=clean.law_firm,
        licence_number=clean.licence_number,
        practice_areas=clean.practice_areas,
    )
    record_audit(
        actor=actor,
        action="legal.register_lawyer",
        obj=lawyer,
        changes=changes_between({}, snapshot(lawyer, LAWYER_FIELDS)),
        org=org,
    )
    return lawyer


@transaction.atomic
def change_lawyer(lawyer_id: int, *, actor: Any, data: LawyerInput) -> Lawyer:
    lawyer = managed_lawyer(actor, lawyer_id, lock=True)
    clean = _validated(data, exclude=lawyer.pk)
    before = snapshot(lawyer, LAWYER_FIELDS)
    lawyer.name = clean.name
    lawyer.law_firm = clean.law_firm
    lawyer.licence_number = clean.licence_number
    lawyer.practice_areas = clean.practice_areas
    lawyer.save()
    changes = changes_between(before, snapshot(lawyer, LAWYER_FIELDS))
    if changes:
        record_audit(actor=actor, action="legal.change_lawyer", obj=lawyer, changes=changes, org=lawyer.org)
    return lawyer


@transaction.atomic
def open_lawyer_account(lawyer_id: int, *, actor: Any, username: str, password: str) -> Lawyer:
    """The lawyer's sign-in with the initial password the officer chose."""
    lawyer = managed_lawyer(actor, lawyer_id, lock=True)
    if lawyer.user_id is not None:
        raise Conflict(_("This lawyer already has a sign-in."), code="has_account")
    if not lawyer.is_active:
        raise Conflict(_("This lawyer is switched off."), code="inactive")
    errors = FieldErrors()
    username = normalize_text(username or "")
    try:
        officer_username_validator(username)
    except ValidationError as exc:
        for message in exc.messages:
            errors.add("username", message)
    else:
        if User.objects.filter(username__iexact=username).exists():
            errors.add("username", _("This username is taken. Choose another one."))
    if not password:
        errors.add("password", _("Choose an initial password."))
    else:
        try:
            validate_password(password, User(username=username, display_name=lawyer.name))
        except ValidationError as exc:
            for message in exc.messages:
                errors.add("password", message)
    errors.raise_if_any()
    user = User.objects.create_user(
        username=username, password=password, display_name=lawyer.name, kind=AccountKind.OFFICER
    )
    lawyer.user = user
    lawyer.save(update_fields=["user"])
    record_audit(
        actor=actor,
        action="legal.open_lawyer_account",
        obj=lawyer,
        changes={"username": [None, username]},
        org=lawyer.org,
    )
    return lawyer


def move_case(aid: LegalAid, *, to: Lawyer, actor: Any, reason: str) -> None:
    """Give a locked aid case to another lawyer: the history row (the status stays) and the
    audit event. The caller has checked authority, the status and that `to` may take it."""
    before = aid.lawyer
    aid.lawyer = to
    aid.save(update_fields=["lawyer", "updated_at"])
    comment = _("Lawyer changed from %(old)s to %(new)s. Reason: %(reason)s") % {
        "old": before.name if before is not None else "—",
        "new": to.name,
        "reason": reason,
    }
    LegalAidHistory.objects.create(
        aid=aid,
        action=AidAction.REASSIGN,
        from_status=aid.status,
        to_status=aid.status,
        actor=actor,
        comment=comment,
    )
    record_audit(
        actor=actor,
        action="legal.reassign_aid",
        obj=aid,
        changes={"lawyer": [before.pk if before is not None else None, to.pk]},
        note=reason,
    )


@dataclass(frozen=True)
class OpenCases:
    aid: list[LegalAid]
    consultations: list[LegalConsultation]

    @property
    def count(self) -> int:
        return len(self.aid) + len(self.consultations)


def open_cases_of(lawyer: Lawyer, *, lock: bool = False) -> OpenCases:
    """The lawyer's work in hand: aid cases assigned or in progress, consultations referred to
    them still waiting for an answer."""
    aid = LegalAid.objects.select_related("org", "lawyer").filter(
        lawyer=lawyer, status__in=LAWYER_OPEN_STATUSES
    )
    consultations = LegalConsultation.objects.select_related("org").filter(
        lawyer=lawyer, status=ConsultationStatus.AWAITING
    )
    if lock:
        aid = aid.select_for_update(of=("self",))
        consultations = consultations.select_for_update(of=("self",))
    return OpenCases(aid=list(aid.order_by("id")), consultations=list(consultations.order_by("id")))


def _successor(lawyer: Lawyer, successor_id: int, cases: OpenCases) -> Lawyer:
    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed(message, fields={"successor": [message]})

    if successor_id == lawyer.pk:
        raise refuse(_("Choose another lawyer to take the cases over."))
    successor = Lawyer.objects.active().select_related("org").filter(pk=successor_id).first()
    if successor is None:
        raise refuse(_("Choose an active lawyer to take the cases over."))
    # The successor must be one the cases could be assigned to: serving each case's union or above.
    paths = [case.org.path for case in cases.aid] + [case.org.path for case in cases.consultations]
    outside = len([path for path in paths if not path.startswith(successor.org.path)])
    if outside:
        raise refuse(
            _(
                "%(name)s does not serve the union of %(count)s of these cases: "
                "choose a lawyer who serves them all."
            )
            % {"name": successor.name, "count": outside}
        )
    return successor


@transaction.atomic
def deactivate_lawyer(lawyer_id: int, *, actor: Any, successor_id: int | None = None) -> bool:
    """Switch a lawyer off: their sign-in stops and they take no new cases. A lawyer with work in
    hand (see `open_cases_of`) is refused unless `successor_id` names the lawyer who takes all of
    it over, in this one transaction (each aid case with a history row). Closed and concluded
    cases keep their lawyer on record. Returns whether the lawyer was active."""
    lawyer = managed_lawyer(actor, lawyer_id, lock=True)
    if not lawyer.is_active:
        return False
    cases = open_cases_of(lawyer, lock=True)
    successor = None
    if cases.count and successor_id is None:
        raise Conflict(
            _(
                "This lawyer still has %(count)s open cases (%(aid)s legal aid cases, %(consultations)s "
                "consultations waiting for an answer). Name the lawyer who takes them over first."
            )
            % {"count": cases.count, "aid": len(cases.aid), "consultations": len(cases.consultations)},
            code="has_open_cases",
        )
    if cases.count and successor_id is not None:
        successor = _successor(lawyer, successor_id, cases)
        reason = _("%(name)s was switched off.") % {"name": lawyer.name}
        for aid in cases.aid:
            move_case(aid, to=successor, actor=actor, reason=reason)
        for consultation in cases.consultations:
            consultation.lawyer = successor
            consultation.save(update_fields=["lawyer", "updated_at"])
            record_audit(
                actor=actor,
                action="legal.refer_consultation",
                obj=consultation,
                changes={"lawyer": [lawyer.pk, successor.pk]},
                note=reason,
            )
    lawyer.is_active = False
    lawyer.save(update_fields=["is_active"])
    if lawyer.user is not None:
        lawyer.user.is_active = False
        lawyer.user.save(update_fields=["is_active"])
    changes: dict[str, list[Any]] = {"is_active": [True, False]}
    if successor is not None:
        changes["cases_moved_to"] = [None, successor.pk]
        changes["cases_moved"] = [None, cases.count]
    record_audit(actor=actor, action="legal.deactivate_lawyer", obj=lawyer, changes=changes, org=lawyer.org)
    return True


def lawyers_for(org: Org) -> Any:
    """Active lawyers who may take a case of `org`: those serving it or an org above it."""
    step = Org.steplen
    paths = [org.path[:end] for end in range(step, len(org.path) + 1, step)]
    return Lawyer.objects.active().filter(org__path__in=paths).select_related("org").order_by("name", "id")
