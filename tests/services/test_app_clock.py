"""`App.clock`: an injected clock stamps every row and audit event written through the
App and gives its `today`; without one the wall clock does, as the CLI always has."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from improveplan.services import actions
from improveplan.services.context import App
from improveplan.services.demo_story import StoryClock
from tests.conftest import Invoke, sql

DAY = dt.date(2024, 7, 1)  # 09:00 in London is 08:00 UTC (summer time)


def _utc(value: object) -> dt.datetime:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _app(db_url: str) -> App:
    app = App.from_options(db=db_url, plan="Peterborough", user="Priya Natarajan")
    return dataclasses.replace(app, clock=StoryClock(DAY))


def test_an_injected_clock_stamps_the_action_its_note_and_their_audit(
    plan_run: Invoke, db_url: str
) -> None:
    app = _app(db_url)
    assert app.today == DAY
    actions.add_action(app, title="Pathway plans", owner="Priya Natarajan",
                       due=dt.date(2024, 9, 30))  # fmt: skip
    actions.add_note(app, ref="1", text="Audit started")
    (created, updated) = sql(db_url, 'SELECT created_at, updated_at FROM "action"')[0]
    (noted,) = sql(db_url, "SELECT created_at FROM progress_note")[0]
    stamps = [_utc(at) for (at,) in sql(db_url, "SELECT at FROM audit_event WHERE entity = "
                                                "'action' ORDER BY id")]  # fmt: skip
    assert {_utc(created), _utc(updated)} <= {
        dt.datetime(2024, 7, 1, 8, 0, s, tzinfo=dt.UTC) for s in range(1, 6)
    }
    assert _utc(noted) > _utc(created)  # a second per reading: the day's order is kept
    assert {s.date() for s in stamps} == {DAY} and stamps == sorted(stamps)
    history = json.loads(plan_run("action", "history", "1", "--format", "json").stdout)
    assert history[-1]["what"] == "note" and history[-1]["when"].startswith("2024-07-01T08:00:")


def test_without_a_clock_the_wall_clock_stamps(plan_run: Invoke, db_url: str) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    added = plan_run("action", "add", "Pathway plans", "--owner", "Tom Okafor",
                     "--due", "2024-09-30", env={"IMPROVEPLAN_TODAY": "2024-07-01"})  # fmt: skip
    assert added.exit_code == 0, added.output
    (created,) = sql(db_url, 'SELECT created_at FROM "action"')[0]
    assert _utc(created) >= before  # IMPROVEPLAN_TODAY pins today, not the timestamps
