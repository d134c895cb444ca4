"""Transfers (转会) and leaving (退会): every write.

A transfer moves a person's membership from one union to another. The member asks (portal), or
an officer of the union they leave or of the union they join starts it (console, API); both
unions see it. The receiving union decides: accepting it ends the old membership row
(transferred out) and opens a new active row in the receiving union in one transaction, with
the person's original join date — membership is continuous. The partial unique index on the
ID number's blind index (`member_one_active_membership`) is what makes a double membership
impossible, even for two acceptances racing each other.

Leaving: the Trade Union Law leaves members free to leave, so a member may end their own
membership (the portal asks for their password); an officer of the union may record that a
member left, or died, with a reason and a date. Open transfers of the person are cancelled in
the same transaction.

Lock order, everywhere: the member row, then the transfer rows. The member's union is told by
SMS of every step, so that a transfer they did not ask for does not go unnoticed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.core.audit import record_audit
from gonghui.core.creditcode import InvalidCreditCode, parse_credit_code
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationFailed
from gonghui.core.idnumbers import InvalidIdNumber, parse_id_number
from gonghui.core.sms import send_sms
from gonghui.core.text import normalize_text
from gonghui.members.models import (
    TRANSFER_TRANSITIONS,
    Member,
    MemberEventKind,
    MemberStatus,
    Transfer,
    TransferAction,
    TransferHistory,
    TransferStatus,
    mobile_index,
)
from gonghui.members.services import registry, routes
from gonghui.orgs.models import Org, OrgStatus, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, is_officer_user, path_filter, scope_paths
from gonghui.orgs.services.tree import normalize_code

REASON_MAX = 500
# The statuses an officer may record as the end of a membership (a transfer ends one too, but
# only through `approve_transfer`).
LEAVE_STATUSES = frozenset({MemberStatus.LEFT, MemberStatus.DECEASED})


# --------------------------------------------------------------------------------------------
# Who may do what
# --------------------------------------------------------------------------------------------


def is_the_member(actor: Any, member: Member) -> bool:
    """Whether `actor` is the person of this membership: its linked portal account, or a member
    account registered with the membership's mobile number while no other account is linked
    (the first time a member acts on a row an officer or an import created)."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if member.user_id is not None:
        return bool(member.user_id == actor.pk)
    return bool(
        getattr(actor, "is_member", False)
        and actor.mobile
        and member.mobile_index
        and mobile_index(actor.mobile) == member.mobile_index
    )


def _link_account(member: Member, actor: Any) -> None:
    """Link the member account that proved to be this membership's person (see is_the_member)."""
    if member.user_id is None and getattr(actor, "is_member", False):
        member.user = actor
        member.save(update_fields=["user", "updated_at"])
        record_audit(
            actor=actor,
            action="members.link_account",
            obj=member,
            changes={"user": [None, actor.pk]},
        )


def _officer_on(actor: Any, perm: Perm, *orgs: Org) -> bool:
    return is_officer_user(actor) and any(has_perm_at(actor, perm, org.path) for org in orgs)


def _ask_your_union(member: Member) -> Forbidden:
    union = member.org
    if union.contact_phone:
        message = _(
            "Only the member or an officer of either union can ask for this transfer. Please ask your "
            "current union, %(union)s (phone %(phone)s), to arrange it."
        ) % {"union": union.name, "phone": union.contact_phone}
    else:
        message = _(
            "Only the member or an officer of either union can ask for this transfer. Please ask your "
            "current union, %(union)s, to arrange it."
        ) % {"union": union.name}
    return Forbidden(message, code="no_authority")


def may_see_transfer(actor: Any, transfer: Transfer) -> bool:
    """The member, whoever asked, and officers of either union (or above) see a transfer."""
    if is_the_member(actor, transfer.member):
        return True
    if transfer.requested_by_id is not None and transfer.requested_by_id == getattr(actor, "pk", None):
        return True
    return _officer_on(actor, Perm.MEMBER_VIEW, transfer.from_org, transfer.to_org)


