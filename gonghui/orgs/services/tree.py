"""Changes to the union tree: create, edit, move, merge and dissolve organisations.

Every function runs in one transaction, checks the actor's permission on each org it touches
(an org outside the actor's scope is refused exactly like a missing one: `NotFound`), validates,
writes, and leaves both an `OrgHistory` row (the org's own life story, shown on its page) and an
`AuditEvent`. A refusal is always a `DomainError` raised before anything is written.

Where an org may sit in the tree is decided by `placement_error` and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gonghui.core.audit import changes_between, record_audit, snapshot
from gonghui.core.errors import Conflict, NotFound, ValidationFailed
from gonghui.core.text import normalize_text
from gonghui.members.models import Member, MemberStatus
from gonghui.orgs.models import (
    FederationLevel,
    JointUnionArea,
    OfficerTerm,
    Org,
    OrgHistory,
    OrgHistoryAction,
    OrgKind,
    OrgStatus,
    Workplace,
)
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import forget_grants, get_visible
from gonghui.orgs.services.coverage import schedule_coverage_refresh

__all__ = [
    "EDITABLE_FIELDS",
    "DissolveBlockers",
    "MergeResult",
    "create_org",
    "dissolve_blockers",
    "dissolve_org",
    "merge_orgs",
    "move_org",
    "no_such_org_message",
    "normalize_code",
    "placement_error",
    "update_org",
]

# What create_org accepts and update_org may change; the tree fields (path, depth, numchild),
# status and merge links change only through move/merge/dissolve.
EDITABLE_FIELDS: tuple[str, ...] = (
    "code",
    "name",
    "short_name",
    "kind",
    "level",
    "area",
    "district",
    "address",
    "contact_name",
    "contact_phone",
    "founded_on",
)
_TEXT_FIELDS = ("code", "name", "short_name", "district", "address", "contact_name", "contact_phone")
_CODE_RE = re.compile(r"[A-Z0-9][A-Z0-9-]*")
_PHONE_RE = re.compile(r"[0-9+()\- ]+")

# The parent a federation needs, by its level: the tree runs city → district → township.
# A city federation is the top of its tree.
_FEDERATION_PARENT_LEVEL: dict[str, str] = {
    FederationLevel.DISTRICT: FederationLevel.CITY,
    FederationLevel.TOWNSHIP: FederationLevel.DISTRICT,
}

# Which kinds each (non-federation) kind may sit under. A grassroots union may sit under
# another one: a large workplace's union has branch unions (分工会) that are unions of their own.
_PARENT_KINDS: dict[str, frozenset[str]] = {
    OrgKind.JOINT_UNION: frozenset({OrgKind.FEDERATION}),
    OrgKind.INDUSTRY_UNION: frozenset({OrgKind.FEDERATION, OrgKind.INDUSTRY_UNION}),
    OrgKind.GRASSROOTS: frozenset(
        {OrgKind.FEDERATION, OrgKind.JOINT_UNION, OrgKind.INDUSTRY_UNION, OrgKind.GRASSROOTS}
    ),
    OrgKind.UNION_GROUP: frozenset({OrgKind.GRASSROOTS}),
}

# Which kinds a union may be merged into, besides its own kind: a small workplace's union may
# be folded into the joint union of its area.
_EXTRA_MERGE_TARGETS: dict[str, frozenset[str]] = {
    OrgKind.GRASSROOTS: frozenset({OrgKind.JOINT_UNION}),
}


def _placement_messages() -> dict[str, str]:
    return {
        FederationLevel.CITY: _(
            "A city federation is the top of its tree: it cannot sit under another organisation."
        ),
        FederationLevel.DISTRICT: _("A district federation must sit directly under a city federation."),
        FederationLevel.TOWNSHIP: _("A township federation must sit directly under a district federation."),
        OrgKind.JOINT_UNION: _("A joint union must sit under a federation."),
        OrgKind.INDUSTRY_UNION: _("An industry union must sit under a federation or another industry union."),
        OrgKind.GRASSROOTS: _(
            "A grassroots union must sit under a federation, a joint union, an industry union "
            "or another grassroots union."
        ),
        OrgKind.UNION_GROUP: _("A union group can only sit under a grassroots union."),
    }


def placement_error(kind: str, level: str, parent_kind: str | None, parent_level: str = "") -> str | None:
    """Why an org of `kind` (and federation `level`) may not sit under a parent of `parent_kind`
    (None: at the top of a tree), or None when it may."""
    messages = _placement_messages()
    if kind == OrgKind.FEDERATION:
        wanted = _FEDERATION_PARENT_LEVEL.get(level)
        if wanted is None:
            return None if parent_kind is None else messages[FederationLevel.CITY]
        if parent_kind == OrgKind.FEDERATION and parent_level == wanted:
            return None
        return messages[level]
    if parent_kind is None:
        return _("Only a city federation can be the top of a tree.")
    if parent_kind in _PARENT_KINDS.get(kind, frozenset()):
        return None
    return messages.get(kind, _("Choose a kind."))


def normalize_code(value: str) -> str:
    """Org codes are compared as typed in any width and case: "ｇ-０１" is "G-01"."""
    return normalize_text(value).upper()


def _max_length(field: str) -> int | None:
    model_field = Org._meta.get_field(field)
    return model_field.max_length if isinstance(model_field, models.CharField) else None


def _cleaned(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        # A caller's mistake, not a person's: views and the API pass only the fields above.
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    cleaned: dict[str, Any] = {}
    for field, value in values.items():
        if field in _TEXT_FIELDS or field in {"kind", "level", "area"}:
            value = normalize_text(str(value)) if value is not None else ""
        cleaned[field] = value
    if "code" in cleaned:
        cleaned["code"] = cleaned["code"].upper()
    return cleaned


def _field_errors(values: dict[str, Any], *, own_pk: int | None) -> dict[str, list[str]]:
    """Errors of each field on its own and of kind/level/area together (not placement)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field in _TEXT_FIELDS:
        limit = _max_length(field)
        if limit is not None and len(values[field]) > limit:
            add(field, _("Enter at most %(max_length)s characters.") % {"max_length": limit})
    code = values["code"]
    if not code:
        add("code", _("Enter the organisation's code."))
    elif "code" not in errors and not _CODE_RE.fullmatch(code):
        add("code", _("Use letters, digits and hyphens only."))
    elif "code" not in errors and Org.objects.filter(code=code).exclude(pk=own_pk).exists():
        add("code", _("This code is already in use."))
    if not values["name"]:
        add("name", _("Enter the name."))
    phone = values["contact_phone"]
    if phone and "contact_phone" not in errors and not _PHONE_RE.fullmatch(phone):
        add("contact_phone", _("Use digits, spaces, hyphens and brackets only."))
    founded_on = values["founded_on"]
    if founded_on is not None and not isinstance(founded_on, date):
        add("founded_on", _("Enter a date such as 2026-11-25."))
    elif founded_on is not None and founded_on > timezone.localdate():
        add("founded_on", _("The founding date cannot be in the future."))

    kind, level, area = values["kind"], values["level"], values["area"]
    if kind not in OrgKind.values:
        add("kind", _("Choose a kind."))
    elif kind == OrgKind.FEDERATION and level not in FederationLevel.values:
        add("level", _("Choose the level of the federation."))
    elif kind != OrgKind.FEDERATION and level:
        add("level", _("Only federations have a level."))
    if kind == OrgKind.JOINT_UNION and area not in JointUnionArea.values:
        add("area", _("Choose the area the joint union covers."))
    elif kind in OrgKind.values and kind != OrgKind.JOINT_UNION and area:
        add("area", _("Only joint unions cover an area."))
    return errors


