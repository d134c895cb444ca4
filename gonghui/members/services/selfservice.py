"""Member self-service (issue 5, item 5): a member's own membership and the categories they declare
themselves, the change of the mobile number they sign in with, their union and its officers,
their membership history, and a download of everything held about them.

A member acts on their own records only, and those are found from the portal account: the
membership rows linked to it (`Member.user`, set when joining was approved or an officer linked
the account), and through those rows' ID number blind index every other membership row of the
same person (a transfer opens a new row; a row imported from a roster may predate the account).
The ID number typed into a join application is never used to find records: it is not verified,
and typing someone else's number must not show their history.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import xlsxwriter
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gonghui.accounts.models import User, VerificationPurpose
from gonghui.accounts.verification import check_verification_code, send_verification_code
from gonghui.core.audit import changes_between, record_audit, snapshot
from gonghui.core.compiled import CompiledSelect, Param
from gonghui.core.errors import Conflict, FieldErrors, NotFound, ValidationFailed
from gonghui.core.inputs import has_control_characters
from gonghui.core.mobile import InvalidMobile, mask_mobile, parse_mobile
from gonghui.core.sms import send_sms
from gonghui.core.text import normalize_text
from gonghui.members.card import card_number
from gonghui.members.models import (
    GigOccupation,
    JoinApplication,
    JoinStatus,
    Member,
    MemberEvent,
    MemberEventKind,
    MemberStatus,
    Transfer,
    mobile_index,
)
from gonghui.members.services.registry import Categories, record_event
from gonghui.orgs.models import OfficerTerm, Org, Workplace

# The categories a member declares about themselves; "model worker" (劳动模范) is an honour an
# officer records, and "female worker" follows from the ID number.
SELF_DECLARED_FIELDS = ("is_gig_worker", "gig_occupation", "gig_platform", "is_migrant_worker")
PLATFORM_MAX = 40

# Wrong current passwords on a change of mobile number, per account, before a pause: the
# password is what stops someone holding an unlocked phone from moving the account to their own
# number, so it must not be guessable here when the login page would lock them out.
PASSWORD_TRIES = 5
PASSWORD_PAUSE_SECONDS = 15 * 60
# Codes one account may ask for per hour: each request also says whether a number belongs to
# another account, which must not become a way of checking numbers in bulk.
CODE_REQUESTS_PER_HOUR = 5

FileFormat = Literal["json", "xlsx"]
EXPORT_FORMAT_VERSION = 1


# --------------------------------------------------------------------------------------------
# Finding the member's own records
# --------------------------------------------------------------------------------------------


def _person_indexes(user: User) -> QuerySet[Member, Any]:
    """The ID number blind indexes of the people whose membership is linked to `user` (a
    subquery; normally one person)."""
    return Member.objects.filter(user=user).values("id_number_index")


def own_memberships(user: User) -> list[Member]:
    """Every membership row of the person, the active one first, then the newest."""
    rows = list(
        Member.objects.filter(id_number_index__in=_person_indexes(user)).select_related("org", "workplace")
    )
    rows.sort(key=lambda row: (not row.is_active, -row.joined_on.toordinal(), -row.pk))
    return rows


def current_membership(user: User) -> Member | None:
    """The person's active membership (with union and workplace), or None."""
    return (
        Member.objects.active()
        .filter(id_number_index__in=_person_indexes(user))
        .select_related("org", "workplace")
        .first()
    )


def current_membership_facts(user: User, fields: Sequence[str]) -> Member | None:
    """The person's active membership with only `fields` loaded (and its union's name and path):
    for hot paths that need a few facts and must not decrypt ID and mobile numbers (pressing
    a giveaway's button), so the query is compiled once per set of fields."""
    key = tuple(fields)
    query = _facts_queries.get(key)
    if query is None:
        query = _facts_queries[key] = CompiledSelect(
            lambda: (
                Member.objects.active()
                .filter(
                    id_number_index__in=Member.objects.filter(
                        user_id=Param("user_id", models.BigIntegerField())
                    ).values("id_number_index")
                )
                .select_related("org")
                .only(*key, "org__name", "org__path")
                .order_by("pk")[:1]
            ),
            params=("user_id",),
        )
    return query.first(user_id=user.pk)