def may_take(actor: Any, transfer: Transfer, action: str) -> bool:
    """Whether `actor` holds the authority for `action` on `transfer` (its status aside)."""
    transition = TRANSFER_TRANSITIONS.get(action)
    if transition is None:
        return False
    if transition.held_on == "target":
        return _officer_on(actor, transition.perm, transfer.to_org)
    return (
        is_the_member(actor, transfer.member)
        or (transfer.requested_by_id is not None and transfer.requested_by_id == getattr(actor, "pk", None))
        or _officer_on(actor, transition.perm, transfer.from_org)
    )


def may_record_leaving(actor: Any, member: Member) -> bool:
    """Whether `actor` may record, as an officer, that this member left or died (MEMBER_CHANGE on
    the member's union); a member ending their own membership confirms it with a password instead."""
    return _officer_on(actor, Perm.MEMBER_CHANGE, member.org)


def available_actions(actor: Any, transfer: Transfer) -> list[TransferAction]:
    """The actions the actor may take on the transfer now, in table order."""
    return [
        TransferAction(transition.action)
        for transition in TRANSFER_TRANSITIONS.available(transfer.status)
        if may_take(actor, transfer, transition.action)
    ]


# --------------------------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------------------------


def _text_member(member: Member, text: str) -> None:
    """Text the membership's registered mobile once the transaction has committed (a step that
    rolls back must not be announced)."""
    mobile = member.mobile
    if mobile:
        transaction.on_commit(lambda: send_sms(mobile, text))


def _sms(template: str, **values: Any) -> str:
    return template % {"site": settings.GONGHUI_SITE_NAME, **values}


def _lock_member(member_id: int) -> Member:
    member = (
        Member.objects.select_for_update(of=("self",))
        .select_related("org", "user")
        .filter(pk=member_id)
        .first()
    )
    if member is None:
        raise NotFound(_("There is no such member."))
    return member


def _history(transfer: Transfer, from_status: str, actor: Any, comment: str) -> None:
    TransferHistory.objects.create(
        transfer=transfer,
        from_status=from_status,
        to_status=transfer.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        comment=comment,
    )


def _clean_reason(reason: str, field: str = "reason") -> str:
    text = normalize_text(reason)
    if len(text) > REASON_MAX:
        message = _("Keep it under %(n)d characters.") % {"n": REASON_MAX}
        raise ValidationFailed(message, fields={field: [message]})
    return text


def _check_workplace(workplace: Workplace, to_org: Org) -> None:
    """The new workplace must be one the receiving union covers or whose area it is."""
    for org in (workplace.union, workplace.jurisdiction):
        if org is not None and org.path.startswith(to_org.path):
            return
    message = _("%(workplace)s is neither covered by %(union)s nor in its area.") % {
        "workplace": workplace.name,
        "union": to_org.name,
    }
    raise ValidationFailed(message, fields={"to_workplace": [message]})


# --------------------------------------------------------------------------------------------
# Asking for a transfer
# --------------------------------------------------------------------------------------------


@transaction.atomic
def request_transfer(
    member: Member,
    *,
    actor: User,
    to_org: Org,
    to_workplace: Workplace | None = None,
    reason: str = "",
) -> Transfer:
    """Ask for `member`'s membership to move to `to_org` (optionally to a new workplace there).

    Allowed to the member themselves (their linked account, or a member account registered with
    the membership's mobile number, which is then linked), and to officers holding MEMBER_CHANGE
    on the union the member leaves or the union they join. The receiving union decides; the
    member is texted either way.
    """
    member = _lock_member(member.pk)
    is_self = is_the_member(actor, member)
    if not is_self and not _officer_on(actor, Perm.MEMBER_CHANGE, member.org, to_org):
        raise _ask_your_union(member)
    if not member.is_active:
        raise Conflict(_("This membership has already ended."), code="membership_ended")
    registry.require_member_holding_union(to_org, "to_org")
    if to_org.pk == member.org_id:
        message = _("The member already belongs to %(union)s.") % {"union": to_org.name}
        raise ValidationFailed(message, fields={"to_org": [message]})
    if to_workplace is not None:
        _check_workplace(to_workplace, to_org)
    reason = _clean_reason(reason)
    if Transfer.objects.filter(member=member, status=TransferStatus.REQUESTED).exists():
        raise _already_open(member)

    if is_self:
        _link_account(member, actor)
    try:
        with transaction.atomic():
            transfer = Transfer.objects.create(
                member=member,
                from_org=member.org,
                to_org=to_org,
                to_workplace=to_workplace,
                reason=reason,
                requested_by=actor,
            )
    except IntegrityError:
        # transfer_one_open_per_member: another request won the race.
        raise _already_open(member) from None
    _history(transfer, "", actor, reason)
    registry.record_event(
        member,
        MemberEventKind.TRANSFER_REQUESTED,
        actor=actor,
        changes={"to_org": [None, to_org.name]},
        note=reason,
    )
    record_audit(
        actor=actor,
        action="members.request_transfer",
        obj=transfer,
        org=member.org,
        changes={"status": ["", TransferStatus.REQUESTED], "to_org": [None, to_org.pk]},
        note=reason,
    )
    _text_member(
        member,
        _sms(
            _(
                "[%(site)s] A transfer of your union membership from %(from)s to %(to)s has been "
                "requested. If you did not ask for it, contact %(from)s."
            ),
            **{"from": member.org.name, "to": to_org.name},
        ),
    )
    return transfer


