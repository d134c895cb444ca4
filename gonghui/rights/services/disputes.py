"""Disputes: intake at the console and online, the workflow, the time limit's extensions,
parties growing into a collective dispute, messages, documents and the worker's rating.

Every function takes the acting user as keyword-only `actor`, runs in one transaction, checks
who may act first (a dispute out of reach is NotFound, like a missing one), then validates,
then writes, a history row for a change of status, and an audit event with ID and mobile
numbers masked. A refusal writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import record_audit
from gonghui.core.documents import store_document, too_many_documents
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationFailed
from gonghui.core.idnumbers import InvalidIdNumber, parse_id_number
from gonghui.core.inputs import clean_multiline, text_problem
from gonghui.core.mobile import InvalidMobile, is_mobile, parse_mobile
from gonghui.core.money import InvalidAmount, parse_money, to_money
from gonghui.core.sms import send_sms
from gonghui.core.text import normalize_name, normalize_text
from gonghui.members.models import Member, MemberStatus, id_number_index, mobile_index
from gonghui.orgs.models import Org, OrgStatus, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at, visible
from gonghui.rights.models import (
    COLLECTIVE_THRESHOLD,
    DISPUTE_TRANSITIONS,
    MAX_NAME,
    MAX_REASON,
    MAX_SUMMARY,
    MAX_TEXT,
    OFFICER_CHANNELS,
    OPEN_STATUSES,
    RATEABLE_STATUSES,
    ClaimItem,
    ClaimType,
    CollectiveAlert,
    Dispute,
    DisputeAction,
    DisputeCounter,
    DisputeDocument,
    DisputeHistory,
    DisputeMessage,
    DisputeStatus,
    Extension,
    IntakeChannel,
    MediationCentre,
    Mediator,
    MessageAuthor,
    Party,
    ReferralBody,
    Settlement,
    dispute_number,
)
from gonghui.rights.selectors import dispute_for, is_own_mediator, worker_dispute
from gonghui.workdays.deadlines import due_date

MAX_PARTIES = 200
MAX_CLAIMS = 20
MAX_DOCUMENTS = 30
# A worker with more open reports than this is asked to follow those up: a script (or a
# stuck button) cannot fill a mediation centre's queue.
MAX_OPEN_REPORTS = 5
MAX_MESSAGE = 2000
PARTY_NAME_MAX = 60
AGREED_BY_MAX = 200


@dataclass(frozen=True)
class PartyInput:
    name: str
    id_number: str = ""
    mobile: str = ""


@dataclass(frozen=True)
class ClaimInput:
    type: str
    amount_claimed: Decimal | str


@dataclass(frozen=True)
class DisputeInput:
    employer_name: str
    summary: str
    parties: Sequence[PartyInput]
    claims: Sequence[ClaimInput]
    channel: str = IntakeChannel.WALK_IN
    workplace_id: int | None = None
    description: str = ""
    received_on: date | None = None
    workers_count: int = 1
    centre_id: int | None = None
    mediator_id: int | None = None


@dataclass(frozen=True)
class AmountInput:
    claim_id: int
    amount_agreed: Decimal | str | None = None
    amount_recovered: Decimal | str | None = None


@dataclass
class _CleanParty:
    name: str
    id_number: str
    mobile: str
    member: Member | None = None


@dataclass
class _Clean:
    employer_name: str
    summary: str
    description: str
    parties: list[_CleanParty] = field(default_factory=list)
    claims: list[tuple[str, Decimal]] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Input checks


def _amount(value: Decimal | str | None, errors: FieldErrors, path: str, *, required: bool) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.add(path, _("Enter an amount."))
        return None
    try:
        amount = parse_money(value) if isinstance(value, str) else to_money(value)
    except InvalidAmount as exc:
        errors.add(path, exc.message)
        return None
    if amount < 0:
        errors.add(path, _("The amount cannot be negative."))
        return None
    return amount


def _clean_party(party: PartyInput, errors: FieldErrors, path: str, today: date) -> _CleanParty:
    name = normalize_name(party.name or "")
    problem = text_problem(name, max_length=PARTY_NAME_MAX, required=True)
    if problem:
        errors.add(f"{path}.name", problem)
    id_number = ""
    if normalize_text(party.id_number or ""):
        try:
            id_number = parse_id_number(party.id_number, today=today).value
        except InvalidIdNumber as exc:
            errors.add(f"{path}.id_number", exc.message)
    mobile = ""
    if normalize_text(party.mobile or ""):
        try:
            mobile = parse_mobile(party.mobile)
        except InvalidMobile as exc:
            errors.add(f"{path}.mobile", exc.message)
    return _CleanParty(name=name, id_number=id_number, mobile=mobile)


def _clean_input(data: DisputeInput, errors: FieldErrors, today: date) -> _Clean:
    employer = normalize_text(data.employer_name or "")
    problem = text_problem(employer, max_length=MAX_NAME, required=data.workplace_id is None)
    if problem:
        errors.add("employer_name", problem)
    summary = normalize_text(data.summary or "")
    problem = text_problem(summary, max_length=MAX_SUMMARY, required=True)
    if problem:
        errors.add("summary", problem)
    description = clean_multiline(data.description, field="description", max_length=MAX_TEXT, errors=errors)
    clean = _Clean(employer_name=employer, summary=summary, description=description)
    if not data.parties:
        errors.add("parties", _("Name at least one worker."))
    elif len(data.parties) > MAX_PARTIES:
        errors.add("parties", _("At most %(limit)s workers can be named.") % {"limit": MAX_PARTIES})
    else:
        clean.parties = [
            _clean_party(party, errors, f"parties.{index}", today) for index, party in enumerate(data.parties)
        ]
        seen: set[str] = set()
        for index, party in enumerate(clean.parties):
            if party.id_number and party.id_number in seen:
                errors.add(f"parties.{index}.id_number", _("This worker is named twice."))
            seen.add(party.id_number)
    if not data.claims:
        errors.add("claims", _("Add at least one claim."))
    elif len(data.claims) > MAX_CLAIMS:
        errors.add("claims", _("At most %(limit)s claims can be added.") % {"limit": MAX_CLAIMS})
    else:
        for index, claim in enumerate(data.claims):
            if claim.type not in ClaimType.values:
                errors.add(f"claims.{index}.type", _("Choose what the claim is about."))
            amount = _amount(claim.amount_claimed, errors, f"claims.{index}.amount_claimed", required=True)
            if claim.type in ClaimType.values and amount is not None:
                clean.claims.append((claim.type, amount))
    if not 1 <= data.workers_count <= 100_000:
        errors.add("workers_count", _("Give the number of workers concerned (at least 1)."))
    return clean


def _match_members(parties: list[_CleanParty]) -> None:
    indexes = {id_number_index(party.id_number): party for party in parties if party.id_number}
    if not indexes:
        return
    members = Member.objects.filter(id_number_index__in=indexes, status=MemberStatus.ACTIVE)
    for member in members:
        indexes[member.id_number_index].member = member


def _party_row(dispute: Dispute, position: int, party: _CleanParty) -> Party:
    return Party(
        dispute=dispute,
        position=position,
        name=party.name,
        id_number=party.id_number,
        id_number_index=id_number_index(party.id_number) if party.id_number else "",
        mobile=party.mobile,
        mobile_index=mobile_index(party.mobile),
        member=party.member,
    )


def _next_number(year: int) -> int:
    # The counter row is locked by the UPDATE until the intake commits: numbers never repeat.
    DisputeCounter.objects.get_or_create(year=year)
    DisputeCounter.objects.filter(year=year).update(last=F("last") + 1)
    return DisputeCounter.objects.values_list("last", flat=True).get(year=year)


def _history(dispute: Dispute, *, actor: Any, action: str, source: str, comment: str = "") -> None:
    DisputeHistory.objects.create(
        dispute=dispute,
        action=action,
        from_status=source,
        to_status=dispute.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        comment=comment[:MAX_REASON],
    )


def superior_org(org: Org) -> Org:
    """Who is alerted of a collective dispute: the handling org's parent (the city root alerts itself)."""
    parent: Org | None = Org.objects.get_parent(org)
    return parent if parent is not None else org