_facts_queries: dict[tuple[str, ...], CompiledSelect[Member]] = {}


def require_current_membership(user: User) -> Member:
    """The person's active membership; NotFound saying whether they have none at all
    (`no_membership`, e.g. an officer's account) or none active any more."""
    member = current_membership(user)
    if member is not None:
        return member
    if Member.objects.filter(user=user).exists():
        raise NotFound(no_active_membership_message(), code="no_active_membership")
    raise NotFound(no_records_message(), code="no_membership")


def no_active_membership_message() -> str:
    return _(
        "You have no active union membership. If you have applied to join, your union is still "
        "reviewing the application."
    )


def no_records_message() -> str:
    return _("There is no union membership or join application under your account.")


def own_events(user: User) -> QuerySet[MemberEvent]:
    """The person's membership events across all their rows, newest first."""
    return (
        MemberEvent.objects.filter(id_number_index__in=_person_indexes(user))
        .select_related("org")
        .order_by("-created_at", "-pk")
    )


def own_applications(user: User) -> QuerySet[JoinApplication]:
    """Applications the account submitted, and those that made one of the person's memberships."""
    rows = Member.objects.filter(id_number_index__in=_person_indexes(user)).values("pk")
    return (
        JoinApplication.objects.filter(Q(applicant=user) | Q(member__in=rows))
        .select_related("org", "workplace")
        .order_by("-created_at", "-pk")
    )


def open_applications(user: User) -> QuerySet[JoinApplication]:
    return own_applications(user).filter(status=JoinStatus.SUBMITTED)


def own_transfers(user: User) -> QuerySet[Transfer]:
    rows = Member.objects.filter(id_number_index__in=_person_indexes(user)).values("pk")
    return (
        Transfer.objects.filter(member__in=rows)
        .select_related("from_org", "to_org", "to_workplace")
        .order_by("-created_at", "-pk")
    )


# --------------------------------------------------------------------------------------------
# History in plain words
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeLine:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryEntry:
    event: MemberEvent
    kind: str
    union: str
    time: datetime
    by: str
    note: str
    changes: list[ChangeLine]


def _member_field(name: str) -> models.Field[Any, Any] | None:
    try:
        field = Member._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _field_label(name: str) -> str:
    field = _member_field(name)
    if field is not None:
        return str(field.verbose_name)
    labels = {"username": _("sign-in number")}
    return str(labels.get(name, name))


