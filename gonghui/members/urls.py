"""Console pages of the members app, mounted at /console/members/ (namespace console:members)."""

from django.urls import path

from gonghui.members import views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="list"),
]
