"""The development SMS outbox: messages kept in the database, readable from any process."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from gonghui.core.models import SmsOutboxMessage
from gonghui.core.sms import outbox_messages, send_sms

pytestmark = pytest.mark.django_db


def test_the_outbox_keeps_messages_per_number_newest_first_with_the_number_encrypted() -> None:
    send_sms("13800000001", "第一条")
    send_sms("13800000001", "第二条")
    send_sms("13800000002", "别人的")
    assert outbox_messages("13800000001") == ["第二条", "第一条"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT mobile FROM {SmsOutboxMessage._meta.db_table}")  # noqa: S608 - our own table name
        stored = [row[0] for row in cursor.fetchall()]
    assert len(stored) == 3
    assert all("1380000000" not in value for value in stored)


def test_the_command_prints_a_numbers_messages(capsys) -> None:
    send_sms("13800000001", "验证码 123456")
    call_command("sms_outbox", "138 0000 0001")
    assert "验证码 123456" in capsys.readouterr().out


def test_the_command_refuses_a_bad_number_and_a_gateway_backend(settings) -> None:
    with pytest.raises(CommandError):
        call_command("sms_outbox", "12345")
    settings.SMS_BACKEND = "gonghui.core.sms.ConsoleSmsBackend"
    with pytest.raises(CommandError):
        call_command("sms_outbox", "13800000001")
