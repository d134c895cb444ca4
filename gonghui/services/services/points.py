"""Service points: signing up, editing, opening and closing, photos, and the check-in code of the
printed poster. Officers holding SERVICES_CHANGE on the running union (or above) do all of it."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Mapping
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from gonghui.core.audit import changes_between, record_audit, snapshot
from gonghui.core.errors import FieldErrors, Forbidden, NotFound, ValidationFailed
from gonghui.core.geo import clean_position
from gonghui.core.images import Upload, read_photo
from gonghui.core.inputs import clean_multiline, text_problem
from gonghui.core.text import normalize_name, normalize_text
from gonghui.orgs.models import Org, OrgStatus
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import has_perm_at
from gonghui.services.models import Facility, PointKind, PointStatus, ServicePoint, ServicePointPhoto

MAX_PHOTOS = 9
DESCRIPTION_MAX = 2000
CAPTION_MAX = 100
# Text fields: (maximum length, required).
TEXT_FIELDS: dict[str, tuple[int, bool]] = {
    "name": (120, True),
    "address": (200, True),
    "district": (40, False),
    "opening_hours": (100, True),
    "contact_name": (40, False),
    "contact_phone": (20, False),
}
FIELD_NAMES = frozenset({*TEXT_FIELDS, "kind", "description", "latitude", "longitude", "facilities"})
AUDITED_FIELDS = (*sorted(FIELD_NAMES), "org")
_PHONE = re.compile(r"[0-9+\-() 转,/]*")


def new_checkin_code() -> str:
    # 96 bits: the code is what proves a visitor stood in front of the poster.
    return secrets.token_urlsafe(12)


def clean_point_fields(values: Mapping[str, Any], errors: FieldErrors) -> dict[str, Any]:
    """The fields named in `values`, cleaned; each problem noted in `errors` under its field."""
    unknown = set(values) - FIELD_NAMES
    if unknown:
        raise ValueError(f"Not service point fields: {sorted(unknown)}")
    cleaned: dict[str, Any] = {}
    for field, (max_length, required) in TEXT_FIELDS.items():
        if field not in values:
            continue
        raw = values[field] if values[field] is not None else ""
        if not isinstance(raw, str):
            errors.add(field, _("Enter text."))
            continue
        text = normalize_name(raw) if field == "name" else normalize_text(raw)
        problem = text_problem(text, max_length=max_length, required=required)
        if problem is None and field == "contact_phone" and not _PHONE.fullmatch(text):
            problem = _("Enter a phone number: digits, spaces, “-”, “+”, brackets and “转” only.")
        if problem:
            errors.add(field, problem)
        cleaned[field] = text
    if "kind" in values:
        if values["kind"] not in PointKind.values:
            errors.add("kind", _("Choose one of the kinds."))
        cleaned["kind"] = values["kind"]
    if "facilities" in values:
        raw_facilities = values["facilities"] or []
        if not isinstance(raw_facilities, list | tuple) or any(
            f not in Facility.values for f in raw_facilities
        ):
            errors.add("facilities", _("Choose facilities from the list."))
        else:
            # Stored in the list's own order, once each, so the page and the filter agree.
            cleaned["facilities"] = [f for f in Facility.values if f in raw_facilities]
    if "description" in values:
        cleaned["description"] = clean_multiline(
            values["description"], field="description", max_length=DESCRIPTION_MAX, errors=errors
        )
    if "latitude" in values or "longitude" in values:
        cleaned.update(clean_position(values.get("latitude"), values.get("longitude"), errors))
    return cleaned


def running_org(actor: Any, org: Org | int | None) -> Org:
    """The union that runs a point, fresh, when the actor may manage points there; NotFound
    otherwise (as for a missing union: nothing reveals unions outside the actor's scope)."""
    pk = org.pk if isinstance(org, Org) else org
    fresh: Org | None = Org.objects.filter(pk=pk).first() if pk else None
    if fresh is None or not has_perm_at(actor, Perm.SERVICES_CHANGE, fresh.path):
        message = _("No such union among those whose service points you manage.")
        raise NotFound(message, fields={"org": [message]})
    if fresh.status != OrgStatus.ACTIVE:
        message = _("%(name)s is dissolved; it cannot run service points.") % {"name": fresh.name}
        raise ValidationFailed(message, fields={"org": [message]})
    return fresh


def point_for_change(actor: Any, point: ServicePoint | int) -> ServicePoint:
    """The point, fresh and locked, when the actor may change it: NotFound when it is out of
    sight, Forbidden when the actor may only look at it."""
    pk = point.pk if isinstance(point, ServicePoint) else point
    current = ServicePoint.objects.select_related("org").select_for_update(of=("self",)).filter(pk=pk).first()
    if current is None or not has_perm_at(actor, Perm.SERVICES_VIEW, current.org.path):
        raise NotFound(_("This service point does not exist."))
    if not has_perm_at(actor, Perm.SERVICES_CHANGE, current.org.path):
        raise Forbidden(_("You may look at this service point but not change it."))
    return current


@transaction.atomic
def create_point(*, actor: Any, org: Org | int | None, values: Mapping[str, Any]) -> ServicePoint:
    """Sign up a service point run by `org`."""
    errors = FieldErrors()
    try:
        fresh_org: Org | None = running_org(actor, org)
    except (NotFound, ValidationFailed) as error:
        for message in error.fields.get("org", [error.message]):
            errors.add("org", message)
        fresh_org = None
    cleaned = clean_point_fields({key: values.get(key) for key in FIELD_NAMES}, errors)
    errors.raise_if_any()
    assert fresh_org is not None
    point = ServicePoint.objects.create(org=fresh_org, checkin_code=new_checkin_code(), **cleaned)
    record_audit(
        actor=actor,
        action="services.create_point",
        obj=point,
        changes={key: [None, value] for key, value in snapshot(point, AUDITED_FIELDS).items()},
    )
    return point


@transaction.atomic
def update_point(
    point: ServicePoint | int, *, actor: Any, changes: Mapping[str, Any], org: Org | int | None = None
) -> ServicePoint:
    """Change the fields named in `changes` (and, with `org`, the running union)."""
    current = point_for_change(actor, point)
    errors = FieldErrors()
    cleaned = clean_point_fields(dict(changes), errors)
    new_org = None
    if org is not None and (org.pk if isinstance(org, Org) else org) != current.org_id:
        try:
            new_org = running_org(actor, org)
        except (NotFound, ValidationFailed) as error:
            for message in error.fields.get("org", [error.message]):
                errors.add("org", message)
    errors.raise_if_any()
    before = snapshot(current, AUDITED_FIELDS)
    for field, value in cleaned.items():
        setattr(current, field, value)
    if new_org is not None:
        current.org = new_org
    diff = changes_between(before, snapshot(current, AUDITED_FIELDS))
    if diff:
        current.save()
        record_audit(actor=actor, action="services.update_point", obj=current, changes=diff)
    return current


@transaction.atomic
def set_point_status(point: ServicePoint | int, *, actor: Any, status: str) -> ServicePoint:
    current = point_for_change(actor, point)
    if status not in PointStatus.values:
        message = _("Choose one of the statuses.")
        raise ValidationFailed(message, fields={"status": [message]})
    if current.status != status:
        before = current.status
        current.status = status
        current.save(update_fields=["status", "updated_at"])
        record_audit(
            actor=actor, action="services.set_point_status", obj=current, changes={"status": [before, status]}
        )
    return current


@transaction.atomic
def renew_checkin_code(point: ServicePoint | int, *, actor: Any) -> ServicePoint:
    """A new code for a reprinted poster: the QR codes of the old posters stop working."""
    current = point_for_change(actor, point)
    current.checkin_code = new_checkin_code()
    current.save(update_fields=["checkin_code", "updated_at"])
    # The code itself is not recorded: the audit log is read by more people than may print posters.
    record_audit(actor=actor, action="services.renew_checkin_code", obj=current, changes={})
    return current


def _photo_error(message: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"image": [message]})


