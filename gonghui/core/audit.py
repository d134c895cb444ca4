"""The audit helper every service calls after it writes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from gonghui.core.middleware import current_client_ip
from gonghui.core.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Field values of `obj` as JSON-safe data, for a before/after comparison.

    Models may define `audit_value(field) -> value` to mask personal data (ID numbers, mobiles).
    """
    masker = getattr(obj, "audit_value", None)
    result: dict[str, Any] = {}
    for name in fields:
        value = masker(name) if callable(masker) else getattr(obj, name)
        result[name] = _jsonable(value)
    return result


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _actor_label(actor: Any) -> str:
    # A member's username is their mobile number: the label shows the masked form, the FK the rest.
    label = getattr(actor, "public_username", None) or actor.get_username()
    return str(label)[:150]


def audit_event(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    changes: Mapping[str, list[Any]] | None = None,
    note: str = "",
    org: Any = None,
) -> AuditEvent:
    """An unsaved audit event; `record_audit` saves one, `record_audits` many at once.

    `org` is the org whose subtree the event belongs to (officers above it see the event); when
    omitted it is taken from `obj.org`, or `obj` itself when `obj` is an org.
    """
    if org is None and obj is not None:
        org = obj if hasattr(obj, "steplen") else getattr(obj, "org", None)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent(
        actor=actor if is_user else None,
        actor_label=_actor_label(actor) if is_user else "system",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=dict(changes or {}),
        note=note[:500],
        ip_address=current_client_ip(),
        org_path=getattr(org, "path", "") or "",
    )


def record_audit(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    changes: Mapping[str, list[Any]] | None = None,
    note: str = "",
    org: Any = None,
) -> AuditEvent:
    """Append one audit event. `actor` is a user or None for the system itself."""
    event = audit_event(actor=actor, action=action, obj=obj, changes=changes, note=note, org=org)
    event.save(force_insert=True)
    return event


def record_audits(events: Iterable[AuditEvent]) -> list[AuditEvent]:
    """Append many events built with `audit_event` in batched INSERTs (bulk work: imports)."""
    return AuditEvent.objects.bulk_create(list(events), batch_size=1000)