def _value_text(name: str, value: Any, names: Mapping[tuple[str, int], str]) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    field = _member_field(name)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.ForeignKey) and isinstance(value, int):
        return names.get((name, value), "—")
    if isinstance(field, models.DateField) and isinstance(value, str):
        try:
            return date_format(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def _related_names(changes: Iterable[Mapping[str, Any]]) -> dict[tuple[str, int], str]:
    """Names of the unions and workplaces that events' changes refer to by id: one query each."""
    wanted: dict[str, set[int]] = {"org": set(), "workplace": set()}
    for change in changes:
        for name, ids in wanted.items():
            values = change.get(name)
            if isinstance(values, list):
                ids.update(value for value in values if isinstance(value, int))
    names: dict[tuple[str, int], str] = {}
    if wanted["org"]:
        for pk, org_name in Org.objects.filter(pk__in=wanted["org"]).values_list("pk", "name"):
            names["org", pk] = org_name
    if wanted["workplace"]:
        for pk, workplace_name in Workplace.objects.filter(pk__in=wanted["workplace"]).values_list(
            "pk", "name"
        ):
            names["workplace", pk] = workplace_name
    return names


def _change_lines(changes: Mapping[str, Any], names: Mapping[tuple[str, int], str]) -> list[ChangeLine]:
    lines = []
    for name, values in changes.items():
        if not isinstance(values, list) or len(values) != 2:
            continue
        before, after = values
        lines.append(
            ChangeLine(
                label=_field_label(name),
                before=_value_text(name, before, names),
                after=_value_text(name, after, names),
            )
        )
    return lines


def _by(event: MemberEvent, viewer: User) -> str:
    if event.actor_id is None:
        return _("System")
    if event.actor_id == viewer.pk:
        return _("You")
    return _("Union staff")


def history_entries(events: Sequence[MemberEvent], *, viewer: User) -> list[HistoryEntry]:
    """Events as people read them: what happened, where, when, by whom and what changed. The
    officers who acted are not named: "union staff" is what the member needs to know."""
    names = _related_names(event.changes for event in events if isinstance(event.changes, dict))
    return [
        HistoryEntry(
            event=event,
            kind=event.get_kind_display(),
            union=event.org.name,
            time=event.created_at,
            by=_by(event, viewer),
            note=event.note,
            changes=_change_lines(event.changes, names) if isinstance(event.changes, dict) else [],
        )
        for event in events
    ]


# --------------------------------------------------------------------------------------------
# Profile: the categories the member declares
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeclaredCategories:
    is_gig_worker: bool
    gig_occupation: str = ""
    gig_platform: str = ""
    is_migrant_worker: bool = False

    @classmethod
    def of(cls, member: Member) -> DeclaredCategories:
        return cls(
            is_gig_worker=member.is_gig_worker,
            gig_occupation=member.gig_occupation,
            gig_platform=member.gig_platform,
            is_migrant_worker=member.is_migrant_worker,
        )


def _clean_declared(categories: DeclaredCategories) -> DeclaredCategories:
    if not categories.is_gig_worker:
        # Platform details belong to gig workers only; what was typed for them is dropped.
        return DeclaredCategories(is_gig_worker=False, is_migrant_worker=categories.is_migrant_worker)
    errors = FieldErrors()
    if categories.gig_occupation not in GigOccupation.values:
        errors.add("gig_occupation", _("Choose the kind of platform work you do."))
    platform = normalize_text(categories.gig_platform)
    if has_control_characters(platform):
        errors.add("gig_platform", _("Use letters, digits, spaces and punctuation only."))
    elif len(platform) > PLATFORM_MAX:
        errors.add("gig_platform", _("Enter at most %(n)d characters.") % {"n": PLATFORM_MAX})
    errors.raise_if_any()
    return DeclaredCategories(
        is_gig_worker=True,
        gig_occupation=categories.gig_occupation,
        gig_platform=platform,
        is_migrant_worker=categories.is_migrant_worker,
    )


def update_own_profile(*, actor: User, categories: DeclaredCategories) -> Member:
    """Change the categories the member declares on their active membership. The model worker
    honour stays as officers recorded it. Nothing is written when nothing changed."""
    clean = _clean_declared(categories)
    with transaction.atomic():
        member = (
            Member.objects.active()
            .select_for_update(of=("self",))
            .select_related("org", "workplace")
            .filter(id_number_index__in=_person_indexes(actor))
            .first()
        )
        if member is None:
            raise NotFound(no_active_membership_message(), code="no_active_membership")
        before = snapshot(member, SELF_DECLARED_FIELDS)
        values = Categories(
            is_gig_worker=clean.is_gig_worker,
            gig_occupation=clean.gig_occupation,
            gig_platform=clean.gig_platform,
            is_migrant_worker=clean.is_migrant_worker,
            is_model_worker=member.is_model_worker,
        ).as_fields()
        for name in SELF_DECLARED_FIELDS:
            setattr(member, name, values[name])
        changes = changes_between(before, snapshot(member, SELF_DECLARED_FIELDS))
        if not changes:
            return member
        member.save(update_fields=[*SELF_DECLARED_FIELDS, "updated_at"])
        record_event(member, MemberEventKind.UPDATED, actor=actor, changes=changes)
        record_audit(actor=actor, action="members.update_own_profile", obj=member, changes=changes)
    return member


# --------------------------------------------------------------------------------------------
# Change of mobile number
# --------------------------------------------------------------------------------------------


def _taken(number: str, user: User) -> bool:
    return User.objects.filter(Q(username=number) | Q(mobile=number)).exclude(pk=user.pk).exists()


def _taken_error() -> Conflict:
    message = _(
        "This mobile number is already used by another account. If that account is yours, sign in "
        "with it; otherwise ask your union for help."
    )
    return Conflict(message, code="mobile_taken", fields={"mobile": [message]})


def _new_number(actor: User, text: str) -> str:
    """The new number, normalised; refused when it is not a mobile number, is the current one,
    or belongs to another account."""
    try:
        number = parse_mobile(text)
    except InvalidMobile as exc:
        raise ValidationFailed(exc.message, fields={"mobile": [exc.message]}) from exc
    if number == actor.mobile:
        message = _("This is already your mobile number.")
        raise ValidationFailed(message, fields={"mobile": [message]})
    if _taken(number, actor):
        raise _taken_error()
    return number


def _password_key(user: User) -> str:
    return f"members.selfservice.password-tries:{user.pk}"


def _code_requests_key(user: User) -> str:
    return f"members.selfservice.code-requests:{user.pk}"


def _count(key: str, seconds: int) -> None:
    cache.add(key, 0, timeout=seconds)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)


