"""Education grant applications (金秋助学): a member applies for a child admitted to school, with
the admission letter; the officers of the member's union approve (the member joins the
campaign's list, source "application") or reject with a reason.

An application is taken while the campaign's list is being prepared and today is inside its
application window, from an active member whom the campaign's rules allow (its eligible subtree,
grades and categories). A child is applied for once per campaign (a unique index on the child's
ID blind index); a member is on a campaign's list once, so a second child of the same member can
be applied for but not approved (the refusal says so).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.assistance.models import (
    MAX_REASON,
    MAX_SCHOOL,
    ApplicationStatus,
    BeneficiarySource,
    CareBeneficiary,
    CareCampaign,
    CareCampaignStatus,
    Channel,
    EducationApplication,
    EducationDocument,
    HardshipFile,
    HardshipFileStatus,
    SchoolLevel,
    Season,
)
from gonghui.assistance.services.campaigns import (
    already_on_list_message,
    insert_beneficiary,
    list_total,
    rule_members,
)
from gonghui.core.audit import record_audit
from gonghui.core.documents import MAX_DOCUMENT_BYTES, check_document, store_document, too_many_documents
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationFailed
from gonghui.core.idnumbers import InvalidIdNumber, parse_id_number
from gonghui.core.money import format_money
from gonghui.core.text import normalize_name, normalize_text
from gonghui.members.models import Member, id_number_index
from gonghui.members.services.selfservice import require_current_membership
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at, visible

MAX_DOCUMENTS = 5
CHILD_NAME_MAX = 60
# 金秋助学 is for children starting school: admitted this year, or up to a few years before for
# a long programme whose first year the campaign did not reach.
ADMISSION_YEARS_BACK = 5


@dataclass
class ApplicationData:
    child_name: str
    child_id_number: str
    school: str
    level: str
    admission_year: int | None
    documents: Sequence[tuple[str, bytes]]  # (file name, content): the admission letter and any more


def open_for_applications(campaign: CareCampaign, today: Any = None) -> bool:
    day = today or timezone.localdate()
    return bool(
        campaign.takes_applications
        and campaign.status == CareCampaignStatus.LISTING
        and campaign.applications_from is not None
        and campaign.applications_until is not None
        and campaign.applications_from <= day <= campaign.applications_until
    )


def campaigns_open_to(member: Member | None) -> QuerySet[CareCampaign]:
    """The education campaigns `member` may apply to today."""
    if member is None:
        return CareCampaign.objects.none()
    today = timezone.localdate()
    ancestors = [
        member.org.path[:end]
        for end in range(member.org.steplen, len(member.org.path) + 1, member.org.steplen)
    ]
    candidates = CareCampaign.objects.filter(
        season=Season.AUTUMN_EDUCATION,
        status=CareCampaignStatus.LISTING,
        applications_from__lte=today,
        applications_until__gte=today,
        eligible_org__path__in=ancestors,
    ).select_related("org")
    return candidates.filter(pk__in=[c.pk for c in candidates if may_apply(member, c)])


def may_apply(member: Member, campaign: CareCampaign) -> bool:
    return rule_members(campaign).filter(pk=member.pk).exists()


def _clean(
    campaign: CareCampaign, member: Member, data: ApplicationData, errors: FieldErrors
) -> dict[str, Any]:
    name = normalize_name(data.child_name or "")
    if not name:
        errors.add("child_name", _("Give the child's name."))
    elif len(name) > CHILD_NAME_MAX:
        errors.add("child_name", _("At most %(max)s characters.") % {"max": CHILD_NAME_MAX})
    child_id = ""
    try:
        child_id = parse_id_number(data.child_id_number or "").value
    except InvalidIdNumber as exc:
        errors.add("child_id_number", exc.message)
    else:
        if id_number_index(child_id) == member.id_number_index:
            errors.add("child_id_number", _("Give your child's ID number, not your own."))
    school = normalize_text(data.school or "")
    if not school:
        errors.add("school", _("Give the school the child was admitted to."))
    elif len(school) > MAX_SCHOOL:
        errors.add("school", _("At most %(max)s characters.") % {"max": MAX_SCHOOL})
    if data.level not in SchoolLevel.values:
        errors.add("level", _("Choose the level of the school."))
    year = data.admission_year
    first = campaign.year - ADMISSION_YEARS_BACK
    if year is None or not first <= year <= campaign.year:
        errors.add(
            "admission_year",
            _("The year of admission is from %(first)s to %(last)s.")
            % {"first": first, "last": campaign.year},
        )
    if not data.documents:
        errors.add("documents", _("Add a photo or PDF of the admission letter."))
    elif len(data.documents) > MAX_DOCUMENTS:
        errors.add("documents", too_many_documents(MAX_DOCUMENTS).message)
    else:
        for file_name, content in data.documents:
            try:
                check_document(content)
            except ValidationFailed as exc:
                errors.add(
                    "documents", _("%(file)s: %(reason)s") % {"file": file_name or "—", "reason": exc.message}
                )
    return {"child_name": name, "child_id": child_id, "school": school, "admission_year": year or 0}


def already_applied_message() -> str:
    return _("This child has already been applied for in this campaign.")


@transaction.atomic
def apply_for_education_grant(
    campaign: CareCampaign | int, *, actor: Any, data: ApplicationData
) -> EducationApplication:
    """The signed-in member's application for their child (see the module's docstring)."""
    member = require_current_membership(actor)
    pk = campaign.pk if isinstance(campaign, CareCampaign) else campaign
    found = (
        CareCampaign.objects.select_related("org", "eligible_org")
        .filter(pk=pk, season=Season.AUTUMN_EDUCATION)
        .first()
    )
    if found is None or not may_apply(member, found):
        raise NotFound(_("There is no such campaign open to you."))
    if not open_for_applications(found):
        raise Conflict(_("This campaign is not taking applications now."), code="not_open")
    errors = FieldErrors()
    clean = _clean(found, member, data, errors)
    errors.raise_if_any()
    child_index = id_number_index(clean["child_id"])
    if EducationApplication.objects.filter(campaign=found, child_index=child_index).exists():
        message = already_applied_message()
        raise Conflict(message, code="already_applied", fields={"child_id_number": [message]})
    application = EducationApplication(
        campaign=found,
        member=member,
        person_index=member.id_number_index,
        org=member.org,
        child_name=clean["child_name"],
        child_id_number=clean["child_id"],
        child_index=child_index,
        school=clean["school"],
        level=data.level,
        admission_year=clean["admission_year"],
        channel=Channel.MEMBER,
        submitted_by=actor,
    )
    try:
        with transaction.atomic():
            application.save(force_insert=True)
    except IntegrityError:
        message = already_applied_message()
        raise Conflict(message, code="already_applied", fields={"child_id_number": [message]}) from None
    stored: list[EducationDocument] = []
    try:
        files = []
        for file_name, content in data.documents:
            document = EducationDocument(application=application)
            files.append(store_document(document, actor=actor, name=file_name, content=content))
            stored.append(document)
    except BaseException:
        # The rollback removes the rows; the stored files would stay behind without this.
        for document in stored:
            document.file.delete(save=False)
        raise
    record_audit(
        actor=actor,
        action="assistance.apply_education_grant",
        obj=application,
        org=member.org,
        changes={"documents": [None, files]},
    )
    return application


def no_such_application_message() -> str:
    return _("There is no such application.")


def document_too_large_message(file_name: str) -> str:
    reason = _("A document may be at most %(size)s MB. Make it smaller and upload it again.") % {
        "size": MAX_DOCUMENT_BYTES // 2**20
    }
    return _("%(file)s: %(reason)s") % {"file": file_name or "—", "reason": reason}


def _locked(application: EducationApplication | int, actor: Any) -> EducationApplication:
    pk = application.pk if isinstance(application, EducationApplication) else application
    found = (
        visible(EducationApplication, actor, Perm.ASSISTANCE_VIEW)
        .select_for_update(of=("self",))
        .select_related("campaign__org", "org", "member")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(no_such_application_message())
    return found


def may_decide(user: Any, application: EducationApplication) -> bool:
    return has_perm_at(user, Perm.ASSISTANCE_HANDLE, application.org.path)


def _require_decidable(actor: Any, application: EducationApplication) -> None:
    if not may_decide(actor, application):
        raise Forbidden(
            _("Only assistance officers of %(org)s or above it may decide its applications.")
            % {"org": application.org.name}
        )
    if application.status != ApplicationStatus.SUBMITTED:
        raise Conflict(
            _("The application is “%(status)s”: it has already been decided.")
            % {"status": application.get_status_display()},
            code="invalid_transition",
        )
    if application.campaign.status != CareCampaignStatus.LISTING:
        raise Conflict(
            _("The list is “%(status)s”: applications can be decided only while it is being prepared.")
            % {"status": application.campaign.get_status_display()},
            code="list_locked",
        )


@transaction.atomic
def approve_application(
    application: EducationApplication | int, *, actor: Any, comment: str = ""
) -> EducationApplication:
    """Approve: the member joins the list with the campaign's amount per person."""
    found = _locked(application, actor)
    _require_decidable(actor, found)
    campaign = CareCampaign.objects.select_for_update().get(pk=found.campaign_id)
    text = normalize_text(comment or "")[:MAX_REASON]
    if CareBeneficiary.objects.filter(campaign=campaign, person_index=found.person_index).exists():
        raise Conflict(already_on_list_message(), code="already_on_list")
    total = list_total(campaign) + campaign.amount_per_person
    if total > campaign.budget:
        raise Conflict(
            _("Approving would bring the list to %(total)s, %(over)s more than the budget of %(budget)s.")
            % {
                "total": format_money(total),
                "over": format_money(total - campaign.budget),
                "budget": format_money(campaign.budget),
            },
            code="over_budget",
        )
    hardship = (
        HardshipFile.objects.filter(status=HardshipFileStatus.ON_FILE, person_index=found.person_index)
        .order_by("-id")
        .first()
    )
    insert_beneficiary(
        CareBeneficiary(
            campaign=campaign,
            member=found.member,
            person_index=found.person_index,
            org=found.org,
            hardship_file=hardship,
            amount=campaign.amount_per_person,
            source=BeneficiarySource.APPLICATION,
            note=_("Education grant for %(child)s, %(school)s")
            % {"child": found.child_name, "school": found.school},
            added_by=actor,
        )
    )
    return _decide(found, actor, ApplicationStatus.APPROVED, text)


