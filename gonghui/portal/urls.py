from django.urls import path

from gonghui.assistance.portal_urls import urlpatterns as assistance_urlpatterns
from gonghui.benefits.portal_urls import urlpatterns as benefit_urlpatterns
from gonghui.contracts.portal_urls import urlpatterns as contracts_urlpatterns
from gonghui.counselling.portal_urls import urlpatterns as counselling_urlpatterns
from gonghui.courses.portal_urls import urlpatterns as courses_urlpatterns
from gonghui.events.portal_urls import urlpatterns as events_urlpatterns
from gonghui.legal.portal_urls import urlpatterns as legal_urlpatterns
from gonghui.members.portal_urls import urlpatterns as member_urlpatterns
from gonghui.mutualaid.portal_urls import urlpatterns as mutualaid_urlpatterns
from gonghui.portal import help_views, views
from gonghui.rights.portal_urls import urlpatterns as rights_urlpatterns
from gonghui.services.portal_urls import urlpatterns as services_urlpatterns

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.services, name="services"),
    path("me/", views.me, name="me"),
    path("help/", help_views.help_home, name="help"),
    path("help/account/", help_views.help_account, name="help_account"),
    *member_urlpatterns,
    *benefit_urlpatterns,
    *mutualaid_urlpatterns,
    *assistance_urlpatterns,
    *events_urlpatterns,
    *services_urlpatterns,
    *courses_urlpatterns,
    *counselling_urlpatterns,
    *rights_urlpatterns,
    *legal_urlpatterns,
    *contracts_urlpatterns,
    path("large-font/", views.toggle_large_font, name="toggle_large_font"),
]