def _already_open(member: Member) -> Conflict:
    return Conflict(
        _(
            "A transfer of this membership is already waiting for a decision. "
            "Cancel it first to ask for another."
        ),
        code="transfer_open",
    )


# --------------------------------------------------------------------------------------------
# Deciding
# --------------------------------------------------------------------------------------------


def _locked(transfer: Transfer, actor: Any, action: str) -> tuple[Transfer, Member]:
    """The member row and then the transfer row, locked (the order every writer here keeps),
    after the workflow's checks: visible to the actor (NotFound, as if missing), the action known
    (ValidationFailed), the actor's authority (Forbidden), the status (InvalidTransition)."""
    member_id = Transfer.objects.filter(pk=transfer.pk).values_list("member_id", flat=True).first()
    if member_id is None:
        raise NotFound(_("There is no such transfer."))
    member = _lock_member(member_id)
    locked = (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("from_org", "to_org", "to_workplace")
        .get(pk=transfer.pk)
    )
    locked.member = member
    if not may_see_transfer(actor, locked):
        raise NotFound(_("There is no such transfer."))
    TRANSFER_TRANSITIONS.lookup(action)
    if not may_take(actor, locked, action):
        raise Forbidden(_refusal(locked, action), code="no_authority")
    TRANSFER_TRANSITIONS.require(action, locked.status)
    return locked, member


def _refusal(transfer: Transfer, action: str) -> str:
    if TRANSFER_TRANSITIONS[action].held_on == "target":
        return _(
            "Only officers of %(union)s, the receiving union, or of an organisation above it may decide."
        ) % {"union": transfer.to_org.name}
    return _("Only the member, whoever asked for the transfer, or officers of %(union)s may cancel it.") % {
        "union": transfer.from_org.name
    }


def _decide(
    transfer: Transfer,
    *,
    actor: Any,
    comment: str,
    action: TransferAction,
    event: MemberEventKind | None,
    update: tuple[str, ...] = (),
) -> Transfer:
    """Write the decided status: the transfer row, one history row, the member's event (an
    accepted transfer has its own two, from ending and opening the memberships) and one audit
    event, filed under the receiving union (the source sees it through the member's events)."""
    before = TransferStatus.REQUESTED
    transfer.decided_at = timezone.now()
    transfer.save(update_fields=["status", "decided_at", "updated_at", *update])
    _history(transfer, before, actor, comment)
    changes: dict[str, list[Any]] = {"status": [before, transfer.status]}
    if event is not None:
        registry.record_event(transfer.member, event, actor=actor, changes=changes, note=comment)
    record_audit(
        actor=actor,
        action=f"members.{action}_transfer",
        obj=transfer,
        org=transfer.to_org,
        changes=changes,
        note=comment,
    )
    return transfer


