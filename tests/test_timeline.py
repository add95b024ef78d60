"""The recovery timeline's stages, from a treatment's aftercare reminders."""

from types import SimpleNamespace

import pytest

from treatments.public.timeline import recovery_stages


def _reminders(*pairs):
    return [SimpleNamespace(after_days=days, title=title) for days, title in pairs]


def _names(stages) -> list[str]:
    return [stage.name for stage in stages]


@pytest.mark.parametrize(
    ("days", "stage"),
    [
        (0, "Day 0"),
        (1, "Day 1"),
        (2, "Days 2-3"),
        (3, "Days 2-3"),
        (4, "Week 1"),
        (7, "Week 1"),
        (8, "Weeks 2-3"),
        (21, "Weeks 2-3"),
        (22, "Weeks 4-12"),
        (84, "Weeks 4-12"),
        (85, "After 12 weeks"),
        (365, "After 12 weeks"),
    ],
)
def test_each_day_falls_in_its_stage(days, stage):
    assert _names(recovery_stages(_reminders((days, "x"))))[-1] == stage


def test_stages_start_on_the_treatment_day_and_keep_the_order_of_days():
    stages = recovery_stages(_reminders((28, "d"), (1, "a"), (3, "c"), (1, "b")))
    assert _names(stages) == ["Day 0", "Day 1", "Days 2-3", "Weeks 4-12"]
    assert stages[0].steps == []
    # Same day: the order staff gave them.
    assert [step.title for step in stages[1].steps] == ["a", "b"]
    assert [(step.after_days, step.title) for step in stages[3].steps] == [(28, "d")]


def test_a_one_day_stage_needs_no_day_on_its_steps():
    stages = recovery_stages(_reminders((0, "rest"), (1, "a"), (5, "b")))
    assert [stage.one_day for stage in stages] == [True, True, False]
    assert stages[0].steps[0].title == "rest"


def test_no_reminders_no_timeline():
    assert recovery_stages([]) == []
