"""Reads of the events app that are more than a one-line filter: the events a member sees (with
places left and the length of the waiting list), and the participation report."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core.spreadsheets import neutralise_formula
from gonghui.events.models import PLACE_STATUSES, Event, EventKind, EventStatus, SignUp, SignUpStatus
from gonghui.events.services.eligibility import eligibility_problem, events_for_member
from gonghui.members.categories import MemberCategory, category_filter
from gonghui.members.models import Member

# A member sees at most this many upcoming events at once (their unions' events are far fewer).
UPCOMING_LIMIT = 300


def with_counts(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.annotate(waiting_count=Count("signups", filter=Q(signups__status=SignUpStatus.WAITING)))


def upcoming_events(member: Member | None, kind: str = "") -> QuerySet[Event]:
    """Published events that have not ended: for a member, those of the unions above them; for a
    visitor, all of them."""
    events: QuerySet[Event] = Event.objects.filter(status=EventStatus.PUBLISHED, ends_at__gt=timezone.now())
    if member is not None:
        events = events_for_member(events, member)
    if kind in EventKind.values:
        events = events.filter(kind=kind)
    return with_counts(events.select_related("org", "eligible_org")).order_by("starts_at", "id")


@dataclass(frozen=True)
class EventCard:
    event: Event
    problem: str | None  # why the member may not sign up; None when they may (or a visitor)
    waiting_count: int
    mine: SignUp | None


def event_cards(member: Member | None, user: Any, kind: str = "") -> list[EventCard]:
    """The upcoming events, those the member may sign up for first, then by start time."""
    events = list(upcoming_events(member, kind)[:UPCOMING_LIMIT])
    mine: dict[int, SignUp] = {}
    if user is not None and getattr(user, "is_authenticated", False):
        for signup in SignUp.objects.live().filter(user=user, event__in=[event.pk for event in events]):
            mine[signup.event_id] = signup
    cards = [
        EventCard(
            event=event,
            problem=eligibility_problem(event, member) if member is not None else None,
            waiting_count=getattr(event, "waiting_count", 0),
            mine=mine.get(event.pk),
        )
        for event in events
    ]
    cards.sort(key=lambda card: (card.problem is not None, card.event.starts_at, card.event.pk))
    return cards


# --------------------------------------------------------------------------------------------
# Participation
# --------------------------------------------------------------------------------------------


@dataclass
class Figures:
    signups: int = 0
    places: int = 0  # confirmed, attended or did not come
    attended: int = 0
    no_show: int = 0
    waiting: int = 0
    cancelled: int = 0

    @property
    def attendance_rate(self) -> str:
        """Attended out of those whose attendance is known, in whole percent ("—" before)."""
        known = self.attended + self.no_show
        return f"{round(self.attended * 100 / known)}%" if known else "—"


@dataclass
class ReportRow:
    label: str
    figures: Figures


@dataclass
class ParticipationReport:
    year: int
    events: list[ReportRow] = field(default_factory=list)
    kinds: list[ReportRow] = field(default_factory=list)
    orgs: list[ReportRow] = field(default_factory=list)
    categories: list[ReportRow] = field(default_factory=list)
    totals: Figures = field(default_factory=Figures)


FIGURES = {
    "signups": Count("id", filter=~Q(status=SignUpStatus.REMOVED)),
    "places": Count("id", filter=Q(status__in=PLACE_STATUSES)),
    "attended": Count("id", filter=Q(status=SignUpStatus.ATTENDED)),
    "no_show": Count("id", filter=Q(status=SignUpStatus.NO_SHOW)),
    "waiting": Count("id", filter=Q(status=SignUpStatus.WAITING)),
    "cancelled": Count("id", filter=Q(status=SignUpStatus.CANCELLED)),
}


def _figures(values: dict[str, Any]) -> Figures:
    return Figures(**{name: int(values.get(name) or 0) for name in FIGURES})


def _member_filter(category: str) -> Q:
    """The category's registry filter, applied to the sign-up's member."""
    return Q(member__in=Member.objects.filter(category_filter([category])).values("pk"))


def participation(events: QuerySet[Event], year: int) -> ParticipationReport:
    """Sign-ups of `events` (already scoped) starting in `year`: by event, kind, organiser and
    member category (a member in two categories counts in both). Grouped by the database."""
    events = events.filter(starts_at__year=year).exclude(status=EventStatus.DRAFT)
    signups = SignUp.objects.filter(event__in=events.values("pk"))
    report = ParticipationReport(year=year, totals=_figures(signups.aggregate(**FIGURES)))
    titles = dict(events.values_list("pk", "title"))
    for values in signups.values("event_id").annotate(**FIGURES).order_by("event_id"):
        report.events.append(ReportRow(titles.get(values["event_id"], ""), _figures(values)))
    kind_labels = dict(EventKind.choices)
    for values in signups.values("event__kind").annotate(**FIGURES).order_by("event__kind"):
        report.kinds.append(ReportRow(str(kind_labels.get(values["event__kind"], "")), _figures(values)))
    for values in signups.values("event__org__name").annotate(**FIGURES).order_by("event__org__name"):
        report.orgs.append(ReportRow(values["event__org__name"], _figures(values)))
    for code, label in MemberCategory.choices:
        values = signups.filter(_member_filter(code)).aggregate(**FIGURES)
        report.categories.append(ReportRow(str(label), _figures(values)))
    return report


def report_years(events: QuerySet[Event]) -> list[int]:
    years = {moment.year for moment in events.dates("starts_at", "year")}
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def participation_workbook(report: ParticipationReport) -> bytes:
    """The report as four sheets; text cells can never start a formula."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    columns = [
        _("Sign-ups made"),
        _("Places held"),
        _("Attended"),
        _("Did not come"),
        _("Still waiting"),
        _("Cancelled sign-ups"),
        _("Attendance rate"),
    ]
    for title, first, rows in (
        (_("By event"), _("Event name"), report.events),
        (_("By kind"), _("Kind"), report.kinds),
        (_("By organiser"), _("Organising union"), report.orgs),
        (_("By member category"), _("Member category"), report.categories),
    ):
        sheet = workbook.add_worksheet(str(title)[:31])
        sheet.set_column(0, 0, 36)
        sheet.set_column(1, len(columns), 12)
        for column, label in enumerate([first, *columns]):
            sheet.write_string(0, column, str(label), head)
        for number, row in enumerate([*rows, ReportRow(_("Total"), report.totals)], start=1):
            figures = row.figures
            sheet.write_string(number, 0, neutralise_formula(row.label))
            for column, value in enumerate(
                (
                    figures.signups,
                    figures.places,
                    figures.attended,
                    figures.no_show,
                    figures.waiting,
                    figures.cancelled,
                ),
                start=1,
            ):
                sheet.write_number(number, column, value)
            sheet.write_string(number, len(columns), figures.attendance_rate)
    workbook.close()
    return output.getvalue()


def signups_workbook(event: Event, rows: list[dict[str, Any]]) -> bytes:
    """The sign-up list of one event, masked as on the page."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    sheet = workbook.add_worksheet(str(_("Sign-ups")))
    labels = [
        _("Member's name"),
        _("Union"),
        _("Status"),
        _("Waiting list"),
        _("Signed up at"),
        _("Checked in at"),
        _("Reason"),
    ]
    sheet.set_column(0, len(labels) - 1, 18)
    sheet.write_string(0, 0, neutralise_formula(event.title), head)
    for column, label in enumerate(labels):
        sheet.write_string(1, column, str(label), head)
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(
            (
                row["name"],
                row["union"],
                row["status"],
                row["position"],
                row["created"],
                row["attended"],
                row["reason"],
            )
        ):
            sheet.write_string(number, column, neutralise_formula(str(value)))
    workbook.close()
    return output.getvalue()


def signup_list(event: Event, status: str = "") -> QuerySet[SignUp]:
    """The sign-ups of `event` in list order: places first, then the waiting list in its order."""
    rows = SignUp.objects.filter(event=event).select_related("member", "org")
    if status in SignUpStatus.values:
        rows = rows.filter(status=status)
    return rows.order_by("status", "queue_number", "created_at", "id")
