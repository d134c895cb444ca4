"""Hardship files (困难档案): applying, review, the yearly re-check and leaving the record.

    applied ──approve (grade)──▶ on_file ──recheck (keep / regrade)──▶ on_file
       │                           │  └──recheck (exit) / exit──▶ exited
       └──reject (opinion)──▶ rejected

A member applies in the portal for their own household; an officer holding ASSISTANCE_HANDLE on
the member's union applies for them. The household is listed person by person (the member is
the row "self"); the service computes its size, the total and per-capita monthly income (exact,
to the fen, half up) and compares it with the threshold in force for the union's nearest
federation (services/thresholds.py). Review, re-check and exit need ASSISTANCE_HANDLE on the
file's union (`HARDSHIP_FILE_TRANSITIONS`).

A family is not on file twice: every person of a household is a `HouseholdMember` row whose
blind index is unique among the active rows (files applied for or on record), a partial unique
index. The service looks first, to name the person in its refusal; the index decides when two
applications race, and its IntegrityError is answered with the same refusal.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.assistance.models import (
    HARDSHIP_FILE_TRANSITIONS,
    MAX_REASON,
    Channel,
    HardshipCause,
    HardshipDocument,
    HardshipFile,
    HardshipFileAction,
    HardshipFileCause,
    HardshipFileHistory,
    HardshipFileStatus,
    HardshipGrade,
    HardshipRecheck,
    HouseholdMember,
    Occupation,
    RecheckResult,
    Relation,
)
from gonghui.assistance.services.thresholds import threshold_for
from gonghui.core.audit import changes_between, record_audit, snapshot
from gonghui.core.documents import store_document, too_many_documents
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationFailed
from gonghui.core.idnumbers import InvalidIdNumber, mask_id_number, parse_id_number
from gonghui.core.money import InvalidAmount, from_fen, parse_money, to_fen
from gonghui.core.text import mask_name, normalize_name, normalize_text
from gonghui.members.models import Member, MemberStatus, id_number_index
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at

MAX_HOUSEHOLD = 20
MAX_DOCUMENTS = 20
MAX_SITUATION = 2000
MAX_PERSON_NAME = 60
MAX_HEALTH = 200
# A file applied for and not decided after this many days is shown as overdue in the queue.
REVIEW_DAYS = 30
FILE_FIELDS = (
    "member",
    "org",
    "year",
    "status",
    "grade",
    "household_size",
    "household_monthly_income",
    "per_capita_income",
    "threshold",
    "threshold_org",
    "channel",
    "opinion",
    "last_checked_on",
    "recheck_due",
    "exited_on",
    "exit_reason",
)
# Statuses in which documents can still be added to a file.
OPEN_FOR_DOCUMENTS = frozenset({HardshipFileStatus.APPLIED, HardshipFileStatus.ON_FILE})


@dataclass(frozen=True)
class PersonInput:
    relation: str
    name: str
    id_number: str
    occupation: str
    monthly_income: Decimal | str
    health: str = ""


@dataclass(frozen=True)
class _Person:
    relation: str
    name: str
    id_number: str
    person_index: str
    occupation: str
    monthly_income: Decimal
    health: str


@dataclass(frozen=True)
class Figures:
    household_size: int
    household_monthly_income: Decimal
    per_capita_income: Decimal


def household_figures(incomes: Iterable[Decimal], other_monthly_income: Decimal) -> Figures:
    """Size, total and per-capita monthly income; the per-capita figure is the exact quotient
    rounded half up to the fen, computed in whole fen so that no decimal context can round it."""
    amounts = list(incomes)
    if not amounts:
        raise ValueError("A household has at least one person.")
    total_fen = sum(to_fen(amount) for amount in amounts) + to_fen(other_monthly_income)
    size = len(amounts)
    per_capita_fen = (2 * total_fen + size) // (2 * size)  # half up, for a total of 0 or more
    return Figures(size, from_fen(total_fen), from_fen(per_capita_fen))


def one_year_after(day: date) -> date:
    """The same day a year later; 29 February becomes 28 February."""
    year = day.year + 1
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def is_overdue(hardship_file: HardshipFile, today: date | None = None) -> bool:
    """An application waiting for a decision longer than REVIEW_DAYS."""
    if hardship_file.status != HardshipFileStatus.APPLIED:
        return False
    day = today or timezone.localdate()
    return timezone.localdate(hardship_file.created_at) < day - timedelta(days=REVIEW_DAYS)


def may_handle(actor: Any, hardship_file: HardshipFile) -> bool:
    return has_perm_at(actor, Perm.ASSISTANCE_HANDLE, hardship_file.org.path)


def own_membership(actor: Any) -> Member | None:
    """The signed-in account's active membership (None for anyone else)."""
    if not getattr(actor, "is_authenticated", False):
        return None
    member: Member | None = (
        Member.objects.filter(user=actor, status=MemberStatus.ACTIVE).select_related("org").first()
    )
    return member


