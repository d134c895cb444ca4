"""Pluggable SMS sending. SMS_BACKEND names a class with `send(mobile, text)`.

A deployment points SMS_BACKEND at its gateway's adapter. Two backends ship here for
development, the demo and tests, neither of which reaches a phone:

- `OutboxSmsBackend` (the default) stores each message in the database (`SmsOutboxMessage`,
  number encrypted) so that the demo and the tests, in any process, can read what would have
  been sent: `gonghui sms-outbox 13800000000` prints the latest messages to a number.
- `ConsoleSmsBackend` only writes a masked line to the log.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from gonghui.core.mobile import mask_mobile

logger = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, mobile: str, text: str) -> None: ...


class ConsoleSmsBackend:
    def send(self, mobile: str, text: str) -> None:
        logger.info("SMS to %s: %d characters", mask_mobile(mobile), len(text))


class OutboxSmsBackend:
    def send(self, mobile: str, text: str) -> None:
        from gonghui.core.models import SmsOutboxMessage

        SmsOutboxMessage.objects.create_for(mobile, text)
        logger.info("SMS to %s stored in the outbox: %d characters", mask_mobile(mobile), len(text))


def get_sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend


def send_sms(mobile: str, text: str) -> None:
    get_sms_backend().send(mobile, text)


def outbox_messages(mobile: str, *, limit: int = 10) -> list[str]:
    """The texts of the latest messages the outbox backend kept for `mobile`, newest first."""
    from gonghui.core.models import SmsOutboxMessage

    return [message.text for message in SmsOutboxMessage.objects.to_mobile(mobile)[:limit]]
