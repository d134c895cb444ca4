"""The mediation agreement (调解协议书) as an A4 PDF for the parties to sign, rendered by
gonghui.core.pdf. It carries the parties' full names and ID numbers, as an agreement must:
only the handling officers, the dispute's mediator and the worker themself download it."""

from __future__ import annotations

from decimal import Decimal

from gonghui.core.pdf import render_pdf
from gonghui.rights.models import Dispute


def render_settlement_pdf(dispute: Dispute) -> bytes:
    claims = list(dispute.claims.order_by("position"))
    context = {
        "dispute": dispute,
        "settlement": dispute.settlement,
        "parties": list(dispute.parties.order_by("position")),
        "claims": claims,
        "total_claimed": sum((claim.amount_claimed for claim in claims), Decimal("0.00")),
        "total_agreed": sum((claim.amount_agreed or Decimal("0.00") for claim in claims), Decimal("0.00")),
    }
    return render_pdf("rights/settlement_pdf.html", "rights/settlement_pdf.css", context)


def settlement_filename(dispute: Dispute) -> str:
    return f"settlement-{dispute.year}-{dispute.sequence:06d}.pdf"