def _check_password(user: User, password: str) -> None:
    if int(cache.get(_password_key(user), 0)) >= PASSWORD_TRIES:
        raise Conflict(
            _("The password was entered wrongly too many times. Please try again in 15 minutes."),
            code="too_many_attempts",
        )
    if not user.check_password(password):
        _count(_password_key(user), PASSWORD_PAUSE_SECONDS)
        message = _("The password is not correct.")
        raise ValidationFailed(message, fields={"password": [message]})
    cache.delete(_password_key(user))


def request_mobile_change_code(*, actor: User, new_mobile: str) -> str:
    """Text a code to the new number (which proves the member holds it); returns the number,
    normalised. Refused for a number in use by another account, and after
    CODE_REQUESTS_PER_HOUR requests from one account."""
    number = _new_number(actor, new_mobile)
    if int(cache.get(_code_requests_key(actor), 0)) >= CODE_REQUESTS_PER_HOUR:
        raise Conflict(
            _("You have asked for too many codes. Please try again in an hour."), code="too_many_attempts"
        )
    send_verification_code(number, purpose=VerificationPurpose.MOBILE_CHANGE)
    _count(_code_requests_key(actor), 60 * 60)
    return number


def _notice_text(new_number: str) -> str:
    return _(
        "[%(site)s] The mobile number of your union account was changed to %(number)s on %(when)s. "
        "If you did not do this, contact your union at once."
    ) % {
        "site": settings.GONGHUI_SITE_NAME,
        "number": mask_mobile(new_number),
        "when": date_format(timezone.localtime(), "DATETIME_FORMAT"),
    }


def change_own_mobile(*, actor: User, new_mobile: str, code: str, password: str) -> str:
    """Move the account and the person's membership records to a new mobile number, proven by
    the code texted to it and confirmed with the current password. A member signs in with their
    mobile number, so their username changes with it; the session stays signed in (its
    authentication hash follows the password, which does not change). The old number is told.
    Returns the new number."""
    number = _new_number(actor, new_mobile)
    _check_password(actor, password)
    # Outside the transaction: a wrong code is counted even though the change then fails.
    proof = check_verification_code(number, code, purpose=VerificationPurpose.MOBILE_CHANGE, field="code")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        if _taken(number, user):
            raise _taken_error()
        proof.spend()
        old_number = user.mobile
        account_before = snapshot(user, ("username", "mobile"))
        user.mobile = number
        if user.is_member:
            user.username = number
        try:
            with transaction.atomic():
                user.save(update_fields=["username", "mobile"])
        except IntegrityError:  # another account took the number a moment ago
            raise _taken_error() from None
        changes = changes_between(account_before, snapshot(user, ("username", "mobile")))

        index = mobile_index(number)
        rows = list(
            Member.objects.select_for_update(of=("self",))
            .select_related("org")
            .filter(id_number_index__in=_person_indexes(user))
        )
        shown = _history_row(rows)
        shown_before = shown.masked_mobile if shown is not None else ""
        for row in rows:
            row.mobile = number
            row.mobile_index = index
            row.save(update_fields=["mobile", "mobile_index", "updated_at"])
        # An application still under review is answered by SMS: to the number the person now holds.
        for application in JoinApplication.objects.select_for_update().filter(
            applicant=user, status=JoinStatus.SUBMITTED
        ):
            application.mobile = number
            application.mobile_index = index
            application.save(update_fields=["mobile", "mobile_index", "updated_at"])
        if shown is not None:
            record_event(
                shown,
                MemberEventKind.MOBILE_CHANGED,
                actor=user,
                changes={"mobile": [shown_before, mask_mobile(number)]},
            )
        record_audit(
            actor=user,
            action="members.change_own_mobile",
            obj=user,
            changes=changes,
            org=shown.org if shown is not None else None,
        )
        if old_number:
            # After the commit: a gateway that fails to send must not undo the change (robust:
            # the failure is logged, not raised).
            text = _notice_text(number)
            transaction.on_commit(lambda: send_sms(old_number, text), robust=True)
    actor.username, actor.mobile = user.username, user.mobile
    cache.delete(_password_key(actor))
    return number


