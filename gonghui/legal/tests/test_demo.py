"""The legal demo: lawyers with the `legal.lawyer` sign-in, consultations and aid cases in every
status whose history follows the workflow table; seeding twice adds nothing; reset removes it."""

from __future__ import annotations

import pytest

from gonghui.accounts.models import User
from gonghui.legal.demo import AID_STATUSES, CONSULTATIONS, LAWYER_USERNAME, reset_demo_legal, seed_demo_legal
from gonghui.legal.models import AID_TRANSITIONS, AidStatus, Lawyer, LegalAid, LegalConsultation
from gonghui.legal.selectors import aid_of_lawyer, lawyer_of
from gonghui.legal.tests.factories import make_member_with_account
from gonghui.orgs.tests.factories import Tree

pytestmark = pytest.mark.django_db


def test_seed_and_reset(tree: Tree) -> None:
    for _ in range(3):
        make_member_with_account(tree.acme)
    seed_demo_legal(tree.city, district=tree.east, seed=7)
    seed_demo_legal(tree.city, district=tree.east, seed=7)
    assert LegalConsultation.objects.count() == CONSULTATIONS
    assert LegalAid.objects.count() == len(AID_STATUSES)
    assert set(LegalAid.objects.values_list("status", flat=True)) == set(AidStatus)
    for aid in LegalAid.objects.prefetch_related("history"):
        steps = list(aid.history.all())
        assert steps[-1].to_status == aid.status
        for step in steps[1:]:
            assert AID_TRANSITIONS.allows(step.action, step.from_status)
    lawyer = lawyer_of(User.objects.get(username=LAWYER_USERNAME))
    assert lawyer is not None
    assert aid_of_lawyer(lawyer).exists()
    reset_demo_legal(tree.city)
    assert not LegalAid.objects.exists()
    assert not LegalConsultation.objects.exists()
    assert not Lawyer.objects.exists()
    assert not User.objects.filter(username=LAWYER_USERNAME).exists()
