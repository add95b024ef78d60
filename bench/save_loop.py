"""Save a treatment through the ORM in a loop, as staff in the admin do, for bench/load.

Each save is what the admin's change form does in one transaction: the treatment and
one of its sections (whose Markdown is rendered again). It prints "name value" lines:
how many saves went through, how many failed (a "database is locked" would count), and
how long they took.
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--slug", default="microneedling")
    parser.add_argument("--pause", type=float, default=0.02, help="seconds between saves")
    args = parser.parse_args()

    treatment = Treatment.objects.get(slug=args.slug)
    section = treatment.sections.order_by("position").first()
    summary, body = treatment.summary, section.body
    saves, failures, took = 0, 0, []
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            with transaction.atomic():
                # Alternate between two versions so every save really changes the page.
                treatment.summary = summary if saves % 2 else summary.rstrip(".") + "!"
                treatment.save()
                section.body = body if saves % 2 else body + "\n\nUpdated."
                section.save()
            saves += 1
            took.append((time.monotonic() - started) * 1000)
        except DatabaseError as exc:
            failures += 1
            print(f"save failed: {exc}", file=sys.stderr)
        time.sleep(args.pause)
    with transaction.atomic():
        treatment.summary, section.body = summary, body
        treatment.save()
        section.save()

    print(f"saves {saves}")
    print(f"save_failures {failures}")
    if took:
        print(f"save_p50_ms {statistics.median(took):.1f}")
        print(f"save_max_ms {max(took):.1f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
