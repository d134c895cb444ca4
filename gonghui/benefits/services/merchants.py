"""Merchants (特约商户): signing them up, changing them, their status, photos and till accounts.

A merchant belongs to the union that manages it (`Merchant.org`); every write needs
`Perm.BENEFITS_CHANGE` there. A merchant outside the actor's scope is a missing merchant
(NotFound); one the actor may see but not change is Forbidden. Every write is audited.

A till account is a `User` of kind "merchant" linked to one merchant: it can sign in and redeem
vouchers at that merchant, and nothing else (it holds no officer permission anywhere and has no
membership).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from gonghui.accounts.models import AccountKind, User, officer_username_validator
from gonghui.benefits.models import (
    Merchant,
    MerchantAccount,
    MerchantCategory,
    MerchantPhoto,
    MerchantStatus,
)
from gonghui.core.audit import changes_between, record_audit, snapshot
from gonghui.core.errors import Conflict, FieldErrors, Forbidden, NotFound, ValidationFailed
from gonghui.core.geo import clean_position
from gonghui.core.images import Upload, read_photo
from gonghui.core.inputs import clean_multiline, has_control_characters, text_problem
from gonghui.core.text import normalize_name, normalize_text
from gonghui.orgs.models import Org, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at

MAX_PHOTOS = 9
DESCRIPTION_MAX = 2000
DISPLAY_NAME_MAX = 60
CAPTION_MAX = 100

# The Chinese names of the categories, as the import template and its drop-down list them.
CATEGORY_NAMES: dict[str, str] = {
    MerchantCategory.CATERING: "餐饮美食",
    MerchantCategory.SUPERMARKET: "超市购物",
    MerchantCategory.HEALTH: "医药健康",
    MerchantCategory.CULTURE: "影院文娱",
    MerchantCategory.SPORTS: "运动健身",
    MerchantCategory.TRAVEL: "旅游酒店",
    MerchantCategory.EDUCATION: "教育培训",
    MerchantCategory.SERVICES: "生活服务",
    MerchantCategory.AUTO: "汽车出行",
    MerchantCategory.OTHER: "其他",
}

# Text fields: (maximum length, required).
TEXT_FIELDS: dict[str, tuple[int, bool]] = {
    "name": (120, True),
    "discount_terms": (300, True),
    "address": (200, True),
    "district": (40, False),
    "opening_hours": (100, False),
    "phone": (20, False),
}
FIELD_NAMES = frozenset({*TEXT_FIELDS, "category", "description", "latitude", "longitude"})
AUDITED_FIELDS = (*sorted(FIELD_NAMES), "org")
_PHONE = re.compile(r"[0-9+\-() 转,/]*")
# What makes a spreadsheet read a cell as a formula; no merchant's name starts so.
_FORMULA_START = ("=", "+", "-", "@")


@dataclass(frozen=True)
class MerchantData:
    """Everything about a merchant that an officer types in (the managing union aside)."""

    name: str
    category: str
    discount_terms: str
    address: str
    district: str = ""
    latitude: Decimal | str | float | None = None
    longitude: Decimal | str | float | None = None
    opening_hours: str = ""
    phone: str = ""
    description: str = ""


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def clean_merchant_fields(values: Mapping[str, Any], errors: FieldErrors) -> dict[str, Any]:
    """The fields named in `values`, cleaned; every problem noted in `errors` under its field.

    Latitude and longitude go together: both or neither (a position without one is no position)."""
    unknown = set(values) - FIELD_NAMES
    if unknown:
        raise ValueError(f"Not merchant fields: {sorted(unknown)}")
    cleaned: dict[str, Any] = {}
    for field, (max_length, required) in TEXT_FIELDS.items():
        if field not in values:
            continue
        raw = values[field]
        if raw is None:
            raw = ""
        if not isinstance(raw, str):
            errors.add(field, _("Enter text."))
            continue
        text = normalize_name(raw) if field == "name" else normalize_text(raw)
        problem = text_problem(text, max_length=max_length, required=required)
        if problem is None and field == "phone" and not _PHONE.fullmatch(text):
            problem = _("Enter a phone number: digits, spaces, “-”, “+”, brackets and “转” only.")
        if problem is None and field == "name" and text.startswith(_FORMULA_START):
            problem = _("A name cannot start with “=”, “+”, “-” or “@”.")
        if problem:
            errors.add(field, problem)
        cleaned[field] = text
    if "category" in values:
        category = values["category"]
        if category not in MerchantCategory.values:
            errors.add("category", _("Choose one of the categories."))
        cleaned["category"] = category
    if "description" in values:
        cleaned["description"] = clean_multiline(
            values["description"], field="description", max_length=DESCRIPTION_MAX, errors=errors
        )
    if "latitude" in values or "longitude" in values:
        cleaned.update(clean_position(values.get("latitude"), values.get("longitude"), errors))
    return cleaned


def managing_org(actor: Any, org: Org, errors: FieldErrors | None = None) -> Org:
    """`org`, fresh, when the actor may manage merchants there; NotFound otherwise (as for a
    missing org, so nothing reveals unions outside the actor's scope)."""
    fresh: Org | None = Org.objects.filter(pk=org.pk).first()
    if fresh is None or not has_perm_at(actor, Perm.BENEFITS_CHANGE, fresh.path):
        message = _("No such union among those whose merchants you manage.")
        raise NotFound(message, fields={"org": [message]})
    if fresh.status != OrgStatus.ACTIVE:
        message = _("%(name)s is dissolved; it cannot sign up merchants.") % {"name": fresh.name}
        raise ValidationFailed(message, fields={"org": [message]})
    return fresh


def _merchant_for_change(actor: Any, merchant: Merchant, *, lock: bool = True) -> Merchant:
    """The merchant, fresh (and locked), when the actor may change it: NotFound when it is out
    of sight, Forbidden when the actor may only look at it."""
    queryset = Merchant.objects.select_related("org")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    current = queryset.filter(pk=merchant.pk).first()
    if current is None or not has_perm_at(actor, Perm.BENEFITS_VIEW, current.org.path):
        raise NotFound(_("This merchant does not exist."))
    if not has_perm_at(actor, Perm.BENEFITS_CHANGE, current.org.path):
        raise Forbidden(_("You may look at this merchant but not change it."))
    return current


def may_manage_merchants(actor: Any) -> bool:
    """Whether the actor may sign up merchants anywhere."""
    from gonghui.orgs.scoping import scope_paths

    paths = scope_paths(actor, Perm.BENEFITS_CHANGE)
    return paths is None or bool(paths)


# --------------------------------------------------------------------------------------------
# Merchants
# --------------------------------------------------------------------------------------------


@transaction.atomic
def create_merchant(
    *, actor: Any, org: Org, data: MerchantData | Mapping[str, Any], note: str = ""
) -> Merchant:
    """Sign up a merchant managed by `org`."""
    org = managing_org(actor, org)
    values = data.__dict__ if isinstance(data, MerchantData) else dict(data)
    values = {key: values.get(key) for key in FIELD_NAMES}
    errors = FieldErrors()
    cleaned = clean_merchant_fields(values, errors)
    errors.raise_if_any()
    merchant = Merchant.objects.create(org=org, **cleaned)
    record_audit(
        actor=actor,
        action="benefits.create_merchant",
        obj=merchant,
        changes={key: [None, value] for key, value in snapshot(merchant, AUDITED_FIELDS).items()},
        note=note,
    )
    return merchant


@transaction.atomic
def update_merchant(
    merchant: Merchant, *, actor: Any, changes: Mapping[str, Any], org: Org | None = None, note: str = ""
) -> bool:
    """Change the fields named in `changes` (and, with `org`, the managing union, which must be
    in the actor's scope too). Returns whether anything changed."""
    current = _merchant_for_change(actor, merchant)
    errors = FieldErrors()
    cleaned = clean_merchant_fields(dict(changes), errors)
    new_org = None
    if org is not None and org.pk != current.org_id:
        try:
            new_org = managing_org(actor, org)
        except (NotFound, ValidationFailed) as error:
            for message in error.fields.get("org", [error.message]):
                errors.add("org", message)
    errors.raise_if_any()
    before = snapshot(current, AUDITED_FIELDS)
    for field, value in cleaned.items():
        setattr(current, field, value)
    if new_org is not None:
        current.org = new_org
    after = snapshot(current, AUDITED_FIELDS)
    diff = changes_between(before, after)
    if not diff:
        return False
    current.save()
    record_audit(actor=actor, action="benefits.update_merchant", obj=current, changes=diff, note=note)
    _refresh(merchant, current)
    return True


def _refresh(stale: Merchant, fresh: Merchant) -> None:
    for field in (*FIELD_NAMES, "org", "org_id", "status", "updated_at"):
        if hasattr(fresh, field):
            setattr(stale, field, getattr(fresh, field))


@transaction.atomic
def set_merchant_status(merchant: Merchant, *, actor: Any, status: str, note: str = "") -> bool:
    """Suspend, reinstate or end a merchant; returns whether the status changed. Ending the
    agreement also switches off the merchant's till accounts."""
    current = _merchant_for_change(actor, merchant)
    if status not in MerchantStatus.values:
        message = _("Choose one of the statuses.")
        raise ValidationFailed(message, fields={"status": [message]})
    note = normalize_text(note or "")
    if has_control_characters(note) or len(note) > 300:
        message = _("Enter at most %(max_length)s characters.") % {"max_length": 300}
        raise ValidationFailed(message, fields={"note": [message]})
    if current.status == status:
        return False
    before = current.status
    current.status = status
    current.save(update_fields=["status", "updated_at"])
    record_audit(
        actor=actor,
        action="benefits.set_merchant_status",
        obj=current,
        changes={"status": [before, status]},
        note=note,
    )
    if status == MerchantStatus.ENDED:
        for account in MerchantAccount.objects.filter(merchant=current, user__is_active=True).select_related(
            "user"
        ):
            _switch_off(account, actor=actor, note=_("The merchant's agreement has ended."))
    merchant.status = status
    return True


# --------------------------------------------------------------------------------------------
# Photos
# --------------------------------------------------------------------------------------------


def _photo_error(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"image": [message]})