def _alert_collective(dispute: Dispute) -> None:
    target = superior_org(dispute.org)
    alert, created = CollectiveAlert.objects.get_or_create(dispute=dispute, org=target)
    if not created:
        return
    if target.contact_phone and is_mobile(target.contact_phone):
        send_sms(
            parse_mobile(target.contact_phone),
            _(
                "Collective labour dispute %(number)s (%(count)s workers, %(employer)s) "
                "was received by %(org)s."
            )
            % {
                "number": dispute.number,
                "count": dispute.workers_count,
                "employer": dispute.employer_name,
                "org": dispute.org.name,
            },
        )
    record_audit(actor=None, action="rights.alert_collective", obj=alert, org=target, note=dispute.number)


def _mark_collective(dispute: Dispute) -> bool:
    if dispute.is_collective or dispute.workers_count < COLLECTIVE_THRESHOLD:
        return False
    dispute.is_collective = True
    return True


def _assignment(
    actor: Any, centre_id: int | None, mediator_id: int | None, errors: FieldErrors
) -> tuple[MediationCentre | None, Mediator | None]:
    centre = None
    if centre_id is not None:
        centre = (
            visible(MediationCentre.objects.active(), actor, Perm.RIGHTS_HANDLE).filter(pk=centre_id).first()
        )
        if centre is None:
            errors.add("centre", _("Choose an active centre in your scope."))
    mediator = None
    if mediator_id is not None:
        mediator = Mediator.objects.active().select_related("centre").filter(pk=mediator_id).first()
        if mediator is None or (centre is not None and mediator.centre_id != centre.pk):
            errors.add("mediator", _("Choose an active mediator of the chosen centre."))
            mediator = None
        elif centre is None and not errors.fields.get("centre"):
            centre = visible(MediationCentre, actor, Perm.RIGHTS_HANDLE).filter(pk=mediator.centre_id).first()
            if centre is None:
                errors.add("mediator", _("Choose an active mediator of the chosen centre."))
                mediator = None
    return centre, mediator


