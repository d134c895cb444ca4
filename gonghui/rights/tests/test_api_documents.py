"""The API's document uploads (multipart, the console's checks) for officers, mediators and the
worker, and the collective-dispute alerts for the superior org's officers."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gonghui.accounts.tests.factories import make_member, sign_in_verified
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import officer_at
from gonghui.rights.models import CollectiveAlert, DisputeDocument, DisputeStatus
from gonghui.rights.tests.factories import make_dispute

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%wages\n"


def _file(name: str = "工资条.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_officers_in_scope_upload_and_others_get_404(tree, client: Client):
    dispute = make_dispute(tree.acme)
    url = f"/api/v1/rights/disputes/{dispute.pk}/documents"
    sign_in_verified(client, officer_at(tree.west, "west.handler", Role.CASE_HANDLER))
    assert client.post(url, {"files": [_file()]}).status_code == 404
    sign_in_verified(client, officer_at(tree.acme, "acme.viewer", Role.AUDITOR))
    assert client.post(url, {"files": [_file()]}).status_code == 403
    assert not DisputeDocument.objects.exists()
    sign_in_verified(client, officer_at(tree.east, "east.handler", Role.CASE_HANDLER))
    response = client.post(url, {"files": [_file(), _file("合同.pdf")]})
    assert response.status_code == 201
    assert [item["name"] for item in response.json()["items"]] == ["工资条.pdf", "合同.pdf"]
    assert DisputeDocument.objects.filter(dispute=dispute, from_worker=False).count() == 2


def test_a_refused_file_is_a_field_error_and_stores_nothing(tree, client: Client):
    dispute = make_dispute(tree.acme)
    sign_in_verified(client, officer_at(tree.east, "east.handler", Role.CASE_HANDLER))
    response = client.post(
        f"/api/v1/rights/disputes/{dispute.pk}/documents",
        {"files": [_file(), _file("病毒.exe", b"MZ\x90\x00")]},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert "病毒.exe" in body["fields"]["files"][0]
    assert not DisputeDocument.objects.exists()
    assert client.post(f"/api/v1/rights/disputes/{dispute.pk}/documents", {}).status_code == 422


def test_the_worker_uploads_to_their_own_dispute_and_sees_only_their_files(tree, client: Client):
    worker = make_member("13900005555")
    mine = make_dispute(tree.acme, reporter=worker)
    other = make_dispute(tree.acme, reporter=make_member("13900006666"))
    officer_file = DisputeDocument(dispute=mine, original_name="单位工资表.pdf", content_type="x", size=1)
    officer_file.file.save("officer.pdf", _file(), save=True)
    sign_in_verified(client, worker)
    assert client.post(f"/api/v1/rights/me/{other.pk}/documents", {"files": [_file()]}).status_code == 404
    response = client.post(f"/api/v1/rights/me/{mine.pk}/documents", {"files": [_file()]})
    assert response.status_code == 201
    assert [(item["name"], item["from_worker"]) for item in response.json()["items"]] == [
        ("工资条.pdf", True)
    ]
    mine.status = DisputeStatus.ARCHIVED
    mine.save(update_fields=["status"])
    assert client.post(f"/api/v1/rights/me/{mine.pk}/documents", {"files": [_file()]}).status_code == 409


def test_the_superior_org_lists_and_acknowledges_alerts(tree, client: Client):
    alert = CollectiveAlert.objects.create(dispute=make_dispute(tree.acme, parties=10), org=tree.town)
    sign_in_verified(client, officer_at(tree.beta, "beta.admin"))
    assert client.get("/api/v1/rights/disputes/alerts").json()["items"] == []
    assert client.post(f"/api/v1/rights/disputes/alerts/{alert.pk}/acknowledge").status_code == 404
    sign_in_verified(client, officer_at(tree.town, "town.admin"))
    items = client.get("/api/v1/rights/disputes/alerts").json()["items"]
    assert [(item["id"], item["org"]["code"], item["dispute"]["id"]) for item in items] == [
        (alert.pk, tree.town.code, alert.dispute_id)
    ]
    done = client.post(f"/api/v1/rights/disputes/alerts/{alert.pk}/acknowledge")
    assert done.status_code == 200
    assert done.json()["acknowledged_at"] is not None
    assert client.get("/api/v1/rights/disputes/alerts").json()["items"] == []