def my_files(actor: Any) -> Any:
    """The files of the person behind the signed-in account (any of their memberships), newest
    first: a person is their ID number's blind index, not one membership row."""
    if not getattr(actor, "is_authenticated", False):
        return HardshipFile.objects.none()
    indexes = Member.objects.filter(user=actor).values_list("id_number_index", flat=True)
    return HardshipFile.objects.filter(person_index__in=list(indexes)).select_related("org", "member")


def get_my_file(actor: Any, pk: int) -> HardshipFile:
    found: HardshipFile | None = my_files(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("The hardship file was not found."))
    return found


# --- applying ----------------------------------------------------------------------------------


def _applicant(actor: Any, member: Member | int | None) -> tuple[Member, str]:
    if member is None:
        own = own_membership(actor)
        if own is None:
            raise NotFound(_("There is no active union membership under your account."))
        return own, Channel.MEMBER
    pk = member.pk if isinstance(member, Member) else member
    found = Member.objects.select_related("org").filter(pk=pk).first()
    if found is None or not has_perm_at(actor, Perm.ASSISTANCE_HANDLE, found.org.path):
        raise NotFound(_("The member was not found."))
    if found.status != MemberStatus.ACTIVE:
        raise Conflict(_("Only an active member can apply for hardship assistance."))
    return found, Channel.OFFICER


def _text(errors: FieldErrors, field: str, raw: str | None, limit: int, *, required: bool) -> str:
    text = normalize_text(raw or "") if isinstance(raw, str) or raw is None else ""
    if required and not text:
        errors.add(field, _("This field is required."))
    elif len(text) > limit:
        errors.add(field, _("Enter at most %(limit)s characters.") % {"limit": limit})
    return text


