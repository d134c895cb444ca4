"""Console pages of the collective contracts registry: the list with its filters (and the
"expiring" view), registering, one contract's page with its workflow, filing, documents and
renewal. Thin: parse, call one service, render."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.assistance.views.files import read_documents
from gonghui.console.navigation import require_somewhere
from gonghui.console.pages import org_on_form
from gonghui.contracts.models import (
    OFFICER_ACTIONS,
    TRANSITIONS,
    CollectiveContract,
    ContractAction,
    ContractDocument,
    ContractStatus,
)
from gonghui.contracts.selectors import contracts_for, filter_contracts
from gonghui.contracts.services import contracts
from gonghui.contracts.services.contracts import REMINDER_RULE
from gonghui.contracts.views.forms import (
    ClauseFormSet,
    ContractFilterForm,
    ContractForm,
    DocumentForm,
    FilingForm,
    TerminateForm,
    clause_inputs,
)
from gonghui.core.errors import DomainError, ValidationFailed
from gonghui.core.forms import show_domain_error
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, visible
from gonghui.workdays.deadlines import describe_rule

SECTION = "contracts"
PAGE_SIZE = 50
COVERED_SHOWN = 200


def _contract(request: HttpRequest, pk: int) -> CollectiveContract:
    rows = CollectiveContract.objects.select_related("org", "previous", "renewal")
    return get_visible(rows, signed_in_user(request), Perm.CONTRACTS_VIEW, pk=pk)


def may_change(user: User, contract: CollectiveContract) -> bool:
    return has_perm_at(user, Perm.CONTRACTS_CHANGE, contract.org.path)


@require_GET
@officer_required
def contract_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.CONTRACTS_VIEW)
    form = ContractFilterForm(request.GET or None)
    filters = form.valid_data() if request.GET else {}
    today = timezone.localdate()
    rows = filter_contracts(
        contracts_for(user).annotate(workplace_count=Count("coverage")),
        kind=filters.get("kind", ""),
        scope=filters.get("scope", ""),
        status=filters.get("status", ""),
        expiring=bool(filters.get("expiring")),
        today=today,
    ).order_by("term_end", "pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page_obj": page,
        "contracts": page.object_list,
        "expiring": bool(filters.get("expiring")),
        "reminder_rule": describe_rule(REMINDER_RULE),
        "may_register": bool(visible(Org, user, Perm.CONTRACTS_CHANGE)[:1]),
        "tab": "expiring" if filters.get("expiring") else "contracts",
        "console_section": SECTION,
    }
    return render(request, "contracts/contract_list.html", context)


def _show_errors(form: ContractForm, clauses: Any, error: DomainError) -> None:
    """The service's field errors next to their fields; `clauses.N.field` on the clause rows."""
    plain: dict[str, list[str]] = {}
    filled = [row for row in clauses.forms if row.has_changed()]
    for name, problems in error.fields.items():
        parts = name.split(".")
        if parts[0] == "clauses" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(filled):
            row = filled[int(parts[1])]
            for problem in problems:
                row.add_error(parts[2] if parts[2] in row.fields else None, problem)
        else:
            plain[name] = problems
    show_domain_error(form, type(error)(error.message, code=error.code, fields=plain))


def _form_page(
    request: HttpRequest,
    form: ContractForm,
    clauses: Any,
    *,
    previous: CollectiveContract | None,
    status: int,
    draft: CollectiveContract | None = None,
) -> HttpResponse:
    context = {
        "form": form,
        "clauses": clauses,
        "previous": previous,
        "draft": draft,
        "console_section": SECTION,
    }
    return render(request, "contracts/contract_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@officer_required
def contract_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.CONTRACTS_CHANGE)
    posted = request.POST if request.method == "POST" else None
    form, clauses = ContractForm(posted), ClauseFormSet(posted, prefix="clause")
    if posted is None:
        return _form_page(request, form, clauses, previous=None, status=200)
    if form.is_valid() & clauses.is_valid():
        org = org_on_form(form, user, Perm.CONTRACTS_CHANGE)
        if org is not None:
            try:
                contract = contracts.register_contract(
                    actor=user, org_id=org.pk, data=form.to_input(clause_inputs(clauses))
                )
            except DomainError as error:
                _show_errors(form, clauses, error)
            else:
                messages.success(
                    request, _("The contract is registered as a draft. Bring it into force when it applies.")
                )
                return redirect("console:contracts:contract_detail", pk=contract.pk)
    return _form_page(request, form, clauses, previous=None, status=422)