@transaction.atomic
def add_merchant_photo(merchant: Merchant, *, actor: Any, upload: Upload, caption: str = "") -> MerchantPhoto:
    """Add a photo after the merchant's others (at most MAX_PHOTOS)."""
    current = _merchant_for_change(actor, merchant)  # the lock makes the count below exact
    caption = normalize_text(caption or "")
    problem = text_problem(caption, max_length=CAPTION_MAX, required=False)
    if problem:
        raise ValidationFailed(problem, fields={"caption": [problem]})
    if MerchantPhoto.objects.filter(merchant=current).count() >= MAX_PHOTOS:
        raise _photo_error(
            _("A merchant can have at most %(n)s photos. Remove one before adding another.")
            % {"n": MAX_PHOTOS}
        )
    content, suffix = read_photo(upload, field="image")
    last = MerchantPhoto.objects.filter(merchant=current).aggregate(last=Max("position"))["last"]
    photo = MerchantPhoto(merchant=current, caption=caption, position=0 if last is None else last + 1)
    # A name of our own: what the upload was called says nothing we need, and may say too much.
    photo.image.save(f"{current.pk}-{uuid.uuid4().hex}{suffix}", ContentFile(content), save=False)
    stored = photo.image.name
    try:
        photo.save()
    except Exception:
        photo.image.storage.delete(stored)
        raise
    # Should a caller's transaction roll back later, the file stays behind unreferenced: harmless,
    # and cheaper than a second storage round trip after every commit.
    record_audit(
        actor=actor,
        action="benefits.add_merchant_photo",
        obj=current,
        changes={"photo": [None, photo.image.name]},
        org=current.org,
    )
    return photo


