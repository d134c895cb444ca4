"""Granting and revoking roles."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.core.audit import record_audit
from gonghui.core.errors import Conflict, ValidationFailed
from gonghui.orgs.models import Org, OrgKind, Role, RoleGrant
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import forget_grants, get_visible


def requires_second_factor(org: Org) -> bool:
    """A role held at federation level reaches a whole district or city: it needs a second factor."""
    return org.kind == OrgKind.FEDERATION


@transaction.atomic
def grant_role(*, user: User, org: Org, role: Role | str, actor: Any) -> RoleGrant:
    """Give `user` `role` on `org`'s subtree. The actor must hold ROLE_GRANT there."""
    org = get_visible(Org, actor, Perm.ROLE_GRANT, pk=org.pk)
    if not user.is_officer:
        raise ValidationFailed(
            _("Roles can only be given to officer accounts."), fields={"user": [_("Not an officer account.")]}
        )
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role."), fields={"role": [_("Unknown role.")]})
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
    record_audit(actor=actor, action="orgs.revoke_role", obj=grant, org=grant.org, note=grant.role)
    user = grant.user
    grant.delete()
    forget_grants(user)
