"""On PostgreSQL, the headings' full-text vectors in a narrow table of their own.

A search whose words are all common looks for them in headings only (``query.plan``),
and at 1,000 treatments one such word is in thousands of headings. Reading them from the
entries table meant visiting one 8 kB page for nearly every match (an entry is about
1 kB: its text and its whole vector), 10 to 25 ms for a few thousand before any ranking.
Here each heading takes about 90 bytes, so the same matches sit on a tenth of the pages.

Triggers keep the table in step with the entries, as FTS5's triggers do on SQLite
(0010); one call per statement, with the rows it changed, so an import's bulk inserts
cost one extra statement each. It replaces the generated column of 0014.
"""

from django.db import migrations

from treatments.migrations._vendor import RunSQLOn

ENTRY = "treatments_searchentry"
HEADING = "treatments_searchheading"
VECTOR = "to_tsvector('english'::regconfig, coalesce(heading, ''))"

FORWARDS = [
    f"DROP INDEX IF EXISTS {ENTRY}_heading_vector",
    f"ALTER TABLE {ENTRY} DROP COLUMN IF EXISTS heading_vector",
    f"""CREATE TABLE {HEADING} (
        entry_id bigint PRIMARY KEY,
        publication_id bigint NOT NULL,
        position integer NOT NULL,
        vector tsvector NOT NULL
    )""",
    f"INSERT INTO {HEADING} SELECT id, publication_id, position, {VECTOR} FROM {ENTRY}",  # noqa: S608
    f"CREATE INDEX {HEADING}_vector ON {HEADING} USING gin (vector)",
    f"""CREATE FUNCTION {HEADING}_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE {HEADING};
            RETURN NULL;
        END IF;
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            DELETE FROM {HEADING} WHERE entry_id IN (SELECT id FROM old_entries);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO {HEADING}
            SELECT id, publication_id, position, {VECTOR} FROM new_entries;
        END IF;
        RETURN NULL;
    END
    $$""",  # noqa: S608 - every name is a constant of this file
    f"""CREATE TRIGGER {HEADING}_insert AFTER INSERT ON {ENTRY}
        REFERENCING NEW TABLE AS new_entries
        FOR EACH STATEMENT EXECUTE FUNCTION {HEADING}_follow()""",
    f"""CREATE TRIGGER {HEADING}_update AFTER UPDATE ON {ENTRY}
        REFERENCING OLD TABLE AS old_entries NEW TABLE AS new_entries
        FOR EACH STATEMENT EXECUTE FUNCTION {HEADING}_follow()""",
    f"""CREATE TRIGGER {HEADING}_delete AFTER DELETE ON {ENTRY}
        REFERENCING OLD TABLE AS old_entries
        FOR EACH STATEMENT EXECUTE FUNCTION {HEADING}_follow()""",
    f"""CREATE TRIGGER {HEADING}_truncate AFTER TRUNCATE ON {ENTRY}
        FOR EACH STATEMENT EXECUTE FUNCTION {HEADING}_follow()""",
]
BACKWARDS = [
    *(
        f"DROP TRIGGER IF EXISTS {HEADING}_{event} ON {ENTRY}"
        for event in ("insert", "update", "delete", "truncate")
    ),
    f"DROP FUNCTION IF EXISTS {HEADING}_follow()",
    f"DROP TABLE IF EXISTS {HEADING}",
    f"ALTER TABLE {ENTRY} ADD COLUMN heading_vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED",
    f"CREATE INDEX {ENTRY}_heading_vector ON {ENTRY} USING gin (heading_vector)",
]


class Migration(migrations.Migration):
    dependencies = [("treatments", "0014_search_heading_vector")]

    operations = [RunSQLOn("postgresql", FORWARDS, BACKWARDS)]
