"""Seasonal care campaigns (送温暖 / 夏送清凉 / 金秋助学 / 春送岗位): authoring, building the list
of beneficiaries by rule, adjusting it, confirming, reopening, closing, and paying from a fund.

Each function takes the acting user as keyword-only `actor`, runs in one transaction, checks
permission first (a campaign or a beneficiary outside the actor's reach is NotFound, exactly like
a missing one), validates every field at once, writes, and records one audit event.

The rules of the list (docs/assistance.md, "Seasonal care campaigns"):

- The rules pick the active members of `eligible_org`'s subtree who are on record with one of
  `grades` (none: with a file or without) and in one of `categories` (none: any member). An
  education campaign (金秋助学) takes applications instead: its rules say who may apply, and
  building its list opens it for applications without picking anyone.
- Building again (while the list is being prepared) adds the members the rules pick who are not
  on the list yet and takes off the rule-picked rows whose member no longer qualifies; rows added
  by officers or by application and amounts officers changed stay as they are. A person an
  officer removed comes back on a rebuild only if the rules still pick them (the models keep no
  record of removals: see docs).
- A person is on a campaign's list once (a unique index on the campaign and the person's ID
  blind index); the list's total never exceeds the budget: a build, an addition, an amount
  change or a confirmation that would exceed it is refused and says by how much.
- Paying (once confirmed, by a holder of ASSISTANCE_FUNDS on the fund's org) makes one approved
  grant per beneficiary with an amount and debits the fund in the same transaction; beneficiaries
  already paid are skipped, so running it again pays only who is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import (
    BigIntegerField,
    CharField,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.assistance.models import (
    CARE_CAMPAIGN_TRANSITIONS,
    MAX_NAME,
    MAX_REASON,
    ZERO,
    BeneficiarySource,
    CareBeneficiary,
    CareCampaign,
    CareCampaignAction,
    CareCampaignHistory,
    CareCampaignStatus,
    CareExclusion,
    EntryKind,
    Fund,
    FundStatus,
    Grant,
    GrantAction,
    GrantHistory,
    GrantPurpose,
    GrantStatus,
    HardshipFile,
    HardshipFileStatus,
    HardshipGrade,
    Season,
)
from gonghui.assistance.services.funds import Booking, InsufficientFunds, book_entries
from gonghui.core.audit import changes_between, record_audit, snapshot
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationFailed
from gonghui.core.idnumbers import InvalidIdNumber, parse_id_number
from gonghui.core.money import MoneyField, format_money, to_money
from gonghui.core.text import normalize_text
from gonghui.members.categories import MemberCategory, category_filter
from gonghui.members.models import Member, id_number_index
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at, scope_paths, visible

DESCRIPTION_MAX = 4000
MIN_YEAR = 2000
MAX_YEAR = 2100
# Far above any city's campaign, low enough that a typo of three extra zeros is caught.
MAX_BUDGET = Decimal("100000000.00")
MAX_PER_PERSON = Decimal("100000.00")
INSERT_BATCH = 2000

AUDITED_FIELDS = (
    "season",
    "year",
    "title",
    "description",
    "budget",
    "amount_per_person",
    "fund_id",
    "eligible_org_id",
    "grades",
    "categories",
    "applications_from",
    "applications_until",
)


@dataclass
class CampaignData:
    """What a campaign form sends. `eligible_org`: an org code (empty: the running org itself);
    `fund`: a fund's primary key (None: goods or services given outside the funds)."""

    season: str
    year: int | None
    title: str
    budget: Decimal | None
    amount_per_person: Decimal | None
    description: str = ""
    eligible_org: str = ""
    grades: Sequence[str] = field(default_factory=list)
    categories: Sequence[str] = field(default_factory=list)
    fund: int | None = None
    applications_from: date | None = None
    applications_until: date | None = None


# --------------------------------------------------------------------------------------------
# Reach: who sees which campaign
# --------------------------------------------------------------------------------------------


