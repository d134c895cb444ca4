"""Pluggable SMS sending. SMS_BACKEND names a class with `send(mobile, text)`.

The console backend writes a masked line to the log and keeps messages in `outbox` so that
tests and the demo can read what would have been sent without a gateway.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmsMessage:
    mobile: str
    text: str


class SmsBackend(Protocol):
    def send(self, mobile: str, text: str) -> None: ...


class ConsoleSmsBackend:
    outbox: list[SmsMessage] = []

    def send(self, mobile: str, text: str) -> None:
        from gonghui.core.mobile import mask_mobile

        ConsoleSmsBackend.outbox.append(SmsMessage(mobile, text))
        logger.info("SMS to %s: %d characters", mask_mobile(mobile), len(text))


def get_sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend


def send_sms(mobile: str, text: str) -> None:
    get_sms_backend().send(mobile, text)
