"""Private documents people upload with a case (claim invoices, hardship proofs, admission
letters): a photo or a PDF, its type read from the bytes, never from the name or the browser's
claim. Such files live under MEDIA_ROOT sections that gonghui.core.media never serves; the
app's own views check who asks before streaming them."""

from __future__ import annotations

import secrets
from typing import Any, Protocol

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from gonghui.core.errors import ValidationFailed
from gonghui.core.images import PICTURE_FORMATS, NotAPicture, TooManyPixels, picture_format
from gonghui.core.text import normalize_text

MAX_DOCUMENT_BYTES = 10 * 2**20
MAX_DOCUMENT_PIXELS = 60_000_000
MAX_DOCUMENT_NAME = 120


def _document_error(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"file": [message]})


def check_document(content: bytes) -> tuple[str, str]:
    """(content type, file name ending) of a document photo or PDF; ValidationFailed otherwise."""
    if not content:
        raise _document_error(_("The file is empty."))
    if len(content) > MAX_DOCUMENT_BYTES:
        raise _document_error(
            _("A document may be at most %(size)s MB. Make it smaller and upload it again.")
            % {"size": MAX_DOCUMENT_BYTES // 2**20}
        )
    if content.startswith(b"%PDF-"):
        return "application/pdf", "pdf"
    try:
        kind = picture_format(content, max_pixels=MAX_DOCUMENT_PIXELS)
    except TooManyPixels:
        raise _document_error(
            _("This picture has too many pixels. Make it smaller and upload it again.")
        ) from None
    except NotAPicture:
        raise _document_error(_("Upload a photo (JPEG, PNG or WebP) or a PDF file.")) from None
    return PICTURE_FORMATS[kind]


def too_many_documents(limit: int) -> ValidationFailed:
    return _document_error(_("At most %(limit)s documents can be added.") % {"limit": limit})


class StoredDocument(Protocol):
    """What a document model has (gonghui.assistance.models.Document and the claim attachment)."""

    file: Any
    original_name: str
    content_type: str
    size: int
    uploaded_by: Any

    def save(self, *args: Any, **kwargs: Any) -> None: ...


def store_document(document: StoredDocument, *, actor: Any, name: str, content: bytes) -> dict[str, Any]:
    """Check `content`, fill the document's fields, store the file under a random name and save
    the row. Returns what the audit event records of it (never the content)."""
    content_type, ending = check_document(content)
    original = normalize_text(name or "")[:MAX_DOCUMENT_NAME] or f"document.{ending}"
    document.original_name = original
    document.content_type = content_type
    document.size = len(content)
    document.uploaded_by = actor if getattr(actor, "is_authenticated", False) else None
    document.file.save(f"{secrets.token_hex(16)}.{ending}", ContentFile(content), save=False)
    document.save()
    return {"name": original, "type": content_type, "size": len(content)}
