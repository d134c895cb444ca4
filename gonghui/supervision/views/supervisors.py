"""Console pages: the supervisors of the officer's scope, adding one and changing one (switching
a supervisor off is unticking "active"). Mobiles are shown to those who handle the union's
supervision, masked for those who only look."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.console.navigation import require_somewhere
from gonghui.console.pages import first_org_code
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.core.mobile import mask_mobile
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, visible
from gonghui.supervision.models import Supervisor
from gonghui.supervision.services import supervisors as services
from gonghui.supervision.views.common import SECTION, handles, handles_somewhere, org_id_by_code, page_of
from gonghui.supervision.views.forms import SupervisorForm


def shown_mobile(user: User, supervisor: Supervisor) -> str:
    if not supervisor.mobile:
        return ""
    return supervisor.mobile if handles(user, supervisor.org) else mask_mobile(supervisor.mobile)


@require_GET
@officer_required
def supervisor_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.RIGHTS_VIEW)
    rows = visible(Supervisor, user, Perm.RIGHTS_VIEW).select_related("org", "user")
    page = page_of(request, rows)
    context = {
        "page_obj": page,
        "rows": [
            {
                "supervisor": supervisor,
                "mobile": shown_mobile(user, supervisor),
                "may_change": handles(user, supervisor.org),
            }
            for supervisor in page.object_list
        ],
        "may_add": handles_somewhere(user),
        "tab": "supervisors",
        "console_section": SECTION,
    }
    return render(request, "supervision/supervisor_list.html", context)


def _save(request: HttpRequest, form: SupervisorForm, supervisor: Supervisor | None) -> Supervisor | None:
    user = signed_in_user(request)
    if not form.is_valid():
        return None
    data = form.service_input(org_id_by_code(form.cleaned_data["org"]))
    try:
        if supervisor is None:
            return services.add_supervisor(data, actor=user)
        return services.update_supervisor(supervisor, data, actor=user)
    except DomainError as exc:
        show_domain_error(form, exc)
        return None


@require_http_methods(["GET", "POST"])
@officer_required
def supervisor_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.RIGHTS_HANDLE)
    if request.method == "POST":
        form = SupervisorForm(request.POST)
        if _save(request, form, None) is not None:
            messages.success(request, _("The supervisor has been added."))
            return redirect("console:supervision:supervisor_list")
    else:
        form = SupervisorForm(initial={"org": first_org_code(user, Perm.RIGHTS_HANDLE), "is_active": True})
    context = {"form": form, "supervisor": None, "tab": "supervisors", "console_section": SECTION}
    return render(request, "supervision/supervisor_form.html", context, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@officer_required
def supervisor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    supervisor = get_visible(Supervisor.objects.select_related("org", "user"), user, Perm.RIGHTS_VIEW, pk=pk)
    if not handles(user, supervisor.org):
        raise Http404
    if request.method == "POST":
        form = SupervisorForm(request.POST)
        if _save(request, form, supervisor) is not None:
            messages.success(request, _("The supervisor's details have been saved."))
            return redirect("console:supervision:supervisor_list")
    else:
        form = SupervisorForm(
            initial={
                "org": supervisor.org.code,
                "name": supervisor.name,
                "certificate_number": supervisor.certificate_number,
                "mobile": supervisor.mobile,
                "username": supervisor.user.username if supervisor.user else "",
                "is_active": supervisor.is_active,
            }
        )
    context = {"form": form, "supervisor": supervisor, "tab": "supervisors", "console_section": SECTION}
    return render(request, "supervision/supervisor_form.html", context, status=422 if form.errors else 200)


urlpatterns: list[URLPattern] = [
    path("supervisors/", supervisor_list, name="supervisor_list"),
    path("supervisors/new/", supervisor_new, name="supervisor_new"),
    path("supervisors/<int:pk>/", supervisor_edit, name="supervisor_edit"),
]
