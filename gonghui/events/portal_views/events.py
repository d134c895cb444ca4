"""Portal pages: the upcoming events (活动报名), one event with its sign-up and cancel buttons and
my status, "my events" with a month calendar and the personal .ics address, and the .ics feed.

The buttons are plain POST forms: signing up is idempotent per person (pressing twice keeps one
sign-up), so a double tap needs no key. Every refusal of a service is shown on the page, with
nothing written.
"""

from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import member_area
from gonghui.accounts.models import User
from gonghui.core.errors import DomainError
from gonghui.core.inputs import CleanCharField
from gonghui.events.models import LIVE_STATUSES, CalendarFeed, Event, EventKind, SignUp, SignUpStatus
from gonghui.events.selectors import event_cards, with_counts
from gonghui.events.services import calendar, feedback, signups
from gonghui.events.services.eligibility import eligibility_problem
from gonghui.members.categories import category_names
from gonghui.members.models import Sex
from gonghui.members.services.selfservice import current_membership

EVENTS_PER_PAGE = 20
NAV = "services"


def _signed_in(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


@require_GET
def events(request: HttpRequest) -> HttpResponse:
    """活动报名: upcoming events, those the member may join first, with places left and the
    length of the waiting list."""
    user = _signed_in(request)
    member = current_membership(user) if user is not None else None
    kind = request.GET.get("kind", "")
    kind = kind if kind in EventKind.values else ""
    page = Paginator(event_cards(member, user, kind), EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "cards": page.object_list,
        "page_obj": page,
        "kinds": EventKind.choices,
        "kind": kind,
        "signed_in": user is not None,
        "nav_section": NAV,
    }
    return render(request, "events/portal_event_list.html", context)


# --- one event --------------------------------------------------------------------------------


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("Your rating"),
        coerce=int,
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = CleanCharField(
        label=gettext_lazy("Comment (optional)"),
        required=False,
        max_length=feedback.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def rules_of(event: Event) -> list[str]:
    """Who may sign up and how places are given, in words for members."""
    rules = [_("Active members of %(org)s and of every union under it.") % {"org": event.eligible_org.name}]
    if event.categories:
        rules.append(_("Only for: %(categories)s.") % {"categories": category_names(event.categories)})
    if event.sex == Sex.FEMALE:
        rules.append(_("Women only."))
    elif event.sex == Sex.MALE:
        rules.append(_("Men only."))
    if event.min_age is not None and event.max_age is not None:
        rules.append(
            _("Aged %(min)s to %(max)s on the day of the event.")
            % {"min": event.min_age, "max": event.max_age}
        )
    elif event.min_age is not None:
        rules.append(_("Aged %(min)s or over on the day of the event.") % {"min": event.min_age})
    elif event.max_age is not None:
        rules.append(_("Aged %(max)s or under on the day of the event.") % {"max": event.max_age})
    if event.kind == EventKind.RECUPERATION_TRIP:
        rules.append(_("Each member may go on one recuperation trip a year."))
    if event.is_lottery:
        rules.append(
            _("Places are drawn by lot after sign-up closes; the others join the waiting list in draw order.")
        )
    else:
        rules.append(_("First come, first served; when the places are gone you join the waiting list."))
    rules.append(_("If someone cancels, the first person waiting gets the place and is told by SMS."))
    return rules


def _event(pk: int) -> Event:
    return get_object_or_404(with_counts(Event.objects.listed().select_related("org", "eligible_org")), pk=pk)


def _mine(event: Event, user: User | None) -> SignUp | None:
    if user is None:
        return None
    found: SignUp | None = (
        SignUp.objects.filter(event=event, user=user)
        .select_related("feedback")
        .order_by("-created_at", "-id")
        .first()
    )
    return found


def _act(request: HttpRequest, event: Event, user: User, feedback_form: FeedbackForm) -> str | None:
    """Do what the pressed button asks; the success message, or None after putting the refusal
    on the page (messages for buttons, the form for feedback)."""
    action = request.POST.get("action", "")
    try:
        if action == "sign_up":
            signup = signups.sign_up(event.pk, actor=user).signup
            if signup.status == SignUpStatus.CONFIRMED:
                return _("You have a place. We will text you a reminder the day before.")
            if signup.status == SignUpStatus.ENTERED:
                return _(
                    "You are in the draw with entry code %(code)s. "
                    "The result is shown here after sign-up closes."
                ) % {"code": signup.code}
            return _(
                "All places are taken: you are number %(n)s on the waiting list. "
                "We will text you if you get a place."
            ) % {"n": signups.waiting_position(signup)}
        if action == "cancel":
            mine = _mine(event, user)
            if mine is None:
                raise Http404
            signups.cancel_signup(mine.pk, actor=user)
            return _("Your sign-up has been cancelled.")
        if action == "feedback":
            mine = _mine(event, user)
            if mine is None:
                raise Http404
            if not feedback_form.is_valid():
                return None
            feedback.give_feedback(
                mine.pk,
                actor=user,
                rating=feedback_form.cleaned_data["rating"],
                comment=feedback_form.cleaned_data["comment"] or "",
            )
            return _("Thank you for your feedback.")
    except DomainError as error:
        if action == "feedback":
            feedback_form.add_error(None, error.message)
        else:
            messages.error(request, error.message)
        return None
    messages.error(request, _("Unknown action."))
    return None


@require_http_methods(["GET", "POST"])
@never_cache
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(pk)
    user = _signed_in(request)
    feedback_form = FeedbackForm()
    status = 200
    if request.method == "POST":
        if user is None:
            return redirect_to_login(request.get_full_path())
        feedback_form = (
            FeedbackForm(request.POST) if request.POST.get("action") == "feedback" else feedback_form
        )
        done = _act(request, event, user, feedback_form)
        if done is not None:
            messages.success(request, done)
            return redirect("portal:event_detail", pk=event.pk)
        if not feedback_form.errors:
            return redirect("portal:event_detail", pk=event.pk)
        status = 422
        event = _event(pk)
    member = current_membership(user) if user is not None else None
    mine = _mine(event, user)
    live = mine is not None and mine.status in LIVE_STATUSES
    context: dict[str, Any] = {
        "event": event,
        "signup_state": event.signup_state(),
        "rules": rules_of(event),
        "mine": mine
        if live or (mine is not None and mine.status in (SignUpStatus.CANCELLED, SignUpStatus.REMOVED))
        else None,
        "position": signups.waiting_position(mine) if mine is not None else None,
        "problem": eligibility_problem(event, member) if user is not None and not live else None,
        "may_cancel": live
        and mine is not None
        and mine.status in signups.CANCELLABLE
        and timezone.now() < event.starts_at,
        "may_rate": mine is not None
        and mine.status == SignUpStatus.ATTENDED
        and not hasattr(mine, "feedback"),
        "feedback_form": feedback_form,
        "login_url": f"{reverse('accounts:login')}?{urlencode({'next': request.path})}",
        "nav_section": NAV,
    }
    return render(request, "events/portal_event_detail.html", context, status=status)


# --- my events and the calendar ---------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    day: date | None
    signups: list[SignUp]
    today: bool


def month_grid(year: int, month: int, signups_: list[SignUp]) -> list[list[Day]]:
    """The weeks of a month (Monday first, as Chinese calendars are), each day with my events."""
    by_day: dict[date, list[SignUp]] = {}
    for signup in signups_:
        by_day.setdefault(timezone.localdate(signup.event.starts_at), []).append(signup)
    today = timezone.localdate()
    weeks: list[list[Day]] = []
    for week in month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        weeks.append(
            [
                Day(day, by_day.get(day, []), day == today) if day.month == month else Day(None, [], False)
                for day in week
            ]
        )
    return weeks


def _month(text: str) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in text.split("-", 1))
    except ValueError:
        return today.year, today.month
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return today.year, today.month
    return year, month


def _shift(year: int, month: int, by: int) -> str:
    index = year * 12 + month - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@require_GET
@member_area
def my_events(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    assert user is not None  # member_area let only signed-in people in
    year, month = _month(request.GET.get("month", ""))
    rows = list(
        SignUp.objects.filter(user=user)
        .select_related("event", "event__org")
        .order_by("event__starts_at", "id")[:500]
    )
    now = timezone.now()
    upcoming = [signup for signup in rows if signup.status in LIVE_STATUSES and signup.event.ends_at > now]
    past = [signup for signup in rows if signup not in upcoming][::-1][:50]
    placed = [signup for signup in upcoming if signup.status == SignUpStatus.CONFIRMED]
    feed = CalendarFeed.objects.filter(user=user).first()
    context = {
        "upcoming": [(signup, signups.waiting_position(signup)) for signup in upcoming],
        "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
        "past": past,
        "weeks": month_grid(year, month, placed),
        "month": date(year, month, 1),
        "previous_month": _shift(year, month, -1),
        "next_month": _shift(year, month, 1),
        "feed_url": request.build_absolute_uri(reverse("portal:event_calendar_feed", args=[feed.token]))
        if feed
        else "",
        "nav_section": NAV,
    }
    return render(request, "events/portal_my_events.html", context)


@require_POST
@member_area
def my_calendar(request: HttpRequest) -> HttpResponse:
    """Make a new personal calendar address (the old one stops working) or stop it."""
    user = _signed_in(request)
    assert user is not None
    if request.POST.get("action") == "revoke":
        calendar.revoke_calendar_feed(actor=user)
        messages.success(request, _("Your calendar address no longer works."))
    else:
        calendar.renew_calendar_feed(actor=user)
        messages.success(
            request, _("Your new calendar address is below. Any address given before no longer works.")
        )
    return redirect("portal:my_events")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The personal .ics feed: my confirmed events, for a calendar app (no sign-in: the token is
    the key)."""
    owner = calendar.feed_owner(token)
    if owner is None:
        raise Http404
    body = calendar.ics_document(calendar.calendar_signups(owner), host=request.get_host().split(":")[0])
    response = HttpResponse(body.encode(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="gonghui-events.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns: list[URLPattern] = [
    path("events/", events, name="events"),
    path("events/<int:pk>/", event_detail, name="event_detail"),
    path("events/mine/", my_events, name="my_events"),
    path("events/mine/calendar/", my_calendar, name="my_event_calendar"),
    path("events/calendar/<str:token>.ics", calendar_feed, name="event_calendar_feed"),
]
