"""Site search on the database's own full-text engine.

- The search entries (made from publications), the words they contain and the synonyms
  staff edit.
- On SQLite, an FTS5 table over the entries (porter stemming), kept in step by triggers.
- On PostgreSQL, a weighted ``tsvector`` column that the database generates from the
  entry's text, with a GIN index.
- Synonyms to start with, and the Editors group's right to edit them.
- An index on publications that holds all ``Publication.objects.public()`` reads.
"""

import django.db.models.deletion
from django.db import migrations, models

from treatments.migrations._permissions import grant
from treatments.migrations._vendor import RunSQLOn

ACTIONS = ("add", "change", "delete", "view")


FTS = "treatments_searchentry_fts"
ENTRY = "treatments_searchentry"
COLUMNS = "heading, context, title, body"
# Names are constants of this file; nothing comes from outside.
INSERT_NEW = f"INSERT INTO {FTS}(rowid, {COLUMNS}) VALUES (new.id, new.heading, new.context, new.title, new.body);"  # noqa: S608
DELETE_OLD = f"INSERT INTO {FTS}({FTS}, rowid, {COLUMNS}) VALUES ('delete', old.id, old.heading, old.context, old.title, old.body);"  # noqa: S608

SQLITE_FORWARDS = [
    # External content: the text is stored once, in the entries table.
    f"CREATE VIRTUAL TABLE {FTS} USING fts5({COLUMNS}, content='{ENTRY}', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER {FTS}_insert AFTER INSERT ON {ENTRY} BEGIN {INSERT_NEW} END",
    f"CREATE TRIGGER {FTS}_delete AFTER DELETE ON {ENTRY} BEGIN {DELETE_OLD} END",
    f"CREATE TRIGGER {FTS}_update AFTER UPDATE ON {ENTRY} BEGIN {DELETE_OLD} {INSERT_NEW} END",
]
SQLITE_BACKWARDS = [
    *(f"DROP TRIGGER IF EXISTS {FTS}_{event}" for event in ("insert", "delete", "update")),
    f"DROP TABLE IF EXISTS {FTS}",
]

POSTGRESQL_FORWARDS = [
    # Headings (questions, section and sub-heading titles) weigh most, then the section
    # a block sits in and the treatment's title, then the text.
    f"""ALTER TABLE {ENTRY} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english'::regconfig, coalesce(heading, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(context, '')), 'B')
        || setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'B')
        || setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'C')
    ) STORED""",
    f"CREATE INDEX {ENTRY}_vector ON {ENTRY} USING gin (search_vector)",
]
POSTGRESQL_BACKWARDS = [
    f"DROP INDEX IF EXISTS {ENTRY}_vector",
    f"ALTER TABLE {ENTRY} DROP COLUMN IF EXISTS search_vector",
]

MEDICINES = "blood thinners, anticoagulants, medicines"
# What patients type -> the words our pages use. Staff edit these in the admin.
SYNONYMS = {
    "cost": "price, fee, charge",
    "price": "cost, fee",
    "fee": "cost, price",
    "how much is it": "cost, price, fee",
    "pay": "cost, price, fee",
    "expensive": "cost, price",
    "afford": "cost, price",
    "blood thinners": (
        "anticoagulants, warfarin, apixaban, rivaroxaban, edoxaban, dabigatran, aspirin, "
        "clopidogrel, medicines"
    ),
    "anticoagulants": "blood thinners, warfarin, apixaban, rivaroxaban, medicines",
    **dict.fromkeys(
        ["warfarin", "apixaban", "rivaroxaban", "edoxaban", "dabigatran", "aspirin", "clopidogrel"],
        MEDICINES,
    ),
    "eliquis": f"apixaban, {MEDICINES}",
    "xarelto": f"rivaroxaban, {MEDICINES}",
    "coumadin": f"warfarin, {MEDICINES}",
    "plavix": f"clopidogrel, {MEDICINES}",
    "roaccutane": "isotretinoin, acne medicine",
    "accutane": "isotretinoin, acne medicine",
    "absorica": "isotretinoin, acne medicine",
    "retin-a": "tretinoin, retinoid, retinol",
    "tretinoin": "retinoid, retinol",
    "retinoid": "retinol, tretinoin",
    "differin": "adapalene, retinoid, retinol",
    "numbing cream": "numbing, anaesthetic, lidocaine",
    "anaesthetic": "numbing, lidocaine",
    "anesthetic": "numbing, anaesthetic, lidocaine",
    "emla": "numbing cream, lidocaine",
    "lidocaine": "numbing cream, anaesthetic",
    "pain": "hurt, sore, uncomfortable, numbing",
    "painful": "hurt, sore, pain, numbing",
    "sting": "hurt, sore",
    "sunscreen": "spf, sun cream, sun protection",
    "sun cream": "sunscreen, spf",
    "suncream": "sunscreen, spf",
    "sunblock": "sunscreen, spf",
    "sun block": "sunscreen, spf",
    "spf": "sunscreen",
    "spots": "acne, pimples",
    "pimples": "acne, spots",
    "zits": "acne, spots",
    "breakouts": "acne, spots",
    "marks": "scars, dark patches",
    "pockmarks": "acne scars, scars",
    "pitted": "scars, ice-pick scars",
    "make-up": "makeup",
    "cosmetics": "makeup",
    "foundation": "makeup",
    "swim": "swimming, pool",
    "pool": "swimming",
    "gym": "exercise, sweat",
    "workout": "exercise, sweat",
    "recovery": "downtime, heal",
    "time off work": "downtime, back to work",
    "off work": "downtime, back to work",
    "pregnant": "pregnancy, breastfeeding",
    "breastfeeding": "pregnancy, breast feeding",
    "wrinkles": "fine lines, ageing",
    "aging": "ageing, wrinkles",
    "balding": "hair loss, thinning hair",
    "stretchmarks": "stretch marks",
    # One thing, not "stretch" and "marks" (which would also look for scars).
    "stretch marks": "stretchmarks, striae",
    "derma roller": "at-home roller, roller",
    "dermaroller": "at-home roller, roller",
    "dermapen": "microneedling",
    "collagen induction therapy": "microneedling",
    "fever blister": "cold sore",
    "herpes": "cold sore",
    "side effects": "risks",
    "dangers": "risks",
    "go wrong": "risks, problems",
    "appointment": "visit",
    "back to work": "return to work, downtime",
    "how many treatments": "sessions, course",
    "difference": "results, change",
    "black skin": "darker skin, skin tones",
    "dark skin": "darker skin, skin tones",
    "brown skin": "darker skin, skin tones",
    "diabetic": "diabetes",
    "prp": "platelet-rich plasma, vampire facial",
    "vampire facial": "prp, platelet-rich plasma",
    "botox": "anti-wrinkle injections, fillers",
    "vitamin c": "ascorbic acid",
}


