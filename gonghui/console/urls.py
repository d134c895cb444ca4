from django.urls import include, path

from gonghui.console import jobs, reports, views

app_name = "console"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("audit/", views.audit_log, name="audit"),
    path("reports/", reports.report_index, name="reports"),
    path("jobs/", jobs.job_list, name="jobs"),
    path("orgs/", include("gonghui.orgs.urls")),
    path("members/", include("gonghui.members.urls")),
    path("founding/", include("gonghui.founding.urls")),
    path("ratings/", include("gonghui.ratings.urls")),
    path("benefits/", include("gonghui.benefits.urls")),
    path("mutualaid/", include("gonghui.mutualaid.urls")),
    path("assistance/", include("gonghui.assistance.urls")),
    path("events/", include("gonghui.events.urls")),
    path("services/", include("gonghui.services.urls")),
    path("courses/", include("gonghui.courses.urls")),
    path("counselling/", include("gonghui.counselling.urls")),
    path("rights/", include("gonghui.rights.urls")),
    path("legal/", include("gonghui.legal.urls")),
    path("supervision/", include("gonghui.supervision.urls")),
    path("contracts/", include("gonghui.contracts.urls")),
    path("calendar/", include("gonghui.workdays.urls")),
]
