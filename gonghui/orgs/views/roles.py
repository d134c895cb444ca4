"""Console pages for role grants on one org: who holds which role, grant, revoke, and open an
account for a new officer. All need ROLE_GRANT on the org (federation administrators)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.orgs import tree_selectors
from gonghui.orgs.forms import OfficerAccountForm, RoleGrantForm
from gonghui.orgs.models import Org, RoleGrant
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible
from gonghui.orgs.services import roles as services

PAGE_SIZE = 50
SECTION = "orgs"


def _roles_url(org: Org) -> str:
    return reverse("console:orgs:roles", args=[org.pk])


@dataclass(frozen=True)
class GrantRow:
    grant: RoleGrant
    is_self: bool

    @property
    def revoke_url(self) -> str | None:
        return None if self.is_self else reverse("console:orgs:role_revoke", args=[self.grant.pk])


def _page(request: HttpRequest, org: Org, *, form: RoleGrantForm, status: int = 200) -> HttpResponse:
    user = signed_in_user(request)
    grants = (
        visible(RoleGrant.objects.select_related("user"), user, Perm.ROLE_GRANT)
        .filter(org=org)
        .order_by("role", "user__username", "pk")
    )
    page = Paginator(grants, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "org": org,
        "ancestors": tree_selectors.ancestors_in_scope(org, user),
        "form": form,
        "needs_second_factor": services.requires_second_factor(org),
        "account_url": reverse("console:orgs:role_account_create", args=[org.pk]),
        "grant_url": reverse("console:orgs:role_grant", args=[org.pk]),
        "table_id": "role-grants",
        "caption": _("Roles held on %(org)s") % {"org": org.name},
        "columns": [
            {
                "key": "grant.user.display_name",
                "label": pgettext("person", "Name"),
                "template": "orgs/role_cell_person.html",
            },
            {"key": "grant.get_role_display", "label": _("Role")},
            {"key": "grant.user.otp_required", "label": _("Sign-in"), "template": "orgs/role_cell_2fa.html"},
            {"key": "grant.created_at", "label": _("Granted on"), "class": "nowrap"},
            {"key": "grant", "label": _("Actions"), "template": "orgs/role_cell_actions.html"},
        ],
        "rows": [GrantRow(grant, grant.user_id == user.pk) for grant in page.object_list],
        "page_obj": page,
        "empty_message": _("Nobody holds a role on this organisation itself."),
        "console_section": SECTION,
    }
    return render(request, "orgs/role_list.html", context, status=status)


@require_GET
@officer_required
def role_list(request: HttpRequest, org_id: int) -> HttpResponse:
    org = get_visible(Org, signed_in_user(request), Perm.ROLE_GRANT, pk=org_id)
    return _page(request, org, form=RoleGrantForm())


def _granted_message(grant: RoleGrant) -> str:
    message = _("%(name)s is now %(role)s of %(org)s.") % {
        "name": grant.user,
        "role": grant.get_role_display(),
        "org": grant.org.name,
    }
    if services.requires_second_factor(grant.org):
        message += " " + _(
            "A role on a federation needs two-factor authentication: %(name)s will be asked to set up "
            "an authenticator app at the next sign-in."
        ) % {"name": grant.user}
    return message


@require_POST
@officer_required
def role_grant(request: HttpRequest, org_id: int) -> HttpResponse:
    user = signed_in_user(request)
    org = get_visible(Org, user, Perm.ROLE_GRANT, pk=org_id)
    form = RoleGrantForm(request.POST)
    if form.is_valid():
        try:
            grantee = services.officer_by_username(form.cleaned_data["username"])
            grant = services.grant_role(user=grantee, org=org, role=form.cleaned_data["role"], actor=user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _granted_message(grant))
            return redirect(_roles_url(org))
    return _page(request, org, form=form)


@require_http_methods(["GET", "POST"])
@officer_required
def role_revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    """GET asks for confirmation; POST revokes."""
    user = signed_in_user(request)
    grant = get_visible(RoleGrant.objects.select_related("org", "user"), user, Perm.ROLE_GRANT, pk=grant_id)
    error = None
    if request.method == "POST":
        try:
            services.revoke_role(grant=grant, actor=user)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _("%(name)s no longer holds the role %(role)s here.")
                % {"name": grant.user, "role": grant.get_role_display()},
            )
            return redirect(_roles_url(grant.org))
    context = {
        "org": grant.org,
        "ancestors": tree_selectors.ancestors_in_scope(grant.org, user),
        "grant": grant,
        "error": error,
        "is_self": grant.user_id == user.pk,
        "cancel_url": _roles_url(grant.org),
        "console_section": SECTION,
    }
    return render(request, "orgs/role_revoke.html", context)


@never_cache  # the response carries a password
@require_http_methods(["GET", "POST"])
@officer_required
def role_account_create(request: HttpRequest, org_id: int) -> HttpResponse:
    """Open a console account for a new officer, with a role on this org. The one-time password
    is shown on the response page only; it is not stored in clear text anywhere."""
    user = signed_in_user(request)
    org = get_visible(Org, user, Perm.ROLE_GRANT, pk=org_id)
    form = OfficerAccountForm(request.POST or None)
    context: dict[str, Any] = {
        "org": org,
        "ancestors": tree_selectors.ancestors_in_scope(org, user),
        "form": form,
        "needs_second_factor": services.requires_second_factor(org),
        "cancel_url": _roles_url(org),
        "console_section": SECTION,
    }
    if request.method == "POST" and form.is_valid():
        try:
            grant, password = services.create_officer_account(org=org, actor=user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            context.update(grant=grant, password=password, granted_message=_granted_message(grant))
            return render(request, "orgs/role_account_created.html", context)
    return render(request, "orgs/role_account_form.html", context)
