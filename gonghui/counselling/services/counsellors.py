"""Counsellors: opening a counsellor's sign-in and switching it off.

A counsellor belongs to the union that offers the service (`Counsellor.org`); writes need
`Perm.COUNSELLING_MANAGE` there. A counsellor outside the actor's scope is a missing one
(NotFound). The sign-in is an officer-kind `User` with no role anywhere: through it the
counsellor reaches their own slots and bookings (the desk) and nothing else.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import AccountKind, User, officer_username_validator
from gonghui.core.audit import record_audit
from gonghui.core.errors import Conflict, FieldErrors, NotFound
from gonghui.core.inputs import text_problem
from gonghui.core.text import normalize_name, normalize_text
from gonghui.counselling.models import Booking, BookingStatus, Counsellor, SlotStatus
from gonghui.counselling.services.bookings import end_for_counsellor
from gonghui.orgs.models import Org, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at, visible

DISPLAY_NAME_MAX = 60
QUALIFICATIONS_MAX = 300


def managed_org(actor: Any, org_id: int) -> Org:
    """The org `org_id` if the actor manages counselling there; NotFound otherwise."""
    org: Org | None = Org.objects.filter(pk=org_id).first()
    if org is None or not has_perm_at(actor, Perm.COUNSELLING_MANAGE, org.path):
        raise NotFound(_("There is no such union."))
    return org


def managed_counsellor(actor: Any, counsellor_id: int, *, lock: bool = False) -> Counsellor:
    rows = visible(Counsellor, actor, Perm.COUNSELLING_MANAGE).select_related("org", "user")
    if lock:
        rows = rows.select_for_update(of=("self",))
    counsellor = rows.filter(pk=counsellor_id).first()
    if counsellor is None:
        raise NotFound(_("There is no such counsellor."))
    return counsellor


@transaction.atomic
def create_counsellor(
    *,
    actor: Any,
    org_id: int,
    username: str,
    password: str,
    display_name: str,
    qualifications: str,
    offers_online: bool,
    offers_in_person: bool,
) -> Counsellor:
    """Open a counsellor's sign-in at `org` with the initial password the officer chose."""
    org = managed_org(actor, org_id)
    if org.status != OrgStatus.ACTIVE:
        raise Conflict(_("This union is not active; it cannot take on counsellors."))
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
    display_name = normalize_name(display_name or "")
    problem = text_problem(display_name, max_length=DISPLAY_NAME_MAX, required=True)
    if problem:
        errors.add("display_name", problem)
    qualifications = normalize_text(qualifications or "")
    problem = text_problem(qualifications, max_length=QUALIFICATIONS_MAX, required=True)
    if problem:
        errors.add("qualifications", problem)
    if not offers_online and not offers_in_person:
        errors.add("offers_online", _("Choose at least one way of meeting: online or in person."))
    if not password:
        errors.add("password", _("Choose an initial password."))
    else:
        try:
            validate_password(password, User(username=username, display_name=display_name))
        except ValidationError as exc:
            for message in exc.messages:
                errors.add("password", message)
    errors.raise_if_any()
    user = User.objects.create_user(
        username=username, password=password, display_name=display_name, kind=AccountKind.OFFICER
    )
    counsellor = Counsellor.objects.create(
        user=user,
        org=org,
        display_name=display_name,
        qualifications=qualifications,
        offers_online=offers_online,
        offers_in_person=offers_in_person,
    )
    record_audit(
        actor=actor,
        action="counselling.create_counsellor",
        obj=counsellor,
        changes={"username": [None, username], "org": [None, org.pk]},
        org=org,
    )
    return counsellor


@transaction.atomic
def deactivate_counsellor(counsellor_id: int, *, actor: Any) -> bool:
    """Switch a counsellor off: they can no longer sign in, their open future slots are
    withdrawn and their booked future sessions cancelled, each member told by SMS. Returns
    whether the counsellor was active."""
    counsellor = managed_counsellor(actor, counsellor_id, lock=True)
    if not counsellor.is_active:
        return False
    counsellor.is_active = False
    counsellor.save(update_fields=["is_active"])
    counsellor.user.is_active = False
    counsellor.user.save(update_fields=["is_active"])
    now = timezone.now()
    withdrawn = counsellor.slots.filter(status=SlotStatus.OPEN, starts_at__gt=now).update(
        status=SlotStatus.CANCELLED
    )
    booked = list(
        Booking.objects.select_for_update()
        .select_related("slot")
        .filter(slot__counsellor=counsellor, status=BookingStatus.BOOKED, slot__starts_at__gt=now)
    )
    for booking in booked:
        end_for_counsellor(booking, actor=actor, reason=_("The counsellor no longer offers sessions."))
    record_audit(
        actor=actor,
        action="counselling.deactivate_counsellor",
        obj=counsellor,
        changes={"is_active": [True, False]},
        note=f"slots withdrawn: {withdrawn}, sessions cancelled: {len(booked)}",
        org=counsellor.org,
    )
    return True
