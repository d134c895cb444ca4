"""Console pages for merchants: the list with its filters, a merchant's page, the forms that sign
one up and edit it, its status, photos and till accounts, and the import of a merchant list.

Reads go through `visible`/`get_visible` (Perm.BENEFITS_VIEW, or BENEFITS_CHANGE for pages that
change something, so that a merchant out of reach is a missing page); writes go through
`gonghui.benefits.services.merchants` and `merchant_import`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import officer_required, signed_in_user
from gonghui.accounts.models import User
from gonghui.benefits.models import (
    Merchant,
    MerchantAccount,
    MerchantCategory,
    MerchantPhoto,
    MerchantStatus,
)
from gonghui.benefits.services import merchant_import
from gonghui.benefits.services.merchants import (
    FIELD_NAMES,
    MAX_PHOTOS,
    add_merchant_photo,
    create_merchant,
    create_merchant_account,
    deactivate_merchant_account,
    may_manage_merchants,
    remove_merchant_photo,
    set_merchant_status,
    update_merchant,
)
from gonghui.console.navigation import require_somewhere
from gonghui.console.pages import first_org_code
from gonghui.core.errors import DomainError
from gonghui.core.forms import FilterForm, show_domain_error
from gonghui.core.images import MAX_PHOTO_BYTES
from gonghui.core.inputs import CleanCharField
from gonghui.orgs.models import ImportMode, Org, OrgKind, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import get_visible, has_perm_at, visible

PAGE_SIZE = 50
SUGGESTION_LIMIT = 300
SECTION = "benefits"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _is_htmx_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def _xlsx(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=file_name) or ""
    return response


# --------------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------------


class MerchantFilterForm(FilterForm):
    q = CleanCharField(label=gettext_lazy("Name"), required=False, max_length=60)
    category = forms.ChoiceField(
        label=gettext_lazy("Category"),
        required=False,
        choices=[("", gettext_lazy("All categories")), *MerchantCategory.choices],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status")), *MerchantStatus.choices],
    )


class _OrgCodeField(CleanCharField):
    """A union by its code, among those where the officer manages merchants."""


class MerchantForm(forms.Form):
    org = _OrgCodeField(
        label=gettext_lazy("Managing union (code)"),
        max_length=40,
        help_text=gettext_lazy("The union that signed the merchant up and looks after it."),
    )
    name = CleanCharField(label=gettext_lazy("Name"), max_length=120)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=MerchantCategory.choices)
    discount_terms = CleanCharField(
        label=gettext_lazy("Discount for members"),
        max_length=300,
        help_text=gettext_lazy("What a member gets on showing the member card, e.g. 凭会员卡 8 折."),
    )
    address = CleanCharField(label=gettext_lazy("Address"), max_length=200)
    district = CleanCharField(label=gettext_lazy("District"), max_length=40, required=False)
    latitude = forms.CharField(
        label=gettext_lazy("Latitude"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("Degrees (WGS-84), e.g. 29.870512. Leave both empty if unknown."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    longitude = forms.CharField(
        label=gettext_lazy("Longitude"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("Degrees, e.g. 121.550375."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    opening_hours = CleanCharField(label=gettext_lazy("Opening hours"), max_length=100, required=False)
    phone = CleanCharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, orgs: QuerySet[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orgs = orgs

    def clean_org(self) -> Org:
        code = self.cleaned_data["org"]
        org = self.orgs.filter(code=code).first()
        if org is None:
            raise ValidationError(_("No such union among those whose merchants you manage."))
        return org

    def merchant_values(self) -> dict[str, Any]:
        return {key: self.cleaned_data[key] for key in FIELD_NAMES}

    @staticmethod
    def initial_for(merchant: Merchant) -> dict[str, Any]:
        values: dict[str, Any] = {key: getattr(merchant, key) for key in FIELD_NAMES}
        values["org"] = merchant.org.code
        for key in ("latitude", "longitude"):
            values[key] = "" if values[key] is None else str(values[key])
        return values


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("New status"), choices=MerchantStatus.choices)
    note = CleanCharField(label=gettext_lazy("Reason (for the audit log)"), required=False, max_length=300)


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=gettext_lazy("Photo"),
        help_text=gettext_lazy("A JPEG, PNG or WebP picture of at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    caption = CleanCharField(label=gettext_lazy("Caption"), required=False, max_length=100)


class AccountForm(forms.Form):
    username = CleanCharField(
        label=gettext_lazy("Username"),
        max_length=40,
        help_text=gettext_lazy("3 to 40 letters, digits, “_”, “.” or “-”, starting with a letter."),
    )
    display_name = CleanCharField(
        label=gettext_lazy("Name shown"), max_length=60, help_text=gettext_lazy("E.g. the till: 前台收银 1.")
    )
    password = forms.CharField(
        label=gettext_lazy("Initial password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("Give it to the merchant in person; it is not shown again."),
    )


class ImportForm(forms.Form):
    org = _OrgCodeField(
        label=gettext_lazy("Managing union (code)"),
        max_length=40,
        help_text=gettext_lazy("The merchants on the list are signed up for this union."),
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "An .xlsx, .xls or .ods workbook or a .csv file, at most 5 MB and 5,000 rows."
        ),
        widget=forms.FileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("What to do"),
        choices=[
            (merchant_import.CHECK_ONLY, gettext_lazy("Only check the list: write nothing")),
            *ImportMode.choices,
        ],
        initial=merchant_import.CHECK_ONLY,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, orgs: QuerySet[Org], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orgs = orgs

    def clean_org(self) -> Org:
        org = self.orgs.filter(code=self.cleaned_data["org"]).first()
        if org is None:
            raise ValidationError(_("No such union among those whose merchants you manage."))
        return org

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > merchant_import.MAX_IMPORT_BYTES:
            raise ValidationError(_("The file is larger than %(limit)s MB. Split the list.") % {"limit": 5})
        return upload


def _managed_orgs(user: User) -> QuerySet[Org]:
    return visible(Org, user, Perm.BENEFITS_CHANGE).filter(status=OrgStatus.ACTIVE)


def _org_suggestions(user: User) -> list[Org]:
    """Federations and joint unions in reach, to suggest for the code field, when few enough."""
    rows = list(
        _managed_orgs(user)
        .filter(kind__in=[OrgKind.FEDERATION, OrgKind.JOINT_UNION, OrgKind.INDUSTRY_UNION])
        .only("code", "name")
        .order_by("path")[: SUGGESTION_LIMIT + 1]
    )
    return rows if len(rows) <= SUGGESTION_LIMIT else []


def _default_org_code(user: User) -> str:
    return first_org_code(user, Perm.BENEFITS_CHANGE)


def _with_org_options(form: forms.Form, user: User) -> list[Org]:
    options = _org_suggestions(user)
    if options:
        form.fields["org"].widget.attrs["list"] = "merchant-org-options"
    return options


# --------------------------------------------------------------------------------------------
# The list
# --------------------------------------------------------------------------------------------


@require_GET
@officer_required
def merchant_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    require_somewhere(user, Perm.BENEFITS_VIEW)
    form = MerchantFilterForm(request.GET or None)
    data = form.valid_data() if form.is_bound else {}
    rows = visible(Merchant.objects.select_related("org"), user, Perm.BENEFITS_VIEW)
    if data.get("q"):
        rows = rows.filter(Q(name__icontains=data["q"]) | Q(address__icontains=data["q"]))
    if data.get("category"):
        rows = rows.filter(category=data["category"])
    if data.get("status"):
        rows = rows.filter(status=data["status"])
    sort = request.GET.get("sort", "name")
    orderings = {"name": ("name", "id"), "-name": ("-name", "-id"), "district": ("district", "name", "id")}
    orderings["-district"] = ("-district", "-name", "-id")
    orderings["created"] = ("created_at", "id")
    orderings["-created"] = ("-created_at", "-id")
    if sort not in orderings:
        sort = "name"
    page = Paginator(rows.order_by(*orderings[sort]), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "may_create": may_manage_merchants(user),
        "tab": "merchants",
        "table_id": "merchants",
        "caption": _("Merchants"),
        "columns": [
            {"key": "name", "label": _("Name"), "sort": "name"},
            {"key": "get_category_display", "label": _("Category")},
            {"key": "discount_terms", "label": _("Discount for members")},
            {"key": "district", "label": _("District"), "sort": "district"},
            {"key": "org.name", "label": _("Managing union")},
            {"key": "status", "label": _("Status"), "template": "benefits/merchant_cell_status.html"},
        ],
        "rows": page.object_list,
        "row_id": "pk",
        "sort": sort,
        "page_obj": page,
        "empty_message": _("No merchants match."),
        "console_section": SECTION,
    }
    # The table links its first cell to `row_link` on the row: give each row its URL.
    for merchant in page.object_list:
        merchant.console_url = reverse("console:benefits:merchant_detail", args=[merchant.pk])
    context["row_link"] = "console_url"
    template = "components/table.html" if _is_htmx_partial(request) else "benefits/merchant_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --------------------------------------------------------------------------------------------
# One merchant
# --------------------------------------------------------------------------------------------


def _merchant(request: HttpRequest, pk: int, perm: Perm) -> Merchant:
    return get_visible(Merchant.objects.select_related("org"), signed_in_user(request), perm, pk=pk)


@require_GET
@officer_required
def merchant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    merchant = _merchant(request, pk, Perm.BENEFITS_VIEW)
    may_change = has_perm_at(user, Perm.BENEFITS_CHANGE, merchant.org.path)
    accounts = MerchantAccount.objects.filter(merchant=merchant).aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(user__is_active=True))
    )
    status_form = StatusForm(initial={"status": merchant.status}) if may_change else None
    context = {
        "merchant": merchant,
        "photos": list(merchant.photos.all()),
        "accounts": accounts,
        "may_change": may_change,
        "status_form": status_form,
        "tab": "merchants",
        "console_section": SECTION,
    }
    return render(request, "benefits/merchant_detail.html", context)


def _render_form(request: HttpRequest, form: MerchantForm, status: int, **context: Any) -> HttpResponse:
    context |= {
        "form": form,
        "org_options": _with_org_options(form, signed_in_user(request)),
        "tab": "merchants",
        "console_section": SECTION,
    }
    return render(request, "benefits/merchant_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@officer_required
def merchant_new(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not may_manage_merchants(user):
        raise Http404
    orgs = _managed_orgs(user)
    if request.method == "POST":
        form = MerchantForm(request.POST, orgs=orgs)
        if form.is_valid():
            try:
                merchant = create_merchant(
                    actor=user, org=form.cleaned_data["org"], data=form.merchant_values()
                )
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(request, _("%(name)s has been signed up.") % {"name": merchant.name})
                return redirect("console:benefits:merchant_detail", pk=merchant.pk)
    else:
        form = MerchantForm(initial={"org": _default_org_code(user)}, orgs=orgs)
    return _render_form(
        request,
        form,
        422 if form.errors else 200,
        title=_("Sign up a merchant"),
        submit_label=_("Sign up"),
        cancel_url=reverse("console:benefits:merchant_list"),
    )


@require_http_methods(["GET", "POST"])
@officer_required
def merchant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    merchant = _merchant(request, pk, Perm.BENEFITS_CHANGE)
    orgs = _managed_orgs(user)
    if request.method == "POST":
        form = MerchantForm(request.POST, orgs=orgs)
        if form.is_valid():
            try:
                changed = update_merchant(
                    merchant, actor=user, changes=form.merchant_values(), org=form.cleaned_data["org"]
                )
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(
                    request, _("The changes have been saved.") if changed else _("Nothing changed.")
                )
                return redirect("console:benefits:merchant_detail", pk=merchant.pk)
    else:
        form = MerchantForm(initial=MerchantForm.initial_for(merchant), orgs=orgs)
    return _render_form(
        request,
        form,
        422 if form.errors else 200,
        title=_("Edit %(name)s") % {"name": merchant.name},
        submit_label=_("Save"),
        cancel_url=reverse("console:benefits:merchant_detail", args=[merchant.pk]),
        merchant=merchant,
    )


@require_POST
@officer_required
def merchant_status(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    merchant = _merchant(request, pk, Perm.BENEFITS_CHANGE)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the statuses."))
        return redirect("console:benefits:merchant_detail", pk=merchant.pk)
    try:
        changed = set_merchant_status(
            merchant, actor=user, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if changed:
            messages.success(
                request, _("The status is now “%(status)s”.") % {"status": merchant.get_status_display()}
            )
        else:
            messages.info(request, _("Nothing changed."))
    return redirect("console:benefits:merchant_detail", pk=merchant.pk)


# --------------------------------------------------------------------------------------------
# Photos
# --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@officer_required
def merchant_photos(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    merchant = _merchant(request, pk, Perm.BENEFITS_CHANGE)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            add_merchant_photo(
                merchant, actor=user, upload=form.cleaned_data["image"], caption=form.cleaned_data["caption"]
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("The photo has been added."))
            return redirect("console:benefits:merchant_photos", pk=merchant.pk)
    photos = list(merchant.photos.all())
    context = {
        "merchant": merchant,
        "photos": photos,
        "form": form,
        "may_add": len(photos) < MAX_PHOTOS,
        "max_photos": MAX_PHOTOS,
        "max_megabytes": MAX_PHOTO_BYTES // 2**20,
        "tab": "merchants",
        "console_section": SECTION,
    }
    return render(request, "benefits/merchant_photos.html", context, status=422 if form.errors else 200)


@require_POST
@officer_required
def merchant_photo_remove(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    merchant = _merchant(request, pk, Perm.BENEFITS_CHANGE)
    photo = get_visible(
        MerchantPhoto.objects.filter(merchant=merchant), user, Perm.BENEFITS_CHANGE, pk=photo_pk
    )
    try:
        remove_merchant_photo(photo, actor=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The photo has been removed."))
    return redirect("console:benefits:merchant_photos", pk=merchant.pk)


# --------------------------------------------------------------------------------------------
# Till accounts
# --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@officer_required
def merchant_accounts(request: HttpRequest, pk: int) -> HttpResponse:
    user = signed_in_user(request)
    merchant = _merchant(request, pk, Perm.BENEFITS_CHANGE)
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = create_merchant_account(
                merchant,
                actor=user,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                display_name=form.cleaned_data["display_name"],
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request,
                _("The account %(username)s has been opened. Give the merchant its password in person.")
                % {"username": account.user.username},
            )
            return redirect("console:benefits:merchant_accounts", pk=merchant.pk)
    accounts = (
        MerchantAccount.objects.filter(merchant=merchant)
        .select_related("user")
        .order_by("-created_at", "-pk")
    )
    context = {
        "merchant": merchant,
        "form": form,
        "may_add": merchant.status != MerchantStatus.ENDED,
        "table_id": "merchant-accounts",
        "caption": _("Till accounts"),
        "columns": [
            {"key": "user.username", "label": _("Username")},
            {"key": "user.display_name", "label": _("Name shown")},
            {"key": "created_at", "label": _("Opened"), "class": "nowrap"},
            {"key": "user.last_login", "label": _("Last sign-in"), "class": "nowrap"},
            {"key": "pk", "label": _("Status"), "template": "benefits/merchant_cell_account.html"},
        ],
        "rows": list(accounts),
        "row_id": "pk",
        "empty_message": _("No till accounts yet."),
        "tab": "merchants",
        "console_section": SECTION,
    }
    return render(request, "benefits/merchant_accounts.html", context, status=422 if form.errors else 200)


@require_POST
@officer_required
def merchant_account_deactivate(request: HttpRequest, pk: int, account_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    merchant = _merchant(request, pk, Perm.BENEFITS_CHANGE)
    account = get_visible(
        MerchantAccount.objects.filter(merchant=merchant).select_related("user"),
        user,
        Perm.BENEFITS_CHANGE,
        pk=account_pk,
    )
    try:
        changed = deactivate_merchant_account(account, actor=user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if changed:
            messages.success(
                request, _("The account %(username)s is switched off.") % {"username": account.user.username}
            )
        else:
            messages.info(request, _("Nothing changed."))
    return redirect("console:benefits:merchant_accounts", pk=merchant.pk)


# --------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@officer_required
def merchant_import_upload(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not may_manage_merchants(user):
        raise Http404
    orgs = _managed_orgs(user)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, orgs=orgs)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                outcome = merchant_import.import_merchants(
                    actor=user,
                    org=form.cleaned_data["org"],
                    mode=form.cleaned_data["mode"],
                    file_name=upload.name or "",
                    content=upload.read(),
                )
            except DomainError as error:
                show_domain_error(form, error)
            else:
                token = merchant_import.keep_outcome(outcome, actor=user)
                return redirect("console:benefits:merchant_import_report", token=token)
    else:
        form = ImportForm(initial={"org": _default_org_code(user)}, orgs=orgs)
    context = {
        "form": form,
        "org_options": _with_org_options(form, user),
        "tab": "merchants",
        "console_section": SECTION,
    }
    return render(request, "benefits/merchant_import.html", context, status=422 if form.errors else 200)


@require_GET
@officer_required
def merchant_import_template(request: HttpRequest) -> HttpResponse:
    if not may_manage_merchants(signed_in_user(request)):
        raise Http404
    return _xlsx(merchant_import.template_for(), merchant_import.template_file_name())


def _kept(request: HttpRequest, token: str) -> merchant_import.Outcome:
    outcome = merchant_import.kept_outcome(token, actor=signed_in_user(request))
    if outcome is None:
        raise Http404
    return outcome


@require_GET
@officer_required
def merchant_import_report(request: HttpRequest, token: str) -> HttpResponse:
    outcome = _kept(request, token)
    page = Paginator(outcome.problems, 100).get_page(request.GET.get("page"))
    context = {
        "outcome": outcome,
        "token": token,
        "summary": outcome.summary(),
        "checked_only": outcome.mode == merchant_import.CHECK_ONLY,
        "table_id": "merchant-import-problems",
        "caption": _("Problems, by row"),
        "columns": [
            {"key": "row", "label": _("Row"), "class": "numeric"},
            {"key": "letter", "label": _("Column"), "class": "nowrap"},
            {"key": "column", "label": _("Column name")},
            {"key": "message", "label": _("Problem")},
        ],
        "rows": page.object_list,
        "page_obj": page,
        "empty_message": _("No problems."),
        "tab": "merchants",
        "console_section": SECTION,
    }
    return render(request, "benefits/merchant_import_report.html", context)


@require_GET
@officer_required
def merchant_import_report_xlsx(request: HttpRequest, token: str) -> HttpResponse:
    outcome = _kept(request, token)
    return _xlsx(merchant_import.report_for(outcome), merchant_import.report_file_name(outcome))


urlpatterns: list[URLPattern] = [
    path("merchants/", merchant_list, name="merchant_list"),
    path("merchants/new/", merchant_new, name="merchant_new"),
    path("merchants/import/", merchant_import_upload, name="merchant_import"),
    path("merchants/import/template/", merchant_import_template, name="merchant_import_template"),
    path("merchants/import/<str:token>/", merchant_import_report, name="merchant_import_report"),
    path(
        "merchants/import/<str:token>/report.xlsx",
        merchant_import_report_xlsx,
        name="merchant_import_report_xlsx",
    ),
    path("merchants/<int:pk>/", merchant_detail, name="merchant_detail"),
    path("merchants/<int:pk>/edit/", merchant_edit, name="merchant_edit"),
    path("merchants/<int:pk>/status/", merchant_status, name="merchant_status"),
    path("merchants/<int:pk>/photos/", merchant_photos, name="merchant_photos"),
    path(
        "merchants/<int:pk>/photos/<int:photo_pk>/remove/",
        merchant_photo_remove,
        name="merchant_photo_remove",
    ),
    path("merchants/<int:pk>/accounts/", merchant_accounts, name="merchant_accounts"),
    path(
        "merchants/<int:pk>/accounts/<int:account_pk>/deactivate/",
        merchant_account_deactivate,
        name="merchant_account_deactivate",
    ),
]
