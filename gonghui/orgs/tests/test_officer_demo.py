"""The demo city's officer terms: a chair and a vice chair per grassroots union, valid terms,
some ending within 90 days of the demo's reference date."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from gonghui.orgs.demo.generator import REFERENCE_DATE
from gonghui.orgs.models import OfficerPosition, OfficerTerm, Org, OrgKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def terms() -> list[OfficerTerm]:
    call_command("seed_demo", "--scale", "tiny", stdout=StringIO())
    return list(OfficerTerm.objects.select_related("org"))


def test_every_grassroots_union_has_its_contact_as_chair_and_one_vice_chair(terms):
    unions = Org.objects.filter(kind=OrgKind.GRASSROOTS)
    chairs = {term.org_id: term for term in terms if term.position == OfficerPosition.CHAIR}
    vice_chairs = Counter(term.org_id for term in terms if term.position != OfficerPosition.CHAIR)
    assert set(chairs) == {union.pk for union in unions}
    assert all(chairs[union.pk].name == union.contact_name for union in unions)
    assert vice_chairs == Counter({union.pk: 1 for union in unions})
    assert {term.org.kind for term in terms} == {OrgKind.GRASSROOTS}


def test_terms_are_valid_and_current_on_the_reference_date(terms):
    for term in terms:
        assert term.elected_on <= term.term_start < term.term_end
        assert term.term_start <= REFERENCE_DATE <= term.term_end
        assert term.org.founded_on is None or term.term_start >= term.org.founded_on
        assert term.ended_on is None


def test_some_terms_end_within_90_days_of_the_reference_date(terms):
    soon = OfficerTerm.objects.ending_within(REFERENCE_DATE, 90)
    assert 0 < soon.count() < len(terms) / 2
    assert not soon.filter(term_end__gt=REFERENCE_DATE + timedelta(days=90)).exists()