def _create(
    *,
    actor: Any,
    org: Org,
    channel: str,
    clean: _Clean,
    data: DisputeInput,
    workplace: Workplace | None,
    received_on: date,
    reporter: Any = None,
    centre: MediationCentre | None = None,
    mediator: Mediator | None = None,
) -> Dispute:
    _match_members(clean.parties)
    year = received_on.year
    sequence = _next_number(year)
    workers = max(data.workers_count, len(clean.parties))
    dispute = Dispute(
        number=dispute_number(year, sequence),
        year=year,
        sequence=sequence,
        channel=channel,
        org=org,
        centre=centre,
        mediator=mediator,
        workplace=workplace,
        employer_name=clean.employer_name or (workplace.name if workplace else ""),
        summary=clean.summary,
        description=clean.description,
        received_on=received_on,
        mediation_deadline=due_date("rights.mediation", received_on),
        workers_count=workers,
        reporter=reporter,
        received_by=actor if reporter is None else None,
    )
    _mark_collective(dispute)
    dispute.save()
    Party.objects.bulk_create(
        [_party_row(dispute, index + 1, party) for index, party in enumerate(clean.parties)]
    )
    ClaimItem.objects.bulk_create(
        [
            ClaimItem(dispute=dispute, position=index + 1, type=kind, amount_claimed=amount)
            for index, (kind, amount) in enumerate(clean.claims)
        ]
    )
    _history(dispute, actor=actor, action=DisputeAction.RECEIVE, source="")
    record_audit(
        actor=actor,
        action="rights.receive_dispute",
        obj=dispute,
        changes={
            "number": [None, dispute.number],
            "channel": [None, channel],
            "org": [None, org.pk],
            "workers_count": [None, workers],
            "parties": [None, [str(party) for party in dispute.parties.all()]],
            "claimed": [None, str(sum((amount for _kind, amount in clean.claims), Decimal("0.00")))],
        },
    )
    if dispute.is_collective:
        _alert_collective(dispute)
    return dispute


@transaction.atomic
def intake_dispute(*, actor: Any, org_id: int, data: DisputeInput) -> Dispute:
    """A dispute received at the console (walk-in, hotline 12351, a referral) by `org`."""
    org: Org | None = Org.objects.filter(pk=org_id).first()
    if org is None or not has_perm_at(actor, Perm.RIGHTS_HANDLE, org.path):
        raise NotFound(_("There is no such union."))
    if org.status != OrgStatus.ACTIVE:
        raise Conflict(_("This union is not active; it cannot receive disputes."))
    today = timezone.localdate()
    errors = FieldErrors()
    if data.channel not in OFFICER_CHANNELS:
        errors.add("channel", _("Choose how the dispute came in."))
    received_on = data.received_on or today
    if received_on > today:
        errors.add("received_on", _("The date of receipt cannot be in the future."))
    elif received_on.year < today.year - 1:
        errors.add("received_on", _("The date of receipt is too long ago."))
    workplace = None
    if data.workplace_id is not None:
        workplace = visible(Workplace, actor, Perm.WORKPLACE_VIEW).filter(pk=data.workplace_id).first()
        if workplace is None:
            workplace = Workplace.objects.filter(pk=data.workplace_id).first()
        if workplace is None:
            errors.add("workplace", _("There is no such workplace."))
    clean = _clean_input(data, errors, today)
    centre, mediator = _assignment(actor, data.centre_id, data.mediator_id, errors)
    errors.raise_if_any()
    return _create(
        actor=actor,
        org=org,
        channel=data.channel,
        clean=clean,
        data=data,
        workplace=workplace,
        received_on=received_on,
        centre=centre,
        mediator=mediator,
    )


def route_for(workplace: Workplace | None) -> Org:
    """The union with jurisdiction over an online dispute: the workplace's union, else the
    federation or joint union of its area, else the city federation (the root)."""
    for org in (workplace.union if workplace else None, workplace.jurisdiction if workplace else None):
        if org is not None and org.status == OrgStatus.ACTIVE:
            return org
    root: Org | None = Org.objects.get_first_root_node()
    if root is None:
        raise Conflict(_("No union can receive disputes yet."))
    return root


@transaction.atomic
def report_dispute(*, actor: Any, data: DisputeInput, documents: Sequence[tuple[str, bytes]] = ()) -> Dispute:
    """A worker reports a dispute online from the portal: they are its first party (with the
    mobile number of their account) and the dispute goes to the union with jurisdiction."""
    if not getattr(actor, "is_authenticated", False):
        raise Forbidden(_("Sign in to report a dispute."))
    if Dispute.objects.open().filter(reporter=actor).count() >= MAX_OPEN_REPORTS:
        raise Conflict(
            _(
                "You already have %(count)d reports being handled. Follow them up on their pages, "
                "or call the workers' hotline 12351."
            )
            % {"count": MAX_OPEN_REPORTS},
            code="too_many_open_reports",
        )
    today = timezone.localdate()
    errors = FieldErrors()
    workplace = None
    if data.workplace_id is not None:
        workplace = (
            Workplace.objects.select_related("union", "jurisdiction").filter(pk=data.workplace_id).first()
        )
        if workplace is None:
            errors.add("workplace", _("There is no such workplace."))
    me = data.parties[0] if data.parties else PartyInput(name=getattr(actor, "display_name", ""))
    parties = [PartyInput(name=me.name, id_number=me.id_number, mobile=me.mobile or actor.mobile)]
    parties.extend(data.parties[1:])
    own = DisputeInput(
        employer_name=data.employer_name,
        summary=data.summary,
        parties=parties,
        claims=data.claims,
        channel=IntakeChannel.ONLINE,
        workplace_id=data.workplace_id,
        description=data.description,
        workers_count=data.workers_count,
    )
    clean = _clean_input(own, errors, today)
    if len(documents) > MAX_DOCUMENTS:
        errors.replace("documents", too_many_documents(MAX_DOCUMENTS).message)
    errors.raise_if_any()
    dispute = _create(
        actor=actor,
        org=route_for(workplace),
        channel=IntakeChannel.ONLINE,
        clean=clean,
        data=own,
        workplace=workplace,
        received_on=today,
        reporter=actor,
    )
    for name, content in documents:
        _store(dispute, actor=actor, name=name, content=content, from_worker=True)
    return dispute


