"""The registry's building blocks: every membership change is an event, an audit entry and a
coverage refresh, and at most one membership per person is active (the database says so)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.core.audit import record_audit
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.idnumbers import IdNumber
from gonghui.members.models import (
    GigOccupation,
    Member,
    MemberEvent,
    MemberEventKind,
    MemberStatus,
    id_number_index,
    mobile_index,
)
from gonghui.orgs.models import Org, OrgKind, Workplace
from gonghui.orgs.services.coverage import schedule_coverage_refresh

# Unions that hold members directly; federations hold none (a federation officer who approves
# an application addressed to the federation places the member in a union under it).
MEMBER_HOLDING_KINDS = frozenset({OrgKind.GRASSROOTS, OrgKind.JOINT_UNION, OrgKind.INDUSTRY_UNION})


class ActiveElsewhere(Conflict):
    """The person is an active member of another union: they may ask for a transfer instead."""

    code = "active_elsewhere"

    def __init__(self, member: Member) -> None:
        self.member = member
        super().__init__(
            _(
                "This ID number already belongs to an active member of %(union)s. "
                "A person can be a member of one union at a time: ask for a transfer instead."
            )
            % {"union": member.org.name}
        )


@dataclass(frozen=True)
class Categories:
    """The categories a member may belong to besides those derived from the ID (female)."""

    is_gig_worker: bool = False
    gig_occupation: str = ""
    gig_platform: str = ""
    is_migrant_worker: bool = False
    is_model_worker: bool = False

    def as_fields(self) -> dict[str, Any]:
        """Model field values, with the platform details cleared for someone not a gig worker."""
        gig = self.is_gig_worker
        return {
            "is_gig_worker": gig,
            "gig_occupation": self.gig_occupation if gig else "",
            "gig_platform": self.gig_platform if gig else "",
            "is_migrant_worker": self.is_migrant_worker,
            "is_model_worker": self.is_model_worker,
        }

    def validate(self) -> None:
        if self.gig_occupation and self.gig_occupation not in GigOccupation.values:
            message = _("Choose a kind of platform work from the list.")
            raise ValidationFailed(message, fields={"gig_occupation": [message]})


@dataclass(frozen=True)
class NewMember:
    """A person to add to a union, already validated and normalised by the caller."""

    name: str
    id_number: IdNumber
    org: Org
    mobile: str = ""
    workplace: Workplace | None = None
    categories: Categories = field(default_factory=Categories)
    joined_on: date | None = None
    user: User | None = None


def active_membership(id_number: IdNumber | str) -> Member | None:
    """The person's active membership anywhere in the city, or None."""
    value = id_number.value if isinstance(id_number, IdNumber) else id_number
    return (
        Member.objects.active().select_related("org").filter(id_number_index=id_number_index(value)).first()
    )


def require_member_holding_union(org: Org, field_name: str = "org") -> None:
    if org.kind not in MEMBER_HOLDING_KINDS or not org.is_active:
        message = _("Members belong to an active grassroots, joint or industry union, not to %(name)s.") % {
            "name": org.name
        }
        raise ValidationFailed(message, fields={field_name: [message]})


def member_values(person: NewMember) -> dict[str, Any]:
    """Field values of a new active membership row (bulk imports build rows from these)."""
    return {
        "name": person.name,
        "id_number": person.id_number.value,
        "id_number_index": id_number_index(person.id_number.value),
        "birth_date": person.id_number.birth_date,
        "sex": person.id_number.sex,
        "mobile": person.mobile,
        "mobile_index": mobile_index(person.mobile),
        "org": person.org,
        "workplace": person.workplace,
        "user": person.user,
        "joined_on": person.joined_on or timezone.localdate(),
        "status": MemberStatus.ACTIVE,
        **person.categories.as_fields(),
    }


def add_member(
    person: NewMember, *, actor: User | None, kind: MemberEventKind = MemberEventKind.JOINED, note: str = ""
) -> Member:
    """Open an active membership. ActiveElsewhere when the person is active anywhere already —
    checked first for a clear message, and by the unique index for the race."""
    require_member_holding_union(person.org)
    person.categories.validate()
    existing = active_membership(person.id_number)
    if existing is not None:
        raise ActiveElsewhere(existing)
    try:
        with transaction.atomic():
            member = Member.objects.create(**member_values(person))
    except IntegrityError:
        existing = active_membership(person.id_number)
        if existing is None:
            raise
        raise ActiveElsewhere(existing) from None
    record_event(member, kind, actor=actor, note=note)
    record_audit(actor=actor, action=f"members.{kind}", obj=member, note=note)
    schedule_coverage_refresh()
    return member


def record_event(
    member: Member,
    kind: MemberEventKind,
    *,
    actor: User | None,
    changes: dict[str, list[Any]] | None = None,
    note: str = "",
    org: Org | None = None,
) -> MemberEvent:
    """Append one event to the person's history; `changes` must hold masked values only
    (use `member.audit_value`). `org` defaults to the membership's union."""
    return MemberEvent.objects.create(
        member=member,
        id_number_index=member.id_number_index,
        org=org or member.org,
        kind=kind,
        changes=changes or {},
        note=note[:500],
        actor=actor if actor is not None and actor.is_authenticated else None,
    )


def end_membership(
    member: Member,
    *,
    actor: User | None,
    status: MemberStatus,
    reason: str,
    on: date | None = None,
    kind: MemberEventKind,
) -> Member:
    """Close an active membership (transferred out, left, deceased). The caller holds the row
    lock (select_for_update) and has checked permission."""
    if status == MemberStatus.ACTIVE:
        raise ValueError("end_membership closes a membership; ACTIVE is not an end.")
    if member.status != MemberStatus.ACTIVE:
        raise Conflict(_("This membership has already ended."), code="membership_ended")
    before = member.status
    member.status = status
    member.ended_on = on or timezone.localdate()
    member.end_reason = reason[:200]
    member.save(update_fields=["status", "ended_on", "end_reason", "updated_at"])
    changes = {"status": [before, str(status)]}
    record_event(member, kind, actor=actor, changes=changes, note=reason)
    record_audit(actor=actor, action=f"members.{kind}", obj=member, changes=changes, note=reason)
    schedule_coverage_refresh()
    return member
