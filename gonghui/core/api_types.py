"""Building blocks the ninja APIs share: id and page-number types, small references to orgs and
workplaces, and the `{count, page, pages}` page header with its paginator.

They live in one place so every API bounds ids and pages the same way, and so the OpenAPI
components `OrgRef` and `WorkplaceRef` stay one definition each (ninja names components by
class name; two classes of one name would have to stay identical by hand).
"""

from __future__ import annotations

from typing import Annotated, Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from ninja import Field, Path, Schema

from gonghui.core.inputs import MAX_ID

__all__ = [
    "MAX_ID",
    "PAGE_SIZE",
    "Id",
    "OrgRef",
    "PageNumber",
    "PageOut",
    "PathId",
    "WorkplaceRef",
    "page_of",
]

PAGE_SIZE = 50
# An id in a request body or query; `PathId` is the same bound for an id in the URL.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
PageNumber = Annotated[int, Field(ge=1, le=1_000_000, description="1 for the first page.")]


class OrgRef(Schema):
    id: int
    code: str
    name: str


class WorkplaceRef(Schema):
    id: int
    name: str
    credit_code: str


class PageOut(Schema):
    """The header of a paged list; a list's schema adds its `items`."""

    count: int = Field(description="Items on all pages.")
    page: int
    pages: int


def page_of(rows: QuerySet[Any], page: int) -> tuple[dict[str, int], list[Any]]:
    """The header and the rows of page `page` (1-based) of `rows`, `PAGE_SIZE` to a page.

    A page past the end is empty rather than an error, so a list that shrank between two
    requests answers with its new `pages` instead of a 404."""
    paginator = Paginator(rows, PAGE_SIZE)
    start = (page - 1) * PAGE_SIZE
    items = list(rows[start : start + PAGE_SIZE])
    return {"count": paginator.count, "page": page, "pages": paginator.num_pages}, items
