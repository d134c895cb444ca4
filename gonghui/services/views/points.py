"""Console pages for service points: the list with its figures, a point's page (facts, photos,
figures, ratings, status, poster), and the forms that sign one up and edit it.

Reads go through `visible`/`get_visible` (Perm.SERVICES_VIEW, or SERVICES_CHANGE for pages that
change something, so that a point out of reach is a missing page); writes go through
`gonghui.services.services.points`."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.console.navigation import holding, require_somewhere
from gonghui.core.errors import DomainError
from gonghui.core.forms import FilterForm, show_domain_error
from gonghui.core.inputs import CleanCharField
from gonghui.orgs.models import Org, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, visible
from gonghui.services.models import (
    Facility,
    PointKind,
    PointStatus,
    Rating,
    ServicePoint,
    ServicePointPhoto,
    Visit,
)
from gonghui.services.poster import poster_filename, render_poster_pdf
from gonghui.services.selectors import point_figures
from gonghui.services.services.points import (
    FIELD_NAMES,
    MAX_PHOTOS,
    add_point_photo,
    create_point,
    remove_point_photo,
    renew_checkin_code,
    set_point_status,
    update_point,
)

PAGE_SIZE = 50
RATINGS_PAGE = 20
SECTION = "services"
RECENT_DAYS = 30


class PointFilterForm(FilterForm):
    q = CleanCharField(label=gettext_lazy("Name or address"), required=False, max_length=60)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All kinds")), *PointKind.choices],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status")), *PointStatus.choices],
    )


class PointForm(forms.Form):
    org = CleanCharField(
        label=gettext_lazy("Run by (union code)"),
        max_length=40,
        help_text=gettext_lazy("The union that runs the service point and looks after it."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=PointKind.choices)
    name = CleanCharField(label=gettext_lazy("Name"), max_length=120)
    address = CleanCharField(label=gettext_lazy("Address"), max_length=200)
    district = CleanCharField(label=gettext_lazy("District"), max_length=40, required=False)
    latitude = forms.CharField(
        label=gettext_lazy("Latitude"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("Degrees (WGS-84), e.g. 29.870512. Leave both empty if unknown."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    longitude = forms.CharField(
        label=gettext_lazy("Longitude"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("Degrees, e.g. 121.550375."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    opening_hours = CleanCharField(
        label=gettext_lazy("Opening hours"), max_length=100, help_text=gettext_lazy("E.g. 每天 7:00-21:00.")
    )
    facilities = forms.MultipleChoiceField(
        label=gettext_lazy("Facilities"),
        required=False,
        choices=Facility.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    contact_name = CleanCharField(label=gettext_lazy("Contact person"), max_length=40, required=False)
    contact_phone = CleanCharField(label=gettext_lazy("Contact phone"), max_length=20, required=False)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, orgs: QuerySet[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orgs = orgs

    def clean_org(self) -> Org:
        org = self.orgs.filter(code=self.cleaned_data["org"]).first()
        if org is None:
            raise ValidationError(_("No such union among those whose service points you manage."))
        return org

    def point_values(self) -> dict[str, Any]:
        return {key: self.cleaned_data[key] for key in FIELD_NAMES}

    @staticmethod
    def initial_for(point: ServicePoint) -> dict[str, Any]:
        values: dict[str, Any] = {key: getattr(point, key) for key in FIELD_NAMES}
        values["org"] = point.org.code
        for key in ("latitude", "longitude"):
            values[key] = "" if values[key] is None else str(values[key])
        return values


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("New status"), choices=PointStatus.choices)


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=gettext_lazy("Photo"),
        help_text=gettext_lazy("A JPEG, PNG or WebP picture of at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    caption = CleanCharField(label=gettext_lazy("Caption"), required=False, max_length=100)


def _managed_orgs(user: User) -> QuerySet[Org]:
    return visible(Org, user, Perm.SERVICES_CHANGE).filter(status=OrgStatus.ACTIVE)


def _may_create(user: User) -> bool:
    return holding(Perm.SERVICES_CHANGE)(user)


def _list_figures(points: list[Any]) -> None:
    """Visits in the last RECENT_DAYS and the average rating on each listed point, from two
    grouped queries (not two per row)."""
    ids = [point.pk for point in points]
    since = timezone.localdate() - timedelta(days=RECENT_DAYS)
    visits = dict(
        Visit.objects.filter(point__in=ids, visited_on__gte=since)
        .values("point")
        .annotate(n=Count("id"))
        .values_list("point", "n")
    )
    rated = {
        pk: (n, total)
        for pk, n, total in Rating.objects.filter(visit__point__in=ids)
        .values("visit__point")
        .annotate(n=Count("id"), total=Sum("score"))
        .values_list("visit__point", "n", "total")
    }
    for point in points:
        n, total = rated.get(point.pk, (0, 0))
        point.recent_visits = visits.get(point.pk, 0)
        point.average_label = f"{Decimal(total) / n:.2f} ({n})" if n else "—"
        point.console_url = reverse("console:services:point_detail", args=[point.pk])


@require_GET
@officer_required
def point_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.SERVICES_VIEW)
    form = PointFilterForm(request.GET or None)
    data = form.valid_data() if form.is_bound else {}
    rows = visible(ServicePoint.objects.select_related("org"), user, Perm.SERVICES_VIEW)
    if data.get("q"):
        rows = rows.filter(Q(name__icontains=data["q"]) | Q(address__icontains=data["q"]))
    if data.get("kind"):
        rows = rows.filter(kind=data["kind"])
    if data.get("status"):
        rows = rows.filter(status=data["status"])
    page = Paginator(rows.order_by("name", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    points = list(page.object_list)
    _list_figures(points)
    context = {
        "form": form,
        "may_create": _may_create(user),
        "table_id": "points",
        "caption": _("Service points"),
        "columns": [
            {"key": "name", "label": _("Name")},
            {"key": "get_kind_display", "label": _("Kind")},
            {"key": "district", "label": _("District")},
            {"key": "org.name", "label": _("Run by")},
            {"key": "get_status_display", "label": _("Status")},
            {"key": "recent_visits", "label": _("Visits, last %(days)s days") % {"days": RECENT_DAYS}},
            {"key": "average_label", "label": _("Average rating (ratings)")},
        ],
        "rows": points,
        "row_id": "pk",
        "row_link": "console_url",
        "page_obj": page,
        "empty_message": _("No service points match."),
        "console_section": SECTION,
    }
    return render(request, "services/point_list.html", context)


def _form_page(request: HttpRequest, form: PointForm, point: ServicePoint | None) -> HttpResponse:
    context = {"form": form, "point": point, "console_section": SECTION}
    return render(request, "services/point_form.html", context, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@officer_required
def point_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.SERVICES_CHANGE)
    form = PointForm(request.POST or None, orgs=_managed_orgs(user))
    if request.method == "POST" and form.is_valid():
        try:
            point = create_point(actor=user, org=form.cleaned_data["org"], values=form.point_values())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": point.name})
            return redirect("console:services:point_detail", pk=point.pk)
    return _form_page(request, form, None)


@require_http_methods(["GET", "POST"])
@officer_required
def point_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    point = get_visible(ServicePoint.objects.select_related("org"), user, Perm.SERVICES_CHANGE, pk=pk)
    form = PointForm(request.POST or None, orgs=_managed_orgs(user), initial=PointForm.initial_for(point))
    if request.method == "POST" and form.is_valid():
        try:
            update_point(point, actor=user, changes=form.point_values(), org=form.cleaned_data["org"])
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("console:services:point_detail", pk=point.pk)
    return _form_page(request, form, point)


@require_GET
@officer_required
def point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    point = get_visible(ServicePoint.objects.select_related("org"), user, Perm.SERVICES_VIEW, pk=pk)
    may_change = has_perm_at(user, Perm.SERVICES_CHANGE, point.org.path)
    ratings = Paginator(
        Rating.objects.filter(visit__point=point).select_related("visit").order_by("-created_at", "-id"),
        RATINGS_PAGE,
    ).get_page(request.GET.get("page"))
    context = {
        "point": point,
        "facilities": [label for value, label in Facility.choices if value in point.facilities],
        "photos": list(ServicePointPhoto.objects.filter(point=point)),
        "figures": point_figures(point),
        "recent": point_figures(point, since=timezone.localdate() - timedelta(days=RECENT_DAYS)),
        "recent_days": RECENT_DAYS,
        "ratings": ratings,
        "may_change": may_change,
        "status_form": StatusForm(initial={"status": point.status}),
        "photo_form": PhotoForm(),
        "may_add_photo": may_change and ServicePointPhoto.objects.filter(point=point).count() < MAX_PHOTOS,
        "max_photos": MAX_PHOTOS,
        "console_section": SECTION,
    }
    return render(request, "services/point_detail.html", context)


@require_POST
@officer_required
def point_status(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    point = get_visible(ServicePoint.objects.select_related("org"), user, Perm.SERVICES_CHANGE, pk=pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the statuses."))
    else:
        try:
            set_point_status(point, actor=user, status=form.cleaned_data["status"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The status was changed."))
    return redirect("console:services:point_detail", pk=point.pk)


@require_POST
@officer_required
def point_photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    point = get_visible(ServicePoint.objects.select_related("org"), user, Perm.SERVICES_CHANGE, pk=pk)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a photo to upload."))
    else:
        try:
            add_point_photo(
                point, actor=user, upload=form.cleaned_data["image"], caption=form.cleaned_data["caption"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The photo was added."))
    return redirect("console:services:point_detail", pk=point.pk)


@require_POST
@officer_required
def point_photo_remove(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    point = get_visible(ServicePoint.objects.select_related("org"), user, Perm.SERVICES_CHANGE, pk=pk)
    photo = ServicePointPhoto.objects.filter(pk=photo_pk, point=point).first()
    if photo is None:
        raise Http404
    try:
        remove_point_photo(photo, actor=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The photo was removed."))
    return redirect("console:services:point_detail", pk=point.pk)


@require_POST
@officer_required
def point_renew_code(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    point = get_visible(ServicePoint.objects.select_related("org"), user, Perm.SERVICES_CHANGE, pk=pk)
    try:
        renew_checkin_code(point, actor=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("A new QR code was made. Print the new poster: the old one no longer works.")
        )
    return redirect("console:services:point_detail", pk=point.pk)


@require_GET
@officer_required
def point_poster(request: HttpRequest, pk: int) -> HttpResponse:
    """The A4 poster with the check-in QR code, for printing (needs SERVICES_CHANGE: whoever
    holds the poster can check people in)."""
    user = signed_in_user(request)
    point = get_visible(ServicePoint.objects.select_related("org"), user, Perm.SERVICES_CHANGE, pk=pk)
    checkin_url = request.build_absolute_uri(
        reverse("portal:service_point_checkin", kwargs={"pk": point.pk, "code": point.checkin_code})
    )
    response = HttpResponse(render_poster_pdf(point, checkin_url), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=False, filename=poster_filename(point)) or ""
    )
    return response


urlpatterns: list[URLPattern] = [
    path("points/", point_list, name="point_list"),
    path("points/new/", point_new, name="point_new"),
    path("points/<int:pk>/", point_detail, name="point_detail"),
    path("points/<int:pk>/edit/", point_edit, name="point_edit"),
    path("points/<int:pk>/status/", point_status, name="point_status"),
    path("points/<int:pk>/photos/", point_photo_add, name="point_photo_add"),
    path("points/<int:pk>/photos/<int:photo_pk>/remove/", point_photo_remove, name="point_photo_remove"),
    path("points/<int:pk>/renew-code/", point_renew_code, name="point_renew_code"),
    path("points/<int:pk>/poster.pdf", point_poster, name="point_poster"),
]
