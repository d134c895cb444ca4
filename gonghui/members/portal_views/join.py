"""Online joining (网上入会) in the member portal, phone first, without an account to start.

Three steps, each a page that works without JavaScript (htmx only makes them quicker):

1. `join_start`: name, ID number (birth date and sex are shown back) and mobile number;
2. `join_employer`: the employer from the registry (searched by name or credit code), one that
   is not listed, or no fixed employer (platform work, home district and township);
3. `join_confirm`: the union the application goes to, a texted code and a password; submitting
   opens the member account and files the application, and the applicant lands, signed in, on
   `join_status`.

What the person typed lives in the session (ID and mobile numbers encrypted), never in a URL.
The anonymous endpoints (employer search, ID check, texting a code) are limited per client
address; the verification service limits codes per mobile number as well.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gonghui.accounts.decorators import member_area
from gonghui.accounts.models import User, VerificationPurpose
from gonghui.accounts.services import open_member_account
from gonghui.accounts.verification import RESEND_SECONDS, check_verification_code, send_verification_code
from gonghui.core.crypto import DecryptionError, decrypt, encrypt
from gonghui.core.errors import Conflict, DomainError, ValidationFailed
from gonghui.core.forms import show_domain_error
from gonghui.core.idnumbers import IdNumber, InvalidIdNumber, parse_id_number
from gonghui.core.inputs import MAX_ID, CleanCharField
from gonghui.core.middleware import client_ip_of
from gonghui.core.mobile import InvalidMobile, mask_mobile, parse_mobile
from gonghui.core.ratelimit import over_limit
from gonghui.members.models import (
    JOIN_REVIEW_DAYS,
    GigOccupation,
    JoinApplication,
    JoinStatus,
    Transfer,
    TransferStatus,
)
from gonghui.members.services import joining, registry, routes
from gonghui.members.services.transfers import request_transfer
from gonghui.orgs.models import Workplace

SESSION_KEY = "members.join"
# Binds the encrypted values to this use, so they cannot be moved into another field.
_SESSION_CONTEXT = "members.join.session"
_SECRET_FIELDS = ("id_number", "mobile")
LOGIN_BACKEND = "gonghui.accounts.backends.MobileOrUsernameBackend"

# Per client address: a person searching types a few letters at a time; a script does not stop.
SEARCH_LIMIT = (60, 60)  # requests per seconds
ID_CHECK_LIMIT = (30, 60)
CODE_LIMIT = (10, 3600)

PLATFORM_SUGGESTIONS = (
    "美团",
    "饿了么",
    "滴滴出行",
    "货拉拉",
    "满帮",
    "顺丰速运",
    "京东物流",
    "闪送",
    "达达",
)

LISTED, UNLISTED, NO_FIXED = "listed", "unlisted", "none"


# --------------------------------------------------------------------------------------------
# Session, limits and small helpers
# --------------------------------------------------------------------------------------------


def _wizard(request: HttpRequest) -> dict[str, Any]:
    """What the applicant has entered so far, decrypted; {} when nothing (or nothing readable)."""
    stored = request.session.get(SESSION_KEY)
    if not isinstance(stored, dict):
        return {}
    data = dict(stored)
    try:
        for field in _SECRET_FIELDS:
            if data.get(field):
                data[field] = decrypt(str(data[field]), context=_SESSION_CONTEXT)
    except DecryptionError:
        return {}
    return data


def _save(request: HttpRequest, **values: Any) -> None:
    data = {**_wizard(request), **values}
    for field in _SECRET_FIELDS:
        if data.get(field):
            data[field] = encrypt(str(data[field]), context=_SESSION_CONTEXT)
    request.session[SESSION_KEY] = data


def _forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def _over_limit(request: HttpRequest, bucket: str, limit: tuple[int, int]) -> bool:
    """Count one request from this client address; True once it is over `limit` in the window."""
    most, seconds = limit
    client = client_ip_of(request) or "unknown"
    return over_limit(f"members.join.{bucket}", client, limit=most, seconds=seconds)


def _too_many() -> str:
    return _("Too many requests. Please wait a moment and try again.")


def _is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx)


def _member_user(request: HttpRequest) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated and user.is_member else None


def _signed_in_other(request: HttpRequest) -> bool:
    """An officer or merchant account: applications are made from a member account."""
    return request.user.is_authenticated and _member_user(request) is None


def _parsed_id(wizard: dict[str, Any]) -> IdNumber | None:
    try:
        return parse_id_number(str(wizard.get("id_number", "")))
    except InvalidIdNumber:
        return None


def _mobile(request: HttpRequest, wizard: dict[str, Any]) -> str:
    member = _member_user(request)
    return member.mobile if member is not None else str(wizard.get("mobile", ""))


def _step_one_done(request: HttpRequest, wizard: dict[str, Any]) -> bool:
    return bool(wizard.get("name")) and _parsed_id(wizard) is not None and bool(_mobile(request, wizard))


def _draft(wizard: dict[str, Any]) -> joining.JoinDraft | None:
    """The draft of a wizard whose first two steps are done, else None."""
    id_number = _parsed_id(wizard)
    kind = wizard.get("employer_kind")
    if id_number is None or kind not in {LISTED, UNLISTED, NO_FIXED}:
        return None
    workplace = None
    if kind == LISTED:
        workplace_id = _positive_int(wizard.get("workplace_id"))
        workplace = (
            Workplace.objects.select_related("union", "jurisdiction").filter(pk=workplace_id).first()
            if workplace_id is not None
            else None
        )
        if workplace is None:
            return None
    return joining.JoinDraft(
        name=str(wizard.get("name", "")),
        id_number=id_number,
        workplace=workplace,
        employer_name=str(wizard.get("employer_name", "")) if kind == UNLISTED else "",
        no_fixed_employer=kind == NO_FIXED,
        gig_occupation=str(wizard.get("gig_occupation", "")) if kind == NO_FIXED else "",
        gig_platform=str(wizard.get("gig_platform", "")) if kind == NO_FIXED else "",
        is_migrant_worker=bool(wizard.get("is_migrant_worker")),
        home_district=str(wizard.get("home_district", "")) if kind != LISTED else "",
        home_township=str(wizard.get("home_township", "")) if kind != LISTED else "",
        home_address=str(wizard.get("home_address", "")) if kind != LISTED else "",
    )


def _positive_int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= MAX_ID else None


# --------------------------------------------------------------------------------------------
# Forms
# --------------------------------------------------------------------------------------------


class PersonForm(forms.Form):
    name = CleanCharField(
        label=pgettext_lazy("person", "Name"),
        max_length=joining.NAME_MAX,
        help_text=gettext_lazy("As on your ID card."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": gettext_lazy("Enter your name as it is on your ID card.")},
    )
    id_number = forms.CharField(
        label=gettext_lazy("ID number"),
        max_length=40,
        help_text=gettext_lazy("18 characters. Your date of birth and sex are read from it."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "text", "autocapitalize": "characters"}
        ),
        error_messages={"required": gettext_lazy("Enter your ID number.")},
    )
    mobile = forms.CharField(
        label=gettext_lazy("Mobile number"),
        max_length=20,
        help_text=gettext_lazy("A code is texted to it; it becomes your sign-in name."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": gettext_lazy("Enter your mobile number.")},
    )

    def __init__(self, *args: Any, ask_mobile: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not ask_mobile:
            del self.fields["mobile"]

    def clean_id_number(self) -> str:
        try:
            number = parse_id_number(self.cleaned_data["id_number"])
        except InvalidIdNumber as exc:
            raise forms.ValidationError(exc.message, code=exc.reason) from exc
        if problem := joining.age_problem(number):
            raise forms.ValidationError(problem, code="age")
        return number.value

    def clean_mobile(self) -> str:
        try:
            return parse_mobile(self.cleaned_data["mobile"])
        except InvalidMobile as exc:
            raise forms.ValidationError(exc.message, code=exc.reason) from exc


class EmployerForm(forms.Form):
    employer_kind = forms.ChoiceField(
        label=gettext_lazy("Where do you work?"),
        choices=[
            (LISTED, gettext_lazy("For an employer I can find in the list")),
            (UNLISTED, gettext_lazy("For an employer that is not in the list")),
            (NO_FIXED, gettext_lazy("No fixed employer: platform or gig work")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose where you work.")},
    )
    q = CleanCharField(
        label=gettext_lazy("Employer's name or credit code"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    workplace = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    employer_name = CleanCharField(
        label=gettext_lazy("Employer's name"),
        required=False,
        max_length=joining.EMPLOYER_NAME_MAX,
        help_text=gettext_lazy("As on your contract or pay slip."),
    )
    gig_occupation = forms.ChoiceField(
        label=gettext_lazy("Platform work"),
        required=False,
        choices=[("", gettext_lazy("Choose…")), *GigOccupation.choices],
    )
    gig_platform = CleanCharField(
        label=gettext_lazy("Platform"),
        required=False,
        max_length=joining.PLATFORM_MAX,
        help_text=gettext_lazy("For example 美团, 饿了么, 滴滴 or 货拉拉; leave empty if none."),
        widget=forms.TextInput(attrs={"list": "join-platforms", "autocomplete": "off"}),
    )
    home_district = forms.ChoiceField(label=gettext_lazy("District"), required=False)
    home_township = forms.ChoiceField(label=gettext_lazy("Township or street"), required=False)
    home_address = CleanCharField(
        label=gettext_lazy("Home address"),
        required=False,
        max_length=joining.ADDRESS_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    is_migrant_worker = forms.BooleanField(
        label=gettext_lazy("I came to this city for work from elsewhere (migrant worker)"), required=False
    )

    def __init__(self, *args: Any, district: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.districts = routes.route_districts()
        self._choice_field("home_district").choices = [
            ("", _("Choose…")),
            *[(d, d) for d in self.districts],
        ]
        self.set_townships(district)

    def _choice_field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    def set_townships(self, district: str) -> None:
        townships = routes.route_townships(district) if district in self.districts else []
        self._choice_field("home_township").choices = [
            ("", _("Not sure, or another one")),
            *[(t, t) for t in townships],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("employer_kind")
        district = data.get("home_district", "")
        if kind == LISTED:
            workplace = data.get("workplace")
            if workplace is None or not Workplace.objects.filter(pk=workplace).exists():
                self.add_error("q", _("Search for your employer and choose it from the results."))
        elif kind in {UNLISTED, NO_FIXED}:
            if kind == UNLISTED and not data.get("employer_name"):
                self.add_error("employer_name", _("Give your employer's name."))
            if kind == NO_FIXED and not data.get("gig_occupation"):
                self.add_error("gig_occupation", _("Choose the kind of platform work you do."))
            if not district:
                self.add_error("home_district", _("Choose the district where you live or work."))
            township = data.get("home_township", "")
            if district and township and township not in routes.route_townships(district):
                self.add_error("home_township", _("Choose a township or street of this district."))
        return data


class ConfirmForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the text message"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={
            "required": gettext_lazy("Enter the code texted to you."),
            "min_length": gettext_lazy("The code has six digits."),
            "max_length": gettext_lazy("The code has six digits."),
        },
    )
    password = forms.CharField(
        label=gettext_lazy("Choose a password"),
        strip=False,
        help_text=gettext_lazy(
            "At least 8 characters, not only digits. You sign in with your mobile number and it."
        ),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": gettext_lazy("Choose a password.")},
    )
    password_again = forms.CharField(
        label=gettext_lazy("The password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": gettext_lazy("Enter the password again.")},
    )

    def __init__(self, *args: Any, new_account: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not new_account:
            for name in ("code", "password", "password_again"):
                del self.fields[name]

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("The code has six digits."), code="digits")
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password"), data.get("password_again")
        if first and second and first != second:
            self.add_error("password_again", _("The two passwords are not the same."))
        return data


# --------------------------------------------------------------------------------------------
# Step 1: the person
# --------------------------------------------------------------------------------------------


def _open_application(request: HttpRequest) -> JoinApplication | None:
    member = _member_user(request)
    if member is None:
        return None
    return joining.applications_of(member).filter(status=JoinStatus.SUBMITTED).first()


@never_cache
@require_http_methods(["GET", "POST"])
def join_start(request: HttpRequest) -> HttpResponse:
    wizard = _wizard(request)
    member = _member_user(request)
    initial = {key: wizard.get(key, "") for key in ("name", "id_number", "mobile")}
    if member is not None and not initial["name"]:
        initial["name"] = member.display_name
    form = PersonForm(
        request.POST if request.method == "POST" else None, initial=initial, ask_mobile=member is None
    )
    if request.method == "POST" and not _signed_in_other(request) and form.is_valid():
        _save(request, **form.cleaned_data)
        return redirect("portal:join_employer")
    context = {
        "form": form,
        "step": 1,
        "member_mobile": mask_mobile(member.mobile) if member is not None else "",
        "signed_in_other": _signed_in_other(request),
        "open_application": _open_application(request),
        "id_facts": _parsed_id(wizard) if request.method == "GET" else None,
        "nav_section": "services",
    }
    return render(request, "members/join_start.html", context)


@require_POST
def join_id_check(request: HttpRequest) -> HttpResponse:
    """The birth date and sex read from an ID number as it is typed (htmx fragment)."""
    context: dict[str, Any] = {}
    if _over_limit(request, "id", ID_CHECK_LIMIT):
        context["error"] = _too_many()
    elif text := str(request.POST.get("id_number", ""))[:40].strip():
        try:
            context["id_facts"] = parse_id_number(text)
        except InvalidIdNumber as exc:
            context["error"] = exc.message
    return render(request, "members/join_id_facts.html", context)


# --------------------------------------------------------------------------------------------
# Step 2: the employer
# --------------------------------------------------------------------------------------------


def _employer_results(query: str, chosen: int | None) -> list[Workplace]:
    found = list(routes.find_employers(query)) if query else []
    if chosen is not None and all(workplace.pk != chosen for workplace in found):
        workplace = Workplace.objects.filter(pk=chosen).first()
        if workplace is not None:
            found.insert(0, workplace)
    return found


@never_cache
@require_http_methods(["GET", "POST"])
def join_employer(request: HttpRequest) -> HttpResponse:
    wizard = _wizard(request)
    if not _step_one_done(request, wizard):
        return redirect("portal:join")
    posted = request.POST if request.method == "POST" else None
    district = str((posted or wizard).get("home_district", ""))
    initial = {
        "employer_kind": wizard.get("employer_kind", ""),
        "workplace": wizard.get("workplace_id"),
        **{
            key: wizard.get(key, "")
            for key in (
                "employer_name",
                "gig_occupation",
                "gig_platform",
                "home_district",
                "home_township",
                "home_address",
            )
        },
        "is_migrant_worker": bool(wizard.get("is_migrant_worker")),
    }
    query = str(posted.get("q", ""))[:60] if posted is not None else ""
    form = EmployerForm(posted, initial=initial, district=district)
    if posted is not None and form.is_valid():
        data = form.cleaned_data
        kind = data["employer_kind"]
        values = {
            "employer_kind": kind,
            "workplace_id": data["workplace"] if kind == LISTED else None,
            "employer_name": data["employer_name"] if kind == UNLISTED else "",
            "gig_occupation": data["gig_occupation"] if kind == NO_FIXED else "",
            "gig_platform": data["gig_platform"] if kind == NO_FIXED else "",
            "home_district": data["home_district"] if kind != LISTED else "",
            "home_township": data["home_township"] if kind != LISTED else "",
            "home_address": data["home_address"] if kind != LISTED else "",
            "is_migrant_worker": data["is_migrant_worker"],
        }
        draft = _draft({**wizard, **values})
        if draft is not None:
            if joining.union_for_draft(draft) is None:
                form.add_error(None, joining.no_route_message(draft))
            else:
                _save(request, **values)
                return redirect("portal:join_confirm")
    chosen = _positive_int(posted.get("workplace")) if posted is not None else wizard.get("workplace_id")
    context = {
        "form": form,
        "step": 2,
        "results": _employer_results(query, chosen),
        "chosen": chosen,
        "query": query,
        "searched": bool(query),
        "platforms": PLATFORM_SUGGESTIONS,
        "no_districts": not form.districts,
        "hotline": joining.HOTLINE,
        "nav_section": "services",
    }
    return render(request, "members/join_employer.html", context)


@require_GET
def join_employers(request: HttpRequest) -> HttpResponse:
    """Employers matching what the applicant typed: name and district only (htmx fragment)."""
    if _over_limit(request, "search", SEARCH_LIMIT):
        return render(request, "members/join_employer_results.html", {"error": _too_many()})
    query = str(request.GET.get("q", ""))[:60]
    context = {"results": _employer_results(query, None), "query": query, "searched": True}
    return render(request, "members/join_employer_results.html", context)


@require_GET
def join_townships(request: HttpRequest) -> HttpResponse:
    """The township choice for the district just chosen (htmx fragment)."""
    district = str(request.GET.get("home_district", ""))[:40]
    form = EmployerForm(initial={"home_district": district}, district=district)
    return render(request, "members/join_township_field.html", {"field": form["home_township"]})


# --------------------------------------------------------------------------------------------
# Step 3: confirm, prove the mobile number, submit
# --------------------------------------------------------------------------------------------


def _confirm_context(
    request: HttpRequest, wizard: dict[str, Any], draft: joining.JoinDraft
) -> dict[str, Any]:
    union = joining.union_for_draft(draft)
    return {
        "step": 3,
        "draft": draft,
        "union": union,
        "no_route": joining.no_route_message(draft) if union is None else "",
        "masked_mobile": mask_mobile(_mobile(request, wizard)),
        "masked_id_number": draft.id_number.masked,
        "occupation_label": GigOccupation(draft.gig_occupation).label if draft.gig_occupation else "",
        "new_account": _member_user(request) is None,
        "resend_seconds": RESEND_SECONDS,
        "nav_section": "services",
    }


def _login_url() -> str:
    return f"{reverse('accounts:login')}?{urlencode({'next': reverse('portal:join_confirm')})}"


def _submit(
    request: HttpRequest, user: User, draft: joining.JoinDraft, context: dict[str, Any]
) -> HttpResponse | None:
    """File the application as `user`; the status page on success, else None with `context`
    telling the page what went wrong."""
    try:
        joining.submit_join_application(draft, actor=user)
    except registry.ActiveElsewhere as exc:
        context["active_elsewhere"] = exc.member.org
        context["is_own_membership"] = exc.member.user_id == user.pk
        context["may_transfer"] = context["union"] is not None and context["union"].pk != exc.member.org_id
    except Conflict as exc:
        context["conflict"] = exc.message
    except ValidationFailed as exc:
        context["conflict"] = exc.message
    else:
        _forget(request)
        messages.success(
            request, _("Your application has been submitted. We will text you when it is decided.")
        )
        return redirect("portal:join_status")
    return None


@never_cache
@require_http_methods(["GET", "POST"])
def join_confirm(request: HttpRequest) -> HttpResponse:
    if _signed_in_other(request):
        return redirect("portal:join")
    wizard = _wizard(request)
    draft = _draft(wizard) if _step_one_done(request, wizard) else None
    if draft is None:
        messages.info(request, _("Start by entering your details."))
        return redirect("portal:join")
    context = _confirm_context(request, wizard, draft)
    member = _member_user(request)
    form = ConfirmForm(request.POST if request.method == "POST" else None, new_account=member is None)
    context["form"] = form
    if request.method != "POST" or context["union"] is None or not form.is_valid():
        return render(request, "members/join_confirm.html", context)
    if member is None:
        mobile = _mobile(request, wizard)
        try:
            proof = check_verification_code(
                mobile, form.cleaned_data["code"], purpose=VerificationPurpose.JOIN
            )
            member = open_member_account(
                mobile=mobile, password=form.cleaned_data["password"], display_name=draft.name, proof=proof
            )
        except ValidationFailed as exc:
            show_domain_error(form, exc)
            return render(request, "members/join_confirm.html", context)
        except Conflict as exc:
            if exc.code == "account_exists":
                context["account_exists"] = True
                context["login_url"] = _login_url()
            else:
                form.add_error(None, exc.message)
            return render(request, "members/join_confirm.html", context)
        login(request, member, backend=LOGIN_BACKEND)
        context["new_account"] = False
    response = _submit(request, member, draft, context)
    return response or render(request, "members/join_confirm.html", context)


@require_POST
def join_send_code(request: HttpRequest) -> HttpResponse:
    """Text a code to the applicant's mobile number (htmx fragment, or back to the page)."""
    wizard = _wizard(request)
    mobile = str(wizard.get("mobile", ""))
    context: dict[str, Any] = {"resend_seconds": RESEND_SECONDS}
    if not mobile or _member_user(request) is not None:
        context["error"] = _("Start by entering your details.")
    elif _over_limit(request, "code", CODE_LIMIT):
        context["error"] = _too_many()
    else:
        try:
            send_verification_code(mobile, purpose=VerificationPurpose.JOIN)
        except Conflict as exc:
            context["error"] = exc.message
        else:
            context["sent_to"] = mask_mobile(mobile)
    if not _is_htmx(request):
        if "error" in context:
            messages.error(request, context["error"])
        else:
            messages.success(
                request, _("A code has been texted to %(mobile)s.") % {"mobile": context["sent_to"]}
            )
        return redirect("portal:join_confirm")
    return render(request, "members/join_code_sender.html", context)


