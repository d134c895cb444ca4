"""Console pages of vitality ratings, mounted at /console/ratings/ (namespace console:ratings)."""

from django.urls import path

from gonghui.ratings import views

app_name = "ratings"

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("summary/", views.summary, name="summary"),
    path("orgs/<int:org_id>/start/", views.start, name="start"),
    path("orgs/<int:org_id>/publish/", views.publish_reviewed, name="publish_reviewed"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/answers/", views.answers, name="answers"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/transition/", views.transition, name="transition"),
    path("checklists/", views.checklists, name="checklists"),
    path("checklists/new/", views.checklist_new, name="checklist_new"),
    path("checklists/<int:pk>/", views.checklist_detail, name="checklist"),
    path("checklists/<int:pk>/edit/", views.checklist_edit, name="checklist_edit"),
    path("checklists/<int:pk>/publish/", views.checklist_publish, name="checklist_publish"),
    path("checklists/<int:pk>/copy/", views.checklist_copy, name="checklist_copy"),
    path("checklists/<int:pk>/items/new/", views.item_new, name="item_new"),
    path("checklists/items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("checklists/items/<int:pk>/delete/", views.item_delete, name="item_delete"),
]
