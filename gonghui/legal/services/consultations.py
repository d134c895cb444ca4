"""Legal consultations: logged by an officer, asked online by a worker, answered by an officer
or the lawyer it was referred to, followed up by the worker.

An open question is due within the working-day rule `legal.consultation_answer`, counted from the
day it was asked (or, after a follow-up question, from the day of the follow-up): the console's
queue lists those waiting and those past their date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.core.audit import record_audit
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationFailed
from gonghui.core.inputs import clean_multiline, text_problem
from gonghui.core.mobile import InvalidMobile, mask_mobile, parse_mobile
from gonghui.core.text import normalize_name
from gonghui.legal.models import (
    MAX_NAME,
    MAX_TEXT,
    Author,
    Channel,
    ConsultationMessage,
    ConsultationStatus,
    Lawyer,
    LegalConsultation,
    Topic,
)
from gonghui.legal.selectors import is_assigned_lawyer, lawyer_of, may_handle
from gonghui.legal.services.lawyers import handled_org, lawyers_for
from gonghui.members.models import Member
from gonghui.members.services.selfservice import current_membership
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at
from gonghui.workdays.deadlines import due_date

ANSWER_RULE = "legal.consultation_answer"
OFFICER_CHANNELS = frozenset({Channel.WALK_IN, Channel.HOTLINE, Channel.OUTREACH})
# A worker's open questions at once: enough for real needs, a stop for a script filling the queue.
MAX_OPEN_PER_ASKER = 5


@dataclass(frozen=True)
class LogInput:
    org_id: int
    channel: str
    topic: str
    question: str
    asker_name: str = ""
    asker_mobile: str = ""
    answer: str = ""  # a walk-in or hotline question is often answered at once
    asked_on: date | None = None
    lawyer_id: int | None = None  # the volunteer lawyer on duty who answered it, if not the officer


def _text(errors: FieldErrors, field: str, value: Any, *, required: bool) -> str:
    text = clean_multiline(value, field=field, max_length=MAX_TEXT, errors=errors)
    if required and not text and field not in errors.fields:
        errors.add(field, _("This field is required."))
    return text


def _topic(errors: FieldErrors, topic: str) -> None:
    if topic not in Topic.values:
        errors.add("topic", _("Choose a topic from the list."))


def _mobile(errors: FieldErrors, raw: str, *, required: bool) -> str:
    if not raw or not raw.strip():
        if required:
            errors.add("asker_mobile", _("This field is required."))
        return ""
    try:
        return parse_mobile(raw)
    except InvalidMobile as exc:
        errors.add("asker_mobile", exc.message)
        return ""


def default_org() -> Org:
    """Where a question of a worker with no membership goes: the city federation (the root)."""
    root: Org | None = Org.objects.filter(depth=1).order_by("path").first()
    if root is None:
        raise Conflict(_("The platform has no federation yet."))
    return root


def routed_org(member: Member | None) -> Org:
    return member.org if member is not None else default_org()


def _audit_new(actor: Any, consultation: LegalConsultation, action: str) -> None:
    record_audit(
        actor=actor,
        action=action,
        obj=consultation,
        changes={
            "channel": [None, consultation.channel],
            "topic": [None, consultation.topic],
            "asker_mobile": [
                None,
                mask_mobile(consultation.asker_mobile) if consultation.asker_mobile else "",
            ],
            "status": [None, consultation.status],
        },
    )


@transaction.atomic
def log_consultation(*, actor: Any, data: LogInput) -> LegalConsultation:
    """An officer records a consultation taken at the desk, on the hotline or on an outreach
    visit; with `answer` it is recorded as answered."""
    org = handled_org(actor, data.org_id)
    errors = FieldErrors()
    if data.channel not in OFFICER_CHANNELS:
        errors.add("channel", _("Choose walk-in, hotline or on-site outreach."))
    _topic(errors, data.topic)
    question = _text(errors, "question", data.question, required=True)
    answer = _text(errors, "answer", data.answer, required=False)
    name = normalize_name(data.asker_name or "")
    problem = text_problem(name, max_length=MAX_NAME, required=False)
    if problem:
        errors.add("asker_name", problem)
    mobile = _mobile(errors, data.asker_mobile, required=False)
    today = timezone.localdate()
    asked_on = data.asked_on or today
    if asked_on > today:
        errors.add("asked_on", _("The date cannot be in the future."))
    lawyer = None
    if data.lawyer_id is not None:
        lawyer = lawyers_for(org).filter(pk=data.lawyer_id).first()
        if lawyer is None:
            errors.add("lawyer", _("Choose an active lawyer who serves this union."))
        elif not answer:
            errors.add("answer", _("Write the lawyer's answer, or leave the lawyer empty."))
    errors.raise_if_any()
    consultation = LegalConsultation.objects.create(
        org=org,
        channel=data.channel,
        topic=data.topic,
        question=question,
        asker_name=name,
        asker_mobile=mobile,
        asked_on=asked_on,
        answer_due=due_date(ANSWER_RULE, asked_on),
        logged_by=actor,
        lawyer=lawyer,
    )
    if answer:
        _add_answer(consultation, actor, answer, lawyer=lawyer)
    _audit_new(actor, consultation, "legal.log_consultation")
    return consultation


@transaction.atomic
def ask_online(*, actor: Any, topic: str, question: str, mobile: str = "") -> LegalConsultation:
    """A signed-in worker asks a question. It goes to their union if they are a member, to the
    city federation otherwise; the answer comes in the portal."""
    if not isinstance(actor, User) or not actor.is_authenticated:
        raise NotFound(_("Sign in to ask a question."))
    errors = FieldErrors()
    _topic(errors, topic)
    text = _text(errors, "question", question, required=True)
    contact = _mobile(errors, mobile or actor.mobile, required=False)
    if "asker_mobile" in errors.fields:
        errors.fields["mobile"] = errors.fields.pop("asker_mobile")
    errors.raise_if_any()
    if (
        LegalConsultation.objects.filter(asker=actor, status=ConsultationStatus.AWAITING).count()
        >= MAX_OPEN_PER_ASKER
    ):
        raise Conflict(
            _("You have %(n)s questions waiting for an answer. Please wait for them to be answered first.")
            % {"n": MAX_OPEN_PER_ASKER},
            code="too_many_open",
        )
    member = current_membership(actor)
    today = timezone.localdate()
    consultation = LegalConsultation.objects.create(
        org=routed_org(member),
        channel=Channel.ONLINE,
        topic=topic,
        question=text,
        asker_name=member.name if member is not None else actor.display_name,
        asker_mobile=contact,
        asker=actor,
        member=member,
        asked_on=today,
        answer_due=due_date(ANSWER_RULE, today),
    )
    _audit_new(actor, consultation, "legal.ask_online")
    return consultation


def _locked(consultation_id: int) -> LegalConsultation:
    found: LegalConsultation | None = (
        LegalConsultation.objects.select_for_update(of=("self",))
        .select_related("org", "lawyer")
        .filter(pk=consultation_id)
        .first()
    )
    if found is None:
        raise NotFound(_("There is no such consultation."))
    return found


def _refuse(actor: Any, consultation: LegalConsultation) -> None:
    if has_perm_at(actor, Perm.RIGHTS_VIEW, consultation.org.path):
        raise Forbidden(_("Only officers who handle rights cases for this union may do this."))
    raise NotFound(_("There is no such consultation."))


def _add_answer(consultation: LegalConsultation, actor: Any, text: str, *, lawyer: Lawyer | None) -> None:
    ConsultationMessage.objects.create(
        consultation=consultation,
        author=Author.LAWYER if lawyer is not None else Author.OFFICER,
        author_user=actor,
        lawyer=lawyer,
        text=text,
    )
    consultation.status = ConsultationStatus.ANSWERED
    consultation.answered_at = timezone.now()
    consultation.save(update_fields=["status", "answered_at", "updated_at"])


@transaction.atomic
def answer_consultation(consultation_id: int, *, actor: Any, text: str) -> LegalConsultation:
    """An answer by a handling officer (rights.handle on the consultation's org) or by the lawyer
    it was referred to. Answering again after a follow-up question is the same step."""
    consultation = _locked(consultation_id)
    lawyer = lawyer_of(actor) if is_assigned_lawyer(actor, consultation) else None
    if lawyer is None and not may_handle(actor, consultation):
        _refuse(actor, consultation)
    errors = FieldErrors()
    answer = _text(errors, "text", text, required=True)
    errors.raise_if_any()
    before = consultation.status
    _add_answer(consultation, actor, answer, lawyer=lawyer)
    record_audit(
        actor=actor,
        action="legal.answer_consultation",
        obj=consultation,
        changes={"status": [before, consultation.status]},
    )
    return consultation


@transaction.atomic
def refer_to_lawyer(consultation_id: int, *, actor: Any, lawyer_id: int | None) -> LegalConsultation:
    """Refer the question to a volunteer lawyer serving its union (or an org above it), or take
    the referral back (`lawyer_id=None`)."""
    consultation = _locked(consultation_id)
    if not may_handle(actor, consultation):
        _refuse(actor, consultation)
    lawyer = None
    if lawyer_id is not None:
        lawyer = lawyers_for(consultation.org).filter(pk=lawyer_id).first()
        if lawyer is None:
            message = _("Choose an active lawyer who serves this union.")
            raise ValidationFailed(message, fields={"lawyer": [message]})
    before = consultation.lawyer_id
    consultation.lawyer = lawyer
    consultation.save(update_fields=["lawyer", "updated_at"])
    record_audit(
        actor=actor,
        action="legal.refer_consultation",
        obj=consultation,
        changes={"lawyer": [before, lawyer.pk if lawyer else None]},
    )
    return consultation


@transaction.atomic
def follow_up(consultation_id: int, *, actor: Any, text: str) -> LegalConsultation:
    """The worker who asked adds a follow-up question: the consultation waits for an answer again,
    due by the same rule counted from today."""
    consultation = _locked(consultation_id)
    if consultation.asker_id is None or consultation.asker_id != getattr(actor, "pk", None):
        raise NotFound(_("There is no such consultation."))
    errors = FieldErrors()
    question = _text(errors, "text", text, required=True)
    errors.raise_if_any()
    today = timezone.localdate()
    before = consultation.status
    ConsultationMessage.objects.create(
        consultation=consultation, author=Author.ASKER, author_user=actor, text=question
    )
    consultation.status = ConsultationStatus.AWAITING
    consultation.answer_due = due_date(ANSWER_RULE, today)
    consultation.save(update_fields=["status", "answer_due", "updated_at"])
    record_audit(
        actor=actor,
        action="legal.follow_up_consultation",
        obj=consultation,
        changes={"status": [before, consultation.status]},
    )
    return consultation


def may_answer(actor: Any, consultation: LegalConsultation) -> bool:
    return is_assigned_lawyer(actor, consultation) or has_perm_at(
        actor, Perm.RIGHTS_HANDLE, consultation.org.path
    )