def _amount(errors: FieldErrors, field: str, value: Decimal | str | None) -> Decimal:
    """A monthly income: 0 or more yuan with at most 2 decimals; empty counts as 0."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal("0.00")
    try:
        if isinstance(value, Decimal):
            if not value.is_finite():
                raise InvalidAmount("format")
            return parse_money(format(value, "f"))
        if isinstance(value, str):
            return parse_money(value)
        raise InvalidAmount("format")
    except InvalidAmount as exc:
        errors.add(field, exc.message)
        return Decimal("0.00")


def _people(errors: FieldErrors, household: Sequence[PersonInput], member: Member) -> list[_Person]:
    if not household:
        errors.add("household", _("List the people of the household, starting with the member."))
        return []
    if len(household) > MAX_HOUSEHOLD:
        errors.add(
            "household", _("A household can have at most %(limit)s people.") % {"limit": MAX_HOUSEHOLD}
        )
        return []
    people: list[_Person] = []
    seen: dict[str, int] = {}
    selves = 0
    for position, person in enumerate(household):
        at = f"household.{position}"
        relation = person.relation if person.relation in Relation.values else ""
        if not relation:
            errors.add(f"{at}.relation", _("Choose the relation to the member."))
        name = normalize_name(person.name or "") if isinstance(person.name, str) else ""
        if not name:
            errors.add(f"{at}.name", _("This field is required."))
        elif len(name) > MAX_PERSON_NAME:
            errors.add(f"{at}.name", _("Enter at most %(limit)s characters.") % {"limit": MAX_PERSON_NAME})
        occupation = person.occupation if person.occupation in Occupation.values else ""
        if not occupation:
            errors.add(f"{at}.occupation", _("Choose what the person does."))
        income = _amount(errors, f"{at}.monthly_income", person.monthly_income)
        health = _text(errors, f"{at}.health", person.health, MAX_HEALTH, required=False)
        id_value = ""
        index = ""
        try:
            id_value = parse_id_number(person.id_number if isinstance(person.id_number, str) else "").value
        except InvalidIdNumber as exc:
            errors.add(f"{at}.id_number", exc.message)
        else:
            index = id_number_index(id_value)
            if index in seen:
                errors.add(
                    f"{at}.id_number",
                    _("This ID number is already given for person %(line)s.") % {"line": seen[index] + 1},
                )
            else:
                seen[index] = position
        if relation == Relation.SELF:
            selves += 1
            if index and index != member.id_number_index:
                errors.add(
                    f"{at}.id_number", _("The row “The member” must carry the member's own ID number.")
                )
        people.append(_Person(relation, name, id_value, index, occupation, income, health))
    if selves != 1:
        errors.add("household", _("Exactly one person must be “The member” themselves."))
    return people


def _causes(errors: FieldErrors, causes: Sequence[str]) -> list[str]:
    chosen = [cause for cause in HardshipCause.values if cause in set(causes)]
    if any(cause not in HardshipCause.values for cause in causes):
        errors.add("causes", _("Choose the causes from the list."))
    elif not chosen:
        errors.add("causes", _("Choose at least one cause of the hardship."))
    return chosen


def _refuse_if_on_file(people: Sequence[_Person], channel: str, exclude_file: int | None = None) -> None:
    """Conflict naming the first person of the household who is in another active file."""
    indexes = [person.person_index for person in people]
    taken = HouseholdMember.objects.filter(active=True, person_index__in=indexes).select_related("file")
    if exclude_file is not None:
        taken = taken.exclude(file_id=exclude_file)
    by_index = {row.person_index: row for row in taken}
    for position, person in enumerate(people):
        row = by_index.get(person.person_index)
        if row is None:
            continue
        names = {"name": mask_name(person.name), "id_number": mask_id_number(person.id_number)}
        if channel == Channel.OFFICER:
            message = _(
                "%(name)s (%(id_number)s) is already in hardship file %(reference)s, which is applied "
                "for or on record. A family is kept in one file only."
            ) % {**names, "reference": row.file.reference}
        else:
            message = (
                _(
                    "%(name)s (%(id_number)s) is already in a hardship file that is applied for or on "
                    "record. A family is kept in one file only: ask your union if this is not right."
                )
                % names
            )
        raise Conflict(message, code="already_on_file", fields={f"household.{position}.id_number": [message]})


def _history(hardship_file: HardshipFile, action: str, before: str, actor: Any, comment: str = "") -> None:
    HardshipFileHistory.objects.create(
        file=hardship_file,
        action=action,
        from_status=before,
        to_status=hardship_file.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        comment=comment,
    )


def _check_documents(documents: Sequence[tuple[str, bytes]], already: int = 0) -> None:
    if already + len(documents) > MAX_DOCUMENTS:
        raise too_many_documents(MAX_DOCUMENTS)


@transaction.atomic
def apply_for_hardship(
    *,
    actor: Any,
    member: Member | int | None = None,
    household: Sequence[PersonInput],
    other_monthly_income: Decimal | str | None = None,
    causes: Sequence[str],
    situation: str,
    documents: Sequence[tuple[str, bytes]] = (),
) -> HardshipFile:
    """A new file, status `applied`. `member=None`: the signed-in member applies for their own
    household; otherwise an officer applies for `member`. `documents`: (file name, bytes) pairs,
    stored with the file (all or nothing)."""
    applicant, channel = _applicant(actor, member)
    errors = FieldErrors()
    people = _people(errors, household, applicant)
    other = _amount(errors, "other_monthly_income", other_monthly_income)
    chosen = _causes(errors, causes)
    text = _text(errors, "situation", situation, MAX_SITUATION, required=True)
    errors.raise_if_any(_("Some of the application is not valid. See the fields."))
    _check_documents(documents)
    _refuse_if_on_file(people, channel)

    figures = household_figures((person.monthly_income for person in people), other)
    today = timezone.localdate()
    threshold = threshold_for(applicant.org, today.year)
    hardship_file = HardshipFile.objects.create(
        member=applicant,
        person_index=applicant.id_number_index,
        org=applicant.org,
        year=today.year,
        status=HardshipFileStatus.APPLIED,
        situation=text,
        other_monthly_income=other,
        household_size=figures.household_size,
        household_monthly_income=figures.household_monthly_income,
        per_capita_income=figures.per_capita_income,
        threshold=threshold.monthly_per_capita if threshold is not None else None,
        threshold_org=threshold.org if threshold is not None else None,
        channel=channel,
        submitted_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    HardshipFileCause.objects.bulk_create(
        HardshipFileCause(file=hardship_file, cause=cause) for cause in chosen
    )
    try:
        with transaction.atomic():
            HouseholdMember.objects.bulk_create(
                HouseholdMember(
                    file=hardship_file,
                    position=position,
                    relation=person.relation,
                    name=person.name,
                    id_number=person.id_number,
                    person_index=person.person_index,
                    occupation=person.occupation,
                    monthly_income=person.monthly_income,
                    health=person.health,
                )
                for position, person in enumerate(people, start=1)
            )
    except IntegrityError:  # a file with one of these people was committed a moment ago
        _refuse_if_on_file(people, channel, exclude_file=hardship_file.pk)
        raise Conflict(
            _("Someone of this household was put on file at the same moment. Try again."),
            code="already_on_file",
        ) from None
    _history(hardship_file, HardshipFileAction.APPLY, "", actor)
    stored = [
        store_document(HardshipDocument(hardship_file=hardship_file), actor=actor, name=name, content=content)
        for name, content in documents
    ]
    after = snapshot(hardship_file, FILE_FIELDS)
    after["causes"] = chosen
    after["household"] = [
        [p.relation, mask_name(p.name), mask_id_number(p.id_number), str(p.monthly_income)] for p in people
    ]
    after["documents"] = stored
    record_audit(
        actor=actor,
        action="assistance.apply_for_hardship",
        obj=hardship_file,
        changes=changes_between({}, after),
    )
    return hardship_file


# --- documents ---------------------------------------------------------------------------------


@transaction.atomic
def add_hardship_documents(
    hardship_file: HardshipFile | int, *, actor: Any, documents: Sequence[tuple[str, bytes]]
) -> list[HardshipDocument]:
    """Documents for a file applied for or on record: by the person whose file it is, or by an
    officer holding ASSISTANCE_HANDLE on its union."""
    found = _locked(hardship_file)
    own = (
        found.person_index in set(Member.objects.filter(user=actor).values_list("id_number_index", flat=True))
        if getattr(actor, "is_authenticated", False)
        else False
    )
    if not own and not may_handle(actor, found):
        if has_perm_at(actor, Perm.ASSISTANCE_VIEW, found.org.path):
            raise Forbidden(_("Only officers who handle hardship assistance for this union may do this."))
        raise NotFound(_("The hardship file was not found."))
    if not documents:
        message = _("Choose at least one file.")
        raise ValidationFailed(message, fields={"file": [message]})
    if found.status not in OPEN_FOR_DOCUMENTS:
        raise Conflict(_("The file is closed: no more documents can be added."))
    _check_documents(documents, found.documents.count())
    added: list[HardshipDocument] = []
    stored: list[dict[str, Any]] = []
    for name, content in documents:
        document = HardshipDocument(hardship_file=found)
        stored.append(store_document(document, actor=actor, name=name, content=content))
        added.append(document)
    record_audit(
        actor=actor,
        action="assistance.add_hardship_documents",
        obj=found,
        changes={"documents": [None, stored]},
    )
    return added


# --- review, re-check, exit --------------------------------------------------------------------


def _locked(hardship_file: HardshipFile | int) -> HardshipFile:
    pk = hardship_file.pk if isinstance(hardship_file, HardshipFile) else hardship_file
    found: HardshipFile | None = (
        HardshipFile.objects.select_for_update(of=("self",))
        .select_related("org", "member")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("The hardship file was not found."))
    return found


def _begin(hardship_file: HardshipFile | int, action: str, actor: Any) -> tuple[HardshipFile, dict[str, Any]]:
    """Lock the file, check the actor's authority and that `action` may follow its status."""
    found = _locked(hardship_file)
    transition = HARDSHIP_FILE_TRANSITIONS.lookup(action)
    if not has_perm_at(actor, transition.perm, found.org.path):
        if has_perm_at(actor, Perm.ASSISTANCE_VIEW, found.org.path):
            raise Forbidden(_("Only officers who handle hardship assistance for this union may do this."))
        raise NotFound(_("The hardship file was not found."))
    HARDSHIP_FILE_TRANSITIONS.require(action, found.status)
    return found, snapshot(found, FILE_FIELDS)


