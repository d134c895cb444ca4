"""Console pages for founding unions, mounted at /console/founding/ (namespace console:founding)."""

from django.urls import path

from gonghui.founding import views

app_name = "founding"

urlpatterns = [
    path("", views.unfounded, name="unfounded"),
    path("workplaces/<int:workplace_id>/notice/", views.notice_issue, name="notice_issue"),
    path("workplaces/<int:workplace_id>/application/", views.application_new, name="application_new"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("notices/<int:pk>/delivery/", views.notice_delivery, name="notice_delivery"),
    path("notices/<int:pk>/pdf/", views.notice_pdf, name="notice_pdf"),
    path("applications/", views.application_list, name="applications"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/transition/", views.application_transition, name="application_transition"),
    path("authority/", views.authority, name="authority"),
    path("authority/<int:org_id>/", views.authority_change, name="authority_change"),
]
