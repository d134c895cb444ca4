"""The real-name member registry.

A `Member` row is one person's membership of one union. ID and mobile numbers are stored
encrypted, with keyed blind indexes for exact lookup; the partial unique index on the ID
number's blind index is what guarantees at most one active membership per person.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gonghui.core.fields import EncryptedTextField
from gonghui.core.idnumbers import mask_id_number
from gonghui.core.mobile import mask_mobile
from gonghui.core.models import TimeStampedModel
from gonghui.core.text import mask_name
from gonghui.orgs.models import Org, Workplace
from gonghui.orgs.scoping import ScopedQuerySet


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    LEFT = "left", _("Left")
    DECEASED = "deceased", _("Deceased")


class MemberQuerySet(ScopedQuerySet["Member"]):
    def active(self) -> MemberQuerySet:
        return self.filter(status=MemberStatus.ACTIVE)

    def in_subtree(self, root: Org) -> MemberQuerySet:
        return self.filter(org__path__startswith=root.path)


class Member(TimeStampedModel):
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    id_number = EncryptedTextField(_("ID number"))
    id_number_index = models.CharField(max_length=64, db_index=True, editable=False)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    mobile = EncryptedTextField(_("mobile number"), blank=True)
    mobile_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    org = models.ForeignKey(Org, verbose_name=_("union"), on_delete=models.PROTECT, related_name="members")
    workplace = models.ForeignKey(
        Workplace,
        verbose_name=_("workplace"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )
    is_gig_worker = models.BooleanField(_("gig worker"), default=False)
    gig_platform = models.CharField(_("platform"), max_length=40, blank=True)
    is_migrant_worker = models.BooleanField(_("migrant worker"), default=False)
    is_model_worker = models.BooleanField(_("model worker"), default=False)
    joined_on = models.DateField(_("join date"))
    status = models.CharField(
        _("status"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=models.Q(status="active"),
                name="member_one_active_membership",
            ),
        ]
        # (org, status, id): a union's members of one status in id order, which the member list
        # pages through (gonghui.members.selectors); its prefix serves counts per union.
        indexes = [models.Index(fields=["org", "status", "id"], name="member_org_status_id_idx")]

    def __str__(self) -> str:
        return self.masked_name

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_mobile(self) -> str:
        return mask_mobile(self.mobile) if self.mobile else ""

    def audit_value(self, field: str) -> Any:
        masked = {"id_number": self.masked_id_number, "mobile": self.masked_mobile, "name": self.masked_name}
        return masked.get(field, getattr(self, field))
