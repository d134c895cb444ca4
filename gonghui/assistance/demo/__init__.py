"""Demo data of hardship assistance for the demo city (gonghui.orgs.demo.loader seeds and
resets it): hardship files with their thresholds, funds with their ledgers and grants, and the
seasonal care campaigns. Seeded in that order (grants and lists point at files, campaigns are
paid from funds) and removed in the reverse one (those references are PROTECT)."""

from __future__ import annotations

import random

from gonghui.assistance.demo.campaigns import make_demo_campaigns, reset_demo_campaigns
from gonghui.assistance.demo.files import make_demo_files, reset_demo_files
from gonghui.assistance.demo.funds import make_demo_funds, reset_demo_funds, reset_demo_grants
from gonghui.orgs.models import Org

MEMBERS_PER_FILE = 500
MIN_FILES, MAX_FILES = 40, 2_000


def seed_demo_assistance(root: Org, *, district: Org, members: int, seed: int) -> None:
    count = max(MIN_FILES, min(MAX_FILES, members // MEMBERS_PER_FILE))
    # One generator per part, so that changing one part's data leaves the others' as they were.
    make_demo_files(root, random.Random(f"{seed}:hardship"), count=count)  # noqa: S311 - invented data
    make_demo_funds(root, random.Random(f"{seed}:funds"))  # noqa: S311 - invented data
    make_demo_campaigns(root, random.Random(f"{seed}:care-campaigns"), district=district)  # noqa: S311


def reset_demo_assistance(root: Org) -> None:
    reset_demo_grants(root)
    reset_demo_campaigns(root)
    reset_demo_funds(root)
    reset_demo_files(root)
