"""The project's URLs plus the jobs app, for as long as the project URLconf does not include it."""

from django.urls import include, path

from gonghui.urls import urlpatterns as project_urlpatterns

urlpatterns = [*project_urlpatterns, path("jobs/", include("gonghui.jobs.urls"))]
