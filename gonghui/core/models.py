from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gonghui.core.fields import EncryptedTextField
from gonghui.orgs.scoping import ScopedQuerySet


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class PrivateDocument(models.Model):
    """A photo or PDF attached to a case, kept under MEDIA_ROOT/<section>/, which
    gonghui.core.media never serves: downloads go through views that check who asks.

    Each concrete model declares `file` again with its own `upload_to` (its section), plus the
    foreign key to what it documents.
    """

    file = models.FileField(_("file"))
    original_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class AuditEventQuerySet(ScopedQuerySet["AuditEvent"]):
    # Events about no org (sign-ins, tokens) have an empty path: only superusers see them.
    scope_fields = ("org_path",)


class AuditEvent(models.Model):
    """One row per change made through a service function; append-only.

    `changes` holds {field: [before, after]} with personal data already masked by the caller
    (see gonghui.core.audit.snapshot), so the audit log never becomes a second copy of it.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("actor label"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=80)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # The tree path of the org the change belongs to, copied at the time: scoping the log must
    # not depend on the object still existing, or on where its org sits today.
    org_path = models.CharField(_("organisation path"), max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-created_at"], name="audit_object_idx"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


class SmsOutboxQuerySet(models.QuerySet["SmsOutboxMessage"]):
    def create_for(self, mobile: str, text: str) -> SmsOutboxMessage:
        from gonghui.core.crypto import blind_index

        context = SmsOutboxMessage._meta.get_field("mobile").context
        return self.create(mobile=mobile, mobile_index=blind_index(mobile, context=context), text=text)

    def to_mobile(self, mobile: str) -> SmsOutboxQuerySet:
        from gonghui.core.crypto import blind_index

        context = SmsOutboxMessage._meta.get_field("mobile").context
        return self.filter(mobile_index=blind_index(mobile, context=context)).order_by("-id")


class SmsOutboxMessage(models.Model):
    """A text message the development outbox backend kept instead of sending (gonghui.core.sms)."""

    mobile = EncryptedTextField(_("mobile number"))
    mobile_index = models.CharField(max_length=64, db_index=True, editable=False)
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    objects = SmsOutboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox text message")
        verbose_name_plural = _("outbox text messages")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {len(self.text)}"