# --------------------------------------------------------------------------------------------
# The workflow


def _authorise(dispute: Dispute, actor: Any, *, perm: Perm, held_on: str) -> None:
    if held_on == "mediation" and is_own_mediator(dispute, actor):
        return
    if not has_perm_at(actor, perm, dispute.org.path):
        raise Forbidden(_("You may not act on this dispute."))


def _begin(dispute_id: int, actor: Any, action: str) -> tuple[Dispute, str]:
    """Lock the dispute, check the actor and the status; (the dispute, its current status)."""
    dispute = dispute_for(actor, dispute_id, lock=True)
    transition = DISPUTE_TRANSITIONS.lookup(action)
    _authorise(dispute, actor, perm=transition.perm, held_on=transition.held_on)
    DISPUTE_TRANSITIONS.require(action, dispute.status)
    return dispute, dispute.status


def _finish(
    dispute: Dispute, *, actor: Any, action: str, source: str, comment: str = "", **audit: Any
) -> Dispute:
    dispute.status = DISPUTE_TRANSITIONS[action].target
    dispute.save()
    _history(dispute, actor=actor, action=action, source=source, comment=comment)
    record_audit(
        actor=actor,
        action=f"rights.{action}",
        obj=dispute,
        changes={"status": [source, dispute.status], **{key: [None, value] for key, value in audit.items()}},
        note=comment[:MAX_REASON],
    )
    return dispute


def _reason(text: str, errors: FieldErrors, field_name: str) -> str:
    reason = normalize_text(text or "")
    problem = text_problem(reason, max_length=MAX_REASON, required=True)
    if problem:
        errors.add(field_name, problem)
    return reason


def _conclude(dispute: Dispute, on: date) -> None:
    dispute.concluded_on = on
    dispute.followup_due = due_date("rights.followup", on)


@transaction.atomic
def accept_dispute(
    dispute_id: int,
    *,
    actor: Any,
    centre_id: int | None = None,
    mediator_id: int | None = None,
    comment: str = "",
) -> Dispute:
    dispute, source = _begin(dispute_id, actor, DisputeAction.ACCEPT)
    errors = FieldErrors()
    centre, mediator = _assignment(actor, centre_id, mediator_id, errors)
    comment = normalize_text(comment or "")
    problem = text_problem(comment, max_length=MAX_REASON, required=False)
    if problem:
        errors.add("comment", problem)
    errors.raise_if_any()
    if centre is not None:
        dispute.centre = centre
    if mediator is not None:
        dispute.mediator = mediator
    return _finish(
        dispute,
        actor=actor,
        action=DisputeAction.ACCEPT,
        source=source,
        comment=comment,
        centre=dispute.centre_id,
        mediator=dispute.mediator_id,
    )


@transaction.atomic
def decline_dispute(dispute_id: int, *, actor: Any, reason: str) -> Dispute:
    dispute, source = _begin(dispute_id, actor, DisputeAction.DECLINE)
    errors = FieldErrors()
    reason = _reason(reason, errors, "reason")
    errors.raise_if_any()
    dispute.decline_reason = reason
    _conclude(dispute, timezone.localdate())
    # The reason is personal data, encrypted on the dispute: not copied into history or audit.
    return _finish(dispute, actor=actor, action=DisputeAction.DECLINE, source=source)


@transaction.atomic
def start_mediation(dispute_id: int, *, actor: Any) -> Dispute:
    dispute, source = _begin(dispute_id, actor, DisputeAction.START_MEDIATION)
    if dispute.mediator_id is None:
        message = _("Assign a mediator before mediation starts.")
        raise ValidationFailed(message, fields={"mediator": [message]})
    return _finish(dispute, actor=actor, action=DisputeAction.START_MEDIATION, source=source)


def _amounts(
    dispute: Dispute, amounts: Sequence[AmountInput], errors: FieldErrors, *, agreed_required: bool
) -> list[tuple[ClaimItem, Decimal | None, Decimal | None]]:
    claims = {claim.pk: claim for claim in dispute.claims.select_for_update()}
    given = {amount.claim_id: amount for amount in amounts}
    unknown = set(given) - set(claims)
    if unknown:
        errors.add("amounts", _("An amount names a claim of another dispute."))
    rows: list[tuple[ClaimItem, Decimal | None, Decimal | None]] = []
    for claim in sorted(claims.values(), key=lambda claim: claim.position):
        entry = given.get(claim.pk, AmountInput(claim_id=claim.pk))
        path = f"amounts.{claim.pk}"
        agreed = _amount(entry.amount_agreed, errors, f"{path}.amount_agreed", required=agreed_required)
        recovered = _amount(entry.amount_recovered, errors, f"{path}.amount_recovered", required=False)
        ceiling = agreed if agreed is not None else claim.amount_agreed
        if recovered is not None and ceiling is not None and recovered > ceiling:
            errors.add(f"{path}.amount_recovered", _("More cannot be recovered than was agreed."))
        rows.append((claim, agreed, recovered))
    return rows


