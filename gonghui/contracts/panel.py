"""The collective contracts of a workplace, for the workplace's console page (orgs): the lead
includes `contracts/workplace_panel.html` with the context this function returns."""

from __future__ import annotations

from typing import Any

from gonghui.contracts.selectors import workplace_contracts
from gonghui.orgs.models import Workplace


def workplace_contracts_panel(workplace: Workplace, user: Any) -> dict[str, Any]:
    """The panel's context: the contracts covering `workplace` (the caller has checked that
    `user` sees the workplace)."""
    return {"contract_rows": workplace_contracts(workplace, user)}
