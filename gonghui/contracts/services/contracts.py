"""Registering collective contracts, their workflow (bring into force, terminate), renewal,
filing with the labour administration and the signed documents.

Every write needs `Perm.CONTRACTS_CHANGE` on the contract's registering union; a contract
outside the actor's `CONTRACTS_VIEW` scope is a missing one (NotFound). A new contract is a
draft; bringing it into force checks, with the covered workplaces' rows locked, that no other
general contract of the same workplace is in force over an overlapping term (see models.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gonghui.contracts.models import (
    OFFICER_ACTIONS,
    TRANSITIONS,
    Clause,
    CollectiveContract,
    ContractAction,
    ContractCoverage,
    ContractDocument,
    ContractHistory,
    ContractKind,
    ContractScope,
    ContractStatus,
    ReviewResult,
    TopicCategory,
)
from gonghui.core.audit import record_audit
from gonghui.core.documents import store_document, too_many_documents
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationFailed
from gonghui.core.inputs import clean_multiline, text_problem
from gonghui.core.text import normalize_text
from gonghui.orgs.models import Industry, Org, OrgStatus, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at, visible
from gonghui.workdays.deadlines import due_date

REMINDER_RULE = "contracts.expiry_reminder"
TITLE_MAX = 200
NUMBER_MAX = 60
AREA_MAX = 200
REPRESENTATIVE_MAX = 120
CLAUSE_MAX = 2000
MAX_CLAUSES = 30
MAX_WORKPLACES = 5000
MAX_WORKERS = 10_000_000
REVIEW_NOTE_MAX = 500
REASON_MAX = 300
MAX_DOCUMENTS = 10
# 集体合同规定 (Provisions on Collective Contracts) art. 38: a term is generally one to three years.
MAX_TERM_YEARS = 3
MAX_MINIMUM_WAGE = Decimal("1000000")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class ClauseInput:
    topic: str
    text: str


@dataclass(frozen=True)
class ContractInput:
    """What a registration or renewal form holds, already parsed into types."""

    title: str
    signed_on: date | None
    term_start: date | None
    term_end: date | None
    workers_covered: int | None
    employer_representative: str
    union_representative: str
    workplace_codes: Sequence[str]
    scope: str = ContractScope.WORKPLACE
    kind: str = ContractKind.GENERAL
    number: str = ""
    wage_increase: Decimal | None = None
    minimum_wage: Decimal | None = None
    area_description: str = ""
    industry: str = ""
    clauses: Sequence[ClauseInput] = field(default_factory=tuple)


def _no_contract() -> NotFound:
    return NotFound(_("There is no such collective contract."))


def managed_org(actor: Any, org_id: int) -> Org:
    """The org `org_id` if the actor may register contracts there; NotFound otherwise."""
    org: Org | None = Org.objects.filter(pk=org_id).first()
    if org is None or not has_perm_at(actor, Perm.CONTRACTS_CHANGE, org.path):
        raise NotFound(_("There is no such union."))
    return org


def _contract(actor: Any, contract_id: int, *, lock: bool = False) -> CollectiveContract:
    """The contract if the actor sees it and may change it: NotFound when out of sight,
    Forbidden when they may only look."""
    rows = visible(CollectiveContract, actor, Perm.CONTRACTS_VIEW).select_related("org")
    if lock:
        rows = rows.select_for_update(of=("self",))
    contract = rows.filter(pk=contract_id).first()
    if contract is None:
        raise _no_contract()
    if not has_perm_at(actor, Perm.CONTRACTS_CHANGE, contract.org.path):
        raise Forbidden(_("You may look at this contract but not change it."))
    return contract


def _text(errors: FieldErrors, name: str, value: str, max_length: int, *, required: bool) -> str:
    text = normalize_text(value or "")
    problem = text_problem(text, max_length=max_length, required=required)
    if problem:
        errors.add(name, problem)
    return text


def _percent(errors: FieldErrors, value: Decimal | None) -> Decimal | None:
    if value is None:
        errors.add("wage_increase", _("Give the agreed wage increase in percent (0 for none)."))
        return None
    if not value.is_finite() or value < 0 or value > 100:
        errors.add("wage_increase", _("Give a percentage between 0 and 100."))
        return None
    if value != value.quantize(CENT):
        errors.add("wage_increase", _("Give at most two decimal places."))
        return None
    return value.quantize(CENT)


def _minimum_wage(errors: FieldErrors, value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite() or value <= 0 or value > MAX_MINIMUM_WAGE:
        errors.add("minimum_wage", _("Give the monthly minimum wage in yuan, more than 0."))
        return None
    if value != value.quantize(CENT):
        errors.add("minimum_wage", _("Give the amount in yuan with at most two decimal places."))
        return None
    return value.quantize(CENT)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _dates(errors: FieldErrors, data: ContractInput) -> None:
    today = timezone.localdate()
    for name in ("signed_on", "term_start", "term_end"):
        if getattr(data, name) is None:
            errors.add(name, _("Give the date."))
    if data.signed_on is not None and data.signed_on > today:
        errors.add("signed_on", _("The signing date cannot be in the future."))
    if data.term_start is None or data.term_end is None:
        return
    if data.term_end <= data.term_start:
        errors.add("term_end", _("The term must end after it starts."))
    elif data.term_end >= _add_years(data.term_start, MAX_TERM_YEARS):
        errors.add(
            "term_end",
            _(
                "A collective contract runs for at most %(years)d years "
                "(Provisions on Collective Contracts, art. 38)."
            )
            % {"years": MAX_TERM_YEARS},
        )
    if data.signed_on is not None and data.signed_on > data.term_end:
        errors.add("signed_on", _("The contract must be signed before its term ends."))


def _workplaces(errors: FieldErrors, actor: Any, scope: str, codes: Sequence[str]) -> list[Workplace]:
    wanted = list(dict.fromkeys(normalize_text(code).upper() for code in codes if normalize_text(code)))
    if not wanted:
        errors.add("workplaces", _("Give the credit code of at least one covered workplace."))
        return []
    if scope == ContractScope.WORKPLACE and len(wanted) > 1:
        errors.add("workplaces", _("A workplace contract covers exactly one workplace."))
        return []
    if len(wanted) > MAX_WORKPLACES:
        errors.add(
            "workplaces", _("At most %(limit)d workplaces can be covered.") % {"limit": MAX_WORKPLACES}
        )
        return []
    found = {
        workplace.credit_code: workplace
        for workplace in visible(Workplace, actor, Perm.WORKPLACE_VIEW).filter(credit_code__in=wanted)
    }
    missing = [code for code in wanted if code not in found]
    if missing:
        shown = "、".join(missing[:5]) + ("…" if len(missing) > 5 else "")
        errors.add(
            "workplaces",
            _("No workplace in your scope has the credit code %(codes)s.") % {"codes": shown},
        )
        return []
    return [found[code] for code in wanted]


def _clauses(errors: FieldErrors, clauses: Sequence[ClauseInput]) -> list[ClauseInput]:
    cleaned: list[ClauseInput] = []
    if len(clauses) > MAX_CLAUSES:
        errors.add("clauses", _("At most %(limit)d key clauses can be recorded.") % {"limit": MAX_CLAUSES})
        return []
    for index, clause in enumerate(clauses):
        inner = FieldErrors()
        text = clean_multiline(clause.text, field="text", max_length=CLAUSE_MAX, errors=inner)
        if not text and not inner:
            inner.add("text", _("Write the clause, or leave the row out."))
        if clause.topic not in TopicCategory.values:
            inner.add("topic", _("Choose the clause's topic."))
        for name, messages in inner.fields.items():
            for message in messages:
                errors.add(f"clauses.{index}.{name}", message)
        cleaned.append(ClauseInput(topic=clause.topic, text=text))
    return cleaned


@dataclass(frozen=True)
class _Clean:
    values: dict[str, Any]
    workplaces: list[Workplace]
    clauses: list[ClauseInput]


def _clean(actor: Any, data: ContractInput, *, scope: str, kind: str) -> _Clean:
    """Every check of a contract's fields at once (ValidationFailed with all of them)."""
    errors = FieldErrors()
    if scope not in ContractScope.values:
        errors.add("scope", _("Choose whether the contract covers one workplace, a region or an industry."))
    if kind not in ContractKind.values:
        errors.add("kind", _("Choose the kind of contract."))
    values: dict[str, Any] = {
        "title": _text(errors, "title", data.title, TITLE_MAX, required=True),
        "number": _text(errors, "number", data.number, NUMBER_MAX, required=False),
        "employer_representative": _text(
            errors, "employer_representative", data.employer_representative, REPRESENTATIVE_MAX, required=True
        ),
        "union_representative": _text(
            errors, "union_representative", data.union_representative, REPRESENTATIVE_MAX, required=True
        ),
        "signed_on": data.signed_on,
        "term_start": data.term_start,
        "term_end": data.term_end,
        "scope": scope,
        "kind": kind,
    }
    _dates(errors, data)
    if data.workers_covered is None or not 1 <= data.workers_covered <= MAX_WORKERS:
        errors.add("workers_covered", _("Give the number of workers the contract covers (at least 1)."))
    values["workers_covered"] = data.workers_covered
    if kind == ContractKind.WAGE:
        values["wage_increase"] = _percent(errors, data.wage_increase)
        values["minimum_wage"] = _minimum_wage(errors, data.minimum_wage)
    else:
        if data.wage_increase is not None:
            errors.add("wage_increase", _("A wage increase is recorded for wage agreements only."))
        if data.minimum_wage is not None:
            errors.add("minimum_wage", _("A minimum wage is recorded for wage agreements only."))
        values["wage_increase"] = values["minimum_wage"] = None
    if scope == ContractScope.WORKPLACE:
        values["area_description"], values["industry"] = "", ""
    else:
        values["area_description"] = _text(
            errors, "area_description", data.area_description, AREA_MAX, required=True
        )
        values["industry"] = ""
        if scope == ContractScope.INDUSTRY:
            if data.industry not in Industry.values:
                errors.add("industry", _("Choose the industry the contract covers."))
            values["industry"] = data.industry
    workplaces = _workplaces(errors, actor, scope, data.workplace_codes)
    clauses = _clauses(errors, data.clauses)
    errors.raise_if_any()
    return _Clean(values, workplaces, clauses)