def _new_membership(member: Member, transfer: Transfer, actor: Any) -> Member:
    """The member's active row in the receiving union: same person, categories and account, the
    original join date. Only the unique index can refuse it (another row became active meanwhile)."""
    person = registry.NewMember(
        name=member.name,
        id_number=parse_id_number(member.id_number),
        org=transfer.to_org,
        mobile=member.mobile,
        workplace=transfer.to_workplace,
        categories=registry.Categories(
            is_gig_worker=member.is_gig_worker,
            gig_occupation=member.gig_occupation,
            gig_platform=member.gig_platform,
            is_migrant_worker=member.is_migrant_worker,
            is_model_worker=member.is_model_worker,
        ),
        joined_on=member.joined_on,
        user=member.user,
    )
    try:
        with transaction.atomic():
            new = Member.objects.create(**registry.member_values(person))
    except IntegrityError:
        existing = registry.active_membership(member.id_number)
        if existing is None:
            raise
        raise registry.ActiveElsewhere(existing) from None
    registry.record_event(
        new,
        MemberEventKind.TRANSFERRED_IN,
        actor=actor,
        changes={"org": [transfer.from_org.name, transfer.to_org.name]},
        note=transfer.reason,
    )
    record_audit(
        actor=actor,
        action="members.transferred_in",
        obj=new,
        changes={"org": [transfer.from_org.pk, transfer.to_org.pk]},
        note=_("Transfer no. %(id)s") % {"id": transfer.pk},
    )
    return new


@transaction.atomic
def approve_transfer(transfer: Transfer, *, actor: Any, comment: str = "") -> Transfer:
    """The receiving union accepts: the old membership ends (transferred out) and a new active
    one opens in the receiving union, in one transaction."""
    transfer, member = _locked(transfer, actor, TransferAction.APPROVE)
    comment = _clean_reason(comment, "comment")
    if not member.is_active or member.org_id != transfer.from_org_id:
        raise Conflict(
            _("The membership has changed since the transfer was asked for; it can no longer be accepted."),
            code="membership_changed",
        )
    registry.require_member_holding_union(transfer.to_org, "to_org")
    note = _("Transferred to %(union)s") % {"union": transfer.to_org.name}
    registry.end_membership(
        member,
        actor=actor,
        status=MemberStatus.TRANSFERRED_OUT,
        kind=MemberEventKind.TRANSFERRED_OUT,
        reason=note,
    )
    transfer.new_member = _new_membership(member, transfer, actor)
    transfer.status = TransferStatus.APPROVED
    _decide(
        transfer,
        actor=actor,
        comment=comment,
        action=TransferAction.APPROVE,
        event=None,
        update=("new_member",),
    )
    _text_member(
        member,
        _sms(
            _(
                "[%(site)s] Your union membership has moved to %(to)s. "
                "Your join date and member history are kept."
            ),
            to=transfer.to_org.name,
        ),
    )
    return transfer


@transaction.atomic
def reject_transfer(transfer: Transfer, *, actor: Any, reason: str) -> Transfer:
    """The receiving union refuses, with the reason (the member is told it)."""
    transfer, member = _locked(transfer, actor, TransferAction.REJECT)
    reason = _clean_reason(reason)
    if not reason:
        message = _("Give the reason for the rejection.")
        raise ValidationFailed(message, fields={"reason": [message]})
    transfer.status = TransferStatus.REJECTED
    transfer.reject_reason = reason
    _decide(
        transfer,
        actor=actor,
        comment=reason,
        action=TransferAction.REJECT,
        event=MemberEventKind.TRANSFER_REJECTED,
        update=("reject_reason",),
    )
    _text_member(
        member,
        _sms(
            _(
                "[%(site)s] %(to)s did not accept the transfer of your membership: %(reason)s. "
                "You remain a member of %(from)s."
            ),
            to=transfer.to_org.name,
            reason=reason,
            **{"from": transfer.from_org.name},
        ),
    )
    return transfer


@transaction.atomic
def cancel_transfer(transfer: Transfer, *, actor: Any, comment: str = "") -> Transfer:
    """Withdraw a request: whoever asked, the member, or an officer of the union they leave."""
    transfer, member = _locked(transfer, actor, TransferAction.CANCEL)
    comment = _clean_reason(comment, "comment")
    transfer.status = TransferStatus.CANCELLED
    _decide(
        transfer,
        actor=actor,
        comment=comment,
        action=TransferAction.CANCEL,
        event=MemberEventKind.TRANSFER_CANCELLED,
    )
    _text_member(
        member,
        _sms(
            _(
                "[%(site)s] The transfer of your membership to %(to)s has been cancelled. "
                "You remain a member of %(from)s."
            ),
            to=transfer.to_org.name,
            **{"from": transfer.from_org.name},
        ),
    )
    return transfer