@transaction.atomic
def settle_dispute(
    dispute_id: int,
    *,
    actor: Any,
    terms: str,
    signed_on: date | None,
    amounts: Sequence[AmountInput],
    payment_due: date | None = None,
) -> Dispute:
    """Record the mediation agreement: its terms, the amount agreed for each claim (and what
    has been paid already), and the day the parties signed it."""
    dispute, source = _begin(dispute_id, actor, DisputeAction.SETTLE)
    today = timezone.localdate()
    errors = FieldErrors()
    terms = clean_multiline(terms, field="terms", max_length=MAX_TEXT, errors=errors)
    if not terms and "terms" not in errors.fields:
        errors.add("terms", _("Write down the terms the parties agreed."))
    if signed_on is None:
        errors.add("signed_on", _("Give the date the parties signed."))
    elif signed_on > today:
        errors.add("signed_on", _("The date of signing cannot be in the future."))
    elif signed_on < dispute.received_on:
        errors.add("signed_on", _("The agreement cannot be signed before the dispute was received."))
    if payment_due is not None and signed_on is not None and payment_due < signed_on:
        errors.add("payment_due", _("Payment cannot be due before the agreement is signed."))
    rows = _amounts(dispute, amounts, errors, agreed_required=True)
    errors.raise_if_any()
    assert signed_on is not None
    for claim, agreed, recovered in rows:
        claim.amount_agreed = agreed
        claim.amount_recovered = recovered if recovered is not None else Decimal("0.00")
        claim.save(update_fields=["amount_agreed", "amount_recovered"])
    Settlement.objects.create(
        dispute=dispute, terms=terms, signed_on=signed_on, payment_due=payment_due, recorded_by=actor
    )
    _conclude(dispute, signed_on)
    total = sum((agreed or Decimal("0.00") for _claim, agreed, _rec in rows), Decimal("0.00"))
    return _finish(dispute, actor=actor, action=DisputeAction.SETTLE, source=source, agreed=str(total))


@transaction.atomic
def fail_mediation(dispute_id: int, *, actor: Any, reason: str) -> Dispute:
    dispute, source = _begin(dispute_id, actor, DisputeAction.FAIL)
    errors = FieldErrors()
    reason = _reason(reason, errors, "reason")
    errors.raise_if_any()
    dispute.failure_reason = reason
    _conclude(dispute, timezone.localdate())
    # The reason is personal data, encrypted on the dispute: not copied into history or audit.
    return _finish(dispute, actor=actor, action=DisputeAction.FAIL, source=source)


@transaction.atomic
def refer_dispute(
    dispute_id: int, *, actor: Any, referred_to: str, body: str, referred_on: date | None
) -> Dispute:
    """Hand a dispute that mediation did not settle over to arbitration or a court (court_linkage)."""
    dispute, source = _begin(dispute_id, actor, DisputeAction.REFER)
    today = timezone.localdate()
    errors = FieldErrors()
    if referred_to not in ReferralBody.values:
        errors.add("referred_to", _("Choose arbitration or a court."))
    body = normalize_text(body or "")
    problem = text_problem(body, max_length=MAX_NAME, required=True)
    if problem:
        errors.add("body", problem)
    if referred_on is None:
        errors.add("referred_on", _("Give the date of the referral."))
    elif referred_on > today:
        errors.add("referred_on", _("The date of the referral cannot be in the future."))
    elif dispute.concluded_on is not None and referred_on < dispute.concluded_on:
        errors.add("referred_on", _("The referral cannot be before mediation ended."))
    errors.raise_if_any()
    dispute.referred_to, dispute.referral_body, dispute.referred_on = referred_to, body, referred_on
    return _finish(dispute, actor=actor, action=DisputeAction.REFER, source=source, comment=body)


@transaction.atomic
def close_dispute(
    dispute_id: int,
    *,
    actor: Any,
    followup_on: date | None,
    note: str,
    amounts: Sequence[AmountInput] = (),
) -> Dispute:
    """Close after the follow-up visit (its date and what was found; for a settlement, the
    amounts recovered by then)."""
    dispute, source = _begin(dispute_id, actor, DisputeAction.CLOSE)
    today = timezone.localdate()
    errors = FieldErrors()
    if followup_on is None:
        errors.add("followup_on", _("Give the date of the follow-up visit."))
    elif followup_on > today:
        errors.add("followup_on", _("The follow-up visit cannot be in the future."))
    elif dispute.concluded_on is not None and followup_on < dispute.concluded_on:
        errors.add("followup_on", _("The follow-up visit cannot be before the dispute was concluded."))
    note = _reason(note, errors, "note")
    rows = _amounts(dispute, amounts, errors, agreed_required=False) if amounts else []
    errors.raise_if_any()
    for claim, _agreed, recovered in rows:
        if recovered is not None:
            claim.amount_recovered = recovered
            claim.save(update_fields=["amount_recovered"])
    dispute.followup_on, dispute.followup_note = followup_on, note
    return _finish(dispute, actor=actor, action=DisputeAction.CLOSE, source=source, comment=note)


