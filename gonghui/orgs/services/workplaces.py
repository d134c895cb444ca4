"""Registering and changing workplaces (单位).

A workplace lies in the area of one township federation or joint union (its `jurisdiction`,
required: that is who founds a union there) and may be covered by a union (`union`, optional;
`is_unionised` follows it). Creating one needs Perm.WORKPLACE_CHANGE at both; changing one
needs the workplace in the actor's scope, and the permission at any jurisdiction or union it is
moved to. An org outside the actor's scope is reported exactly as a missing one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gonghui.core.audit import audit_event, changes_between, record_audit, record_audits, snapshot
from gonghui.core.creditcode import InvalidCreditCode, parse_credit_code
from gonghui.core.errors import DomainError, FieldErrors, NotFound, ValidationFailed
from gonghui.core.inputs import has_control_characters
from gonghui.core.models import AuditEvent
from gonghui.core.text import normalize_text
from gonghui.orgs.models import FederationLevel, Industry, Org, OrgKind, Ownership, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible
from gonghui.orgs.services.coverage import schedule_coverage_refresh

# Far above any real employer, far below the column's limit: a typo, not a workplace.
MAX_EMPLOYEES = 10_000_000
SCALAR_FIELDS = ("credit_code", "name", "industry", "ownership", "employee_count", "address", "district")


@dataclass(frozen=True)
class WorkplaceData:
    """Everything a workplace is registered with. Orgs are given by primary key."""

    credit_code: str
    name: str
    industry: str
    ownership: str
    jurisdiction_id: int | None
    employee_count: int = 0
    address: str = ""
    district: str = ""
    union_id: int | None = None


FIELD_NAMES = frozenset(field.name for field in fields(WorkplaceData))


def text_problem(text: str, *, max_length: int, required: bool) -> str | None:
    """What is wrong with an already normalised text value, or None."""
    if has_control_characters(text):
        return _("Use letters, digits, spaces and punctuation only.")
    if required and not text:
        return _("This field is required.")
    if len(text) > max_length:
        return _("Enter at most %(max_length)s characters.") % {"max_length": max_length}
    return None


def employee_count_problem(count: int) -> str | None:
    if count < 0:
        return _("The number of employees cannot be negative.")
    if count > MAX_EMPLOYEES:
        return _("The number of employees cannot be more than %(max)s.") % {"max": f"{MAX_EMPLOYEES:,}"}
    return None


def jurisdiction_problem(org: Org) -> str | None:
    """Why `org` cannot be the area a workplace lies in, or None."""
    is_township = org.kind == OrgKind.FEDERATION and org.level == FederationLevel.TOWNSHIP
    if not (is_township or org.kind == OrgKind.JOINT_UNION):
        return _("The area must be a township or street federation, or a joint union; %(name)s is not.") % {
            "name": org.name
        }
    if not org.is_active:
        return _("%(name)s has been dissolved.") % {"name": org.name}
    return None


def union_problem(org: Org) -> str | None:
    """Why `org` cannot be the union covering a workplace, or None."""
    if org.kind == OrgKind.FEDERATION:
        return _("A federation does not cover workplaces itself; choose the union of the workplace.")
    if org.kind == OrgKind.UNION_GROUP:
        return _("A union group is part of a union; choose the union it belongs to.")
    if not org.is_active:
        return _("%(name)s has been dissolved.") % {"name": org.name}
    return None


def duplicate_credit_code_problem(actor: Any, other: Workplace) -> str:
    """The message for a credit code that `other` already has. It names the workplace only when
    the actor may see it: naming it otherwise would tell what lies outside their scope."""
    # A workplace without a pk is one the actor is registering in the same batch.
    if other.pk is None or visible(Workplace, actor, Perm.WORKPLACE_VIEW).filter(pk=other.pk).exists():
        return _("This credit code is already registered for %(name)s.") % {"name": other.name}
    return _("This credit code is already registered for another workplace.")


def _clean_text(value: Any, field: str, errors: FieldErrors, *, max_length: int, required: bool) -> str:
    if not isinstance(value, str):
        errors.add(field, _("Enter text."))
        return ""
    text = normalize_text(value)
    problem = text_problem(text, max_length=max_length, required=required)
    if problem:
        errors.add(field, problem)
    return text


def _clean_credit_code(value: Any, errors: FieldErrors) -> str:
    if not isinstance(value, str) or not value.strip():
        errors.add("credit_code", _("This field is required."))
        return ""
    try:
        return parse_credit_code(value).value
    except InvalidCreditCode as exc:
        errors.add("credit_code", exc.message)
        return ""


def _clean_choice(value: Any, field: str, choices: list[str], errors: FieldErrors) -> str:
    if value not in choices:
        errors.add(field, _("Choose one of the listed options."))
        return ""
    return str(value)


def _clean_employees(value: Any, errors: FieldErrors) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        errors.add("employee_count", _("Enter a whole number."))
        return 0
    problem = employee_count_problem(value)
    if problem:
        errors.add("employee_count", problem)
    return int(value)


def _scoped_orgs(actor: Any, pks: Iterable[Any]) -> dict[int, Org]:
    """The orgs among `pks` where the actor may register workplaces, by pk (one query)."""
    wanted = {pk for pk in pks if isinstance(pk, int) and not isinstance(pk, bool)}
    if not wanted:
        return {}
    return {org.pk: org for org in visible(Org, actor, Perm.WORKPLACE_CHANGE).filter(pk__in=wanted)}


def _org_in_scope(
    actor: Any, pk: Any, field: str, missing: str, orgs: Mapping[int, Org] | None = None
) -> Org:
    """The org if the actor may register workplaces there; NotFound (on `field`) otherwise.
    `orgs` holds orgs already read through `_scoped_orgs` for the same actor."""
    if isinstance(pk, bool) or not isinstance(pk, int):
        raise ValidationFailed(missing, fields={field: [missing]})
    org = (orgs or _scoped_orgs(actor, [pk])).get(pk)
    if org is None:
        raise NotFound(missing, fields={field: [missing]})
    return org


def _check_org(problem: str | None, field: str, errors: FieldErrors) -> None:
    if problem:
        errors.add(field, problem)


def _check_unique(credit_code: str, actor: Any, current: Workplace, errors: FieldErrors) -> None:
    other = (
        Workplace.objects.filter(credit_code=credit_code).exclude(pk=current.pk).only("pk", "name").first()
    )
    if other is not None:
        errors.add("credit_code", duplicate_credit_code_problem(actor, other))


def _org_label(org: Org | None) -> str | None:
    return None if org is None else f"{org.code} {org.name}"


def _audit_state(workplace: Workplace, jurisdiction: Org | None, union: Org | None) -> dict[str, Any]:
    state = snapshot(workplace, SCALAR_FIELDS)
    state.update(
        jurisdiction=_org_label(jurisdiction),
        union=_org_label(union),
        is_unionised=workplace.is_unionised,
    )
    return state


def _save(workplace: Workplace, *, creating: bool) -> None:
    try:
        with transaction.atomic():
            if creating:
                workplace.save(force_insert=True)
            else:
                workplace.save()
    except IntegrityError as exc:
        # Two people registering the same code at the same moment: the unique index decides.
        message = _("This credit code is already registered for another workplace.")
        raise ValidationFailed(message, fields={"credit_code": [message]}) from exc
    schedule_coverage_refresh()


def _new_workplace(
    actor: Any, data: WorkplaceData, orgs: Mapping[int, Org], taken: dict[str, Workplace]
) -> Workplace:
    """An unsaved workplace made of `data`, or the DomainError that refuses it. `orgs` are the
    orgs in the actor's scope that `data` may name; `taken` maps registered credit codes to
    their workplaces, and gets this one added."""
    if data.jurisdiction_id is None:
        message = _("This field is required.")
        raise ValidationFailed(message, fields={"jurisdiction_id": [message]})
    jurisdiction = _org_in_scope(
        actor,
        data.jurisdiction_id,
        "jurisdiction_id",
        _("No township federation or joint union with this id in your organisations."),
        orgs,
    )
    union = None
    if data.union_id is not None:
        union = _org_in_scope(
            actor, data.union_id, "union_id", _("No union with this id in your organisations."), orgs
        )

    errors = FieldErrors()
    credit_code = _clean_credit_code(data.credit_code, errors)
    name = _clean_text(data.name, "name", errors, max_length=120, required=True)
    industry = _clean_choice(data.industry, "industry", Industry.values, errors)
    ownership = _clean_choice(data.ownership, "ownership", Ownership.values, errors)
    employee_count = _clean_employees(data.employee_count, errors)
    address = _clean_text(data.address, "address", errors, max_length=200, required=False)
    district = _clean_text(data.district, "district", errors, max_length=40, required=False)
    _check_org(jurisdiction_problem(jurisdiction), "jurisdiction_id", errors)
    if union is not None:
        _check_org(union_problem(union), "union_id", errors)
    if credit_code in taken:
        errors.add("credit_code", duplicate_credit_code_problem(actor, taken[credit_code]))
    errors.raise_if_any()

    workplace = Workplace(
        credit_code=credit_code,
        name=name,
        industry=industry,
        ownership=ownership,
        employee_count=employee_count,
        address=address,
        district=district,
        jurisdiction=jurisdiction,
        union=union,
        is_unionised=union is not None,
    )
    taken[credit_code] = workplace
    return workplace


def _taken_codes(rows: Sequence[WorkplaceData]) -> dict[str, Workplace]:
    codes = set()
    for data in rows:
        try:
            codes.add(parse_credit_code(data.credit_code).value)
        except (InvalidCreditCode, TypeError, AttributeError):
            continue  # refused with its message when the row is checked
    registered = Workplace.objects.filter(credit_code__in=codes).only("pk", "name", "credit_code")
    return {workplace.credit_code: workplace for workplace in registered}


def _creation_event(actor: Any, workplace: Workplace, note: str) -> AuditEvent:
    return audit_event(
        actor=actor,
        action="orgs.create_workplace",
        obj=workplace,
        changes=changes_between({}, _audit_state(workplace, workplace.jurisdiction, workplace.union)),
        note=note,
        org=workplace.union or workplace.jurisdiction,
    )


def _audit_created(actor: Any, workplace: Workplace, note: str) -> None:
    _creation_event(actor, workplace, note).save(force_insert=True)


@transaction.atomic
def create_workplace(*, actor: Any, data: WorkplaceData, note: str = "") -> Workplace:
    """Register a workplace. Needs Perm.WORKPLACE_CHANGE at its area and at its union."""
    orgs = _scoped_orgs(actor, [data.jurisdiction_id, data.union_id])
    workplace = _new_workplace(actor, data, orgs, _taken_codes([data]))
    _save(workplace, creating=True)
    _audit_created(actor, workplace, note)
    return workplace


@transaction.atomic
def create_workplaces(
    *, actor: Any, rows: Sequence[WorkplaceData], note: str = ""
) -> list[Workplace | DomainError]:
    """Register many workplaces at once (a list import): each row is checked exactly as
    `create_workplace` checks one, against the database and the rows before it; the good ones
    are inserted together and each is audited. The result has, for each row, its new workplace
    or the DomainError that refused it; a caller wanting all or nothing rolls back on an error."""
    orgs = _scoped_orgs(actor, {pk for data in rows for pk in (data.jurisdiction_id, data.union_id)})
    taken = _taken_codes(rows)
    results: list[Workplace | DomainError] = []
    for data in rows:
        try:
            results.append(_new_workplace(actor, data, orgs, taken))
        except DomainError as error:
            results.append(error)
    new = [result for result in results if isinstance(result, Workplace)]
    try:
        with transaction.atomic():
            Workplace.objects.bulk_create(new)
    except IntegrityError:
        # A code registered by someone else meanwhile: find which, one row at a time.
        return [
            result if isinstance(result, DomainError) else _create_one(actor, result, note)
            for result in results
        ]
    record_audits(_creation_event(actor, workplace, note) for workplace in new)
    if new:
        schedule_coverage_refresh()
    return results


def _create_one(actor: Any, workplace: Workplace, note: str) -> Workplace | DomainError:
    try:
        _save(workplace, creating=True)
    except DomainError as error:
        return error
    _audit_created(actor, workplace, note)
    return workplace


@transaction.atomic
def update_workplace(workplace: Workplace, *, actor: Any, changes: Mapping[str, Any], note: str = "") -> bool:
    """Change the fields named in `changes` (the keys of `WorkplaceData`); the others stay.

    The workplace must be in the actor's scope (Perm.WORKPLACE_CHANGE, through its area or its
    union); an area or union it is moved to must be too. Returns whether anything changed.
    """
    unknown = set(changes) - FIELD_NAMES
    if unknown:
        raise ValueError(f"Not workplace fields: {sorted(unknown)}")
    queryset = Workplace.objects.select_related("jurisdiction", "union").select_for_update(of=("self",))
    try:
        current = get_visible(queryset, actor, Perm.WORKPLACE_CHANGE, pk=workplace.pk)
    except Http404 as exc:
        raise NotFound(_("This workplace does not exist.")) from exc

    jurisdiction, union = current.jurisdiction, current.union
    if "jurisdiction_id" in changes and changes["jurisdiction_id"] != current.jurisdiction_id:
        if changes["jurisdiction_id"] is None:
            message = _("This field is required.")
            raise ValidationFailed(message, fields={"jurisdiction_id": [message]})
        missing = _("No township federation or joint union with this id in your organisations.")
        jurisdiction = _org_in_scope(actor, changes["jurisdiction_id"], "jurisdiction_id", missing)
    if "union_id" in changes and changes["union_id"] != current.union_id:
        union = None
        if changes["union_id"] is not None:
            missing = _("No union with this id in your organisations.")
            union = _org_in_scope(actor, changes["union_id"], "union_id", missing)

    errors = FieldErrors()
    values: dict[str, Any] = {}
    if "credit_code" in changes:
        values["credit_code"] = _clean_credit_code(changes["credit_code"], errors)
    if "name" in changes:
        values["name"] = _clean_text(changes["name"], "name", errors, max_length=120, required=True)
    if "industry" in changes:
        values["industry"] = _clean_choice(changes["industry"], "industry", Industry.values, errors)
    if "ownership" in changes:
        values["ownership"] = _clean_choice(changes["ownership"], "ownership", Ownership.values, errors)
    if "employee_count" in changes:
        values["employee_count"] = _clean_employees(changes["employee_count"], errors)
    if "address" in changes:
        values["address"] = _clean_text(changes["address"], "address", errors, max_length=200, required=False)
    if "district" in changes:
        values["district"] = _clean_text(
            changes["district"], "district", errors, max_length=40, required=False
        )
    if jurisdiction is not None and jurisdiction.pk != current.jurisdiction_id:
        _check_org(jurisdiction_problem(jurisdiction), "jurisdiction_id", errors)
    if union is not None and union.pk != current.union_id:
        _check_org(union_problem(union), "union_id", errors)
    if values.get("credit_code") and values["credit_code"] != current.credit_code:
        _check_unique(values["credit_code"], actor, current, errors)
    errors.raise_if_any()

    before = _audit_state(current, current.jurisdiction, current.union)
    for name, value in values.items():
        setattr(current, name, value)
    current.jurisdiction = jurisdiction
    current.union = union
    current.is_unionised = union is not None
    after = _audit_state(current, jurisdiction, union)
    diff = changes_between(before, after)
    if not diff:
        return False
    _save(current, creating=False)
    record_audit(
        actor=actor,
        action="orgs.update_workplace",
        obj=current,
        changes=diff,
        note=note,
        org=union or jurisdiction,
    )
    # The caller's instance shows the saved state, without reading it back.
    for model_field in Workplace._meta.concrete_fields:
        setattr(workplace, model_field.attname, getattr(current, model_field.attname))
    workplace.jurisdiction, workplace.union = jurisdiction, union
    return True


# --------------------------------------------------------------------------------------------
# Finding workplaces: the console list and the API list share these filters
# --------------------------------------------------------------------------------------------

WORKPLACE_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "employee_count": ("employee_count", "pk"),
    "-employee_count": ("-employee_count", "-pk"),
}
_CREDIT_CODE_PREFIX = re.compile(r"[0-9A-Z]{4,18}")


@dataclass(frozen=True)
class WorkplaceFilter:
    q: str = ""  # part of the name, or the beginning of the credit code
    district: str = ""
    industry: str = ""
    ownership: str = ""
    unionised: bool | None = None
    union: Org | None = None  # covered by exactly this union
    area: Org | None = None  # lying in the area of this org or of any org under it
    sort: str = "name"


def area_or_union(user: Any, pk: int | None) -> Org | None:
    """The org named by a filter parameter, if the user may see workplaces there."""
    if pk is None:
        return None
    org: Org | None = visible(Org, user, Perm.WORKPLACE_VIEW).filter(pk=pk).only("pk", "path", "name").first()
    return org


def filter_workplaces(user: Any, spec: WorkplaceFilter) -> QuerySet[Workplace]:
    """The workplaces `user` may see (Perm.WORKPLACE_VIEW) that match `spec`, sorted, with the
    orgs a list shows already joined."""
    workplaces = visible(Workplace, user, Perm.WORKPLACE_VIEW).select_related("union", "jurisdiction")
    q = normalize_text(spec.q)
    if q:
        by_name = Q(name__icontains=q)
        code = q.replace(" ", "").upper()
        workplaces = workplaces.filter(
            by_name | Q(credit_code__startswith=code) if _CREDIT_CODE_PREFIX.fullmatch(code) else by_name
        )
    if spec.district:
        workplaces = workplaces.filter(district=normalize_text(spec.district))
    if spec.industry:
        workplaces = workplaces.filter(industry=spec.industry)
    if spec.ownership:
        workplaces = workplaces.filter(ownership=spec.ownership)
    if spec.unionised is not None:
        workplaces = workplaces.filter(is_unionised=spec.unionised)
    if spec.union is not None:
        workplaces = workplaces.filter(union=spec.union)
    if spec.area is not None:
        workplaces = workplaces.filter(jurisdiction__path__startswith=spec.area.path)
    return workplaces.order_by(*WORKPLACE_SORTS.get(spec.sort, WORKPLACE_SORTS["name"]))
