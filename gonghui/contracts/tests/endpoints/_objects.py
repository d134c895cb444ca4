"""Objects of the own union for the scoping test base, and the bodies that change them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gonghui.contracts.models import BargainingTopic, CollectiveContract, ContractDocument, ContractStatus
from gonghui.contracts.tests.factories import make_contract, make_member_with_account, make_topic, today
from gonghui.core.documents import store_document
from gonghui.orgs.models import Org, Workplace
from gonghui.orgs.tests.factories import make_workplace
from gonghui.orgs.tests.scoping import ScopeWorld

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def contract(org: Org) -> CollectiveContract:
    return make_contract(org)


def draft(org: Org) -> CollectiveContract:
    return make_contract(org, status=ContractStatus.DRAFT, start=today() + timedelta(days=10))


def document(org: Org) -> ContractDocument:
    item = ContractDocument(contract=make_contract(org))
    store_document(item, actor=None, name="合同.pdf", content=PDF)
    return item


def topic(org: Org) -> BargainingTopic:
    member, user = make_member_with_account(org)
    return make_topic(member, user)


def own_workplace(world: ScopeWorld) -> Workplace:
    return make_workplace(None, world.own, name="范围测试公司")


def terms(world: ScopeWorld, start: Any = None) -> dict[str, Any]:
    start = start or today() + timedelta(days=1)
    return {
        "title": "范围测试集体合同",
        "signed_on": today().isoformat(),
        "term_start": start.isoformat(),
        "term_end": (start + timedelta(days=700)).isoformat(),
        "workers_covered": 30,
        "employer_representative": "张总",
        "union_representative": "李主席",
    }