def _clause_rows(contract: CollectiveContract) -> list[dict[str, str]]:
    return [{"topic": clause.topic, "text": clause.text} for clause in contract.clauses.all()]


def _draft_initial(contract: CollectiveContract) -> dict[str, Any]:
    return {
        **_renewal_initial(contract),
        "number": contract.number,
        "signed_on": contract.signed_on,
        "term_start": contract.term_start,
        "term_end": contract.term_end,
    }


@require_http_methods(["GET", "POST"])
@officer_required
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    draft = _contract(request, pk)
    if not may_change(user, draft):
        raise Http404
    if draft.status != ContractStatus.DRAFT:
        messages.error(
            request, _("Only a draft can be changed; a contract in force is followed by a renewal.")
        )
        return redirect("console:contracts:contract_detail", pk=draft.pk)
    previous = draft.previous
    if request.method == "GET":
        clauses = ClauseFormSet(prefix="clause", initial=_clause_rows(draft))
        form = ContractForm(initial=_draft_initial(draft), renewal=True)
        return _form_page(request, form, clauses, previous=previous, draft=draft, status=200)
    form, clauses = ContractForm(request.POST, renewal=True), ClauseFormSet(request.POST, prefix="clause")
    if form.is_valid() & clauses.is_valid():
        try:
            contracts.change_draft(
                draft.pk,
                actor=user,
                data=form.to_input(clause_inputs(clauses), scope=draft.scope, kind=draft.kind),
            )
        except DomainError as error:
            _show_errors(form, clauses, error)
        else:
            messages.success(request, _("The draft has been changed."))
            return redirect("console:contracts:contract_detail", pk=draft.pk)
    return _form_page(request, form, clauses, previous=previous, draft=draft, status=422)


def _renewal_initial(contract: CollectiveContract) -> dict[str, Any]:
    codes = "\n".join(contract.workplaces.order_by("pk").values_list("credit_code", flat=True))
    return {
        "title": contract.title,
        "workers_covered": contract.workers_covered,
        "wage_increase": contract.wage_increase,
        "minimum_wage": contract.minimum_wage,
        "area_description": contract.area_description,
        "industry": contract.industry,
        "employer_representative": contract.employer_representative,
        "union_representative": contract.union_representative,
        "workplaces": codes,
    }


@require_http_methods(["GET", "POST"])
@officer_required
def contract_renew(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    previous = _contract(request, pk)
    if not may_change(user, previous):
        raise Http404
    if request.method == "GET":
        clauses = ClauseFormSet(prefix="clause", initial=_clause_rows(previous))
        form = ContractForm(initial=_renewal_initial(previous), renewal=True)
        return _form_page(request, form, clauses, previous=previous, status=200)
    form, clauses = ContractForm(request.POST, renewal=True), ClauseFormSet(request.POST, prefix="clause")
    if form.is_valid() & clauses.is_valid():
        try:
            contract = contracts.renew_contract(
                previous.pk,
                actor=user,
                data=form.to_input(clause_inputs(clauses), scope=previous.scope, kind=previous.kind),
            )
        except DomainError as error:
            _show_errors(form, clauses, error)
        else:
            messages.success(
                request, _("The renewal is registered as a draft, linked to the previous contract.")
            )
            return redirect("console:contracts:contract_detail", pk=contract.pk)
    return _form_page(request, form, clauses, previous=previous, status=422)


@dataclass
class ActionForms:
    terminate: TerminateForm = field(default_factory=lambda: TerminateForm(prefix="end"))
    filing: FilingForm | None = None
    documents: DocumentForm | None = None


def _detail(
    request: HttpRequest, contract: CollectiveContract, action_forms: ActionForms, status: int = 200
) -> HttpResponse:
    user = signed_in_user(request)
    change = may_change(user, contract)
    covered = contract.workplaces.select_related("union").order_by("name", "pk")
    filing = action_forms.filing or FilingForm(
        prefix="filing",
        initial={
            "filed_on": contract.filed_on,
            "review_result": contract.review_result,
            "review_note": contract.review_note,
        },
    )
    actions = (
        [t for t in TRANSITIONS.available(contract.status) if t.action in OFFICER_ACTIONS] if change else []
    )
    context: dict[str, Any] = {
        "contract": contract,
        "renewal": getattr(contract, "renewal", None),
        "covered": list(covered[:COVERED_SHOWN]),
        "covered_count": covered.count(),
        "clauses": list(contract.clauses.all()),
        "documents": list(contract.documents.all()),
        "history": list(contract.history.select_related("actor")),
        "may_change": change,
        "may_bring_into_force": any(t.action == ContractAction.BRING_INTO_FORCE for t in actions),
        "may_terminate": any(t.action == ContractAction.TERMINATE for t in actions),
        "may_renew": change
        and contract.status in contracts.RENEWABLE
        and getattr(contract, "renewal", None) is None,
        "may_file": change and contract.status in contracts.FILABLE,
        "terminate_form": action_forms.terminate,
        "filing_form": filing,
        "document_form": action_forms.documents or DocumentForm(prefix="document"),
        "reminder_rule": describe_rule(REMINDER_RULE),
        "console_section": SECTION,
    }
    return render(request, "contracts/contract_detail.html", context, status=status)


@require_GET
@officer_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _contract(request, pk), ActionForms())


