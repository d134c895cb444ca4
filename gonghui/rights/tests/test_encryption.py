"""The free text of a dispute is encrypted at rest, the pages still show it, and the data
migration encrypts rows stored as plaintext (and decrypts them back)."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from gonghui.accounts.tests.factories import sign_in_verified
from gonghui.orgs.models import Role
from gonghui.orgs.tests.factories import officer_at
from gonghui.rights.models import Dispute, DisputeHistory, DisputeMessage, DisputeStatus, Settlement
from gonghui.rights.services import disputes as services
from gonghui.rights.tests.factories import make_dispute

pytestmark = pytest.mark.django_db

migration = importlib.import_module("gonghui.rights.migrations.0002_encrypt_dispute_free_text")

SECRET = "张三因工伤住院三个月"


def _raw(table: str, column: str, pk: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - our names
        value: str | None = cursor.fetchone()[0]
    return value


def test_the_columns_hold_no_plaintext_and_the_page_shows_it(tree, client):
    officer = officer_at(tree.east, "east.handler", Role.CASE_HANDLER)
    dispute = make_dispute(
        tree.acme, status=DisputeStatus.RECEIVED, summary=f"{SECRET}摘要", description=f"{SECRET}经过"
    )
    message = services.post_message(dispute.pk, actor=officer, text=f"{SECRET}留言")
    services.decline_dispute(dispute.pk, actor=officer, reason=f"{SECRET}理由")
    settled = make_dispute(tree.acme, status=DisputeStatus.SETTLED)
    Settlement.objects.filter(dispute=settled).update(terms=f"{SECRET}条款")
    columns = [
        ("rights_dispute", "summary", dispute.pk),
        ("rights_dispute", "description", dispute.pk),
        ("rights_dispute", "decline_reason", dispute.pk),
        ("rights_disputemessage", "text", message.pk),
        ("rights_settlement", "terms", settled.settlement.pk),
    ]
    for table, column, pk in columns:
        raw = _raw(table, column, pk)
        assert raw, (table, column)
        assert SECRET not in raw, (table, column)
    history = DisputeHistory.objects.get(dispute=dispute, action="decline")
    assert SECRET not in history.comment
    sign_in_verified(client, officer)
    page = client.get(f"/console/rights/{dispute.pk}/").content.decode()
    for part in ("摘要", "经过", "留言", "理由"):
        assert f"{SECRET}{part}" in page
    assert f"{SECRET}条款" in client.get(f"/console/rights/{settled.pk}/").content.decode()
    assert Dispute.objects.get(pk=settled.pk).failure_reason is None


def test_the_data_migration_encrypts_plaintext_rows_and_back(tree):
    dispute = make_dispute(tree.acme, status=DisputeStatus.SETTLED)
    declined = make_dispute(tree.acme, status=DisputeStatus.DECLINED)
    message = DisputeMessage.objects.create(dispute=dispute, author_kind="handler", text="x")
    DisputeHistory.objects.create(
        dispute=declined, action="decline", from_status="received", to_status="declined", comment="旧理由"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE rights_dispute SET summary = %s, description = %s, decline_reason = %s, "
            "failure_reason = %s WHERE id = %s",
            [f"{SECRET}摘要", "", f"{SECRET}理由", "", declined.pk],
        )
        cursor.execute(
            "UPDATE rights_dispute SET summary = %s, description = %s, decline_reason = %s, "
            "failure_reason = %s WHERE id = %s",
            ["摘要", "", "", "", dispute.pk],
        )
        cursor.execute(
            "UPDATE rights_disputemessage SET text = %s WHERE id = %s", [f"{SECRET}留言", message.pk]
        )
        cursor.execute(
            "UPDATE rights_settlement SET terms = %s WHERE id = %s", [f"{SECRET}条款", dispute.settlement.pk]
        )
    # The models as the RunPython step sees them: plain text fields.
    state = MigrationLoader(connection).project_state(("rights", "0001_initial"))
    migration.encrypt_rows(state.apps, None)

    assert SECRET not in (_raw("rights_dispute", "summary", declined.pk) or "")
    assert SECRET not in (_raw("rights_disputemessage", "text", message.pk) or "")
    assert _raw("rights_dispute", "failure_reason", declined.pk) is None
    row = Dispute.objects.get(pk=declined.pk)
    assert (row.summary, row.description, row.decline_reason, row.failure_reason) == (
        f"{SECRET}摘要",
        "",
        f"{SECRET}理由",
        None,
    )
    assert DisputeMessage.objects.get(pk=message.pk).text == f"{SECRET}留言"
    assert Settlement.objects.get(pk=dispute.settlement.pk).terms == f"{SECRET}条款"
    assert DisputeHistory.objects.get(dispute=declined, action="decline").comment == ""

    migration.decrypt_rows(state.apps, None)
    assert _raw("rights_dispute", "summary", declined.pk) == f"{SECRET}摘要"
    assert _raw("rights_dispute", "failure_reason", declined.pk) == ""
    assert _raw("rights_settlement", "terms", dispute.settlement.pk) == f"{SECRET}条款"
    assert DisputeHistory.objects.get(dispute=declined, action="decline").comment == f"{SECRET}理由"
