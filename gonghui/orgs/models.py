"""The organisation tree, workplaces and role grants.

The tree is a django-treebeard materialised path: a subtree is `path LIKE 'prefix%'` on an
indexed column, which is what scoping (an officer sees only their own subtree) is built on.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from gonghui.core.mobile import mask_mobile
from gonghui.core.models import TimeStampedModel
from gonghui.orgs.permissions import Role
from gonghui.orgs.scoping import ScopedQuerySet, ScopedQuerySetMixin

__all__ = [
    "FederationLevel",
    "ImportKind",
    "ImportMode",
    "ImportProblem",
    "Industry",
    "JointUnionArea",
    "ListImport",
    "OfficerPosition",
    "OfficerTerm",
    "OfficerTermQuerySet",
    "OfficerTermState",
    "Org",
    "OrgCoverage",
    "OrgHistory",
    "OrgHistoryAction",
    "OrgKind",
    "OrgStatus",
    "Ownership",
    "Role",
    "RoleGrant",
    "Workplace",
]


class OrgKind(models.TextChoices):
    FEDERATION = "federation", _("Federation of unions")
    JOINT_UNION = "joint_union", _("Joint union")
    INDUSTRY_UNION = "industry_union", _("Industry union")
    GRASSROOTS = "grassroots", _("Grassroots union")
    UNION_GROUP = "union_group", _("Union group")


class FederationLevel(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District or county")
    TOWNSHIP = "township", _("Township or street")


class JointUnionArea(models.TextChoices):
    COMMUNITY = "community", _("Community")
    VILLAGE = "village", _("Village")
    PARK = "park", _("Industrial park")
    BUILDING = "building", _("Office building")


class OrgStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DISSOLVED = "dissolved", _("Dissolved")


class OrgQuerySet(ScopedQuerySetMixin, MP_NodeQuerySet):
    scope_fields = ("path",)

    def active(self) -> OrgQuerySet:
        return self.filter(status=OrgStatus.ACTIVE)

    def in_subtree(self, root: Org) -> OrgQuerySet:
        """`root` and everything under it: one indexed prefix scan."""
        return self.filter(path__startswith=root.path)


class OrgManager(MP_NodeManager.from_queryset(OrgQuerySet)):  # type: ignore[misc]
    """treebeard's manager (add_root, add_child …) returning our QuerySet, in tree order."""

    def get_queryset(self) -> OrgQuerySet:
        return OrgQuerySet(self.model, using=self._db).order_by("path")