@require_POST
@member_area
def join_transfer(request: HttpRequest) -> HttpResponse:
    """Ask for the applicant's existing membership to move to the union the application would
    have gone to (offered when the ID number is active in another union)."""
    wizard = _wizard(request)
    draft = _draft(wizard)
    user = request.user
    assert isinstance(user, User)  # member_area lets only signed-in accounts through
    target = joining.union_for_draft(draft) if draft is not None else None
    membership = registry.active_membership(draft.id_number) if draft is not None else None
    if draft is None or target is None or membership is None:
        messages.error(request, _("There is nothing to transfer. Start again if you want to join."))
        return redirect("portal:join")
    try:
        request_transfer(
            membership,
            actor=user,
            to_org=target,
            to_workplace=draft.workplace,
            reason=_("Asked for when applying to join online."),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("portal:join_confirm")
    _forget(request)
    messages.success(
        request,
        _("Your transfer to %(union)s has been requested. %(union)s decides; you will get a text.")
        % {"union": target.name},
    )
    return redirect("portal:join_status")


# --------------------------------------------------------------------------------------------
# After submitting: status and withdrawal
# --------------------------------------------------------------------------------------------


@never_cache
@require_GET
@member_area
def join_status(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # member_area lets only signed-in accounts through
    applications = [
        {
            "application": application,
            "contact": application.member.org if application.member else application.org,
        }
        for application in joining.applications_of(user)[:10]
    ]
    transfers = list(
        Transfer.objects.filter(requested_by=user, status=TransferStatus.REQUESTED)
        .select_related("to_org")
        .order_by("-created_at")[:5]
    )
    context = {
        "applications": applications,
        "transfers": transfers,
        "review_days": JOIN_REVIEW_DAYS,
        "nav_section": "me",
    }
    return render(request, "members/join_status.html", context)


@require_POST
@member_area
def join_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    try:
        joining.withdraw_join_application(JoinApplication(pk=pk), actor=user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your application has been withdrawn."))
    return redirect("portal:join_status")


urlpatterns: list[URLPattern] = [
    path("join/", join_start, name="join"),
    path("join/id-check/", join_id_check, name="join_id_check"),
    path("join/employer/", join_employer, name="join_employer"),
    path("join/employers/", join_employers, name="join_employers"),
    path("join/townships/", join_townships, name="join_townships"),
    path("join/confirm/", join_confirm, name="join_confirm"),
    path("join/code/", join_send_code, name="join_send_code"),
    path("join/transfer/", join_transfer, name="join_transfer"),
    path("me/join/", join_status, name="join_status"),
    path("me/join/<int:pk>/withdraw/", join_withdraw, name="join_withdraw"),
]
