"""Console pages: one term of a course — its sessions and enrolments, opening, closing and
finishing it, the attendance sheet of each session and the certificates. Thin: parse, call one
service, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.core.errors import DomainError
from gonghui.courses.models import (
    LIVE_ENROLMENTS,
    TERM_TRANSITIONS,
    Attendance,
    Certificate,
    CourseEnrolment,
    Session,
    Term,
    TermAction,
    TermStatus,
)
from gonghui.courses.portal_views.courses import verify_url
from gonghui.courses.services import certificates
from gonghui.courses.services import courses as services
from gonghui.courses.services import enrolments as enrolment_services
from gonghui.courses.views.courses import SECTION
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at

DONE = {
    TermAction.OPEN: gettext_lazy("The term is open for enrolment."),
    TermAction.CLOSE: gettext_lazy("Enrolment for the term has been closed."),
    TermAction.FINISH: gettext_lazy("The term has been finished: certificates can now be issued."),
}


class TermActionForm(forms.Form):
    action = forms.ChoiceField(choices=TermAction.choices, widget=forms.HiddenInput)


def visible_term(user: object, pk: int) -> Term:
    return get_visible(Term.objects.select_related("course__org"), user, Perm.COURSES_VIEW, pk=pk)


@require_GET
@officer_required
def term_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    term = visible_term(user, pk)
    may_change = has_perm_at(user, Perm.COURSES_CHANGE, term.course.org.path)
    counts = enrolment_services.attendance_counts(term)
    sessions = list(term.sessions.all())
    enrolments = list(
        CourseEnrolment.objects.filter(term=term)
        .select_related("member", "org", "certificate")
        .order_by("created_at", "id")
    )
    for enrolment in enrolments:
        enrolment.attended = counts.get(enrolment.pk, 0)  # type: ignore[attr-defined]
    context = {
        "term": term,
        "course": term.course,
        "sessions": sessions,
        "today": timezone.localdate(),
        "enrolments": enrolments,
        "actions": [
            {"value": t.action.value, "label": t.label} for t in TERM_TRANSITIONS.available(term.status)
        ]
        if may_change
        else [],
        "may_change": may_change,
        "may_issue": may_change and term.status == TermStatus.FINISHED,
        "console_section": SECTION,
    }
    return render(request, "courses/term_detail.html", context)


@require_POST
@officer_required
def term_action(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    term = visible_term(user, pk)
    form = TermActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return redirect("console:courses:term_detail", pk=term.pk)
    action = form.cleaned_data["action"]
    try:
        services.change_term_status(term, actor=user, action=action)
    except DomainError as exc:
        problems = [message for field_messages in exc.fields.values() for message in field_messages]
        messages.error(request, " ".join([exc.message, *problems]) if problems else exc.message)
    else:
        messages.success(request, str(DONE[TermAction(action)]))
    return redirect("console:courses:term_detail", pk=term.pk)


@require_http_methods(["GET", "POST"])
@officer_required
def attendance_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """The checklist of one session: everyone enrolled, ticked if they came."""
    user = signed_in_user(request)
    session = get_visible(Session.objects.select_related("term__course__org"), user, Perm.COURSES_VIEW, pk=pk)
    term = session.term
    status = 200
    if request.method == "POST":
        raw = request.POST.getlist("present")
        if not all(value.isascii() and value.isdigit() and len(value) < 12 for value in raw):
            messages.error(request, _("Tick only people enrolled in this term."))
            status = 422
        else:
            try:
                present = enrolment_services.mark_attendance(
                    session.pk, actor=user, present={int(value) for value in raw}
                )
            except DomainError as exc:
                messages.error(request, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Attendance saved: %(n)s present.") % {"n": present})
                return redirect("console:courses:term_detail", pk=term.pk)
    ticked = set(Attendance.objects.filter(session=session).values_list("enrolment_id", flat=True))
    rows = CourseEnrolment.objects.filter(term=term, status__in=LIVE_ENROLMENTS).select_related(
        "member", "org"
    )
    context = {
        "session": session,
        "term": term,
        "course": term.course,
        "rows": [(row, row.pk in ticked) for row in rows.order_by("created_at", "id")],
        "may_change": has_perm_at(user, Perm.COURSES_CHANGE, term.course.org.path),
        "console_section": SECTION,
    }
    return render(request, "courses/attendance_sheet.html", context, status=status)


@require_POST
@officer_required
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    term = visible_term(user, pk)
    try:
        issued = enrolment_services.issue_certificates(term, actor=user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(n)s certificates issued.") % {"n": len(issued)})
    return redirect("console:courses:term_detail", pk=term.pk)


@require_GET
@officer_required
def certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    found = get_visible(Certificate, user, Perm.COURSES_VIEW, pk=pk)
    certificate = certificates.certificate_with_relations(found.pk)
    pdf = certificates.render_certificate_pdf(certificate, verify_url(request, certificate))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{certificates.certificate_filename(certificate)}"'
    )
    return response


urlpatterns: list[URLPattern] = [
    path("terms/<int:pk>/", term_detail, name="term_detail"),
    path("terms/<int:pk>/action/", term_action, name="term_action"),
    path("terms/<int:pk>/certificates/", issue, name="term_certificates"),
    path("sessions/<int:pk>/attendance/", attendance_sheet, name="attendance_sheet"),
    path("certificates/<int:pk>.pdf", certificate_pdf, name="certificate_pdf"),
]