def _history_row(rows: Sequence[Member]) -> Member | None:
    """The row a person-level event is filed under: the active membership, else the latest."""
    if not rows:
        return None
    return max(rows, key=lambda row: (row.status == MemberStatus.ACTIVE, row.joined_on, row.pk))


# --------------------------------------------------------------------------------------------
# My union
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficerContact:
    name: str
    position: str


@dataclass(frozen=True)
class UnionInfo:
    org: Org
    parent: Org | None
    officers: list[OfficerContact]


def union_info(member: Member) -> UnionInfo:
    """The member's union, its parent and its committee in office today. Officers are listed by
    name and position only: the phone number on an officer's term is their own, often a
    personal mobile; members reach the union through its contact phone."""
    org = member.org
    terms = OfficerTerm.objects.filter(org=org).current(timezone.localdate()).in_committee_order()
    officers = [OfficerContact(name=term.name, position=term.get_position_display()) for term in terms]
    parent: Org | None = Org.objects.get_parent(org) if not org.is_root() else None
    return UnionInfo(org=org, parent=parent, officers=officers)


# --------------------------------------------------------------------------------------------
# Download of all my data
# --------------------------------------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _union(org: Org) -> dict[str, Any]:
    return {"code": org.code, "name": org.name}


def _workplace(workplace: Workplace | None) -> dict[str, Any] | None:
    if workplace is None:
        return None
    return {"name": workplace.name, "credit_code": workplace.credit_code}


def _membership_data(member: Member) -> dict[str, Any]:
    return {
        "id": member.pk,
        "card_number": card_number(member),
        "name": member.name,
        "id_number": member.id_number,
        "birth_date": _iso(member.birth_date),
        "sex": member.get_sex_display(),
        "mobile": member.mobile,
        "union": _union(member.org),
        "workplace": _workplace(member.workplace),
        "joined_on": _iso(member.joined_on),
        "status": member.status,
        "status_label": member.get_status_display(),
        "ended_on": _iso(member.ended_on),
        "end_reason": member.end_reason,
        "is_gig_worker": member.is_gig_worker,
        "gig_occupation": member.gig_occupation,
        "gig_occupation_label": member.get_gig_occupation_display() if member.gig_occupation else "",
        "gig_platform": member.gig_platform,
        "is_migrant_worker": member.is_migrant_worker,
        "is_model_worker": member.is_model_worker,
        "is_female_worker": member.is_female_worker,
        "created_at": _iso(member.created_at),
        "updated_at": _iso(member.updated_at),
    }


def _event_data(entry: HistoryEntry) -> dict[str, Any]:
    event = entry.event
    return {
        "id": event.pk,
        "membership_id": event.member_id,
        "kind": event.kind,
        "kind_label": entry.kind,
        "union": event.org.name,
        "time": _iso(event.created_at),
        "by": entry.by,
        "note": event.note,
        "changes": [
            {"field": line.label, "before": line.before, "after": line.after} for line in entry.changes
        ],
    }


