"""Founding unions: every write (issuing and delivering notices, the application workflow, and
delegating approval authority).

Each function takes the acting user as keyword-only `actor`, runs in one transaction, checks
permission first (an object outside the actor's scope is Http404, exactly like a missing one),
validates, writes and records an audit event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import changes_between, record_audit, snapshot
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, InvalidTransition, ValidationFailed
from gonghui.core.mobile import InvalidMobile, parse_mobile
from gonghui.core.text import normalize_name, normalize_text
from gonghui.founding.models import (
    APPROVING_ORG,
    AWAITING_DECISION,
    OPEN_STATUSES,
    PARENT,
    TRANSITIONS,
    ApplicationStatus,
    ApplicationTransition,
    DeliveryMethod,
    FoundingApplication,
    FoundingApplicationHistory,
    FoundingNotice,
    Initiator,
    NoticeStatus,
    UnionKind,
)
from gonghui.orgs.models import JointUnionArea, Org, OrgKind, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at
from gonghui.orgs.services.tree import create_org, normalize_code, placement_error
from gonghui.orgs.services.workplaces import update_workplace

# The Trade Union Law's figure (Article 11): 25 members or more must have a union committee. The
# list threshold (settings.FOUNDING_EMPLOYEE_THRESHOLD) is a work-planning filter; the letter
# cites the law.
STATUTORY_COMMITTEE_SIZE = 25

_LANDLINE = re.compile(r"0[0-9]{2,3}-?[0-9]{7,8}(?:-[0-9]{1,6})?")


# --------------------------------------------------------------------------------------------
# Shared checks
# --------------------------------------------------------------------------------------------


def clean_contact_phone(text: str) -> str:
    """A mobile number (stored as its 11 digits) or a landline with its area code."""
    value = normalize_text(text).replace(" ", "")
    if _LANDLINE.fullmatch(value):
        return value
    try:
        return parse_mobile(value)
    except InvalidMobile as exc:
        raise ValueError(
            _("Enter a mobile number, or a landline number with its area code such as 0574-87654321.")
        ) from exc


def _check_contact(errors: FieldErrors, name: str, phone: str) -> tuple[str, str]:
    clean_name = normalize_name(name)
    if not clean_name:
        errors.add("contact_name", _("Give the name of a contact person."))
    try:
        clean_phone = clean_contact_phone(phone)
    except ValueError as exc:
        errors.add("contact_phone", str(exc))
        clean_phone = ""
    return clean_name, clean_phone


def _area_chain(workplace: Workplace) -> list[Org]:
    """The workplace's area org and everything above it, nearest first."""
    area = workplace.jurisdiction
    if area is None:
        return []
    return [area, *reversed(list(Org.objects.get_ancestors(area)))]


def acting_orgs(workplace: Workplace, actor: Any, perm: Perm) -> list[Org]:
    """The active orgs, from the workplace's area upwards, at which `actor` holds `perm` and
    which may act for the workplace (issue its notice, have its union under them)."""
    return [
        org
        for org in _area_chain(workplace)
        if org.is_active and org.kind != OrgKind.UNION_GROUP and has_perm_at(actor, perm, org.path)
    ]


def _pick(orgs: list[Org], pk: int) -> Org | None:
    return next((org for org in orgs if org.pk == pk), None)


def _lock(org: Org) -> None:
    """Hold `org`'s row until the transaction ends (PostgreSQL; SQLite's writers queue anyway)."""
    list(Org.objects.select_for_update().order_by().filter(pk=org.pk).values_list("pk", flat=True))


def approving_org_for(parent: Org) -> Org | None:
    """The nearest org at or above `parent` that may approve founding applications: federations
    always, joint unions to which a federation has delegated the authority."""
    chain = [parent, *reversed(list(Org.objects.get_ancestors(parent)))]
    return next((org for org in chain if org.may_approve_founding), None)


# --------------------------------------------------------------------------------------------
# Founding notices (告知书)
# --------------------------------------------------------------------------------------------


