"""The organisation tree, workplaces and role grants.

The tree is a django-treebeard materialised path: a subtree is `path LIKE 'prefix%'` on an
indexed column, which is what scoping (an officer sees only their own subtree) is built on.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from gonghui.core.models import TimeStampedModel


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


class OrgQuerySet(MP_NodeQuerySet):
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

    class Meta:
        verbose_name = _("workplace")
        verbose_name_plural = _("workplaces")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    FEDERATION_ADMIN = "federation_admin", _("Federation administrator")
    UNION_OFFICER = "union_officer", _("Union officer")
    CASE_HANDLER = "case_handler", _("Rights case handler")
    FINANCE_OFFICER = "finance_officer", _("Finance officer")
    AUDITOR = "auditor", _("Read-only auditor")


class RoleGrant(TimeStampedModel):
    """(user, org, role): the role applies to the org and its whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_grants"
    )
    org = models.ForeignKey(
        Org, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        constraints = [models.UniqueConstraint(fields=["user", "org", "role"], name="role_grant_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org}"
