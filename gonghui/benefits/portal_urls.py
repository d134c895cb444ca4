"""Member portal pages of the benefits app, included in the portal namespace (gonghui/portal/urls.py)."""

from django.urls import URLPattern

from gonghui.benefits.portal_views import campaigns, merchant_desk, merchants, pledges, vouchers

urlpatterns: list[URLPattern] = [
    *campaigns.urlpatterns,
    *vouchers.urlpatterns,
    *merchants.urlpatterns,
    *merchant_desk.urlpatterns,
    *pledges.urlpatterns,
]
