"""Labour-law supervisors: adding them to a union's supervision committee, changing their
details, switching them off. Needs rights.handle on the supervisor's union."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gonghui.accounts.models import User
from gonghui.core.audit import changes_between, record_audit, snapshot
from gonghui.core.errors import FieldErrors, Forbidden
from gonghui.core.mobile import InvalidMobile, parse_mobile
from gonghui.core.text import normalize_name, normalize_text
from gonghui.orgs.models import RoleGrant
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, scope_paths
from gonghui.supervision.models import Supervisor
from gonghui.supervision.services.common import acting_org

NAME_MAX = 40
CERTIFICATE_MAX = 40
_FIELDS = ["org", "name", "certificate_number", "mobile", "user", "is_active"]


@dataclass(frozen=True)
class SupervisorInput:
    org: int
    name: str
    certificate_number: str
    mobile: str = ""
    username: str = ""
    is_active: bool = True


def _officer_account(errors: FieldErrors, actor: Any, username: str) -> User | None:
    """The officer account `username` when it holds a grant where the actor handles rights: a
    supervisor is linked to a colleague, not to any account in the city."""
    name = normalize_text(username)
    if not name:
        return None
    user = User.objects.filter(username=name).first()
    paths = scope_paths(actor, Perm.RIGHTS_HANDLE)
    grants = RoleGrant.objects.filter(user=user) if user is not None else RoleGrant.objects.none()
    if paths is not None:
        within = Q()
        for path in paths:
            within |= Q(org__path__startswith=path)
        grants = grants.filter(within) if paths else grants.none()
    if user is None or not user.is_officer or not grants.exists():
        errors.add("username", _("There is no officer account of this username in your area."))
        return None
    return user


def _clean(
    data: SupervisorInput, actor: Any, current: Supervisor | None
) -> tuple[FieldErrors, dict[str, Any]]:
    errors = FieldErrors()
    org = acting_org(errors, actor, data.org)
    name = normalize_name(data.name)
    if not name:
        errors.add("name", _("Give the supervisor's name."))
    elif len(name) > NAME_MAX:
        errors.add("name", _("Enter at most %(max_length)s characters.") % {"max_length": NAME_MAX})
    certificate = normalize_text(data.certificate_number).replace(" ", "")
    if not certificate:
        errors.add("certificate_number", _("Give the number of the supervisor's certificate."))
    elif len(certificate) > CERTIFICATE_MAX:
        errors.add(
            "certificate_number",
            _("Enter at most %(max_length)s characters.") % {"max_length": CERTIFICATE_MAX},
        )
    elif org is not None:
        taken = Supervisor.objects.filter(org=org, certificate_number=certificate)
        if current is not None:
            taken = taken.exclude(pk=current.pk)
        if taken.exists():
            errors.add(
                "certificate_number", _("A supervisor of this union already has this certificate number.")
            )
    mobile = ""
    if normalize_text(data.mobile):
        try:
            mobile = parse_mobile(data.mobile)
        except InvalidMobile as exc:
            errors.add("mobile", exc.message)
    user = _officer_account(errors, actor, data.username)
    values = {
        "org": org,
        "name": name,
        "certificate_number": certificate,
        "mobile": mobile,
        "user": user,
        "is_active": data.is_active,
    }
    return errors, values


@transaction.atomic
def add_supervisor(data: SupervisorInput, *, actor: Any) -> Supervisor:
    errors, values = _clean(data, actor, None)
    errors.raise_if_any()
    supervisor = Supervisor.objects.create(**values)
    record_audit(
        actor=actor,
        action="supervision.add_supervisor",
        obj=supervisor,
        changes=changes_between({}, snapshot(supervisor, _FIELDS)),
    )
    return supervisor


@transaction.atomic
def update_supervisor(supervisor: Supervisor | int, data: SupervisorInput, *, actor: Any) -> Supervisor:
    """Change a supervisor's details; moving them to another union needs rights.handle on both."""
    pk = supervisor if isinstance(supervisor, int) else supervisor.pk
    found = get_visible(
        Supervisor.objects.select_for_update(of=("self",)).select_related("org"),
        actor,
        Perm.RIGHTS_VIEW,
        pk=pk,
    )
    if not has_perm_at(actor, Perm.RIGHTS_HANDLE, found.org.path):
        raise Forbidden(
            _("Only the officers who handle this union's supervision may change its supervisors.")
        )
    errors, values = _clean(data, actor, found)
    errors.raise_if_any()
    before = snapshot(found, _FIELDS)
    for field, value in values.items():
        setattr(found, field, value)
    found.save()
    changes = changes_between(before, snapshot(found, _FIELDS))
    if changes:
        record_audit(actor=actor, action="supervision.update_supervisor", obj=found, changes=changes)
    return found
