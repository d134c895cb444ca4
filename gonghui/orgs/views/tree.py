"""Console pages of the union tree: browse and search, one org's page, and the forms that add,
edit, move, merge and dissolve organisations. Reads go through `visible`/`get_visible`; writes
through `gonghui.orgs.services.tree`."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.orgs import tree_selectors
from gonghui.orgs.forms import DissolveOrgForm, MergeOrgForm, MoveOrgForm, OrgForm
from gonghui.orgs.models import Org, OrgHistory, OrgHistoryAction, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, visible
from gonghui.orgs.selectors import scope_roots
from gonghui.orgs.services import tree as services

TREE_PAGE_SIZE = 100  # children per lazily loaded level of the tree
CHILDREN_PAGE_SIZE = 50  # children per page of the table on an org's page
HISTORY_LIMIT = 50
PICKER_LIMIT = 20  # search results offered on the move and merge pages
_PATH_RE = re.compile(f"[{re.escape(Org.alphabet)}]{{1,255}}")
SECTION = "orgs"


def _detail_url(org: Org) -> str:
    return reverse("console:orgs:org_detail", args=[org.pk])


def _page_url(name: str, **query: Any) -> str:
    return f"{reverse(name)}?{urlencode(query)}"


# --------------------------------------------------------------------------------------------
# Browse
# --------------------------------------------------------------------------------------------


def _children_page(parent: Org, user: User, after: str = "") -> tuple[list[Org], str | None]:
    """One page of `parent`'s children in tree order, and the path to continue after."""
    children = tree_selectors.children_of(parent, visible(Org, user, Perm.ORG_VIEW))
    if after:
        children = children.filter(path__gt=after)
    rows = list(children[: TREE_PAGE_SIZE + 1])
    more_after = rows[TREE_PAGE_SIZE - 1].path if len(rows) > TREE_PAGE_SIZE else None
    return rows[:TREE_PAGE_SIZE], more_after


@require_GET
@officer_required
def tree(request: HttpRequest) -> HttpResponse:
    """The tops of the officer's scope, each level opened on demand, and a search box."""
    user = signed_in_user(request)
    roots = [root for root in scope_roots(user) if has_perm_at(user, Perm.ORG_VIEW, root.path)]
    query = tree_selectors.clean_query(request.GET.get("q", ""))
    results = tree_selectors.search_orgs(user, query) if query else None
    # With one root (the usual case) its first level is shown straight away.
    opened: Org | None = roots[0] if len(roots) == 1 and roots[0].numchild else None
    children, more_after = _children_page(opened, user) if opened else ([], None)
    context = {
        "roots": roots,
        "opened": opened,
        "opened_children": children,
        "opened_more_after": more_after,
        "query": query,
        "results": results,
        "search_limit": tree_selectors.SEARCH_LIMIT,
        "current_org_name": roots[0].name if len(roots) == 1 else None,
        "console_section": SECTION,
    }
    return render(request, "orgs/tree.html", context)


@require_GET
@officer_required
def tree_children(request: HttpRequest, pk: int) -> HttpResponse:
    """The next level under one org, as <li> items (htmx fills a <details> of the tree with it)."""
    user = signed_in_user(request)
    parent = get_visible(Org, user, Perm.ORG_VIEW, pk=pk)
    after = request.GET.get("after", "")
    if not (_PATH_RE.fullmatch(after) and after.startswith(parent.path)):
        after = ""
    children, more_after = _children_page(parent, user, after)
    context = {"parent": parent, "nodes": children, "more_after": more_after}
    return render(request, "orgs/tree_children.html", context)


# --------------------------------------------------------------------------------------------
# One org
# --------------------------------------------------------------------------------------------


def _history_detail(entry: OrgHistory) -> str:
    names = {
        "from": entry.from_parent.name if entry.from_parent else "",
        "to": entry.to_parent.name if entry.to_parent else "",
        "other": entry.other_org.name if entry.other_org else "",
        "members": entry.members_moved,
        "workplaces": entry.workplaces_moved,
    }
    texts = {
        OrgHistoryAction.CREATED: _("Set up under %(to)s"),
        OrgHistoryAction.MOVED: _("Moved from %(from)s to %(to)s"),
        OrgHistoryAction.MERGED_INTO: _(
            "Merged into %(other)s; %(members)s members and %(workplaces)s workplaces moved there"
        ),
        OrgHistoryAction.ABSORBED: _(
            "Absorbed %(other)s; %(members)s members and %(workplaces)s workplaces moved here"
        ),
    }
    text = texts[OrgHistoryAction(entry.action)] % names if entry.action in texts else ""
    if entry.action == OrgHistoryAction.CREATED and not entry.to_parent:
        text = ""
    return " · ".join(part for part in (text, entry.note) if part)