def _finish(
    hardship_file: HardshipFile,
    action: str,
    before: dict[str, Any],
    actor: Any,
    comment: str,
    *,
    extra: Any = None,
) -> HardshipFile:
    previous = before["status"]
    hardship_file.status = HARDSHIP_FILE_TRANSITIONS[action].target
    hardship_file.save()
    _history(hardship_file, action, previous, actor, comment)
    changes = changes_between(before, snapshot(hardship_file, FILE_FIELDS))
    if extra:
        changes["recheck"] = [None, extra]
    record_audit(actor=actor, action=f"assistance.{action}_hardship_file", obj=hardship_file, changes=changes)
    return hardship_file


def _release_household(hardship_file: HardshipFile) -> None:
    """The people of a closed file may be on a new file again."""
    HouseholdMember.objects.filter(file=hardship_file).update(active=False)


def _grade(errors: FieldErrors, grade: str | None) -> str:
    if not grade:
        errors.add("grade", _("Choose a grade."))
        return ""
    if grade not in HardshipGrade.values:
        errors.add("grade", _("Choose one of the grades."))
        return ""
    return grade


def _stamp(hardship_file: HardshipFile, actor: Any) -> None:
    hardship_file.reviewed_by = actor if getattr(actor, "is_authenticated", False) else None
    hardship_file.reviewed_at = timezone.now()


