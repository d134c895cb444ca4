"""Schemas the rights API routers share: a dispute as officers, mediators and workers read it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from gonghui.core.api_types import Id, OrgRef, PageOut
from gonghui.core.inputs import CleanText
from gonghui.rights.models import (
    MAX_NAME,
    MAX_REASON,
    MAX_SUMMARY,
    MAX_TEXT,
    ClaimType,
    CollectiveAlert,
    Dispute,
    DisputeDocument,
    DisputeMessage,
    DisputeStatus,
    IntakeChannel,
    MessageAuthor,
)
from gonghui.rights.services import disputes as services


class PartyOut(Schema):
    name: str
    id_number: str = Field(description="Masked unless the caller handles the dispute.")
    mobile: str = Field(description="Masked unless the caller handles the dispute.")
    member: bool


class ClaimOut(Schema):
    id: int
    type: ClaimType
    amount_claimed: Decimal
    amount_agreed: Decimal | None
    amount_recovered: Decimal


class ExtensionOut(Schema):
    previous_deadline: date
    new_deadline: date
    agreed_by: str
    note: str


class SettlementOut(Schema):
    terms: str
    signed_on: date
    payment_due: date | None


class DisputeRowOut(Schema):
    id: int
    number: str
    status: DisputeStatus
    channel: IntakeChannel
    org: OrgRef
    centre: str
    mediator: str
    employer_name: str
    workplace_id: int | None
    summary: str
    received_on: date
    mediation_deadline: date
    concluded_on: date | None
    workers_count: int
    is_collective: bool


class DisputeListOut(PageOut):
    items: list[DisputeRowOut]


class DisputeOut(DisputeRowOut):
    description: str
    parties: list[PartyOut]
    claims: list[ClaimOut]
    extensions: list[ExtensionOut]
    settlement: SettlementOut | None
    decline_reason: str
    failure_reason: str
    referred_to: str
    referral_body: str
    referred_on: date | None
    followup_due: date | None
    followup_on: date | None
    followup_note: str
    rating: int | None
    rating_comment: str
    actions: list[str] = Field(description="The workflow actions the caller may take now.")


class MessageOut(Schema):
    id: int
    author_kind: MessageAuthor
    text: str
    created_at: datetime


class MessagesOut(Schema):
    items: list[MessageOut]


class DocumentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    from_worker: bool
    created_at: datetime


class DocumentsOut(Schema):
    items: list[DocumentOut]


class AlertOut(Schema):
    id: int
    org: OrgRef = Field(description="The alerted (superior) organisation.")
    dispute: DisputeRowOut
    created_at: datetime
    acknowledged_at: datetime | None


class AlertsOut(Schema):
    items: list[AlertOut]


class ReassignIn(Schema):
    mediator_id: Id = Field(description="An active mediator of a centre in your scope.")
    reason: str = Field(max_length=MAX_REASON * 2)


class MessageIn(Schema):
    text: str = Field(max_length=services.MAX_MESSAGE * 2)


class PartyIn(Schema):
    name: CleanText = Field(max_length=services.PARTY_NAME_MAX * 2)
    id_number: CleanText = Field("", max_length=24)
    mobile: CleanText = Field("", max_length=20)

    def data(self) -> services.PartyInput:
        return services.PartyInput(name=self.name, id_number=self.id_number, mobile=self.mobile)


class ClaimIn(Schema):
    type: str = Field(max_length=20)
    amount_claimed: str = Field(max_length=20, description='Yuan, e.g. "8600.00".')

    def data(self) -> services.ClaimInput:
        return services.ClaimInput(type=self.type, amount_claimed=self.amount_claimed)


class AmountIn(Schema):
    claim_id: Id
    amount_agreed: str | None = Field(None, max_length=20)
    amount_recovered: str | None = Field(None, max_length=20)


class TransitionIn(Schema):
    action: str = Field(
        max_length=32, description="accept, decline, start_mediation, settle, fail, refer, close, archive"
    )
    centre_id: Id | None = None
    mediator_id: Id | None = None
    comment: str = Field("", max_length=MAX_REASON * 2)
    reason: str = Field("", max_length=MAX_REASON * 2)
    terms: str = Field("", max_length=MAX_TEXT * 2)
    signed_on: date | None = None
    payment_due: date | None = None
    amounts: list[AmountIn] = Field(default_factory=list, max_length=services.MAX_CLAIMS)
    referred_to: str = Field("", max_length=20)
    body: str = Field("", max_length=MAX_NAME * 2)
    referred_on: date | None = None
    followup_on: date | None = None
    note: str = Field("", max_length=MAX_REASON * 2)


class ExtensionIn(Schema):
    new_deadline: date
    agreed_by: str = Field(max_length=services.AGREED_BY_MAX * 2)
    note: str = Field("", max_length=MAX_REASON * 2)


class OnlineDisputeIn(Schema):
    name: CleanText = Field(max_length=services.PARTY_NAME_MAX * 2, description="The worker's own name.")
    id_number: CleanText = Field("", max_length=24)
    workplace_id: Id | None = None
    employer_name: CleanText = Field("", max_length=MAX_NAME * 2)
    summary: CleanText = Field(max_length=MAX_SUMMARY * 2)
    description: str = Field("", max_length=MAX_TEXT * 2)
    workers_count: int = Field(1, ge=1, le=100_000)
    claims: list[ClaimIn] = Field(max_length=services.MAX_CLAIMS)


class RatingIn(Schema):
    rating: int = Field(ge=1, le=5)
    comment: CleanText = Field("", max_length=MAX_REASON)


def _ref(dispute: Dispute) -> dict[str, Any]:
    return {"id": dispute.org.pk, "code": dispute.org.code, "name": dispute.org.name}


def dispute_row(dispute: Dispute) -> dict[str, Any]:
    return {
        "id": dispute.pk,
        "number": dispute.number,
        "status": dispute.status,
        "channel": dispute.channel,
        "org": _ref(dispute),
        "centre": dispute.centre.name if dispute.centre else "",
        "mediator": dispute.mediator.name if dispute.mediator else "",
        "employer_name": dispute.employer_name,
        "workplace_id": dispute.workplace_id,
        "summary": dispute.summary,
        "received_on": dispute.received_on,
        "mediation_deadline": dispute.mediation_deadline,
        "concluded_on": dispute.concluded_on,
        "workers_count": dispute.workers_count,
        "is_collective": dispute.is_collective,
    }


def dispute_out(dispute: Dispute, *, contacts: bool, actions: list[str]) -> dict[str, Any]:
    settlement = getattr(dispute, "settlement", None)
    return {
        **dispute_row(dispute),
        "description": dispute.description,
        "parties": [
            {
                "name": party.name if contacts else str(party),
                "id_number": party.id_number if contacts else party.masked_id_number,
                "mobile": party.mobile if contacts else party.masked_mobile,
                "member": party.member_id is not None,
            }
            for party in dispute.parties.all()
        ],
        "claims": [
            {
                "id": claim.pk,
                "type": claim.type,
                "amount_claimed": claim.amount_claimed,
                "amount_agreed": claim.amount_agreed,
                "amount_recovered": claim.amount_recovered,
            }
            for claim in dispute.claims.all()
        ],
        "extensions": [
            {
                "previous_deadline": extension.previous_deadline,
                "new_deadline": extension.new_deadline,
                "agreed_by": extension.agreed_by,
                "note": extension.note,
            }
            for extension in dispute.extensions.all()
        ],
        "settlement": None
        if settlement is None
        else {
            "terms": settlement.terms,
            "signed_on": settlement.signed_on,
            "payment_due": settlement.payment_due,
        },
        "decline_reason": dispute.decline_reason or "",
        "failure_reason": dispute.failure_reason or "",
        "referred_to": dispute.referred_to,
        "referral_body": dispute.referral_body,
        "referred_on": dispute.referred_on,
        "followup_due": dispute.followup_due,
        "followup_on": dispute.followup_on,
        "followup_note": dispute.followup_note,
        "rating": dispute.rating,
        "rating_comment": dispute.rating_comment,
        "actions": actions,
    }


def message_out(message: DisputeMessage) -> dict[str, Any]:
    return {
        "id": message.pk,
        "author_kind": message.author_kind,
        "text": message.text,
        "created_at": message.created_at,
    }


def document_out(document: DisputeDocument) -> dict[str, Any]:
    return {
        "id": document.pk,
        "name": document.original_name,
        "content_type": document.content_type,
        "size": document.size,
        "from_worker": document.from_worker,
        "created_at": document.created_at,
    }


def alert_out(alert: CollectiveAlert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "org": {"id": alert.org.pk, "code": alert.org.code, "name": alert.org.name},
        "dispute": dispute_row(alert.dispute),
        "created_at": alert.created_at,
        "acknowledged_at": alert.acknowledged_at,
    }
