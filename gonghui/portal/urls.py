from django.urls import path

from gonghui.members import portal_views as member_views
from gonghui.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.services, name="services"),
    path("benefits/", views.benefits, name="benefits"),
    path("me/", views.me, name="me"),
    path("me/card/", member_views.member_card, name="member_card"),
    path("me/card/qr/", member_views.member_card_qr, name="member_card_qr"),
    path("large-font/", views.toggle_large_font, name="toggle_large_font"),
]
