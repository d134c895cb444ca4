"""Console pages: campaigns (福利活动) — the list, authoring, one campaign with its actions, and
its claims (with "mark shipped" for campaigns that ship items). Thin: parse, call one service,
render."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.benefits.models import (
    Campaign,
    CampaignAction,
    CampaignItem,
    CampaignMode,
    CampaignStatus,
    Claim,
    Delivery,
    Merchant,
    MerchantStatus,
)
from gonghui.benefits.services import campaigns as services
from gonghui.console.pages import first_org_code, table_or_page
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.core.inputs import CleanCharField
from gonghui.core.mobile import mask_mobile
from gonghui.core.money import InvalidAmount, parse_money
from gonghui.core.text import mask_name
from gonghui.members.categories import MemberCategory
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, granted_tops, has_perm_at, visible
from gonghui.orgs.selectors import org_in_scope

PAGE_SIZE = 50
CLAIMS_PAGE_SIZE = 100
SECTION = "benefits"
ITEM_ROWS = services.MAX_ITEMS
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


def _datetime_field(label: Any, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=_datetime_input(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )


def _money_or_none(text: str) -> Decimal | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return parse_money(text)
    except InvalidAmount as exc:
        raise ValidationError(exc.message) from exc


# --------------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------------


class CampaignFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All statuses")), *CampaignStatus.choices],
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Allocation"),
        required=False,
        choices=[("", gettext_lazy("All")), *CampaignMode.choices],
    )


class CampaignForm(forms.Form):
    """The campaign and a fixed number of item rows (item_<n>_name / _unit_cost / _stock / _id);
    empty rows are ignored."""

    organiser = CleanCharField(
        label=gettext_lazy("Code of the organising union"),
        max_length=32,
        help_text=gettext_lazy("The union that runs the campaign and pays for it."),
    )
    title = CleanCharField(label=gettext_lazy("Title"), max_length=services.TITLE_MAX)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=services.DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    image = forms.FileField(
        label=gettext_lazy("Image"),
        required=False,
        help_text=gettext_lazy("A JPEG, PNG or WebP picture of at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Allocation"), choices=CampaignMode.choices, widget=forms.RadioSelect
    )
    delivery = forms.ChoiceField(
        label=gettext_lazy("Delivery"), choices=Delivery.choices, widget=forms.RadioSelect
    )
    starts_at = _datetime_field(gettext_lazy("Opens at"))
    ends_at = _datetime_field(gettext_lazy("Closes at"))
    per_member_limit = forms.IntegerField(
        label=gettext_lazy("Limit per member"),
        min_value=1,
        max_value=10,
        initial=1,
        help_text=gettext_lazy("1 to 10; a lottery always has 1."),
    )
    eligible_org = CleanCharField(
        label=gettext_lazy("Code of the union whose members may take part"),
        max_length=32,
        required=False,
        help_text=gettext_lazy("Empty: the members of the organising union and every union under it."),
    )
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Only for"),
        required=False,
        choices=MemberCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every member."),
    )
    joined_before = forms.DateField(
        label=gettext_lazy("Joined before"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    budget = forms.CharField(label=gettext_lazy("Budget (yuan)"), max_length=20)
    voucher_expires_at = _datetime_field(gettext_lazy("Vouchers valid until"), required=False)
    merchants = forms.MultipleChoiceField(
        label=gettext_lazy("Redeemable at"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy(
            "For vouchers: the merchants where they can be used (hold Ctrl to pick several)."
        ),
    )
    pickup_org = CleanCharField(
        label=gettext_lazy("Code of the union where members pick up"),
        max_length=32,
        required=False,
    )
    pickup_note = CleanCharField(
        label=gettext_lazy("Where and when to pick up"), max_length=services.PICKUP_NOTE_MAX, required=False
    )

    def __init__(self, *args: Any, user: User, campaign: Campaign | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        merchants = visible(Merchant, user, Perm.BENEFITS_VIEW).filter(status=MerchantStatus.ACTIVE)
        attached: list[Merchant] = list(campaign.merchants.all()) if campaign is not None else []
        choices = {merchant.pk: merchant.name for merchant in merchants.only("pk", "name")[:2000]}
        for merchant in attached:
            choices.setdefault(merchant.pk, merchant.name)
        merchant_field = self.fields["merchants"]
        assert isinstance(merchant_field, forms.MultipleChoiceField)
        merchant_field.choices = [(str(pk), name) for pk, name in choices.items()]
        if campaign is not None:
            del self.fields["organiser"]
        for index in range(ITEM_ROWS):
            required = False
            self.fields[f"item_{index}_id"] = forms.IntegerField(required=False, widget=forms.HiddenInput)
            self.fields[f"item_{index}_name"] = CleanCharField(
                label=gettext_lazy("Item"), max_length=services.ITEM_NAME_MAX, required=required
            )
            self.fields[f"item_{index}_unit_cost"] = forms.CharField(
                label=gettext_lazy("Unit cost (yuan)"), max_length=20, required=required
            )
            self.fields[f"item_{index}_stock"] = forms.IntegerField(
                label=gettext_lazy("Stock"), min_value=1, max_value=services.MAX_STOCK, required=required
            )

    def clean_budget(self) -> Decimal | None:
        return _money_or_none(self.cleaned_data.get("budget", ""))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for index in range(ITEM_ROWS):
            key = f"item_{index}_unit_cost"
            try:
                cleaned[key] = _money_or_none(cleaned.get(key) or "")
            except ValidationError as exc:
                self.add_error(key, exc)
        return cleaned

    def item_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "number": index + 1,
                "id": self[f"item_{index}_id"],
                "name": self[f"item_{index}_name"],
                "unit_cost": self[f"item_{index}_unit_cost"],
                "stock": self[f"item_{index}_stock"],
            }
            for index in range(ITEM_ROWS)
        ]

    def main_fields(self) -> list[forms.BoundField]:
        return [field for field in self.visible_fields() if not field.name.startswith("item_")]

    def data_for_service(self, upload: Any) -> services.CampaignData:
        values = self.cleaned_data
        items = [
            services.ItemData(
                name=values.get(f"item_{index}_name") or "",
                unit_cost=values.get(f"item_{index}_unit_cost"),
                stock=values.get(f"item_{index}_stock"),
                id=values.get(f"item_{index}_id"),
            )
            for index in range(ITEM_ROWS)
        ]
        return services.CampaignData(
            title=values["title"],
            description=values.get("description") or "",
            mode=values["mode"],
            delivery=values["delivery"],
            starts_at=values["starts_at"],
            ends_at=values["ends_at"],
            budget=values["budget"],
            items=items,
            per_member_limit=values["per_member_limit"],
            eligible_org=values.get("eligible_org") or "",
            categories=values.get("categories") or [],
            joined_before=values.get("joined_before"),
            voucher_expires_at=values.get("voucher_expires_at"),
            merchants=[int(pk) for pk in values.get("merchants") or []],
            pickup_org=values.get("pickup_org") or "",
            pickup_note=values.get("pickup_note") or "",
            image=upload,
        )


def initial_of(campaign: Campaign) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "title": campaign.title,
        "description": campaign.description,
        "mode": campaign.mode,
        "delivery": campaign.delivery,
        "starts_at": campaign.starts_at,
        "ends_at": campaign.ends_at,
        "per_member_limit": campaign.per_member_limit,
        "eligible_org": campaign.eligible_org.code if campaign.eligible_org_id != campaign.org_id else "",
        "categories": list(campaign.categories or []),
        "joined_before": campaign.joined_before,
        "budget": f"{campaign.budget:.2f}",
        "voucher_expires_at": campaign.voucher_expires_at,
        "merchants": [str(pk) for pk in campaign.merchants.values_list("pk", flat=True)],
        "pickup_org": campaign.pickup_org.code if campaign.pickup_org is not None else "",
        "pickup_note": campaign.pickup_note,
    }
    for index, item in enumerate(CampaignItem.objects.filter(campaign=campaign).order_by("position", "id")):
        initial[f"item_{index}_id"] = item.pk
        initial[f"item_{index}_name"] = item.name
        initial[f"item_{index}_unit_cost"] = f"{item.unit_cost:.2f}"
        initial[f"item_{index}_stock"] = item.stock
    return initial


class ActionForm(forms.Form):
    action = forms.ChoiceField(choices=CampaignAction.choices, widget=forms.HiddenInput)
    comment = CleanCharField(label=gettext_lazy("Comment"), max_length=500, required=False)


class ShipForm(forms.Form):
    tracking_number = CleanCharField(label=gettext_lazy("Tracking number"), max_length=services.TRACKING_MAX)


# --------------------------------------------------------------------------------------------
# The list
# --------------------------------------------------------------------------------------------

COLUMNS = [
    {"key": "title", "label": gettext_lazy("Title"), "template": "benefits/campaign_cell_title.html"},
    {"key": "org.name", "label": gettext_lazy("Organising union")},
    {"key": "get_mode_display", "label": gettext_lazy("Allocation"), "class": "nowrap"},
    {"key": "get_status_display", "label": gettext_lazy("Status"), "class": "nowrap"},
    {
        "key": "starts_at",
        "label": gettext_lazy("Opens at"),
        "class": "nowrap",
        "template": "benefits/campaign_cell_time.html",
    },
    {
        "key": "ends_at",
        "label": gettext_lazy("Closes at"),
        "class": "nowrap",
        "template": "benefits/campaign_cell_time.html",
    },
]


def may_author(user: User) -> bool:
    return any(has_perm_at(user, Perm.BENEFITS_CHANGE, grant.path) for grant in granted_tops(user))


@require_GET
@officer_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = CampaignFilterForm(request.GET)
    rows = visible(Campaign, user, Perm.BENEFITS_VIEW).select_related("org")
    if form.is_valid():
        if form.cleaned_data["status"]:
            rows = rows.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["mode"]:
            rows = rows.filter(mode=form.cleaned_data["mode"])
    page = Paginator(rows.order_by("-starts_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "table_id": "campaign-table",
        "caption": _("Campaigns of the unions in your scope, latest first"),
        "columns": COLUMNS,
        "rows": page.object_list,
        "row_id": "pk",
        "page_obj": page,
        "empty_message": _("No campaign matches."),
        "may_author": may_author(user),
        "console_section": SECTION,
    }
    return table_or_page(request, "benefits/campaign_list.html", context)


# --------------------------------------------------------------------------------------------
# Authoring
# --------------------------------------------------------------------------------------------


def _default_organiser(user: User) -> str:
    return first_org_code(user, Perm.BENEFITS_CHANGE)


def _organiser(user: User, code: str) -> Org:
    return org_in_scope(user, Perm.BENEFITS_VIEW, code, field="organiser")


def _show(form: forms.Form, exc: DomainError) -> None:
    show_domain_error(form, exc)


@require_http_methods(["GET", "POST"])
@officer_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if request.method == "POST":
        form = CampaignForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            try:
                org = _organiser(user, form.cleaned_data["organiser"])
                campaign = services.create_campaign(
                    org, actor=user, data=form.data_for_service(request.FILES.get("image"))
                )
            except DomainError as exc:
                _show(form, exc)
            else:
                messages.success(
                    request, _("The campaign has been saved as a draft. Publish it when it is ready.")
                )
                return redirect("console:benefits:campaign_detail", pk=campaign.pk)
        status = 422
    else:
        initial = {
            "organiser": _default_organiser(user),
            "per_member_limit": 1,
            "mode": CampaignMode.FIRST_COME,
        }
        form = CampaignForm(initial=initial, user=user)
        status = 200
    context = {"form": form, "campaign": None, "console_section": SECTION}
    return render(request, "benefits/campaign_form.html", context, status=status)


def _visible_campaign(user: User, pk: int) -> Campaign:
    return get_visible(
        Campaign.objects.select_related("org", "eligible_org", "pickup_org", "created_by"),
        user,
        Perm.BENEFITS_VIEW,
        pk=pk,
    )


@require_http_methods(["GET", "POST"])
@officer_required
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    campaign = _visible_campaign(user, pk)
    editable = campaign.status in (CampaignStatus.DRAFT, CampaignStatus.PUBLISHED) and has_perm_at(
        user, Perm.BENEFITS_CHANGE, campaign.org.path
    )
    status = 200
    if request.method == "POST" and editable:
        form = CampaignForm(request.POST, request.FILES, user=user, campaign=campaign)
        if form.is_valid():
            try:
                services.update_campaign(
                    campaign, actor=user, data=form.data_for_service(request.FILES.get("image"))
                )
            except DomainError as exc:
                _show(form, exc)
            else:
                messages.success(request, _("The campaign has been saved."))
                return redirect("console:benefits:campaign_detail", pk=campaign.pk)
        status = 422
    else:
        form = CampaignForm(initial=initial_of(campaign), user=user, campaign=campaign)
        if request.method == "POST":
            messages.error(request, _("You cannot change this campaign."))
            status = 403
    context = {"form": form, "campaign": campaign, "editable": editable, "console_section": SECTION}
    return render(request, "benefits/campaign_form.html", context, status=status)


# --------------------------------------------------------------------------------------------
# One campaign and its actions
# --------------------------------------------------------------------------------------------


@require_GET
@officer_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    campaign = _visible_campaign(user, pk)
    may_change = has_perm_at(user, Perm.BENEFITS_CHANGE, campaign.org.path)
    context = {
        "campaign": campaign,
        "items": list(campaign.items.all()),
        "merchants": list(campaign.merchants.all()),
        "categories": [
            MemberCategory(value).label for value in campaign.categories if value in MemberCategory.values
        ],
        "history": campaign.history.select_related("actor"),
        "actions": campaign.available_actions() if may_change else [],
        "may_change": may_change,
        "editable": may_change and campaign.status in (CampaignStatus.DRAFT, CampaignStatus.PUBLISHED),
        "window": campaign.window_state(),
        "form": ActionForm(),
        "console_section": SECTION,
    }
    return render(request, "benefits/campaign_detail.html", context)


def _draw(campaign: Campaign, user: User) -> str:
    from gonghui.benefits.services.lottery import draw_lottery

    outcome = draw_lottery(campaign, actor=user)
    return _("The lottery has been drawn: %(winners)s winners among %(entries)s entries.") % {
        "winners": outcome.winners,
        "entries": outcome.entries,
    }


@require_POST
@officer_required
def campaign_action(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    campaign = _visible_campaign(user, pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
        return redirect("console:benefits:campaign_detail", pk=campaign.pk)
    action = form.cleaned_data["action"]
    comment = form.cleaned_data["comment"]
    try:
        if action == CampaignAction.PUBLISH:
            services.publish_campaign(campaign, actor=user, comment=comment)
            done = _("The campaign has been published.")
        elif action == CampaignAction.CANCEL:
            services.cancel_campaign(campaign, actor=user, comment=comment)
            done = _("The campaign has been cancelled.")
        else:
            done = _draw(campaign, user)
    except DomainError as exc:
        problems = [message for messages_ in exc.fields.values() for message in messages_]
        messages.error(request, " ".join([exc.message, *problems]) if problems else exc.message)
    else:
        messages.success(request, done)
    return redirect("console:benefits:campaign_detail", pk=campaign.pk)


# --------------------------------------------------------------------------------------------
# Claims
# --------------------------------------------------------------------------------------------


def mask_address(address: str) -> str:
    """The first six characters (province, city: enough to sort parcels), the rest hidden."""
    if len(address) <= 6:
        return "*" * len(address)
    return address[:6] + "*" * min(len(address) - 6, 8)


@require_GET
@officer_required
def campaign_claims(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    campaign = _visible_campaign(user, pk)
    shipping = campaign.delivery == Delivery.SHIPPING
    claims = (
        Claim.objects.filter(campaign=campaign)
        .select_related("member", "item", "org", "voucher")
        .order_by("-created_at", "-id")
    )
    if shipping and request.GET.get("shipped") in {"yes", "no"}:
        claims = claims.filter(shipped_at__isnull=request.GET["shipped"] == "no")
    page = Paginator(claims, CLAIMS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for claim in page.object_list:
        voucher = getattr(claim, "voucher", None)
        rows.append(
            {
                "claim": claim,
                "name": claim.member.masked_name,
                "voucher_state": voucher.state() if voucher is not None else "",
                "recipient": mask_name(claim.recipient) if claim.recipient else "",
                "mobile": mask_mobile(claim.recipient_mobile) if claim.recipient_mobile else "",
                "address": mask_address(claim.shipping_address) if claim.shipping_address else "",
            }
        )
    context = {
        "campaign": campaign,
        "rows": rows,
        "page_obj": page,
        "shipping": shipping,
        "may_ship": shipping and has_perm_at(user, Perm.BENEFITS_CHANGE, campaign.org.path),
        "ship_form": ShipForm(),
        "shipped_filter": request.GET.get("shipped", ""),
        "console_section": SECTION,
    }
    return render(request, "benefits/campaign_claims.html", context)


@require_POST
@officer_required
def campaign_ship(request: HttpRequest, pk: int, claim_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    campaign = _visible_campaign(user, pk)
    form = ShipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the tracking number."))
    else:
        claim = get_visible(Claim.objects.filter(campaign=campaign), user, Perm.BENEFITS_VIEW, pk=claim_pk)
        try:
            services.mark_shipped(claim, actor=user, tracking_number=form.cleaned_data["tracking_number"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Marked as shipped."))
    return redirect("console:benefits:campaign_claims", pk=campaign.pk)


urlpatterns: list[URLPattern] = [
    path("campaigns/", campaign_list, name="campaign_list"),
    path("campaigns/new/", campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaign_edit, name="campaign_edit"),
    path("campaigns/<int:pk>/action/", campaign_action, name="campaign_action"),
    path("campaigns/<int:pk>/claims/", campaign_claims, name="campaign_claims"),
    path("campaigns/<int:pk>/claims/<int:claim_pk>/ship/", campaign_ship, name="campaign_ship"),
]
