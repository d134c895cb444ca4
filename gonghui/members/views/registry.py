"""Console pages of the member registry: the list with its search and export, a member's page
with their history, correcting a member's details, adding one member, and showing the full ID
and mobile numbers to those who may see them. Reads go through `visible`/`get_visible`, writes
through gonghui.members.services.records and .exports."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.console.navigation import holding
from gonghui.core.errors import DomainError, NotFound, ValidationFailed
from gonghui.core.forms import show_domain_error
from gonghui.jobs.models import JobStatus
from gonghui.members.forms import (
    WORKPLACE_CHOICE_LIMIT,
    ExportForm,
    MemberAddForm,
    MemberEditForm,
    MemberFilterForm,
)
from gonghui.members.models import GigOccupation, Member, MemberEvent, MemberStatus, RosterExport
from gonghui.members.selectors import MemberFilter, member_page
from gonghui.members.services.exports import (
    ExportFormat,
    export_members,
    is_small_export,
    open_roster_export,
    start_roster_export,
)
from gonghui.members.services.records import (
    OneMember,
    add_one_member,
    may_change_member,
    reveal_numbers,
    update_member,
    workplaces_for,
)
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, visible

SECTION = "members"
_R = TypeVar("_R", bound=HttpResponseBase)
# A person's history is a few events a year; this bounds a page that could be attacked.
HISTORY_LIMIT = 200

COLUMNS = [
    {
        "key": "masked_name",
        "label": pgettext_lazy("person", "Name"),
        "template": "members/member_detail_link.html",
    },
    {"key": "masked_id_number", "label": gettext_lazy("ID number"), "class": "nowrap"},
    {"key": "masked_mobile", "label": gettext_lazy("Mobile number"), "class": "nowrap"},
    {"key": "org.name", "label": gettext_lazy("Union")},
    {"key": "workplace.name", "label": gettext_lazy("Workplace")},
    {"key": "joined_on", "label": gettext_lazy("Join date"), "class": "nowrap"},
    {"key": "get_status_display", "label": gettext_lazy("Status"), "class": "nowrap"},
]


def _is_htmx_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def _no_store(response: _R) -> _R:
    """Pages with personal data in full stay out of every cache, the browser's included."""
    patch_cache_control(response, no_store=True, private=True)
    return response


# --------------------------------------------------------------------------------------------
# The list, its search and the export
# --------------------------------------------------------------------------------------------


def _filters(form: MemberFilterForm, user: User, cursor: str) -> MemberFilter | None:
    """The form's filters, or None when one of them cannot be applied (the form then says why
    and the page lists nothing rather than everyone)."""
    if not form.is_valid():
        return None
    org = None
    if code := form.cleaned_data["org"]:
        org = visible(Org, user, Perm.MEMBER_VIEW).filter(code=code).first()
        if org is None:
            form.add_error("org", _("There is no organisation with this code in your scope."))
            return None
    return MemberFilter(
        org=org,
        status=form.status_filter(),
        q=form.cleaned_data["q"],
        whole_name=form.cleaned_data["whole_name"],
        workplace=form.cleaned_data["workplace"],
        category=form.cleaned_data["category"],
        cursor=cursor,
    )


@require_GET
@officer_required
def member_list(request: HttpRequest) -> HttpResponse:
    """Members in the officer's scope, masked, keyset-paged in union tree order
    (gonghui.members.selectors explains why), searched and filtered."""
    user = signed_in_user(request)
    form = MemberFilterForm(request.GET)
    filters = _filters(form, user, request.GET.get("cursor", ""))
    rows: list[Member] = []
    next_cursor = None
    if filters is not None:
        try:
            page = member_page(user, filters)
        except ValidationFailed as exc:
            show_domain_error(form, exc)
            filters = None
        else:
            rows, next_cursor = page.members, page.next_cursor
    context = {
        "form": form,
        "table_id": "member-table",
        "caption": _("Members in union order"),
        "columns": COLUMNS,
        "rows": rows,
        "row_id": "pk",
        "cursor": request.GET.get("cursor", "") if filters is not None else "",
        "next_cursor": next_cursor,
        "empty_message": _("No members match.")
        if form.has_changed()
        else _("There are no members here yet."),
        "export_form": ExportForm(),
        "export_filters": form.carried() if filters is not None else [],
        "may_export": filters is not None and holding(Perm.MEMBER_VIEW)(user),
        "may_export_full": holding(Perm.MEMBER_REVEAL)(user),
        "may_add": holding(Perm.MEMBER_CHANGE)(user),
        "console_section": SECTION,
    }
    template = "components/table.html" if _is_htmx_partial(request) else "members/member_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
