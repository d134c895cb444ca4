"""Uploaded files that anyone may see: merchant photos, campaign images, service point photos.

Everything else under MEDIA_ROOT (roster imports and exports) holds personal data and is only
ever sent by the view that checks who asks, so /media/ is not served as a whole: only the
sections named here are, from their own folders (no path can climb out of them). A proxy may
serve the same folders itself (docs: README, production deployment) — never all of /media/.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe
from django.views.static import serve

PUBLIC_SECTIONS = frozenset({"benefits", "services"})
# Uploaded names are random and never reused, so a long cache is safe.
CACHE_SECONDS = 7 * 24 * 3600


@require_safe
def public_media(request: HttpRequest, section: str, name: str) -> FileResponse:
    if section not in PUBLIC_SECTIONS:
        raise Http404
    try:
        response = serve(request, name, document_root=str(settings.MEDIA_ROOT / section))
    except SuspiciousFileOperation as exc:  # a path climbing out of the section
        raise Http404 from exc
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response["X-Content-Type-Options"] = "nosniff"
    return response