def add_synonyms(apps, schema_editor):
    SearchSynonym = apps.get_model("treatments", "SearchSynonym")
    SearchSynonym.objects.bulk_create(
        [SearchSynonym(phrase=phrase, means=means) for phrase, means in SYNONYMS.items()],
        ignore_conflicts=True,
    )


def let_editors_edit_synonyms(apps, schema_editor):
    """The Editors group (migration 0004) edits what patients read; synonyms are part of
    it."""
    grant(apps, "Editors", [f"{action}_searchsynonym" for action in ACTIONS])


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("treatments", "0009_remove_content_version"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "publication",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="treatments.publication",
                    ),
                ),
                ("slug", models.SlugField(max_length=80)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("page", "Treatment page"),
                            ("section", "Section"),
                            ("answer", "Answer"),
                        ],
                        max_length=10,
                    ),
                ),
                ("heading", models.CharField(max_length=300)),
                ("heading_key", models.CharField(db_index=True, max_length=300)),
                ("title", models.CharField(max_length=120)),
                ("body", models.TextField(blank=True)),
                ("url", models.CharField(max_length=300)),
                ("context", models.CharField(blank=True, max_length=200)),
                ("position", models.PositiveIntegerField(default=0)),
            ],
            options={"verbose_name": "search entry", "verbose_name_plural": "search entries"},
        ),
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("word", models.CharField(max_length=40, unique=True)),
                ("frequency", models.PositiveIntegerField(default=0)),
                ("length", models.PositiveSmallIntegerField(db_index=True)),
            ],
            options={"verbose_name": "search word"},
        ),
        migrations.CreateModel(
            name="SearchSynonym",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "phrase",
                    models.CharField(
                        help_text="What a patient might type, e.g. 'blood thinners' or 'Roaccutane'.",
                        max_length=100,
                        unique=True,
                        verbose_name="word or phrase",
                    ),
                ),
                (
                    "means",
                    models.TextField(
                        help_text=(
                            "Words or phrases with the same meaning, separated by commas, "
                            "e.g. 'anticoagulants, warfarin, apixaban'."
                        ),
                        verbose_name="also search for",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={"verbose_name": "search synonym", "ordering": ["phrase"]},
        ),
        # Search filters every ranking by Publication.objects.public(): an index that
        # holds all it reads.
        migrations.AddIndex(
            model_name="publication",
            index=models.Index(
                fields=["content_type", "object_id", "live_from", "withdrawn", "signoff"],
                name="publication_public",
            ),
        ),
        RunSQLOn("sqlite", SQLITE_FORWARDS, SQLITE_BACKWARDS),
        RunSQLOn("postgresql", POSTGRESQL_FORWARDS, POSTGRESQL_BACKWARDS),
        migrations.RunPython(add_synonyms, migrations.RunPython.noop),
        migrations.RunPython(let_editors_edit_synonyms, migrations.RunPython.noop),
    ]