def legal_basis_text(employee_count: int) -> str:
    """The legal basis printed on a notice, fixed when it is issued."""
    article = _(
        "Article 11 of the Trade Union Law of the People's Republic of China provides: “An employer "
        "with 25 or more union members shall set up a grassroots union committee; with fewer than "
        "25, it may set up a grassroots union committee of its own, the members of two or more "
        "employers may set one up jointly, or the members may elect one organiser to organise "
        "their activities.”"
    )
    if employee_count >= STATUTORY_COMMITTEE_SIZE:
        duty = _("Your workplace has %(count)s employees and should set up a grassroots union committee.")
    else:
        duty = _(
            "Your workplace has %(count)s employees: it may set up a union committee of its own, "
            "found a joint union together with other workplaces, or have its members elect an organiser."
        )
    return f"{article}\n{duty % {'count': employee_count}}"


def notice_number(issuer: Org, year: int, sequence: int) -> str:
    return _("%(issuer)s Founding Notice [%(year)s] No. %(sequence)s") % {
        "issuer": issuer.short_name or issuer.name,
        "year": year,
        "sequence": sequence,
    }


@transaction.atomic
def issue_notice(
    *,
    workplace: int,
    issuing_org: int,
    response_deadline: date,
    contact_name: str,
    contact_phone: str,
    actor: Any,
) -> FoundingNotice:
    """Issue a numbered founding notice to a workplace without a union (both given by primary
    key, as chosen in a form or sent to the API).

    The number is the issuer's next in the calendar year; the issuer's row is locked while it is
    taken, so two officers issuing at the same moment never get the same number.
    """
    place = get_visible(
        Workplace.objects.select_related("jurisdiction"), actor, Perm.FOUNDING_CHANGE, pk=workplace
    )
    if place.is_unionised:
        raise Conflict(_("%(workplace)s already has a union.") % {"workplace": place.name})
    errors = FieldErrors()
    issuer = _pick(acting_orgs(place, actor, Perm.FOUNDING_CHANGE), issuing_org)
    if issuer is None:
        errors.add("issuing_org", _("Choose an organisation of the area the workplace lies in."))
    today = timezone.localdate()
    if response_deadline <= today:
        errors.add("response_deadline", _("Give a date after today."))
    name, phone = _check_contact(errors, contact_name, contact_phone)
    errors.raise_if_any()
    assert issuer is not None

    _lock(issuer)
    last = FoundingNotice.objects.filter(issuing_org=issuer, year=today.year).aggregate(Max("sequence"))
    sequence = (last["sequence__max"] or 0) + 1
    notice = FoundingNotice.objects.create(
        workplace=place,
        issuing_org=issuer,
        year=today.year,
        sequence=sequence,
        number=notice_number(issuer, today.year, sequence),
        issued_at=timezone.now(),
        issued_by=actor,
        issuer_name=issuer.name,
        workplace_name=place.name,
        credit_code=place.credit_code,
        employee_count=place.employee_count,
        legal_basis=legal_basis_text(place.employee_count),
        response_deadline=response_deadline,
        contact_name=name,
        contact_phone=phone,
    )
    record_audit(actor=actor, action="founding.issue_notice", obj=notice, org=issuer, note=place.name)
    return notice


