"""Enrolment (参保): a union enrols its members in a plan in batches and records the payment.

Permissions. Enrolling is work on a union's member registry: the union's own officers (or a
federation above it) decide which of their members are covered and owe the contribution, so it
needs `Perm.MEMBER_CHANGE` on the enrolling union (`org`), the same authority that adds members
to it. No mutual aid permission is needed for that: a union officer holds none, and giving them
MUTUALAID_VIEW would also show them the scheme's figures above their union. Reading enrolments
in the console goes through `visible(Enrolment, user, Perm.MUTUALAID_VIEW)` (scoped by `org`).

A person is enrolled at most once per plan (unique (plan, person_index)), whatever union they
move to later: the enrolment keeps the union that enrolled them (`org`) and its contribution.
The plan row is locked while a batch is written, so two unions enrolling the same person at the
same moment enrol them once (the second skips them); the unique index is the last line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.audit import record_audit
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, NotFound
from gonghui.core.text import normalize_text
from gonghui.members.models import Member
from gonghui.mutualaid.models import (
    MAX_REFERENCE,
    AidPlan,
    AidPlanStatus,
    Enrolment,
    EnrolmentBatch,
)
from gonghui.mutualaid.services.plans import _day, _is_day, _money
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at

CHUNK = 1000


@dataclass(frozen=True)
class EnrolmentResult:
    batch: EnrolmentBatch
    enrolled: int
    skipped: int  # already enrolled in the plan (through this union or any other)


def _require_member_change(actor: Any, org: Org) -> None:
    if has_perm_at(actor, Perm.MEMBER_CHANGE, org.path):
        return
    if has_perm_at(actor, Perm.MEMBER_VIEW, org.path):
        raise Forbidden(_("You may not enrol the members of this union."))
    raise NotFound(_("The organisation was not found."))


def _chunks(ids: Iterable[int], size: int = CHUNK) -> Iterable[list[int]]:
    chunk: list[int] = []
    for item in ids:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@transaction.atomic
def enrol_members(
    plan: AidPlan | int, *, actor: Any, org: Org, member_ids: Iterable[int] | None = None
) -> EnrolmentResult:
    """Enrol members of `org`'s subtree in the plan: the given ones, or (None) every active
    member not yet enrolled. People already enrolled are skipped and counted, not refused."""
    _require_member_change(actor, org)
    pk = plan.pk if isinstance(plan, AidPlan) else plan
    found = AidPlan.objects.select_for_update(of=("self",)).select_related("org").filter(pk=pk).first()
    if found is None or not org.path.startswith(found.org.path):
        raise NotFound(_("The mutual aid plan was not found."))
    if found.status != AidPlanStatus.OPEN:
        raise Conflict(_("Members can be enrolled only while the plan is in force."))
    today = timezone.localdate()
    if today > found.coverage_end:
        raise Conflict(
            _("The plan's coverage ended on %(date)s: nobody can be enrolled any more.")
            % {"date": _day(found.coverage_end)}
        )
    enrolled_on = max(today, found.coverage_start)
    members = Member.objects.active().in_subtree(org)
    if member_ids is not None:
        errors = FieldErrors()
        try:
            wanted = sorted({int(pk) for pk in member_ids})
        except (TypeError, ValueError):
            wanted = []
            errors.add("member_ids", _("Choose members from the list."))
        if not wanted and not errors:
            errors.add("member_ids", _("Choose at least one member."))
        else:
            found_ids = set(members.filter(pk__in=wanted).values_list("pk", flat=True))
            missing = len(wanted) - len(found_ids)
            if missing:
                errors.add(
                    "member_ids",
                    _(
                        "%(count)s of the chosen people are not active members of this union or its "
                        "sub-unions."
                    )
                    % {"count": missing},
                )
        errors.raise_if_any()
        members = members.filter(pk__in=wanted)
    already = Enrolment.objects.filter(plan=found).values("person_index")
    total_candidates = members.count()
    todo = members.exclude(id_number_index__in=already)
    ids = list(todo.order_by("pk").values_list("pk", flat=True))
    skipped = total_candidates - len(ids)
    if not ids:
        raise Conflict(
            _("Nobody to enrol: all %(count)s members are already enrolled in this plan.")
            % {"count": skipped}
        )
    contribution = found.contribution_per_member
    batch = EnrolmentBatch.objects.create(
        plan=found,
        org=org,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        count=len(ids),
        total_contribution=contribution * len(ids),
    )
    for chunk in _chunks(ids):
        rows = Member.objects.filter(pk__in=chunk).values_list("pk", "id_number_index", "org_id")
        Enrolment.objects.bulk_create(
            [
                Enrolment(
                    plan=found,
                    member_id=member_id,
                    person_index=person_index,
                    org_id=org_id,
                    enrolled_on=enrolled_on,
                    contribution=contribution,
                    batch=batch,
                )
                for member_id, person_index, org_id in rows
            ],
            batch_size=CHUNK,
        )
    record_audit(
        actor=actor,
        action="mutualaid.enrol_members",
        obj=batch,
        changes={
            "plan": [None, found.pk],
            "count": [None, batch.count],
            "skipped": [None, skipped],
            "enrolled_on": [None, enrolled_on.isoformat()],
            "total_contribution": [None, str(batch.total_contribution)],
        },
    )
    return EnrolmentResult(batch=batch, enrolled=len(ids), skipped=skipped)


@transaction.atomic
def record_batch_payment(
    batch: EnrolmentBatch | int, *, actor: Any, amount: Decimal | str, reference: str, paid_on: date
) -> EnrolmentBatch:
    """The union's payment of a batch's contributions: exactly the batch total, once."""
    pk = batch.pk if isinstance(batch, EnrolmentBatch) else batch
    found = (
        EnrolmentBatch.objects.select_for_update(of=("self",))
        .select_related("org", "plan")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(_("The enrolment batch was not found."))
    _require_member_change(actor, found.org)
    if found.is_paid:
        raise Conflict(
            _("The payment of this batch was already recorded on %(date)s.")
            % {"date": _day(found.paid_on) if found.paid_on else ""}
        )
    errors = FieldErrors()
    paid = _money(errors, "amount", amount)
    if paid is not None and paid != found.total_contribution:
        errors.add(
            "amount",
            _("The amount paid must be exactly the batch total of %(total)s yuan (%(count)s members).")
            % {"total": f"{found.total_contribution:,.2f}", "count": found.count},
        )
    reference = normalize_text(reference or "")
    if not reference:
        errors.add("reference", _("Enter the payment reference of the bank transfer."))
    elif len(reference) > MAX_REFERENCE:
        errors.add("reference", _("Enter at most %(limit)s characters.") % {"limit": MAX_REFERENCE})
    if not _is_day(paid_on):
        errors.add("paid_on", _("Enter a valid date."))
    elif paid_on > timezone.localdate():
        errors.add("paid_on", _("The payment date cannot be in the future."))
    errors.raise_if_any()
    found.amount_paid = paid
    found.payment_reference = reference
    found.paid_on = paid_on
    found.payment_recorded_at = timezone.now()
    found.save(
        update_fields=["amount_paid", "payment_reference", "paid_on", "payment_recorded_at", "updated_at"]
    )
    record_audit(
        actor=actor,
        action="mutualaid.record_batch_payment",
        obj=found,
        changes={
            "amount_paid": [None, str(paid)],
            "payment_reference": [None, reference],
            "paid_on": [None, paid_on.isoformat()],
        },
    )
    return found
