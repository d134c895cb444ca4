"""Inspections: planning one, recording its findings, and the steps of its workflow
(gonghui.supervision.models.TRANSITIONS). Acting needs rights.handle on the inspecting union."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import record_audit
from gonghui.core.errors import FieldErrors, Forbidden, InvalidTransition, ValidationFailed
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at
from gonghui.supervision.models import (
    MAX_LONG_TEXT,
    MAX_TEXT,
    STEPS_WITH_RECORDS,
    TRANSITIONS,
    Finding,
    Inspection,
    InspectionAction,
    InspectionHistory,
    InspectionKind,
    InspectionStatus,
    ScopeItem,
    Severity,
    Supervisor,
)
from gonghui.supervision.services.common import (
    OLDEST_RECORD,
    PLANNING_HORIZON,
    acting_org,
    line_text,
    optional_text,
    required_text,
    visible_workplace,
)

CAMPAIGN_MAX = 60
COMMENT_MAX = 500


@dataclass(frozen=True, kw_only=True)
class InspectionDetails:
    """What an officer may still correct until a notice is issued (see change_inspection)."""

    inspected_on: date
    kind: str
    scope_items: Sequence[str]
    supervisors: Sequence[int] = field(default_factory=tuple)
    campaign: str = ""
    summary: str = ""


@dataclass(frozen=True, kw_only=True)
class InspectionInput(InspectionDetails):
    org: int
    workplace: int


def supervisors_for(org: Org) -> Any:
    """The active supervisors who may take part in an inspection by `org`: those of its own
    committee, of the unions below it and of the federations above it."""
    step = Org.steplen
    above = [org.path[:end] for end in range(step, len(org.path), step)]
    return Supervisor.objects.active().filter(Q(org__path__startswith=org.path) | Q(org__path__in=above))


def _history(inspection: Inspection, from_status: str, actor: Any, comment: str) -> None:
    InspectionHistory.objects.create(
        inspection=inspection,
        from_status=from_status,
        to_status=inspection.status,
        actor=actor,
        comment=comment,
    )


@dataclass(frozen=True)
class _CheckedDetails:
    inspected_on: date
    kind: str
    campaign: str
    scope_items: list[str]
    supervisors: list[Supervisor]
    summary: str


def _checked_details(errors: FieldErrors, allowed: Any, data: InspectionDetails) -> _CheckedDetails:
    """The details, checked; `allowed` are the supervisors who may be named (None when the
    inspecting union is itself wrong, so that no second error is added for them)."""
    today = timezone.localdate()
    if data.inspected_on < OLDEST_RECORD:
        errors.add(
            "inspected_on", _("The date cannot be before %(date)s.") % {"date": OLDEST_RECORD.isoformat()}
        )
    elif data.inspected_on > today + PLANNING_HORIZON:
        errors.add("inspected_on", _("Inspections can be planned at most a year ahead."))
    if data.kind not in InspectionKind.values:
        errors.add("kind", _("Choose the kind of inspection."))
    campaign = line_text(
        errors, "campaign", data.campaign, CAMPAIGN_MAX, required=data.kind == InspectionKind.CAMPAIGN
    )
    items = list(dict.fromkeys(data.scope_items))
    if not items:
        errors.add("scope_items", _("Choose at least one item to check."))
    elif any(item not in ScopeItem.values for item in items):
        errors.add("scope_items", _("Choose items from the list."))
    summary = optional_text(errors, "summary", data.summary, MAX_LONG_TEXT)
    chosen = list(dict.fromkeys(data.supervisors))
    supervisors: list[Supervisor] = []
    if allowed is not None and chosen:
        supervisors = list(allowed.filter(pk__in=chosen))
        if len(supervisors) != len(chosen):
            errors.add(
                "supervisors", _("Choose active supervisors of this union or of the federations above it.")
            )
    return _CheckedDetails(
        inspected_on=data.inspected_on,
        kind=data.kind,
        campaign=campaign if data.kind == InspectionKind.CAMPAIGN else "",
        scope_items=[item for item in ScopeItem.values if item in items],
        supervisors=supervisors,
        summary=summary,
    )


@transaction.atomic
def plan_inspection(data: InspectionInput, *, actor: Any) -> Inspection:
    """Enter an inspection of a workplace; it starts as planned."""
    errors = FieldErrors()
    org = acting_org(errors, actor, data.org)
    workplace = visible_workplace(errors, actor, data.workplace)
    details = _checked_details(errors, None if org is None else supervisors_for(org), data)
    errors.raise_if_any()
    assert org is not None
    assert workplace is not None

    inspection = Inspection.objects.create(
        org=org,
        workplace=workplace,
        inspected_on=details.inspected_on,
        kind=details.kind,
        campaign=details.campaign,
        scope_items=details.scope_items,
        summary=details.summary,
        created_by=actor,
    )
    inspection.supervisors.set(details.supervisors)
    _history(inspection, "", actor, "")
    record_audit(
        actor=actor,
        action="supervision.plan_inspection",
        obj=inspection,
        changes={"status": [None, inspection.status], "workplace": [None, workplace.pk]},
        note=workplace.name,
    )
    return inspection


def _audit_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


@transaction.atomic
def change_inspection(inspection: Inspection | int, data: InspectionDetails, *, actor: Any) -> Inspection:
    """Correct the date, kind, items, supervisors or summary of an inspection until a notice is
    issued or the case closes; notices quote them, so afterwards they stay as they were. The union and the
    workplace never change: an inspection entered for the wrong one is cancelled and entered again.
    An item with a finding recorded against it cannot be dropped. Nothing changed, nothing
    is written."""
    found = locked_inspection(inspection, actor)
    if not found.details_open:
        raise InvalidTransition(
            _("The inspection is “%(status)s”: it can no longer be changed.")
            % {"status": InspectionStatus(found.status).label}
        )
    errors = FieldErrors()
    # Someone who took part stays named even if they have stepped down since.
    allowed = supervisors_for(found.org) | Supervisor.objects.filter(inspections=found)
    details = _checked_details(errors, allowed.distinct(), data)
    with_findings = set(found.findings.values_list("item", flat=True))
    dropped = [
        str(ScopeItem(item).label)
        for item in ScopeItem.values
        if item in with_findings - set(details.scope_items)
    ]
    if dropped:
        errors.add(
            "scope_items",
            _("These items have findings and must stay checked: %(items)s.") % {"items": "、".join(dropped)},
        )
    errors.raise_if_any()

    before_supervisors = sorted(found.supervisors.values_list("pk", flat=True))
    after_supervisors = sorted(supervisor.pk for supervisor in details.supervisors)
    changes: dict[str, list[Any]] = {}
    for name in ("inspected_on", "kind", "campaign", "scope_items", "summary"):
        old, new = getattr(found, name), getattr(details, name)
        if old != new:
            changes[name] = [_audit_value(old), _audit_value(new)]
            setattr(found, name, new)
    if before_supervisors != after_supervisors:
        changes["supervisors"] = [before_supervisors, after_supervisors]
    if not changes:
        return found
    found.save(update_fields=[*(name for name in changes if name != "supervisors"), "updated_at"])
    found.supervisors.set(details.supervisors)
    record_audit(
        actor=actor,
        action="supervision.change_inspection",
        obj=found,
        changes=changes,
        note=found.workplace.name,
    )
    return found


def locked_inspection(inspection: Inspection | int, actor: Any) -> Inspection:
    """The inspection, locked, when the actor handles its union: out of their sight it is 404,
    in sight without rights.handle it is refused."""
    pk = inspection if isinstance(inspection, int) else inspection.pk
    found = get_visible(
        Inspection.objects.select_for_update(of=("self",)).select_related("org", "workplace"),
        actor,
        Perm.RIGHTS_VIEW,
        pk=pk,
    )
    if not has_perm_at(actor, Perm.RIGHTS_HANDLE, found.org.path):
        raise Forbidden(
            _("Only officers of %(org)s or of an organisation above it may act on this inspection.")
            % {"org": found.org.name},
            code="no_authority",
        )
    return found


def take_step(inspection: Inspection, action: str, actor: Any, comment: str) -> Inspection:
    """Move a locked inspection along `action` (see TRANSITIONS), with its history row and audit
    event; the callers have checked the actor's authority and their own preconditions."""
    transition = TRANSITIONS.require(action, inspection.status)
    before = inspection.status
    inspection.status = transition.target
    inspection.save(update_fields=["status", "updated_at"])
    _history(inspection, before, actor, comment)
    record_audit(
        actor=actor,
        action=f"supervision.{transition.action}",
        obj=inspection,
        changes={"status": [before, inspection.status]},
        note=comment,
    )
    return inspection


