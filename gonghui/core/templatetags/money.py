"""`{{ amount|yuan }}`: every amount of money on a page reads the same way, "¥1,234.50".

A builtin of the template engine (settings.TEMPLATES), so templates need no `{% load %}`.
"""

from __future__ import annotations

from decimal import Decimal

from django import template

from gonghui.core.money import InvalidAmount, format_money

register = template.Library()


@register.filter
def yuan(amount: Decimal | int | str | None) -> str:
    # An amount not yet known (a payout still being computed) is shown as a dash, not as ¥0.00.
    if amount is None or amount == "":
        return "—"
    try:
        return format_money(amount)
    except (InvalidAmount, TypeError):
        # A filter must not fail the page: show what there is rather than answer 500.
        return str(amount)
