"""Scoped endpoints: the workers' school console pages and officers' API. Every course belongs
to the own union; the parent district's officers see and change it, the sibling district's get
404 as for a missing course (or, creating one, a refusal on the school field)."""

from __future__ import annotations

from gonghui.courses.models import Attendance, Certificate, Course, Term
from gonghui.courses.tests.endpoints._objects import (
    attended_session,
    certificate,
    course_api,
    course_form,
    draft_course,
    draft_term,
    finished_term,
    open_term,
    present,
    term_api,
    term_form,
)
from gonghui.courses.tests.factories import make_course
from gonghui.orgs.tests.scoping import ScopedEndpoint, row_listed

CONSOLE = "/console/courses"
API = "/api/v1/courses/manage"

ENDPOINTS: list[ScopedEndpoint] = [
    ScopedEndpoint(
        covers="console:courses:course_list",
        action="list",
        url=lambda course: f"{CONSOLE}/",
        make=make_course,
        listed=row_listed,
    ),
    ScopedEndpoint(
        covers="console:courses:course_new",
        action="create",
        method="POST",
        url=lambda org: f"{CONSOLE}/new/",
        data=course_form,
        model=Course,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:courses:course_detail",
        action="detail",
        url=lambda course: f"{CONSOLE}/{course.pk}/",
        make=make_course,
    ),
    ScopedEndpoint(
        covers="console:courses:course_edit",
        action="detail",
        url=lambda course: f"{CONSOLE}/{course.pk}/edit/",
        make=make_course,
    ),
    ScopedEndpoint(
        covers="console:courses:course_edit",
        action="update",
        method="POST",
        url=lambda course: f"{CONSOLE}/{course.pk}/edit/",
        make=make_course,
        data=lambda world, course: course_form(world, course, school=False),
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:courses:course_action",
        action="update",
        method="POST",
        url=lambda course: f"{CONSOLE}/{course.pk}/action/",
        make=draft_course,
        data=lambda world, course: {"action": "publish"},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:courses:term_new",
        action="update",
        method="POST",
        url=lambda course: f"{CONSOLE}/{course.pk}/terms/new/",
        make=make_course,
        data=term_form,
        model=Term,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:courses:term_detail",
        action="detail",
        url=lambda term: f"{CONSOLE}/terms/{term.pk}/",
        make=open_term,
    ),
    ScopedEndpoint(
        covers="console:courses:term_action",
        action="update",
        method="POST",
        url=lambda term: f"{CONSOLE}/terms/{term.pk}/action/",
        make=draft_term,
        data=lambda world, term: {"action": "open"},
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:courses:attendance_sheet",
        action="detail",
        url=lambda session: f"{CONSOLE}/sessions/{session.pk}/attendance/",
        make=attended_session,
    ),
    ScopedEndpoint(
        covers="console:courses:attendance_sheet",
        action="update",
        method="POST",
        url=lambda session: f"{CONSOLE}/sessions/{session.pk}/attendance/",
        make=attended_session,
        data=present,
        model=Attendance,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:courses:term_certificates",
        action="update",
        method="POST",
        url=lambda term: f"{CONSOLE}/terms/{term.pk}/certificates/",
        make=finished_term,
        model=Certificate,
        ok=frozenset({302}),
    ),
    ScopedEndpoint(
        covers="console:courses:certificate_pdf",
        action="detail",
        url=lambda cert: f"{CONSOLE}/certificates/{cert.pk}.pdf",
        make=certificate,
    ),
    # --- API ---
    ScopedEndpoint(covers=f"GET {API}", action="list", url=lambda course: API, make=make_course),
    ScopedEndpoint(
        covers=f"POST {API}",
        action="create",
        method="POST",
        url=lambda org: API,
        data=course_api,
        model=Course,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"GET {API}/{{course_id}}",
        action="detail",
        url=lambda course: f"{API}/{course.pk}",
        make=make_course,
    ),
    ScopedEndpoint(
        covers=f"PUT {API}/{{course_id}}",
        action="update",
        method="PUT",
        url=lambda course: f"{API}/{course.pk}",
        make=make_course,
        data=lambda world, course: {**course_api(world, course), "title": "改名"},
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{course_id}}/actions",
        action="update",
        method="POST",
        url=lambda course: f"{API}/{course.pk}/actions",
        make=draft_course,
        data=lambda world, course: {"action": "publish"},
    ),
    ScopedEndpoint(
        covers=f"POST {API}/{{course_id}}/terms",
        action="update",
        method="POST",
        url=lambda course: f"{API}/{course.pk}/terms",
        make=make_course,
        data=term_api,
        model=Term,
        ok=frozenset({201}),
    ),
    ScopedEndpoint(
        covers=f"POST {API}/terms/{{term_id}}/actions",
        action="update",
        method="POST",
        url=lambda term: f"{API}/terms/{term.pk}/actions",
        make=draft_term,
        data=lambda world, term: {"action": "open"},
    ),
    ScopedEndpoint(
        covers=f"GET {API}/terms/{{term_id}}/enrolments",
        action="detail",
        url=lambda term: f"{API}/terms/{term.pk}/enrolments",
        make=open_term,
    ),
    ScopedEndpoint(
        covers=f"PUT {API}/sessions/{{session_id}}/attendance",
        action="update",
        method="PUT",
        url=lambda session: f"{API}/sessions/{session.pk}/attendance",
        make=attended_session,
        data=present,
        model=Attendance,
    ),
    ScopedEndpoint(
        covers=f"POST {API}/terms/{{term_id}}/certificates",
        action="update",
        method="POST",
        url=lambda term: f"{API}/terms/{term.pk}/certificates",
        make=finished_term,
        model=Certificate,
    ),
]

UNSCOPED: dict[str, str] = {
    "GET /api/v1/courses": "public: the catalogue of published courses, the same for everyone (test_api)",
    "GET /api/v1/courses/{course_id}": "public: one published course (test_api)",
}