@officer_required
def member_export(request: HttpRequest) -> HttpResponse:
    """The list's current search as a file (gonghui.members.services.exports): a small one at
    once, a large one as a background job whose page this redirects to."""
    user = signed_in_user(request)
    form = MemberFilterForm(request.POST)
    options = ExportForm(request.POST)
    back = reverse("console:members:list") + (f"?{urlencode(form.carried())}" if form.carried() else "")
    filters = _filters(form, user, "")
    if filters is None or not options.is_valid():
        messages.error(request, _("The export could not start: check the filters and the file type."))
        return redirect(back)
    file_format = ExportFormat(options.cleaned_data["file_format"])
    full_numbers = options.cleaned_data["full_numbers"]
    try:
        if not is_small_export(user, filters):
            started = start_roster_export(
                filters, actor=user, file_format=file_format, full_numbers=full_numbers
            )
            messages.success(
                request, _("The export has started. The file can be downloaded here when it is ready.")
            )
            return redirect(started)
        export = export_members(filters, actor=user, file_format=file_format, full_numbers=full_numbers)
    except ValidationFailed as exc:
        messages.error(
            request, "；".join(message for errors in exc.fields.values() for message in errors) or exc.message
        )
        return redirect(back)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    response = FileResponse(
        export.file, as_attachment=True, filename=export.file_name, content_type=export.content_type
    )
    # A FileResponse streams the temporary file rather than holding it in memory; it is not an
    # HttpResponse subclass, which officer_required's signature names, but Django serves it alike.
    return cast("HttpResponse", _no_store(response))


def _roster_export(request: HttpRequest, pk: int) -> RosterExport:
    """The export, for the officer who started it only: for anyone else, even an officer over
    the same members, it does not exist (the file is that officer's download)."""
    export = (
        RosterExport.objects.select_related("job", "org")
        .filter(pk=pk, created_by=signed_in_user(request))
        .first()
    )
    if export is None:
        raise Http404
    return export


@require_GET
@officer_required
def roster_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Progress while the job runs (the progress bar polls this page), then the download."""
    export = _roster_export(request, pk)
    job = export.job
    finished = export.is_finished or job is None or job.is_finished
    htmx = getattr(request, "htmx", None)
    if finished and job is not None and htmx and htmx.target == f"job-{job.pk}-progress":
        # The progress bar asked and the export is over: load the whole page with its link.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return _no_store(response)
    context = {
        "export": export,
        "job": job,
        "finished": finished,
        "failed": finished and not export.is_finished,
        "failed_message": job.message if job is not None and job.status == JobStatus.FAILED else "",
        "job_status_label": (job.message or job.get_status_display()) if job else "",
        "expired": export.expires_at <= timezone.now(),
        "console_section": SECTION,
    }
    return _no_store(render(request, "members/export_job.html", context))


@require_GET
@officer_required
def roster_export_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The finished file (gonghui.members.services.exports.open_roster_export)."""
    export = _roster_export(request, pk)
    try:
        opened = open_roster_export(export, actor=signed_in_user(request))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(export)
    response = FileResponse(
        opened.file, as_attachment=True, filename=opened.file_name, content_type=opened.content_type
    )
    # Streamed from the storage; see member_export for the cast.
    return cast("HttpResponse", _no_store(response))


# --------------------------------------------------------------------------------------------
# One member
# --------------------------------------------------------------------------------------------


def _member(request: HttpRequest, pk: int, perm: Perm) -> Member:
    return get_visible(
        Member.objects.select_related("org", "workplace"), signed_in_user(request), perm, pk=pk
    )