def _history_rows(org: Org, user: User) -> tuple[list[dict[str, Any]], bool]:
    entries = list(
        visible(OrgHistory, user, Perm.ORG_VIEW)
        .filter(org=org)
        .select_related("from_parent", "to_parent", "other_org", "actor")[: HISTORY_LIMIT + 1]
    )
    rows = [
        {
            "time": formats.date_format(timezone.localtime(entry.created_at), "DATETIME_FORMAT"),
            "action": entry.get_action_display(),
            "detail": _history_detail(entry),
            "actor": (entry.actor.display_name or entry.actor.get_username()) if entry.actor else "",
        }
        for entry in entries[:HISTORY_LIMIT]
    ]
    return rows, len(entries) > HISTORY_LIMIT


@require_GET
@officer_required
def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    org = get_visible(Org.objects.select_related("merged_into"), user, Perm.ORG_VIEW, pk=pk)
    children = tree_selectors.children_of(org, visible(Org, user, Perm.ORG_VIEW))
    page = Paginator(children, CHILDREN_PAGE_SIZE).get_page(request.GET.get("page"))
    child_rows = [
        {
            "name": child.name,
            "url": _detail_url(child),
            "code": child.code,
            "kind": child.get_kind_display(),
            "status": child.get_status_display(),
        }
        for child in page.object_list
    ]
    history, history_truncated = _history_rows(org, user)
    merged_into = org.merged_into
    may_change = org.is_active and has_perm_at(user, Perm.ORG_CHANGE, org.path)
    may_restructure = org.is_active and org.depth > 1 and has_perm_at(user, Perm.ORG_RESTRUCTURE, org.path)
    context = {
        "org": org,
        "ancestors": tree_selectors.ancestors_in_scope(org, user),
        "merged_into_url": (
            _detail_url(merged_into)
            if merged_into and has_perm_at(user, Perm.ORG_VIEW, merged_into.path)
            else None
        ),
        "workplaces_url": _page_url("console:orgs:workplaces", union=org.pk),
        "officers_url": _page_url("console:orgs:officers", org=org.pk),
        "coverage_url": (
            _page_url("console:orgs:coverage", org=org.pk)
            if has_perm_at(user, Perm.COVERAGE_VIEW, org.path)
            else None
        ),
        "roles_url": (
            reverse("console:orgs:roles", args=[org.pk])
            if org.is_active and has_perm_at(user, Perm.ROLE_GRANT, org.path)
            else None
        ),
        "may_change": may_change,
        "may_restructure": may_restructure,
        "children_table": {
            "table_id": "children",
            "caption": _("Sub-organisations"),
            "columns": [
                {"key": "name", "label": _("Name")},
                {"key": "code", "label": _("Code"), "class": "nowrap"},
                {"key": "kind", "label": _("Kind")},
                {"key": "status", "label": _("Status")},
            ],
            "rows": child_rows,
            "row_link": "url",
            "page_obj": page,
            "empty_message": _("No sub-organisations."),
        },
        "history_table": {
            "table_id": "history",
            "caption": _("History, newest first"),
            "columns": [
                {"key": "time", "label": _("Time"), "class": "nowrap"},
                {"key": "action", "label": _("Action")},
                {"key": "detail", "label": _("Details")},
                {"key": "actor", "label": _("By")},
            ],
            "rows": history,
            "empty_message": _("No history recorded."),
        },
        "history_truncated": history_truncated,
        "history_limit": HISTORY_LIMIT,
        "console_section": SECTION,
    }
    return render(request, "orgs/org_detail.html", context)


