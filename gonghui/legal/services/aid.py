"""Legal aid applications: submission (by the worker online or an officer for them) with the
eligibility check, the workflow of `AID_TRANSITIONS`, documents, messages and the rating.

Authority: the review, the decision and the assignment need `rights.handle` on the case's union
(a grant on it or above), and so do giving the case to another lawyer and correcting the facts
eligibility rests on before the decision (the check runs again). Starting the work and
recording the outcome may also be done by the assigned lawyer. The applicant's rating closes a
concluded case. Anyone else gets NotFound, as for a missing case; a viewer (rights.view without
handle) gets Forbidden.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.core.audit import changes_between, record_audit, snapshot
from gonghui.core.documents import store_document, too_many_documents
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationFailed
from gonghui.core.inputs import clean_multiline, text_problem
from gonghui.core.mobile import InvalidMobile, mask_mobile, parse_mobile
from gonghui.core.money import InvalidAmount, parse_money
from gonghui.core.text import normalize_name, normalize_text
from gonghui.legal.models import (
    AID_TRANSITIONS,
    LAWYER_OPEN_STATUSES,
    MAX_NAME,
    MAX_REASON,
    MAX_TEXT,
    OPEN_AID_STATUSES,
    AidAction,
    AidChannel,
    AidMessage,
    AidStatus,
    Author,
    LegalAid,
    LegalAidDocument,
    LegalAidHistory,
    Outcome,
    Topic,
)
from gonghui.legal.selectors import is_assigned_lawyer, may_handle
from gonghui.legal.services.consultations import routed_org
from gonghui.legal.services.eligibility import check_eligibility
from gonghui.legal.services.lawyers import handled_org, lawyers_for, move_case
from gonghui.members.models import Member
from gonghui.members.services.selfservice import current_membership
from gonghui.orgs.models import Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at
from gonghui.workdays.deadlines import due_date

REVIEW_RULE = "legal.aid_review"
MAX_DOCUMENTS = 10
MAX_HOUSEHOLD = 20
MAX_OPEN_PER_APPLICANT = 3
AID_FIELDS = (
    "status",
    "lawyer",
    "reject_reason",
    "outcome",
    "amount_recovered",
    "concluded_on",
    "rating",
)


@dataclass(frozen=True)
class AidInput:
    matter_type: str
    description: str
    employer_name: str
    amount_at_stake: str = ""
    household_size: int | None = None
    household_monthly_income: str = ""
    employer_id: int | None = None
    applicant_name: str = ""  # an officer's entry; online, the account's membership or name
    applicant_mobile: str = ""


def _money(errors: FieldErrors, field: str, raw: str, *, required: bool = False) -> Decimal | None:
    text = (raw or "").strip()
    if not text:
        if required:
            errors.add(field, _("This field is required."))
        return None
    try:
        return parse_money(text)
    except InvalidAmount as exc:
        errors.add(field, exc.message)
        return None


def _validated(
    data: AidInput, errors: FieldErrors
) -> tuple[str, str, str, Decimal | None, int | None, Decimal | None, Workplace | None]:
    if data.matter_type not in Topic.values:
        errors.add("matter_type", _("Choose the type of matter from the list."))
    description = clean_multiline(data.description, field="description", max_length=MAX_TEXT, errors=errors)
    if not description and "description" not in errors.fields:
        errors.add("description", _("This field is required."))
    employer_name = normalize_text(data.employer_name or "")
    problem = text_problem(employer_name, max_length=120, required=True)
    if problem:
        errors.add("employer_name", problem)
    amount = _money(errors, "amount_at_stake", data.amount_at_stake)
    size, income = _household(
        FactsInput(
            household_size=data.household_size, household_monthly_income=data.household_monthly_income
        ),
        errors,
    )
    employer = None
    if data.employer_id is not None:
        employer = Workplace.objects.filter(pk=data.employer_id).first()
        if employer is None:
            errors.add("employer_id", _("There is no such workplace."))
    return data.matter_type, description, employer_name, amount, size, income, employer


def _create(
    *,
    actor: Any,
    data: AidInput,
    org: Any,
    member: Member | None,
    applicant: User | None,
    name: str,
    mobile: str,
    channel: str,
    errors: FieldErrors,
    documents: Sequence[tuple[str, bytes]],
) -> LegalAid:
    matter, description, employer_name, amount, size, income, employer = _validated(data, errors)
    if len(documents) > MAX_DOCUMENTS:
        errors.replace("file", too_many_documents(MAX_DOCUMENTS).message)
    errors.raise_if_any(_("Some of the application is not valid. See the fields."))
    today = timezone.localdate()
    check = check_eligibility(
        member=member, org=org, year=today.year, household_size=size, household_monthly_income=income
    )
    aid = LegalAid.objects.create(
        org=org,
        channel=channel,
        applicant=applicant,
        member=member,
        applicant_name=name,
        applicant_mobile=mobile,
        matter_type=matter,
        description=description,
        employer=employer,
        employer_name=employer_name,
        amount_at_stake=amount,
        submitted_on=today,
        review_due=due_date(REVIEW_RULE, today),
        is_eligible=check.eligible,
        eligible_as_member=check.as_member,
        eligible_by_hardship_file=check.by_hardship_file,
        eligible_by_income=check.by_income,
        household_size=size,
        household_monthly_income=income,
        per_capita_income=check.per_capita_income,
        threshold=check.threshold,
        threshold_org=check.threshold_org,
        submitted_by=actor,
    )
    LegalAidHistory.objects.create(
        aid=aid, action=AidAction.SUBMIT, from_status="", to_status=aid.status, actor=actor
    )
    stored = [
        store_document(LegalAidDocument(aid=aid), actor=actor, name=file_name, content=content)
        for file_name, content in documents
    ]
    record_audit(
        actor=actor,
        action="legal.submit_aid",
        obj=aid,
        changes={
            "status": [None, aid.status],
            "channel": [None, channel],
            "applicant_mobile": [None, mask_mobile(mobile)],
            "is_eligible": [None, aid.is_eligible],
            "documents": [None, stored],
        },
    )
    return aid


@transaction.atomic
def apply_online(*, actor: Any, data: AidInput, documents: Sequence[tuple[str, bytes]] = ()) -> LegalAid:
    """A signed-in worker applies; the case goes to their union if they are a member, to the
    city federation otherwise."""
    if not isinstance(actor, User) or not actor.is_authenticated:
        raise NotFound(_("Sign in to apply."))
    errors = FieldErrors()
    mobile = ""
    try:
        mobile = parse_mobile(data.applicant_mobile or actor.mobile)
    except InvalidMobile as exc:
        errors.add("applicant_mobile", exc.message)
    open_count = LegalAid.objects.filter(
        applicant=actor, status__in=[AidStatus.SUBMITTED, AidStatus.UNDER_REVIEW]
    ).count()
    if open_count >= MAX_OPEN_PER_APPLICANT:
        raise Conflict(
            _("You already have %(n)s applications under review. Please wait for a decision first.")
            % {"n": MAX_OPEN_PER_APPLICANT},
            code="too_many_open",
        )
    member = current_membership(actor)
    name = member.name if member is not None else normalize_name(actor.display_name or "")
    if not name:
        name = normalize_name(data.applicant_name or "")
        problem = text_problem(name, max_length=MAX_NAME, required=True)
        if problem:
            errors.add("applicant_name", problem)
    return _create(
        actor=actor,
        data=data,
        org=routed_org(member),
        member=member,
        applicant=actor,
        name=name[:MAX_NAME],
        mobile=mobile,
        channel=AidChannel.ONLINE,
        errors=errors,
        documents=documents,
    )


@transaction.atomic
def enter_application(
    *,
    actor: Any,
    org_id: int,
    data: AidInput,
    member_id: int | None = None,
    documents: Sequence[tuple[str, bytes]] = (),
) -> LegalAid:
    """An officer enters an application made at the desk, for a member of a union in their scope
    (`member_id`) or for any worker."""
    org = handled_org(actor, org_id)
    errors = FieldErrors()
    member: Member | None = None
    if member_id is not None:
        member = Member.objects.select_related("org").filter(pk=member_id).first()
        if member is None or not has_perm_at(actor, Perm.RIGHTS_HANDLE, member.org.path):
            errors.add("member", _("There is no such member in your scope."))
            member = None
    name = normalize_name(data.applicant_name or "") or (member.name if member is not None else "")
    problem = text_problem(name, max_length=MAX_NAME, required=True)
    if problem:
        errors.add("applicant_name", problem)
    mobile = ""
    try:
        mobile = parse_mobile(data.applicant_mobile or (member.mobile if member is not None else ""))
    except InvalidMobile as exc:
        errors.add("applicant_mobile", exc.message)
    return _create(
        actor=actor,
        data=data,
        org=org,
        member=member,
        applicant=member.user if member is not None else None,
        name=name,
        mobile=mobile,
        channel=AidChannel.OFFICER,
        errors=errors,
        documents=documents,
    )


# --- the workflow ------------------------------------------------------------------------------


def _locked(aid_id: int) -> LegalAid:
    found: LegalAid | None = (
        LegalAid.objects.select_for_update(of=("self",))
        .select_related("org", "lawyer")
        .filter(pk=aid_id)
        .first()
    )
    if found is None:
        raise NotFound(_("There is no such legal aid application."))
    return found


def _authorise(actor: Any, aid: LegalAid, held_on: str) -> None:
    if held_on == "applicant":
        if aid.applicant_id is not None and aid.applicant_id == getattr(actor, "pk", None):
            return
    elif held_on == "lawyer" and is_assigned_lawyer(actor, aid):
        return
    if may_handle(actor, aid):
        return
    if has_perm_at(actor, Perm.RIGHTS_VIEW, aid.org.path):
        raise Forbidden(_("Only officers who handle rights cases for this union may do this."))
    raise NotFound(_("There is no such legal aid application."))


@dataclass(frozen=True)
class StepInput:
    comment: str = ""
    reason: str = ""  # reject
    lawyer_id: int | None = None  # assign
    outcome: str = ""  # conclude
    amount_recovered: str = ""  # conclude
    summary: str = ""  # conclude
    rating: int | None = None  # close
    rating_comment: str = ""  # close


def _apply_step(aid: LegalAid, action: str, actor: Any, data: StepInput, errors: FieldErrors) -> None:
    if action == AidAction.APPROVE and not aid.is_eligible:
        raise Conflict(
            _("The application meets no eligibility ground: it cannot be granted."), code="not_eligible"
        )
    if action == AidAction.REJECT:
        reason = normalize_text(data.reason or "")
        problem = text_problem(reason, max_length=MAX_REASON, required=True)
        if problem:
            errors.add("reason", problem)
        aid.reject_reason = reason
    elif action == AidAction.ASSIGN:
        lawyer = lawyers_for(aid.org).filter(pk=data.lawyer_id).first() if data.lawyer_id else None
        if lawyer is None:
            errors.add("lawyer", _("Choose an active lawyer who serves this union."))
        aid.lawyer = lawyer
    elif action == AidAction.CONCLUDE:
        if data.outcome not in Outcome.values:
            errors.add("outcome", _("Choose the outcome from the list."))
        aid.outcome = data.outcome
        aid.amount_recovered = _money(errors, "amount_recovered", data.amount_recovered, required=True)
        aid.summary = clean_multiline(data.summary, field="summary", max_length=MAX_TEXT, errors=errors)
        if not aid.summary and "summary" not in errors.fields:
            errors.add("summary", _("This field is required."))
        aid.concluded_on = timezone.localdate()
    elif action == AidAction.CLOSE and aid.applicant_id == getattr(actor, "pk", None):
        if data.rating is None or not 1 <= data.rating <= 5:
            errors.add("rating", _("Give a rating from 1 to 5."))
        aid.rating = data.rating
        aid.rating_comment = normalize_text(data.rating_comment or "")[:MAX_REASON]


@transaction.atomic
def take_step(aid_id: int, action: str, *, actor: Any, data: StepInput | None = None) -> LegalAid:
    """Move the application on by `action` (see AID_TRANSITIONS); nothing is written on a refusal."""
    data = data or StepInput()
    aid = _locked(aid_id)
    transition = AID_TRANSITIONS.lookup(action)
    _authorise(actor, aid, transition.held_on)
    AID_TRANSITIONS.require(action, aid.status)
    before = snapshot(aid, AID_FIELDS)
    errors = FieldErrors()
    _apply_step(aid, action, actor, data, errors)
    comment = normalize_text(data.comment or "")
    if len(comment) > MAX_REASON:
        errors.add("comment", _("Enter at most %(max_length)s characters.") % {"max_length": MAX_REASON})
    errors.raise_if_any()
    aid.status = transition.target
    aid.save()
    LegalAidHistory.objects.create(
        aid=aid,
        action=action,
        from_status=before["status"],
        to_status=aid.status,
        actor=actor,
        comment=comment or aid.reject_reason if action == AidAction.REJECT else comment,
    )
    record_audit(
        actor=actor,
        action=f"legal.{action}_aid",
        obj=aid,
        changes=changes_between(before, snapshot(aid, AID_FIELDS)),
    )
    return aid


def available_steps(actor: Any, aid: LegalAid) -> list[str]:
    """The actions `actor` may take on `aid` now."""
    # A handler may take every step (closing without a rating, too); the lawyer only their own.
    handler = may_handle(actor, aid)
    lawyer = is_assigned_lawyer(actor, aid)
    return [
        transition.action
        for transition in AID_TRANSITIONS.available(aid.status)
        if handler or (lawyer and transition.held_on == "lawyer")
    ]


def rate_aid(aid_id: int, *, actor: Any, rating: int | None, comment: str = "") -> LegalAid:
    """The applicant rates a concluded case, which closes it."""
    found = (
        LegalAid.objects.filter(pk=aid_id, applicant=actor).first() if getattr(actor, "pk", None) else None
    )
    if found is None:
        raise NotFound(_("There is no such legal aid application."))
    return take_step(
        aid_id, AidAction.CLOSE, actor=actor, data=StepInput(rating=rating, rating_comment=comment)
    )


# --- changes that keep the status: another lawyer, facts corrected before the decision ------------


@transaction.atomic
def reassign_lawyer(aid_id: int, *, actor: Any, lawyer_id: int | None, reason: str) -> LegalAid:
    """A handler gives a case a lawyer is at work on (assigned or in progress) to another active
    lawyer serving its union or above: the new lawyer finds it on their desk, the old one no
    longer does. The status stays; a history row and an audit event record the change."""
    aid = _locked(aid_id)
    _authorise(actor, aid, "org")
    if aid.status not in LAWYER_OPEN_STATUSES:
        raise Conflict(
            _("Only a case a lawyer is working on (assigned or in progress) can be given to another lawyer."),
            code="not_reassignable",
        )
    errors = FieldErrors()
    text = normalize_text(reason or "")
    problem = text_problem(text, max_length=MAX_REASON, required=True)
    if problem:
        errors.add("reason", problem)
    lawyer = lawyers_for(aid.org).filter(pk=lawyer_id).first() if lawyer_id else None
    if lawyer is None:
        errors.add("lawyer", _("Choose an active lawyer who serves this union."))
    elif lawyer.pk == aid.lawyer_id:
        errors.add("lawyer", _("The case already has this lawyer: choose another one."))
    errors.raise_if_any()
    assert lawyer is not None  # errors were raised otherwise
    move_case(aid, to=lawyer, actor=actor, reason=text)
    return aid


@dataclass(frozen=True)
class FactsInput:
    """What eligibility depends on that an officer may correct before the decision. `member_id`
    None keeps the membership the application is linked to."""

    household_size: int | None = None
    household_monthly_income: str = ""
    member_id: int | None = None
    comment: str = ""


ELIGIBILITY_FIELDS = (
    "member",
    "household_size",
    "household_monthly_income",
    "per_capita_income",
    "threshold",
    "threshold_org",
    "eligible_as_member",
    "eligible_by_hardship_file",
    "eligible_by_income",
    "is_eligible",
)


def _household(data: FactsInput, errors: FieldErrors) -> tuple[int | None, Decimal | None]:
    size = data.household_size
    if size is not None and not 1 <= size <= MAX_HOUSEHOLD:
        errors.add("household_size", _("Enter a household size from 1 to %(max)s.") % {"max": MAX_HOUSEHOLD})
        size = None
    income = _money(errors, "household_monthly_income", data.household_monthly_income)
    if (size is None) != (income is None) and "household_size" not in errors.fields:
        field = "household_monthly_income" if income is None else "household_size"
        errors.add(field, _("Give both the household size and its monthly income, or neither."))
    return size, income


def _eligibility_label(eligible: bool) -> str:
    return _("eligible") if eligible else _("not eligible")


@transaction.atomic
def recheck_eligibility(aid_id: int, *, actor: Any, data: FactsInput) -> LegalAid:
    """A handler corrects the facts eligibility rests on (household size and income, the
    applicant's membership) before the decision; the check runs again (thresholds of the year of
    submission) and a history row records the result. Once decided (granted or not), the facts
    are refused: the decision was taken on them. Nothing changed, nothing written."""
    aid = _locked(aid_id)
    _authorise(actor, aid, "org")
    if aid.status not in OPEN_AID_STATUSES:
        raise Conflict(
            _(
                "The decision on this application has been taken (“%(status)s”): the facts its "
                "eligibility rests on can no longer be changed."
            )
            % {"status": aid.get_status_display()},
            code="decided",
        )
    errors = FieldErrors()
    size, income = _household(data, errors)
    member = aid.member
    if data.member_id is not None:
        member = Member.objects.select_related("org").filter(pk=data.member_id).first()
        if member is None or not has_perm_at(actor, Perm.RIGHTS_HANDLE, member.org.path):
            errors.add("member", _("There is no such member in your scope."))
    comment = normalize_text(data.comment or "")
    if len(comment) > MAX_REASON:
        errors.add("comment", _("Enter at most %(max_length)s characters.") % {"max_length": MAX_REASON})
    errors.raise_if_any(_("Some of the facts are not valid. See the fields."))
    before = snapshot(aid, ELIGIBILITY_FIELDS)
    check = check_eligibility(
        member=member,
        org=aid.org,
        year=aid.submitted_on.year,
        household_size=size,
        household_monthly_income=income,
    )
    aid.member = member
    aid.household_size = size
    aid.household_monthly_income = income
    aid.per_capita_income = check.per_capita_income
    aid.threshold = check.threshold
    aid.threshold_org = check.threshold_org
    aid.eligible_as_member = check.as_member
    aid.eligible_by_hardship_file = check.by_hardship_file
    aid.eligible_by_income = check.by_income
    was_eligible = aid.is_eligible
    aid.is_eligible = check.eligible
    changes = changes_between(before, snapshot(aid, ELIGIBILITY_FIELDS))
    if not changes:
        return aid
    aid.save()
    result = _("Eligibility checked again: %(before)s → %(after)s.") % {
        "before": _eligibility_label(was_eligible),
        "after": _eligibility_label(aid.is_eligible),
    }
    LegalAidHistory.objects.create(
        aid=aid,
        action=AidAction.RECHECK,
        from_status=aid.status,
        to_status=aid.status,
        actor=actor,
        comment=f"{result} {comment}" if comment else result,
    )
    record_audit(actor=actor, action="legal.recheck_aid", obj=aid, changes=changes, note=comment)
    return aid


# --- messages and documents ----------------------------------------------------------------------


def author_of(actor: Any, aid: LegalAid) -> str | None:
    if aid.applicant_id is not None and aid.applicant_id == getattr(actor, "pk", None):
        return Author.ASKER
    if is_assigned_lawyer(actor, aid):
        return Author.LAWYER
    if may_handle(actor, aid):
        return Author.OFFICER
    return None


@transaction.atomic
def post_message(aid_id: int, *, actor: Any, text: str) -> AidMessage:
    aid = _locked(aid_id)
    author = author_of(actor, aid)
    if author is None:
        if has_perm_at(actor, Perm.RIGHTS_VIEW, aid.org.path):
            raise Forbidden(_("Only officers who handle rights cases for this union may do this."))
        raise NotFound(_("There is no such legal aid application."))
    errors = FieldErrors()
    body = clean_multiline(text, field="text", max_length=MAX_TEXT, errors=errors)
    if not body and "text" not in errors.fields:
        errors.add("text", _("Write a message."))
    errors.raise_if_any()
    if aid.status == AidStatus.CLOSED:
        raise Conflict(_("The case is closed: no more messages can be sent."), code="closed")
    message = AidMessage.objects.create(aid=aid, author=author, author_user=actor, text=body)
    aid.save(update_fields=["updated_at"])
    record_audit(
        actor=actor, action="legal.post_aid_message", obj=aid, changes={"messages": [None, message.pk]}
    )
    return message


@transaction.atomic
def add_documents(
    aid_id: int, *, actor: Any, documents: Sequence[tuple[str, bytes]]
) -> list[LegalAidDocument]:
    aid = _locked(aid_id)
    if author_of(actor, aid) is None:
        if has_perm_at(actor, Perm.RIGHTS_VIEW, aid.org.path):
            raise Forbidden(_("Only officers who handle rights cases for this union may do this."))
        raise NotFound(_("There is no such legal aid application."))
    if not documents:
        message = _("Choose at least one file.")
        raise ValidationFailed(message, fields={"file": [message]})
    if aid.status in (AidStatus.CLOSED, AidStatus.REJECTED):
        raise Conflict(_("The case is closed: no more documents can be added."), code="closed")
    if aid.documents.count() + len(documents) > MAX_DOCUMENTS:
        raise too_many_documents(MAX_DOCUMENTS)
    added: list[LegalAidDocument] = []
    stored = []
    for name, content in documents:
        document = LegalAidDocument(aid=aid)
        stored.append(store_document(document, actor=actor, name=name, content=content))
        added.append(document)
    record_audit(
        actor=actor, action="legal.add_aid_documents", obj=aid, changes={"documents": [None, stored]}
    )
    return added


def is_overdue(aid: LegalAid, today: date | None = None) -> bool:
    return aid.status in (AidStatus.SUBMITTED, AidStatus.UNDER_REVIEW) and aid.review_due < (
        today or timezone.localdate()
    )