def _age(birth_date: date, today: date) -> int:
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def _categories(member: Member) -> list[str]:
    labels: list[str] = []
    if member.is_gig_worker:
        details = "，".join(
            part for part in (member.get_gig_occupation_display(), member.gig_platform) if part
        )
        labels.append(_("Gig worker") + (f"（{details}）" if details else ""))
    if member.is_migrant_worker:
        labels.append(_("Migrant worker"))
    if member.is_female_worker:
        labels.append(_("Female worker"))
    if member.is_model_worker:
        labels.append(_("Model worker"))
    return labels


_VALUE_LABELS: dict[str, dict[str, str]] = {
    "status": {value: str(label) for value, label in MemberStatus.choices},
    "gig_occupation": {value: str(label) for value, label in GigOccupation.choices},
}


def _shown(field: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(_VALUE_LABELS.get(field, {}).get(value, value))


def _field_label(field: str) -> str:
    try:
        model_field = Member._meta.get_field(field)
    except FieldDoesNotExist:  # a field named in an old event that the model no longer has
        return field
    return str(model_field.verbose_name) if isinstance(model_field, models.Field) else field


def _history(user: User, member: Member) -> list[dict[str, Any]]:
    """The person's events across all their memberships, as far as the officer's scope reaches."""
    events = (
        visible(MemberEvent.objects.of_person(member.id_number_index), user, Perm.MEMBER_VIEW)
        .select_related("org", "actor")
        .order_by("-created_at", "-id")[:HISTORY_LIMIT]
    )
    rows = []
    for event in events:
        actor = event.actor
        if actor is None:
            by = _("System")
        elif actor.is_member:
            by = _("The member")
        else:
            by = str(actor)
        changes = [
            (_field_label(field), _shown(field, pair[0]), _shown(field, pair[1]))
            for field, pair in event.changes.items()
            if isinstance(pair, list) and len(pair) == 2
        ]
        rows.append({"event": event, "by": by, "changes": changes})
    return rows


def _detail_context(request: HttpRequest, member: Member, **extra: Any) -> dict[str, Any]:
    user = signed_in_user(request)
    may_change = member.is_active and may_change_member(user, member)
    return {
        "member": member,
        "age": _age(member.birth_date, timezone.localdate()),
        "categories": _categories(member),
        "history": _history(user, member),
        "may_change": may_change,
        "may_reveal": has_perm_at(user, Perm.MEMBER_REVEAL, member.org.path),
        "union_url": reverse("console:orgs:org_detail", args=[member.org.pk])
        if has_perm_at(user, Perm.ORG_VIEW, member.org.path)
        else None,
        "console_section": SECTION,
        **extra,
    }


@require_GET
@officer_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk, Perm.MEMBER_VIEW)
    return render(request, "members/member_detail.html", _detail_context(request, member))


