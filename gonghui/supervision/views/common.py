"""What the supervision console pages share: the sidebar section, the objects by what people
type (a union's code, a workplace's credit code), and who may act where."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from gonghui.core.text import normalize_text
from gonghui.orgs.models import Org, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at, scope_paths, visible

SECTION = "supervision"
PAGE_SIZE = 50


def page_of(request: HttpRequest, rows: QuerySet[Any]) -> Page[Any]:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def org_id_by_code(code: str) -> int:
    """The org of `code`, or 0 (which no org has) so that the service refuses it on the field
    like any org the actor does not handle."""
    pk: int | None = (
        Org.objects.filter(code=normalize_text(code).upper()).values_list("pk", flat=True).first()
    )
    return pk or 0


def workplace_by_code(user: Any, code: str) -> Workplace | None:
    return (
        visible(Workplace, user, Perm.WORKPLACE_VIEW).filter(credit_code=normalize_text(code).upper()).first()
    )


def handles_somewhere(user: Any) -> bool:
    paths = scope_paths(user, Perm.RIGHTS_HANDLE)
    return paths is None or bool(paths)


def handles(user: Any, org: Org) -> bool:
    return has_perm_at(user, Perm.RIGHTS_HANDLE, org.path)


def refuse_without_authority(user: Any, org: Org) -> None:
    """Pages that write: officers who only look get 404 here, as for a page that is not theirs."""
    if not handles(user, org):
        raise Http404