def _steps(rows: Iterable[Any], labels: Mapping[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "from": labels.get(step.from_status, step.from_status),
            "to": labels.get(step.to_status, step.to_status),
            "time": _iso(step.created_at),
            "comment": step.comment,
        }
        for step in rows
    ]


def _application_data(application: JoinApplication) -> dict[str, Any]:
    labels = {str(value): str(label) for value, label in JoinStatus.choices}
    return {
        "id": application.pk,
        "name": application.name,
        "id_number": application.id_number,
        "birth_date": _iso(application.birth_date),
        "sex": application.get_sex_display(),
        "mobile": application.mobile,
        "employer": application.workplace.name if application.workplace else application.employer_name,
        "no_fixed_employer": application.no_fixed_employer,
        "is_gig_worker": application.is_gig_worker,
        "gig_occupation_label": (
            application.get_gig_occupation_display() if application.gig_occupation else ""
        ),
        "gig_platform": application.gig_platform,
        "is_migrant_worker": application.is_migrant_worker,
        "home_district": application.home_district,
        "home_township": application.home_township,
        "home_address": application.home_address,
        "union": _union(application.org),
        "status": application.status,
        "status_label": application.get_status_display(),
        "reject_reason": application.reject_reason,
        "submitted_at": _iso(application.created_at),
        "decided_at": _iso(application.decided_at),
        "steps": _steps(application.history.all(), labels),
    }


def _transfer_data(transfer: Transfer) -> dict[str, Any]:
    labels = {str(value): str(label) for value, label in Transfer._meta.get_field("status").flatchoices}
    return {
        "id": transfer.pk,
        "membership_id": transfer.member_id,
        "from_union": _union(transfer.from_org),
        "to_union": _union(transfer.to_org),
        "to_workplace": _workplace(transfer.to_workplace),
        "reason": transfer.reason,
        "status": transfer.status,
        "status_label": transfer.get_status_display(),
        "reject_reason": transfer.reject_reason,
        "requested_at": _iso(transfer.created_at),
        "decided_at": _iso(transfer.decided_at),
        "steps": _steps(transfer.history.all(), labels),
    }


def own_data(user: User) -> dict[str, Any]:
    """Everything held about the person behind `user`, full ID and mobile numbers included (it is
    their own), as JSON-ready data. NotFound when the account has no membership or application."""
    return _own_data(user, own_memberships(user))


