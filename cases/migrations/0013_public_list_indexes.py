from django.db import migrations, models

# Trigram indexes for the home page's search (contains, case-insensitive, as Django writes it: UPPER(col::text) LIKE
# UPPER('%q%')), on listed cases only. PostgreSQL only: SQLite searches the partial list index's rows plainly.
TRIGRAM_COLUMNS = {"name": "UPPER(name::text)", "last_seen_place": "UPPER(last_seen_place::text)",
                   "last_seen_specific": "UPPER(last_seen_specific::text)", "name_key": "(name_key::text)"}
LISTED = "status = 'missing' AND verification = 'verified' AND erased_at IS NULL"


def add_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column, expression in TRIGRAM_COLUMNS.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS case_listed_trgm_{column} ON cases_case "
                              f"USING gin ({expression} gin_trgm_ops) WHERE {LISTED}")


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in TRIGRAM_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS case_listed_trgm_{column}")


class Migration(migrations.Migration):
    """The public lists: a partial index of listed cases, newest first, and trigram indexes for search."""

    dependencies = [
        ("cases", "0012_partner_sources_cap"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["-created_at", "-id"], name="case_listed_newest",
                               condition=models.Q(status="missing", verification="verified", erased_at__isnull=True)),
        ),
        migrations.RunPython(add_trigram_indexes, drop_trigram_indexes),
    ]