def transfer_action(
    transfer: Transfer, *, action: str, actor: Any, comment: str = "", reason: str = ""
) -> Transfer:
    """One step by its action name (pages and the API post the name); an unknown action is bad
    input on `action`."""
    steps: dict[str, Callable[[], Transfer]] = {
        TransferAction.APPROVE: lambda: approve_transfer(transfer, actor=actor, comment=comment),
        TransferAction.REJECT: lambda: reject_transfer(transfer, actor=actor, reason=reason or comment),
        TransferAction.CANCEL: lambda: cancel_transfer(transfer, actor=actor, comment=comment),
    }
    TRANSFER_TRANSITIONS.lookup(action)
    return steps[action]()


# --------------------------------------------------------------------------------------------
# Leaving (退会)
# --------------------------------------------------------------------------------------------


def _cancel_open_transfers(member: Member, actor: Any, note: str) -> None:
    for transfer in (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("to_org")
        .filter(member=member, status=TransferStatus.REQUESTED)
    ):
        transfer.member = member
        transfer.status = TransferStatus.CANCELLED
        _decide(
            transfer,
            actor=actor,
            comment=note,
            action=TransferAction.CANCEL,
            event=MemberEventKind.TRANSFER_CANCELLED,
        )


@transaction.atomic
def leave_union(
    member: Member,
    *,
    actor: Any,
    reason: str,
    status: MemberStatus = MemberStatus.LEFT,
    on: date | None = None,
) -> Member:
    """End a membership that is not moving elsewhere.

    The member may leave their own membership (status LEFT, today; the page confirms it with
    their password). An officer holding MEMBER_CHANGE on the member's union records that a
    member left or died (DECEASED), with a reason and a date that is not in the future. Open
    transfers of the membership are cancelled. The member is texted when an officer records
    their leaving (not after a death).
    """
    member = _lock_member(member.pk)
    is_self = is_the_member(actor, member)
    is_officer = _officer_on(actor, Perm.MEMBER_CHANGE, member.org)
    if not is_self and not is_officer:
        if _officer_on(actor, Perm.MEMBER_VIEW, member.org):
            raise Forbidden(
                _("Only officers who may change the union's members may record this."), code="no_authority"
            )
        raise NotFound(_("There is no such member."))
    if status not in LEAVE_STATUSES:
        message = _("Choose whether the member left or died.")
        raise ValidationFailed(message, fields={"status": [message]})
    if not member.is_active:
        raise Conflict(_("This membership has already ended."), code="membership_ended")
    reason = _clean_reason(reason)
    today = timezone.localdate()
    errors = FieldErrors()
    if is_officer:
        if not reason:
            errors.add("reason", _("Give the reason."))
        on = on or today
        if on > today:
            errors.add("on", _("The date cannot be in the future."))
        elif on < member.joined_on:
            errors.add("on", _("The date cannot be before the member joined."))
    else:
        if status != MemberStatus.LEFT:
            raise Forbidden(_("Only an officer of the union may record this."), code="no_authority")
        on = today
        reason = reason or _("Left at their own request")
    errors.raise_if_any()
    if is_self:
        _link_account(member, actor)

    kind = MemberEventKind.DECEASED if status == MemberStatus.DECEASED else MemberEventKind.LEFT
    _cancel_open_transfers(member, actor, _("The membership ended."))
    registry.end_membership(member, actor=actor, status=status, kind=kind, reason=reason, on=on)
    if status == MemberStatus.LEFT and not is_self:
        _text_member(
            member,
            _sms(
                _(
                    "[%(site)s] %(union)s has recorded that you left the union on %(date)s. "
                    "If this is wrong, contact %(union)s."
                ),
                union=member.org.name,
                date=date_format(on),
            ),
        )
    return member


# --------------------------------------------------------------------------------------------
# Reads for pages and the API
# --------------------------------------------------------------------------------------------