@transaction.atomic
def approve_hardship_file(
    hardship_file: HardshipFile | int, *, actor: Any, grade: str, opinion: str = ""
) -> HardshipFile:
    """Put the file on record with its grade; the first re-check falls due a year later."""
    found, before = _begin(hardship_file, HardshipFileAction.APPROVE, actor)
    errors = FieldErrors()
    chosen = _grade(errors, grade)
    text = _text(errors, "opinion", opinion, MAX_REASON, required=False)
    errors.raise_if_any()
    found.grade = chosen
    found.opinion = text
    found.recheck_due = one_year_after(timezone.localdate())
    _stamp(found, actor)
    return _finish(found, HardshipFileAction.APPROVE, before, actor, text)


@transaction.atomic
def reject_hardship_file(hardship_file: HardshipFile | int, *, actor: Any, opinion: str) -> HardshipFile:
    found, before = _begin(hardship_file, HardshipFileAction.REJECT, actor)
    errors = FieldErrors()
    text = _text(errors, "opinion", opinion, MAX_REASON, required=True)
    errors.raise_if_any()
    found.opinion = text
    _stamp(found, actor)
    _release_household(found)
    return _finish(found, HardshipFileAction.REJECT, before, actor, text)


def _exit(found: HardshipFile, reason: str, day: date) -> None:
    found.exited_on = day
    found.exit_reason = reason
    found.recheck_due = None
    _release_household(found)


