"""The demo's story clock: every step of the demo on its own date, replayed in date order.

The demo is built through the services as a council would have used them, so each
step runs on an `App` whose clock (and `today`) is the step's story date: notes, status
changes, audit events and the nightly counts carry the dates they tell of, and the
audit trail reads in time order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from improveplan.domain.dates import LONDON
from improveplan.services.context import App

STORY_HOUR = dt.time(9)  # a story day's first change is at 09:00 London time


class StoryClock:
    """09:00 London on the story's current day, one second later at every reading, so
    the changes of one day keep their order. It only moves forward."""

    def __init__(self, day: dt.date) -> None:
        self.day = day
        self._ticks = 0

    def move_to(self, day: dt.date) -> None:
        if day < self.day:
            raise ValueError(f"the story clock cannot go back from {self.day} to {day}")
        if day != self.day:
            self.day, self._ticks = day, 0

    def __call__(self) -> dt.datetime:
        self._ticks += 1
        start = dt.datetime.combine(self.day, STORY_HOUR, tzinfo=ZoneInfo(LONDON))
        return (start + dt.timedelta(seconds=self._ticks)).astimezone(dt.UTC)


# One step of the story: what it does, given the App dated to its day.
Step = Callable[[App], object]


@dataclass(order=True)
class _Scheduled:
    day: dt.date
    late: bool  # the nightly check runs after the day's other steps
    seq: int
    step: Step = field(compare=False)


@dataclass
class Story:
    """Steps on dates, within [first, last], replayed in date order (the order given
    within a day)."""

    first: dt.date
    last: dt.date
    _steps: list[_Scheduled] = field(default_factory=list)

    def on(self, day: dt.date, step: Step, *, late: bool = False) -> None:
        if not self.first <= day <= self.last:
            raise ValueError(f"a demo step on {day} is outside the story ({self.first} to "
                             f"{self.last})")  # fmt: skip
        self._steps.append(_Scheduled(day, late, len(self._steps), step))

    def replay(self, app: App) -> None:
        """Run every step on an App dated to its day (the same transaction throughout)."""
        clock = StoryClock(self.first)
        for scheduled in sorted(self._steps):
            clock.move_to(scheduled.day)
            scheduled.step(dataclasses.replace(app, clock=clock, _today=scheduled.day))

    def end_of_story(self) -> dt.datetime:
        """The last moment the story may stamp (end of its last day, London time)."""
        return story_end(self.last)


def story_end(last: dt.date) -> dt.datetime:
    """The end of the day `last` in London, in UTC: later stamps were not the demo's."""
    midnight = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), ZoneInfo(LONDON))
    return midnight.astimezone(dt.UTC)


def weekly(first: dt.date, last: dt.date, every_days: int) -> list[dt.date]:
    """first, first + every_days, ... up to and including last."""
    count = (last - first).days // every_days + 1 if last >= first else 0
    return [first + dt.timedelta(days=every_days * k) for k in range(count)]