def _number_taken() -> Conflict:
    message = _("This union already has a contract with this registration number.")
    return Conflict(message, code="number_taken", fields={"number": [message]})


def _history(contract: CollectiveContract, before: str, actor: Any, comment: str = "") -> None:
    ContractHistory.objects.create(
        contract=contract,
        from_status=before,
        to_status=contract.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        comment=comment,
    )


def _create(actor: Any, org: Org, clean: _Clean, previous: CollectiveContract | None) -> CollectiveContract:
    values = clean.values
    if values["number"] and CollectiveContract.objects.filter(org=org, number=values["number"]).exists():
        raise _number_taken()
    try:
        with transaction.atomic():
            contract = CollectiveContract.objects.create(
                org=org,
                previous=previous,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
                reminder_due_on=due_date(REMINDER_RULE, values["term_end"]),
                **values,
            )
    except IntegrityError:
        if previous is not None and CollectiveContract.objects.filter(previous=previous).exists():
            raise _already_renewed() from None
        raise _number_taken() from None
    ContractCoverage.objects.bulk_create(
        [ContractCoverage(contract=contract, workplace=workplace) for workplace in clean.workplaces]
    )
    Clause.objects.bulk_create(
        [
            Clause(contract=contract, position=position, topic=clause.topic, text=clause.text)
            for position, clause in enumerate(clean.clauses, start=1)
        ]
    )
    _history(contract, "", actor)
    return contract