@transaction.atomic
def archive_dispute(dispute_id: int, *, actor: Any) -> Dispute:
    dispute, source = _begin(dispute_id, actor, DisputeAction.ARCHIVE)
    return _finish(dispute, actor=actor, action=DisputeAction.ARCHIVE, source=source)


def _date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _amount_inputs(value: Any) -> list[AmountInput]:
    return [
        AmountInput(
            claim_id=int(item["claim_id"]),
            amount_agreed=item.get("amount_agreed"),
            amount_recovered=item.get("amount_recovered"),
        )
        for item in value or []
    ]


def apply_action(dispute_id: int, *, actor: Any, action: str, data: Mapping[str, Any]) -> Dispute:
    """One step of the workflow by its action name, with the action's own inputs in `data`
    (the API's transition operation)."""
    DISPUTE_TRANSITIONS.lookup(action)
    if action == DisputeAction.ACCEPT:
        return accept_dispute(
            dispute_id,
            actor=actor,
            centre_id=data.get("centre_id"),
            mediator_id=data.get("mediator_id"),
            comment=data.get("comment", ""),
        )
    if action == DisputeAction.DECLINE:
        return decline_dispute(dispute_id, actor=actor, reason=data.get("reason", ""))
    if action == DisputeAction.START_MEDIATION:
        return start_mediation(dispute_id, actor=actor)
    if action == DisputeAction.SETTLE:
        return settle_dispute(
            dispute_id,
            actor=actor,
            terms=data.get("terms", ""),
            signed_on=_date(data.get("signed_on")),
            payment_due=_date(data.get("payment_due")),
            amounts=_amount_inputs(data.get("amounts")),
        )
    if action == DisputeAction.FAIL:
        return fail_mediation(dispute_id, actor=actor, reason=data.get("reason", ""))
    if action == DisputeAction.REFER:
        return refer_dispute(
            dispute_id,
            actor=actor,
            referred_to=data.get("referred_to", ""),
            body=data.get("body", ""),
            referred_on=_date(data.get("referred_on")),
        )
    if action == DisputeAction.CLOSE:
        return close_dispute(
            dispute_id,
            actor=actor,
            followup_on=_date(data.get("followup_on")),
            note=data.get("note", ""),
            amounts=_amount_inputs(data.get("amounts")),
        )
    return archive_dispute(dispute_id, actor=actor)


# --------------------------------------------------------------------------------------------
# Assignment, parties, extensions


def _handler(dispute_id: int, actor: Any, *, mediator_may: bool) -> Dispute:
    dispute = dispute_for(actor, dispute_id, lock=True)
    _authorise(dispute, actor, perm=Perm.RIGHTS_HANDLE, held_on="mediation" if mediator_may else "org")
    return dispute


@transaction.atomic
def assign_dispute(dispute_id: int, *, actor: Any, centre_id: int | None, mediator_id: int | None) -> Dispute:
    dispute = _handler(dispute_id, actor, mediator_may=False)
    if dispute.status not in OPEN_STATUSES:
        raise Conflict(_("Only a dispute in hand can be assigned."))
    errors = FieldErrors()
    if centre_id is None and mediator_id is None:
        errors.add("centre", _("Choose a centre or a mediator."))
    centre, mediator = _assignment(actor, centre_id, mediator_id, errors)
    errors.raise_if_any()
    before = [dispute.centre_id, dispute.mediator_id]
    dispute.centre = centre or dispute.centre
    dispute.mediator = mediator if mediator is not None or centre is None else None
    if dispute.mediator is not None and dispute.mediator.centre_id != dispute.centre_id:
        dispute.mediator = None
    dispute.save(update_fields=["centre", "mediator", "updated_at"])
    record_audit(
        actor=actor,
        action="rights.assign_dispute",
        obj=dispute,
        changes={"centre": [before[0], dispute.centre_id], "mediator": [before[1], dispute.mediator_id]},
    )
    return dispute


def active_mediator_for(actor: Any, mediator_id: int | None) -> Mediator | None:
    """The active mediator `mediator_id` of an active centre the actor handles, or None."""
    if mediator_id is None:
        return None
    centres = visible(MediationCentre.objects.active(), actor, Perm.RIGHTS_HANDLE)
    return (
        Mediator.objects.active().select_related("centre").filter(pk=mediator_id, centre__in=centres).first()
    )


def hand_over(dispute: Dispute, *, actor: Any, mediator: Mediator, reason: str) -> None:
    """Move a locked open dispute to `mediator` (and their centre): a history row (shown on the new
    mediator's desk) and an audit event."""
    before = [dispute.centre_id, dispute.mediator_id]
    dispute.centre, dispute.mediator = mediator.centre, mediator
    dispute.save(update_fields=["centre", "mediator", "updated_at"])
    _history(dispute, actor=actor, action=DisputeAction.REASSIGN, source=dispute.status, comment=reason)
    record_audit(
        actor=actor,
        action="rights.reassign_dispute",
        obj=dispute,
        changes={"centre": [before[0], dispute.centre_id], "mediator": [before[1], dispute.mediator_id]},
        note=reason[:MAX_REASON],
    )


