from django.urls import include, path

from gonghui.api import api
from gonghui.core.media import public_media
from gonghui.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("accounts/", include("gonghui.accounts.urls")),
    path("console/", include("gonghui.console.urls")),
    path("jobs/", include("gonghui.jobs.urls")),
    path("media/<str:section>/<path:name>", public_media, name="public_media"),
    path("", include("gonghui.portal.urls")),
]