def _ancestor_paths(paths: Sequence[str]) -> set[str]:
    """Every path on the way from the root to each of `paths` (the paths themselves included)."""
    step = Org.steplen
    return {path[:end] for path in paths for end in range(step, len(path) + 1, step)}


def reachable_campaigns(user: Any, perm: Perm) -> QuerySet[CareCampaign]:
    """The campaigns `user` may open with `perm`: those of the orgs in their scope (visible())
    and those whose eligible subtree holds part of their scope, so that a union's officers reach
    the campaign of the federation above them and adjust their own union's part of its list."""
    paths = scope_paths(user, perm)
    own = visible(CareCampaign, user, perm)
    if paths is None or not paths:
        return own
    above = CareCampaign.objects.filter(eligible_org__path__in=_ancestor_paths(paths))
    return CareCampaign.objects.filter(Q(pk__in=own.values("pk")) | Q(pk__in=above.values("pk")))


def no_such_campaign_message() -> str:
    return _("There is no such campaign.")


def org_not_in_scope_message() -> str:
    return _("Choose an organisation in your scope.")


def beneficiaries_in_reach(campaign: CareCampaign, user: Any) -> QuerySet[CareBeneficiary]:
    """The campaign's list as `user` sees it: all of it for the campaign's org and above, their
    own subtree's part for a union's officers."""
    return visible(CareBeneficiary, user, Perm.ASSISTANCE_VIEW).filter(campaign=campaign)


def get_reachable(user: Any, perm: Perm, pk: int, *, lock: bool = False) -> CareCampaign:
    """The campaign, or NotFound whether it is missing or out of reach."""
    rows = reachable_campaigns(user, perm).select_related("org", "eligible_org", "fund__org")
    if lock:
        rows = rows.select_for_update(of=("self",))
    found = rows.filter(pk=pk).first()
    if found is None:
        raise NotFound(no_such_campaign_message())
    return found


def may_run(user: Any, campaign: CareCampaign) -> bool:
    """Whether `user` may edit the campaign and take it through its workflow."""
    return has_perm_at(user, Perm.ASSISTANCE_HANDLE, campaign.org.path)


def may_pay(user: Any, campaign: CareCampaign) -> bool:
    return campaign.fund is not None and has_perm_at(user, Perm.ASSISTANCE_FUNDS, campaign.fund.org.path)


def _pk(obj: Any) -> int:
    return int(obj.pk if hasattr(obj, "pk") else obj)


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def _in_subtree(org: Org, root: Org) -> bool:
    return bool(org.path.startswith(root.path))


def _money(value: Decimal | None, name: str, errors: FieldErrors, *, limit: Decimal, missing: str) -> None:
    if value is None:
        errors.add(name, missing)
    elif value < 0:
        errors.add(name, _("The amount cannot be negative."))
    elif to_money(value) != value:
        errors.add(name, _("The amount has at most two decimals."))
    elif value > limit:
        errors.add(name, _("The amount may be at most %(max)s.") % {"max": format_money(limit)})


