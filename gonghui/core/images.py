"""Uploaded pictures (merchant photos, campaign images, claim documents): what a file is, read
from its bytes, never from its name or the browser's claim.

A picture is accepted when Pillow recognises it as JPEG, PNG or WebP, its header announces no more
than `max_pixels` (checked before anything is decoded: a "decompression bomb" is refused unread),
`verify()` finds its structure sound and a fresh copy decodes whole. Callers turn the two
refusals into their own field errors.
"""

from __future__ import annotations

import io
import warnings
from typing import Protocol

from PIL import Image, UnidentifiedImageError

# Pillow's format name → (content type, file name ending without the dot).
PICTURE_FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}


class Upload(Protocol):
    """An uploaded file as Django gives it (UploadedFile), or anything with a name, a size and read()."""

    name: str | None
    size: int | None

    def read(self, size: int = -1) -> bytes: ...


class FileTooLarge(Exception):
    """More bytes than the caller allows."""


def read_upload(upload: Upload, *, max_bytes: int) -> bytes:
    """The upload's bytes, never reading more than one byte past `max_bytes` (a client's stated
    size is checked first, but not trusted)."""
    if upload.size is not None and upload.size > max_bytes:
        raise FileTooLarge
    content = upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise FileTooLarge
    return content


class NotAPicture(Exception):
    """Not a JPEG, PNG or WebP picture that decodes whole."""


class TooManyPixels(Exception):
    """A picture larger than the caller allows."""


def picture_format(content: bytes, *, max_pixels: int) -> str:
    """Pillow's name of the picture's format (a key of PICTURE_FORMATS)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                kind = image.format or ""
                if kind not in PICTURE_FORMATS:
                    raise NotAPicture
                width, height = image.size
                if width * height > max_pixels:
                    raise TooManyPixels
                image.verify()
            # verify() leaves the image unusable; decoding a fresh copy proves the pixels are there.
            with Image.open(io.BytesIO(content)) as image:
                image.load()
    except (NotAPicture, TooManyPixels):
        raise
    except Image.DecompressionBombWarning:
        raise TooManyPixels from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise NotAPicture from None
    return kind


# Public photos (merchants, campaign images, service points): small enough for a phone to load.
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000


def read_photo(upload: Upload, *, field: str = "image") -> tuple[bytes, str]:
    """The bytes of an uploaded photo and its file name ending ("." + jpg/png/webp), or
    ValidationFailed on `field` saying what is wrong: too large, empty, too many pixels, or not
    a JPEG, PNG or WebP picture that decodes whole."""
    from django.utils.translation import gettext as _

    from gonghui.core.errors import ValidationFailed

    def refuse(message: str) -> ValidationFailed:
        return ValidationFailed(message, fields={field: [message]})

    try:
        content = read_upload(upload, max_bytes=MAX_PHOTO_BYTES)
    except FileTooLarge:
        raise refuse(
            _("A photo may be at most %(size)s MB. Make it smaller and upload it again.")
            % {"size": MAX_PHOTO_BYTES // 2**20}
        ) from None
    if not content:
        raise refuse(_("The file is empty."))
    try:
        kind = picture_format(content, max_pixels=MAX_PHOTO_PIXELS)
    except TooManyPixels:
        raise refuse(_("This picture has too many pixels. Make it smaller and upload it again.")) from None
    except NotAPicture:
        raise refuse(_("This file is not a photo. Upload a JPEG, PNG or WebP picture.")) from None
    return content, "." + PICTURE_FORMATS[kind][1]
