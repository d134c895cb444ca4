"""The electronic member card (电子会员卡): card number, short-lived QR token, verification.

The card number is derived from the membership row, so it needs no column and no secret:
"GH" and the row's id, zero-padded to 11 digits, followed by a Luhn check digit that catches a
mistyped digit when someone reads the number out. A transfer makes a new membership row and so
a new card number, which is right: the card stands for one membership of one union.

The QR code carries a token signed with SECRET_KEY (TimestampSigner, salt of its own): the
membership id and the time it was issued, nothing personal. A scanner posts it to the verify
endpoint, which refuses it once MEMBER_CARD_TOKEN_SECONDS have passed, so that a screenshot of
the card is of little use; the card page fetches a fresh token before the shown one runs out.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.models import User
from gonghui.core.errors import DomainError, NotFound, ValidationFailed
from gonghui.core.text import normalize_text
from gonghui.members.models import Member, MemberStatus

CARD_PREFIX = "GH"
CARD_DIGITS = 11  # before the check digit; ids up to 10¹¹ - 1 keep the number one length
TOKEN_SALT = "gonghui.members.card"  # noqa: S105 - a namespace for the signature, not a secret


class CardTokenRejected(DomainError):
    """The scanned token is not one we issued, or no longer valid: nothing about anyone is said."""

    status = 422


def luhn_check_digit(digits: str) -> str:
    """The digit that makes `digits` + it pass the Luhn check (as on bank cards)."""
    total = 0
    # Double every second digit counting from the right of the final number, whose last
    # place the check digit will take: so from the rightmost digit given here.
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def card_number(member: Member) -> str:
    """For example "GH000000012344": prefix, zero-padded membership id, Luhn check digit."""
    body = f"{member.pk:0{CARD_DIGITS}d}"
    return f"{CARD_PREFIX}{body}{luhn_check_digit(body)}"


def card_number_display(number: str) -> str:
    """Digits in groups of four, as printed on a card: "GH 0000 0001 2344"."""
    digits = number.removeprefix(CARD_PREFIX)
    groups = [digits[i : i + 4] for i in range(0, len(digits), 4)]
    return " ".join([CARD_PREFIX, *groups])


def token_seconds() -> int:
    """How long a QR token is accepted (settings.MEMBER_CARD_TOKEN_SECONDS, at least 10 s)."""
    return max(10, int(settings.MEMBER_CARD_TOKEN_SECONDS))


def refresh_seconds() -> int:
    """How often the card page fetches a new token: halfway through its life, so a slow network
    or a phone woken from sleep still shows a valid one."""
    return max(5, token_seconds() // 2)


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=TOKEN_SALT)


def active_card_member(user: User) -> Member | None:
    """The signed-in person's active membership (with its union), or None."""
    return (
        Member.objects.filter(user=user, status=MemberStatus.ACTIVE)
        .select_related("org")
        .order_by("-joined_on", "-pk")
        .first()
    )


def issue_card_token(member: Member) -> str:
    """A token for the member's QR code: "<membership id>:<issue time>:<signature>"."""
    return _signer().sign(str(member.pk))


@dataclass(frozen=True)
class VerifiedCard:
    masked_name: str
    union: str
    card_number_tail: str


def card_member(token: str) -> Member:
    """The active membership a scanned QR token stands for; CardTokenRejected or NotFound otherwise."""
    try:
        member_id = _signer().unsign(token, max_age=token_seconds())
    except signing.SignatureExpired:
        raise CardTokenRejected(
            _("This member card code has expired. Ask the member to refresh the card and scan again."),
            code="card_expired",
        ) from None
    except signing.BadSignature:
        raise CardTokenRejected(_("This is not a valid member card code."), code="card_invalid") from None
    # Only we sign tokens, so the id is one we wrote; the check keeps a bug from becoming a 500.
    member_pk = int(member_id) if member_id.isascii() and member_id.isdigit() else None
    return _active_member(member_pk)


def card_number_member(text: str) -> Member:
    """The active membership of a typed card number ("GH 0000 0001 2344", spaces and case as
    people type them); ValidationFailed on "card_number" for anything that is not a card
    number (wrong prefix, length or check digit), NotFound for a membership no longer active."""
    typed = normalize_text(text or "").replace(" ", "").upper()
    body = typed.removeprefix(CARD_PREFIX)
    if not (
        typed.startswith(CARD_PREFIX)
        and len(body) == CARD_DIGITS + 1
        and body.isascii()
        and body.isdigit()
        and luhn_check_digit(body[:-1]) == body[-1]
    ):
        message = str(_("This is not a member card number. It reads like GH 0000 0001 2344."))
        raise ValidationFailed(message, fields={"card_number": [message]})
    return _active_member(int(body[:-1]))


def _active_member(pk: int | None) -> Member:
    member = (
        Member.objects.filter(pk=pk, status=MemberStatus.ACTIVE).select_related("org").first()
        if pk is not None
        else None
    )
    if member is None:
        raise NotFound(
            _("This member card is no longer valid: the membership is not active."), code="card_inactive"
        )
    return member


def verify_card_token(token: str) -> VerifiedCard:
    """What a scanner may learn from a valid token; CardTokenRejected or NotFound otherwise."""
    member = card_member(token)
    return VerifiedCard(
        masked_name=member.masked_name,
        union=member.org.name,
        card_number_tail=card_number(member)[-4:],
    )