@transaction.atomic
def exit_hardship_file(hardship_file: HardshipFile | int, *, actor: Any, reason: str) -> HardshipFile:
    """The household leaves the record (no longer in hardship, moved away, ...)."""
    found, before = _begin(hardship_file, HardshipFileAction.EXIT, actor)
    errors = FieldErrors()
    text = _text(errors, "reason", reason, MAX_REASON, required=True)
    errors.raise_if_any()
    _exit(found, text, timezone.localdate())
    return _finish(found, HardshipFileAction.EXIT, before, actor, text)


@transaction.atomic
def recheck_hardship_file(
    hardship_file: HardshipFile | int,
    *,
    actor: Any,
    result: str,
    opinion: str,
    grade: str = "",
    per_capita_income: Decimal | str | None = None,
) -> HardshipRecheck:
    """Record the yearly re-check. `keep`: same grade; `regrade`: a new `grade`; `exit`: the
    file leaves the record (a re-check row, then the exit, each with its history row). A new
    per-capita income (optional) replaces the file's and is compared with this year's threshold;
    the next re-check falls due a year later."""
    found, before = _begin(hardship_file, HardshipFileAction.RECHECK, actor)
    errors = FieldErrors()
    if result not in RecheckResult.values:
        errors.add("result", _("Choose the result of the re-check."))
    new_grade = ""
    if result == RecheckResult.REGRADE:
        new_grade = _grade(errors, grade)
        if new_grade and new_grade == found.grade:
            errors.add("grade", _("Choose a grade different from the current one, or keep the grade."))
    text = _text(errors, "opinion", opinion, MAX_REASON, required=True)
    income: Decimal | None = None
    if per_capita_income is not None and not (
        isinstance(per_capita_income, str) and not per_capita_income.strip()
    ):
        income = _amount(errors, "per_capita_income", per_capita_income)
    errors.raise_if_any()
    today = timezone.localdate()
    recheck = HardshipRecheck.objects.create(
        file=found,
        checked_on=today,
        result=result,
        grade_before=found.grade,
        grade_after=new_grade or (found.grade if result == RecheckResult.KEEP else ""),
        per_capita_income=income if income is not None else found.per_capita_income,
        opinion=text,
        checked_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if income is not None:
        found.per_capita_income = income
        threshold = threshold_for(found.org, today.year)
        found.threshold = threshold.monthly_per_capita if threshold is not None else None
        found.threshold_org = threshold.org if threshold is not None else None
    if new_grade:
        found.grade = new_grade
    found.last_checked_on = today
    found.recheck_due = one_year_after(today)
    extra = {"result": result, "per_capita_income": str(recheck.per_capita_income)}
    _finish(found, HardshipFileAction.RECHECK, before, actor, text, extra=extra)
    if result == RecheckResult.EXIT:
        before_exit = snapshot(found, FILE_FIELDS)
        HARDSHIP_FILE_TRANSITIONS.require(HardshipFileAction.EXIT, found.status)
        _exit(found, text, today)
        _finish(found, HardshipFileAction.EXIT, before_exit, actor, text)
    return recheck


def recheck_due_by(day: date) -> date:
    """The last due date the "re-check due" list shows: what falls due within a month."""
    return day + timedelta(days=REVIEW_DAYS)
