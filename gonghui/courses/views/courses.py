"""Console pages: the workers' school's courses (职工学校课程) — the list, authoring, one course
with its terms and actions, and adding a term with its sessions. Thin: parse, call one service,
render."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.console.pages import first_org_code
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.core.inputs import CleanCharField
from gonghui.core.money import InvalidAmount, parse_money
from gonghui.courses.models import (
    COURSE_TRANSITIONS,
    MAX_PLACES,
    Course,
    CourseAction,
    CourseCategory,
    CourseStatus,
)
from gonghui.courses.services import courses as services
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, granted_tops, has_perm_at, visible
from gonghui.orgs.selectors import org_in_scope

PAGE_SIZE = 50
SECTION = "courses"
MAX_SESSION_LINES = services.MAX_SESSIONS
# One session a line: "2027-03-02 19:00-21:00 Room 301" (the room is the rest of the line).
SESSION_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2})\s*[-–~]\s*(\d{1,2}:\d{2})\s+(.+)$")


def _money(value: str) -> Decimal:
    try:
        return parse_money(value or "0")
    except InvalidAmount as exc:
        raise ValidationError(exc.message) from exc


class CourseForm(forms.Form):
    school = CleanCharField(
        label=gettext_lazy("Code of the union that runs the school"),
        max_length=32,
        help_text=gettext_lazy("Usually the federation; a workplace union may run its own school."),
    )
    title = CleanCharField(label=gettext_lazy("Title"), max_length=services.TITLE_MAX)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=CourseCategory.choices)
    teachers = CleanCharField(label=gettext_lazy("Teachers"), max_length=services.TEACHERS_MAX)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=services.DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    fee = forms.CharField(label=gettext_lazy("Fee (yuan)"), max_length=20, initial="0")
    member_fee = forms.CharField(
        label=gettext_lazy("Member fee (yuan)"),
        max_length=20,
        initial="0",
        help_text=gettext_lazy("What an active member pays. Fees are not collected online."),
    )
    places = forms.IntegerField(label=gettext_lazy("Places per term"), min_value=1, max_value=MAX_PLACES)
    required_attendance = forms.IntegerField(
        label=gettext_lazy("Attendance required for a certificate (%)"),
        min_value=1,
        max_value=100,
        initial=80,
    )

    def __init__(self, *args: Any, course: Course | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if course is not None:
            del self.fields["school"]

    def clean_fee(self) -> Decimal:
        return _money(self.cleaned_data.get("fee") or "0")

    def clean_member_fee(self) -> Decimal:
        return _money(self.cleaned_data.get("member_fee") or "0")

    def data_for_service(self) -> services.CourseData:
        values = self.cleaned_data
        return services.CourseData(
            title=values["title"],
            category=values["category"],
            teachers=values["teachers"],
            description=values.get("description") or "",
            fee=values["fee"],
            member_fee=values["member_fee"],
            places=values["places"],
            required_attendance=values["required_attendance"],
        )


def initial_of(course: Course) -> dict[str, Any]:
    return {
        "title": course.title,
        "category": course.category,
        "teachers": course.teachers,
        "description": course.description,
        "fee": f"{course.fee:.2f}",
        "member_fee": f"{course.member_fee:.2f}",
        "places": course.places,
        "required_attendance": course.required_attendance,
    }


class TermForm(forms.Form):
    name = CleanCharField(
        label=gettext_lazy("Term"),
        max_length=services.TERM_NAME_MAX,
        help_text=gettext_lazy("For example “Spring 2027”."),
    )
    starts_on = forms.DateField(
        label=gettext_lazy("Starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    places = forms.IntegerField(
        label=gettext_lazy("Places"),
        required=False,
        min_value=1,
        max_value=MAX_PLACES,
        help_text=gettext_lazy("Empty: the course's places per term."),
    )
    sessions = forms.CharField(
        label=gettext_lazy("Sessions"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "2027-03-02 19:00-21:00 301"}),
        help_text=gettext_lazy(
            "One session a line: date, start–end time, room. For example “2027-03-02 19:00-21:00 Room 301”."
        ),
    )

    def clean_sessions(self) -> list[services.SessionData]:
        lines = [
            line.strip() for line in (self.cleaned_data.get("sessions") or "").splitlines() if line.strip()
        ]
        if len(lines) > MAX_SESSION_LINES:
            raise ValidationError(_("A term has at most %(max)s sessions.") % {"max": MAX_SESSION_LINES})
        sessions: list[services.SessionData] = []
        problems: list[str] = []
        for number, line in enumerate(lines, start=1):
            match = SESSION_LINE.match(line)
            parsed = _session_of(match) if match else None
            if parsed is None:
                problems.append(_("Line %(n)s is not “date start-end room”.") % {"n": number})
            else:
                sessions.append(parsed)
        if problems:
            raise ValidationError(problems)
        return sessions

    def data_for_service(self) -> services.TermData:
        values = self.cleaned_data
        return services.TermData(
            name=values["name"],
            starts_on=values["starts_on"],
            ends_on=values["ends_on"],
            places=values.get("places"),
            sessions=values["sessions"],
        )


def _session_of(match: re.Match[str]) -> services.SessionData | None:
    day, start, end, room = match.groups()
    try:
        return services.SessionData(
            date=date.fromisoformat(day),
            starts_at=_time(start),
            ends_at=_time(end),
            room=room.strip(),
        )
    except ValueError:
        return None


def _time(text: str) -> time:
    return datetime.strptime(text, "%H:%M").time()


class ActionForm(forms.Form):
    action = forms.ChoiceField(choices=CourseAction.choices, widget=forms.HiddenInput)


COLUMNS = [
    {"key": "title", "label": gettext_lazy("Title"), "template": "courses/course_cell_title.html"},
    {"key": "get_category_display", "label": gettext_lazy("Category"), "class": "nowrap"},
    {"key": "org.name", "label": gettext_lazy("School")},
    {"key": "get_status_display", "label": gettext_lazy("Status"), "class": "nowrap"},
    {"key": "fee", "label": gettext_lazy("Fee"), "class": "num"},
    {"key": "member_fee", "label": gettext_lazy("Member fee"), "class": "num"},
]


def may_author(user: User) -> bool:
    return any(has_perm_at(user, Perm.COURSES_CHANGE, grant.path) for grant in granted_tops(user))


def _default_school(user: User) -> str:
    return first_org_code(user, Perm.COURSES_CHANGE)


def _school(user: User, code: str) -> Org:
    return org_in_scope(user, Perm.COURSES_VIEW, code, field="school")


def visible_course(user: User, pk: int) -> Course:
    return get_visible(Course.objects.select_related("org"), user, Perm.COURSES_VIEW, pk=pk)


@require_GET
@officer_required
def course_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    rows = visible(Course, user, Perm.COURSES_VIEW).select_related("org").order_by("title", "id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "table_id": "course-table",
        "caption": _("Courses of the schools in your scope"),
        "columns": COLUMNS,
        "rows": page.object_list,
        "row_id": "pk",
        "page_obj": page,
        "empty_message": _("No course yet."),
        "may_author": may_author(user),
        "console_section": SECTION,
    }
    return render(request, "courses/course_list.html", context)


@require_http_methods(["GET", "POST"])
@officer_required
def course_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    status = 200
    if request.method == "POST":
        form = CourseForm(request.POST)
        if form.is_valid():
            try:
                org = _school(user, form.cleaned_data["school"])
                course = services.create_course(org, actor=user, data=form.data_for_service())
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                messages.success(
                    request, _("The course has been saved as a draft. Publish it when it is ready.")
                )
                return redirect("console:courses:course_detail", pk=course.pk)
        status = 422
    else:
        form = CourseForm(initial={"school": _default_school(user), "fee": "0", "member_fee": "0"})
    context = {"form": form, "course": None, "editable": True, "console_section": SECTION}
    return render(request, "courses/course_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@officer_required
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    course = visible_course(user, pk)
    editable = has_perm_at(user, Perm.COURSES_CHANGE, course.org.path)
    status = 200
    if request.method == "POST" and editable:
        form = CourseForm(request.POST, course=course)
        if form.is_valid():
            try:
                services.update_course(course, actor=user, data=form.data_for_service())
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                messages.success(request, _("The course has been saved."))
                return redirect("console:courses:course_detail", pk=course.pk)
        status = 422
    else:
        form = CourseForm(initial=initial_of(course), course=course)
        if request.method == "POST":
            messages.error(request, _("You cannot change this course."))
            status = 403
    context = {"form": form, "course": course, "editable": editable, "console_section": SECTION}
    return render(request, "courses/course_form.html", context, status=status)


@require_GET
@officer_required
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    course = visible_course(user, pk)
    may_change = has_perm_at(user, Perm.COURSES_CHANGE, course.org.path)
    actions = (
        [{"value": t.action.value, "label": t.label} for t in COURSE_TRANSITIONS.available(course.status)]
        if may_change
        else []
    )
    context = {
        "course": course,
        "terms": course.terms.order_by("-starts_on", "-id"),
        "history": course.history.select_related("actor"),
        "actions": actions,
        "may_change": may_change,
        "console_section": SECTION,
    }
    return render(request, "courses/course_detail.html", context)


@require_POST
@officer_required
def course_action(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    course = visible_course(user, pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return redirect("console:courses:course_detail", pk=course.pk)
    action = form.cleaned_data["action"]
    try:
        services.change_course_status(course, actor=user, action=action)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        published = action == CourseAction.PUBLISH
        messages.success(
            request,
            _("The course has been published.")
            if published
            else _("The course has been withdrawn from the catalogue."),
        )
    return redirect("console:courses:course_detail", pk=course.pk)


@require_http_methods(["GET", "POST"])
@officer_required
def term_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    course = visible_course(user, pk)
    status = 200
    if request.method == "POST":
        form = TermForm(request.POST)
        if form.is_valid():
            try:
                term = services.create_term(course, actor=user, data=form.data_for_service())
            except DomainError as exc:
                lines = range(1, len(form.cleaned_data["sessions"]) + 1)
                show_domain_error(form, exc, aliases={f"sessions.{n}": "sessions" for n in lines})
            else:
                messages.success(
                    request, _("The term has been saved as a draft. Open it for enrolment when it is ready.")
                )
                return redirect("console:courses:term_detail", pk=term.pk)
        status = 422
    else:
        form = TermForm(initial={"places": course.places})
    context = {
        "form": form,
        "course": course,
        "console_section": SECTION,
        "draft": course.status == CourseStatus.DRAFT,
    }
    return render(request, "courses/term_form.html", context, status=status)


urlpatterns: list[URLPattern] = [
    path("", course_list, name="course_list"),
    path("new/", course_new, name="course_new"),
    path("<int:pk>/", course_detail, name="course_detail"),
    path("<int:pk>/edit/", course_edit, name="course_edit"),
    path("<int:pk>/action/", course_action, name="course_action"),
    path("<int:pk>/terms/new/", term_new, name="term_new"),
]
