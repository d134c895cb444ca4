from django.urls import path

from gonghui.jobs import views

app_name = "jobs"

urlpatterns = [
    path("<int:pk>/progress", views.progress, name="progress"),
    path("<int:pk>/progress.json", views.progress_json, name="progress_json"),
]
