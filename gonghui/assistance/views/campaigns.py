"""Console pages: seasonal care campaigns — the list, authoring, one campaign with its figures and
actions, its list of beneficiaries (filters, paging, xlsx export, adding, removing, changing an
amount) and paying it from the fund. Thin: parse, call one service, render."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.assistance.models import (
    CARE_CAMPAIGN_TRANSITIONS,
    MAX_NAME,
    MAX_REASON,
    BeneficiarySource,
    CareBeneficiary,
    CareCampaign,
    CareCampaignAction,
    CareCampaignStatus,
    Fund,
    FundStatus,
    HardshipGrade,
    Season,
)
from gonghui.assistance.services import campaigns as services
from gonghui.console.pages import first_org_code
from gonghui.core.errors import DomainError, NotFound
from gonghui.core.forms import show_domain_error
from gonghui.core.inputs import CleanCharField
from gonghui.core.money import InvalidAmount, format_money, parse_money
from gonghui.core.spreadsheets import report_workbook
from gonghui.members.categories import MemberCategory, category_names
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import granted_tops, has_perm_at, visible
from gonghui.orgs.selectors import org_in_scope

PAGE_SIZE = 50
BENEFICIARY_PAGE_SIZE = 100
BY_ORG_ROWS = 20
EXPORT_MAX_ROWS = 200_000
SECTION = "care"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def money_or_none(text: str) -> Decimal | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return parse_money(text)
    except InvalidAmount as exc:
        raise ValidationError(exc.message) from exc


def _campaign(user: User, pk: int) -> CareCampaign:
    try:
        return services.get_reachable(user, Perm.ASSISTANCE_VIEW, pk)
    except NotFound as exc:
        raise Http404 from exc


def _flash_error(request: HttpRequest, exc: DomainError) -> None:
    problems = [message for texts in exc.fields.values() for message in texts if message != exc.message]
    messages.error(request, " ".join([exc.message, *problems]))


# --------------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------------


class CampaignFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All statuses")), *CareCampaignStatus.choices],
    )
    season = forms.ChoiceField(
        label=gettext_lazy("Season"),
        required=False,
        choices=[("", gettext_lazy("All seasons")), *Season.choices],
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year"), required=False, min_value=services.MIN_YEAR, max_value=services.MAX_YEAR
    )


class CampaignForm(forms.Form):
    organiser = CleanCharField(
        label=gettext_lazy("Code of the organisation running it"),
        max_length=32,
        help_text=gettext_lazy("The federation or union that runs the campaign and answers for its budget."),
    )
    season = forms.ChoiceField(label=gettext_lazy("Season"), choices=Season.choices)
    year = forms.IntegerField(
        label=gettext_lazy("Year"), min_value=services.MIN_YEAR, max_value=services.MAX_YEAR
    )
    title = CleanCharField(label=gettext_lazy("Title"), max_length=MAX_NAME)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=services.DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    budget = forms.CharField(label=gettext_lazy("Budget (yuan)"), max_length=20)
    amount_per_person = forms.CharField(label=gettext_lazy("Amount per person (yuan)"), max_length=20)
    fund = forms.TypedChoiceField(
        label=gettext_lazy("Paid from"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=gettext_lazy(
            "None: goods or services given outside the funds (still counted against the budget)."
        ),
    )
    eligible_org = CleanCharField(
        label=gettext_lazy("Code of the union whose members it is for"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("Empty: the members of the running organisation and every union under it."),
    )
    grades = forms.MultipleChoiceField(
        label=gettext_lazy("Only members on record as"),
        required=False,
        choices=HardshipGrade.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: members with a hardship file or without."),
    )
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Only for"),
        required=False,
        choices=MemberCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every member."),
    )
    applications_from = forms.DateField(
        label=gettext_lazy("Applications from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Autumn education grants only."),
    )
    applications_until = forms.DateField(
        label=gettext_lazy("Applications until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, user: User, campaign: CareCampaign | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        funds = visible(Fund, user, Perm.ASSISTANCE_VIEW).filter(status=FundStatus.OPEN).select_related("org")
        choices: list[tuple[Any, str]] = [("", _("No fund"))]
        choices += [(fund.pk, f"{fund.name}（{fund.org.name}）") for fund in funds[:500]]
        if (
            campaign is not None
            and campaign.fund is not None
            and campaign.fund_id not in {pk for pk, _label in choices}
        ):
            choices.append((campaign.fund_id, campaign.fund.name))
        fund_field = self.fields["fund"]
        assert isinstance(fund_field, forms.TypedChoiceField)
        fund_field.choices = choices
        if campaign is not None:
            del self.fields["organiser"]

    def clean_budget(self) -> Decimal | None:
        return money_or_none(self.cleaned_data.get("budget", ""))

    def clean_amount_per_person(self) -> Decimal | None:
        return money_or_none(self.cleaned_data.get("amount_per_person", ""))

    def data_for_service(self) -> services.CampaignData:
        values = self.cleaned_data
        return services.CampaignData(
            season=values["season"],
            year=values["year"],
            title=values["title"],
            description=values.get("description") or "",
            budget=values["budget"],
            amount_per_person=values["amount_per_person"],
            eligible_org=values.get("eligible_org") or "",
            grades=values.get("grades") or [],
            categories=values.get("categories") or [],
            fund=values.get("fund"),
            applications_from=values.get("applications_from"),
            applications_until=values.get("applications_until"),
        )


def initial_of(campaign: CareCampaign) -> dict[str, Any]:
    return {
        "season": campaign.season,
        "year": campaign.year,
        "title": campaign.title,
        "description": campaign.description,
        "budget": f"{campaign.budget:.2f}",
        "amount_per_person": f"{campaign.amount_per_person:.2f}",
        "fund": campaign.fund_id or "",
        "eligible_org": campaign.eligible_org.code if campaign.eligible_org_id != campaign.org_id else "",
        "grades": list(campaign.grades or []),
        "categories": list(campaign.categories or []),
        "applications_from": campaign.applications_from,
        "applications_until": campaign.applications_until,
    }


class ActionForm(forms.Form):
    action = forms.ChoiceField(choices=CareCampaignAction.choices, widget=forms.HiddenInput)
    comment = CleanCharField(label=gettext_lazy("Comment"), max_length=MAX_REASON, required=False)


class BeneficiaryFilterForm(forms.Form):
    org = CleanCharField(label=gettext_lazy("Union code"), max_length=32, required=False)
    source = forms.ChoiceField(
        label=gettext_lazy("How added"),
        required=False,
        choices=[("", gettext_lazy("All")), *BeneficiarySource.choices],
    )
    paid = forms.ChoiceField(
        label=gettext_lazy("Paid"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            ("yes", gettext_lazy("Paid")),
            ("no", gettext_lazy("Not paid yet")),
        ],
    )


class AddForm(forms.Form):
    id_number = CleanCharField(label=gettext_lazy("The member's ID number"), max_length=40)
    amount = forms.CharField(
        label=gettext_lazy("Amount (yuan)"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("Empty: the amount per person."),
    )
    note = CleanCharField(label=gettext_lazy("Why"), max_length=MAX_REASON, required=False)

    def clean_amount(self) -> Decimal | None:
        return money_or_none(self.cleaned_data.get("amount", ""))


class RemoveForm(forms.Form):
    reason = CleanCharField(label=gettext_lazy("Reason"), max_length=MAX_REASON)


class AmountForm(forms.Form):
    amount = forms.CharField(label=gettext_lazy("New amount (yuan)"), max_length=20)
    reason = CleanCharField(label=gettext_lazy("Reason"), max_length=MAX_REASON)

    def clean_amount(self) -> Decimal | None:
        value = money_or_none(self.cleaned_data.get("amount", ""))
        if value is None:
            raise ValidationError(_("Give the amount."))
        return value


# --------------------------------------------------------------------------------------------
# The list of campaigns
# --------------------------------------------------------------------------------------------


def may_author(user: User) -> bool:
    return any(has_perm_at(user, Perm.ASSISTANCE_HANDLE, grant.path) for grant in granted_tops(user))


def with_figures(rows: QuerySet[CareCampaign]) -> QuerySet[CareCampaign]:
    return rows.annotate(
        people=Count("beneficiaries"),
        list_total=Sum("beneficiaries__amount"),
        paid=Count("beneficiaries", filter=Q(beneficiaries__grant__isnull=False)),
    )


@require_GET
@officer_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = CampaignFilterForm(request.GET)
    rows = services.reachable_campaigns(user, Perm.ASSISTANCE_VIEW).select_related("org")
    if form.is_valid():
        if form.cleaned_data["status"]:
            rows = rows.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["season"]:
            rows = rows.filter(season=form.cleaned_data["season"])
        if form.cleaned_data["year"]:
            rows = rows.filter(year=form.cleaned_data["year"])
    page = Paginator(with_figures(rows).order_by("-year", "season", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "form": form,
        "page_obj": page,
        "campaigns": page.object_list,
        "may_author": may_author(user),
        "console_section": SECTION,
    }
    return render(request, "assistance/campaign_list.html", context)


# --------------------------------------------------------------------------------------------
# Authoring
# --------------------------------------------------------------------------------------------


def _default_organiser(user: User) -> str:
    return first_org_code(user, Perm.ASSISTANCE_HANDLE)


def _organiser(user: User, code: str) -> Org:
    return org_in_scope(user, Perm.ASSISTANCE_VIEW, code, field="organiser")


@require_http_methods(["GET", "POST"])
@officer_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    status = 200
    if request.method == "POST":
        form = CampaignForm(request.POST, user=user)
        if form.is_valid():
            try:
                org = _organiser(user, form.cleaned_data["organiser"])
                campaign = services.create_campaign(org, actor=user, data=form.data_for_service())
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("The campaign has been saved as a draft. Build its list when the rules are right."),
                )
                return redirect("console:assistance:campaign_detail", pk=campaign.pk)
        status = 422
    else:
        today = timezone.localdate()
        form = CampaignForm(initial={"organiser": _default_organiser(user), "year": today.year}, user=user)
    context = {"form": form, "campaign": None, "editable": True, "console_section": SECTION}
    return render(request, "assistance/campaign_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@officer_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    campaign = _campaign(user, pk)
    editable = campaign.status == CareCampaignStatus.DRAFT and services.may_run(user, campaign)
    status = 200
    if request.method == "POST" and editable:
        form = CampaignForm(request.POST, user=user, campaign=campaign)
        if form.is_valid():
            try:
                services.update_campaign(campaign, actor=user, data=form.data_for_service())
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                messages.success(request, _("The campaign has been saved."))
                return redirect("console:assistance:campaign_detail", pk=campaign.pk)
        status = 422
    else:
        form = CampaignForm(initial=initial_of(campaign), user=user, campaign=campaign)
        if request.method == "POST":
            messages.error(request, _("You cannot change this campaign."))
            status = 403
    context = {"form": form, "campaign": campaign, "editable": editable, "console_section": SECTION}
    return render(request, "assistance/campaign_form.html", context, status=status)


# --------------------------------------------------------------------------------------------
# One campaign
# --------------------------------------------------------------------------------------------


def by_org(rows: QuerySet[CareBeneficiary]) -> list[dict[str, Any]]:
    """People and money per union, the largest first (the first rows; the export has them all)."""
    return list(
        rows.values("org__name", "org__code")
        .annotate(people=Count("id"), total=Sum("amount"))
        .order_by("-people", "org__code")[:BY_ORG_ROWS]
    )


@require_GET
@officer_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    campaign = _campaign(user, pk)
    runs = services.may_run(user, campaign)
    all_rows = CareBeneficiary.objects.filter(campaign=campaign)
    figures = all_rows.aggregate(
        people=Count("id"), total=Sum("amount"), paid=Count("id", filter=Q(grant__isnull=False))
    )
    total = figures["total"] or Decimal("0.00")
    mine = services.beneficiaries_in_reach(campaign, user)
    context = {
        "campaign": campaign,
        "people": figures["people"],
        "total": total,
        "remaining": campaign.budget - total,
        "over": total > campaign.budget,
        "paid": figures["paid"],
        "by_org": by_org(mine),
        "grades": [HardshipGrade(grade).label for grade in campaign.grades if grade in HardshipGrade.values],
        "categories": category_names(campaign.categories),
        "history": campaign.history.select_related("actor"),
        "actions": CARE_CAMPAIGN_TRANSITIONS.available(campaign.status) if runs else [],
        "runs": runs,
        "editable": runs and campaign.status == CareCampaignStatus.DRAFT,
        "may_pay": services.may_pay(user, campaign) and campaign.status == CareCampaignStatus.CONFIRMED,
        "form": ActionForm(),
        "console_section": SECTION,
    }
    return render(request, "assistance/campaign_detail.html", context)


@require_POST
@officer_required
def campaign_action(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    campaign = _campaign(user, pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return redirect("console:assistance:campaign_detail", pk=campaign.pk)
    action = form.cleaned_data["action"]
    comment = form.cleaned_data["comment"]
    try:
        if action == CareCampaignAction.BUILD_LIST:
            outcome = services.build_list(campaign, actor=user, comment=comment)
            done = _(
                "The list has been built: %(added)s added, %(dropped)s no longer picked by the rules; "
                "%(people)s people, %(total)s in all."
            ) % {
                "added": outcome.added,
                "dropped": outcome.dropped,
                "people": outcome.people,
                "total": format_money(outcome.total),
            }
        else:
            updated = services.change_status(campaign, actor=user, action=action, comment=comment)
            done = _("Done: the campaign is now “%(status)s”.") % {"status": updated.get_status_display()}
    except DomainError as exc:
        _flash_error(request, exc)
    else:
        messages.success(request, done)
    return redirect("console:assistance:campaign_detail", pk=campaign.pk)


@require_POST
@officer_required
def campaign_pay(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    campaign = _campaign(user, pk)
    try:
        outcome = services.pay_campaign(campaign, actor=user)
    except DomainError as exc:
        _flash_error(request, exc)
    else:
        messages.success(
            request,
            _("%(count)s grants have been made, %(total)s paid from the fund.")
            % {"count": outcome.grants, "total": format_money(outcome.total)},
        )
    return redirect("console:assistance:campaign_detail", pk=campaign.pk)


# --------------------------------------------------------------------------------------------
# The list of beneficiaries
# --------------------------------------------------------------------------------------------


def _filtered(campaign: CareCampaign, user: User, form: BeneficiaryFilterForm) -> QuerySet[CareBeneficiary]:
    rows = services.beneficiaries_in_reach(campaign, user)
    if form.is_valid():
        code = form.cleaned_data["org"]
        if code:
            org = visible(Org, user, Perm.ASSISTANCE_VIEW).filter(code__iexact=code).first()
            rows = rows.filter(org__path__startswith=org.path) if org is not None else rows.none()
        if form.cleaned_data["source"]:
            rows = rows.filter(source=form.cleaned_data["source"])
        if form.cleaned_data["paid"]:
            rows = rows.filter(grant__isnull=form.cleaned_data["paid"] == "no")
    return rows.select_related("member", "org", "hardship_file").order_by("org__path", "id")


def _beneficiaries_page(
    request: HttpRequest, campaign: CareCampaign, user: User, add_form: AddForm, status: int = 200
) -> HttpResponse:
    form = BeneficiaryFilterForm(request.GET)
    page = Paginator(_filtered(campaign, user, form), BENEFICIARY_PAGE_SIZE).get_page(request.GET.get("page"))
    listing = campaign.status == CareCampaignStatus.LISTING
    rows = [
        {"row": row, "adjustable": listing and has_perm_at(user, Perm.ASSISTANCE_HANDLE, row.org.path)}
        for row in page.object_list
    ]
    context = {
        "campaign": campaign,
        "form": form,
        "page_obj": page,
        "rows": rows,
        "listing": listing,
        "may_add": listing and may_author(user),
        "add_form": add_form,
        "remove_form": RemoveForm(),
        "amount_form": AmountForm(),
        "query": request.GET.urlencode(),
        "console_section": SECTION,
    }
    return render(request, "assistance/campaign_beneficiaries.html", context, status=status)


@require_GET
@officer_required
def beneficiary_list(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    campaign = _campaign(user, pk)
    return _beneficiaries_page(request, campaign, user, AddForm())


@require_POST
@officer_required
def beneficiary_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    campaign = _campaign(user, pk)
    form = AddForm(request.POST)
    if form.is_valid():
        try:
            row = services.add_beneficiary(
                campaign,
                actor=user,
                id_number=form.cleaned_data["id_number"],
                amount=form.cleaned_data["amount"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s has been added to the list (%(amount)s).")
                % {"name": row.member.masked_name, "amount": format_money(row.amount)},
            )
            return redirect("console:assistance:beneficiary_list", pk=campaign.pk)
    return _beneficiaries_page(request, campaign, user, form, status=422)


def _row(user: User, campaign: CareCampaign, beneficiary_pk: int) -> CareBeneficiary:
    row = services.beneficiaries_in_reach(campaign, user).filter(pk=beneficiary_pk).first()
    if row is None:
        raise Http404
    return row


@require_POST
@officer_required
def beneficiary_remove(request: HttpRequest, pk: int, beneficiary_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    campaign = _campaign(user, pk)
    row = _row(user, campaign, beneficiary_pk)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for taking this person off the list."))
    else:
        try:
            services.remove_beneficiary(campaign, row, actor=user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            _flash_error(request, exc)
        else:
            messages.success(request, _("The person has been taken off the list."))
    return redirect("console:assistance:beneficiary_list", pk=campaign.pk)


@require_POST
@officer_required
def beneficiary_amount(request: HttpRequest, pk: int, beneficiary_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    campaign = _campaign(user, pk)
    row = _row(user, campaign, beneficiary_pk)
    form = AmountForm(request.POST)
    if not form.is_valid():
        problems = [message for texts in form.errors.values() for message in texts]
        messages.error(request, " ".join(str(problem) for problem in problems))
    else:
        try:
            services.change_amount(
                campaign,
                row,
                actor=user,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            _flash_error(request, exc)
        else:
            messages.success(request, _("The amount has been changed."))
    return redirect("console:assistance:beneficiary_list", pk=campaign.pk)


@require_GET
@officer_required
def beneficiary_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The list in the caller's reach as a workbook (every cell written as text or a number,
    never a formula; names and ID numbers masked)."""
    user = signed_in_user(request)
    campaign = _campaign(user, pk)
    rows = _filtered(campaign, user, BeneficiaryFilterForm(request.GET))[:EXPORT_MAX_ROWS]
    headers = [
        _("Union"),
        _("Union code"),
        pgettext("person", "Name"),
        _("ID number"),
        _("Hardship grade"),
        _("Amount (yuan)"),
        _("How added"),
        _("Note"),
        _("Paid"),
    ]

    def lines() -> Any:
        for row in rows.iterator(chunk_size=2000):
            yield [
                row.org.name,
                row.org.code,
                row.member.masked_name,
                row.member.masked_id_number,
                row.hardship_file.get_grade_display() if row.hardship_file is not None else "",
                f"{row.amount:.2f}",
                row.get_source_display(),
                row.note,
                _("Yes") if row.grant_id else _("No"),
            ]

    content = report_workbook(
        sheet_name=_("Beneficiaries"),
        summary=[
            (_("Campaign"), campaign.title),
            (_("Run by"), campaign.org.name),
            (_("Status"), str(campaign.get_status_display())),
            (_("Exported on"), date.today().isoformat()),
        ],
        headers=headers,
        rows=lines(),
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="care-campaign-{campaign.pk}.xlsx"'
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns: list[URLPattern] = [
    path("campaigns/", campaign_list, name="campaign_list"),
    path("campaigns/new/", campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/action/", campaign_action, name="campaign_action"),
    path("campaigns/<int:pk>/pay/", campaign_pay, name="campaign_pay"),
    path("campaigns/<int:pk>/beneficiaries/", beneficiary_list, name="beneficiary_list"),
    path("campaigns/<int:pk>/beneficiaries/add/", beneficiary_add, name="beneficiary_add"),
    path("campaigns/<int:pk>/beneficiaries/export/", beneficiary_export, name="beneficiary_export"),
    path(
        "campaigns/<int:pk>/beneficiaries/<int:beneficiary_pk>/remove/",
        beneficiary_remove,
        name="beneficiary_remove",
    ),
    path(
        "campaigns/<int:pk>/beneficiaries/<int:beneficiary_pk>/amount/",
        beneficiary_amount,
        name="beneficiary_amount",
    ),
]