@transaction.atomic
def add_point_photo(
    point: ServicePoint | int, *, actor: Any, upload: Upload, caption: str = ""
) -> ServicePointPhoto:
    """Add a photo after the point's others (at most MAX_PHOTOS)."""
    current = point_for_change(actor, point)  # the lock makes the count below exact
    caption = normalize_text(caption or "")
    problem = text_problem(caption, max_length=CAPTION_MAX, required=False)
    if problem:
        raise ValidationFailed(problem, fields={"caption": [problem]})
    if ServicePointPhoto.objects.filter(point=current).count() >= MAX_PHOTOS:
        raise _photo_error(
            _("A service point can have at most %(n)s photos. Remove one before adding another.")
            % {"n": MAX_PHOTOS}
        )
    content, suffix = read_photo(upload, field="image")
    last = ServicePointPhoto.objects.filter(point=current).aggregate(last=Max("position"))["last"]
    photo = ServicePointPhoto(point=current, caption=caption, position=0 if last is None else last + 1)
    # A name of our own: what the upload was called says nothing we need, and may say too much.
    photo.image.save(f"{current.pk}-{uuid.uuid4().hex}{suffix}", ContentFile(content), save=False)
    photo.save()
    record_audit(
        actor=actor,
        action="services.add_point_photo",
        obj=current,
        changes={"photo": [None, photo.image.name]},
    )
    return photo


@transaction.atomic
def remove_point_photo(photo: ServicePointPhoto | int, *, actor: Any) -> None:
    pk = photo.pk if isinstance(photo, ServicePointPhoto) else photo
    found = ServicePointPhoto.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("This photo does not exist."))
    current = point_for_change(actor, found.point_id)
    name = found.image.name
    found.delete()
    # The file goes only once the row is surely gone.
    transaction.on_commit(lambda: found.image.storage.delete(name))
    record_audit(
        actor=actor, action="services.remove_point_photo", obj=current, changes={"photo": [name, None]}
    )