@require_POST
@officer_required
def contract_action(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    contract = _contract(request, pk)
    action = request.POST.get("action", "")
    form = TerminateForm(request.POST, prefix="end") if action == ContractAction.TERMINATE else None
    if form is not None and not form.is_valid():
        return _detail(request, contract, ActionForms(terminate=form), status=422)
    data = form.cleaned_data if form is not None else {}
    try:
        contracts.take_action(
            contract.pk,
            actor=user,
            action=action,
            comment=request.POST.get("comment", ""),
            ended_on=data.get("ended_on"),
            reason=data.get("reason", ""),
        )
    except ValidationFailed as error:
        if form is None:
            messages.error(request, error.message)
            return redirect("console:contracts:contract_detail", pk=contract.pk)
        show_domain_error(form, error)
        return _detail(request, contract, ActionForms(terminate=form), status=422)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if action == ContractAction.BRING_INTO_FORCE:
            messages.success(request, _("The contract is in force."))
        else:
            messages.success(request, _("The contract has been terminated."))
    return redirect("console:contracts:contract_detail", pk=contract.pk)


@require_POST
@officer_required
def contract_filing(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    contract = _contract(request, pk)
    form = FilingForm(request.POST, prefix="filing")
    if form.is_valid():
        try:
            contracts.record_filing(
                contract.pk,
                actor=user,
                filed_on=form.cleaned_data["filed_on"],
                review_result=form.cleaned_data["review_result"],
                review_note=form.cleaned_data["review_note"] or "",
            )
        except ValidationFailed as error:
            show_domain_error(form, error)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("console:contracts:contract_detail", pk=contract.pk)
        else:
            messages.success(request, _("The filing has been recorded."))
            return redirect("console:contracts:contract_detail", pk=contract.pk)
    return _detail(request, contract, ActionForms(filing=form), status=422)


@require_POST
@officer_required
def contract_documents(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    contract = _contract(request, pk)
    form = DocumentForm(request.POST, request.FILES, prefix="document")
    if form.is_valid():
        documents, problems = read_documents(form.cleaned_data["documents"], contract.documents.count())
        for problem in problems:
            form.add_error("documents", problem)
        if not problems:
            try:
                contracts.add_contract_documents(contract.pk, actor=user, documents=documents)
            except ValidationFailed as error:
                show_domain_error(form, error, {"file": "documents"})
            except DomainError as error:
                messages.error(request, error.message)
                return redirect("console:contracts:contract_detail", pk=contract.pk)
            else:
                messages.success(request, _("The documents have been added to the contract."))
                return redirect("console:contracts:contract_detail", pk=contract.pk)
    return _detail(request, contract, ActionForms(documents=form), status=422)


@require_GET
@officer_required
def contract_document(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    document = ContractDocument.objects.filter(contract=contract, pk=document_pk).first()
    if document is None:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return cast("HttpResponse", response)


urlpatterns: list[URLPattern] = [
    path("", contract_list, name="contract_list"),
    path("new/", contract_new, name="contract_new"),
    path("<int:pk>/", contract_detail, name="contract_detail"),
    path("<int:pk>/edit/", contract_edit, name="contract_edit"),
    path("<int:pk>/action/", contract_action, name="contract_action"),
    path("<int:pk>/renew/", contract_renew, name="contract_renew"),
    path("<int:pk>/filing/", contract_filing, name="contract_filing"),
    path("<int:pk>/documents/", contract_documents, name="contract_documents"),
    path("<int:pk>/documents/<int:document_pk>/", contract_document, name="contract_document"),
]
