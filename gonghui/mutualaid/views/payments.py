"""Console pages of mutual aid payments: the payment batches, a new batch of all approved claims
of a plan (how many and how much shown before it is made), one batch with its claims, the bank
transfer file (a download that marks the batch exported) and the bank's answer (the failed
claims, each with the bank's reason, go back to the queue as approved; the others are paid).

Reads need MUTUALAID_VIEW (finance officers and auditors follow the payments); every change is a
service call, which needs MUTUALAID_HANDLE on the federation running the plan. No medical detail
appears on these pages: a batch lists reference, member (masked), union, claim type and payout.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.console.navigation import require_somewhere
from gonghui.core.errors import DomainError, ValidationFailed
from gonghui.core.text import normalize_text
from gonghui.mutualaid import selectors
from gonghui.mutualaid.models import MAX_REASON, PaymentBatch, PaymentBatchStatus
from gonghui.mutualaid.payout import yuan
from gonghui.mutualaid.services import payments as services
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at

PAGE_SIZE = 50
ZERO = Decimal("0.00")
SECTION = "mutualaid"
TAB = "payments"


@require_GET
@officer_required
def payment_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.MUTUALAID_VIEW)
    rows = selectors.batches_for(user).order_by("-created_at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "batches": [{"batch": batch, "total": yuan(batch.total)} for batch in page.object_list],
        "page_obj": page,
        "payable": selectors.payable_plans(user),
        "tab": TAB,
        "console_section": SECTION,
    }
    return render(request, "mutualaid/payment_list.html", context)


@require_http_methods(["GET", "POST"])
@officer_required
def payment_new(request: HttpRequest, plan_pk: int) -> HttpResponse:
    """GET: what the batch would hold; POST: make it (the claims are those approved by then)."""
    user = signed_in_user(request)
    payable = selectors.payable(user, plan_pk)
    if request.method == "POST":
        try:
            batch = services.create_payment_batch(payable.plan, actor=user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Payment batch %(number)s holds %(count)s claims, %(total)s yuan in all. "
                    "Export the transfer file next."
                )
                % {"number": batch.pk, "count": batch.count, "total": yuan(batch.total)},
            )
            return redirect("console:mutualaid:payment_detail", pk=batch.pk)
        payable = selectors.payable(user, plan_pk)
    context = {"payable": payable, "tab": TAB, "console_section": SECTION}
    return render(request, "mutualaid/payment_new.html", context)


def _detail(
    request: HttpRequest,
    user: User,
    batch: PaymentBatch,
    *,
    failed: frozenset[int] = frozenset(),
    reasons: dict[int, str] | None = None,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    claims = list(selectors.batch_claims(batch))
    errors = errors or {}
    context = {
        "batch": batch,
        "total": yuan(batch.total),
        "rows": [
            {
                "claim": claim,
                "payout": yuan(claim.payout or ZERO),
                "failed": claim.pk in failed,
                "reason": (reasons or {}).get(claim.pk, ""),
                "errors": errors.get(f"reasons.{claim.pk}", []),
            }
            for claim in claims
        ],
        "failed_count": batch.count - len(claims) if batch.status == PaymentBatchStatus.CLOSED else 0,
        "general_errors": [
            message
            for field, items in errors.items()
            if not field.startswith("reasons.")
            for message in items
        ],
        "may_handle": has_perm_at(user, Perm.MUTUALAID_HANDLE, batch.plan.org.path),
        "may_export": batch.status != PaymentBatchStatus.CLOSED,
        "may_mark_paid": batch.status == PaymentBatchStatus.EXPORTED,
        "max_reason": MAX_REASON,
        "tab": TAB,
        "console_section": SECTION,
    }
    return render(request, "mutualaid/payment_detail.html", context, status=status)


@require_GET
@officer_required
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    return _detail(request, user, selectors.visible_batch(user, pk))


@require_POST
@officer_required
def payment_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The bank transfer file as a download; the batch is marked exported."""
    user = signed_in_user(request)
    batch = selectors.visible_batch(user, pk)
    try:
        content = services.export_payment_batch(batch, actor=user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("console:mutualaid:payment_detail", pk=batch.pk)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{selectors.transfer_file_name(batch)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _failed_ids(raw: list[str], known: set[int]) -> list[int] | None:
    ids: list[int] = []
    for text in raw:
        if not text.isdigit() or int(text) not in known:
            return None
        ids.append(int(text))
    return ids


@require_POST
@officer_required
def payment_mark_paid(request: HttpRequest, pk: int) -> HttpResponse:
    """The bank's answer: the ticked claims failed (each with the bank's reason)."""
    user = signed_in_user(request)
    batch = selectors.visible_batch(user, pk)
    known = set(selectors.batch_claims(batch).values_list("pk", flat=True))
    failed = _failed_ids(request.POST.getlist("failed"), known)
    if failed is None:
        messages.error(request, _("The claims shown have changed. Look at them again and choose."))
        return redirect("console:mutualaid:payment_detail", pk=batch.pk)
    reasons = {claim_id: normalize_text(request.POST.get(f"reason_{claim_id}", "")) for claim_id in failed}
    try:
        closed = services.mark_paid(batch, actor=user, failed_claim_ids=failed, reasons=reasons)
    except ValidationFailed as exc:
        return _detail(
            request, user, batch, failed=frozenset(failed), reasons=reasons, errors=exc.fields, status=422
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("console:mutualaid:payment_detail", pk=batch.pk)
    paid = closed.count - len(failed)
    if failed:
        messages.success(
            request,
            _("%(paid)s claims are paid. %(failed)s failed and are back in the queue as approved.")
            % {"paid": paid, "failed": len(failed)},
        )
    else:
        messages.success(request, _("All %(paid)s claims of the batch are paid.") % {"paid": paid})
    return redirect("console:mutualaid:payment_detail", pk=batch.pk)


urlpatterns: list[URLPattern] = [
    path("payments/", payment_list, name="payment_list"),
    path("payments/new/<int:plan_pk>/", payment_new, name="payment_new"),
    path("payments/<int:pk>/", payment_detail, name="payment_detail"),
    path("payments/<int:pk>/export/", payment_export, name="payment_export"),
    path("payments/<int:pk>/mark-paid/", payment_mark_paid, name="payment_mark_paid"),
]
