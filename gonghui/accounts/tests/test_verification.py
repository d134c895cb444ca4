"""Texted verification codes: one use, short life, limited tries and sends, hashed at rest."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from gonghui.accounts.models import VerificationCode, VerificationPurpose
from gonghui.accounts.verification import (
    MAX_ATTEMPTS,
    RESEND_SECONDS,
    check_verification_code,
    send_verification_code,
)
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.core.sms import outbox_messages

pytestmark = pytest.mark.django_db(transaction=True)

MOBILE = "13912345678"
JOIN = VerificationPurpose.JOIN


def texted_code(mobile: str = MOBILE) -> str:
    match = re.search(r"\d{6}", outbox_messages(mobile, limit=1)[0])
    assert match is not None
    return match.group()


def age_codes(seconds: int) -> None:
    """Move every stored code `seconds` into the past (as if that much time had gone by)."""
    for code in VerificationCode.objects.all():
        VerificationCode.objects.filter(pk=code.pk).update(
            created_at=code.created_at - timedelta(seconds=seconds),
            expires_at=code.expires_at - timedelta(seconds=seconds),
        )


def test_a_sent_code_proves_the_number_once() -> None:
    send_verification_code(MOBILE, purpose=JOIN)
    code = texted_code()

    proof = check_verification_code(MOBILE, code, purpose=JOIN)
    with transaction.atomic():
        proof.spend()

    with pytest.raises(ValidationFailed) as second_use:
        check_verification_code(MOBILE, code, purpose=JOIN)
    assert "code" in second_use.value.fields


def test_the_code_is_stored_only_as_a_hash_and_the_text_names_the_purpose() -> None:
    send_verification_code(MOBILE, purpose=JOIN)
    code = texted_code()
    stored = VerificationCode.objects.get()
    assert code not in stored.code_hash
    assert MOBILE not in stored.mobile_index
    assert "入会" in outbox_messages(MOBILE, limit=1)[0]


def test_a_proof_spent_twice_is_refused() -> None:
    send_verification_code(MOBILE, purpose=JOIN)
    proof = check_verification_code(MOBILE, texted_code(), purpose=JOIN)
    proof.spend()
    with pytest.raises(ValidationFailed):
        proof.spend()


def test_a_code_for_another_purpose_or_number_does_not_count() -> None:
    send_verification_code(MOBILE, purpose=JOIN)
    code = texted_code()
    with pytest.raises(ValidationFailed):
        check_verification_code(MOBILE, code, purpose=VerificationPurpose.MOBILE_CHANGE)
    with pytest.raises(ValidationFailed):
        check_verification_code("13912345679", code, purpose=JOIN)


def test_wrong_tries_are_counted_even_when_the_caller_rolls_back() -> None:
    send_verification_code(MOBILE, purpose=JOIN)
    code = texted_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(ValidationFailed) as refused:
            check_verification_code(MOBILE, wrong, purpose=JOIN, field="sms_code")
        assert "sms_code" in refused.value.fields
    assert VerificationCode.objects.get().attempts == MAX_ATTEMPTS
    # Five wrong tries spend the code: even the right one no longer works.
    with pytest.raises(ValidationFailed):
        check_verification_code(MOBILE, code, purpose=JOIN)


def test_an_expired_code_is_refused() -> None:
    send_verification_code(MOBILE, purpose=JOIN)
    code = texted_code()
    VerificationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationFailed):
        check_verification_code(MOBILE, code, purpose=JOIN)


def test_only_the_latest_code_counts() -> None:
    send_verification_code(MOBILE, purpose=JOIN)
    first = texted_code()
    age_codes(RESEND_SECONDS + 1)
    send_verification_code(MOBILE, purpose=JOIN)
    latest = texted_code()
    if first != latest:
        with pytest.raises(ValidationFailed):
            check_verification_code(MOBILE, first, purpose=JOIN)
    check_verification_code(MOBILE, latest, purpose=JOIN)


def test_a_number_gets_one_code_a_minute_and_a_daily_ceiling(settings) -> None:
    settings.VERIFICATION_CODES_PER_DAY = 3
    send_verification_code(MOBILE, purpose=JOIN)
    with pytest.raises(Conflict):
        send_verification_code(MOBILE, purpose=JOIN)
    for _ in range(2):
        age_codes(RESEND_SECONDS + 1)
        send_verification_code(MOBILE, purpose=JOIN)
    age_codes(RESEND_SECONDS + 1)
    with pytest.raises(Conflict) as ceiling:
        send_verification_code(MOBILE, purpose=JOIN)
    assert "明天" in ceiling.value.message
    assert len(outbox_messages(MOBILE, limit=10)) == 3
