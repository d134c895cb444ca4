"""The demo's contracts: each kind and scope, some expiring, a renewal, topics; the reset
removes them all."""

from __future__ import annotations

import pytest

from gonghui.contracts.demo import reset_demo_contracts, seed_demo_contracts
from gonghui.contracts.models import BargainingTopic, CollectiveContract, ContractKind, ContractScope
from gonghui.contracts.selectors import expiring_contracts
from gonghui.contracts.tests.factories import make_member_with_account, make_workplace, today
from gonghui.orgs.tests.factories import Tree

pytestmark = pytest.mark.django_db


def test_seed_and_reset(tree: Tree) -> None:
    for number in range(10):
        make_workplace(None, tree.acme if number % 2 else tree.beta, name=f"演示单位{number}", industry="H")
    for number in range(4):
        make_workplace(tree.town, None, name=f"小微企业{number}")
    make_member_with_account(tree.acme)
    seed_demo_contracts(tree.city, district=tree.east, seed=7)
    contracts = CollectiveContract.objects.all()
    assert set(contracts.values_list("kind", flat=True)) == set(ContractKind.values)
    assert set(contracts.values_list("scope", flat=True)) == set(ContractScope.values)
    assert expiring_contracts(contracts, today()).exists()
    assert contracts.filter(previous__isnull=False).exists()
    assert set(contracts.values_list("status", flat=True)) == {"draft", "in_force", "expired", "terminated"}
    assert BargainingTopic.objects.filter(status="adopted").exists()
    reset_demo_contracts(tree.city)
    assert not CollectiveContract.objects.exists()
    assert not BargainingTopic.objects.exists()
