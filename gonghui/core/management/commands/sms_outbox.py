"""`gonghui sms-outbox 13800000000`: the latest text messages the outbox backend kept for a
number — how a person trying the demo reads a verification code without a phone."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gonghui.core.mobile import InvalidMobile, parse_mobile
from gonghui.core.sms import OutboxSmsBackend, get_sms_backend, outbox_messages


class Command(BaseCommand):
    help = "Print the latest text messages kept by the development SMS outbox for a mobile number."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("mobile", help="The mobile number, e.g. 13800000000")
        parser.add_argument("--limit", type=int, default=5, help="How many messages (newest first)")

    def handle(self, *args: Any, mobile: str, limit: int, **options: Any) -> None:
        if not isinstance(get_sms_backend(), OutboxSmsBackend):
            raise CommandError(
                f"SMS_BACKEND is {settings.SMS_BACKEND}: messages go to the gateway, not to the outbox."
            )
        try:
            number = parse_mobile(mobile)
        except InvalidMobile as exc:
            raise CommandError(exc.message) from None
        messages = outbox_messages(number, limit=max(1, limit))
        if not messages:
            self.stdout.write("No messages to this number.")
        for text in messages:
            self.stdout.write(text)
