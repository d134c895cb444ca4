"""Console pages for officer terms: the list, terms ending soon, and add / edit / end a term."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.orgs import tree_selectors
from gonghui.orgs.forms import OfficerFilterForm, OfficerTermEndForm, OfficerTermForm
from gonghui.orgs.models import OfficerTerm, OfficerTermQuerySet, OfficerTermState, Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, visible
from gonghui.orgs.services import officers as services

PAGE_SIZE = 50
ENDING_DAYS = (30, 60, 90)
DEFAULT_ENDING_DAYS = 90
PICKER_LIMIT = 20
SECTION = "officers"


_TERMS = OfficerTerm.objects.select_related("org", "user")


def _terms(user: User, perm: Perm) -> OfficerTermQuerySet:
    return cast("OfficerTermQuerySet", visible(_TERMS, user, perm))


def _list_url(org: Org | None = None) -> str:
    url = reverse("console:orgs:officers")
    return f"{url}?{urlencode({'org': org.pk})}" if org is not None else url


@dataclass(frozen=True)
class TermRow:
    """A term as a table row, with what the viewer may do with it."""

    term: OfficerTerm
    today: date
    may_change: bool

    @property
    def state(self) -> OfficerTermState:
        return self.term.state_on(self.today)

    @property
    def days_left(self) -> int:
        return (self.term.term_end - self.today).days

    @property
    def edit_url(self) -> str:
        return reverse("console:orgs:officer_edit", args=[self.term.pk])

    @property
    def end_url(self) -> str | None:
        return None if self.term.ended_on else reverse("console:orgs:officer_end", args=[self.term.pk])


def _rows(user: User, terms: list[OfficerTerm], today: date) -> list[TermRow]:
    # has_perm_at works on the grants loaded once per request: no query per row.
    return [TermRow(term, today, has_perm_at(user, Perm.OFFICER_CHANGE, term.org.path)) for term in terms]


@require_GET
@officer_required
def officer_list(request: HttpRequest) -> HttpResponse:
    """Officers in the viewer's scope: in office by default; by union, position, name, status."""
    user = signed_in_user(request)
    today = timezone.localdate()
    filters = OfficerFilterForm(request.GET)
    filters.is_valid()  # an invalid filter is left out, the others still apply
    chosen = filters.cleaned_data
    org = get_visible(Org, user, Perm.OFFICER_VIEW, pk=chosen["org"]) if chosen.get("org") else None
    state = chosen.get("state") or OfficerTermState.CURRENT
    terms = _terms(user, Perm.OFFICER_VIEW).matching(
        on=today,
        org_id=org.pk if org is not None else None,
        position=chosen.get("position") or None,
        state=None if state == OfficerFilterForm.STATE_ALL else state,
        name=chosen.get("q") or "",
    )
    page = Paginator(terms, PAGE_SIZE).get_page(request.GET.get("page"))
    may_add = org is not None and org.is_active and has_perm_at(user, Perm.OFFICER_CHANGE, org.path)
    context = {
        "org": org,
        "filters": filters,
        "ancestors": tree_selectors.ancestors_in_scope(org, user) if org is not None else [],
        "add_url": (
            f"{reverse('console:orgs:officer_create')}?{urlencode({'org': org.pk})}"
            if may_add and org
            else None
        ),
        "roles_url": (
            reverse("console:orgs:roles", args=[org.pk])
            if org is not None and has_perm_at(user, Perm.ROLE_GRANT, org.path)
            else None
        ),
        "table_id": "officers",
        "caption": _("Officers"),
        "columns": [
            *([] if org is not None else [{"key": "term.org.name", "label": _("Union")}]),
            {"key": "term.get_position_display", "label": _("Position")},
            {
                "key": "term.name",
                "label": pgettext("person", "Name"),
                "template": "orgs/officer_cell_name.html",
            },
            {"key": "term", "label": _("Term"), "template": "orgs/officer_cell_term.html"},
            {"key": "state.label", "label": _("Status")},
            {"key": "term", "label": _("Actions"), "template": "orgs/officer_cell_actions.html"},
        ],
        "rows": _rows(user, list(page.object_list), today),
        "page_obj": page,
        "empty_message": _("No officers match these filters."),
        "console_section": SECTION,
    }
    return render(request, "orgs/officer_list.html", context)


