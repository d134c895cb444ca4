from django.urls import path

from gonghui.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.services, name="services"),
    path("benefits/", views.benefits, name="benefits"),
    path("me/", views.me, name="me"),
    path("large-font/", views.toggle_large_font, name="toggle_large_font"),
]
