"""Every write to accounts goes through these functions (see DESIGN.md, rule 1)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.accounts.models import ApiToken, User, hash_token
from gonghui.accounts.verification import VerificationProof
from gonghui.core.audit import record_audit
from gonghui.core.compiled import CompiledSelect, CompiledUpdate, Param
from gonghui.core.errors import Conflict, NotFound, ValidationFailed
from gonghui.core.mobile import InvalidMobile, parse_mobile

TOKEN_PREFIX = "gh_"  # noqa: S105 - a public marker that makes leaked tokens easy to scan for
MAX_ACTIVE_TOKENS = 20


@transaction.atomic
def create_api_token(*, actor: User, name: str, expires_in_days: int) -> tuple[ApiToken, str]:
    """Create a token for the actor; returns it with the raw value, which is never stored."""
    if not 1 <= expires_in_days <= 366:
        raise ValidationFailed(
            _("A token is valid for 1 to 366 days."), fields={"expires_in_days": [_("1 to 366")]}
        )
    if ApiToken.objects.usable().filter(user=actor).count() >= MAX_ACTIVE_TOKENS:
        raise Conflict(
            _("You already have %(n)d active tokens. Revoke one first.") % {"n": MAX_ACTIVE_TOKENS}
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        prefix=raw[:10],
        token_hash=hash_token(raw),
        expires_at=timezone.now() + timedelta(days=expires_in_days),
    )
    record_audit(actor=actor, action="accounts.create_api_token", obj=token, changes={"name": [None, name]})
    return token, raw


@transaction.atomic
def revoke_api_token(token_id: int, *, actor: User) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=actor).first()
    if token is None:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_audit(actor=actor, action="accounts.revoke_api_token", obj=token)
    return token


def authenticate_api_token(raw: str) -> User | None:
    """The user a bearer token belongs to, or None; records when it was last used."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 100:
        return None
    now = timezone.now()
    token = _TOKEN.first(token_hash=hash_token(raw), now=now)
    if token is None:
        return None
    # Writing on every request would turn reads into writes; minute precision is enough.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        _TOKEN_USED.run(id=token.pk, now=now)
    return token.user


# Every API request signs in through these two, so they are compiled once (gonghui.core.compiled).
_TOKEN = CompiledSelect(
    lambda: (
        ApiToken.objects.usable(now=Param("now", models.DateTimeField()))
        .select_related("user")
        .filter(token_hash=Param("token_hash", models.CharField()))[:1]
    ),
    params=("now", "token_hash"),
)
_TOKEN_USED = CompiledUpdate(
    lambda: (
        ApiToken.objects.filter(pk=Param("id", models.BigIntegerField())),
        {"last_used_at": Param("now", models.DateTimeField())},
    ),
    params=("id", "now"),
)


def pending_totp_device(*, actor: User) -> TOTPDevice:
    """The unconfirmed device being set up, created on first visit so the QR code stays stable."""
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=actor, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def confirm_totp_device(*, actor: User, code: str) -> TOTPDevice:
    device = (
        TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=False).order_by("-id").first()
    )
    if device is None:
        raise Conflict(_("Start the set-up again: no authenticator is waiting for confirmation."))
    if not device.verify_token(code):
        raise ValidationFailed(
            _("The code is not correct. Check the time on your phone and try again."),
            fields={"code": [_("Incorrect code.")]},
        )
    TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record_audit(actor=actor, action="accounts.enable_totp", obj=actor)
    return device


@transaction.atomic
def disable_totp(*, actor: User, code: str) -> None:
    if actor.otp_required:
        raise Conflict(_("Your role requires two-factor authentication; it cannot be switched off."))
    device = TOTPDevice.objects.filter(user=actor, confirmed=True).first()
    if device is None:
        raise Conflict(_("Two-factor authentication is not switched on."))
    if not device.verify_token(code):
        raise ValidationFailed(_("The code is not correct."), fields={"code": [_("Incorrect code.")]})
    TOTPDevice.objects.filter(user=actor).delete()
    record_audit(actor=actor, action="accounts.disable_totp", obj=actor)


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def record_password_change(*, actor: User) -> None:
    record_audit(actor=actor, action="accounts.change_password", obj=actor)


@transaction.atomic
def open_member_account(*, mobile: str, password: str, display_name: str, proof: VerificationProof) -> User:
    """Open a member portal account for a person (joining, asking for help) who proved their
    mobile number with a texted code (`proof`, spent here). Refused with Conflict `account_exists`
    when the number already has an account: the person signs in with it instead (the code stays
    unspent)."""
    try:
        number = parse_mobile(mobile)
    except InvalidMobile as exc:
        raise ValidationFailed(exc.message, fields={"mobile": [exc.message]}) from exc
    if User.objects.filter(username=number).exists():
        raise Conflict(
            _("There is already an account for this mobile number. Sign in with it to continue."),
            code="account_exists",
        )
    candidate = User(username=number, mobile=number, display_name=display_name)
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], fields={"password": list(exc.messages)}) from exc
    proof.spend()
    try:
        with transaction.atomic():
            user = User.objects.create_member(mobile=number, password=password, display_name=display_name)
    except IntegrityError:
        # Another request opened the account a moment ago.
        raise Conflict(
            _("There is already an account for this mobile number. Sign in with it to continue."),
            code="account_exists",
        ) from None
    record_audit(actor=user, action="accounts.open_member_account", obj=user)
    return user