@transaction.atomic
def record_delivery(
    notice: FoundingNotice, *, delivered_on: date, method: str, recipient_name: str, actor: Any
) -> FoundingNotice:
    """Record that the notice reached the workplace: when, how and who signed for it."""
    notice = get_visible(
        FoundingNotice.objects.select_for_update(of=("self",)).select_related("issuing_org"),
        actor,
        Perm.FOUNDING_CHANGE,
        pk=notice.pk,
    )
    if notice.status != NoticeStatus.ISSUED:
        raise InvalidTransition(_("The delivery of this notice has already been recorded."))
    errors = FieldErrors()
    issued_on = timezone.localdate(notice.issued_at)
    if delivered_on < issued_on:
        errors.add("delivered_on", _("The notice cannot be delivered before it was issued."))
    elif delivered_on > timezone.localdate():
        errors.add("delivered_on", _("The date cannot be in the future."))
    if method not in DeliveryMethod.values:
        errors.add("delivery_method", _("Choose how the notice was delivered."))
    recipient = normalize_name(recipient_name)
    if not recipient:
        errors.add("recipient_name", _("Give the name of the person who received the notice."))
    errors.raise_if_any()

    before = snapshot(notice, ["status", "delivered_on", "delivery_method", "recipient_name"])
    notice.status = NoticeStatus.DELIVERED
    notice.delivered_on = delivered_on
    notice.delivery_method = method
    notice.recipient_name = recipient
    notice.save(update_fields=["status", "delivered_on", "delivery_method", "recipient_name", "updated_at"])
    after = snapshot(notice, ["status", "delivered_on", "delivery_method", "recipient_name"])
    record_audit(
        actor=actor,
        action="founding.record_delivery",
        obj=notice,
        org=notice.issuing_org,
        changes=changes_between(before, after),
    )
    return notice


# --------------------------------------------------------------------------------------------
# Founding applications
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationDraft:
    """What a new founding application says; `workplace` and `parent` are primary keys."""

    workplace: int
    parent: int
    union_name: str
    union_kind: str
    initiated_by: str
    contact_name: str
    contact_phone: str
    members_expected: int
    employee_count: int
    area: str = ""
    preparatory_note: str = ""


def _history(application: FoundingApplication, from_status: str, actor: Any, comment: str) -> None:
    FoundingApplicationHistory.objects.create(
        application=application,
        from_status=from_status,
        to_status=application.status,
        actor=actor,
        comment=comment,
    )


@transaction.atomic
def submit_application(draft: ApplicationDraft, *, actor: Any) -> FoundingApplication:
    """Enter a founding application for a workplace without a union (one the workplace sent in,
    or one its township federation starts). It waits for the approving org's review."""
    # The workplace row is locked so that two officers cannot open two applications for it.
    workplace = get_visible(
        Workplace.objects.select_for_update(of=("self",)).select_related("jurisdiction"),
        actor,
        Perm.FOUNDING_CHANGE,
        pk=draft.workplace,
    )
    if workplace.is_unionised:
        raise Conflict(_("%(workplace)s already has a union.") % {"workplace": workplace.name})
    if FoundingApplication.objects.filter(workplace=workplace, status__in=OPEN_STATUSES).exists():
        raise Conflict(
            _("%(workplace)s already has a founding application in progress.") % {"workplace": workplace.name}
        )

    errors = FieldErrors()
    parent = _pick(acting_orgs(workplace, actor, Perm.FOUNDING_CHANGE), draft.parent)
    if parent is None:
        errors.add("parent", _("Choose an organisation of the area the workplace lies in."))
    union_name = normalize_text(draft.union_name)
    if not union_name:
        errors.add("union_name", _("Give the name of the union to be founded."))
    if draft.union_kind not in UnionKind.values:
        errors.add("union_kind", _("Choose the kind of union."))
    area = draft.area or ""
    if draft.union_kind == UnionKind.JOINT and area not in JointUnionArea.values:
        errors.add("area", _("Choose the area a joint union covers."))
    elif draft.union_kind == UnionKind.GRASSROOTS and area:
        errors.add("area", _("Only a joint union covers an area."))
    if draft.initiated_by not in Initiator.values:
        errors.add("initiated_by", _("Say who started the application."))
    if draft.employee_count < 1:
        errors.add("employee_count", _("Enter the number of employees."))
    if draft.members_expected < 1:
        errors.add("members_expected", _("Enter how many employees are expected to join."))
    elif draft.members_expected > draft.employee_count:
        errors.add("members_expected", _("There cannot be more members than employees."))
    contact_name, contact_phone = _check_contact(errors, draft.contact_name, draft.contact_phone)
    if parent is not None and draft.union_kind in UnionKind.values:
        problem = placement_error(UnionKind(draft.union_kind).org_kind, "", parent.kind, parent.level)
        if problem:
            errors.add("parent", problem)
    approver = approving_org_for(parent) if parent is not None else None
    if parent is not None and approver is None:
        errors.replace("parent", _("No organisation at or above this one may approve founding applications."))
    errors.raise_if_any()
    assert parent is not None
    assert approver is not None

    application = FoundingApplication.objects.create(
        workplace=workplace,
        union_name=union_name,
        union_kind=draft.union_kind,
        area=area if draft.union_kind == UnionKind.JOINT else "",
        parent=parent,
        approving_org=approver,
        initiated_by=draft.initiated_by,
        submitted_by=actor,
        contact_name=contact_name,
        contact_phone=contact_phone,
        members_expected=draft.members_expected,
        employee_count=draft.employee_count,
        preparatory_note=normalize_text(draft.preparatory_note),
    )
    _history(application, "", actor, "")
    record_audit(
        actor=actor, action="founding.submit_application", obj=application, org=parent, note=workplace.name
    )
    return application


