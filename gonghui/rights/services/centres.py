"""Mediation centres and studios, and their mediators.

A centre belongs to the union or federation that runs it; writes need `Perm.RIGHTS_HANDLE`
there. A mediator may get a sign-in: an officer-kind `User` holding no role anywhere, whose
console is the desk of the disputes assigned to them (like a counsellor's in gonghui.counselling).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gonghui.accounts.models import AccountKind, User, officer_username_validator
from gonghui.core.audit import changes_between, record_audit, snapshot
from gonghui.core.errors import Conflict, FieldErrors, NotFound, ValidationFailed
from gonghui.core.inputs import text_problem
from gonghui.core.text import normalize_name, normalize_text
from gonghui.orgs.models import Org, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at, visible
from gonghui.rights.models import MAX_NAME, CentreKind, Dispute, MediationCentre, Mediator
from gonghui.rights.services.disputes import active_mediator_for, hand_over

CENTRE_FIELDS = ("org", "kind", "name", "address", "phone", "active")
MEDIATOR_NAME_MAX = 60
PHONE_MAX = 20
ADDRESS_MAX = 200


@dataclass(frozen=True)
class CentreInput:
    kind: str
    name: str
    address: str = ""
    phone: str = ""
    active: bool = True


def handling_org(actor: Any, org_id: int) -> Org:
    """The org `org_id` if the actor handles rights cases there; NotFound otherwise."""
    org: Org | None = Org.objects.filter(pk=org_id).first()
    if org is None or not has_perm_at(actor, Perm.RIGHTS_HANDLE, org.path):
        raise NotFound(_("There is no such union."))
    return org


def handled_centre(actor: Any, centre_id: int, *, lock: bool = False) -> MediationCentre:
    rows = visible(MediationCentre, actor, Perm.RIGHTS_HANDLE).select_related("org")
    if lock:
        rows = rows.select_for_update(of=("self",))
    centre = rows.filter(pk=centre_id).first()
    if centre is None:
        raise NotFound(_("There is no such mediation centre."))
    return centre


def _clean_centre(org: Org, data: CentreInput, *, exclude: int | None = None) -> CentreInput:
    errors = FieldErrors()
    if data.kind not in CentreKind.values:
        errors.add("kind", _("Choose a centre or a studio."))
    name = normalize_text(data.name or "")
    problem = text_problem(name, max_length=MAX_NAME, required=True)
    if problem:
        errors.add("name", problem)
    elif MediationCentre.objects.filter(org=org, name=name).exclude(pk=exclude or 0).exists():
        errors.add("name", _("This organisation already has a centre of this name."))
    address = normalize_text(data.address or "")
    problem = text_problem(address, max_length=ADDRESS_MAX, required=False)
    if problem:
        errors.add("address", problem)
    phone = normalize_text(data.phone or "")
    problem = text_problem(phone, max_length=PHONE_MAX, required=False)
    if problem:
        errors.add("phone", problem)
    errors.raise_if_any()
    return CentreInput(kind=data.kind, name=name, address=address, phone=phone, active=data.active)


@transaction.atomic
def create_centre(*, actor: Any, org_id: int, data: CentreInput) -> MediationCentre:
    org = handling_org(actor, org_id)
    if org.status != OrgStatus.ACTIVE:
        raise Conflict(_("This union is not active; it cannot run a mediation centre."))
    clean = _clean_centre(org, data)
    centre = MediationCentre.objects.create(
        org=org,
        kind=clean.kind,
        name=clean.name,
        address=clean.address,
        phone=clean.phone,
        active=clean.active,
    )
    record_audit(
        actor=actor,
        action="rights.create_centre",
        obj=centre,
        changes=changes_between({}, snapshot(centre, CENTRE_FIELDS)),
    )
    return centre


@transaction.atomic
def update_centre(centre_id: int, *, actor: Any, data: CentreInput) -> MediationCentre:
    centre = handled_centre(actor, centre_id, lock=True)
    clean = _clean_centre(centre.org, data, exclude=centre.pk)
    before = snapshot(centre, CENTRE_FIELDS)
    centre.kind, centre.name, centre.address = clean.kind, clean.name, clean.address
    centre.phone, centre.active = clean.phone, clean.active
    centre.save()
    changes = changes_between(before, snapshot(centre, CENTRE_FIELDS))
    if changes:
        record_audit(actor=actor, action="rights.update_centre", obj=centre, changes=changes)
    return centre


def handled_mediator(actor: Any, mediator_id: int, *, lock: bool = False) -> Mediator:
    rows = visible(Mediator, actor, Perm.RIGHTS_HANDLE).select_related("centre", "centre__org", "user")
    if lock:
        rows = rows.select_for_update(of=("self",))
    mediator = rows.filter(pk=mediator_id).first()
    if mediator is None:
        raise NotFound(_("There is no such mediator."))
    return mediator


def _check_account(errors: FieldErrors, username: str, password: str, name: str) -> str:
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
            validate_password(password, User(username=username, display_name=name))
        except ValidationError as exc:
            for message in exc.messages:
                errors.add("password", message)
    return username


@transaction.atomic
def create_mediator(
    *, actor: Any, centre_id: int, name: str, phone: str = "", username: str = "", password: str = ""
) -> Mediator:
    """A mediator at a centre; with a username (and the initial password the officer chose)
    they get a sign-in to their desk."""
    centre = handled_centre(actor, centre_id)
    if not centre.active:
        raise Conflict(_("This centre is not active; it cannot take on mediators."))
    errors = FieldErrors()
    name = normalize_name(name or "")
    problem = text_problem(name, max_length=MEDIATOR_NAME_MAX, required=True)
    if problem:
        errors.add("name", problem)
    phone = normalize_text(phone or "")
    problem = text_problem(phone, max_length=PHONE_MAX, required=False)
    if problem:
        errors.add("phone", problem)
    wants_account = bool(normalize_text(username or "") or password)
    if wants_account:
        username = _check_account(errors, username, password, name)
    errors.raise_if_any()
    user = (
        User.objects.create_user(
            username=username, password=password, display_name=name, kind=AccountKind.OFFICER
        )
        if wants_account
        else None
    )
    mediator = Mediator.objects.create(centre=centre, user=user, name=name, phone=phone)
    record_audit(
        actor=actor,
        action="rights.create_mediator",
        obj=mediator,
        changes={"centre": [None, centre.pk], "username": [None, username if wants_account else ""]},
        org=centre.org,
    )
    return mediator


@transaction.atomic
def deactivate_mediator(mediator_id: int, *, actor: Any, successor_id: int | None = None) -> bool:
    """Switch a mediator off (and their sign-in). A mediator with disputes still in hand is
    switched off only together with handing all of them over to `successor_id`, each with a
    history row: nobody is left assigned to someone who cannot sign in. Returns whether the
    mediator was active."""
    mediator = handled_mediator(actor, mediator_id, lock=True)
    if not mediator.active:
        return False
    in_hand = list(
        Dispute.objects.open()
        .filter(mediator=mediator)
        .select_related("org")
        .select_for_update(of=("self",))
        .order_by("id")
    )
    successor = None
    if in_hand or successor_id is not None:
        successor = _successor(actor, mediator, in_hand, successor_id)
    mediator.active = False
    mediator.save(update_fields=["active", "updated_at"])
    if mediator.user is not None:
        mediator.user.is_active = False
        mediator.user.save(update_fields=["is_active"])
    if successor is not None:
        reason = _("Mediator %(name)s was switched off; handed over to %(successor)s.") % {
            "name": mediator.name,
            "successor": successor.name,
        }
        for dispute in in_hand:
            hand_over(dispute, actor=actor, mediator=successor, reason=reason)
    record_audit(
        actor=actor,
        action="rights.deactivate_mediator",
        obj=mediator,
        changes={"active": [True, False], "successor": [None, successor.pk if successor else None]},
        note=f"{len(in_hand)} disputes handed over" if successor is not None else "",
        org=mediator.centre.org,
    )
    return True


def _successor(actor: Any, mediator: Mediator, in_hand: list[Dispute], successor_id: int | None) -> Mediator:
    if successor_id is None:
        message = ngettext(
            "The mediator still has %(count)d dispute in hand: choose a mediator to take it over.",
            "The mediator still has %(count)d disputes in hand: choose a mediator to take them over.",
            len(in_hand),
        ) % {"count": len(in_hand)}
        raise ValidationFailed(message, fields={"successor": [message]}, code="disputes_in_hand")
    errors = FieldErrors()
    successor = active_mediator_for(actor, successor_id)
    if successor is None or successor.pk == mediator.pk:
        errors.add("successor", _("Choose another active mediator of a centre in your scope."))
    outside = sum(1 for dispute in in_hand if not has_perm_at(actor, Perm.RIGHTS_HANDLE, dispute.org.path))
    if outside:
        errors.add(
            "successor",
            ngettext(
                "%(count)d of the disputes is handled outside your scope: its officers hand it over.",
                "%(count)d of the disputes are handled outside your scope: their officers hand them over.",
                outside,
            )
            % {"count": outside},
        )
    errors.raise_if_any()
    assert successor is not None
    return successor
