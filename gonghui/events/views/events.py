"""Console pages: events (活动) — the list, authoring, one event with its actions. Thin: parse,
call one service, render."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Avg, Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.console.pages import first_org_code, table_or_page
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.core.inputs import CleanCharField
from gonghui.core.money import InvalidAmount, parse_money
from gonghui.events.models import (
    EVENT_TRANSITIONS,
    MAX_PLACES,
    Allocation,
    Event,
    EventAction,
    EventKind,
    EventStatus,
    Feedback,
    SignUpStatus,
)
from gonghui.events.selectors import with_counts
from gonghui.events.services import events as services
from gonghui.events.services import signups as signup_services
from gonghui.members.categories import MemberCategory
from gonghui.members.models import Sex
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, granted_tops, has_perm_at, visible
from gonghui.orgs.selectors import org_in_scope

PAGE_SIZE = 50
SECTION = "events"
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_field(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )


class EventFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All statuses")), *EventStatus.choices],
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All kinds")), *EventKind.choices],
    )


class EventForm(forms.Form):
    organiser = CleanCharField(
        label=gettext_lazy("Code of the organising union"),
        max_length=32,
        help_text=gettext_lazy("The union that runs the event."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=EventKind.choices)
    title = CleanCharField(label=gettext_lazy("Title"), max_length=services.TITLE_MAX)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=services.DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    address = CleanCharField(label=gettext_lazy("Address"), max_length=services.ADDRESS_MAX)
    latitude = forms.DecimalField(
        label=gettext_lazy("Latitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
    )
    longitude = forms.DecimalField(
        label=gettext_lazy("Longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        help_text=gettext_lazy("Optional, WGS-84 degrees: members get a map link."),
    )
    starts_at = _datetime_field(gettext_lazy("Starts at"))
    ends_at = _datetime_field(gettext_lazy("Ends at"))
    signup_opens_at = _datetime_field(gettext_lazy("Sign-up opens at"))
    signup_closes_at = _datetime_field(gettext_lazy("Sign-up closes at"))
    places = forms.IntegerField(label=gettext_lazy("Places"), min_value=1, max_value=MAX_PLACES)
    fee = forms.CharField(
        label=gettext_lazy("Fee (yuan)"),
        max_length=20,
        initial="0",
        help_text=gettext_lazy(
            "0 for free. Fees are not collected online: say on the description how to pay."
        ),
    )
    allocation = forms.ChoiceField(
        label=gettext_lazy("Allocation of places"), choices=Allocation.choices, widget=forms.RadioSelect
    )
    eligible_org = CleanCharField(
        label=gettext_lazy("Code of the union whose members may sign up"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("Empty: the members of the organising union and every union under it."),
    )
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Only for"),
        required=False,
        choices=MemberCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every member."),
    )
    sex = forms.ChoiceField(
        label=gettext_lazy("Sex"), required=False, choices=[("", gettext_lazy("Everyone")), *Sex.choices]
    )
    min_age = forms.IntegerField(
        label=gettext_lazy("Minimum age"), required=False, min_value=0, max_value=services.MAX_AGE
    )
    max_age = forms.IntegerField(
        label=gettext_lazy("Maximum age"),
        required=False,
        min_value=0,
        max_value=services.MAX_AGE,
        help_text=gettext_lazy("On the day the event starts, from the date of birth."),
    )

    def __init__(self, *args: Any, event: Event | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if event is not None:
            del self.fields["organiser"]

    def clean_fee(self) -> Decimal:
        try:
            return parse_money(self.cleaned_data.get("fee") or "0")
        except InvalidAmount as exc:
            raise ValidationError(exc.message) from exc

    def data_for_service(self) -> services.EventData:
        values = self.cleaned_data
        return services.EventData(
            kind=values["kind"],
            title=values["title"],
            description=values.get("description") or "",
            address=values["address"],
            latitude=values.get("latitude"),
            longitude=values.get("longitude"),
            starts_at=values["starts_at"],
            ends_at=values["ends_at"],
            signup_opens_at=values["signup_opens_at"],
            signup_closes_at=values["signup_closes_at"],
            places=values["places"],
            fee=values["fee"],
            allocation=values["allocation"],
            eligible_org=values.get("eligible_org") or "",
            categories=values.get("categories") or [],
            sex=values.get("sex") or "",
            min_age=values.get("min_age"),
            max_age=values.get("max_age"),
        )


def initial_of(event: Event) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "title": event.title,
        "description": event.description,
        "address": event.address,
        "latitude": event.latitude,
        "longitude": event.longitude,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "signup_opens_at": event.signup_opens_at,
        "signup_closes_at": event.signup_closes_at,
        "places": event.places,
        "fee": f"{event.fee:.2f}",
        "allocation": event.allocation,
        "eligible_org": event.eligible_org.code if event.eligible_org_id != event.org_id else "",
        "categories": list(event.categories or []),
        "sex": event.sex,
        "min_age": event.min_age,
        "max_age": event.max_age,
    }


class ActionForm(forms.Form):
    action = forms.ChoiceField(choices=[*EventAction.choices, ("draw", "draw")], widget=forms.HiddenInput)
    comment = CleanCharField(label=gettext_lazy("Comment"), max_length=500, required=False)


COLUMNS = [
    {"key": "title", "label": gettext_lazy("Title"), "template": "events/event_cell_title.html"},
    {"key": "get_kind_display", "label": gettext_lazy("Kind"), "class": "nowrap"},
    {"key": "org.name", "label": gettext_lazy("Organising union")},
    {"key": "get_status_display", "label": gettext_lazy("Status"), "class": "nowrap"},
    {
        "key": "starts_at",
        "label": gettext_lazy("Starts at"),
        "class": "nowrap",
        "template": "events/event_cell_time.html",
    },
    {"key": "taken", "label": gettext_lazy("Places taken"), "template": "events/event_cell_places.html"},
]


def may_author(user: User) -> bool:
    return any(has_perm_at(user, Perm.EVENTS_CHANGE, grant.path) for grant in granted_tops(user))


@require_GET
@officer_required
def event_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = EventFilterForm(request.GET)
    rows = with_counts(visible(Event, user, Perm.EVENTS_VIEW).select_related("org"))
    if form.is_valid():
        if form.cleaned_data["status"]:
            rows = rows.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["kind"]:
            rows = rows.filter(kind=form.cleaned_data["kind"])
    page = Paginator(rows.order_by("-starts_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "table_id": "event-table",
        "caption": _("Events of the unions in your scope, latest first"),
        "columns": COLUMNS,
        "rows": page.object_list,
        "row_id": "pk",
        "page_obj": page,
        "empty_message": _("No event matches."),
        "may_author": may_author(user),
        "console_section": SECTION,
    }
    return table_or_page(request, "events/event_list.html", context)


def _default_organiser(user: User) -> str:
    return first_org_code(user, Perm.EVENTS_CHANGE)


def _organiser(user: User, code: str) -> Org:
    return org_in_scope(user, Perm.EVENTS_VIEW, code, field="organiser")


@require_http_methods(["GET", "POST"])
@officer_required
def event_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    status = 200
    if request.method == "POST":
        form = EventForm(request.POST)
        if form.is_valid():
            try:
                org = _organiser(user, form.cleaned_data["organiser"])
                event = services.create_event(org, actor=user, data=form.data_for_service())
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                messages.success(
                    request, _("The event has been saved as a draft. Publish it when it is ready.")
                )
                return redirect("console:events:event_detail", pk=event.pk)
        status = 422
    else:
        form = EventForm(
            initial={"organiser": _default_organiser(user), "allocation": Allocation.FIRST_COME, "fee": "0"}
        )
    context = {"form": form, "event": None, "console_section": SECTION}
    return render(request, "events/event_form.html", context, status=status)


def visible_event(user: User, pk: int) -> Event:
    return get_visible(
        with_counts(Event.objects.select_related("org", "eligible_org", "created_by")),
        user,
        Perm.EVENTS_VIEW,
        pk=pk,
    )


@require_http_methods(["GET", "POST"])
@officer_required
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    event = visible_event(user, pk)
    editable = event.status in (EventStatus.DRAFT, EventStatus.PUBLISHED) and has_perm_at(
        user, Perm.EVENTS_CHANGE, event.org.path
    )
    status = 200
    if request.method == "POST" and editable:
        form = EventForm(request.POST, event=event)
        if form.is_valid():
            try:
                services.update_event(event, actor=user, data=form.data_for_service())
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                messages.success(request, _("The event has been saved."))
                return redirect("console:events:event_detail", pk=event.pk)
        status = 422
    else:
        form = EventForm(initial=initial_of(event), event=event)
        if request.method == "POST":
            messages.error(request, _("You cannot change this event."))
            status = 403
    context = {"form": form, "event": event, "editable": editable, "console_section": SECTION}
    return render(request, "events/event_form.html", context, status=status)


@require_GET
@officer_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    event = visible_event(user, pk)
    may_change = has_perm_at(user, Perm.EVENTS_CHANGE, event.org.path)
    actions: list[dict[str, str]] = []
    if may_change:
        actions = [
            {"value": t.action.value, "label": t.label} for t in EVENT_TRANSITIONS.available(event.status)
        ]
        if event.is_lottery and event.status == EventStatus.PUBLISHED and event.drawn_at is None:
            actions.insert(0, {"value": "draw", "label": _("Draw lots")})
    counts = dict(event.signups.values_list("status").annotate(n=Count("id")).order_by())
    context = {
        "event": event,
        "categories": [
            MemberCategory(value).label for value in event.categories if value in MemberCategory.values
        ],
        "history": event.history.select_related("actor"),
        "actions": actions,
        "may_change": may_change,
        "editable": may_change and event.status in (EventStatus.DRAFT, EventStatus.PUBLISHED),
        "counts": [(label, counts.get(value, 0)) for value, label in SignUpStatus.choices],
        "feedback": event_feedback(event),
        "form": ActionForm(),
        "console_section": SECTION,
    }
    return render(request, "events/event_detail.html", context)


def event_feedback(event: Event) -> dict[str, Any]:
    rows = Feedback.objects.filter(signup__event=event)
    summary = rows.aggregate(average=Avg("rating"), count=Count("id"))
    average = summary["average"]
    return {
        "count": summary["count"],
        "average": f"{Decimal(str(average)).quantize(Decimal('0.1'))}" if average is not None else "",
        "latest": list(rows.exclude(comment="").order_by("-created_at")[:20]),
    }


@require_POST
@officer_required
def event_action(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    event = visible_event(user, pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return redirect("console:events:event_detail", pk=event.pk)
    action = form.cleaned_data["action"]
    comment = form.cleaned_data["comment"]
    try:
        if action == EventAction.PUBLISH:
            services.publish_event(event, actor=user, comment=comment)
            done = _("The event has been published.")
        elif action == EventAction.CLOSE:
            services.close_event(event, actor=user, comment=comment)
            done = _("The event has been closed.")
        elif action == EventAction.CANCEL:
            services.cancel_event(event, actor=user, comment=comment)
            done = _("The event has been cancelled and everyone signed up has been told.")
        else:
            outcome = signup_services.draw_event(event, actor=user)
            done = _(
                "The lottery has been drawn: %(confirmed)s places given among %(entries)s entries, "
                "%(waiting)s on the waiting list."
            ) % {
                "confirmed": outcome.confirmed,
                "entries": outcome.entries,
                "waiting": outcome.waiting,
            }
    except DomainError as exc:
        problems = [message for field_messages in exc.fields.values() for message in field_messages]
        messages.error(request, " ".join([exc.message, *problems]) if problems else exc.message)
    else:
        messages.success(request, done)
    return redirect("console:events:event_detail", pk=event.pk)


urlpatterns: list[URLPattern] = [
    path("", event_list, name="event_list"),
    path("new/", event_new, name="event_new"),
    path("<int:pk>/", event_detail, name="event_detail"),
    path("<int:pk>/edit/", event_edit, name="event_edit"),
    path("<int:pk>/action/", event_action, name="event_action"),
]
