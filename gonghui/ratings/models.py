"""Vitality ratings of grassroots unions (活力基层工会, one to five stars) against the "six haves"
(六有) checklist.

A federation issues a scored checklist for a year and publishes it; from then on its items are
frozen, and the next year gets a copy. A grassroots or joint union assesses itself against the
published checklist of its nearest issuing ancestor; an officer of a superior org reviews the
scores item by item, which gives the stars; publishing makes the rating visible to everyone in
scope. The assessment's workflow is the table `TRANSITIONS` below, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import TimeStampedModel
from gonghui.core.workflow import Transition, TransitionRecord, TransitionTable
from gonghui.orgs.models import Org, OrgKind
from gonghui.orgs.permissions import Perm
from gonghui.orgs.scoping import ScopedQuerySet

# The kinds of union that are rated (a federation or a union group is not).
RATABLE_KINDS = (OrgKind.GRASSROOTS, OrgKind.JOINT_UNION)
STAR_LEVELS = (1, 2, 3, 4, 5)
MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_ITEM_SCORE = 100


class SixHaves(models.TextChoices):
    """The six sections of the 六有 standard, in their customary order, plus anything else."""

    OFFICERS = "officers", _("A lawfully elected union chair")
    ORGANISATION = "organisation", _("A sound and independent organisation")
    VENUE = "venue", _("A place that serves the workers")
    FUNDS = "funds", _("Funds under its own management")
    SYSTEM = "system", _("Sound working rules")
    ACTIVITIES = "activities", _("Work with visible results")
    OTHER = "other", _("Other")


SECTION_ORDER: Mapping[str, int] = MappingProxyType(
    {value: rank for rank, value in enumerate(SixHaves.values)}
)


class ChecklistStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ChecklistQuerySet(ScopedQuerySet["Checklist"]):
    scope_fields = ("issued_by__path",)

    def published(self) -> ChecklistQuerySet:
        return self.filter(status=ChecklistStatus.PUBLISHED)

    def annotate_totals(self) -> ChecklistQuerySet:
        """`item_count` and `max_total` (the highest total score a union can reach)."""
        return self.annotate(item_count=Count("items"), max_total=Sum("items__max_score"))


class Checklist(TimeStampedModel):
    """A federation's scored standard for one year. The minimum total score for each number of
    stars rises with the stars; a review total below the one-star minimum gives no star."""

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=120)
    issued_by = models.ForeignKey(
        Org,
        verbose_name=_("issuing organisation"),
        # Orgs are dissolved, never deleted, in normal work; deleting one (the demo reset)
        # takes its checklists with it.
        on_delete=models.CASCADE,
        related_name="rating_checklists",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ChecklistStatus.choices, default=ChecklistStatus.DRAFT
    )
    star1_min = models.PositiveSmallIntegerField(_("minimum score for 1 star"), default=60)
    star2_min = models.PositiveSmallIntegerField(_("minimum score for 2 stars"), default=70)
    star3_min = models.PositiveSmallIntegerField(_("minimum score for 3 stars"), default=80)
    star4_min = models.PositiveSmallIntegerField(_("minimum score for 4 stars"), default=90)
    star5_min = models.PositiveSmallIntegerField(_("minimum score for 5 stars"), default=95)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = ChecklistQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating checklist")
        verbose_name_plural = _("rating checklists")
        ordering = ["-year", "issued_by__path"]
        constraints = [
            models.UniqueConstraint(fields=["issued_by", "year"], name="rating_checklist_one_per_year"),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="rating_checklist_year_range"
            ),
            models.CheckConstraint(
                condition=Q(star1_min__gte=1)
                & Q(star2_min__gt=F("star1_min"))
                & Q(star3_min__gt=F("star2_min"))
                & Q(star4_min__gt=F("star3_min"))
                & Q(star5_min__gt=F("star4_min")),
                name="rating_checklist_thresholds_rise",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("console:ratings:checklist", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == ChecklistStatus.PUBLISHED

    @property
    def thresholds(self) -> tuple[int, int, int, int, int]:
        """The minimum total score for 1, 2, 3, 4 and 5 stars."""
        return (self.star1_min, self.star2_min, self.star3_min, self.star4_min, self.star5_min)

    def stars_for(self, total: int) -> int:
        """Stars earned by a review total: the highest level whose minimum it reaches, else 0."""
        return max(
            (stars for stars, minimum in zip(STAR_LEVELS, self.thresholds, strict=True) if total >= minimum),
            default=0,
        )


class ChecklistItemQuerySet(ScopedQuerySet["ChecklistItem"]):
    scope_fields = ("checklist__issued_by__path",)


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(
        Checklist, verbose_name=_("checklist"), on_delete=models.CASCADE, related_name="items"
    )
    section = models.CharField(_("section"), max_length=14, choices=SixHaves.choices)
    text = models.CharField(_("requirement"), max_length=300)
    max_score = models.PositiveSmallIntegerField(_("maximum score"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ChecklistItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_score__gte=1, max_score__lte=MAX_ITEM_SCORE),
                name="rating_item_max_score_range",
            ),
        ]

    def __str__(self) -> str:
        return self.text


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Self-assessment in progress")
    SUBMITTED = "submitted", _("Awaiting review")
    REVIEWED = "reviewed", _("Reviewed")
    PUBLISHED = "published", _("Published")


class AssessmentAction(models.TextChoices):
    START = "start", _("Start the self-assessment")
    SUBMIT = "submit", _("Submit for review")
    APPROVE = "approve", _("Approve the review")
    RETURN = "return", _("Return for rework")
    PUBLISH = "publish", _("Publish the rating")


class Authority(StrEnum):
    """Where a transition's permission must be held (`Transition.held_on`)."""

    UNION = "union"  # on the union (its own officers, or a federation above it)
    SUPERIOR = "superior"  # on the union's parent or above, never on the union itself