def _own_data(user: User, memberships: list[Member]) -> dict[str, Any]:
    applications = list(own_applications(user).prefetch_related("history"))
    if not memberships and not applications:
        raise NotFound(no_records_message(), code="no_membership")
    events = list(own_events(user))
    return {
        "format": "gonghui-own-data",
        "version": EXPORT_FORMAT_VERSION,
        "generated_at": _iso(timezone.now()),
        "account": {
            "username": user.username,
            "display_name": user.display_name,
            "mobile": user.mobile,
            "kind": user.get_kind_display(),
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "memberships": [_membership_data(member) for member in memberships],
        "events": [_event_data(entry) for entry in history_entries(events, viewer=user)],
        "join_applications": [_application_data(application) for application in applications],
        "transfers": [_transfer_data(t) for t in own_transfers(user).prefetch_related("history")],
    }


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell_text(value: str) -> str:
    """Text a spreadsheet will never take for a formula: a leading = + - @ (or a tab or carriage
    return, which some programs skip before one) gets an apostrophe in front, as Excel itself
    shows text typed with a leading apostrophe."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):
        return " ".join(str(part) for part in value.values() if part)
    if isinstance(value, list):
        return "；".join(_cell(item) for item in value)
    return safe_cell_text(str(value))


def _sheet_rows(data: Mapping[str, Any]) -> list[tuple[str, list[tuple[str, str]], list[Mapping[str, Any]]]]:
    """(sheet name, [(key, header)], rows) of each part of the download."""
    membership_columns = [
        ("card_number", _("Card number")),
        ("name", _("Name")),
        ("id_number", _("ID number")),
        ("birth_date", _("Date of birth")),
        ("sex", _("Sex")),
        ("mobile", _("Mobile number")),
        ("union", _("Union")),
        ("workplace", _("Workplace")),
        ("joined_on", _("Join date")),
        ("status_label", _("Status")),
        ("ended_on", _("End date")),
        ("end_reason", _("Reason for ending")),
        ("is_gig_worker", _("Gig worker")),
        ("gig_occupation_label", _("Platform work")),
        ("gig_platform", _("Platform")),
        ("is_migrant_worker", _("Migrant worker")),
        ("is_model_worker", _("Model worker")),
        ("is_female_worker", _("Female worker")),
    ]
    event_columns = [
        ("time", _("Time")),
        ("kind_label", _("Event")),
        ("union", _("Union")),
        ("by", _("By")),
        ("note", _("Note")),
        ("changes", _("Changes")),
    ]
    application_columns = [
        ("submitted_at", _("Submitted at")),
        ("name", _("Name")),
        ("id_number", _("ID number")),
        ("mobile", _("Mobile number")),
        ("employer", _("Employer")),
        ("gig_occupation_label", _("Platform work")),
        ("gig_platform", _("Platform")),
        ("home_address", _("Home address")),
        ("union", _("Union")),
        ("status_label", _("Status")),
        ("reject_reason", _("Reason for rejection")),
        ("decided_at", _("Decided at")),
    ]
    transfer_columns = [
        ("requested_at", _("Requested at")),
        ("from_union", _("From union")),
        ("to_union", _("To union")),
        ("to_workplace", _("New workplace")),
        ("reason", _("Reason")),
        ("status_label", _("Status")),
        ("reject_reason", _("Reason for rejection")),
        ("decided_at", _("Decided at")),
    ]
    events = [
        {**event, "changes": [f"{c['field']}: {c['before']} → {c['after']}" for c in event["changes"]]}
        for event in data["events"]
    ]
    account = data["account"]
    account_columns = [
        ("username", _("Sign-in name")),
        ("display_name", _("Display name")),
        ("mobile", _("Mobile number")),
        ("date_joined", _("Registered at")),
        ("last_login", _("Last sign-in")),
    ]
    return [
        (_("Memberships"), membership_columns, data["memberships"]),
        (_("History"), event_columns, events),
        (_("Join applications"), application_columns, data["join_applications"]),
        (_("Transfers"), transfer_columns, data["transfers"]),
        (_("Account"), account_columns, [account]),
    ]


def own_data_workbook(data: Mapping[str, Any]) -> bytes:
    """The download as a workbook, one sheet per part; every cell is text (ID numbers keep their
    digits) and none can start a formula."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    for sheet_name, columns, rows in _sheet_rows(data):
        sheet = workbook.add_worksheet(sheet_name)
        for index, (_key, header) in enumerate(columns):
            sheet.write_string(0, index, header, head)
            sheet.set_column(index, index, 20)
        for row_number, row in enumerate(rows, start=1):
            for index, (key, _header) in enumerate(columns):
                sheet.write_string(row_number, index, _cell(row.get(key)))
        sheet.freeze_panes(1, 0)
    workbook.close()
    return output.getvalue()


@dataclass(frozen=True)
class DataFile:
    file_name: str
    content_type: str
    content: bytes


def download_own_data(*, actor: User, file_format: FileFormat = "json") -> DataFile:
    """The person's data as one file; the download is recorded in their history and audited."""
    memberships = own_memberships(actor)
    data = _own_data(actor, memberships)
    stamp = timezone.localdate().strftime("%Y%m%d")
    if file_format == "xlsx":
        result = DataFile(
            file_name=_("my-union-data-%(date)s.xlsx") % {"date": stamp},
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            content=own_data_workbook(data),
        )
    else:
        result = DataFile(
            file_name=_("my-union-data-%(date)s.json") % {"date": stamp},
            content_type="application/json; charset=utf-8",
            content=json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"),
        )
    note = "Excel" if file_format == "xlsx" else "JSON"
    shown = _history_row(memberships)
    with transaction.atomic():
        if shown is not None:
            record_event(shown, MemberEventKind.DATA_DOWNLOADED, actor=actor, note=note)
        record_audit(
            actor=actor,
            action="members.download_own_data",
            obj=shown if shown is not None else actor,
            note=note,
        )
    return result