# --------------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    org: Org,
    form: Any,
    *,
    title: str,
    submit_label: str,
    template: str = "orgs/org_form.html",
    **extra: Any,
) -> HttpResponse:
    context = {
        "org": org,
        "ancestors": tree_selectors.ancestors_in_scope(org, signed_in_user(request)),
        "form": form,
        "title": title,
        "submit_label": submit_label,
        "cancel_url": _detail_url(org),
        "console_section": SECTION,
        **extra,
    }
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@officer_required
def org_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a sub-organisation under org `pk`."""
    user = signed_in_user(request)
    parent = get_visible(Org, user, Perm.ORG_CHANGE, pk=pk)
    form = (
        OrgForm(request.POST) if request.method == "POST" else OrgForm(initial={"district": parent.district})
    )
    if request.method == "POST" and form.is_valid():
        try:
            org = services.create_org(parent, actor=user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s has been added.") % {"name": org.name})
            return redirect(_detail_url(org))
    title = _("Add a sub-organisation to %(name)s") % {"name": parent.name}
    return _form_page(request, parent, form, title=title, submit_label=_("Add"))


@require_http_methods(["GET", "POST"])
@officer_required
def org_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    org = get_visible(Org, user, Perm.ORG_CHANGE, pk=pk)
    form = OrgForm(request.POST) if request.method == "POST" else OrgForm(initial=OrgForm.initial_for(org))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_org(org, actor=user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect(_detail_url(org))
    title = _("Edit %(name)s") % {"name": org.name}
    return _form_page(request, org, form, title=title, submit_label=_("Save"))


def _picker(request: HttpRequest, org: Org, user: User) -> dict[str, Any]:
    """The search that helps find the code of a destination on the move and merge pages."""
    query = tree_selectors.clean_query(request.GET.get("q", ""))
    candidates = (
        tree_selectors.search_orgs(
            user, query, perm=Perm.ORG_RESTRUCTURE, limit=PICKER_LIMIT, active_only=True, outside=org
        )
        if query
        else None
    )
    return {"query": query, "candidates": candidates, "picker_limit": PICKER_LIMIT}


def _destinations(user: User) -> Any:
    return visible(Org, user, Perm.ORG_RESTRUCTURE)


@require_http_methods(["GET", "POST"])
@officer_required
def org_move(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    org = get_visible(Org, user, Perm.ORG_RESTRUCTURE, pk=pk)
    if request.method == "POST":
        form = MoveOrgForm(request.POST, destinations=_destinations(user))
        if form.is_valid():
            try:
                services.move_org(
                    org, form.cleaned_data["new_parent"], actor=user, note=form.cleaned_data["note"]
                )
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s now sits under %(parent)s.")
                    % {"name": org.name, "parent": form.cleaned_data["new_parent"].name},
                )
                return redirect(_detail_url(org))
    else:
        form = MoveOrgForm(
            initial={"new_parent": request.GET.get("code", "")}, destinations=_destinations(user)
        )
    return _form_page(
        request,
        org,
        form,
        title=_("Move %(name)s") % {"name": org.name},
        submit_label=_("Move"),
        template="orgs/org_pick.html",
        intro=_(
            "The organisation moves with everything under it: sub-organisations, members, "
            "workplaces and officers."
        ),
        pick_field="new_parent",
        **_picker(request, org, user),
    )


@require_http_methods(["GET", "POST"])
@officer_required
def org_merge(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    org = get_visible(Org, user, Perm.ORG_RESTRUCTURE, pk=pk)
    if request.method == "POST":
        form = MergeOrgForm(request.POST, targets=_destinations(user))
        if form.is_valid():
            try:
                result = services.merge_orgs(
                    org, form.cleaned_data["target"], actor=user, note=form.cleaned_data["note"]
                )
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "%(source)s has been merged into %(target)s: %(members)s members and "
                        "%(workplaces)s workplaces moved."
                    )
                    % {
                        "source": result.source.name,
                        "target": result.target.name,
                        "members": result.members_moved,
                        "workplaces": result.workplaces_moved,
                    },
                )
                return redirect(_detail_url(result.target))
    else:
        form = MergeOrgForm(initial={"target": request.GET.get("code", "")}, targets=_destinations(user))
    return _form_page(
        request,
        org,
        form,
        title=_("Merge %(name)s into another union") % {"name": org.name},
        submit_label=_("Merge"),
        template="orgs/org_pick.html",
        intro=_(
            "Its members, workplaces and sub-organisations move to the union you choose; its "
            "officers' terms end today and it is marked as dissolved. This cannot be undone."
        ),
        pick_field="target",
        **_picker(request, org, user),
    )


@require_http_methods(["GET", "POST"])
@officer_required
def org_dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    org = get_visible(Org, user, Perm.ORG_RESTRUCTURE, pk=pk)
    form = DissolveOrgForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dissolve_org(org, actor=user, note=form.cleaned_data["note"])
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s has been dissolved.") % {"name": org.name})
            return redirect(_detail_url(org))
    blockers = services.dissolve_blockers(org) if org.status == OrgStatus.ACTIVE else None
    return _form_page(
        request,
        org,
        form,
        title=_("Dissolve %(name)s") % {"name": org.name},
        submit_label=_("Dissolve"),
        template="orgs/org_dissolve.html",
        blockers=blockers,
    )
