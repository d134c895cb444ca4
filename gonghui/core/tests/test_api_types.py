"""page_of: the `{count, page, pages}` header and the rows of one page, from the database."""

from __future__ import annotations

import pytest

from gonghui.core.api_types import PAGE_SIZE, page_of
from gonghui.orgs.models import FederationLevel, Org, OrgKind
from gonghui.orgs.tests.factories import add_org

pytestmark = pytest.mark.django_db


def _orgs(n: int) -> None:
    root = add_org(None, "PG", "分页总工会", kind=OrgKind.FEDERATION, level=FederationLevel.CITY)
    for index in range(n - 1):
        add_org(root, f"PG-{index:03d}", f"第{index}工会")


def test_pages_split_the_rows_and_count_all_of_them() -> None:
    # Given one and a half pages of orgs
    _orgs(PAGE_SIZE + PAGE_SIZE // 2)
    rows = Org.objects.order_by("code")

    # When the first and the second page are asked for
    first_meta, first = page_of(rows, 1)
    second_meta, second = page_of(rows, 2)

    # Then the first is full, the second has the rest, and both headers tell the whole
    assert first_meta == {"count": PAGE_SIZE + PAGE_SIZE // 2, "page": 1, "pages": 2}
    assert second_meta == {"count": PAGE_SIZE + PAGE_SIZE // 2, "page": 2, "pages": 2}
    assert [org.code for org in first] == list(rows.values_list("code", flat=True)[:PAGE_SIZE])
    assert len(second) == PAGE_SIZE // 2
    assert not {org.pk for org in first} & {org.pk for org in second}


def test_a_page_past_the_end_is_empty_not_an_error() -> None:
    _orgs(3)

    meta, items = page_of(Org.objects.order_by("code"), 7)

    assert meta == {"count": 3, "page": 7, "pages": 1}
    assert items == []
