"""Categories of members that benefits campaigns and care campaigns are limited to: a member in
any one of a campaign's categories qualifies. One place for what each category means, as a test
of a loaded member and as a filter on the registry, so the two never disagree."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.members.models import Member, Sex


class MemberCategory(models.TextChoices):
    GIG_WORKER = "gig_worker", _("Gig workers")
    FEMALE = "female", _("Female workers")
    MIGRANT_WORKER = "migrant_worker", _("Migrant workers")
    MODEL_WORKER = "model_worker", _("Model workers")


CATEGORY_TESTS: dict[str, Callable[[Member], bool]] = {
    MemberCategory.GIG_WORKER: lambda member: member.is_gig_worker,
    MemberCategory.FEMALE: lambda member: member.sex == Sex.FEMALE,
    MemberCategory.MIGRANT_WORKER: lambda member: member.is_migrant_worker,
    MemberCategory.MODEL_WORKER: lambda member: member.is_model_worker,
}
CATEGORY_FILTERS: dict[str, Q] = {
    MemberCategory.GIG_WORKER: Q(is_gig_worker=True),
    MemberCategory.FEMALE: Q(sex=Sex.FEMALE),
    MemberCategory.MIGRANT_WORKER: Q(is_migrant_worker=True),
    MemberCategory.MODEL_WORKER: Q(is_model_worker=True),
}


def in_any_category(member: Member, categories: Iterable[str]) -> bool:
    """True when `categories` is empty (everyone) or the member is in one of them."""
    codes = list(categories)
    return not codes or any(CATEGORY_TESTS[code](member) for code in codes)


def category_filter(categories: Iterable[str]) -> Q:
    """The registry filter of `in_any_category` (an empty Q for no categories)."""
    codes = list(categories)
    return reduce(or_, (CATEGORY_FILTERS[code] for code in codes)) if codes else Q()


def category_names(categories: Iterable[str]) -> str:
    return "、".join(str(MemberCategory(code).label) for code in categories if code in MemberCategory.values)
