"""The demo city: a deterministic, realistic organisation tree, workplaces and members.

`names` holds the vocabulary, `generator` turns a seed into data without touching the database,
and `loader` writes it (COPY on PostgreSQL, bulk_create elsewhere).
"""