@transaction.atomic
def register_contract(*, actor: Any, org_id: int, data: ContractInput) -> CollectiveContract:
    """Register a signed contract of `org` as a draft, with its covered workplaces and clauses."""
    org = managed_org(actor, org_id)
    if org.status != OrgStatus.ACTIVE:
        raise Conflict(_("This union is not active; it cannot register contracts."), code="org_inactive")
    clean = _clean(actor, data, scope=data.scope, kind=data.kind)
    contract = _create(actor, org, clean, None)
    record_audit(
        actor=actor,
        action="contracts.register",
        obj=contract,
        changes={
            "status": [None, contract.status],
            "kind": [None, contract.kind],
            "scope": [None, contract.scope],
            "workplaces": [None, len(clean.workplaces)],
        },
        org=org,
    )
    return contract


def _already_renewed() -> Conflict:
    return Conflict(_("This contract has already been renewed."), code="already_renewed")


RENEWABLE = (ContractStatus.IN_FORCE, ContractStatus.EXPIRED)


def _start_after(previous: CollectiveContract, clean: _Clean) -> None:
    if clean.values["term_start"] <= previous.term_end:
        message = _("The renewed term must start after the previous one ends (%(day)s).") % {
            "day": date_format(previous.term_end, "DATE_FORMAT")
        }
        raise Conflict(message, code="renewal_overlaps", fields={"term_start": [message]})


