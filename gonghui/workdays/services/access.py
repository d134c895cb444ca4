"""Who may change the city's calendar and rules: `calendar.change` held on a root org.

A district administrator is a federation_admin too, but of a subtree: the calendar is the whole
city's, so a grant below the root does not count.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.core.errors import Forbidden
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import scope_paths
from gonghui.workdays.deadlines import bump_version


def _root_paths(user: Any) -> list[str] | None:
    paths = scope_paths(user, Perm.CALENDAR_CHANGE)
    if paths is None:
        return None
    return [path for path in paths if len(path) == Org.steplen]


def may_change_calendar(user: Any) -> bool:
    paths = _root_paths(user)
    return paths is None or bool(paths)


def require_calendar_change(user: Any) -> Org | None:
    """The root org the change belongs to (for the audit trail); None for a superuser without a grant."""
    paths = _root_paths(user)
    if paths is not None and not paths:
        raise Forbidden(
            _("Only an administrator of the city federation may change the calendar and the rules.")
        )
    if paths is None:
        first: Org | None = Org.objects.filter(depth=1).order_by("path").first()
        return first
    root: Org = Org.objects.get(path=paths[0])
    return root


def bump_after_change() -> None:
    # Now, so this request reads its own change; and after commit, so that a process that read
    # the old rows between the two does not keep them under the new version.
    bump_version()
    transaction.on_commit(bump_version)
