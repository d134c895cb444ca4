"""Small pieces every console list and form uses: the table-or-page answer of a list that htmx
pages and sorts, the union a form suggests first, and the union a form names."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from gonghui.core.errors import ValidationFailed
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import granted_tops, has_perm_at
from gonghui.orgs.selectors import org_in_scope


def table_or_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """The whole page, or only its table (components/table.html) for htmx paging and sorting;
    a history restore wants the whole page. Caches keep the two apart by HX-Request."""
    htmx = getattr(request, "htmx", None)
    partial = htmx is not None and bool(htmx) and not htmx.history_restore_request
    response = render(request, "components/table.html" if partial else template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def first_org_code(user: Any, perm: Perm) -> str:
    """The code of the first org at the top of the user's grants where they hold `perm`: what a
    form suggests for the org field ("" when there is none)."""
    for grant in granted_tops(user):
        if has_perm_at(user, perm, grant.path):
            code: str | None = Org.objects.filter(pk=grant.org_id).values_list("code", flat=True).first()
            if code is not None:
                return code
    return ""


def org_on_form(form: forms.Form, user: Any, perm: Perm, *, field: str = "org") -> Org | None:
    """The union a valid form names by its code in `field`, if `user` holds `perm` over it; None
    with the error next to the field otherwise (see `orgs.selectors.org_in_scope`)."""
    try:
        return org_in_scope(user, perm, form.cleaned_data[field], field=field)
    except ValidationFailed as exc:
        form.add_error(field, exc.message)
        return None
