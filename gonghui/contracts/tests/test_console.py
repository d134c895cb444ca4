"""The console pages: the registry with its filters and the expiring list, registering through
the form, the contract page (renewed by, steps, documents), coverage page and workbook, the
workplace panel. Bad input gets the message on the page and writes nothing."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from gonghui.accounts.models import User
from gonghui.contracts.models import CollectiveContract, ContractKind, ContractScope, ContractStatus
from gonghui.contracts.panel import workplace_contracts_panel
from gonghui.contracts.tests.endpoints._objects import PDF
from gonghui.contracts.tests.factories import make_contract, make_workplace, today
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import Tree, client_for, officer_at

pytestmark = pytest.mark.django_db

CONSOLE = "/console/contracts"


@pytest.fixture
def officer(tree: Tree) -> User:
    return officer_at(tree.acme, "acme.officer", Role.UNION_OFFICER)


def _form(workplaces: str, **fields: str) -> dict[str, str]:
    start = today() + timedelta(days=1)
    return {
        "org": "E-T-A",
        "scope": "workplace",
        "kind": "general",
        "title": "甲公司集体合同",
        "signed_on": today().isoformat(),
        "term_start": start.isoformat(),
        "term_end": (start + timedelta(days=1000)).isoformat(),
        "workers_covered": "120",
        "employer_representative": "张总",
        "union_representative": "李主席",
        "workplaces": workplaces,
        "clause-TOTAL_FORMS": "2",
        "clause-INITIAL_FORMS": "0",
        "clause-0-topic": "wages",
        "clause-0-text": "每年协商一次工资",
        "clause-1-topic": "",
        "clause-1-text": "",
        **fields,
    }


def test_register_through_the_form(tree: Tree, officer: User) -> None:
    client = client_for(officer)
    workplace = make_workplace(None, tree.acme)
    assert client.get(f"{CONSOLE}/new/").status_code == 200
    response = client.post(f"{CONSOLE}/new/", _form(workplace.credit_code))
    assert response.status_code == 302
    contract = CollectiveContract.objects.get()
    assert response["Location"] == f"{CONSOLE}/{contract.pk}/"
    assert [clause.text for clause in contract.clauses.all()] == ["每年协商一次工资"]
    page = client.get(response["Location"]).content.decode()
    assert "甲公司集体合同" in page
    assert workplace.credit_code in page


def test_bad_input_shows_the_messages_and_writes_nothing(tree: Tree, officer: User) -> None:
    client = client_for(officer)
    response = client.post(
        f"{CONSOLE}/new/",
        _form("91330203MA0000000X", kind="general", wage_increase="5", **{"clause-0-text": ""}),
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "form-errors" in page
    assert "errorlist" in page
    assert not CollectiveContract.objects.exists()
    other = client.post(f"{CONSOLE}/new/", _form(make_workplace(None, tree.acme).credit_code, org="W-G"))
    assert other.status_code == 422
    assert not CollectiveContract.objects.exists()


def test_list_filters_and_the_expiring_view(tree: Tree, officer: User) -> None:
    soon = make_contract(tree.acme, start=today() - timedelta(days=700), end=today() + timedelta(days=30))
    later = make_contract(tree.acme, kind=ContractKind.WAGE)
    client = client_for(officer)
    page = client.get(f"{CONSOLE}/").content.decode()
    assert f'data-row-id="{soon.pk}"' in page
    assert f'data-row-id="{later.pk}"' in page
    expiring = client.get(f"{CONSOLE}/?expiring=on").content.decode()
    assert f'data-row-id="{soon.pk}"' in expiring
    assert f'data-row-id="{later.pk}"' not in expiring
    wage = client.get(f"{CONSOLE}/?kind=wage").content.decode()
    assert f'data-row-id="{later.pk}"' in wage
    assert f'data-row-id="{soon.pk}"' not in wage
    assert client.get(f"{CONSOLE}/?kind=nonsense").status_code == 200


def test_list_query_count_does_not_grow_with_rows(tree: Tree, officer: User) -> None:
    client = client_for(officer)
    make_contract(tree.acme)
    client.get(f"{CONSOLE}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{CONSOLE}/")
    for _ in range(5):
        make_contract(tree.acme)
    with CaptureQueriesContext(connection) as many:
        client.get(f"{CONSOLE}/")
    assert len(many) == len(few)


def test_a_draft_is_corrected_on_its_form_until_it_comes_into_force(tree: Tree, officer: User) -> None:
    client = client_for(officer)
    draft = make_contract(tree.acme, status=ContractStatus.DRAFT, start=today() + timedelta(days=5))
    codes = "\n".join(draft.workplaces.values_list("credit_code", flat=True))
    assert f"{CONSOLE}/{draft.pk}/edit/" in client.get(f"{CONSOLE}/{draft.pk}/").content.decode()
    form = client.get(f"{CONSOLE}/{draft.pk}/edit/")
    assert form.context["form"].initial["workplaces"] == codes
    assert "org" not in form.context["form"].fields
    data = {key: value for key, value in _form(codes).items() if key not in {"org", "scope", "kind"}}
    refused = client.post(f"{CONSOLE}/{draft.pk}/edit/", {**data, "title": "", "workers_covered": "0"})
    assert refused.status_code == 422
    assert CollectiveContract.objects.get(pk=draft.pk).title == draft.title
    saved = client.post(f"{CONSOLE}/{draft.pk}/edit/", data)
    assert saved.status_code == 302
    assert "草稿已修改。" in client.get(saved["Location"]).content.decode()
    changed = CollectiveContract.objects.get(pk=draft.pk)
    assert (changed.title, changed.workers_covered) == ("甲公司集体合同", 120)
    assert [clause.topic for clause in changed.clauses.all()] == ["wages"]
    in_force = make_contract(tree.acme)
    assert f"/{in_force.pk}/edit/" not in client.get(f"{CONSOLE}/{in_force.pk}/").content.decode()
    sent_back = client.get(f"{CONSOLE}/{in_force.pk}/edit/", follow=True)
    assert "只有草稿可以修改；已生效的合同请通过续签变更。" in sent_back.content.decode()


def test_the_page_shows_renewed_by_and_the_steps(tree: Tree, officer: User) -> None:
    previous = make_contract(tree.acme)
    renewal = make_contract(
        tree.acme, status=ContractStatus.DRAFT, start=previous.term_end + timedelta(days=1), previous=previous
    )
    client = client_for(officer)
    page = client.get(f"{CONSOLE}/{previous.pk}/").content.decode()
    assert f'data-renewal="{renewal.pk}"' in page
    assert f"/{previous.pk}/renew/" not in page  # renewed once: no second renewal offered
    renewal_page = client.get(f"{CONSOLE}/{renewal.pk}/").content.decode()
    assert f'data-previous="{previous.pk}"' in renewal_page
    response = client.post(f"{CONSOLE}/{renewal.pk}/action/", {"action": "bring_into_force"})
    assert response.status_code == 302
    renewal.refresh_from_db()
    assert renewal.status == ContractStatus.IN_FORCE


def test_terminating_with_bad_input_stays_on_the_page(tree: Tree, officer: User) -> None:
    contract = make_contract(tree.acme)
    client = client_for(officer)
    response = client.post(f"{CONSOLE}/{contract.pk}/action/", {"action": "terminate", "end-reason": ""})
    assert response.status_code == 422
    contract.refresh_from_db()
    assert contract.status == ContractStatus.IN_FORCE
    client.post(
        f"{CONSOLE}/{contract.pk}/action/",
        {"action": "terminate", "end-ended_on": today().isoformat(), "end-reason": "企业注销"},
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATED


def test_renewing_through_the_form(tree: Tree, officer: User) -> None:
    previous = make_contract(tree.acme)
    client = client_for(officer)
    form = client.get(f"{CONSOLE}/{previous.pk}/renew/").content.decode()
    assert previous.workplaces.get().credit_code in form
    data = _form(previous.workplaces.get().credit_code)
    for name in ("org", "scope", "kind"):
        data.pop(name)
    start = previous.term_end + timedelta(days=1)
    data.update(term_start=start.isoformat(), term_end=(start + timedelta(days=700)).isoformat())
    response = client.post(f"{CONSOLE}/{previous.pk}/renew/", data)
    assert response.status_code == 302
    assert CollectiveContract.objects.get(previous=previous).kind == previous.kind


def test_documents_upload_and_download(tree: Tree, officer: User) -> None:
    contract = make_contract(tree.acme)
    client = client_for(officer)
    bad = client.post(
        f"{CONSOLE}/{contract.pk}/documents/",
        {"document-documents": SimpleUploadedFile("a.pdf", b"hello", content_type="application/pdf")},
    )
    assert bad.status_code == 422
    assert not contract.documents.exists()
    client.post(
        f"{CONSOLE}/{contract.pk}/documents/",
        {"document-documents": SimpleUploadedFile("合同.pdf", PDF, content_type="application/pdf")},
    )
    document = contract.documents.get()
    download = client.get(f"{CONSOLE}/{contract.pk}/documents/{document.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]


def test_coverage_page_and_workbook(tree: Tree) -> None:
    covered = make_workplace(None, tree.acme, employee_count=100)
    make_workplace(None, tree.beta, employee_count=50)
    make_contract(tree.east, [covered], kind=ContractKind.WAGE, scope=ContractScope.REGION)
    client = client_for(officer_at(tree.east, "east.admin"))
    page = client.get(f"{CONSOLE}/coverage/").content.decode()
    assert 'id="coverage-definition"' in page
    assert 'id="coverage-chart-json"' in page
    assert f'data-org-id="{tree.town.pk}"' in page
    assert f'data-org-id="{tree.beta.pk}"' in page
    assert '<strong id="rate-unionised">50.0%</strong>' in page
    assert client.get(f"{CONSOLE}/coverage/?org={tree.west.pk}").status_code == 404
    assert client.get(f"{CONSOLE}/coverage/?day=yesterday").status_code == 422
    workbook = client.get(f"{CONSOLE}/coverage.xlsx?org={tree.east.pk}")
    assert workbook.status_code == 200
    rows = CalamineWorkbook.from_filelike(BytesIO(workbook.content)).get_sheet_by_index(0).to_python()
    total = next(row for row in rows if row and row[0] in {"Total", "合计"})
    assert total[1:6] == [2, 2, 1, 1, 50.0]


def test_the_workplace_panel(tree: Tree) -> None:
    workplace = make_workplace(None, tree.acme)
    own = make_contract(tree.acme, [workplace])
    regional = make_contract(tree.east, [workplace], scope=ContractScope.REGION)
    rows = workplace_contracts_panel(workplace, officer_at(tree.acme, "acme.viewer", Role.AUDITOR))[
        "contract_rows"
    ]
    assert {(row.contract.pk, row.linked) for row in rows} == {(own.pk, True), (regional.pk, False)}


def test_members_and_outsiders_get_no_console(tree: Tree) -> None:
    contract = make_contract(tree.acme)
    west: Client = client_for(officer_at(tree.west, "west.admin"))
    assert west.get(f"{CONSOLE}/{contract.pk}/").status_code == 404
    assert f'data-row-id="{contract.pk}"' not in west.get(f"{CONSOLE}/").content.decode()