@transaction.atomic
def renew_contract(contract_id: int, *, actor: Any, data: ContractInput) -> CollectiveContract:
    """Register the contract that follows `contract_id` (same union, scope and kind) as a draft
    linked to it; the old one shows it as its renewal."""
    previous = _contract(actor, contract_id, lock=True)
    if previous.status not in RENEWABLE:
        raise Conflict(
            _("Only a contract in force or expired can be renewed; this one is “%(status)s”.")
            % {"status": previous.get_status_display()},
            code="not_renewable",
        )
    if CollectiveContract.objects.filter(previous=previous).exists():
        raise _already_renewed()
    clean = _clean(actor, data, scope=previous.scope, kind=previous.kind)
    _start_after(previous, clean)
    contract = _create(actor, previous.org, clean, previous)
    record_audit(
        actor=actor,
        action="contracts.renew",
        obj=contract,
        changes={"status": [None, contract.status], "previous": [None, previous.pk]},
        org=previous.org,
    )
    return contract


def _audit_value(value: Any) -> Any:
    return (
        value.isoformat() if isinstance(value, date) else str(value) if isinstance(value, Decimal) else value
    )


@transaction.atomic
def change_draft(contract_id: int, *, actor: Any, data: ContractInput) -> CollectiveContract:
    """Correct a draft before it comes into force: every field, the covered workplaces and the
    clauses, with the same checks as registering. The union, the scope and the kind stay (a
    contract registered with the wrong ones is a new draft), and so does the link of a renewal:
    its term must still start after the previous one ends. A contract in force is changed only
    by a new contract (a renewal), as the Provisions on Collective Contracts require."""
    contract = _contract(actor, contract_id, lock=True)
    if contract.status != ContractStatus.DRAFT:
        raise Conflict(
            _("Only a draft can be changed; this contract is “%(status)s”.")
            % {"status": contract.get_status_display()},
            code="not_a_draft",
        )
    clean = _clean(actor, data, scope=contract.scope, kind=contract.kind)
    if contract.previous_id is not None:
        _start_after(CollectiveContract.objects.get(pk=contract.previous_id), clean)
    number = clean.values["number"]
    if (
        number
        and CollectiveContract.objects.filter(org=contract.org, number=number)
        .exclude(pk=contract.pk)
        .exists()
    ):
        raise _number_taken()

    changes: dict[str, list[Any]] = {}
    for name, value in clean.values.items():
        if getattr(contract, name) != value:
            changes[name] = [_audit_value(getattr(contract, name)), _audit_value(value)]
            setattr(contract, name, value)
    before_workplaces = sorted(contract.coverage.values_list("workplace_id", flat=True))
    after_workplaces = sorted(workplace.pk for workplace in clean.workplaces)
    if before_workplaces != after_workplaces:
        changes["workplaces"] = [len(before_workplaces), len(after_workplaces)]
        contract.coverage.all().delete()
        ContractCoverage.objects.bulk_create(
            [ContractCoverage(contract=contract, workplace=workplace) for workplace in clean.workplaces]
        )
    before_clauses = [(clause.topic, clause.text) for clause in contract.clauses.order_by("position")]
    after_clauses = [(clause.topic, clause.text) for clause in clean.clauses]
    if before_clauses != after_clauses:
        changes["clauses"] = [len(before_clauses), len(after_clauses)]
        contract.clauses.all().delete()
        Clause.objects.bulk_create(
            [
                Clause(contract=contract, position=position, topic=topic, text=text)
                for position, (topic, text) in enumerate(after_clauses, start=1)
            ]
        )
    if not changes:
        return contract
    contract.reminder_due_on = due_date(REMINDER_RULE, contract.term_end)
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError:  # the same number registered a moment ago
        raise _number_taken() from None
    record_audit(
        actor=actor, action="contracts.change_draft", obj=contract, changes=changes, org=contract.org
    )
    return contract


