"""Officer terms: who holds which position on a union's committee, from when to when.

A union has at most one chair at a time. Terms are half-open for this rule: a term that ends
on 30 June and its successor starting on 30 June do not overlap, so that an election held on
the last day of the old term can be recorded as it happened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.core.audit import changes_between, record_audit, snapshot
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.inputs import has_control_characters
from gonghui.core.mobile import InvalidMobile, normalize_mobile, parse_mobile
from gonghui.core.text import normalize_name, normalize_text
from gonghui.orgs.models import OfficerPosition, OfficerTerm, Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible
from gonghui.orgs.services.roles import officer_by_username

NAME_MAX = 60
PHONE_MAX = 20
REASON_MAX = 200
AUDITED_FIELDS = (
    "name",
    "position",
    "user",
    "contact_phone",
    "elected_on",
    "term_start",
    "term_end",
    "ended_on",
    "end_reason",
)
# Area code with its leading 0, the number, an optional extension: 0574-87654321-123.
_LANDLINE = re.compile(r"0[1-9][0-9]{1,2}-?[2-9][0-9]{6,7}(?:-[0-9]{1,6})?")


@dataclass(frozen=True)
class OfficerTermData:
    """What a person types for a term; the services clean and check it."""

    name: str
    position: str
    term_start: date
    term_end: date
    elected_on: date | None = None
    contact_phone: str = ""
    username: str = ""  # the console account of the officer, if they have one

    @classmethod
    def of(cls, term: OfficerTerm) -> OfficerTermData:
        return cls(
            name=term.name,
            position=term.position,
            term_start=term.term_start,
            term_end=term.term_end,
            elected_on=term.elected_on,
            contact_phone=term.contact_phone,
            username=term.user.username if term.user is not None else "",
        )

    @classmethod
    def field_names(cls) -> frozenset[str]:
        return frozenset(field.name for field in fields(cls))


def _clean_phone(text: str) -> str:
    value = normalize_text(text)
    if not value:
        return ""
    compact = normalize_mobile(value)
    if compact.startswith("1"):
        try:
            return parse_mobile(value)
        except InvalidMobile as exc:
            raise ValidationFailed(exc.message, fields={"contact_phone": [exc.message]}) from exc
    compact = re.sub(r"[\s()\uff08\uff09]", "", value)
    if len(compact) > PHONE_MAX or not _LANDLINE.fullmatch(compact):
        message = _("Enter a mobile number, or a landline number with its area code such as 0574-87654321.")
        raise ValidationFailed(message, fields={"contact_phone": [message]})
    return compact


def _officer_account(username: str) -> User | None:
    return officer_by_username(username) if normalize_text(username) else None


@dataclass(frozen=True)
class _Clean:
    name: str
    position: str
    term_start: date
    term_end: date
    elected_on: date | None
    contact_phone: str
    user: User | None

    def values(self) -> dict[str, Any]:
        # Not dataclasses.asdict: that would deep-copy the User instance.
        return {field.name: getattr(self, field.name) for field in fields(self)}


def _clean(data: OfficerTermData) -> _Clean:
    """Check one term on its own; raises ValidationFailed with every field that is wrong."""
    errors: dict[str, list[str]] = {}
    name = normalize_name(data.name)
    if not name:
        errors["name"] = [_("Enter the officer's name.")]
    elif has_control_characters(name):
        errors["name"] = [_("Use letters, digits, spaces and punctuation only.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("A name has at most %(n)d characters.") % {"n": NAME_MAX}]
    if data.position not in OfficerPosition.values:
        errors["position"] = [_("Choose a position.")]
    if data.term_end <= data.term_start:
        errors["term_end"] = [_("The term must end after it starts.")]
    if data.elected_on is not None and data.elected_on > data.term_start:
        errors["elected_on"] = [_("The election cannot be later than the start of the term.")]
    phone, user = "", None
    try:
        phone = _clean_phone(data.contact_phone)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    try:
        user = _officer_account(data.username)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed(_("Some of the data is not valid. See the fields."), fields=errors)
    return _Clean(
        name=name,
        position=data.position,
        term_start=data.term_start,
        term_end=data.term_end,
        elected_on=data.elected_on,
        contact_phone=phone,
        user=user,
    )


def _lock_org(org: Org) -> Org:
    """Serialise writes to one union's committee (PostgreSQL row lock; SQLite writes are serial
    anyway), so that two people adding a chair at the same moment cannot both succeed."""
    locked: Org = Org.objects.select_for_update().get(pk=org.pk)
    return locked


def _check_one_chair(org: Org, clean: _Clean, *, ended_on: date | None, exclude_pk: int | None) -> None:
    if clean.position != OfficerPosition.CHAIR:
        return
    end = min(clean.term_end, ended_on) if ended_on is not None else clean.term_end
    # Another chair's span is [term_start, min(term_end, ended_on)); it overlaps ours when it
    # starts before we end and ends after we start.
    others = (
        OfficerTerm.objects.filter(org=org, position=OfficerPosition.CHAIR)
        .filter(term_start__lt=end, term_end__gt=clean.term_start)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=clean.term_start))
        .order_by("term_start")
    )
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    other = others.first()
    if other is not None:
        message = _(
            "%(org)s already has a chair in this period: %(name)s, term %(start)s to %(end)s. "
            "End that term first, or change the dates."
        ) % {
            "org": org.name,
            "name": other.name,
            "start": date_format(other.term_start),
            "end": date_format(other.term_end),
        }
        raise Conflict(message, code="chair_already_in_office", fields={"position": [message]})


@transaction.atomic
def add_officer_term(*, org: Org, data: OfficerTermData, actor: Any) -> OfficerTerm:
    """Record a term on `org`'s committee. The actor must hold OFFICER_CHANGE on the org."""
    org = get_visible(Org, actor, Perm.OFFICER_CHANGE, pk=org.pk)
    if not org.is_active:
        raise Conflict(_("A dissolved organisation cannot be given officers."))
    clean = _clean(data)
    org = _lock_org(org)
    _check_one_chair(org, clean, ended_on=None, exclude_pk=None)
    term = OfficerTerm.objects.create(org=org, **clean.values())
    record_audit(
        actor=actor,
        action="orgs.add_officer_term",
        obj=term,
        org=org,
        changes=changes_between({}, snapshot(term, AUDITED_FIELDS)),
    )
    return term


