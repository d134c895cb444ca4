"""Portal pages of the workers' school (职工学校): the catalogue with fees and the member price,
one course with its terms and the enrol / cancel buttons, my courses with my certificates, and
the public certificate check.

The buttons are plain POST forms: enrolling is idempotent per person (pressing twice keeps one
enrolment). Every refusal of a service is shown on the page, with nothing written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gonghui.accounts.decorators import member_area, signed_in_user
from gonghui.accounts.models import User
from gonghui.core.errors import DomainError, NotFound
from gonghui.courses.models import (
    LIVE_ENROLMENTS,
    Certificate,
    Course,
    CourseEnrolment,
    EnrolmentStatus,
    Term,
)
from gonghui.courses.services import certificates, enrolments
from gonghui.members import card

COURSES_PER_PAGE = 20
NAV = "services"


def _signed_in(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def _catalogue() -> Any:
    listed_terms = Term.objects.listed().prefetch_related("sessions").order_by("starts_on", "id")
    return (
        Course.objects.listed()
        .select_related("org")
        .prefetch_related(Prefetch("terms", queryset=listed_terms, to_attr="listed_terms"))
        .order_by("title", "id")
    )


@require_GET
def courses(request: HttpRequest) -> HttpResponse:
    """职工学校: the published courses, with the fee and the member price."""
    page = Paginator(_catalogue(), COURSES_PER_PAGE).get_page(request.GET.get("page"))
    user = _signed_in(request)
    context = {
        "page_obj": page,
        "courses": page.object_list,
        "is_member": user is not None and card.active_card_member(user) is not None,
        "nav_section": NAV,
    }
    return render(request, "courses/portal_course_list.html", context)


@require_http_methods(["GET", "POST"])
@never_cache
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(_catalogue(), pk=pk)
    user = _signed_in(request)
    status = 200
    if request.method == "POST":
        if user is None:
            return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.path})}")
        try:
            done = _act(request, course.listed_terms, user)
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
        else:
            messages.success(request, done)
            return redirect("portal:course_detail", pk=course.pk)
    mine: dict[int, CourseEnrolment] = {}
    if user is not None:
        rows = CourseEnrolment.objects.filter(user=user, term__course=course, status__in=LIVE_ENROLMENTS)
        mine = {row.term_id: row for row in rows}
    today = timezone.localdate()
    context = {
        "course": course,
        "terms": [
            (
                term,
                mine.get(term.pk),
                mine.get(term.pk) is not None
                and mine[term.pk].status == EnrolmentStatus.ENROLLED
                and today < term.starts_on,
            )
            for term in course.listed_terms
        ],
        "is_member": user is not None and card.active_card_member(user) is not None,
        "login_url": f"{reverse('accounts:login')}?{urlencode({'next': request.path})}",
        "nav_section": NAV,
    }
    return render(request, "courses/portal_course_detail.html", context, status=status)


def _id(value: str | None) -> int:
    if not value or not value.isascii() or not value.isdigit() or len(value) > 12:
        raise NotFound(_("There is no such course term."))
    return int(value)


def _act(request: HttpRequest, terms: list[Term], user: User) -> str:
    action = request.POST.get("action")
    term_id = _id(request.POST.get("term"))
    if not any(term.pk == term_id for term in terms):
        raise NotFound(_("There is no such course term."))
    if action == "enrol":
        outcome = enrolments.enrol(term_id, actor=user)
        if not outcome.created:
            return _("You are already enrolled in this term.")
        return _(
            "You are enrolled. The fee due is ¥%(fee)s, paid as the school tells you: nothing is paid online."
        ) % {"fee": f"{outcome.enrolment.fee_due:.2f}"}
    if action == "cancel":
        row = CourseEnrolment.objects.filter(
            user=user, term_id=term_id, status=EnrolmentStatus.ENROLLED
        ).first()
        if row is None:
            raise NotFound(_("There is no such enrolment."))
        enrolments.cancel_enrolment(row.pk, actor=user)
        return _("Your enrolment has been cancelled.")
    raise NotFound(_("Unknown action."))


@require_GET
@member_area
def my_courses(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    rows = (
        CourseEnrolment.objects.filter(user=user)
        .select_related("term__course", "certificate")
        .order_by("-term__starts_on", "-id")[:200]
    )
    return render(request, "courses/portal_my_courses.html", {"enrolments": rows, "nav_section": NAV})


def verify_url(request: HttpRequest, certificate: Certificate) -> str:
    return request.build_absolute_uri(reverse("portal:course_certificate_verify", args=[certificate.token]))


@require_GET
@never_cache
def verify_certificate(request: HttpRequest, token: str) -> HttpResponse:
    """Anyone may check a certificate from its QR code; the token is the key."""
    try:
        verified = certificates.verify_certificate(token)
    except NotFound:
        return render(request, "courses/portal_certificate_verify.html", {"verified": None}, status=404)
    return render(request, "courses/portal_certificate_verify.html", {"verified": verified})


@require_GET
@never_cache
@member_area
def my_certificate_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    found = (
        Certificate.objects.filter(pk=pk, enrolment__user=signed_in_user(request))
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        raise Http404
    certificate = certificates.certificate_with_relations(found)
    pdf = certificates.render_certificate_pdf(certificate, verify_url(request, certificate))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{certificates.certificate_filename(certificate)}"'
    )
    return response


urlpatterns: list[URLPattern] = [
    path("courses/", courses, name="courses"),
    path("courses/<int:pk>/", course_detail, name="course_detail"),
    path("courses/mine/", my_courses, name="my_courses"),
    path("courses/certificates/<int:pk>.pdf", my_certificate_pdf, name="course_certificate_pdf"),
    path("courses/verify/<str:token>/", verify_certificate, name="course_certificate_verify"),
]
