"""Income thresholds: the nearest one applies, and one is changed only until a file used it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from gonghui.assistance.models import IncomeThreshold
from gonghui.assistance.services import files as file_services
from gonghui.assistance.services.thresholds import set_income_threshold, threshold_for
from gonghui.assistance.tests.factories import make_threshold
from gonghui.assistance.tests.factories_files import application, make_member_with_account
from gonghui.core.errors import Conflict, NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import client_for, make_tree, officer_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree() -> Any:
    return make_tree()


def test_the_nearest_federation_with_a_threshold_for_the_year_applies(tree: Any) -> None:
    city = make_threshold(tree.city, year=2027, amount="1500.00")
    east = make_threshold(tree.east, year=2027, amount="1300.00")
    make_threshold(tree.town, year=2026, amount="1100.00")
    assert threshold_for(tree.acme, 2027) == east
    assert threshold_for(tree.town, 2027) == east
    assert threshold_for(tree.gamma, 2027) == city
    assert threshold_for(tree.acme, 2026) is not None
    assert threshold_for(tree.beta, 2026) is None


def test_a_federation_officer_sets_and_changes_the_years_threshold(tree: Any) -> None:
    officer = officer_at(tree.east, "east.admin")
    year = timezone.localdate().year
    result = set_income_threshold(
        actor=officer, org=tree.east, year=year, monthly_per_capita="1280.00", note="东政发〔2027〕3号"
    )
    assert result.created
    assert result.threshold.monthly_per_capita == Decimal("1280.00")
    again = set_income_threshold(
        actor=officer, org=tree.east, year=year, monthly_per_capita="1,300", note="东政发〔2027〕5号"
    )
    assert (again.created, again.changed) == (False, True)
    assert IncomeThreshold.objects.get().monthly_per_capita == Decimal("1300.00")
    same = set_income_threshold(
        actor=officer, org=tree.east, year=year, monthly_per_capita="1300.00", note="东政发〔2027〕5号"
    )
    assert not same.changed
    assert AuditEvent.objects.filter(action="assistance.set_income_threshold").count() == 2


def test_a_threshold_used_by_a_file_of_its_year_cannot_change(tree: Any, english: Any) -> None:
    year = timezone.localdate().year
    officer = officer_at(tree.east, "east.admin")
    set_income_threshold(actor=officer, org=tree.east, year=year, monthly_per_capita="1300.00")
    member, user = make_member_with_account(tree.acme)
    file_services.apply_for_hardship(actor=user, **application(member))

    with pytest.raises(Conflict) as caught:
        set_income_threshold(actor=officer, org=tree.east, year=year, monthly_per_capita="1400.00")
    assert caught.value.code == "threshold_in_use"
    assert "have already been compared with the threshold of 1300.00 yuan" in caught.value.message
    assert IncomeThreshold.objects.get().monthly_per_capita == Decimal("1300.00")
    # the basis text may still be corrected
    assert set_income_threshold(
        actor=officer, org=tree.east, year=year, monthly_per_capita="1300.00", note="补充依据"
    ).changed


def test_bad_threshold_input_is_refused(tree: Any, english: Any) -> None:
    officer = officer_at(tree.city, "city.admin")
    with pytest.raises(ValidationFailed) as caught:
        set_income_threshold(actor=officer, org=tree.acme, year=1999, monthly_per_capita="0", note="x" * 501)
    assert set(caught.value.fields) == {"org", "year", "monthly_per_capita", "note"}
    with pytest.raises(ValidationFailed) as caught:
        set_income_threshold(
            actor=officer, org=tree.east, year=timezone.localdate().year, monthly_per_capita="12.345"
        )
    assert caught.value.fields == {
        "monthly_per_capita": ["An amount can have at most 2 decimal places (fen)."]
    }
    assert not IncomeThreshold.objects.exists()


def test_only_officers_over_the_federation_set_its_threshold(tree: Any) -> None:
    year = timezone.localdate().year
    with pytest.raises(NotFound):
        set_income_threshold(
            actor=officer_at(tree.west, "west.admin"), org=tree.east, year=year, monthly_per_capita="1000"
        )
    with pytest.raises(NotFound):
        set_income_threshold(
            actor=officer_at(tree.east, "east.finance", Role.FINANCE_OFFICER),
            org=tree.east,
            year=year,
            monthly_per_capita="1000",
        )
    assert not IncomeThreshold.objects.exists()


def test_the_console_sets_and_lists_thresholds(tree: Any, english: Any) -> None:
    year = timezone.localdate().year
    client = client_for(officer_at(tree.east, "east.admin"))
    assert client.get("/console/assistance/thresholds/set/").status_code == 200
    bad = client.post(
        "/console/assistance/thresholds/set/",
        {"org": tree.east.pk, "year": year, "monthly_per_capita": "12.345", "note": ""},
    )
    assert bad.status_code == 422
    assert "An amount can have at most 2 decimal places (fen)." in bad.content.decode()
    done = client.post(
        "/console/assistance/thresholds/set/",
        {"org": tree.east.pk, "year": year, "monthly_per_capita": "1300", "note": "东政发〔2027〕3号"},
    )
    assert done.status_code == 302
    threshold = IncomeThreshold.objects.get()
    prefilled = client.get(
        f"/console/assistance/thresholds/set/?org={tree.east.pk}&year={year}"
    ).content.decode()
    assert 'value="1300.00"' in prefilled
    listed = client.get(f"/console/assistance/thresholds/?year={year}").content.decode()
    assert f'data-row-id="{threshold.pk}"' in listed
    assert "Not used yet" in listed

    member, user = make_member_with_account(tree.acme)
    file_services.apply_for_hardship(actor=user, **application(member))
    locked = client.post(
        "/console/assistance/thresholds/set/",
        {"org": tree.east.pk, "year": year, "monthly_per_capita": "1400", "note": ""},
    )
    assert locked.status_code == 422
    assert "can no longer be changed" in locked.content.decode()
    assert (
        "Files have been compared with it" in client.get("/console/assistance/thresholds/").content.decode()
    )


def test_threshold_pages_are_for_assistance_officers_only(tree: Any) -> None:
    _member, user = make_member_with_account(tree.acme)
    assert client_for(user).get("/console/assistance/thresholds/").status_code in {403, 404}
    finance = client_for(officer_at(tree.east, "east.finance", Role.FINANCE_OFFICER))
    assert finance.get("/console/assistance/thresholds/").status_code == 200
    assert finance.get("/console/assistance/thresholds/set/").status_code == 404
