"""Officers' writes on a member's record: correcting the details of an active membership, adding
one member by hand, and showing the full ID and mobile numbers (audited every time).

What an officer may change is what people get wrong on a roster or a form: the name, the mobile
number, the workplace, the categories and the join date. The ID number is not among them: it is
the person, and birth date and sex come from it; a wrong ID number means a wrong person, which
is ended (left) and added again. The union changes only by a transfer. An ended membership is a
record of the past and is not edited at all.

Each change is one `MemberEvent` (UPDATED) in the person's history and one audit event, both
with masked before/after values (`Member.audit_value`): a history must not become a second copy
of the personal data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.core.audit import record_audit
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationFailed
from gonghui.core.idnumbers import InvalidIdNumber, parse_id_number
from gonghui.core.inputs import has_control_characters
from gonghui.core.mobile import InvalidMobile, parse_mobile
from gonghui.core.text import normalize_name, normalize_text
from gonghui.members.models import GigOccupation, Member, MemberEventKind, MemberStatus, mobile_index
from gonghui.members.services.registry import Categories, NewMember, add_member, record_event
from gonghui.orgs.models import Org, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at
from gonghui.orgs.services.coverage import schedule_coverage_refresh

NAME_MAX_LENGTH = 60
PLATFORM_MAX_LENGTH = 40
NOTE_MAX_LENGTH = 500
# Besides letters, what names hold: the separator of transliterated names (阿卜杜·热合曼), and
# the spaces, full stops, hyphens and apostrophes of names in Latin script.
_NAME_PUNCTUATION = frozenset("·.-' ")

# The fields `update_member` may change, in the order forms show them.
EDITABLE_FIELDS = (
    "name",
    "mobile",
    "workplace",
    "is_gig_worker",
    "gig_occupation",
    "gig_platform",
    "is_migrant_worker",
    "is_model_worker",
    "joined_on",
)


class Unset(Enum):
    """A keyword argument that was not given: leave the field as it is."""

    UNSET = "unset"


UNSET = Unset.UNSET


# --------------------------------------------------------------------------------------------
# Rules shared by editing and adding
# --------------------------------------------------------------------------------------------


def name_problem(name: str) -> str | None:
    """What is wrong with an already normalised name, or None."""
    if not name:
        return _("Enter the name.")
    if len(name) > NAME_MAX_LENGTH:
        return _("Enter at most %(max_length)s characters.") % {"max_length": NAME_MAX_LENGTH}
    # A letter first: nothing that a spreadsheet would take for a formula ("=", "+", "-", "@").
    if not name[0].isalpha() or not all(char.isalpha() or char in _NAME_PUNCTUATION for char in name):
        return _("A name may contain only letters, spaces and the separator “·”.")
    return None


def workplaces_for(org: Org) -> QuerySet[Workplace]:
    """The workplaces a member of `org` may work at: those the union (or a union under it) covers,
    and those in its area (a joint union's small employers)."""
    return Workplace.objects.filter(
        Q(union__path__startswith=org.path) | Q(jurisdiction__path__startswith=org.path)
    )


def workplace_message(org: Org) -> str:
    return _("Choose a workplace that %(union)s covers or that lies in its area.") % {"union": org.name}


def _categories(values: dict[str, Any], errors: FieldErrors) -> Categories:
    """Categories from field values, checked: platform work is required of a gig worker."""
    gig = bool(values["is_gig_worker"])
    occupation = str(values["gig_occupation"] or "") if gig else ""
    platform = normalize_text(str(values["gig_platform"] or "")) if gig else ""
    if gig and not occupation:
        errors.add("gig_occupation", _("Choose the kind of platform work."))
    elif occupation and occupation not in GigOccupation.values:
        errors.add("gig_occupation", _("Choose a kind of platform work from the list."))
    if has_control_characters(platform):
        errors.add("gig_platform", _("Use letters, digits, spaces and punctuation only."))
    elif len(platform) > PLATFORM_MAX_LENGTH:
        errors.add(
            "gig_platform",
            _("Enter at most %(max_length)s characters.") % {"max_length": PLATFORM_MAX_LENGTH},
        )
    return Categories(
        is_gig_worker=gig,
        gig_occupation=occupation,
        gig_platform=platform,
        is_migrant_worker=bool(values["is_migrant_worker"]),
        is_model_worker=bool(values["is_model_worker"]),
    )


def _join_date_problem(joined_on: date, birth_date: date) -> str | None:
    if joined_on > timezone.localdate():
        return _("The join date cannot be in the future.")
    if joined_on < birth_date:
        return _("The join date cannot be before the date of birth.")
    return None


def _mobile(text: str, errors: FieldErrors) -> str:
    """The normalised mobile number ("" to have none on file)."""
    if not normalize_text(text):
        return ""
    try:
        return parse_mobile(text)
    except InvalidMobile as exc:
        errors.add("mobile", exc.message)
        return ""


# --------------------------------------------------------------------------------------------
# Editing
# --------------------------------------------------------------------------------------------


def may_change_member(user: Any, member: Member) -> bool:
    return has_perm_at(user, Perm.MEMBER_CHANGE, member.org.path)


def _history_value(member: Member, field: str) -> Any:
    """A field as the history and the audit log keep it: masked, the workplace by name."""
    if field == "workplace":
        return member.workplace.name if member.workplace is not None else ""
    if field == "joined_on":
        return member.joined_on.isoformat()
    return member.audit_value(field)


def update_member(
    member: Member,
    *,
    actor: User,
    name: str | Unset = UNSET,
    mobile: str | Unset = UNSET,
    workplace_id: int | Unset | None = UNSET,
    is_gig_worker: bool | Unset = UNSET,
    gig_occupation: str | Unset = UNSET,
    gig_platform: str | Unset = UNSET,
    is_migrant_worker: bool | Unset = UNSET,
    is_model_worker: bool | Unset = UNSET,
    joined_on: date | Unset = UNSET,
    note: str = "",
) -> list[str]:
    """Change the given details of an active membership (Perm.MEMBER_CHANGE on its union) and
    return the names of the fields that changed; nothing is written when nothing changed or
    anything is invalid."""
    with transaction.atomic():
        locked = (
            Member.objects.select_for_update(of=("self",))
            .select_related("org", "workplace")
            .filter(pk=member.pk)
            .first()
        )
        if locked is None or not has_perm_at(actor, Perm.MEMBER_VIEW, locked.org.path):
            raise NotFound(_("This member does not exist."))
        if not may_change_member(actor, locked):
            raise Forbidden(_("You may not change the members of %(union)s.") % {"union": locked.org.name})
        if locked.status != MemberStatus.ACTIVE:
            raise Conflict(
                _("This membership has ended (%(status)s); its record can no longer be changed.")
                % {"status": locked.get_status_display()},
                code="membership_ended",
            )
        errors = FieldErrors()
        values: dict[str, Any] = {}
        if not isinstance(name, Unset):
            values["name"] = normalize_name(name)
            if problem := name_problem(values["name"]):
                errors.add("name", problem)
        if not isinstance(mobile, Unset):
            values["mobile"] = _mobile(mobile, errors)
        if not isinstance(workplace_id, Unset):
            workplace = None
            if workplace_id is not None:
                workplace = workplaces_for(locked.org).filter(pk=workplace_id).first()
                if workplace is None:
                    errors.add("workplace", workplace_message(locked.org))
            values["workplace"] = workplace
        category_input = {
            "is_gig_worker": is_gig_worker,
            "gig_occupation": gig_occupation,
            "gig_platform": gig_platform,
            "is_migrant_worker": is_migrant_worker,
            "is_model_worker": is_model_worker,
        }
        if any(not isinstance(value, Unset) for value in category_input.values()):
            merged = {
                key: getattr(locked, key) if isinstance(value, Unset) else value
                for key, value in category_input.items()
            }
            values.update(_categories(merged, errors).as_fields())
        if not isinstance(joined_on, Unset):
            values["joined_on"] = joined_on
            if problem := _join_date_problem(joined_on, locked.birth_date):
                errors.add("joined_on", problem)
        if len(normalize_text(note)) > NOTE_MAX_LENGTH:
            errors.add(
                "note", _("Enter at most %(max_length)s characters.") % {"max_length": NOTE_MAX_LENGTH}
            )
        errors.raise_if_any()

        changed = [
            field for field in EDITABLE_FIELDS if field in values and getattr(locked, field) != values[field]
        ]
        if not changed:
            return []
        before = {field: _history_value(locked, field) for field in changed}
        for field in changed:
            setattr(locked, field, values[field])
        update_fields = [*changed, "updated_at"]
        if "mobile" in changed:
            locked.mobile_index = mobile_index(locked.mobile)
            update_fields.append("mobile_index")
        locked.save(update_fields=update_fields)
        changes = {field: [before[field], _history_value(locked, field)] for field in changed}
        clean_note = normalize_text(note)
        record_event(locked, MemberEventKind.UPDATED, actor=actor, changes=changes, note=clean_note)
        record_audit(actor=actor, action="members.update", obj=locked, changes=changes, note=clean_note)
        if {"workplace", "is_gig_worker", "is_migrant_worker", "is_model_worker"} & set(changed):
            schedule_coverage_refresh()
    # The caller's object shows the new values, as after a save of its own.
    for field in changed:
        setattr(member, field, getattr(locked, field))
    member.mobile_index = locked.mobile_index
    return changed


# --------------------------------------------------------------------------------------------
# Adding one member
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OneMember:
    """One person as an officer typed them in, not yet validated."""

    name: str
    id_number: str
    mobile: str = ""
    workplace_code: str = ""  # the workplace's credit code; "" for none
    is_gig_worker: bool = False
    gig_occupation: str = ""
    gig_platform: str = ""
    is_migrant_worker: bool = False
    is_model_worker: bool = False
    joined_on: date | None = None  # today when not given
    note: str = ""


def add_one_member(person: OneMember, *, org: Org, actor: User) -> Member:
    """Add one person to `org` (Perm.MEMBER_CHANGE there). `ActiveElsewhere` (a Conflict) when
    they are an active member anywhere: its message names that union and suggests a transfer."""
    if not has_perm_at(actor, Perm.MEMBER_VIEW, org.path):
        # As for a code that does not exist: nothing tells that the union is there.
        message = _("There is no organisation with this code in your scope.")
        raise ValidationFailed(message, fields={"org": [message]})
    if not has_perm_at(actor, Perm.MEMBER_CHANGE, org.path):
        raise Forbidden(_("You may not add members to %(union)s.") % {"union": org.name})
    errors = FieldErrors()
    name = normalize_name(person.name)
    if problem := name_problem(name):
        errors.add("name", problem)
    id_number = None
    try:
        id_number = parse_id_number(person.id_number)
    except InvalidIdNumber as exc:
        errors.add("id_number", exc.message)
    mobile = _mobile(person.mobile, errors)
    workplace = None
    code = normalize_text(person.workplace_code).replace(" ", "").upper()
    if code:
        workplace = workplaces_for(org).filter(credit_code=code).first()
        if workplace is None:
            errors.add("workplace", workplace_message(org))
    categories = _categories(
        {
            "is_gig_worker": person.is_gig_worker,
            "gig_occupation": person.gig_occupation,
            "gig_platform": person.gig_platform,
            "is_migrant_worker": person.is_migrant_worker,
            "is_model_worker": person.is_model_worker,
        },
        errors,
    )
    joined_on = person.joined_on or timezone.localdate()
    if id_number is not None and (problem := _join_date_problem(joined_on, id_number.birth_date)):
        errors.add("joined_on", problem)
    note = normalize_text(person.note)
    if len(note) > NOTE_MAX_LENGTH:
        errors.add("note", _("Enter at most %(max_length)s characters.") % {"max_length": NOTE_MAX_LENGTH})
    errors.raise_if_any()
    assert id_number is not None  # an invalid one is among the errors raised above
    with transaction.atomic():
        return add_member(
            NewMember(
                name=name,
                id_number=id_number,
                org=org,
                mobile=mobile,
                workplace=workplace,
                categories=categories,
                joined_on=joined_on,
            ),
            actor=actor,
            kind=MemberEventKind.JOINED,
            note=note or _("Added by an officer"),
        )


# --------------------------------------------------------------------------------------------
# Full numbers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RevealedNumbers:
    id_number: str
    mobile: str


def reveal_numbers(member: Member, *, actor: User) -> RevealedNumbers:
    """The member's full ID and mobile numbers, for an officer holding Perm.MEMBER_REVEAL on the
    union; every call is an audit event. Anyone else is told the member does not exist."""
    if not has_perm_at(actor, Perm.MEMBER_REVEAL, member.org.path):
        raise NotFound(_("This member does not exist."))
    record_audit(
        actor=actor,
        action="members.reveal",
        obj=member,
        note=_("Full ID number and mobile number shown"),
    )
    return RevealedNumbers(id_number=member.id_number, mobile=member.mobile)
