"""Reading uploaded photos and PDFs of a dispute (console, portal and API alike): the same
size and type checks everywhere, one message per refused file naming it."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from gonghui.core.documents import MAX_DOCUMENT_BYTES, check_document
from gonghui.core.errors import ValidationFailed
from gonghui.core.images import FileTooLarge, read_upload


def read_documents(files: Sequence[UploadedFile]) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The files' names and bytes, and one message per refused file naming it."""
    documents: list[tuple[str, bytes]] = []
    problems: list[str] = []
    for upload in files:
        name = upload.name or _("(no name)")
        try:
            content = read_upload(upload, max_bytes=MAX_DOCUMENT_BYTES)
            check_document(content)
        except FileTooLarge:
            reason = _("A document may be at most %(size)s MB. Make it smaller and upload it again.") % {
                "size": MAX_DOCUMENT_BYTES // 2**20
            }
            problems.append(_("%(file)s: %(reason)s") % {"file": name, "reason": reason})
            continue
        except ValidationFailed as error:
            problems.append(_("%(file)s: %(reason)s") % {"file": name, "reason": error.message})
            continue
        documents.append((name, content))
    return documents, problems
