"""Drop two indexes that no query needs: the member's own index on `org_id` (the composite
(org, status, id) index begins with it and serves every lookup by union, and the foreign key's
checks) and the membership event's index on `created_at` (events are read per person, through
member_event_person_idx). Each member written by a roster import paid both.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0007_drop_blind_index_like_indexes"),
        ("orgs", "0004_list_imports"),
    ]

    operations = [
        migrations.AlterField(
            model_name="member",
            name="org",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="members",
                to="orgs.org",
                verbose_name="union",
            ),
        ),
        migrations.AlterField(
            model_name="memberevent",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="time"),
        ),
    ]