def _clean(org: Org, data: CampaignData, errors: FieldErrors) -> dict[str, Any]:
    """Every rule of a campaign's data, problems collected in `errors`; the values to write."""
    if data.season not in Season.values:
        errors.add("season", _("Choose the season of the campaign."))
    year = data.year
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        errors.add(
            "year",
            _("The year is a whole number from %(min)s to %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR},
        )
    title = normalize_text(data.title or "")
    if not title:
        errors.add("title", _("Give the campaign a title."))
    elif len(title) > MAX_NAME:
        errors.add("title", _("The title may have at most %(max)s characters.") % {"max": MAX_NAME})
    description = (data.description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        errors.add(
            "description",
            _("The description may have at most %(max)s characters.") % {"max": DESCRIPTION_MAX},
        )
    _money(data.budget, "budget", errors, limit=MAX_BUDGET, missing=_("Give the budget."))
    _money(
        data.amount_per_person,
        "amount_per_person",
        errors,
        limit=MAX_PER_PERSON,
        missing=_("Give the amount per person."),
    )
    if (
        data.budget is not None
        and data.amount_per_person is not None
        and "budget" not in errors.fields
        and "amount_per_person" not in errors.fields
        and data.amount_per_person > data.budget
    ):
        errors.add("amount_per_person", _("The amount per person cannot be more than the budget."))

    eligible = org
    code = normalize_text(data.eligible_org or "").upper()
    if code:
        found = Org.objects.filter(code__iexact=code).first()
        if found is None or not _in_subtree(found, org):
            errors.add(
                "eligible_org", _("Give the code of %(org)s or of a union under it.") % {"org": org.name}
            )
        else:
            eligible = found

    grades = list(dict.fromkeys(data.grades or []))
    if any(grade not in HardshipGrade.values for grade in grades):
        errors.add("grades", _("Choose hardship grades from the list."))
    categories = list(dict.fromkeys(data.categories or []))
    if any(category not in MemberCategory.values for category in categories):
        errors.add("categories", _("Choose categories from the list."))

    fund: Fund | None = None
    if data.fund is not None:
        fund = Fund.objects.select_related("org").filter(pk=data.fund).first()
        if fund is None or not org.path.startswith(fund.org.path):
            errors.add(
                "fund", _("Choose a fund of %(org)s or of an organisation above it.") % {"org": org.name}
            )
            fund = None
        elif fund.status != FundStatus.OPEN:
            errors.add("fund", _("This fund is closed: choose an open fund."))
            fund = None

    starts, ends = data.applications_from, data.applications_until
    if data.season == Season.AUTUMN_EDUCATION:
        if starts is None:
            errors.add("applications_from", _("Give the first day applications are taken."))
        if ends is None:
            errors.add("applications_until", _("Give the last day applications are taken."))
        if starts is not None and ends is not None and ends < starts:
            errors.add("applications_until", _("The last day cannot be before the first day."))
    else:
        # Only an education campaign takes applications; a window elsewhere would mean nothing.
        starts = ends = None

    return {
        "season": data.season,
        "year": year,
        "title": title,
        "description": description,
        "budget": data.budget,
        "amount_per_person": data.amount_per_person,
        "fund": fund,
        "eligible_org": eligible,
        "grades": grades,
        "categories": categories,
        "applications_from": starts,
        "applications_until": ends,
    }


def _require_run(actor: Any, org: Org) -> None:
    if not has_perm_at(actor, Perm.ASSISTANCE_HANDLE, org.path):
        raise Forbidden(
            _("Only assistance officers of %(org)s or of an organisation above it may run its campaigns.")
            % {"org": org.name}
        )


def _history(campaign: CareCampaign, action: str, before: str, actor: Any, comment: str = "") -> None:
    CareCampaignHistory.objects.create(
        campaign=campaign,
        action=action,
        from_status=before,
        to_status=campaign.status,
        actor=actor,
        comment=comment,
    )


# --------------------------------------------------------------------------------------------
# Creating and editing
# --------------------------------------------------------------------------------------------


@transaction.atomic
def create_campaign(org: Org, *, actor: Any, data: CampaignData) -> CareCampaign:
    """A new campaign of `org`, in draft."""
    _require_run(actor, org)
    errors = FieldErrors()
    values = _clean(org, data, errors)
    errors.raise_if_any()
    campaign = CareCampaign.objects.create(
        org=org, created_by=actor, status=CareCampaignStatus.DRAFT, **values
    )
    _history(campaign, CareCampaignAction.CREATE, "", actor)
    record_audit(
        actor=actor,
        action="assistance.create_campaign",
        obj=campaign,
        org=org,
        changes=changes_between({}, snapshot(campaign, AUDITED_FIELDS)),
    )
    return campaign


@transaction.atomic
def update_campaign(campaign: CareCampaign | int, *, actor: Any, data: CampaignData) -> CareCampaign:
    """Change a draft campaign (once its list is built the rules stay as the list was built by)."""
    found = get_reachable(actor, Perm.ASSISTANCE_VIEW, _pk(campaign), lock=True)
    _require_run(actor, found.org)
    if found.status != CareCampaignStatus.DRAFT:
        raise Conflict(
            _("The campaign is “%(status)s”: only a draft can be changed.")
            % {"status": found.get_status_display()}
        )
    errors = FieldErrors()
    values = _clean(found.org, data, errors)
    errors.raise_if_any()
    before = snapshot(found, AUDITED_FIELDS)
    for name, value in values.items():
        setattr(found, name, value)
    found.save()
    record_audit(
        actor=actor,
        action="assistance.update_campaign",
        obj=found,
        org=found.org,
        changes=changes_between(before, snapshot(found, AUDITED_FIELDS)),
    )
    return found


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------


def list_total(campaign: CareCampaign) -> Decimal:
    total = CareBeneficiary.objects.filter(campaign=campaign).aggregate(total=Sum("amount"))["total"]
    return to_money(total or ZERO)


def _over_budget(campaign: CareCampaign, total: Decimal) -> str:
    return _("The list would come to %(total)s, %(over)s more than the budget of %(budget)s.") % {
        "total": format_money(total),
        "over": format_money(total - campaign.budget),
        "budget": format_money(campaign.budget),
    }


def _require_within_budget(campaign: CareCampaign, total: Decimal, field_name: str = "amount") -> None:
    if total > campaign.budget:
        message = _over_budget(campaign, total)
        raise Conflict(message, code="over_budget", fields={field_name: [message]} if field_name else None)


# --------------------------------------------------------------------------------------------
# Building the list by the rules
# --------------------------------------------------------------------------------------------


def _on_file(grades: Sequence[str]) -> QuerySet[HardshipFile]:
    files = HardshipFile.objects.filter(
        status=HardshipFileStatus.ON_FILE, person_index=OuterRef("id_number_index")
    )
    return files.filter(grade__in=list(grades)) if grades else files


def rule_members(campaign: CareCampaign) -> QuerySet[Member]:
    """The members the campaign's rules pick (an education campaign: who may apply)."""
    members = (
        Member.objects.active().in_subtree(campaign.eligible_org).filter(category_filter(campaign.categories))
    )
    if campaign.grades:
        members = members.filter(Exists(_on_file(campaign.grades)))
    return members


def insert_rule_picks(campaign: CareCampaign, matching: QuerySet[Member], actor: Any) -> None:
    """Put the members the rules pick on the list in one INSERT … SELECT: a city's winter
    campaign picks tens of thousands, which should not travel through Python. ON CONFLICT DO
    NOTHING (PostgreSQL and SQLite alike) leaves the people already on the list as they are;
    the unique index on (campaign, person) decides, also against a build running meanwhile."""
    now = timezone.now()
    user_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    # Every column an annotation, in the table's column order: the SELECT lists them so.
    values = {
        "pick_campaign": Value(campaign.pk, output_field=IntegerField()),
        "pick_member": F("pk"),
        "pick_person": F("id_number_index"),
        "pick_org": F("org_id"),
        "pick_file": Subquery(_on_file(()).order_by("-id").values("pk")[:1]),
        "pick_amount": Value(campaign.amount_per_person, output_field=MoneyField()),
        "pick_source": Value(BeneficiarySource.RULE, output_field=CharField()),
        "pick_note": Value("", output_field=CharField()),
        # Cast, not just typed: PostgreSQL reads a bare NULL in a SELECT as text (a build by the demo
        # or a script has no acting account).
        "pick_by": Cast(Value(user_id), output_field=BigIntegerField()),
        "pick_created": Value(now, output_field=DateTimeField()),
        "pick_updated": Value(now, output_field=DateTimeField()),
    }
    picked = matching.order_by().annotate(**values).values_list(*values)
    select, params = picked.query.sql_with_params()
    table = connection.ops.quote_name(CareBeneficiary._meta.db_table)
    column_of = {field.name: field.column for field in CareBeneficiary._meta.concrete_fields}
    names = ("campaign", "member", "person_index", "org", "hardship_file", "amount", "source", "note")
    columns = ", ".join(
        connection.ops.quote_name(column_of[name])
        for name in (*names, "added_by", "created_at", "updated_at")
    )
    # "WHERE 1 = 1": SQLite reads ON CONFLICT after a bare SELECT as part of a join.
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT * FROM ({select}) picked WHERE 1 = 1 ON CONFLICT DO NOTHING"  # noqa: S608 - names from the model, values as parameters
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@dataclass(frozen=True)
class BuildOutcome:
    added: int
    dropped: int
    people: int
    total: Decimal


@transaction.atomic
def build_list(campaign: CareCampaign | int, *, actor: Any, comment: str = "") -> BuildOutcome:
    """Build (or build again) the list by the rules: see the module's docstring."""
    found = get_reachable(actor, Perm.ASSISTANCE_VIEW, _pk(campaign), lock=True)
    transition = CARE_CAMPAIGN_TRANSITIONS.lookup(CareCampaignAction.BUILD_LIST)
    _require_run(actor, found.org)
    CARE_CAMPAIGN_TRANSITIONS.require(CareCampaignAction.BUILD_LIST, found.status)
    before_status = found.status
    rows = CareBeneficiary.objects.filter(campaign=found)
    added = dropped = 0
    if not found.takes_applications:
        # People an officer took off stay off (CareExclusion); the rest is the rules' choice.
        matching = rule_members(found).exclude(
            id_number_index__in=CareExclusion.objects.filter(campaign=found).values("person_index")
        )
        stale = rows.filter(source=BeneficiarySource.RULE, grant__isnull=True).exclude(
            person_index__in=matching.values("id_number_index")
        )
        dropped, _details = stale.delete()
        count_before = rows.count()
        insert_rule_picks(found, matching, actor)
        added = rows.count() - count_before
    total = list_total(found)
    _require_within_budget(found, total, "")
    found.status = transition.target
    found.save(update_fields=["status", "updated_at"])
    comment = normalize_text(comment)[:MAX_REASON]
    _history(found, CareCampaignAction.BUILD_LIST, before_status, actor, comment)
    people = rows.count()
    record_audit(
        actor=actor,
        action="assistance.build_campaign_list",
        obj=found,
        org=found.org,
        changes={"status": [before_status, found.status], "people": [people - added + dropped, people]},
        note=_("%(added)s added, %(dropped)s no longer picked by the rules")
        % {"added": added, "dropped": dropped},
    )
    return BuildOutcome(added=added, dropped=dropped, people=people, total=total)


# --------------------------------------------------------------------------------------------
# Confirming, reopening, closing
# --------------------------------------------------------------------------------------------


def _unpaid(campaign: CareCampaign) -> QuerySet[CareBeneficiary]:
    return CareBeneficiary.objects.filter(campaign=campaign, grant__isnull=True, amount__gt=0)


@transaction.atomic
def change_status(
    campaign: CareCampaign | int, *, actor: Any, action: str, comment: str = ""
) -> CareCampaign:
    """Confirm, reopen or close the list (building it is `build_list`)."""
    found = get_reachable(actor, Perm.ASSISTANCE_VIEW, _pk(campaign), lock=True)
    transition = CARE_CAMPAIGN_TRANSITIONS.lookup(action)
    if action == CareCampaignAction.BUILD_LIST:
        message = _("Unknown action.")
        raise ValidationFailed(message, fields={"action": [message]})
    _require_run(actor, found.org)
    CARE_CAMPAIGN_TRANSITIONS.require(action, found.status)
    if action == CareCampaignAction.CONFIRM:
        if not CareBeneficiary.objects.filter(campaign=found).exists():
            raise Conflict(_("The list is empty: there is nothing to confirm."), code="empty_list")
        _require_within_budget(found, list_total(found), "")
    elif action == CareCampaignAction.REOPEN:
        if CareBeneficiary.objects.filter(campaign=found, grant__isnull=False).exists():
            raise Conflict(
                _("Payments have been made from this list: it can no longer be reopened."),
                code="already_paid",
            )
    elif action == CareCampaignAction.CLOSE and found.fund is not None:
        unpaid = _unpaid(found).count()
        if unpaid:
            raise Conflict(
                _("%(count)s people on the list have not been paid yet: pay them before closing.")
                % {"count": unpaid},
                code="not_paid",
            )
    before = found.status
    found.status = transition.target
    found.save(update_fields=["status", "updated_at"])
    comment = normalize_text(comment)[:MAX_REASON]
    _history(found, action, before, actor, comment)
    record_audit(
        actor=actor,
        action=f"assistance.{action}_campaign",
        obj=found,
        org=found.org,
        changes={"status": [before, found.status]},
        note=comment,
    )
    return found


# --------------------------------------------------------------------------------------------
# Adjusting the list
# --------------------------------------------------------------------------------------------


def _require_listing(campaign: CareCampaign) -> None:
    if campaign.status != CareCampaignStatus.LISTING:
        raise Conflict(
            _("The list is “%(status)s”: it can be changed only while it is being prepared.")
            % {"status": campaign.get_status_display()},
            code="list_locked",
        )


def _require_adjust(actor: Any, org: Org) -> None:
    if not has_perm_at(actor, Perm.ASSISTANCE_HANDLE, org.path):
        raise Forbidden(
            _("Only assistance officers of %(org)s or above it may change its part of the list.")
            % {"org": org.name}
        )


def _reason(reason: str, errors: FieldErrors) -> str:
    text = normalize_text(reason or "")
    if not text:
        errors.add("reason", _("Give the reason."))
    elif len(text) > MAX_REASON:
        errors.add("reason", _("At most %(max)s characters.") % {"max": MAX_REASON})
    return text


def _amount(value: Decimal | None, errors: FieldErrors) -> None:
    _money(value, "amount", errors, limit=MAX_PER_PERSON, missing=_("Give the amount."))


def already_on_list_message() -> str:
    return _("This person is already on the list of this campaign: a campaign gives each person once.")


def insert_beneficiary(row: CareBeneficiary) -> None:
    """Save a new row; the unique index is the last word on "once per person". A person put on
    the list by hand is no longer one an officer took off."""
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        message = already_on_list_message()
        raise Conflict(message, code="already_on_list", fields={"id_number": [message]}) from None
    CareExclusion.objects.filter(campaign_id=row.campaign_id, person_index=row.person_index).delete()


@transaction.atomic
def add_beneficiary(
    campaign: CareCampaign | int, *, actor: Any, id_number: str, amount: Decimal | None = None, note: str = ""
) -> CareBeneficiary:
    """Add a member of the eligible subtree (found by ID number) to the list being prepared; the
    actor must hold ASSISTANCE_HANDLE on the member's union."""
    found = get_reachable(actor, Perm.ASSISTANCE_VIEW, _pk(campaign), lock=True)
    _require_listing(found)
    errors = FieldErrors()
    person = ""
    try:
        person = id_number_index(parse_id_number(id_number or "").value)
    except InvalidIdNumber as exc:
        errors.add("id_number", exc.message)
    value = found.amount_per_person if amount is None else amount
    _amount(value, errors)
    text = normalize_text(note or "")
    if len(text) > MAX_REASON:
        errors.add("note", _("At most %(max)s characters.") % {"max": MAX_REASON})
    errors.raise_if_any()
    member = (
        visible(Member.objects.active().in_subtree(found.eligible_org), actor, Perm.ASSISTANCE_HANDLE)
        .filter(id_number_index=person)
        .select_related("org")
        .first()
    )
    if member is None:
        message = _("No active member with this ID number in %(org)s is in your scope.") % {
            "org": found.eligible_org.name
        }
        raise ValidationFailed(message, fields={"id_number": [message]})
    _require_adjust(actor, member.org)
    if CareBeneficiary.objects.filter(campaign=found, person_index=person).exists():
        message = already_on_list_message()
        raise Conflict(message, code="already_on_list", fields={"id_number": [message]})
    _require_within_budget(found, list_total(found) + to_money(value))
    hardship = (
        HardshipFile.objects.filter(status=HardshipFileStatus.ON_FILE, person_index=person)
        .order_by("-id")
        .first()
    )
    row = CareBeneficiary(
        campaign=found,
        member=member,
        person_index=person,
        org=member.org,
        hardship_file=hardship,
        amount=to_money(value),
        source=BeneficiarySource.OFFICER,
        note=text,
        added_by=actor,
    )
    insert_beneficiary(row)
    record_audit(
        actor=actor,
        action="assistance.add_beneficiary",
        obj=found,
        org=member.org,
        changes={
            "beneficiary": [
                None,
                {"member": member.pk, "name": member.masked_name, "amount": str(row.amount)},
            ]
        },
        note=text,
    )
    return row


def _locked_beneficiary(
    campaign_pk: int, beneficiary_pk: int, actor: Any
) -> tuple[CareCampaign, CareBeneficiary]:
    found = get_reachable(actor, Perm.ASSISTANCE_VIEW, campaign_pk, lock=True)
    row = (
        visible(CareBeneficiary, actor, Perm.ASSISTANCE_VIEW)
        .select_for_update(of=("self",))
        .select_related("member", "org")
        .filter(campaign=found, pk=beneficiary_pk)
        .first()
    )
    if row is None:
        raise NotFound(_("This person is not on the list."))
    return found, row


@transaction.atomic
def remove_beneficiary(
    campaign: CareCampaign | int, beneficiary: CareBeneficiary | int, *, actor: Any, reason: str
) -> None:
    """Take a person off the list being prepared, with the reason (kept in the audit log)."""
    found, row = _locked_beneficiary(_pk(campaign), _pk(beneficiary), actor)
    _require_adjust(actor, row.org)
    _require_listing(found)
    errors = FieldErrors()
    text = _reason(reason, errors)
    errors.raise_if_any()
    gone = {
        "member": row.member_id,
        "name": row.member.masked_name,
        "amount": str(row.amount),
        "source": row.source,
    }
    row.delete()
    CareExclusion.objects.update_or_create(
        campaign=found,
        person_index=row.person_index,
        defaults={"reason": text, "actor": actor if getattr(actor, "is_authenticated", False) else None},
    )
    record_audit(
        actor=actor,
        action="assistance.remove_beneficiary",
        obj=found,
        org=row.org,
        changes={"beneficiary": [gone, None]},
        note=text,
    )


@transaction.atomic
def change_amount(
    campaign: CareCampaign | int,
    beneficiary: CareBeneficiary | int,
    *,
    actor: Any,
    amount: Decimal | None,
    reason: str,
) -> CareBeneficiary:
    """Change one person's amount on the list being prepared, with the reason."""
    found, row = _locked_beneficiary(_pk(campaign), _pk(beneficiary), actor)
    _require_adjust(actor, row.org)
    _require_listing(found)
    errors = FieldErrors()
    _amount(amount, errors)
    text = _reason(reason, errors)
    errors.raise_if_any()
    assert amount is not None
    new = to_money(amount)
    _require_within_budget(found, list_total(found) - row.amount + new)
    before = str(row.amount)
    row.amount = new
    row.note = text
    row.save(update_fields=["amount", "note", "updated_at"])
    record_audit(
        actor=actor,
        action="assistance.change_beneficiary_amount",
        obj=found,
        org=row.org,
        changes={"amount": [before, str(new)], "member": [row.member_id, row.member_id]},
        note=text,
    )
    return row


# --------------------------------------------------------------------------------------------
# Paying from the fund
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PayOutcome:
    grants: int
    total: Decimal


@transaction.atomic
def pay_campaign(campaign: CareCampaign | int, *, actor: Any) -> PayOutcome:
    """One approved grant per unpaid beneficiary with an amount, the fund debited in the same
    transaction (not enough money: nothing is written). Run again, it pays only who is left."""
    found = get_reachable(actor, Perm.ASSISTANCE_VIEW, _pk(campaign), lock=True)
    if found.fund is None:
        raise Conflict(_("This campaign is not paid from a fund."), code="no_fund")
    if not has_perm_at(actor, Perm.ASSISTANCE_FUNDS, found.fund.org.path):
        raise Forbidden(
            _("Only the fund keepers of %(org)s or of an organisation above it may pay from %(fund)s.")
            % {"org": found.fund.org.name, "fund": found.fund.name}
        )
    if found.status != CareCampaignStatus.CONFIRMED:
        raise Conflict(_("Confirm the list before paying."), code="not_confirmed")
    rows = list(_unpaid(found).select_for_update(of=("self",)).order_by("id"))
    if not rows:
        raise Conflict(_("Everyone on the list has been paid."), code="nothing_to_pay")
    needed = to_money(sum((row.amount for row in rows), ZERO))
    balance = Fund.objects.values_list("balance", flat=True).get(pk=found.fund.pk)
    if balance < needed:
        # Saves writing thousands of grants only to roll them back; book_entries stays the guard.
        raise InsufficientFunds(balance=balance, shortfall=needed - balance)
    now = timezone.now()
    reason = _("%(title)s (%(season)s)") % {"title": found.title, "season": found.get_season_display()}
    grants = Grant.objects.bulk_create(
        [
            Grant(
                fund=found.fund,
                member_id=row.member_id,
                person_index=row.person_index,
                org_id=row.org_id,
                hardship_file_id=row.hardship_file_id,
                campaign=found,
                purpose=GrantPurpose.SEASONAL,
                amount=row.amount,
                reason=reason[:MAX_REASON],
                status=GrantStatus.APPROVED,
                proposed_by=actor,
                decided_by=actor,
                decided_at=now,
            )
            for row in rows
        ],
        batch_size=INSERT_BATCH,
    )
    if any(grant.pk is None for grant in grants):
        # SQLite before 3.35 cannot return the new keys; read them back in insertion order.
        grants = list(Grant.objects.filter(campaign=found, decided_at=now, decided_by=actor).order_by("id"))
    for row, grant in zip(rows, grants, strict=True):
        row.grant = grant
    CareBeneficiary.objects.bulk_update(rows, ["grant"], batch_size=INSERT_BATCH)
    GrantHistory.objects.bulk_create(
        [
            GrantHistory(
                grant=grant,
                action=GrantAction.APPROVE,
                from_status="",
                to_status=GrantStatus.APPROVED,
                actor=actor,
                comment=found.title,
            )
            for grant in grants
        ],
        batch_size=INSERT_BATCH,
    )
    memo = _("Care campaign: %(title)s") % {"title": found.title}
    book_entries(
        found.fund,
        actor=actor,
        bookings=[
            Booking(kind=EntryKind.GRANT, amount=-grant.amount, memo=memo[:MAX_REASON], grant=grant)
            for grant in grants
        ],
    )
    total = to_money(sum((grant.amount for grant in grants), ZERO))
    record_audit(
        actor=actor,
        action="assistance.pay_campaign",
        obj=found,
        org=found.fund.org,
        changes={"grants": [0, len(grants)], "total": [None, str(total)]},
    )
    return PayOutcome(grants=len(grants), total=total)
