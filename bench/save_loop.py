"""Change a live treatment through the ORM as staff in the admin do, for bench/load and
bench/perf.

Each save is what the admin's "Save and publish" does in one transaction: the treatment
and one of its sections (whose Markdown is rendered again) saved, then put live as a new
publication, which is what patients' pages read (a draft save alone changes no public
page). The benches run with DJANGO_CLINICAL_SIGNOFF_REQUIRED=0 so an editor may publish
without a clinician. Saves alternate between two versions of the text, so every save
really changes the page.

Two ways to run it. In a loop (``--seconds``, ``--pause``): it prints "name value" lines
at the end: how many saves went through, how many failed (a "database is locked" would
count), and how long they took. With ``--stdin``: one save for each line read, answered
with "saved" once it is committed, so whoever sends the line knows the page cache has
been told. Either way the first line printed is "ready", once Django is set up.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.db import DatabaseError, transaction  # noqa: E402

from treatments.models import Treatment  # noqa: E402
from treatments.models.workflow import publish_without_review, refresh_working_hash  # noqa: E402


class Editor:
    """One treatment and its first section, saved in turns with and without a change."""

    def __init__(self, slug: str):
        self.treatment = Treatment.objects.get(slug=slug)
        self.section = self.treatment.sections.order_by("position").first()
        self.summary, self.body = self.treatment.summary, self.section.body
        self.saves = 0

    def save(self, *, changed: bool | None = None) -> None:
        changed = self.saves % 2 == 0 if changed is None else changed
        with transaction.atomic():
            self.treatment.summary = self.summary.rstrip(".") + "!" if changed else self.summary
            self.treatment.save()
            self.section.body = self.body + "\n\nUpdated." if changed else self.body
            self.section.save()
            refresh_working_hash(self.treatment)
            publish_without_review(self.treatment, None)
        self.saves += 1

    def restore(self) -> None:
        self.save(changed=False)


def loop(editor: Editor, seconds: float, pause: float) -> int:
    failures, took = 0, []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            editor.save()
            took.append((time.monotonic() - started) * 1000)
        except DatabaseError as exc:
            failures += 1
            print(f"save failed: {exc}", file=sys.stderr)
        time.sleep(pause)
    print(f"saves {len(took)}")
    print(f"save_failures {failures}")
    if took:
        print(f"save_p50_ms {statistics.median(took):.1f}")
        print(f"save_max_ms {max(took):.1f}")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--slug", default="microneedling")
    parser.add_argument("--pause", type=float, default=0.02, help="seconds between saves")
    parser.add_argument("--stdin", action="store_true", help="one save per line read")
    args = parser.parse_args()

    editor = Editor(args.slug)
    print("ready", flush=True)
    failures = 0
    try:
        if args.stdin:
            for _ in sys.stdin:
                editor.save()
                print("saved", flush=True)
        else:
            failures = loop(editor, args.seconds, args.pause)
    finally:
        editor.restore()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
