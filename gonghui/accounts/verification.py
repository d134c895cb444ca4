"""One-time codes texted to a mobile number, proving the person holds it (online joining,
change of mobile number).

A code is six digits, valid for VERIFICATION_CODE_MINUTES, good for one use; five wrong tries
spend it. A number gets at most one code a minute and VERIFICATION_CODES_PER_DAY a day, so the
platform cannot be used to flood a phone, and only a hash of the code is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.accounts.models import VerificationCode, VerificationPurpose
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.sms import send_sms

MAX_ATTEMPTS = 5
RESEND_SECONDS = 60


def _mobile_index(mobile: str) -> str:
    from gonghui.members.models import mobile_index

    return mobile_index(mobile)


def _hash(code: str, index: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{index}:{code}".encode(), hashlib.sha256).hexdigest()


def _text(purpose: VerificationPurpose, code: str) -> str:
    texts = {
        VerificationPurpose.JOIN: _(
            "[%(site)s] Your code for joining the union is %(code)s, valid for %(minutes)d minutes. "
            "Do not share it with anyone."
        ),
        VerificationPurpose.MOBILE_CHANGE: _(
            "[%(site)s] Your code for changing your mobile number is %(code)s, valid for %(minutes)d "
            "minutes. If you did not ask for it, ignore this message."
        ),
        VerificationPurpose.HELP: _(
            "[%(site)s] Your code for opening an account to ask the union for help is %(code)s, valid "
            "for %(minutes)d minutes. Do not share it with anyone."
        ),
    }
    return texts[purpose] % {
        "site": settings.GONGHUI_SITE_NAME,
        "code": code,
        "minutes": settings.VERIFICATION_CODE_MINUTES,
    }


@transaction.atomic
def send_verification_code(mobile: str, *, purpose: VerificationPurpose) -> None:
    """Text a new code to `mobile` (a normalised number). Refused with Conflict when the
    number asked less than a minute ago or has reached today's limit; nothing is sent then."""
    index = _mobile_index(mobile)
    now = timezone.now()
    recent = VerificationCode.objects.select_for_update().filter(
        mobile_index=index, created_at__gte=now - timedelta(days=1)
    )
    latest = recent.order_by("-created_at").first()
    if latest is not None and latest.created_at > now - timedelta(seconds=RESEND_SECONDS):
        wait = RESEND_SECONDS - int((now - latest.created_at).total_seconds())
        raise Conflict(
            _("A code was sent a moment ago. You can ask for a new one in %(n)d seconds.") % {"n": wait}
        )
    if recent.count() >= settings.VERIFICATION_CODES_PER_DAY:
        raise Conflict(_("Too many codes were sent to this number today. Please try again tomorrow."))
    code = f"{secrets.randbelow(1_000_000):06d}"
    VerificationCode.objects.create(
        mobile_index=index,
        purpose=purpose,
        code_hash=_hash(code, index),
        expires_at=now + timedelta(minutes=settings.VERIFICATION_CODE_MINUTES),
    )
    send_sms(mobile, _text(purpose, code))


@dataclass(frozen=True)
class VerificationProof:
    """A code that matched and is not yet spent; `spend()` it in the transaction that acts."""

    code_id: int
    field: str

    def spend(self) -> None:
        """Mark the code used; refused when it was spent meanwhile (a double submit)."""
        spent = VerificationCode.objects.filter(pk=self.code_id, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if spent != 1:
            message = _("This code has already been used. Please ask for a new code.")
            raise ValidationFailed(message, fields={self.field: [message]})


def check_verification_code(
    mobile: str, code: str, *, purpose: VerificationPurpose, field: str = "code"
) -> VerificationProof:
    """The proof that `code` is the latest unexpired code sent to `mobile` for `purpose`, or
    ValidationFailed on `field`. Runs in its own (durable) transaction so that a wrong try is
    counted even when the caller's action fails afterwards: call it before opening the action's
    transaction, then `spend()` the proof inside it."""
    index = _mobile_index(mobile)
    now = timezone.now()
    with transaction.atomic(durable=True):
        pending = (
            VerificationCode.objects.select_for_update()
            .filter(mobile_index=index, purpose=purpose, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at")
            .first()
        )
        if pending is None or pending.attempts >= MAX_ATTEMPTS:
            message = _("The code has expired or was not requested. Please ask for a new code.")
            raise ValidationFailed(message, fields={field: [message]})
        matched = hmac.compare_digest(pending.code_hash, _hash(code.strip(), index))
        if not matched:
            VerificationCode.objects.filter(pk=pending.pk).update(attempts=F("attempts") + 1)
    # Raised after the block, so that the counted attempt commits.
    if not matched:
        message = _("The code is not correct.")
        raise ValidationFailed(message, fields={field: [message]})
    return VerificationProof(pending.pk, field)