def _refuse_fields(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationFailed(_("Please correct the marked fields."), fields=errors)


def no_such_org_message() -> str:
    """What an org that is missing, or outside the actor's scope, reads as (the same)."""
    return _("There is no such organisation in your area.")


def _scoped(org: Org, actor: Any, perm: Perm, *, field: str | None = None) -> Org:
    """`org` re-read (and locked, on databases that can) as the actor may see it with `perm`;
    NotFound, exactly as for a missing org, when the actor may not."""
    try:
        found: Org = get_visible(Org.objects.select_for_update(), actor, perm, pk=org.pk)
    except Http404:
        message = no_such_org_message()
        raise NotFound(message, fields={field: [message]} if field else None) from None
    return found


def _lock_in_order(*orgs: Org) -> None:
    """Lock the rows of two orgs a restructuring touches, always in id order, so that two
    officers restructuring the same pair at once queue up instead of deadlocking. Locking the
    destination also keeps two moves into one parent from picking the same new path."""
    list(Org.objects.select_for_update().filter(pk__in=[org.pk for org in orgs]).order_by("pk").values("pk"))


def _parent_of(org: Org) -> Org | None:
    parent: Org | None = Org.objects.get_parent(org, update=True)
    return parent


def _history_actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _child_kinds(org: Org) -> set[tuple[str, str]]:
    return set(
        Org.objects.filter(path__startswith=org.path, depth=org.depth + 1)
        .order_by()
        .values_list("kind", "level")
        .distinct()
    )


def _end_officer_terms(org: Org, on: date) -> int:
    """End every term on `org` that nobody has ended yet, including terms past their end date
    whose holder is still in office for want of a successor."""
    ended: int = OfficerTerm.objects.filter(org=org, ended_on__isnull=True).update(ended_on=on)
    return ended


# --------------------------------------------------------------------------------------------
# Create and edit
# --------------------------------------------------------------------------------------------


@transaction.atomic
def create_org(parent: Org, *, actor: Any, **fields: Any) -> Org:
    """Add an organisation under `parent`. The actor needs ORG_CHANGE on `parent`."""
    parent = _scoped(parent, actor, Perm.ORG_CHANGE, field="parent")
    if not parent.is_active:
        raise Conflict(_("Nothing can be added under a dissolved organisation."))
    values: dict[str, Any] = dict.fromkeys(EDITABLE_FIELDS, "") | {"founded_on": None}
    values |= _cleaned(fields)
    errors = _field_errors(values, own_pk=None)
    if not {"kind", "level"} & set(errors):
        problem = placement_error(values["kind"], values["level"], parent.kind, parent.level)
        if problem:
            errors["kind"] = [problem]
    _refuse_fields(errors)

    org: Org = Org.objects.add_child(parent, create_kwargs=values)
    OrgHistory.objects.create(
        org=org, action=OrgHistoryAction.CREATED, to_parent=parent, actor=_history_actor(actor)
    )
    created = {key: [None, value] for key, value in snapshot(org, EDITABLE_FIELDS).items() if value}
    record_audit(actor=actor, action="orgs.create_org", obj=org, changes=created, note=parent.name)
    schedule_coverage_refresh()
    return org


@transaction.atomic
def update_org(org: Org, *, actor: Any, **changes: Any) -> Org:
    """Change an organisation's details (any of EDITABLE_FIELDS). The actor needs ORG_CHANGE.

    A change of kind or level is checked against the parent and against every kind of
    sub-organisation it has, so the tree never holds a union group under a federation."""
    org = _scoped(org, actor, Perm.ORG_CHANGE)
    if not org.is_active:
        raise Conflict(_("A dissolved organisation cannot be changed."))
    before = snapshot(org, EDITABLE_FIELDS)
    values = {field: getattr(org, field) for field in EDITABLE_FIELDS} | _cleaned(changes)
    errors = _field_errors(values, own_pk=org.pk)
    kind, level = values["kind"], values["level"]
    if (kind, level) != (org.kind, org.level) and not {"kind", "level"} & set(errors):
        parent = _parent_of(org)
        problem = placement_error(
            kind, level, parent.kind if parent else None, parent.level if parent else ""
        )
        if problem is None:
            for child_kind, child_level in sorted(_child_kinds(org)):
                child_problem = placement_error(child_kind, child_level, kind, level)
                if child_problem:
                    problem = _("Its sub-organisations could not stay under it: %(reason)s") % {
                        "reason": child_problem
                    }
                    break
        if problem:
            errors["kind"] = [problem]
    _refuse_fields(errors)

    for field, value in values.items():
        setattr(org, field, value)
    diff = changes_between(before, snapshot(org, EDITABLE_FIELDS))
    if diff:
        org.save(update_fields=[*diff, "updated_at"])
        record_audit(actor=actor, action="orgs.update_org", obj=org, changes=diff)
    return org


# --------------------------------------------------------------------------------------------
# Move
# --------------------------------------------------------------------------------------------


@transaction.atomic
def move_org(org: Org, new_parent: Org, *, actor: Any, note: str = "") -> Org:
    """Move `org` with its whole subtree under `new_parent`.

    The actor needs ORG_RESTRUCTURE on both. Members, workplaces, officers and everything else
    that belongs to an org in the subtree move with it: they point at the org, and scoping
    follows the org's path. Audit events keep the path they were recorded under."""
    _lock_in_order(org, new_parent)
    org = _scoped(org, actor, Perm.ORG_RESTRUCTURE)
    new_parent = _scoped(new_parent, actor, Perm.ORG_RESTRUCTURE, field="new_parent")
    if not org.is_active:
        raise Conflict(_("A dissolved organisation cannot be moved."))
    old_parent = _parent_of(org)
    if old_parent is None:
        raise Conflict(_("The top of the tree cannot be moved."))

    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed(message, fields={"new_parent": [message]})

    if new_parent.path.startswith(org.path):
        raise refuse(_("Cannot move a union under itself or its own subordinate."))
    if not new_parent.is_active:
        raise refuse(_("Cannot move into a dissolved organisation."))
    if new_parent.pk == old_parent.pk:
        raise refuse(_("It is already directly under this organisation."))
    problem = placement_error(org.kind, org.level, new_parent.kind, new_parent.level)
    if problem:
        raise refuse(problem)

    note = normalize_text(note)[:500]
    # node_order_by is empty (children keep the order they were added in), so the moved org
    # becomes the last child; treebeard rewrites the subtree's paths in one UPDATE.
    Org.objects.move(org, new_parent, "last-child")
    org.refresh_from_db()
    OrgHistory.objects.create(
        org=org,
        action=OrgHistoryAction.MOVED,
        from_parent=old_parent,
        to_parent=new_parent,
        actor=_history_actor(actor),
        note=note,
    )
    # Filed under the org's new place and, when the org left the old parent's subtree, under
    # that parent too, so that the officers of both subtrees find the move in their audit log.
    left_subtree = not org.path.startswith(old_parent.path)
    for audit_org in (org, old_parent) if left_subtree else (org,):
        record_audit(
            actor=actor,
            action="orgs.move_org",
            obj=org,
            changes={"parent": [old_parent.pk, new_parent.pk]},
            note=note or f"{old_parent.name} → {new_parent.name}",
            org=audit_org,
        )
    forget_grants(actor)  # the actor's cached grant paths may lie in the moved subtree
    schedule_coverage_refresh()
    return org


# --------------------------------------------------------------------------------------------
# Merge
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MergeResult:
    source: Org
    target: Org
    members_moved: int
    workplaces_moved: int
    children_moved: int
    officer_terms_ended: int


def _merge_kind_error(source: Org, target: Org) -> str | None:
    if source.kind == target.kind and source.level == target.level:
        return None
    if target.kind in _EXTRA_MERGE_TARGETS.get(source.kind, frozenset()):
        return None
    return _(
        "A union can only be merged into one of the same kind and level "
        "(a grassroots union also into a joint union)."
    )


@transaction.atomic
def merge_orgs(source: Org, target: Org, *, actor: Any, note: str = "") -> MergeResult:
    """Merge `source` into `target`: its members, workplaces and sub-organisations move to
    `target`, its officers' terms end today, and `source` is dissolved as merged into `target`.

    The actor needs ORG_RESTRUCTURE on both. Members and workplaces move with one UPDATE each
    (a union can have thousands); the counts are kept in both orgs' history."""
    _lock_in_order(source, target)
    source = _scoped(source, actor, Perm.ORG_RESTRUCTURE)
    target = _scoped(target, actor, Perm.ORG_RESTRUCTURE, field="target")

    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed(message, fields={"target": [message]})

    if source.pk == target.pk:
        raise refuse(_("A union cannot be merged into itself."))
    if not source.is_active:
        raise Conflict(_("This organisation has already been dissolved."))
    if source.depth == 1:
        raise Conflict(_("The top of the tree cannot be merged into another organisation."))
    if target.path.startswith(source.path):
        raise refuse(_("Cannot merge a union into its own subordinate."))
    if not target.is_active:
        raise refuse(_("Cannot merge into a dissolved organisation."))
    problem = _merge_kind_error(source, target)
    for child_kind, child_level in sorted(_child_kinds(source)):
        if problem:
            break
        child_problem = placement_error(child_kind, child_level, target.kind, target.level)
        if child_problem:
            problem = _("Its sub-organisations could not move under the target: %(reason)s") % {
                "reason": child_problem
            }
    if problem:
        raise refuse(problem)

    today = timezone.localdate()
    note = normalize_text(note)[:500]
    members_moved: int = Member.objects.filter(org=source).update(org=target)
    workplaces_moved = Workplace.objects.filter(Q(union=source) | Q(jurisdiction=source)).count()
    Workplace.objects.filter(union=source).update(union=target)
    Workplace.objects.filter(jurisdiction=source).update(jurisdiction=target)
    terms_ended = _end_officer_terms(source, today)
    children = list(Org.objects.filter(path__startswith=source.path, depth=source.depth + 1))
    for child in children:
        Org.objects.move(child, target, "last-child")
    source.refresh_from_db()
    target.refresh_from_db()
    source.status = OrgStatus.DISSOLVED
    source.dissolved_on = today
    source.merged_into = target
    source.save(update_fields=["status", "dissolved_on", "merged_into", "updated_at"])

    counts = {"members_moved": members_moved, "workplaces_moved": workplaces_moved}
    history_actor = _history_actor(actor)
    OrgHistory.objects.create(
        org=source,
        action=OrgHistoryAction.MERGED_INTO,
        other_org=target,
        actor=history_actor,
        note=note,
        **counts,
    )
    OrgHistory.objects.create(
        org=target,
        action=OrgHistoryAction.ABSORBED,
        other_org=source,
        actor=history_actor,
        note=note,
        **counts,
    )
    record_audit(
        actor=actor,
        action="orgs.merge_orgs",
        obj=source,
        changes={
            "status": [OrgStatus.ACTIVE.value, OrgStatus.DISSOLVED.value],
            "merged_into": [None, target.pk],
            "members_moved": [0, members_moved],
            "workplaces_moved": [0, workplaces_moved],
            "children_moved": [0, len(children)],
            "officer_terms_ended": [0, terms_ended],
        },
        note=note or f"{source.name} → {target.name}",
    )
    forget_grants(actor)
    schedule_coverage_refresh()
    return MergeResult(
        source=source,
        target=target,
        members_moved=members_moved,
        workplaces_moved=workplaces_moved,
        children_moved=len(children),
        officer_terms_ended=terms_ended,
    )


# --------------------------------------------------------------------------------------------
# Dissolve
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DissolveBlockers:
    """What still hangs on an org; it can be dissolved only when all are zero."""

    children: int
    members: int
    workplaces: int
    area_workplaces: int

    def __bool__(self) -> bool:
        return any((self.children, self.members, self.workplaces, self.area_workplaces))

    def describe(self) -> str:
        """E.g. "active sub-organisations: 3, active members: 120" (in Chinese, with "、")."""
        counted = (
            (self.children, _("active sub-organisations: %(count)d")),
            (self.members, _("active members: %(count)d")),
            (self.workplaces, _("workplaces it covers: %(count)d")),
            (self.area_workplaces, _("workplaces in its area: %(count)d")),
        )
        parts = [text % {"count": count} for count, text in counted if count]
        return pgettext("list separator", ", ").join(parts)


def dissolve_blockers(org: Org) -> DissolveBlockers:
    """Counts of what must be moved, merged or dissolved before `org` can be dissolved."""
    return DissolveBlockers(
        children=Org.objects.active().filter(path__startswith=org.path, depth=org.depth + 1).count(),
        members=Member.objects.filter(org=org, status=MemberStatus.ACTIVE).count(),
        workplaces=Workplace.objects.filter(union=org).count(),
        area_workplaces=Workplace.objects.filter(jurisdiction=org).count(),
    )


@transaction.atomic
def dissolve_org(org: Org, *, actor: Any, note: str = "") -> Org:
    """Dissolve an org that nothing active depends on any more; its officers' terms end today.

    The actor needs ORG_RESTRUCTURE. The org stays in the tree (marked dissolved) so that its
    history and former members remain where they were."""
    org = _scoped(org, actor, Perm.ORG_RESTRUCTURE)
    if not org.is_active:
        raise Conflict(_("This organisation has already been dissolved."))
    if org.depth == 1:
        raise Conflict(_("The top of the tree cannot be dissolved."))
    blockers = dissolve_blockers(org)
    if blockers:
        raise Conflict(
            _("%(name)s cannot be dissolved yet. Still there: %(what)s. Move, merge or dissolve them first.")
            % {"name": org.name, "what": blockers.describe()}
        )
    today = timezone.localdate()
    note = normalize_text(note)[:500]
    org.status = OrgStatus.DISSOLVED
    org.dissolved_on = today
    org.save(update_fields=["status", "dissolved_on", "updated_at"])
    terms_ended = _end_officer_terms(org, today)
    OrgHistory.objects.create(
        org=org, action=OrgHistoryAction.DISSOLVED, actor=_history_actor(actor), note=note
    )
    record_audit(
        actor=actor,
        action="orgs.dissolve_org",
        obj=org,
        changes={
            "status": [OrgStatus.ACTIVE.value, OrgStatus.DISSOLVED.value],
            "officer_terms_ended": [0, terms_ended],
        },
        note=note,
    )
    schedule_coverage_refresh()
    return org