@transaction.atomic
def advance_inspection(
    inspection: Inspection | int, *, action: str, actor: Any, comment: str = ""
) -> Inspection:
    """Start an inspection, finish recording its findings, close it, or cancel a planned one
    (with the reason as the comment). Issuing a notice and recording a follow-up take their
    steps through their own services."""
    found = locked_inspection(inspection, actor)
    transition = TRANSITIONS.lookup(action)
    if transition.action in STEPS_WITH_RECORDS:
        message = _("This step is taken by issuing a notice or recording a follow-up.")
        raise ValidationFailed(message, fields={"action": [message]})
    TRANSITIONS.require(action, found.status)
    errors = FieldErrors()
    text = line_text(
        errors, "comment", comment, COMMENT_MAX, required=transition.action == InspectionAction.CANCEL
    )
    errors.raise_if_any()
    return take_step(found, action, actor, text)


@dataclass(frozen=True)
class FindingInput:
    item: str
    finding: str
    severity: str
    legal_basis: str = ""


@transaction.atomic
def add_finding(inspection: Inspection | int, data: FindingInput, *, actor: Any) -> Finding:
    """Record what the inspection found on one of the items it checked."""
    found = locked_inspection(inspection, actor)
    if not found.findings_open:
        raise _findings_closed(found)
    errors = FieldErrors()
    if data.item not in found.scope_items:
        errors.add("item", _("Choose one of the items this inspection checked."))
    text = required_text(errors, "finding", data.finding, MAX_TEXT)
    if data.severity not in Severity.values:
        errors.add("severity", _("Choose how serious it is."))
    basis = optional_text(errors, "legal_basis", data.legal_basis, MAX_TEXT)
    errors.raise_if_any()
    finding = Finding.objects.create(
        inspection=found, item=data.item, finding=text, severity=data.severity, legal_basis=basis
    )
    record_audit(
        actor=actor,
        action="supervision.add_finding",
        obj=finding,
        org=found.org,
        changes={"item": [None, finding.item], "severity": [None, finding.severity]},
    )
    return finding


@transaction.atomic
def remove_finding(inspection: Inspection | int, finding_id: int, *, actor: Any) -> None:
    """Take back a finding recorded by mistake, while no notice cites it."""
    found = locked_inspection(inspection, actor)
    finding = Finding.objects.filter(inspection=found, pk=finding_id).first()
    if finding is None:
        raise ValidationFailed(
            _("This finding is not on this inspection."), fields={"finding": [_("Not found.")]}
        )
    if not found.findings_open or finding.notices.exists():
        raise _findings_closed(found)
    record_audit(
        actor=actor,
        action="supervision.remove_finding",
        obj=finding,
        org=found.org,
        changes={"item": [finding.item, None], "severity": [finding.severity, None]},
    )
    finding.delete()


def _findings_closed(inspection: Inspection) -> InvalidTransition:
    return InvalidTransition(
        _("The inspection is “%(status)s”: its findings can no longer be changed.")
        % {"status": InspectionStatus(inspection.status).label}
    )
