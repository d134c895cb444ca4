"""Portal pages: the campaigns for me (福利), one campaign with its button, and the public draw record.

The claim button is a plain POST form carrying an idempotency key made when the page was
rendered: a double tap, or pressing again after a slow answer, sends the same key, and the
service answers it with the first claim instead of claiming twice. Every refusal of the service
is shown on the page, with nothing written.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from gonghui.accounts.models import User
from gonghui.benefits.codes import normalise_code
from gonghui.benefits.models import Campaign, CampaignMode, CampaignStatus, Delivery
from gonghui.benefits.offers import MyStanding, listed_campaigns, my_standing
from gonghui.benefits.services import claims as claim_services
from gonghui.benefits.services import lottery
from gonghui.core.errors import DomainError
from gonghui.core.forms import show_domain_error
from gonghui.members.categories import MemberCategory
from gonghui.members.services.selfservice import current_membership

CAMPAIGNS_PER_PAGE = 20
DRAW_ENTRIES_PER_PAGE = 50
TICKET_PREFIX = 12


def _signed_in(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def optional_url(name: str) -> str | None:
    """The URL of a page another part of the app may not have built yet."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@dataclass(frozen=True)
class CampaignCard:
    campaign: Campaign
    state: str  # upcoming / open / ended / drawn
    remaining: int
    stock: int


def campaign_state(campaign: Campaign) -> str:
    if campaign.status == CampaignStatus.DRAWN or campaign.drawn_at is not None:
        return "drawn"
    return campaign.window_state()


def _card(campaign: Campaign) -> CampaignCard:
    items = list(campaign.items.all())  # prefetched by listed_campaigns
    return CampaignCard(
        campaign=campaign,
        state=campaign_state(campaign),
        remaining=sum(item.remaining for item in items),
        stock=sum(item.stock for item in items),
    )


@require_GET
def benefits(request: HttpRequest) -> HttpResponse:
    """福利: the campaigns for the signed-in member (every listed campaign for a visitor)."""
    user = _signed_in(request)
    member = current_membership(user) if user is not None else None
    page = Paginator(listed_campaigns(member), CAMPAIGNS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "cards": [_card(campaign) for campaign in page.object_list],
        "page_obj": page,
        "merchant_list_url": optional_url("portal:merchant_list"),
        "pledges_url": optional_url("portal:pledges"),
        "signed_in": user is not None,
    }
    return render(request, "benefits/portal_campaign_list.html", context)


# --- one campaign -----------------------------------------------------------------------------


class ActionForm(forms.Form):
    """The button: the idempotency key, the item (when there are several) and, for campaigns
    that post the item, where to send it."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    item = forms.TypedChoiceField(label=gettext_lazy("Item"), coerce=int, widget=forms.RadioSelect)
    recipient = forms.CharField(label=gettext_lazy("Recipient"), max_length=60)
    mobile = forms.CharField(
        label=gettext_lazy("Recipient's mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    address = forms.CharField(
        label=gettext_lazy("Postal address"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
    )

    def __init__(self, campaign: Campaign, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = list(campaign.items.all())
        if len(items) > 1:
            item_field = self.fields["item"]
            assert isinstance(item_field, forms.TypedChoiceField)
            item_field.choices = [
                (
                    item.pk,
                    _("%(name)s (%(remaining)s left)") % {"name": item.name, "remaining": item.remaining},
                )
                if not campaign.is_lottery
                else (item.pk, item.name)
                for item in items
            ]
        else:
            del self.fields["item"]
        if campaign.is_lottery or campaign.delivery != Delivery.SHIPPING:
            for name in ("recipient", "mobile", "address"):
                del self.fields[name]
        else:
            self.fields["recipient"].widget.attrs["autocomplete"] = "name"


def new_action_form(campaign: Campaign) -> ActionForm:
    return ActionForm(campaign, initial={"idempotency_key": secrets.token_urlsafe(16)})


def eligibility_rules(campaign: Campaign) -> list[str]:
    """Who may take part and how the items are handed over, in words for members."""
    rules = [
        _("Active members of %(org)s and of every union under it.") % {"org": campaign.eligible_org.name}
    ]
    if campaign.categories:
        names = "、".join(str(MemberCategory(code).label) for code in campaign.categories)
        rules.append(_("Only for: %(categories)s.") % {"categories": names})
    if campaign.joined_before is not None:
        rules.append(
            _("Members who joined before %(date)s.")
            % {"date": date_format(campaign.joined_before, "DATE_FORMAT")}
        )
    if campaign.is_lottery:
        rules.append(_("One entry per member; the winners are drawn after entries close."))
    elif campaign.per_member_limit == 1:
        rules.append(_("Each member may claim once."))
    else:
        rules.append(_("Each member may claim up to %(n)s.") % {"n": campaign.per_member_limit})
    return rules


def delivery_words(campaign: Campaign) -> str:
    if campaign.delivery == Delivery.VOUCHER:
        names = "、".join(merchant.name for merchant in campaign.merchants.all())
        if names:
            return _("You get a voucher to use at: %(merchants)s.") % {"merchants": names}
        return _("You get a voucher to use at the named merchants.")
    if campaign.delivery == Delivery.PICKUP:
        place = campaign.pickup_org.name if campaign.pickup_org else ""
        words = _("You get a voucher to show when you pick the item up at %(place)s.") % {"place": place}
        return f"{words} {campaign.pickup_note}".strip()
    return _("The item is posted to the address you give.")


def _campaign(pk: int) -> Campaign:
    return get_object_or_404(
        Campaign.objects.listed().select_related("org", "eligible_org", "pickup_org"), pk=pk
    )


def _standing_context(campaign: Campaign, standing: MyStanding | None) -> dict[str, Any]:
    claims = standing.claims if standing else []
    vouchers = [claim.voucher for claim in claims if hasattr(claim, "voucher")]
    limit_reached = not campaign.is_lottery and len(claims) >= campaign.per_member_limit
    return {"standing": standing, "my_vouchers": vouchers, "limit_reached": limit_reached}


def _act(request: HttpRequest, campaign: Campaign, user: User, form: ActionForm) -> HttpResponse | None:
    """Claim or enter with the posted form; the redirect on success, None with the refusal on
    the form otherwise."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    key = data["idempotency_key"]
    try:
        if campaign.is_lottery:
            entry = lottery.enter_lottery(
                campaign.pk, actor=user, idempotency_key=key, item_id=data.get("item")
            ).entry
            messages.success(
                request,
                _("You are in the draw with entry code %(code)s. The result is shown here after the draw.")
                % {"code": entry.code},
            )
            return redirect("portal:campaign_detail", pk=campaign.pk)
        shipping = None
        if "recipient" in form.fields:
            shipping = claim_services.Shipping(
                recipient=data["recipient"], mobile=data["mobile"], address=data["address"]
            )
        outcome = claim_services.claim_item(
            campaign.pk, actor=user, idempotency_key=key, item_id=data.get("item"), shipping=shipping
        )
    except DomainError as error:
        show_domain_error(form, error)
        return None
    if outcome.voucher is not None:
        messages.success(request, _("Claimed. Here is your voucher."))
        return redirect("portal:voucher_detail", code=outcome.voucher.code)
    messages.success(request, _("Claimed. The item will be posted to the address you gave."))
    return redirect("portal:campaign_detail", pk=campaign.pk)