@transaction.atomic
def reject_application(
    application: EducationApplication | int, *, actor: Any, reason: str
) -> EducationApplication:
    found = _locked(application, actor)
    _require_decidable(actor, found)
    text = normalize_text(reason or "")
    if not text:
        message = _("Give the reason: the member sees it.")
        raise ValidationFailed(message, fields={"reason": [message]})
    if len(text) > MAX_REASON:
        message = _("At most %(max)s characters.") % {"max": MAX_REASON}
        raise ValidationFailed(message, fields={"reason": [message]})
    return _decide(found, actor, ApplicationStatus.REJECTED, text)


def _decide(application: EducationApplication, actor: Any, status: str, reason: str) -> EducationApplication:
    before = application.status
    verb = "approve" if status == ApplicationStatus.APPROVED else "reject"
    application.status = status
    application.decision_reason = reason
    application.decided_by = actor
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decision_reason", "decided_by", "decided_at", "updated_at"])
    record_audit(
        actor=actor,
        action=f"assistance.{verb}_education_application",
        obj=application,
        org=application.org,
        changes={"status": [before, status]},
        note=reason,
    )
    return application


def my_applications(user: Any) -> QuerySet[EducationApplication]:
    """The applications made by the signed-in person (any of their memberships)."""
    people = Member.objects.filter(user=user).values("id_number_index")
    return EducationApplication.objects.filter(person_index__in=people).select_related("campaign")