@transaction.atomic
def remove_merchant_photo(photo: MerchantPhoto, *, actor: Any) -> None:
    current = MerchantPhoto.objects.select_related("merchant").filter(pk=photo.pk).first()
    if current is None:
        raise NotFound(_("This photo does not exist."))
    merchant = _merchant_for_change(actor, current.merchant)
    name = current.image.name
    storage = current.image.storage
    current.delete()
    record_audit(
        actor=actor,
        action="benefits.remove_merchant_photo",
        obj=merchant,
        changes={"photo": [name, None]},
        org=merchant.org,
    )
    transaction.on_commit(lambda: storage.delete(name))


# --------------------------------------------------------------------------------------------
# Till accounts
# --------------------------------------------------------------------------------------------


@transaction.atomic
def create_merchant_account(
    merchant: Merchant, *, actor: Any, username: str, password: str, display_name: str
) -> MerchantAccount:
    """Open a till account for `merchant` with the initial password the officer chose."""
    current = _merchant_for_change(actor, merchant)
    if current.status == MerchantStatus.ENDED:
        raise Conflict(_("The merchant's agreement has ended; it cannot have new accounts."))
    errors = FieldErrors()
    username = normalize_text(username or "")
    try:
        officer_username_validator(username)
    except ValidationError as exc:
        for message in exc.messages:
            errors.add("username", message)
    else:
        if User.objects.filter(username__iexact=username).exists():
            errors.add("username", _("This username is taken. Choose another one."))
    display_name = normalize_name(display_name or "")
    if not display_name:
        errors.add("display_name", _("Enter a name for the account, e.g. the till or the person."))
    elif len(display_name) > DISPLAY_NAME_MAX or has_control_characters(display_name):
        errors.add("display_name", _("Enter a name of at most %(n)d characters.") % {"n": DISPLAY_NAME_MAX})
    if not password:
        errors.add("password", _("Choose an initial password."))
    else:
        candidate = User(username=username, display_name=display_name, kind=AccountKind.MERCHANT)
        try:
            validate_password(password, candidate)
        except ValidationError as exc:
            for message in exc.messages:
                errors.add("password", message)
    errors.raise_if_any()
    user = User.objects.create_user(
        username=username, password=password, display_name=display_name, kind=AccountKind.MERCHANT
    )
    account = MerchantAccount.objects.create(user=user, merchant=current)
    record_audit(
        actor=actor,
        action="benefits.create_merchant_account",
        obj=account,
        changes={"username": [None, username], "merchant": [None, current.pk]},
        org=current.org,
    )
    return account


def _switch_off(account: MerchantAccount, *, actor: Any, note: str = "") -> None:
    user = account.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    record_audit(
        actor=actor,
        action="benefits.deactivate_merchant_account",
        obj=account,
        changes={"is_active": [True, False]},
        org=account.merchant.org,
        note=note,
    )


@transaction.atomic
def deactivate_merchant_account(account: MerchantAccount, *, actor: Any) -> bool:
    """Switch a till account off (it can no longer sign in); returns whether it was on."""
    current = MerchantAccount.objects.select_related("user", "merchant").filter(pk=account.pk).first()
    if current is None:
        raise NotFound(_("This account does not exist."))
    merchant = _merchant_for_change(actor, current.merchant)
    current.merchant = merchant
    if not current.user.is_active:
        return False
    _switch_off(current, actor=actor)
    return True
