"""Console pages of funds: the list with balances, opening a fund, the ledger page with money in,
corrections and closing, the xlsx ledger; bad input answers 422 with the message, never a 500."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from gonghui.assistance.models import Fund, FundEntry, FundStatus
from gonghui.assistance.tests.factories import fund_with
from gonghui.assistance.tests.factories_funds import assert_ledger_consistent, handler_at, keeper_at
from gonghui.orgs.tests.factories import client_for, make_tree

pytestmark = pytest.mark.django_db

CONSOLE = "/console/assistance/funds"


@pytest.fixture
def tree():
    return make_tree()


@pytest.fixture
def keeper(tree):
    return keeper_at(tree.east)


@pytest.fixture
def client(keeper):
    return client_for(keeper)


def test_the_list_shows_balances_of_the_funds_in_scope(tree, client):
    east = fund_with(tree.east, "12345.60", name="东区困难职工帮扶基金")
    west = fund_with(tree.west, "99.00", name="西区基金")
    html = client.get(f"{CONSOLE}/").content.decode()
    assert f'data-row-id="{east.pk}"' in html
    assert "12345.60" in html
    assert f'data-row-id="{west.pk}"' not in html
    assert "funds/new/" in html


def test_an_officer_without_assistance_gets_404(tree):
    from gonghui.orgs.permissions import Role
    from gonghui.orgs.tests.factories import officer_at

    handler = officer_at(tree.east, "case", Role.CASE_HANDLER)
    assert client_for(handler).get(f"{CONSOLE}/").status_code == 404


def test_opening_a_fund(tree, client):
    response = client.post(
        f"{CONSOLE}/new/", {"org": tree.east.pk, "name": "东区帮扶基金", "kind": "federation"}
    )
    fund = Fund.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{CONSOLE}/{fund.pk}/"
    again = client.post(f"{CONSOLE}/new/", {"org": tree.east.pk, "name": "东区帮扶基金", "kind": "workplace"})
    assert again.status_code == 422
    assert Fund.objects.count() == 1


def test_the_ledger_page_takes_money_in_and_shows_the_balance_after(tree, client):
    fund = fund_with(tree.east, "100.00")
    response = client.post(f"{CONSOLE}/{fund.pk}/deposit/", {"amount": "1,000.50", "memo": "区财政拨款"})
    assert response.status_code == 302
    html = client.get(f"{CONSOLE}/{fund.pk}/").content.decode()
    assert "1100.50" in html
    assert "区财政拨款" in html
    assert_ledger_consistent(fund)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("deposit", {"amount": "abc", "memo": "拨款"}),
        ("deposit", {"amount": "-5", "memo": ""}),
        ("deposit", {"amount": "5", "memo": "拨款", "booked_on": "2999-01-01"}),
        ("deposit", {"amount": "9" * 30, "memo": "拨款"}),
        ("correct", {"amount": "0", "reason": "x"}),
        ("correct", {"amount": "-100.01", "reason": "冲正"}),
        ("correct", {"amount": "1", "reason": "\x00"}),
        ("close", {"reason": "停用"}),
        ("close", {"reason": ""}),
    ],
)
def test_bad_input_is_refused_with_its_message_and_changes_nothing(tree, client, path, data):
    fund = fund_with(tree.east, "100.00")
    response = client.post(f"{CONSOLE}/{fund.pk}/{path}/", data)
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    assert FundEntry.objects.filter(fund=fund).count() == 1
    assert Fund.objects.get(pk=fund.pk).status == FundStatus.OPEN
    assert_ledger_consistent(fund)


def test_the_overdraw_message_names_the_shortfall(tree, client):
    fund = fund_with(tree.east, "100.00")
    html = client.post(f"{CONSOLE}/{fund.pk}/correct/", {"amount": "-150", "reason": "冲正"}).content.decode()
    assert "基金余额不足" in html
    assert "¥50.00" in html


def test_closing_an_empty_fund_then_no_more_entries(tree, client):
    fund = fund_with(tree.east)
    assert client.post(f"{CONSOLE}/{fund.pk}/close/", {"reason": "并入市总基金"}).status_code == 302
    assert Fund.objects.get(pk=fund.pk).status == FundStatus.CLOSED
    late = client.post(f"{CONSOLE}/{fund.pk}/deposit/", {"amount": "5", "memo": "拨款"})
    assert late.status_code == 422
    assert "该基金已关闭，不能再记账" in late.content.decode()
    assert not FundEntry.objects.filter(fund=fund).exists()


def test_a_viewer_sees_the_ledger_but_no_forms_and_may_not_post(tree):
    fund = fund_with(tree.east, "100.00")
    viewer = client_for(handler_at(tree.east))
    html = viewer.get(f"{CONSOLE}/{fund.pk}/").content.decode()
    assert 'id="deposit-form"' not in html
    response = viewer.post(f"{CONSOLE}/{fund.pk}/deposit/", {"amount": "5", "memo": "拨款"})
    assert response.status_code == 422
    assert "您可以查看该基金，但无权记账" in response.content.decode()
    assert FundEntry.objects.filter(fund=fund).count() == 1


def test_the_ledger_is_paged_newest_first(tree, client, keeper):
    from gonghui.assistance.services.funds import deposit

    fund = fund_with(tree.east, "1.00")
    for n in range(55):
        deposit(fund, actor=keeper, amount=str(n + 1), memo=f"第{n + 1}笔")
    first = client.get(f"{CONSOLE}/{fund.pk}/").content.decode()
    assert "第55笔" in first
    assert "第5笔<" not in first
    second = client.get(f"{CONSOLE}/{fund.pk}/?page=2").content.decode()
    assert "年度帮扶资金拨入" in second
    assert client.get(f"{CONSOLE}/{fund.pk}/?page=abc").status_code == 200


def test_the_xlsx_ledger_holds_numbers_and_never_a_formula(tree, client, keeper):
    from gonghui.assistance.services.funds import deposit

    fund = fund_with(tree.east, "100.00")
    deposit(fund, actor=keeper, amount="20.50", memo='=HYPERLINK("http://evil")')
    response = client.get(f"{CONSOLE}/{fund.pk}/ledger.xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == fund.name
    assert Decimal(str(rows[2][1])) == Decimal("120.50")
    last = rows[-1]
    assert Decimal(str(last[3])) == Decimal("20.50")
    assert Decimal(str(last[4])) == Decimal("120.50")
    assert last[5] == '\'=HYPERLINK("http://evil")'