Direction = Literal["incoming", "outgoing", "all"]
_DIRECTION_FIELDS: dict[str, tuple[str, ...]] = {
    "incoming": ("to_org__path",),
    "outgoing": ("from_org__path",),
    "all": ("from_org__path", "to_org__path"),
}


def transfers_in_scope(user: Any, *, direction: Direction = "all", status: str = "") -> QuerySet[Transfer]:
    """Transfers an officer sees (MEMBER_VIEW): into unions of their scope (incoming), out of
    them (outgoing) or both, newest first, with what a list shows."""
    paths = scope_paths(user, Perm.MEMBER_VIEW)
    rows = Transfer.objects.all()
    if paths is not None:
        rows = rows.filter(path_filter(paths, _DIRECTION_FIELDS[direction])) if paths else rows.none()
    if status:
        rows = rows.filter(status=status)
    return rows.select_related("member", "from_org", "to_org", "to_workplace", "requested_by").order_by(
        "-created_at", "-pk"
    )


def visible_transfer(user: Any, pk: int) -> Transfer:
    """One transfer the officer sees, with its member and unions; Http404 otherwise, as for a
    missing one."""
    return get_visible(transfers_in_scope(user), user, Perm.MEMBER_VIEW, pk=pk)


def find_union(code: str, field: str = "to_org") -> Org:
    """The union with this code, anywhere in the city (a transfer may go to any union)."""
    org: Org | None = Org.objects.filter(code=normalize_code(code)).first() if code else None
    if org is None:
        message = _("There is no organisation with this code.")
        raise ValidationFailed(message, fields={field: [message]})
    return org


def find_workplace(credit_code: str, field: str = "to_workplace") -> Workplace | None:
    """The workplace with this credit code, or None for an empty code."""
    if not credit_code:
        return None
    try:
        code = parse_credit_code(credit_code)
    except InvalidCreditCode as exc:
        raise ValidationFailed(exc.message, fields={field: [exc.message]}) from exc
    workplace = (
        Workplace.objects.select_related("union", "jurisdiction").filter(credit_code=code.value).first()
    )
    if workplace is None:
        message = _("There is no workplace with this credit code in the registry.")
        raise ValidationFailed(message, fields={field: [message]})
    return workplace


def request_transfer_in(
    id_number: str,
    *,
    actor: User,
    to_org: Org,
    to_workplace: Workplace | None = None,
    reason: str = "",
) -> Transfer:
    """The receiving union's officer asks for a person (by full ID number) to be transferred in:
    the officer must hold MEMBER_CHANGE on the receiving union before anything is looked up."""
    if not _officer_on(actor, Perm.MEMBER_CHANGE, to_org):
        message = _("You may only ask for transfers into unions you manage.")
        raise ValidationFailed(message, fields={"to_org": [message]})
    try:
        number = parse_id_number(id_number)
    except InvalidIdNumber as exc:
        raise ValidationFailed(exc.message, fields={"id_number": [exc.message]}) from exc
    member = registry.active_membership(number)
    if member is None:
        message = _(
            "Nobody with this ID number is an active member of a union. Add them as a new member instead."
        )
        raise ValidationFailed(message, fields={"id_number": [message]})
    return request_transfer(member, actor=actor, to_org=to_org, to_workplace=to_workplace, reason=reason)


def own_active_membership(user: Any) -> Member | None:
    """The signed-in person's active membership: the row linked to the account, or (for a
    member account) an unlinked active row registered with the account's mobile number."""
    if not getattr(user, "is_authenticated", False):
        return None
    rows = Member.objects.active().select_related("org", "workplace")
    linked = rows.filter(user=user).order_by("-pk").first()
    if linked is not None or not getattr(user, "is_member", False) or not user.mobile:
        return linked
    return rows.filter(user__isnull=True, mobile_index=mobile_index(user.mobile)).order_by("-pk").first()