# The whole workflow. Starting creates a draft; every other change of status is one of these.
TRANSITIONS = TransitionTable(
    AssessmentStatus,
    [
        Transition(
            AssessmentAction.SUBMIT,
            frozenset({AssessmentStatus.DRAFT}),
            AssessmentStatus.SUBMITTED,
            Perm.RATING_ASSESS,
            Authority.UNION,
        ),
        Transition(
            AssessmentAction.APPROVE,
            frozenset({AssessmentStatus.SUBMITTED}),
            AssessmentStatus.REVIEWED,
            Perm.RATING_REVIEW,
            Authority.SUPERIOR,
        ),
        Transition(
            AssessmentAction.RETURN,
            frozenset({AssessmentStatus.SUBMITTED, AssessmentStatus.REVIEWED}),
            AssessmentStatus.DRAFT,
            Perm.RATING_REVIEW,
            Authority.SUPERIOR,
        ),
        Transition(
            AssessmentAction.PUBLISH,
            frozenset({AssessmentStatus.REVIEWED}),
            AssessmentStatus.PUBLISHED,
            Perm.RATING_REVIEW,
            Authority.SUPERIOR,
        ),
    ],
    refusal=_("A rating whose status is “%(status)s” cannot be given the action “%(action)s”."),
)
AssessmentTransition = Transition[AssessmentAction, AssessmentStatus]


class AssessmentQuerySet(ScopedQuerySet["Assessment"]):
    def published(self) -> AssessmentQuerySet:
        return self.filter(status=AssessmentStatus.PUBLISHED)


class Assessment(TimeStampedModel):
    """One union's rating for one year: its self-assessment, the superior's review, the stars."""

    org = models.ForeignKey(Org, verbose_name=_("union"), on_delete=models.CASCADE, related_name="ratings")
    checklist = models.ForeignKey(
        Checklist,
        verbose_name=_("checklist"),
        # The checklist stays while assessments use it, unless the whole org goes (demo reset).
        on_delete=models.RESTRICT,
        related_name="assessments",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    self_score = models.PositiveSmallIntegerField(_("self-assessed score"), default=0)
    review_score = models.PositiveSmallIntegerField(_("reviewed score"), null=True, blank=True)
    stars = models.PositiveSmallIntegerField(_("stars"), null=True, blank=True)
    reviewer_org = models.ForeignKey(
        Org,
        verbose_name=_("reviewed by organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    opinion = models.TextField(_("review opinion"), blank=True)
    return_reason = models.CharField(_("reason for return"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("vitality rating")
        verbose_name_plural = _("vitality ratings")
        ordering = ["-year", "org__path"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="rating_one_per_union_and_year"),
            models.CheckConstraint(condition=Q(stars__lte=5), name="rating_stars_range"),
            models.CheckConstraint(
                condition=Q(year__gte=MIN_YEAR, year__lte=MAX_YEAR), name="rating_year_range"
            ),
        ]
        indexes = [models.Index(fields=["year", "status", "stars"], name="rating_year_status_idx")]

    def __str__(self) -> str:
        return f"{self.org} · {self.year}"

    @property
    def is_published(self) -> bool:
        return self.status == AssessmentStatus.PUBLISHED


class AnswerQuerySet(ScopedQuerySet["AssessmentAnswer"]):
    scope_fields = ("assessment__org__path",)


class AssessmentAnswer(models.Model):
    """The union's score and evidence for one checklist item, and the reviewer's score."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("vitality rating"), on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("checklist item"), on_delete=models.RESTRICT, related_name="+"
    )
    self_score = models.PositiveSmallIntegerField(_("self-assessed score"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    review_score = models.PositiveSmallIntegerField(_("reviewed score"), null=True, blank=True)
    review_note = models.CharField(_("reviewer's note"), max_length=500, blank=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment answer")
        verbose_name_plural = _("assessment answers")
        ordering = ["item__order", "item_id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "item"], name="rating_answer_once")]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.item_id}"


class HistoryQuerySet(ScopedQuerySet["AssessmentHistory"]):
    scope_fields = ("assessment__org__path",)


class AssessmentHistory(TransitionRecord):
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("vitality rating"), on_delete=models.CASCADE, related_name="history"
    )
    # Starting a rating is recorded too, though it is not a transition of the table.
    action = models.CharField(_("action"), max_length=10, choices=AssessmentAction.choices)
    from_status = models.CharField(
        _("from status"), max_length=10, choices=AssessmentStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=10, choices=AssessmentStatus.choices)

    objects = HistoryQuerySet.as_manager()

    class Meta(TransitionRecord.Meta):
        verbose_name = _("rating history entry")
        verbose_name_plural = _("rating history")

    def __str__(self) -> str:
        return f"{self.assessment} · {self.get_action_display()}"