def _overlapping_general(contract: CollectiveContract) -> CollectiveContract | None:
    """Another general workplace contract in force over part of `contract`'s term for one of
    its workplaces (whose rows the caller has locked)."""
    return (
        CollectiveContract.objects.filter(
            status=ContractStatus.IN_FORCE,
            kind=ContractKind.GENERAL,
            scope=ContractScope.WORKPLACE,
            term_start__lte=contract.term_end,
            term_end__gte=contract.term_start,
            coverage__workplace__in=contract.coverage.values("workplace_id"),
        )
        .exclude(pk=contract.pk)
        .order_by("term_start", "pk")
        .first()
    )


def _bring_into_force(contract: CollectiveContract) -> None:
    if contract.term_end < timezone.localdate():
        raise Conflict(
            _("The term of this contract has already ended; it cannot come into force."), code="term_over"
        )
    if contract.kind == ContractKind.GENERAL and contract.scope == ContractScope.WORKPLACE:
        # Lock the workplaces first: two general contracts of one workplace brought into force
        # at the same moment wait for each other here, and the second one sees the first.
        ids = list(contract.coverage.values_list("workplace_id", flat=True))
        list(Workplace.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
        other = _overlapping_general(contract)
        if other is not None:
            raise Conflict(
                _(
                    "The workplace already has a general collective contract in force from %(start)s to "
                    "%(end)s (“%(title)s”). Terminate it first or choose a term that does not overlap."
                )
                % {
                    "start": date_format(other.term_start, "DATE_FORMAT"),
                    "end": date_format(other.term_end, "DATE_FORMAT"),
                    "title": other.title,
                },
                code="overlapping_contract",
            )


def _terminate(contract: CollectiveContract, ended_on: date | None, reason: str) -> None:
    errors = FieldErrors()
    reason = _text(errors, "reason", reason, REASON_MAX, required=True)
    if ended_on is None:
        errors.add("ended_on", _("Give the date."))
    elif ended_on < contract.term_start or ended_on > contract.term_end:
        errors.add("ended_on", _("The contract can only end within its term."))
    elif ended_on > timezone.localdate():
        errors.add("ended_on", _("The date cannot be in the future."))
    errors.raise_if_any()
    contract.ended_on, contract.end_reason = ended_on, reason


@transaction.atomic
def take_action(
    contract_id: int,
    *,
    actor: Any,
    action: str,
    comment: str = "",
    ended_on: date | None = None,
    reason: str = "",
) -> CollectiveContract:
    """Take one officer step of the workflow (see TRANSITIONS): bring a draft into force, or
    terminate a contract in force early (with the date and the reason)."""
    contract = _contract(actor, contract_id, lock=True)
    transition = TRANSITIONS.lookup(action)
    if transition.action not in OFFICER_ACTIONS:
        raise Conflict(_("A contract expires by itself at the end of its term."), code="system_step")
    TRANSITIONS.require(action, contract.status)
    errors = FieldErrors()
    comment = _text(errors, "comment", comment, REASON_MAX, required=False)
    errors.raise_if_any()
    if transition.action == ContractAction.BRING_INTO_FORCE:
        _bring_into_force(contract)
    else:
        _terminate(contract, ended_on, reason)
    before = contract.status
    contract.status = transition.target
    contract.save(update_fields=["status", "ended_on", "end_reason", "updated_at"])
    _history(contract, before, actor, comment or contract.end_reason)
    record_audit(
        actor=actor,
        action=f"contracts.{transition.action}",
        obj=contract,
        changes={"status": [before, contract.status]},
        note=comment or contract.end_reason,
        org=contract.org,
    )
    return contract


def expire_contract(contract: CollectiveContract) -> None:
    """The system's step at the end of the term (the caller has locked the row, in force)."""
    before = contract.status
    contract.status = TRANSITIONS.require(ContractAction.EXPIRE, before).target
    contract.ended_on = contract.term_end
    contract.save(update_fields=["status", "ended_on", "updated_at"])
    _history(contract, before, None, _("The term has ended."))
    record_audit(
        actor=None,
        action="contracts.expire",
        obj=contract,
        changes={"status": [before, contract.status]},
        org=contract.org,
    )


FILABLE = (ContractStatus.DRAFT, ContractStatus.IN_FORCE, ContractStatus.EXPIRED)


@transaction.atomic
def record_filing(
    contract_id: int, *, actor: Any, filed_on: date | None, review_result: str, review_note: str = ""
) -> CollectiveContract:
    """Record that the contract was filed with the labour administration (报送审查) and, once
    known, the review's result."""
    contract = _contract(actor, contract_id, lock=True)
    if contract.status not in FILABLE:
        raise Conflict(_("A terminated contract's filing can no longer be changed."), code="not_filable")
    errors = FieldErrors()
    if filed_on is None:
        errors.add("filed_on", _("Give the date."))
    elif filed_on < contract.signed_on:
        errors.add("filed_on", _("A contract is filed after it is signed."))
    elif filed_on > timezone.localdate():
        errors.add("filed_on", _("The date cannot be in the future."))
    if review_result not in ReviewResult.values:
        errors.add("review_result", _("Choose the review result."))
    note = _text(errors, "review_note", review_note, REVIEW_NOTE_MAX, required=False)
    if review_result == ReviewResult.OBJECTIONS and not note and "review_note" not in errors.fields:
        errors.add("review_note", _("Say what the labour administration objected to."))
    errors.raise_if_any()
    before = [contract.filed_on.isoformat() if contract.filed_on else None, contract.review_result]
    contract.filed_on, contract.review_result, contract.review_note = filed_on, review_result, note
    contract.save(update_fields=["filed_on", "review_result", "review_note", "updated_at"])
    assert filed_on is not None  # checked above
    record_audit(
        actor=actor,
        action="contracts.record_filing",
        obj=contract,
        changes={"filed_on": [before[0], filed_on.isoformat()], "review_result": [before[1], review_result]},
        org=contract.org,
    )
    return contract


@transaction.atomic
def add_contract_documents(
    contract_id: int, *, actor: Any, documents: Sequence[tuple[str, bytes]]
) -> list[ContractDocument]:
    """Store the signed contract's PDF or photos (each checked by its bytes)."""
    contract = _contract(actor, contract_id, lock=True)
    if not documents:
        message = _("Choose at least one file.")
        raise ValidationFailed(message, fields={"file": [message]})
    if contract.documents.count() + len(documents) > MAX_DOCUMENTS:
        raise too_many_documents(MAX_DOCUMENTS)
    stored: list[ContractDocument] = []
    described: list[dict[str, Any]] = []
    for name, content in documents:
        document = ContractDocument(contract=contract)
        described.append(store_document(document, actor=actor, name=name, content=content))
        stored.append(document)
    record_audit(
        actor=actor,
        action="contracts.add_documents",
        obj=contract,
        changes={"documents": [None, [item["name"] for item in described]]},
        org=contract.org,
    )
    return stored
