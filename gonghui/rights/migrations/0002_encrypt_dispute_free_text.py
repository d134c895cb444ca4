"""Encrypt the free text of disputes at rest (summary, description, the reasons for declining and
for failed mediation, the settlement terms, the messages), and the rows already stored.

The columns first become plain text columns (the reasons nullable: NULL now means "not that
step"), then the rows are encrypted through the historical models, which still see plain text,
and only then do the fields become EncryptedTextField, which changes nothing in the database.
The reasons were also copied into the decline and fail history rows' comments: those are cleared
(and restored from the dispute when migrating back).
"""

from typing import Any

from django.db import migrations, models

import gonghui.core.fields
from gonghui.core.crypto import decrypt, encrypter

BATCH = 500

# model name -> the encrypted fields; the context is "<app>.<Model>.<field>" as in EncryptedTextField.
FIELDS = {
    "Dispute": ("summary", "description", "decline_reason", "failure_reason"),
    "Settlement": ("terms",),
    "DisputeMessage": ("text",),
}
NULL_WHEN_EMPTY = {"decline_reason", "failure_reason"}
REASON_ACTIONS = {"decline": "decline_reason", "fail": "failure_reason"}


def _convert(apps: Any, forward: bool) -> None:
    for model_name, fields in FIELDS.items():
        model = apps.get_model("rights", model_name)
        seal = {name: encrypter(context=f"rights.{model_name}.{name}") for name in fields}
        rows = model.objects.order_by("pk").only("pk", *fields)
        batch = []
        for row in rows.iterator(chunk_size=BATCH):
            for name in fields:
                value = getattr(row, name)
                if forward:
                    empty = value in ("", None) and name in NULL_WHEN_EMPTY
                    value = None if empty else seal[name](value or "")
                else:
                    value = "" if value is None else decrypt(value, context=f"rights.{model_name}.{name}")
                setattr(row, name, value)
            batch.append(row)
            if len(batch) >= BATCH:
                model.objects.bulk_update(batch, fields)
                batch = []
        if batch:
            model.objects.bulk_update(batch, fields)


def encrypt_rows(apps: Any, schema_editor: Any) -> None:
    history = apps.get_model("rights", "DisputeHistory")
    history.objects.filter(action__in=list(REASON_ACTIONS)).update(comment="")
    _convert(apps, forward=True)


def decrypt_rows(apps: Any, schema_editor: Any) -> None:
    _convert(apps, forward=False)
    history = apps.get_model("rights", "DisputeHistory")
    for action, field in REASON_ACTIONS.items():
        rows = history.objects.filter(action=action).select_related("dispute")
        for row in rows.iterator(chunk_size=BATCH):
            row.comment = getattr(row.dispute, field)[:500]
            row.save(update_fields=["comment"])


def _plain(model_name: str, name: str, **kwargs: Any) -> migrations.AlterField:
    return migrations.AlterField(model_name=model_name, name=name, field=models.TextField(**kwargs))


def _encrypted(model_name: str, name: str, **kwargs: Any) -> migrations.AlterField:
    return migrations.AlterField(
        model_name=model_name, name=name, field=gonghui.core.fields.EncryptedTextField(**kwargs)
    )


FIELD_OPTIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("dispute", "summary", {"max_length": 200, "verbose_name": "summary"}),
    ("dispute", "description", {"blank": True, "max_length": 4000, "verbose_name": "description"}),
    (
        "dispute",
        "decline_reason",
        {"blank": True, "null": True, "max_length": 500, "verbose_name": "reason for declining"},
    ),
    (
        "dispute",
        "failure_reason",
        {"blank": True, "null": True, "max_length": 500, "verbose_name": "why mediation failed"},
    ),
    ("settlement", "terms", {"max_length": 4000, "verbose_name": "terms of the agreement"}),
    ("disputemessage", "text", {"max_length": 2000, "verbose_name": "message"}),
]


class Migration(migrations.Migration):
    dependencies = [
        ("rights", "0001_initial"),
    ]

    operations = [
        *(_plain(model, name, **options) for model, name, options in FIELD_OPTIONS),
        migrations.RunPython(encrypt_rows, decrypt_rows),
        *(_encrypted(model, name, **options) for model, name, options in FIELD_OPTIONS),
    ]
