"""The recovery timeline on a treatment page, built from its aftercare reminders.

Staff keep the reminders (``Reminder``: days after treatment and what happens) for the
calendar download; the same rows drawn as a timeline stay true when they change. Each
reminder falls into one stage of recovery, named the way a patient counts the days.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

# (last day of the stage, its name), in order. A reminder belongs to the first stage
# whose last day it has not passed; anything later falls into the last stage.
# Week n is days 7n-6 to 7n, so "Week 1" holds what is left of the first week after day 3.
STAGES = (
    (0, "Day 0"),
    (1, "Day 1"),
    (3, "Days 2-3"),
    (7, "Week 1"),
    (21, "Weeks 2-3"),
    (84, "Weeks 4-12"),
)
LATER = "After 12 weeks"


@dataclass
class Step:
    after_days: int
    title: str


@dataclass
class Stage:
    name: str
    # Whether the stage is one day long: then its steps need no day of their own.
    one_day: bool
    steps: list[Step] = field(default_factory=list)


def _stage_of(after_days: int) -> tuple[str, bool]:
    """The name of the stage ``after_days`` days after treatment falls in, and whether
    that stage is a single day."""
    first_day = 0
    for last_day, name in STAGES:
        if after_days <= last_day:
            return name, first_day == last_day
        first_day = last_day + 1
    return LATER, False


def recovery_stages(reminders: Iterable) -> list[Stage]:
    """The reminders (anything with ``after_days`` and ``title``) grouped into stages.

    Stages come in order of days and only when they hold a reminder, except the
    treatment day, which always starts the timeline. Within a stage the reminders
    keep their order (days, then as staff arranged them). No reminders: no timeline.
    """
    ordered = sorted(reminders, key=lambda reminder: reminder.after_days)
    if not ordered:
        return []
    stages = [Stage(name=STAGES[0][1], one_day=True)]
    for reminder in ordered:
        name, one_day = _stage_of(reminder.after_days)
        if stages[-1].name != name:
            stages.append(Stage(name=name, one_day=one_day))
        stages[-1].steps.append(Step(after_days=reminder.after_days, title=reminder.title))
    return stages