@require_http_methods(["GET", "POST"])
@never_cache  # each rendering carries a new idempotency key
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(pk)
    user = _signed_in(request)
    if request.method == "POST":
        if user is None:
            return redirect_to_login(request.get_full_path())
        data = request.POST.copy()
        form = ActionForm(campaign, data)
        done = _act(request, campaign, user, form)
        if done is not None:
            return done
        key = str(form.data.get("idempotency_key", ""))
        if "idempotency_key" in form.errors or not claim_services.IDEMPOTENCY_KEY.match(key):
            # A missing or refused key (a page tampered with): the next press gets a fresh one.
            data["idempotency_key"] = secrets.token_urlsafe(16)
    else:
        form = new_action_form(campaign)
    standing = my_standing(campaign, user) if user is not None else None
    items = list(campaign.items.all())
    state = campaign_state(campaign)
    sold_out = not campaign.is_lottery and all(item.remaining == 0 for item in items)
    own = _standing_context(campaign, standing)
    settled = bool(standing and (standing.problem or standing.entry)) or sold_out or own["limit_reached"]
    context: dict[str, Any] = {
        "campaign": campaign,
        "state": state,
        "items": items,
        "sold_out": sold_out,
        # The button is shown while it may help; after a refused press, the form with the answer.
        "show_form": standing is not None and state == "open" and (bool(form.errors) or not settled),
        "rules": eligibility_rules(campaign),
        "delivery": delivery_words(campaign),
        "form": form,
        "login_url": f"{reverse('accounts:login')}?{urlencode({'next': request.path})}",
        "draw_url": reverse("portal:campaign_draw", args=[campaign.pk]) if campaign.is_lottery else None,
        "nav_section": "benefits",
        **own,
    }
    return render(request, "benefits/portal_campaign_detail.html", context)


# --- the draw record --------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawRow:
    code: str
    item: str
    ticket: str
    rank: int
    won: bool


@require_GET
def campaign_draw(request: HttpRequest, pk: int) -> HttpResponse:
    """The public record of a lottery: seed, digest, the rule, every entry code with its ticket,
    rank and result, so anyone can re-compute the winners."""
    campaign = _campaign(pk)
    if campaign.mode != CampaignMode.LOTTERY:
        raise Http404
    record = lottery.draw_record(campaign)
    names = {item.pk: item.name for item in campaign.items.all()}
    code = normalise_code(request.GET.get("code", ""))[:16]
    rows = [
        DrawRow(entry.code, names.get(entry.item_id, ""), entry.ticket[:TICKET_PREFIX], entry.rank, entry.won)
        for entry in record.entries
        if not code or entry.code.startswith(code)
    ]
    page = Paginator(rows, DRAW_ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "campaign": campaign,
        "record": record,
        "rule": lottery.RULE,
        "page_obj": page,
        "code": code,
        "entry_count": len(record.entries),
        "winner_count": sum(1 for entry in record.entries if entry.won),
        "ticket_prefix": TICKET_PREFIX,
        "items_count": len(names),
        "nav_section": "benefits",
    }
    return render(request, "benefits/portal_campaign_draw.html", context)


urlpatterns: list[URLPattern] = [
    path("benefits/", benefits, name="benefits"),
    path("benefits/campaigns/<int:pk>/", campaign_detail, name="campaign_detail"),
    path("benefits/campaigns/<int:pk>/draw/", campaign_draw, name="campaign_draw"),
]
