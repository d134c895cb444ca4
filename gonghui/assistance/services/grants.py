"""Grants (帮扶金): money from a fund to a member in hardship (docs/assistance.md, "Grants").

The member's union proposes (`Perm.ASSISTANCE_HANDLE` on the recipient's union): the recipient
is found by ID number among the active members the officer handles, or is the member of a
hardship file on record, which the grant then names. The fund must be open and held by the
recipient's union or a federation above it: the money of one part of the tree is not granted to
members of another.

The fund's keeper decides (`Perm.ASSISTANCE_FUNDS` on the fund's org, GRANT_TRANSITIONS):
approving books the grant entry through `book_entries`, so a fund that cannot pay refuses it
with InsufficientFunds and nothing changes; rejecting needs a reason. An approved grant is
taken back by a reversal (reason required): a new entry paying the amount back into the fund,
never an edit of the first. The officer who proposed a grant never approves it (four-eyes);
they may still reject it, which only withdraws the proposal and moves no money.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.assistance.models import (
    GRANT_TRANSITIONS,
    MAX_REASON,
    EntryKind,
    Fund,
    Grant,
    GrantAction,
    GrantHistory,
    GrantPurpose,
    GrantStatus,
    HardshipFile,
    HardshipFileStatus,
)
from gonghui.assistance.services.funds import Booking, book_entries, clean_amount, clean_line
from gonghui.core.audit import record_audit
from gonghui.core.errors import FieldErrors, Forbidden, NotFound
from gonghui.core.idnumbers import InvalidIdNumber, parse_id_number
from gonghui.core.text import mask_name
from gonghui.members.models import Member, MemberStatus, id_number_index
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at, scope_paths

# Seasonal grants are paid from a care campaign's confirmed list (services/campaigns.py).
PROPOSABLE_PURPOSES = [purpose for purpose in GrantPurpose if purpose != GrantPurpose.SEASONAL]


def may_propose_grants(actor: Any) -> bool:
    paths = scope_paths(actor, Perm.ASSISTANCE_HANDLE)
    return paths is None or bool(paths)


def funds_for(org: Org) -> Any:
    """The open funds that may pay members of `org`: its own and those of the orgs above it."""
    step = Org.steplen
    ancestors = [org.path[:end] for end in range(step, len(org.path) + 1, step)]
    return Fund.objects.open().filter(org__path__in=ancestors).select_related("org")


def _history(grant: Grant, action: str, before: str, actor: Any, comment: str = "") -> None:
    GrantHistory.objects.create(
        grant=grant,
        action=action,
        from_status=before,
        to_status=grant.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        comment=comment,
    )


def _recipient_by_id_number(actor: Any, id_number: Any, errors: FieldErrors) -> Member | None:
    if not isinstance(id_number, str) or not id_number.strip():
        errors.add("id_number", _("Enter the member's ID number."))
        return None
    try:
        parsed = parse_id_number(id_number)
    except InvalidIdNumber as exc:
        errors.add("id_number", exc.message)
        return None
    member = (
        Member.objects.active()
        .select_related("org")
        .filter(id_number_index=id_number_index(parsed.value))
        .first()
    )
    # A member of another part of the tree is answered like no member at all.
    if member is None or not has_perm_at(actor, Perm.ASSISTANCE_HANDLE, member.org.path):
        errors.add("id_number", _("No active member with this ID number among the unions you handle."))
        return None
    return member


def _file_for_grant(
    actor: Any, hardship_file: HardshipFile | int, errors: FieldErrors
) -> HardshipFile | None:
    file_id = hardship_file if isinstance(hardship_file, int) else hardship_file.pk
    found = HardshipFile.objects.select_related("member", "member__org", "org").filter(pk=file_id).first()
    if found is None or not has_perm_at(actor, Perm.ASSISTANCE_HANDLE, found.org.path):
        errors.add("hardship_file", _("No such hardship file among those you handle."))
        return None
    if found.status != HardshipFileStatus.ON_FILE:
        errors.add(
            "hardship_file",
            _("Hardship file %(reference)s is not on record (%(status)s).")
            % {"reference": found.reference, "status": found.get_status_display()},
        )
        return None
    return found


@transaction.atomic
def propose_grant(
    *,
    actor: Any,
    fund: Fund | int | None,
    purpose: Any,
    amount: Any,
    reason: Any,
    id_number: Any = None,
    hardship_file: HardshipFile | int | None = None,
) -> Grant:
    """Propose a grant to a member, found by `id_number` or as the member of `hardship_file`
    (both given: they must be the same person). A member or file out of the actor's reach is
    answered like one that does not exist."""
    errors = FieldErrors()
    file: HardshipFile | None = None
    member: Member | None = None
    if hardship_file is not None:
        file = _file_for_grant(actor, hardship_file, errors)
        if file is not None:
            member = file.member
            if member.status != MemberStatus.ACTIVE or not has_perm_at(
                actor, Perm.ASSISTANCE_HANDLE, member.org.path
            ):
                errors.add(
                    "hardship_file", _("The member of this file is no longer an active member you handle.")
                )
                member = None
    if id_number not in (None, "") or (file is None and "hardship_file" not in errors.fields):
        by_number = _recipient_by_id_number(actor, id_number, errors)
        if by_number is not None and member is not None and by_number.pk != member.pk:
            errors.add("id_number", _("This ID number is not the member of the hardship file."))
        member = member or by_number
    if purpose not in PROPOSABLE_PURPOSES:
        errors.add("purpose", _("Choose the purpose of the grant."))
    money = clean_amount(amount, "amount", errors)
    grounds = clean_line(reason, "reason", errors, max_length=MAX_REASON)
    chosen: Fund | None = None
    fund_id = fund if isinstance(fund, int) or fund is None else fund.pk
    if fund_id is None:
        errors.add("fund", _("Choose the fund that pays the grant."))
    elif member is not None:
        chosen = funds_for(member.org).filter(pk=fund_id).first()
        if chosen is None:
            errors.add("fund", _("Choose an open fund of the member's union or of a federation above it."))
    errors.raise_if_any()
    assert member is not None
    assert chosen is not None
    assert money is not None
    grant = Grant.objects.create(
        fund=chosen,
        member=member,
        person_index=member.id_number_index,
        org=member.org,
        hardship_file=file,
        purpose=purpose,
        amount=money,
        reason=grounds,
        status=GrantStatus.PROPOSED,
        proposed_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _history(grant, GrantAction.PROPOSE, "", actor, grounds)
    record_audit(
        actor=actor,
        action="assistance.propose_grant",
        obj=grant,
        changes={
            "fund": [None, chosen.pk],
            "member": [None, member.pk],
            "hardship_file": [None, file.pk if file else None],
            "purpose": [None, purpose],
            "amount": [None, str(money)],
        },
        note=grounds,
    )
    return grant


def _grant_for_decision(actor: Any, grant: Grant | int, action: str) -> Grant:
    """The grant, locked, when the actor may take `action` on it: NotFound when it is missing
    or out of sight, Forbidden without the transition's permission on the fund's org."""
    transition = GRANT_TRANSITIONS.lookup(action)
    grant_id = grant if isinstance(grant, int) else grant.pk
    found = (
        Grant.objects.select_for_update(of=("self",))
        .select_related("fund", "fund__org", "member", "org")
        .filter(pk=grant_id)
        .first()
    )
    if found is None or not (
        has_perm_at(actor, Perm.ASSISTANCE_VIEW, found.org.path)
        or has_perm_at(actor, Perm.ASSISTANCE_VIEW, found.fund.org.path)
    ):
        raise NotFound(_("This grant does not exist."))
    if not has_perm_at(actor, transition.perm, found.fund.org.path):
        raise Forbidden(_("Only the keepers of %(fund)s decide on its grants.") % {"fund": found.fund.name})
    GRANT_TRANSITIONS.require(action, found.status)
    return found


def _memo(grant: Grant) -> str:
    return _("Grant %(number)s to %(name)s: %(purpose)s") % {
        "number": grant.pk,
        "name": mask_name(grant.member.name),
        "purpose": grant.get_purpose_display(),
    }


def _finish(grant: Grant, stale: Grant | int, action: str, before: str, actor: Any, comment: str) -> Grant:
    _history(grant, action, before, actor, comment)
    record_audit(
        actor=actor,
        action=f"assistance.{action}_grant",
        obj=grant,
        changes={"status": [before, grant.status]},
        note=comment,
    )
    if isinstance(stale, Grant):
        for name in ("status", "decision_reason", "decided_by_id", "decided_at", "updated_at"):
            setattr(stale, name, getattr(grant, name))
    return grant


@transaction.atomic
def approve_grant(grant: Grant | int, *, actor: Any, note: Any = "") -> Grant:
    """Approve a proposed grant and pay it from the fund; InsufficientFunds (nothing written)
    when the fund holds less than the grant."""
    found = _grant_for_decision(actor, grant, GrantAction.APPROVE)
    if found.proposed_by_id is not None and found.proposed_by_id == getattr(actor, "pk", None):
        raise Forbidden(
            _("You proposed this grant: another keeper of the fund must approve it."), code="four_eyes"
        )
    errors = FieldErrors()
    comment = clean_line(note, "note", errors, max_length=MAX_REASON, required=False)
    errors.raise_if_any()
    book_entries(
        found.fund, actor=actor, bookings=[Booking(EntryKind.GRANT, -found.amount, _memo(found), grant=found)]
    )
    before = found.status
    found.status = GrantStatus.APPROVED
    found.decision_reason = comment
    found.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    found.decided_at = timezone.now()
    found.save(update_fields=["status", "decision_reason", "decided_by", "decided_at", "updated_at"])
    return _finish(found, grant, GrantAction.APPROVE, before, actor, comment)


@transaction.atomic
def reject_grant(grant: Grant | int, *, actor: Any, reason: Any) -> Grant:
    """Reject a proposed grant; the reason is shown to the proposing union."""
    found = _grant_for_decision(actor, grant, GrantAction.REJECT)
    errors = FieldErrors()
    why = clean_line(reason, "reason", errors, max_length=MAX_REASON)
    errors.raise_if_any()
    before = found.status
    found.status = GrantStatus.REJECTED
    found.decision_reason = why
    found.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    found.decided_at = timezone.now()
    found.save(update_fields=["status", "decision_reason", "decided_by", "decided_at", "updated_at"])
    return _finish(found, grant, GrantAction.REJECT, before, actor, why)


@transaction.atomic
def reverse_grant(grant: Grant | int, *, actor: Any, reason: Any) -> Grant:
    """Take back an approved grant: a reversal entry pays the amount back into the fund. The
    approval (who, when, its note) stays as it was; the reversal is in the history and the ledger."""
    found = _grant_for_decision(actor, grant, GrantAction.REVERSE)
    errors = FieldErrors()
    why = clean_line(reason, "reason", errors, max_length=MAX_REASON)
    errors.raise_if_any()
    memo = (_("Reversal of grant %(number)s: %(reason)s") % {"number": found.pk, "reason": why})[:MAX_REASON]
    book_entries(
        found.fund, actor=actor, bookings=[Booking(EntryKind.REVERSAL, found.amount, memo, grant=found)]
    )
    before = found.status
    found.status = GrantStatus.REVERSED
    found.save(update_fields=["status", "updated_at"])
    return _finish(found, grant, GrantAction.REVERSE, before, actor, why)


def grant_decisions(actor: Any, grant: Grant) -> list[str]:
    """The actions the actor may take on the grant now (what pages and the API offer)."""
    if not has_perm_at(actor, Perm.ASSISTANCE_FUNDS, grant.fund.org.path):
        return []
    actions = [str(transition.action) for transition in GRANT_TRANSITIONS.available(grant.status)]
    if grant.proposed_by_id is not None and grant.proposed_by_id == getattr(actor, "pk", None):
        actions = [action for action in actions if action != GrantAction.APPROVE]
    return actions


def member_grants(user: Any) -> Any:
    """The grants paid to the signed-in member (any of their memberships), newest first; a
    proposal still under decision or rejected is the unions' business until it is decided."""
    if not getattr(user, "is_authenticated", False):
        return Grant.objects.none()
    indexes = Member.objects.filter(user=user).values("id_number_index")
    return (
        Grant.objects.filter(Q(person_index__in=indexes))
        .filter(status__in=[GrantStatus.APPROVED, GrantStatus.REVERSED])
        .select_related("fund", "org")
        .order_by("-decided_at", "-id")
    )
