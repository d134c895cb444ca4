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
