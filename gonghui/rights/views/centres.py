"""Console pages of mediation centres and studios and their mediators (opening a mediator's
sign-in, switching one off). For officers holding rights.view (to look) and rights.handle (to
change) on the org running the centre or above."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.console.navigation import require_somewhere
from gonghui.console.pages import org_on_form
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, visible
from gonghui.rights.models import OPEN_STATUSES, MediationCentre, Mediator
from gonghui.rights.services import centres as services
from gonghui.rights.views.forms import CentreForm, DeactivateMediatorForm, MediatorForm, NewCentreForm

SECTION = "rights"
PAGE_SIZE = 50


@require_GET
@officer_required
def centre_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.RIGHTS_VIEW)
    rows = (
        visible(MediationCentre, user, Perm.RIGHTS_VIEW)
        .select_related("org")
        .order_by("org__path", "name", "id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "centres": page.object_list, "console_section": SECTION}
    return render(request, "rights/centre_list.html", context)


@require_http_methods(["GET", "POST"])
@officer_required
def centre_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.RIGHTS_HANDLE)
    form = NewCentreForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            org = org_on_form(form, user, Perm.RIGHTS_HANDLE)
            if org is not None:
                try:
                    centre = services.create_centre(actor=user, org_id=org.pk, data=form.data_for_service())
                except DomainError as exc:
                    show_domain_error(form, exc)
                else:
                    messages.success(request, _("The centre has been added."))
                    return redirect("console:rights:centre_detail", pk=centre.pk)
        status = 422
    return render(
        request, "rights/centre_form.html", {"form": form, "console_section": SECTION}, status=status
    )


def _successors(user: Any) -> QuerySet[Mediator]:
    centres = visible(MediationCentre.objects.active(), user, Perm.RIGHTS_HANDLE)
    return (
        Mediator.objects.active().filter(centre__in=centres).select_related("centre").order_by("name", "id")
    )


def _render_centre(
    request: HttpRequest,
    centre: MediationCentre,
    form: CentreForm,
    mediator_form: MediatorForm,
    status: int = 200,
    deactivate: DeactivateMediatorForm | None = None,
) -> HttpResponse:
    user = signed_in_user(request)
    mediators = list(
        centre.mediators.select_related("user")
        .annotate(in_hand=Count("disputes", filter=Q(disputes__status__in=OPEN_STATUSES)))
        .order_by("-active", "name", "id")
    )
    successors = _successors(user)
    for mediator in mediators:
        # One form per row, so that the field ids stay unique on the page.
        prefix = f"mediator-{mediator.pk}"
        bound = deactivate if deactivate is not None and deactivate.prefix == prefix else None
        mediator.deactivate_form = bound or DeactivateMediatorForm(  # type: ignore[attr-defined]
            mediators=successors.exclude(pk=mediator.pk), prefix=prefix
        )
    context = {
        "centre": centre,
        "form": form,
        "mediator_form": mediator_form,
        "mediators": mediators,
        "may_handle": has_perm_at(user, Perm.RIGHTS_HANDLE, centre.org.path),
        "console_section": SECTION,
    }
    return render(request, "rights/centre_detail.html", context, status=status)


def _centre_form(centre: MediationCentre) -> CentreForm:
    return CentreForm(
        initial={
            "kind": centre.kind,
            "name": centre.name,
            "address": centre.address,
            "phone": centre.phone,
            "active": centre.active,
        }
    )


@require_http_methods(["GET", "POST"])
@officer_required
def centre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The centre, its mediators; POST saves the centre's details."""
    user = signed_in_user(request)
    centre = get_visible(MediationCentre.objects.select_related("org"), user, Perm.RIGHTS_VIEW, pk=pk)
    if request.method == "GET":
        return _render_centre(request, centre, _centre_form(centre), MediatorForm())
    if not has_perm_at(user, Perm.RIGHTS_HANDLE, centre.org.path):
        raise Http404
    form = CentreForm(request.POST)
    if form.is_valid():
        try:
            services.update_centre(centre.pk, actor=user, data=form.data_for_service())
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("The centre has been saved."))
            return redirect("console:rights:centre_detail", pk=centre.pk)
    return _render_centre(request, centre, form, MediatorForm(), status=422)


@require_POST
@officer_required
def mediator_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    centre = get_visible(MediationCentre.objects.select_related("org"), user, Perm.RIGHTS_HANDLE, pk=pk)
    form = MediatorForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.create_mediator(
                actor=user,
                centre_id=centre.pk,
                name=data["name"],
                phone=data["phone"] or "",
                username=data["username"] or "",
                password=data["password"] or "",
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("The mediator has been added."))
            return redirect("console:rights:centre_detail", pk=centre.pk)
    return _render_centre(request, centre, _centre_form(centre), form, status=422)


@require_POST
@officer_required
def mediator_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch a mediator off; one with disputes in hand only with a successor for all of them."""
    user = signed_in_user(request)
    mediator = get_visible(Mediator.objects.select_related("centre"), user, Perm.RIGHTS_HANDLE, pk=pk)
    form = DeactivateMediatorForm(
        request.POST, mediators=_successors(user).exclude(pk=mediator.pk), prefix=f"mediator-{mediator.pk}"
    )
    if form.is_valid():
        successor = form.cleaned_data["successor"]
        try:
            done = services.deactivate_mediator(
                mediator.pk, actor=user, successor_id=successor.pk if successor else None
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            if done:
                messages.success(request, _("The mediator has been switched off."))
            return redirect("console:rights:centre_detail", pk=mediator.centre_id)
    centre = get_visible(
        MediationCentre.objects.select_related("org"), user, Perm.RIGHTS_VIEW, pk=mediator.centre_id
    )
    return _render_centre(request, centre, _centre_form(centre), MediatorForm(), status=422, deactivate=form)


urlpatterns: list[URLPattern] = [
    path("centres/", centre_list, name="centre_list"),
    path("centres/new/", centre_new, name="centre_new"),
    path("centres/<int:pk>/", centre_detail, name="centre_detail"),
    path("centres/<int:pk>/mediators/", mediator_new, name="mediator_new"),
    path("mediators/<int:pk>/deactivate/", mediator_deactivate, name="mediator_deactivate"),
]
