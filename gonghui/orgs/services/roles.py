"""Granting and revoking roles, and opening console accounts for new officers."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.models import User, officer_username_validator
from gonghui.core.audit import record_audit
from gonghui.core.errors import Conflict, Forbidden, ValidationFailed
from gonghui.core.inputs import has_control_characters
from gonghui.core.mobile import InvalidMobile, parse_mobile
from gonghui.core.text import normalize_name, normalize_text
from gonghui.orgs.models import Org, OrgKind, Role, RoleGrant
from gonghui.orgs.permissions import ROLE_PERMISSIONS, Perm
from gonghui.orgs.scoping import forget_grants, get_visible, has_perm_at

# Letters and digits that cannot be mistaken for one another when read aloud or copied by hand
# (no 0/O, 1/l/I); 14 of them carry about 80 bits.
_PASSWORD_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"  # noqa: S105 - characters
_PASSWORD_LENGTH = 14
DISPLAY_NAME_MAX = 60


def officer_by_username(username: str) -> User:
    """The active officer account named `username` (any letter case), or ValidationFailed."""
    user = User.objects.filter(username__iexact=normalize_text(username)).first()
    if user is None or not user.is_officer:
        message = _("There is no officer account with this username.")
        raise ValidationFailed(message, fields={"username": [message]})
    return user


def requires_second_factor(org: Org) -> bool:
    """A role held at federation level reaches a whole district or city: it needs a second factor."""
    return org.kind == OrgKind.FEDERATION


def _check_may_hand_out(actor: Any, user: User, org: Org, role: str) -> None:
    """Nobody changes their own roles, and nobody hands out permissions they do not hold there."""
    if user.pk == actor.pk:
        raise Forbidden(_("You cannot change your own roles. Ask another administrator."), code="own_roles")
    rights = ROLE_PERMISSIONS.get(role, frozenset())
    if not all(has_perm_at(actor, perm, org.path) for perm in rights):
        message = _("You cannot give a role with more rights than you hold here yourself.")
        raise Forbidden(message, code="role_exceeds_own_rights", fields={"role": [message]})


@transaction.atomic
def grant_role(*, user: User, org: Org, role: Role | str, actor: Any) -> RoleGrant:
    """Give `user` `role` on `org`'s subtree. The actor must hold ROLE_GRANT there.

    A role on a federation switches on the user's second factor (`User.otp_required`)."""
    org = get_visible(Org, actor, Perm.ROLE_GRANT, pk=org.pk)
    if not user.is_officer:
        raise ValidationFailed(
            _("Roles can only be given to officer accounts."), fields={"user": [_("Not an officer account.")]}
        )
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role."), fields={"role": [_("Unknown role.")]})
    _check_may_hand_out(actor, user, org, role)
    if not org.is_active:
        raise Conflict(_("A dissolved organisation cannot be given officers."))
    grant, created = RoleGrant.objects.get_or_create(user=user, org=org, role=role)
    if not created:
        raise Conflict(_("This person already holds this role here."))
    if requires_second_factor(org) and not user.otp_required:
        user.otp_required = True
        user.save(update_fields=["otp_required"])
    record_audit(actor=actor, action="orgs.grant_role", obj=grant, org=org, note=str(role))
    forget_grants(user)
    return grant


@transaction.atomic
def revoke_role(*, grant: RoleGrant, actor: Any) -> None:
    grant = get_visible(RoleGrant.objects.select_related("org", "user"), actor, Perm.ROLE_GRANT, pk=grant.pk)
    if grant.user_id == actor.pk:
        raise Forbidden(_("You cannot change your own roles. Ask another administrator."), code="own_roles")
    record_audit(actor=actor, action="orgs.revoke_role", obj=grant, org=grant.org, note=grant.role)
    user = grant.user
    grant.delete()
    forget_grants(user)


def one_time_password() -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(_PASSWORD_LENGTH))


def _clean_new_account(username: str, display_name: str, mobile: str) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    username = normalize_text(username)
    try:
        officer_username_validator(username)
    except ValidationError as exc:
        errors["username"] = list(exc.messages)
    else:
        if User.objects.filter(username__iexact=username).exists():
            errors["username"] = [_("This username is taken. Choose another one.")]
    display_name = normalize_name(display_name)
    if not display_name:
        errors["display_name"] = [_("Enter the person's name.")]
    elif len(display_name) > DISPLAY_NAME_MAX or has_control_characters(display_name):
        errors["display_name"] = [_("Enter a name of at most %(n)d characters.") % {"n": DISPLAY_NAME_MAX}]
    number = ""
    if normalize_text(mobile):
        try:
            number = parse_mobile(mobile)
        except InvalidMobile as exc:
            errors["mobile"] = [exc.message]
    if errors:
        raise ValidationFailed(_("Some of the data is not valid. See the fields."), fields=errors)
    return username, display_name, number


@transaction.atomic
def create_officer_account(
    *, org: Org, username: str, display_name: str, mobile: str, role: Role | str, actor: Any
) -> tuple[RoleGrant, str]:
    """Open a console account for a new officer with `role` on `org`; returns the grant and a
    one-time password to hand over. The password is not stored anywhere in clear text.

    An account is only ever opened together with a role on an org in the actor's scope, so that
    every account has someone responsible for it."""
    org = get_visible(Org, actor, Perm.ROLE_GRANT, pk=org.pk)
    username, display_name, number = _clean_new_account(username, display_name, mobile)
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role."), fields={"role": [_("Unknown role.")]})
    password = one_time_password()
    user = User.objects.create_officer(
        username=username, password=password, display_name=display_name, mobile=number
    )
    record_audit(actor=actor, action="accounts.create_officer_account", obj=user, org=org)
    grant = grant_role(user=user, org=org, role=role, actor=actor)
    return grant, password
