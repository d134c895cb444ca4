"""`gonghui demo-otp-code city.admin`: the current one-time code of a demo account.

Federation-level roles must sign in with a second factor; the demo accounts come with an
authenticator device so that a person trying the demo does not need a phone app.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from gonghui.orgs.demo.accounts import DEMO_DEVICE_NAME, DEMO_USERNAMES


class Command(BaseCommand):
    help = "Print the current one-time code of a demo account's authenticator (demo only)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username", help="A demo account, e.g. city.admin")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("demo-otp-code is for the demo only; it refuses to run in production.")
        if username not in DEMO_USERNAMES:
            raise CommandError(f"{username} is not a demo account.")
        device = TOTPDevice.objects.filter(user__username=username, name=DEMO_DEVICE_NAME).first()
        if device is None:
            raise CommandError(f"{username} has no demo authenticator (its role needs no second factor).")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        self.stdout.write(str(code).zfill(device.digits))