class Org(MP_Node, TimeStampedModel):
    # 4 characters a level from a 36-character alphabet: 1.6 million children per node.
    steplen = 4
    node_order_by: ClassVar[list[str]] = []

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices, db_index=True)
    level = models.CharField(
        _("federation level"), max_length=10, choices=FederationLevel.choices, blank=True
    )
    area = models.CharField(_("joint union area"), max_length=12, choices=JointUnionArea.choices, blank=True)
    district = models.CharField(_("district"), max_length=40, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    founded_on = models.DateField(_("founding date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=OrgStatus.choices, default=OrgStatus.ACTIVE)
    dissolved_on = models.DateField(_("dissolution date"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="absorbed",
    )
    # Federations always approve founding applications under them; a federation may delegate
    # that authority to a community or regional joint union.
    holds_founding_authority = models.BooleanField(_("holds founding approval authority"), default=False)

    objects = OrgManager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="federation", level__in=["city", "district", "township"])
                | (~models.Q(kind="federation") & models.Q(level="")),
                name="org_level_only_for_federations",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="joint_union") | models.Q(area=""),
                name="org_area_only_for_joint_unions",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == OrgStatus.ACTIVE

    @property
    def may_approve_founding(self) -> bool:
        return self.is_active and (self.kind == OrgKind.FEDERATION or self.holds_founding_authority)


class OrgHistoryAction(models.TextChoices):
    CREATED = "created", _("Created")
    MOVED = "moved", _("Moved")
    MERGED_INTO = "merged_into", _("Merged into another union")
    ABSORBED = "absorbed", _("Absorbed another union")
    DISSOLVED = "dissolved", _("Dissolved")


class OrgHistory(models.Model):
    """The life of an org in the tree: what `AuditEvent` says in general, here per org and
    queryable (where a union used to sit, what it absorbed, how many members moved)."""

    org = models.ForeignKey(
        Org, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="history"
    )
    action = models.CharField(_("action"), max_length=12, choices=OrgHistoryAction.choices)
    from_parent = models.ForeignKey(
        Org,
        verbose_name=_("previous parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_parent = models.ForeignKey(
        Org, verbose_name=_("new parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    other_org = models.ForeignKey(
        Org,
        verbose_name=_("other organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    members_moved = models.PositiveIntegerField(_("members moved"), default=0)
    workplaces_moved = models.PositiveIntegerField(_("workplaces moved"), default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = ScopedQuerySet["OrgHistory"].as_manager()

    class Meta:
        verbose_name = _("organisation history entry")
        verbose_name_plural = _("organisation history")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.org} · {self.get_action_display()}"


class Industry(models.TextChoices):
    """Sections of the national economic classification, GB/T 4754-2017."""

    A = "A", _("Agriculture, forestry, animal husbandry and fishery")
    B = "B", _("Mining")
    C = "C", _("Manufacturing")
    D = "D", _("Electricity, heat, gas and water supply")
    E = "E", _("Construction")
    F = "F", _("Wholesale and retail trade")
    G = "G", _("Transport, storage and postal services")
    H = "H", _("Accommodation and catering")
    I = "I", _("Information transmission, software and IT services")  # noqa: E741
    J = "J", _("Finance")
    K = "K", _("Real estate")
    L = "L", _("Leasing and business services")
    M = "M", _("Scientific research and technical services")
    N = "N", _("Water conservancy, environment and public facilities management")
    O = "O", _("Resident services, repair and other services")  # noqa: E741
    P = "P", _("Education")
    Q = "Q", _("Health and social work")
    R = "R", _("Culture, sports and entertainment")
    S = "S", _("Public administration, social security and social organisations")
    T = "T", _("International organisations")


class Ownership(models.TextChoices):
    STATE = "state", _("State-owned")
    COLLECTIVE = "collective", _("Collective")
    PRIVATE = "private", _("Private")
    JOINT_STOCK = "joint_stock", _("Shareholding")
    FOREIGN = "foreign", _("Foreign-invested")
    HK_MACAO_TAIWAN = "hmt", _("Hong Kong, Macao or Taiwan invested")
    PUBLIC_INSTITUTION = "institution", _("Public institution")
    SOCIAL_ORG = "social_org", _("Social organisation")
    OTHER = "other", _("Other")


class WorkplaceQuerySet(ScopedQuerySet["Workplace"]):
    # A workplace without a union is still in someone's area: the federation or joint union
    # whose territory it lies in sees it (that is who founds its union).
    scope_fields = ("jurisdiction__path", "union__path")

    def without_union(self) -> WorkplaceQuerySet:
        return self.filter(is_unionised=False)


class Workplace(TimeStampedModel):
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=120, db_index=True)
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices)
    ownership = models.CharField(_("ownership"), max_length=12, choices=Ownership.choices)
    employee_count = models.PositiveIntegerField(_("number of employees"), default=0)
    address = models.CharField(_("address"), max_length=200, blank=True)
    district = models.CharField(_("district"), max_length=40, blank=True, db_index=True)
    union = models.ForeignKey(
        Org,
        verbose_name=_("covering union"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workplaces",
    )
    is_unionised = models.BooleanField(_("has a union"), default=False, db_index=True)
    jurisdiction = models.ForeignKey(
        Org,
        verbose_name=_("area federation"),
        help_text=_("The township federation or joint union whose area the workplace lies in."),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="workplaces_in_area",
    )

    objects = WorkplaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("workplace")
        verbose_name_plural = _("workplaces")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("console:orgs:workplace_detail", args=[self.pk])


class RoleGrant(TimeStampedModel):
    """(user, org, role): the role applies to the org and its whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_grants"
    )
    org = models.ForeignKey(
        Org, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    objects = ScopedQuerySet["RoleGrant"].as_manager()

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [models.UniqueConstraint(fields=["user", "org", "role"], name="role_grant_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org}"


class OfficerPosition(models.TextChoices):
    CHAIR = "chair", _("Chair")
    VICE_CHAIR_FULL_TIME = "vice_chair_full", _("Vice chair (full-time)")
    VICE_CHAIR_PART_TIME = "vice_chair_part", _("Vice chair (part-time)")
    ASSISTANT = "assistant", _("Union assistant")
    COMMITTEE_MEMBER = "committee", _("Committee member")


class OfficerTermState(models.TextChoices):
    """Where a term stands on a given day (see `OfficerTermQuerySet.in_state`)."""

    CURRENT = "current", _("In office")
    UPCOMING = "upcoming", _("Not started yet")
    OVERDUE = "overdue", _("Term over, no successor recorded")
    ENDED = "ended", _("Left office")


# Committee order, for lists: the chair first, members last.
POSITION_ORDER = ("chair", "vice_chair_full", "vice_chair_part", "assistant", "committee")


class OfficerTermQuerySet(ScopedQuerySet["OfficerTerm"]):
    def current(self, on: date) -> OfficerTermQuerySet:
        return self.filter(term_start__lte=on, term_end__gte=on, ended_on__isnull=True)

    def ending_within(self, on: date, days: int) -> OfficerTermQuerySet:
        return self.current(on).filter(term_end__lte=on + timedelta(days=days))

    def upcoming(self, on: date) -> OfficerTermQuerySet:
        return self.filter(term_start__gt=on, ended_on__isnull=True)

    def overdue(self, on: date) -> OfficerTermQuerySet:
        """Past their end date with nobody recorded as leaving: an election is due."""
        return self.filter(term_end__lt=on, ended_on__isnull=True)

    def ended(self) -> OfficerTermQuerySet:
        return self.filter(ended_on__isnull=False)

    def in_state(self, state: OfficerTermState | str, on: date) -> OfficerTermQuerySet:
        if state == OfficerTermState.UPCOMING:
            return self.upcoming(on)
        if state == OfficerTermState.OVERDUE:
            return self.overdue(on)
        if state == OfficerTermState.ENDED:
            return self.ended()
        return self.current(on)

    def matching(
        self,
        *,
        on: date,
        org_id: int | None = None,
        position: str | None = None,
        state: str | None = None,
        name: str = "",
        ending_within_days: int | None = None,
    ) -> OfficerTermQuerySet:
        """The filters of the officer lists (console and API). Terms ending within some days
        come soonest first; everything else in committee order."""
        terms = self
        if org_id is not None:
            terms = terms.filter(org_id=org_id)
        if position:
            terms = terms.filter(position=position)
        if state:
            terms = terms.in_state(state, on)
        if name:
            terms = terms.filter(name__icontains=name)
        if ending_within_days is not None:
            return terms.ending_within(on, ending_within_days).order_by("term_end", "org__path", "pk")
        return terms.in_committee_order()

    def in_committee_order(self) -> OfficerTermQuerySet:
        rank = models.Case(
            *(models.When(position=position, then=i) for i, position in enumerate(POSITION_ORDER)),
            default=len(POSITION_ORDER),
            output_field=models.IntegerField(),
        )
        return self.alias(position_rank=rank).order_by("org__path", "position_rank", "term_start", "pk")


class OfficerTerm(TimeStampedModel):
    """One person in one position of one union's committee for one term."""

    org = models.ForeignKey(
        Org, verbose_name=_("union"), on_delete=models.CASCADE, related_name="officer_terms"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    position = models.CharField(_("position"), max_length=16, choices=OfficerPosition.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("console account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="officer_terms",
    )
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    elected_on = models.DateField(_("election date"), null=True, blank=True)
    term_start = models.DateField(_("term start"))
    term_end = models.DateField(_("term end"))
    ended_on = models.DateField(_("left office on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for leaving office"), max_length=200, blank=True)

    objects = OfficerTermQuerySet.as_manager()

    class Meta:
        verbose_name = _("officer term")
        verbose_name_plural = _("officer terms")
        ordering = ["org", "position", "term_start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__gte=models.F("term_start")), name="officer_term_order"
            ),
        ]
        indexes = [models.Index(fields=["term_end"], name="officer_term_end_idx")]

    def __str__(self) -> str:
        return f"{self.org} · {self.get_position_display()} · {self.name}"

    def state_on(self, on: date) -> OfficerTermState:
        if self.ended_on is not None:
            return OfficerTermState.ENDED
        if self.term_start > on:
            return OfficerTermState.UPCOMING
        if self.term_end < on:
            return OfficerTermState.OVERDUE
        return OfficerTermState.CURRENT

    def audit_value(self, field: str) -> Any:
        if field == "contact_phone" and self.contact_phone:
            return mask_mobile(self.contact_phone)
        return getattr(self, field)


class OrgCoverage(models.Model):
    """Coverage figures of an org's whole subtree, kept by `refresh_coverage` (a background task),
    so that the figures for the city root are one row read, not a scan of millions of members."""

    org = models.OneToOneField(
        Org,
        verbose_name=_("organisation"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="coverage",
    )
    unions = models.PositiveIntegerField(_("unions"), default=0)
    workplaces = models.PositiveIntegerField(_("workplaces"), default=0)
    unionised_workplaces = models.PositiveIntegerField(_("unionised workplaces"), default=0)
    employees = models.PositiveBigIntegerField(_("employees"), default=0)
    members = models.PositiveBigIntegerField(_("members"), default=0)
    refreshed_at = models.DateTimeField(_("refreshed at"))

    objects = ScopedQuerySet["OrgCoverage"].as_manager()

    class Meta:
        verbose_name = _("coverage figures")
        verbose_name_plural = _("coverage figures")

    def __str__(self) -> str:
        return str(self.org)


class ImportKind(models.TextChoices):
    WORKPLACES = "workplaces", pgettext_lazy("list import", "Workplaces")
    ORGS = "orgs", pgettext_lazy("list import", "Organisations")


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing: write nothing if any row has a problem")
    GOOD_ROWS = "good_rows", _("Import the good rows and report the others")


class ListImportQuerySet(models.QuerySet["ListImport"]):
    def visible_to(self, user: Any) -> ListImportQuerySet:
        """An import and its report are shown to the person who uploaded it, and to superusers
        (as their background job is). The rows it wrote are scoped like any others."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(created_by=user)


class ListImport(models.Model):
    """An uploaded list of workplaces or organisations and, once its background job has run,
    the outcome: counts, and a problem per bad cell (`ImportProblem`).

    The file is held in the database rather than on a disk, so that a task worker on another
    machine reads it; it is emptied once the import has run.
    """

    kind = models.CharField(_("kind"), max_length=12, choices=ImportKind.choices)
    mode = models.CharField(_("mode"), max_length=16, choices=ImportMode.choices)
    file_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size in bytes"))
    content = models.BinaryField(_("file content"), blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="list_imports",
    )
    job = models.OneToOneField(
        "jobs.Job",
        verbose_name=_("background job"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="list_import",
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    problem_count = models.PositiveIntegerField(_("problems"), default=0)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ListImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("list import")
        verbose_name_plural = _("list imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="list_import_creator_idx")]

    def __str__(self) -> str:
        return self.file_name

    def get_absolute_url(self) -> str:
        return reverse("console:orgs:import_report", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class ImportProblem(models.Model):
    """One problem in one row (and usually one column) of an uploaded list."""

    list_import = models.ForeignKey(
        ListImport, verbose_name=_("list import"), on_delete=models.CASCADE, related_name="problems"
    )
    row = models.PositiveIntegerField(_("row"))  # as the spreadsheet numbers it, header included
    column = models.CharField(_("column"), max_length=60, blank=True)  # the header; blank: whole row
    column_letter = models.CharField(_("column letter"), max_length=3, blank=True)
    message = models.CharField(_("problem"), max_length=300)

    class Meta:
        verbose_name = _("import problem")
        verbose_name_plural = _("import problems")
        ordering = ["row", "id"]
        indexes = [models.Index(fields=["list_import", "row", "id"], name="import_problem_row_idx")]

    def __str__(self) -> str:
        return f"{self.row} {self.column}: {self.message}"