def transfers_of_person(user: Any) -> QuerySet[Transfer]:
    """A person's own transfers: of every membership row of the person (linked to the account,
    or the unlinked active row with the account's mobile number). Not "those the account asked
    for": an officer's requests for others are console business, not their own."""
    if not getattr(user, "is_authenticated", False):
        return Transfer.objects.none()
    people = Member.objects.filter(user=user).values("id_number_index")
    condition = Q(member__id_number_index__in=people)
    unlinked = own_active_membership(user)
    if unlinked is not None:
        condition |= Q(member=unlinked)
    return (
        Transfer.objects.filter(condition)
        .select_related("member", "from_org", "to_org", "to_workplace", "requested_by")
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class Target:
    """A place a member may ask to move to: a union, found by its name or code, or a workplace,
    found by its name or credit code, with the union that would receive the member (None when no
    active union that holds members covers it)."""

    union: Org | None
    workplace: Workplace | None = None


TARGET_SEARCH_LIMIT = 10


def _receiving_union(workplace: Workplace) -> Org | None:
    for org in (workplace.union, workplace.jurisdiction):
        if org is not None and org.is_active and org.kind in registry.MEMBER_HOLDING_KINDS:
            return org
    return None


def find_targets(query: str) -> list[Target]:
    """Unions (name fragment or exact code) and workplaces (name fragment or exact credit code)
    matching the query; public facts only, as the join search shows, so no scope applies. Too
    short a query finds nothing rather than half the city."""
    text = normalize_text(query)
    if len(text) < routes.MIN_EMPLOYER_QUERY:
        return []
    unions = (
        Org.objects.filter(kind__in=registry.MEMBER_HOLDING_KINDS, status=OrgStatus.ACTIVE)
        .filter(Q(name__contains=text) | Q(code=normalize_code(text)))
        .order_by("name", "pk")[:TARGET_SEARCH_LIMIT]
    )
    targets = [Target(union=union) for union in unions]
    targets += [Target(_receiving_union(place), place) for place in routes.find_employers(text)]
    return targets


def chosen_target(*, union_id: int | None = None, workplace_id: int | None = None) -> Target:
    """The search result a member chose, by its id (from a link, so it may be anything):
    ValidationFailed on `target` when it names nothing a member could move to."""
    target: Target | None = None
    if workplace_id is not None:
        place = Workplace.objects.select_related("union", "jurisdiction").filter(pk=workplace_id).first()
        if place is not None:
            target = Target(_receiving_union(place), place)
    elif union_id is not None:
        union = Org.objects.filter(pk=union_id).first()
        if union is not None:
            target = Target(union)
    if target is None or target.union is None:
        message = _("Search for the union or workplace you move to and choose it from the results.")
        raise ValidationFailed(message, fields={"target": [message]})
    return target


def open_transfer_of(member: Member) -> Transfer | None:
    return (
        Transfer.objects.filter(member=member, status=TransferStatus.REQUESTED)
        .select_related("to_org", "to_workplace", "from_org")
        .first()
    )


# --------------------------------------------------------------------------------------------
# Leaving, as the member does it
# --------------------------------------------------------------------------------------------

# Wrong passwords before a pause: the password is what stops someone holding an unlocked phone
# from ending the owner's membership, so it must not be guessable here.
PASSWORD_TRIES = 5
PASSWORD_PAUSE_SECONDS = 15 * 60


def _password_key(user: User) -> str:
    return f"members.leave.password-tries:{user.pk}"


def _check_password(user: User, password: str) -> None:
    key = _password_key(user)
    if int(cache.get(key, 0)) >= PASSWORD_TRIES:
        raise Conflict(
            _("The password was entered wrongly too many times. Please try again in 15 minutes."),
            code="too_many_attempts",
        )
    if not password or not user.check_password(password):
        cache.add(key, 0, timeout=PASSWORD_PAUSE_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=PASSWORD_PAUSE_SECONDS)
        message = _("The password is not correct.")
        raise ValidationFailed(message, fields={"password": [message]})
    cache.delete(key)


def leave_own_membership(
    member: Member,
    *,
    actor: User,
    password: str,
    reason: str = "",
    status: MemberStatus = MemberStatus.LEFT,
) -> Member:
    """The member ends their own membership, confirming it with their account's password.
    `status` is what the caller asked for: anything but LEFT is refused by `leave_union` (only an
    officer records a death), rather than quietly recorded as a leaving."""
    if not is_the_member(actor, member):
        raise NotFound(_("There is no such member."))
    _check_password(actor, password)
    return leave_union(member, actor=actor, reason=reason, status=status)
