"""The demo city: a deterministic, realistic organisation tree, workplaces and members.

`names` holds the vocabulary, `generator` turns a scale and a seed into data without touching
the database, `loader` writes it (COPY on PostgreSQL through `bulk`, bulk_create elsewhere) with
the help of `members`, `worker` and `progress`, and `accounts` creates one account per role.
"""