@require_POST
@officer_required
def member_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The full ID and mobile numbers, once, for an officer with Perm.MEMBER_REVEAL (audited).
    htmx swaps them into the page; without JavaScript the whole page comes back with them."""
    member = _member(request, pk, Perm.MEMBER_REVEAL)
    numbers = reveal_numbers(member, actor=signed_in_user(request))
    if _is_htmx_partial(request):
        context = {"member": member, "revealed": numbers, "may_reveal": True}
        response = render(request, "members/member_detail_numbers.html", context)
    else:
        response = render(
            request, "members/member_detail.html", _detail_context(request, member, revealed=numbers)
        )
    return _no_store(response)


def _offered_workplaces(member: Member) -> list[Any] | None:
    """The workplaces to list in the form, or None when there are too many to list."""
    rows = list(
        workplaces_for(member.org).only("id", "name").order_by("name", "id")[: WORKPLACE_CHOICE_LIMIT + 1]
    )
    if len(rows) > WORKPLACE_CHOICE_LIMIT:
        return None
    if member.workplace is not None and member.workplace not in rows:
        rows.insert(0, member.workplace)  # kept choosable, so that saving other fields keeps it
    return rows


@require_http_methods(["GET", "POST"])
@officer_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    member = _member(request, pk, Perm.MEMBER_CHANGE)
    detail_url = reverse("console:members:member_detail", args=[member.pk])
    if not member.is_active:
        messages.error(request, _("This membership has ended; its record can no longer be changed."))
        return redirect(detail_url)
    workplaces = _offered_workplaces(member)
    by_code = workplaces is None
    if request.method == "POST":
        form = MemberEditForm(request.POST, member=member, workplaces=workplaces)
        if form.is_valid():
            data = form.cleaned_data
            try:
                changed = update_member(
                    member,
                    actor=user,
                    name=data["name"],
                    mobile=data["mobile"],
                    workplace_id=data["workplace"],
                    is_gig_worker=data["is_gig_worker"],
                    gig_occupation=data["gig_occupation"],
                    gig_platform=data["gig_platform"],
                    is_migrant_worker=data["is_migrant_worker"],
                    is_model_worker=data["is_model_worker"],
                    joined_on=data["joined_on"],
                    note=data["note"],
                )
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(
                    request, _("The changes have been saved.") if changed else _("Nothing changed.")
                )
                return redirect(detail_url)
    else:
        form = MemberEditForm(
            initial=MemberEditForm.initial_for(member, by_code=by_code), member=member, workplaces=workplaces
        )
    context = {
        "form": form,
        "member": member,
        "title": _("Edit %(name)s") % {"name": member.masked_name},
        "submit_label": _("Save"),
        "cancel_url": detail_url,
        "console_section": SECTION,
    }
    return render(request, "members/member_form.html", context, status=422 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@officer_required
def member_add(request: HttpRequest) -> HttpResponse:
    """One person added to a union by hand; `?org=CODE` picks the union in advance."""
    user = signed_in_user(request)
    if not holding(Perm.MEMBER_CHANGE)(user):
        raise Http404
    unions = visible(Org, user, Perm.MEMBER_CHANGE)
    union = None
    if request.method == "POST":
        form = MemberAddForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            union = unions.filter(code=data["org"]).first()
            if union is None:
                form.add_error("org", _("There is no organisation with this code in your scope."))
            else:
                try:
                    member = add_one_member(
                        OneMember(
                            name=data["name"],
                            id_number=data["id_number"],
                            mobile=data["mobile"],
                            workplace_code=data["workplace"],
                            is_gig_worker=data["is_gig_worker"],
                            gig_occupation=data["gig_occupation"],
                            gig_platform=data["gig_platform"],
                            is_migrant_worker=data["is_migrant_worker"],
                            is_model_worker=data["is_model_worker"],
                            joined_on=data["joined_on"],
                            note=data["note"],
                        ),
                        org=union,
                        actor=user,
                    )
                except DomainError as error:
                    show_domain_error(form, error)
                else:
                    messages.success(
                        request,
                        _("%(name)s has been added to %(union)s.")
                        % {"name": member.masked_name, "union": union.name},
                    )
                    return redirect("console:members:member_detail", pk=member.pk)
    else:
        code = request.GET.get("org", "")
        if code:
            union = unions.filter(code=code[:32]).first()
            if union is None:
                raise Http404
        form = MemberAddForm(initial={"org": union.code if union else ""})
    context = {
        "form": form,
        "title": _("Add a member"),
        "submit_label": _("Add"),
        "cancel_url": reverse("console:members:list"),
        "console_section": SECTION,
    }
    return render(request, "members/member_form.html", context, status=422 if form.errors else 200)


urlpatterns: list[URLPattern] = [
    path("", member_list, name="list"),
    path("export/", member_export, name="member_export"),
    path("exports/<int:pk>/", roster_export, name="roster_export"),
    path("exports/<int:pk>/download", roster_export_download, name="roster_export_download"),
    path("new/", member_add, name="member_add"),
    path("<int:pk>/", member_detail, name="member_detail"),
    path("<int:pk>/edit/", member_edit, name="member_edit"),
    path("<int:pk>/reveal/", member_reveal, name="member_reveal"),
]
