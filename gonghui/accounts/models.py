from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.mobile import mask_mobile, parse_mobile


class AccountKind(models.TextChoices):
    MEMBER = "member", _("Member")
    OFFICER = "officer", _("Officer")
    MERCHANT = "merchant", _("Merchant")


officer_username_validator = RegexValidator(
    r"^[A-Za-z][A-Za-z0-9_.-]{2,39}$",
    _("A username has 3 to 40 letters, digits, '_', '.' or '-' and starts with a letter."),
    code="username",
)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, *, username: str, password: str | None, **extra: Any) -> User:
        user = self.model(username=username, **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_member(self, *, mobile: str, password: str | None, display_name: str = "") -> User:
        """Members sign in with their mobile number, which is therefore their username."""
        number = parse_mobile(mobile)
        return self._create(
            username=number,
            password=password,
            mobile=number,
            display_name=display_name,
            kind=AccountKind.MEMBER,
        )

    def create_officer(
        self, *, username: str, password: str | None, display_name: str = "", mobile: str = ""
    ) -> User:
        return self._create(
            username=username,
            password=password,
            display_name=display_name,
            mobile=parse_mobile(mobile) if mobile else "",
            kind=AccountKind.OFFICER,
        )

    def create_user(self, username: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("kind", AccountKind.OFFICER)
        return self._create(username=username, password=password, **extra)

    def create_superuser(self, username: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True, kind=AccountKind.OFFICER)
        return self._create(username=username, password=password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """One account type for members, officers and merchants.

    A member's username is their normalised mobile number (that is what they type to sign in);
    officers choose a username that cannot be mistaken for a mobile number.
    """

    username = models.CharField(_("username"), max_length=40, unique=True)
    kind = models.CharField(_("account kind"), max_length=16, choices=AccountKind.choices, db_index=True)
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    mobile = models.CharField(_("mobile number"), max_length=11, blank=True, db_index=True)
    otp_required = models.BooleanField(
        _("two-factor authentication required"),
        default=False,
        help_text=_("Set for roles that must sign in with a one-time code."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.public_username

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        if self.kind == AccountKind.MEMBER:
            if self.username != self.mobile:
                raise ValidationError({"username": _("A member signs in with their mobile number.")})
        else:
            officer_username_validator(self.username)

    @property
    def is_member(self) -> bool:
        return self.kind == AccountKind.MEMBER

    @property
    def is_officer(self) -> bool:
        return self.kind == AccountKind.OFFICER and self.is_active

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile) if self.mobile else ""

    @property
    def public_username(self) -> str:
        """What may be shown to other people: a member's username is a mobile number."""
        return self.masked_mobile if self.is_member else self.username

    def audit_value(self, field: str) -> Any:
        if field in {"mobile", "username"} and self.is_member:
            return self.masked_mobile
        return getattr(self, field)


def hash_token(raw: str) -> str:
    # Tokens are 256-bit random values, so a fast hash is enough; no salt is needed to resist guessing.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self, now: datetime | models.Expression | None = None) -> ApiTokenQuerySet:
        """Tokens that sign someone in at `now` (default: this moment)."""
        now = timezone.now() if now is None else now
        return self.filter(revoked_at__isnull=True, user__is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 hash is stored; the token is shown once."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(_("prefix"), max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())


class VerificationPurpose(models.TextChoices):
    JOIN = "join", _("Online joining")
    MOBILE_CHANGE = "mobile_change", _("Change of mobile number")
    HELP = "help", _("Asking for help")  # an account opened to report a dispute or ask a lawyer


class VerificationCode(models.Model):
    """A one-time code texted to a mobile number (gonghui.accounts.verification). Only a hash
    of the code is kept; `mobile_index` is the number's blind index, so the table holds no
    number in the clear."""

    mobile_index = models.CharField(max_length=64, editable=False)
    purpose = models.CharField(_("purpose"), max_length=16, choices=VerificationPurpose.choices)
    code_hash = models.CharField(max_length=64, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        indexes = [
            models.Index(fields=["mobile_index", "purpose", "-created_at"], name="verification_lookup_idx")
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"
