"""Online joining (网上入会): every write.

A person applies from the member portal without an account: the portal proves their mobile
number with a texted code, opens a member account under it (gonghui.accounts.services.open_member_account) and
then submits the application as that account (`submit_join_application`). The application goes
to the union with jurisdiction (gonghui.members.services.routes), never to the employer.

Officers of that union, or of any org above it, approve or reject it (JOIN_TRANSITIONS); the
applicant may withdraw it while it waits. Approval opens the membership through the registry
(`add_member`), so the person's history, the audit log and the coverage figures follow. An
application addressed to a federation (an employer without a union of its own, or a route that
ends at a federation) is placed by the approver in a union under that federation.

The applicant is texted when the application is received, approved or rejected; texts go out
once the transaction has committed, so that a step that rolls back is never announced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.accounts.models import User
from gonghui.core.audit import record_audit
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationFailed
from gonghui.core.idnumbers import IdNumber, parse_id_number
from gonghui.core.sms import send_sms
from gonghui.core.text import normalize_name, normalize_text
from gonghui.members.models import (
    JOIN_REVIEW_DAYS,
    JOIN_TRANSITIONS,
    GigOccupation,
    JoinAction,
    JoinApplication,
    JoinApplicationHistory,
    JoinStatus,
    MemberEventKind,
    id_number_index,
    mobile_index,
)
from gonghui.members.services import registry, routes
from gonghui.orgs.models import FederationLevel, Org, OrgKind, OrgStatus, Workplace
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, visible

# The Labour Law sets 16 as the minimum working age; the union admits workers.
MIN_AGE = 16
NAME_MAX = 60
EMPLOYER_NAME_MAX = 120
PLATFORM_MAX = 40
PLACE_MAX = 40
ADDRESS_MAX = 200
REASON_MAX = 500
# The national trade union service hotline (职工服务热线), answered by every federation.
HOTLINE = "12351"


# --------------------------------------------------------------------------------------------
# What an applicant says
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JoinDraft:
    """One application as the portal collected it. Exactly one of `workplace` (an employer in
    the registry), `employer_name` (one that is not) or `no_fixed_employer` describes the work;
    without a listed employer, the home district (and township) decide the union."""

    name: str
    id_number: IdNumber
    workplace: Workplace | None = None
    employer_name: str = ""
    no_fixed_employer: bool = False
    gig_occupation: str = ""
    gig_platform: str = ""
    is_migrant_worker: bool = False
    home_district: str = ""
    home_township: str = ""
    home_address: str = ""

    @property
    def categories(self) -> registry.Categories:
        return registry.Categories(
            is_gig_worker=self.no_fixed_employer,
            gig_occupation=self.gig_occupation,
            gig_platform=self.gig_platform,
            is_migrant_worker=self.is_migrant_worker,
        )


def age_problem(id_number: IdNumber) -> str | None:
    """Why this person cannot join yet (too young), or None."""
    if id_number.age_on(timezone.localdate()) < MIN_AGE:
        return _("Workers can join the union from the age of %(age)d.") % {"age": MIN_AGE}
    return None


def _too_long(errors: FieldErrors, field: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors.add(field, _("Keep it under %(n)d characters.") % {"n": limit})


def clean_draft(draft: JoinDraft) -> JoinDraft:
    """The draft with its text normalised, or ValidationFailed naming every field at fault."""
    errors = FieldErrors()
    name = normalize_name(draft.name)
    if not name:
        errors.add("name", _("Enter your name as it is on your ID card."))
    _too_long(errors, "name", name, NAME_MAX)
    if problem := age_problem(draft.id_number):
        errors.add("id_number", problem)
    employer_name = normalize_text(draft.employer_name)
    platform = normalize_text(draft.gig_platform)
    district, township = normalize_text(draft.home_district), normalize_text(draft.home_township)
    address = normalize_text(draft.home_address)
    ways = sum((draft.workplace is not None, bool(employer_name), draft.no_fixed_employer))
    if ways != 1:
        errors.add(
            "employer",
            _("Choose your employer from the list, type its name, or say that you have no fixed employer."),
        )
    if draft.no_fixed_employer and draft.gig_occupation not in GigOccupation.values:
        errors.add("gig_occupation", _("Choose the kind of platform work you do."))
    _too_long(errors, "employer_name", employer_name, EMPLOYER_NAME_MAX)
    _too_long(errors, "gig_platform", platform, PLATFORM_MAX)
    _too_long(errors, "home_district", district, PLACE_MAX)
    _too_long(errors, "home_township", township, PLACE_MAX)
    _too_long(errors, "home_address", address, ADDRESS_MAX)
    if draft.workplace is None and not district:
        errors.add("home_district", _("Choose the district where you live or work."))
    errors.raise_if_any()
    gig = draft.no_fixed_employer
    return JoinDraft(
        name=name,
        id_number=draft.id_number,
        workplace=draft.workplace,
        employer_name=employer_name,
        no_fixed_employer=gig,
        gig_occupation=draft.gig_occupation if gig else "",
        gig_platform=platform if gig else "",
        is_migrant_worker=draft.is_migrant_worker,
        home_district=district,
        home_township=township if district else "",
        home_address=address,
    )


# --------------------------------------------------------------------------------------------
# Where an application goes
# --------------------------------------------------------------------------------------------


def union_for_draft(draft: JoinDraft) -> Org | None:
    """The org the application is addressed to: the employer's union or area for a listed
    employer, else the most specific join route for the home district, township and platform
    work; None when there is none."""
    if draft.workplace is not None:
        return routes.union_for_workplace(draft.workplace)
    return routes.route_applicant(
        district=draft.home_district,
        township=draft.home_township,
        occupation=draft.gig_occupation if draft.no_fixed_employer else "",
    )


def district_federation(district: str) -> Org | None:
    """The active district federation whose district has this name, for "who to ask"."""
    if not district:
        return None
    federation: Org | None = (
        Org.objects.filter(
            kind=OrgKind.FEDERATION,
            level=FederationLevel.DISTRICT,
            district=district,
            status=OrgStatus.ACTIVE,
        )
        .order_by("path")
        .first()
    )
    return federation


def no_route_message(draft: JoinDraft) -> str:
    """What an applicant whose application has nowhere to go should do instead."""
    if draft.workplace is not None:
        return _(
            "The registry does not yet know which union covers %(employer)s. Choose “My employer "
            "is not listed” and give the district where you work, or call the trade union service "
            "hotline %(hotline)s."
        ) % {"employer": draft.workplace.name, "hotline": HOTLINE}
    place = draft.home_district + (f" {draft.home_township}" if draft.home_township else "")
    federation = district_federation(draft.home_district)
    if federation is not None and federation.contact_phone:
        return _(
            "No union takes online applications for %(place)s yet. Please contact %(federation)s "
            "(phone %(phone)s) or call the trade union service hotline %(hotline)s."
        ) % {
            "place": place,
            "federation": federation.name,
            "phone": federation.contact_phone,
            "hotline": HOTLINE,
        }
    return _(
        "No union takes online applications for %(place)s yet. Please call the trade union "
        "service hotline %(hotline)s, or contact the federation of trade unions of your district."
    ) % {"place": place, "hotline": HOTLINE}


# --------------------------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------------------------


def _history(application: JoinApplication, from_status: str, actor: Any, comment: str) -> None:
    JoinApplicationHistory.objects.create(
        application=application,
        from_status=from_status,
        to_status=application.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        comment=comment,
    )


def _text_applicant(application: JoinApplication, template: str, **values: Any) -> None:
    """Text the applicant once the transaction has committed."""
    mobile = application.mobile
    text = template % {"site": settings.GONGHUI_SITE_NAME, **values}
    transaction.on_commit(lambda: send_sms(mobile, text))


def _already_open() -> Conflict:
    return Conflict(
        _(
            "An application to join with this ID number is already waiting for a decision. "
            "Sign in with the mobile number it was made with to follow it."
        ),
        code="application_open",
    )


def _clean_text(value: str, field: str, limit: int) -> str:
    text = normalize_text(value)
    if len(text) > limit:
        message = _("Keep it under %(n)d characters.") % {"n": limit}
        raise ValidationFailed(message, fields={field: [message]})
    return text


# --------------------------------------------------------------------------------------------
# The applicant's account and application
# --------------------------------------------------------------------------------------------


@transaction.atomic
def submit_join_application(draft: JoinDraft, *, actor: User) -> JoinApplication:
    """File `draft` as `actor`'s application; the application's mobile number is the account's.

    Refused with `registry.ActiveElsewhere` (carrying the membership) when the ID number is an
    active member anywhere, with Conflict `application_open` when an application for it is
    already waiting (checked first for the message, and by the unique index for the race), and
    with ValidationFailed `no_route` when no union has jurisdiction.
    """
    if not (getattr(actor, "is_authenticated", False) and actor.is_member and actor.mobile):
        raise Forbidden(_("Applications are made from a member account with a mobile number."))
    draft = clean_draft(draft)
    org = union_for_draft(draft)
    if org is None:
        message = no_route_message(draft)
        field = "employer" if draft.workplace is not None else "home_district"
        raise ValidationFailed(message, code="no_route", fields={field: [message]})
    existing = registry.active_membership(draft.id_number)
    if existing is not None:
        raise registry.ActiveElsewhere(existing)
    index = id_number_index(draft.id_number.value)
    if JoinApplication.objects.open().filter(id_number_index=index).exists():
        raise _already_open()
    try:
        with transaction.atomic():
            application = JoinApplication.objects.create(
                name=draft.name,
                id_number=draft.id_number.value,
                id_number_index=index,
                birth_date=draft.id_number.birth_date,
                sex=draft.id_number.sex,
                mobile=actor.mobile,
                mobile_index=mobile_index(actor.mobile),
                workplace=draft.workplace,
                employer_name=draft.employer_name,
                no_fixed_employer=draft.no_fixed_employer,
                is_gig_worker=draft.no_fixed_employer,
                gig_occupation=draft.gig_occupation,
                gig_platform=draft.gig_platform,
                is_migrant_worker=draft.is_migrant_worker,
                home_district=draft.home_district,
                home_township=draft.home_township,
                home_address=draft.home_address,
                org=org,
                applicant=actor,
            )
    except IntegrityError:
        # join_one_open_application: the same ID was submitted a moment ago.
        raise _already_open() from None
    _history(application, "", actor, "")
    record_audit(
        actor=actor,
        action="members.submit_join_application",
        obj=application,
        changes={"status": ["", JoinStatus.SUBMITTED], "org": [None, org.pk]},
    )
    _text_applicant(
        application,
        _(
            "[%(site)s] We have received your application to join %(union)s. You will get a text "
            "when it has been decided; you can also follow it in the member portal."
        ),
        union=org.name,
    )
    return application


# --------------------------------------------------------------------------------------------
# Deciding
# --------------------------------------------------------------------------------------------


def _lock(application: JoinApplication, actor: Any) -> JoinApplication:
    """The application, locked, if `actor` may see it (Http404 otherwise, as for a missing one)."""
    return get_visible(
        JoinApplication.objects.select_for_update(of=("self",)).select_related(
            "org", "workplace", "applicant"
        ),
        actor,
        Perm.MEMBER_VIEW,
        pk=application.pk,
    )


def _require_authority(application: JoinApplication, action: JoinAction, actor: Any) -> None:
    transition = JOIN_TRANSITIONS.lookup(action)
    if not has_perm_at(actor, transition.perm, application.org.path):
        message = _("Only officers of %(union)s or of an organisation above it may decide this application.")
        raise Forbidden(message % {"union": application.org.name}, code="no_authority")


def may_decide(application: JoinApplication, actor: Any) -> bool:
    """Whether `actor` may approve or reject `application` (its status aside)."""
    return has_perm_at(actor, JOIN_TRANSITIONS[JoinAction.APPROVE].perm, application.org.path)


def placement_message(application: JoinApplication) -> str:
    """Why a chosen union cannot take the applicant; the same for a union outside the actor's
    scope and for one that does not exist, so that the answer does not tell them apart."""
    return _("Choose a union under %(org)s in your scope.") % {"org": application.org.name}


WORKPLACE_NOT_IN_SCOPE = gettext_lazy("Choose a workplace in your scope.")


def _placement(application: JoinApplication, org: Org | None, actor: Any) -> Org:
    """The union the new member joins: the one the application is addressed to, or one the
    approver chose under it (required when it is addressed to a federation)."""
    addressed = application.org
    if org is None or org.pk == addressed.pk:
        if addressed.kind not in registry.MEMBER_HOLDING_KINDS:
            message = _(
                "This application is addressed to %(org)s, which holds no members itself: choose the "
                "union under it that the applicant joins."
            ) % {"org": addressed.name}
            raise ValidationFailed(message, fields={"org": [message]})
        registry.require_member_holding_union(addressed)
        return addressed
    if not (org.path.startswith(addressed.path) and has_perm_at(actor, Perm.MEMBER_CHANGE, org.path)):
        message = placement_message(application)
        raise ValidationFailed(message, fields={"org": [message]})
    registry.require_member_holding_union(org)
    return org


def _check_workplace(
    workplace: Workplace | None, application: JoinApplication, actor: Any
) -> Workplace | None:
    if workplace is None or workplace.pk == application.workplace_id:
        return application.workplace
    if not visible(Workplace, actor, Perm.WORKPLACE_VIEW).filter(pk=workplace.pk).exists():
        message = str(WORKPLACE_NOT_IN_SCOPE)
        raise ValidationFailed(message, fields={"workplace": [message]})
    return workplace


def _close(
    application: JoinApplication, action: JoinAction, actor: Any, comment: str, fields: list[str]
) -> None:
    before = application.status
    application.status = JOIN_TRANSITIONS[action].target
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_at", "updated_at", *fields])
    _history(application, before, actor, comment)
    changes: dict[str, list[Any]] = {"status": [before, application.status]}
    for field in fields:
        value = application.audit_value(field)
        # A related row (the new membership) is recorded by its id: the audit log is JSON.
        changes[field] = [None, value.pk if isinstance(value, Model) else value]
    record_audit(
        actor=actor,
        action=f"members.{action}_join_application",
        obj=application,
        changes=changes,
        note=comment,
    )


@transaction.atomic
def approve_join_application(
    application: JoinApplication,
    *,
    actor: User,
    org: Org | None = None,
    workplace: Workplace | None = None,
    comment: str = "",
) -> JoinApplication:
    """Admit the applicant: open their membership in the union the application is addressed to,
    or in `org`, a union under it (required for an application addressed to a federation).
    `workplace` overrides the employer the applicant chose. Refused with
    `registry.ActiveElsewhere` when the person became an active member elsewhere meanwhile."""
    application = _lock(application, actor)
    _require_authority(application, JoinAction.APPROVE, actor)
    JOIN_TRANSITIONS.require(JoinAction.APPROVE, application.status)
    union = _placement(application, org, actor)
    place = _check_workplace(workplace, application, actor)
    comment = _clean_text(comment, "comment", REASON_MAX)
    person = registry.NewMember(
        name=application.name,
        id_number=parse_id_number(application.id_number),
        org=union,
        mobile=application.mobile,
        workplace=place,
        categories=registry.Categories(
            is_gig_worker=application.is_gig_worker,
            gig_occupation=application.gig_occupation,
            gig_platform=application.gig_platform,
            is_migrant_worker=application.is_migrant_worker,
        ),
        user=application.applicant,
    )
    note = _("Joined online, application no. %(id)s") % {"id": application.pk}
    application.member = registry.add_member(person, actor=actor, kind=MemberEventKind.JOINED, note=note)
    _close(application, JoinAction.APPROVE, actor, comment, ["member"])
    _text_applicant(
        application,
        _(
            "[%(site)s] Welcome! Your application to join %(union)s has been approved. Your "
            "electronic member card is in the member portal."
        ),
        union=union.name,
    )
    return application


@transaction.atomic
def reject_join_application(application: JoinApplication, *, actor: User, reason: str) -> JoinApplication:
    """Turn the application down; the reason is required and is texted to the applicant."""
    application = _lock(application, actor)
    _require_authority(application, JoinAction.REJECT, actor)
    JOIN_TRANSITIONS.require(JoinAction.REJECT, application.status)
    reason = _clean_text(reason, "reason", REASON_MAX)
    if not reason:
        message = _("Give the reason for the rejection: the applicant is told it.")
        raise ValidationFailed(message, fields={"reason": [message]})
    application.reject_reason = reason
    _close(application, JoinAction.REJECT, actor, reason, ["reject_reason"])
    _text_applicant(
        application,
        _(
            "[%(site)s] Your application to join %(union)s was not approved. Reason: %(reason)s. "
            "For questions, contact %(union)s."
        ),
        union=application.org.name,
        reason=reason.rstrip("。.!！"),
    )
    return application


@transaction.atomic
def withdraw_join_application(application: JoinApplication, *, actor: User) -> JoinApplication:
    """The applicant takes back their application while it waits for a decision."""
    locked = (
        JoinApplication.objects.select_for_update(of=("self",))
        .select_related("org")
        .filter(pk=application.pk, applicant__isnull=False)
        .first()
    )
    if locked is None or locked.applicant_id != getattr(actor, "pk", None):
        raise NotFound(_("There is no such application."))
    JOIN_TRANSITIONS.require(JoinAction.WITHDRAW, locked.status)
    _close(locked, JoinAction.WITHDRAW, actor, "", [])
    return locked


# --------------------------------------------------------------------------------------------
# Reads shared by the console and the API
# --------------------------------------------------------------------------------------------


def overdue_cutoff() -> Any:
    """Applications submitted before this moment are overdue."""
    return timezone.now() - timedelta(days=JOIN_REVIEW_DAYS)


def applications_in_scope(user: Any, perm: Perm = Perm.MEMBER_VIEW) -> QuerySet[JoinApplication]:
    return visible(JoinApplication, user, perm).select_related("org", "workplace")


def overdue_applications(user: Any) -> QuerySet[JoinApplication]:
    """Open applications older than JOIN_REVIEW_DAYS in the user's scope, oldest first: what the
    officers of the superior orgs chase."""
    return (
        visible(JoinApplication.objects.open(), user, Perm.MEMBER_VIEW)
        .select_related("org", "workplace")
        .filter(created_at__lt=overdue_cutoff())
        .order_by("created_at", "id")
    )


def applications_of(user: Any) -> QuerySet[JoinApplication]:
    """A portal account's own applications, newest first."""
    return (
        JoinApplication.objects.filter(applicant=user)
        .select_related("org", "member__org")
        .order_by("-created_at", "-id")
    )