@transaction.atomic
def reassign_dispute(dispute_id: int, *, actor: Any, mediator_id: int | None, reason: str) -> Dispute:
    """Hand an open dispute over to another active mediator (of any centre the actor handles),
    e.g. when its mediator leaves; the reason is required."""
    dispute = _handler(dispute_id, actor, mediator_may=False)
    if dispute.status not in OPEN_STATUSES:
        raise Conflict(_("Only a dispute in hand can be handed over."), code="not_open")
    errors = FieldErrors()
    mediator = active_mediator_for(actor, mediator_id)
    if mediator is None:
        errors.add("mediator", _("Choose an active mediator of a centre in your scope."))
    elif mediator.pk == dispute.mediator_id:
        errors.add("mediator", _("The dispute is already with this mediator."))
    reason = _reason(reason, errors, "reason")
    errors.raise_if_any()
    assert mediator is not None
    hand_over(dispute, actor=actor, mediator=mediator, reason=reason)
    return dispute


@transaction.atomic
def add_party(dispute_id: int, *, actor: Any, party: PartyInput) -> Party:
    """Name one more worker; at ten workers the dispute becomes collective and the superior
    org is alerted."""
    dispute = _handler(dispute_id, actor, mediator_may=True)
    if dispute.status not in OPEN_STATUSES:
        raise Conflict(_("Workers can be added only while the dispute is in hand."))
    errors = FieldErrors()
    clean = _clean_party(party, errors, "party", timezone.localdate())
    count = dispute.parties.count()
    if count >= MAX_PARTIES:
        errors.add("party", _("At most %(limit)s workers can be named.") % {"limit": MAX_PARTIES})
    if clean.id_number and dispute.parties.filter(id_number_index=id_number_index(clean.id_number)).exists():
        errors.add("party.id_number", _("This worker is named twice."))
    errors.raise_if_any()
    _match_members([clean])
    last = dispute.parties.order_by("-position").values_list("position", flat=True).first() or 0
    row = _party_row(dispute, last + 1, clean)
    row.save()
    dispute.workers_count = max(dispute.workers_count, count + 1)
    became_collective = _mark_collective(dispute)
    dispute.save(update_fields=["workers_count", "is_collective", "updated_at"])
    record_audit(
        actor=actor,
        action="rights.add_party",
        obj=dispute,
        changes={"party": [None, str(row)], "workers_count": [None, dispute.workers_count]},
    )
    if became_collective:
        _alert_collective(dispute)
    return row


@transaction.atomic
def set_workers_count(dispute_id: int, *, actor: Any, workers_count: int) -> Dispute:
    dispute = _handler(dispute_id, actor, mediator_may=True)
    if dispute.status not in OPEN_STATUSES:
        raise Conflict(_("The number of workers can be changed only while the dispute is in hand."))
    parties = dispute.parties.count()
    if not max(1, parties) <= workers_count <= 100_000:
        message = _("Give at least the number of workers named (%(count)s).") % {"count": max(1, parties)}
        raise ValidationFailed(message, fields={"workers_count": [message]})
    before = dispute.workers_count
    dispute.workers_count = workers_count
    became_collective = _mark_collective(dispute)
    if dispute.is_collective and workers_count < COLLECTIVE_THRESHOLD:
        message = _("A collective dispute concerns at least %(count)s workers.") % {
            "count": COLLECTIVE_THRESHOLD
        }
        raise ValidationFailed(message, fields={"workers_count": [message]})
    dispute.save(update_fields=["workers_count", "is_collective", "updated_at"])
    record_audit(
        actor=actor,
        action="rights.set_workers_count",
        obj=dispute,
        changes={"workers_count": [before, workers_count]},
    )
    if became_collective:
        _alert_collective(dispute)
    return dispute


@transaction.atomic
def record_extension(
    dispute_id: int, *, actor: Any, new_deadline: date | None, agreed_by: str, note: str = ""
) -> Extension:
    """The parties agreed to mediate beyond the time limit: the new deadline and who agreed."""
    dispute = _handler(dispute_id, actor, mediator_may=True)
    if dispute.status not in OPEN_STATUSES:
        raise Conflict(_("Only the time limit of a dispute in hand can be extended."))
    errors = FieldErrors()
    if new_deadline is None:
        errors.add("new_deadline", _("Give the new deadline."))
    elif new_deadline <= dispute.mediation_deadline:
        errors.add("new_deadline", _("The new deadline must be after the current one."))
    agreed_by = normalize_text(agreed_by or "")
    problem = text_problem(agreed_by, max_length=AGREED_BY_MAX, required=True)
    if problem:
        errors.add("agreed_by", problem)
    note = normalize_text(note or "")
    problem = text_problem(note, max_length=MAX_REASON, required=False)
    if problem:
        errors.add("note", problem)
    errors.raise_if_any()
    assert new_deadline is not None
    extension = Extension.objects.create(
        dispute=dispute,
        previous_deadline=dispute.mediation_deadline,
        new_deadline=new_deadline,
        agreed_by=agreed_by,
        note=note,
        recorded_by=actor,
    )
    dispute.mediation_deadline = new_deadline
    # A new time limit: if it passes too, the worker is told again.
    dispute.overdue_notified_at = None
    dispute.save(update_fields=["mediation_deadline", "overdue_notified_at", "updated_at"])
    record_audit(
        actor=actor,
        action="rights.extend_deadline",
        obj=dispute,
        changes={"mediation_deadline": [str(extension.previous_deadline), str(new_deadline)]},
        note=agreed_by,
    )
    return extension


