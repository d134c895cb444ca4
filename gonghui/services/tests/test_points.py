"""Signing up and keeping service points (services/points.py)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gonghui.core.errors import Forbidden, NotFound, ValidationFailed
from gonghui.core.models import AuditEvent
from gonghui.orgs.permissions import Role
from gonghui.orgs.tests.factories import officer_at
from gonghui.services.models import PointStatus, ServicePoint, ServicePointPhoto
from gonghui.services.services.points import (
    MAX_PHOTOS,
    add_point_photo,
    create_point,
    renew_checkin_code,
    set_point_status,
    update_point,
)
from gonghui.services.tests.factories import make_point

VALUES = {
    "kind": "outdoor_worker_station",
    "name": "  东湖 爱心驿站 ",
    "address": "东区东湖路１号",
    "district": "东区",
    "latitude": "29.870512",
    "longitude": "121.550375",
    "opening_hours": "每天 7:00-21:00",
    "facilities": ["toilet", "water", "water"],
    "contact_name": "王站长",
    "contact_phone": "0574-8888 6666",
    "description": "第一行\r\n\r\n第二行\n",
}


def png_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, "PNG")
    return out.getvalue()


def test_an_officer_signs_up_a_point_with_clean_values(tree: Any, officer: Any) -> None:
    point = create_point(actor=officer, org=tree.acme, values=VALUES)
    assert point.name == "东湖爱心驿站"  # normalize_name drops the spaces between Chinese characters
    assert point.address == "东区东湖路1号"  # full-width digits made half-width
    assert point.facilities == ["water", "toilet"]  # once each, in the list's order
    assert str(point.latitude) == "29.870512"
    assert point.description == "第一行\n\n第二行"
    assert len(point.checkin_code) >= 16
    assert AuditEvent.objects.filter(action="services.create_point", object_id=str(point.pk)).exists()


def test_every_problem_is_reported_on_its_field_and_nothing_is_written(tree: Any, officer: Any) -> None:
    bad = {
        **VALUES,
        "kind": "spa",
        "name": "",
        "latitude": "91",
        "longitude": "",
        "facilities": ["sauna"],
        "contact_phone": "call me",
        "opening_hours": "",
    }
    with pytest.raises(ValidationFailed) as caught:
        create_point(actor=officer, org=tree.acme, values=bad)
    assert set(caught.value.fields) >= {
        "kind",
        "name",
        "longitude",
        "facilities",
        "contact_phone",
        "opening_hours",
    }
    assert not ServicePoint.objects.exists()


def test_a_union_outside_the_officers_scope_is_not_found(tree: Any, officer: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        create_point(actor=officer, org=tree.west, values=VALUES)
    assert "org" in caught.value.fields
    assert not ServicePoint.objects.exists()


def test_a_viewer_may_not_change_a_point_and_an_outsider_does_not_see_it(tree: Any) -> None:
    point = make_point(tree.acme)
    auditor = officer_at(tree.east, "east.auditor", Role.AUDITOR)
    outsider = officer_at(tree.west, "west.officer", Role.UNION_OFFICER)
    with pytest.raises(Forbidden):
        update_point(point, actor=auditor, changes={"name": "改名"})
    with pytest.raises(NotFound):
        update_point(point, actor=outsider, changes={"name": "改名"})
    point.refresh_from_db()
    assert point.name == "东湖爱心驿站"


def test_an_update_records_only_what_changed(tree: Any, officer: Any) -> None:
    point = make_point(tree.acme)
    update_point(point, actor=officer, changes={"name": "东湖驿站", "opening_hours": point.opening_hours})
    event = AuditEvent.objects.get(action="services.update_point")
    assert set(event.changes) == {"name"}
    update_point(point, actor=officer, changes={"name": "东湖驿站"})
    assert AuditEvent.objects.filter(action="services.update_point").count() == 1


def test_status_and_a_new_code_that_retires_the_old_posters(tree: Any, officer: Any) -> None:
    point = make_point(tree.acme)
    old = point.checkin_code
    set_point_status(point, actor=officer, status=PointStatus.PAUSED)
    renewed = renew_checkin_code(point, actor=officer)
    assert renewed.status == PointStatus.PAUSED
    assert renewed.checkin_code != old
    with pytest.raises(ValidationFailed):
        set_point_status(point, actor=officer, status="gone")
    # The code is not in the audit log, which more people read than may print posters.
    assert old not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_photos_are_checked_and_limited(tree: Any, officer: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    point = make_point(tree.acme)
    with pytest.raises(ValidationFailed) as caught:
        add_point_photo(point, actor=officer, upload=SimpleUploadedFile("x.png", b"not a picture"))
    assert "image" in caught.value.fields
    for _ in range(MAX_PHOTOS):
        add_point_photo(point, actor=officer, upload=SimpleUploadedFile("p.png", png_bytes()), caption="门头")
    with pytest.raises(ValidationFailed):
        add_point_photo(point, actor=officer, upload=SimpleUploadedFile("p.png", png_bytes()))
    assert ServicePointPhoto.objects.filter(point=point).count() == MAX_PHOTOS
