"""Workplaces for the workplace and import tests: real rows, valid credit codes."""

from __future__ import annotations

from itertools import count
from typing import Any

from gonghui.core.creditcode import ALPHABET, make_credit_code
from gonghui.orgs.models import Org, Workplace

# Codes made without a number start far above the ones tests ask for by number.
_serial = count(100_000)


def credit_code(n: int | None = None, *, region: str = "330203") -> str:
    """A valid credit code; a different one for each `n` (the next one when not given)."""
    n = next(_serial) if n is None else n
    body = ""
    for _ in range(6):
        n, digit = divmod(n, len(ALPHABET))
        body = ALPHABET[digit] + body
    return make_credit_code("9", "1", region, "MA" + body)


def make_workplace(area: Org | None, union: Org | None = None, **fields: Any) -> Workplace:
    values: dict[str, Any] = {
        "credit_code": credit_code(),
        "name": "示范精工机械有限公司",
        "industry": "C",
        "ownership": "private",
        "employee_count": 50,
        "district": "东区",
        **fields,
    }
    return Workplace.objects.create(jurisdiction=area, union=union, is_unionised=union is not None, **values)
