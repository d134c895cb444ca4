"""Drop the `varchar_pattern_ops` (`_like`) indexes PostgreSQL gets beside the plain index of
each blind-index column of the member table.

Django adds them to every indexed CharField for `LIKE 'prefix%'`; a blind index (an HMAC in hex)
is only ever compared whole, which the plain index serves, so they cost every member row written
(a roster import writes thousands per second) two index entries for nothing. Other databases
never had them. The model is unchanged: the plain indexes (`db_index=True`) stay.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

_LIKE_INDEXES = {
    "members_member_id_number_index_2eb3594c_like": "id_number_index",
    "members_member_mobile_index_7d51ae6c_like": "mobile_index",
}


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in _LIKE_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def restore(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in _LIKE_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} ON members_member "
            f"USING btree ({schema_editor.quote_name(column)} varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("members", "0006_roster_export")]

    operations = [migrations.RunPython(drop, restore, elidable=False)]