@require_GET
@officer_required
def officers_ending(request: HttpRequest) -> HttpResponse:
    """Terms in office that end within 30, 60 or 90 days, soonest first: whom to remind to hold
    an election. Terms already past their end without a successor are counted beside it."""
    user = signed_in_user(request)
    today = timezone.localdate()
    raw_days = request.GET.get("days", "")
    days = int(raw_days) if raw_days in {str(d) for d in ENDING_DAYS} else DEFAULT_ENDING_DAYS
    visible_terms = _terms(user, Perm.OFFICER_VIEW)
    terms = visible_terms.matching(on=today, ending_within_days=days)
    page = Paginator(terms, PAGE_SIZE).get_page(request.GET.get("page"))
    overdue = visible_terms.overdue(today).count()
    context = {
        "days": days,
        "day_choices": [
            {"days": d, "url": f"?{urlencode({'days': d})}", "current": d == days} for d in ENDING_DAYS
        ],
        "overdue": overdue,
        "overdue_url": f"{reverse('console:orgs:officers')}?{urlencode({'state': OfficerTermState.OVERDUE})}",
        "table_id": "ending",
        "caption": _("Terms ending in the next %(days)d days, soonest first") % {"days": days},
        "columns": [
            {"key": "term.org.name", "label": _("Union")},
            {"key": "term.get_position_display", "label": _("Position")},
            {
                "key": "term.name",
                "label": pgettext("person", "Name"),
                "template": "orgs/officer_cell_name.html",
            },
            {"key": "term.term_end", "label": _("Term end"), "class": "nowrap"},
            {"key": "days_left", "label": _("Days left"), "template": "orgs/officer_cell_days.html"},
            {"key": "term", "label": _("Actions"), "template": "orgs/officer_cell_actions.html"},
        ],
        "rows": _rows(user, list(page.object_list), today),
        "page_obj": page,
        "empty_message": _("No term in your area ends in this period."),
        "console_section": SECTION,
    }
    return render(request, "orgs/officers_ending.html", context)


def _data(form: OfficerTermForm) -> services.OfficerTermData:
    fields = services.OfficerTermData.field_names()
    return services.OfficerTermData(**{k: v for k, v in form.cleaned_data.items() if k in fields})


def _form_page(request: HttpRequest, template: str, **context: Any) -> HttpResponse:
    org = context.get("org")
    ancestors = tree_selectors.ancestors_in_scope(org, signed_in_user(request)) if org is not None else []
    return render(request, template, {"console_section": SECTION, "ancestors": ancestors, **context})


def _org_param(request: HttpRequest) -> int | None:
    raw = request.GET.get("org", "")
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 19 else None


@require_http_methods(["GET", "POST"])
@officer_required
def officer_create(request: HttpRequest) -> HttpResponse:
    """Add a term to the union given as ?org=; without one, search for the union first."""
    user = signed_in_user(request)
    org_id = _org_param(request)
    if org_id is None:
        query = tree_selectors.clean_query(request.GET.get("q", ""))
        candidates = (
            tree_selectors.search_orgs(
                user, query, perm=Perm.OFFICER_CHANGE, limit=PICKER_LIMIT, active_only=True
            )
            if query
            else None
        )
        return _form_page(
            request,
            "orgs/officer_pick_org.html",
            query=query,
            candidates=candidates,
            picker_limit=PICKER_LIMIT,
        )
    org = get_visible(Org, user, Perm.OFFICER_CHANGE, pk=org_id)
    form = OfficerTermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            term = services.add_officer_term(org=org, data=_data(form), actor=user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request,
                _("%(name)s has been recorded as %(position)s.")
                % {"name": term.name, "position": term.get_position_display()},
            )
            return redirect(_list_url(org))
    return _form_page(
        request,
        "orgs/officer_form.html",
        org=org,
        form=form,
        title=_("Add an officer to %(org)s") % {"org": org.name},
        submit_label=_("Add the officer"),
        cancel_url=_list_url(org),
    )


@require_http_methods(["GET", "POST"])
@officer_required
def officer_edit(request: HttpRequest, term_id: int) -> HttpResponse:
    user = signed_in_user(request)
    term = get_visible(_TERMS, user, Perm.OFFICER_CHANGE, pk=term_id)
    form = OfficerTermForm.for_term(term, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_officer_term(term=term, data=_data(form), actor=user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect(_list_url(term.org))
    return _form_page(
        request,
        "orgs/officer_form.html",
        org=term.org,
        term=term,
        form=form,
        title=_("Edit the term of %(name)s") % {"name": term.name},
        submit_label=_("Save"),
        cancel_url=_list_url(term.org),
        end_url=None if term.ended_on else reverse("console:orgs:officer_end", args=[term.pk]),
    )


@require_http_methods(["GET", "POST"])
@officer_required
def officer_end(request: HttpRequest, term_id: int) -> HttpResponse:
    user = signed_in_user(request)
    term = get_visible(_TERMS, user, Perm.OFFICER_CHANGE, pk=term_id)
    form = OfficerTermEndForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.end_officer_term(
                term=term,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
                actor=user,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("The term of %(name)s has been ended.") % {"name": term.name})
            return redirect(_list_url(term.org))
    return _form_page(
        request,
        "orgs/officer_end.html",
        org=term.org,
        term=term,
        form=form,
        title=_("End the term of %(name)s") % {"name": term.name},
        submit_label=_("End the term"),
        cancel_url=_list_url(term.org),
    )
