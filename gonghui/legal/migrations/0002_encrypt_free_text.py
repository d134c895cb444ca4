"""Encrypt the free text of consultations and legal aid at rest: the question, the matter's
description, the outcome's summary and every message (answers and follow-ups included).

The columns stay text; the data step rewrites each existing plaintext value as an AES-GCM token
bound to the field's context ("legal.<Model>.<field>", as `EncryptedTextField` derives it). It
reads and writes through the cursor, not the model: the field would try to decrypt the plaintext.
Values that already decrypt are left alone, so running it again changes nothing. Reversing it
writes the plaintext back.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

import gonghui.core.fields
from gonghui.core.crypto import DecryptionError, decrypt, encrypter

# (model, field): the columns this migration encrypts.
COLUMNS = (
    ("LegalConsultation", "question"),
    ("ConsultationMessage", "text"),
    ("LegalAid", "description"),
    ("LegalAid", "summary"),
    ("AidMessage", "text"),
)
BATCH = 500


def _is_token(value: str, context: str) -> bool:
    try:
        decrypt(value, context=context)
    except DecryptionError as exc:
        # "malformed": not a token at all, i.e. plaintext. A token of an unknown key or one that
        # does not authenticate is still a token: it is not rewritten (and never shown as text).
        return exc.reason != "malformed"
    return True


def _rewrite(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor, *, forward: bool) -> None:
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    for model_name, field_name in COLUMNS:
        model = apps.get_model("legal", model_name)
        table, column = model._meta.db_table, model._meta.get_field(field_name).column
        context = f"legal.{model_name}.{field_name}"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''")
            rows = cursor.fetchall()
        for start in range(0, len(rows), BATCH):
            seal = encrypter(context=context)  # per batch, as encrypter() asks, to follow key changes
            changed = []
            for pk, value in rows[start : start + BATCH]:
                if forward and not _is_token(value, context):
                    changed.append((seal(value), pk))
                elif not forward and _is_token(value, context):
                    changed.append((decrypt(value, context=context), pk))
            if changed:
                with connection.cursor() as cursor:
                    cursor.executemany(
                        f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE id = %s", changed
                    )


def encrypt_rows(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _rewrite(apps, schema_editor, forward=True)


def decrypt_rows(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _rewrite(apps, schema_editor, forward=False)


class Migration(migrations.Migration):

    dependencies = [
        ('legal', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='aidmessage',
            name='text',
            field=gonghui.core.fields.EncryptedTextField(max_length=4000, verbose_name='text'),
        ),
        migrations.AlterField(
            model_name='consultationmessage',
            name='text',
            field=gonghui.core.fields.EncryptedTextField(max_length=4000, verbose_name='text'),
        ),
        migrations.AlterField(
            model_name='legalaid',
            name='description',
            field=gonghui.core.fields.EncryptedTextField(max_length=4000, verbose_name='description'),
        ),
        migrations.AlterField(
            model_name='legalaid',
            name='summary',
            field=gonghui.core.fields.EncryptedTextField(blank=True, max_length=4000, verbose_name='summary'),
        ),
        migrations.AlterField(
            model_name='legalconsultation',
            name='question',
            field=gonghui.core.fields.EncryptedTextField(max_length=4000, verbose_name='question'),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
    ]