def _authority_org(application: FoundingApplication, transition: ApplicationTransition) -> Org:
    if transition.held_on == PARENT:
        return application.parent
    if application.approving_org.may_approve_founding:
        return application.approving_org
    # The approving org has since been dissolved (or lost a delegated authority some other way):
    # the decision moves up to the nearest org that may still take it.
    approver = approving_org_for(application.parent)
    if approver is None:
        raise Conflict(_("No organisation above this application may approve it."))
    application.approving_org = approver
    return approver


def _refuse_without_authority(org: Org, transition: ApplicationTransition, actor: Any) -> None:
    if has_perm_at(actor, transition.perm, org.path):
        return
    if transition.held_on == APPROVING_ORG:
        message = _(
            "Only officers of %(org)s, which approves this application, or of an organisation above it "
            "may do this."
        )
    else:
        message = _("Only officers of %(org)s or of an organisation above it may create this union.")
    raise Forbidden(message % {"org": org.name}, code="no_authority")


def _next_union_code(parent: Org, kind: str) -> str:
    # The demo city's pattern: the parent's code, G for a grassroots union or J for a joint union,
    # and a running number.
    letter, width = ("G", 4) if kind == UnionKind.GRASSROOTS else ("J", 3)
    prefix = f"{parent.code}{letter}"
    used = [
        int(code[len(prefix) :])
        for code in Org.objects.filter(code__startswith=prefix).values_list("code", flat=True)
        if code[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(used, default=0) + 1:0{width}d}"


# The tree service's field names, as the founding workflow calls them.
_ORG_FIELDS = {"code": "union_code", "name": "union_name", "kind": "union_kind"}


def _create_union(application: FoundingApplication, union_code: str, actor: Any) -> Org:
    """Found the union through the tree and workplace services, so that it is placed, recorded
    and audited like any other new org, and the workplace like any other change of its union."""
    workplace = application.workplace
    if workplace.is_unionised:
        raise Conflict(_("%(workplace)s already has a union.") % {"workplace": workplace.name})
    parent = application.parent
    code = normalize_code(union_code) or _next_union_code(parent, application.union_kind)
    try:
        org = create_org(
            parent,
            actor=actor,
            code=code,
            name=application.union_name,
            kind=UnionKind(application.union_kind).org_kind,
            area=application.area,
            district=workplace.district,
            address=workplace.address,
            contact_name=application.contact_name,
            contact_phone=application.contact_phone,
            founded_on=timezone.localdate(),
        )
    except ValidationFailed as exc:
        fields = {_ORG_FIELDS.get(field, field): messages for field, messages in exc.fields.items()}
        raise ValidationFailed(exc.message, fields=fields) from exc
    note = _("Founded on application no. %(id)s") % {"id": application.pk}
    update_workplace(workplace, actor=actor, changes={"union_id": org.pk}, note=note)
    return org


@transaction.atomic
def advance_application(
    application: FoundingApplication,
    *,
    action: str,
    actor: Any,
    comment: str = "",
    reason: str = "",
    union_code: str = "",
) -> FoundingApplication:
    """Take one step of the workflow (see TRANSITIONS): review, approve, reject (with a reason)
    or create the union (optionally with a code; one is generated otherwise)."""
    application = get_visible(
        FoundingApplication.objects.select_for_update(of=("self",)).select_related(
            "parent", "approving_org", "workplace"
        ),
        actor,
        Perm.FOUNDING_VIEW,
        pk=application.pk,
    )
    transition = TRANSITIONS.lookup(action)
    _refuse_without_authority(_authority_org(application, transition), transition, actor)
    TRANSITIONS.require(action, application.status)
    comment = normalize_text(comment)
    update_fields = ["status", "approving_org", "updated_at"]
    if transition.target == ApplicationStatus.REJECTED:
        application.reason = normalize_text(reason)
        if not application.reason:
            raise ValidationFailed(
                _("Give the reason for the rejection."), fields={"reason": [_("This field is required.")]}
            )
        update_fields.append("reason")
    if transition.target == ApplicationStatus.UNION_CREATED:
        application.created_org = _create_union(application, union_code, actor)
        update_fields.append("created_org")

    before = application.status
    application.status = transition.target
    application.save(update_fields=update_fields)
    _history(application, before, actor, comment or application.reason)
    changes: dict[str, list[Any]] = {"status": [before, application.status]}
    if application.created_org is not None:
        changes["created_org"] = [None, application.created_org.pk]
    record_audit(
        actor=actor,
        action=f"founding.{transition.action}",
        obj=application,
        org=application.parent,
        changes=changes,
        note=comment or application.reason,
    )
    return application


# --------------------------------------------------------------------------------------------
# Delegating approval authority
# --------------------------------------------------------------------------------------------


def _reassign_approvers(org: Org) -> int:
    """Point the applications still waiting for a decision at their approver after `org`
    gained or lost the authority; returns how many changed."""
    waiting = FoundingApplication.objects.filter(status__in=AWAITING_DECISION)
    if org.holds_founding_authority:
        # Applications under the joint union that were going to an org above it come to it.
        return waiting.filter(parent__path__startswith=org.path, approving_org__depth__lt=org.depth).update(
            approving_org=org, updated_at=timezone.now()
        )
    approver = approving_org_for(org)
    if approver is None:
        message = _("No organisation above %(org)s may approve founding applications.")
        raise Conflict(message % {"org": org.name})
    return waiting.filter(approving_org=org).update(approving_org=approver, updated_at=timezone.now())


@transaction.atomic
def set_founding_authority(org: Org, value: bool, *, actor: Any) -> Org:
    """Delegate (value=True) or withdraw founding approval authority of a joint union.

    Only officers holding ORG_RESTRUCTURE on the organisation above the joint union (its
    federation, or higher) may do it; the joint union's own officers may not give it to themselves.
    Applications still waiting for a decision move to the new approver.
    """
    org = get_visible(Org.objects.select_for_update().order_by(), actor, Perm.ORG_VIEW, pk=org.pk)
    parent_path = org.path[: -Org.steplen]
    if not parent_path or not has_perm_at(actor, Perm.ORG_RESTRUCTURE, parent_path):
        message = _("Only officers of the federation above %(org)s may delegate or withdraw its authority.")
        raise Forbidden(message % {"org": org.name}, code="no_authority")
    if org.kind != OrgKind.JOINT_UNION:
        raise ValidationFailed(_("Founding approval authority can only be delegated to a joint union."))
    if not org.is_active:
        raise Conflict(_("%(org)s has been dissolved.") % {"org": org.name})
    if org.holds_founding_authority == value:
        return org
    org.holds_founding_authority = value
    org.save(update_fields=["holds_founding_authority", "updated_at"])
    moved = _reassign_approvers(org)
    record_audit(
        actor=actor,
        action="founding.delegate_authority" if value else "founding.withdraw_authority",
        obj=org,
        changes={"holds_founding_authority": [not value, value]},
        note=_("%(count)s applications waiting for a decision moved to the new approver.") % {"count": moved},
    )
    return org