@transaction.atomic
def update_officer_term(*, term: OfficerTerm, data: OfficerTermData, actor: Any) -> OfficerTerm:
    """Correct or change a term (name, position, dates, contact, account); the org stays."""
    term = get_visible(
        OfficerTerm.objects.select_related("org", "user"), actor, Perm.OFFICER_CHANGE, pk=term.pk
    )
    if not term.org.is_active:
        raise Conflict(_("The officers of a dissolved organisation cannot be changed."))
    clean = _clean(data)
    if term.ended_on is not None and term.ended_on < clean.term_start:
        message = _("This officer left office on %(date)s, before that start date.") % {
            "date": date_format(term.ended_on)
        }
        raise ValidationFailed(message, fields={"term_start": [message]})
    _lock_org(term.org)
    _check_one_chair(term.org, clean, ended_on=term.ended_on, exclude_pk=term.pk)
    before = snapshot(term, AUDITED_FIELDS)
    for field, value in clean.values().items():
        setattr(term, field, value)
    term.save()
    changes = changes_between(before, snapshot(term, AUDITED_FIELDS))
    if changes:
        record_audit(actor=actor, action="orgs.update_officer_term", obj=term, org=term.org, changes=changes)
    return term


@transaction.atomic
def end_officer_term(*, term: OfficerTerm, ended_on: date, reason: str, actor: Any) -> OfficerTerm:
    """Record that the officer left office on `ended_on` (resignation, transfer, new election…)."""
    # Locked, so that of two people ending the same term at once the second sees it ended.
    locked = OfficerTerm.objects.select_related("org").select_for_update(of=("self",))
    term = get_visible(locked, actor, Perm.OFFICER_CHANGE, pk=term.pk)
    if term.ended_on is not None:
        raise Conflict(
            _("This term already ended on %(date)s.") % {"date": date_format(term.ended_on)},
            code="already_ended",
        )
    errors: dict[str, list[str]] = {}
    if ended_on < term.term_start:
        errors["ended_on"] = [_("An officer cannot leave office before the term starts.")]
    elif ended_on > timezone.localdate():
        errors["ended_on"] = [_("Record the departure on or after the day it happens, not in advance.")]
    reason = normalize_text(reason)
    if not reason:
        errors["reason"] = [_("Give the reason for leaving office.")]
    elif has_control_characters(reason):
        errors["reason"] = [_("Use letters, digits, spaces and punctuation only.")]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [_("Write at most %(n)d characters.") % {"n": REASON_MAX}]
    if errors:
        raise ValidationFailed(_("Some of the data is not valid. See the fields."), fields=errors)
    before = snapshot(term, AUDITED_FIELDS)
    term.ended_on = ended_on
    term.end_reason = reason
    term.save(update_fields=["ended_on", "end_reason", "updated_at"])
    record_audit(
        actor=actor,
        action="orgs.end_officer_term",
        obj=term,
        org=term.org,
        changes=changes_between(before, snapshot(term, AUDITED_FIELDS)),
        note=reason,
    )
    return term