# --------------------------------------------------------------------------------------------
# Messages and documents


def _message_text(text: str) -> str:
    errors = FieldErrors()
    clean = clean_multiline(text, field="text", max_length=MAX_MESSAGE, errors=errors)
    if not clean and "text" not in errors.fields:
        errors.add("text", _("Write a message."))
    errors.raise_if_any()
    return clean


@transaction.atomic
def post_message(dispute_id: int, *, actor: Any, text: str) -> DisputeMessage:
    """A handler's (or the mediator's) message to the worker."""
    dispute = _handler(dispute_id, actor, mediator_may=True)
    clean = _message_text(text)
    message = DisputeMessage.objects.create(
        dispute=dispute, author_kind=MessageAuthor.HANDLER, author=actor, text=clean
    )
    record_audit(actor=actor, action="rights.post_message", obj=dispute, note=f"message {message.pk}")
    return message


@transaction.atomic
def post_worker_message(dispute_id: int, *, actor: Any, text: str) -> DisputeMessage:
    dispute = worker_dispute(actor, dispute_id)
    if dispute.status == DisputeStatus.ARCHIVED:
        raise Conflict(_("This dispute is archived; messages can no longer be sent."))
    clean = _message_text(text)
    message = DisputeMessage.objects.create(
        dispute=dispute, author_kind=MessageAuthor.WORKER, author=actor, text=clean
    )
    record_audit(actor=actor, action="rights.worker_message", obj=dispute, note=f"message {message.pk}")
    return message


def _store(dispute: Dispute, *, actor: Any, name: str, content: bytes, from_worker: bool) -> DisputeDocument:
    document = DisputeDocument(dispute=dispute, from_worker=from_worker)
    stored = store_document(document, actor=actor, name=name, content=content)
    record_audit(actor=actor, action="rights.add_document", obj=dispute, changes={"document": [None, stored]})
    return document


def _add_documents(
    dispute: Dispute, actor: Any, documents: Sequence[tuple[str, bytes]], *, from_worker: bool
) -> list[DisputeDocument]:
    if not documents:
        message = _("Choose a file to upload.")
        raise ValidationFailed(message, fields={"file": [message]})
    if dispute.documents.count() + len(documents) > MAX_DOCUMENTS:
        raise too_many_documents(MAX_DOCUMENTS)
    return [
        _store(dispute, actor=actor, name=name, content=content, from_worker=from_worker)
        for name, content in documents
    ]


@transaction.atomic
def add_documents(
    dispute_id: int, *, actor: Any, documents: Sequence[tuple[str, bytes]]
) -> list[DisputeDocument]:
    dispute = _handler(dispute_id, actor, mediator_may=True)
    return _add_documents(dispute, actor, documents, from_worker=False)


@transaction.atomic
def add_worker_documents(
    dispute_id: int, *, actor: Any, documents: Sequence[tuple[str, bytes]]
) -> list[DisputeDocument]:
    dispute = worker_dispute(actor, dispute_id)
    if dispute.status == DisputeStatus.ARCHIVED:
        raise Conflict(_("This dispute is archived; documents can no longer be added."))
    return _add_documents(dispute, actor, documents, from_worker=True)


# --------------------------------------------------------------------------------------------
# The worker's rating, alerts


@transaction.atomic
def rate_dispute(dispute_id: int, *, actor: Any, rating: int, comment: str = "") -> Dispute:
    """The worker's satisfaction with the handling (1–5), once, when the dispute has ended."""
    dispute = worker_dispute(actor, dispute_id)
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if dispute.status not in RATEABLE_STATUSES:
        raise Conflict(
            _("You can rate the handling once the dispute has come to an end."), code="not_rateable"
        )
    if dispute.rating is not None:
        raise Conflict(_("You have already rated this dispute."), code="already_rated")
    errors = FieldErrors()
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        errors.add("rating", _("Choose from 1 to 5 stars."))
    comment = normalize_text(comment or "")
    problem = text_problem(comment, max_length=MAX_REASON, required=False)
    if problem:
        errors.add("comment", problem)
    errors.raise_if_any()
    dispute.rating, dispute.rating_comment, dispute.rated_at = rating, comment, timezone.now()
    dispute.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
    record_audit(actor=actor, action="rights.rate_dispute", obj=dispute, changes={"rating": [None, rating]})
    return dispute


@transaction.atomic
def acknowledge_alert(alert_id: int, *, actor: Any) -> CollectiveAlert:
    alert = (
        visible(CollectiveAlert, actor, Perm.RIGHTS_HANDLE)
        .select_for_update(of=("self",))
        .select_related("org", "dispute")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        raise NotFound(_("There is no such alert."))
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = timezone.now(), actor
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        record_audit(
            actor=actor,
            action="rights.acknowledge_alert",
            obj=alert,
            org=alert.org,
            note=alert.dispute.number,
        )
    return alert
