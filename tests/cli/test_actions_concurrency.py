"""Concurrent writers: no update is lost, and a stale write is refused, on both databases."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from improveplan.errors import Conflict
from improveplan.services import actions
from improveplan.services.action_reads import load_action
from improveplan.services.action_writes import write_changes
from improveplan.services.context import App
from tests.cli.test_actions import action_db, add, audit_count
from tests.conftest import Invoke


def test_stale_version_is_refused_by_the_conditional_update(plan_run: Invoke, db_url: str) -> None:
    add(plan_run, "A", "--due", "2025-03-31")
    app = App.from_options(db=db_url, user="nightly job")
    before = audit_count(db_url)
    with pytest.raises(Conflict) as caught, app.write() as session:
        plan = app.plan(session)
        action = load_action(session, plan, "1", lock=True)
        # Another writer commits version 2 between our read and our write.
        session.connection().execute(text("UPDATE action SET version = 2, title = 'B'"))
        write_changes(session, app, plan, action, {"status": "blocked"})
    assert str(caught.value) == (
        "action 1 changed since you read it (expected 1) — show it again and retry"
    )
    row = action_db(db_url, "1")
    assert (row["version"], row["title"], row["status"]) == (1, "A", "not_started")
    assert audit_count(db_url) == before


def test_two_writers_at_once_both_succeed_and_lose_nothing(plan_run: Invoke, db_url: str) -> None:
    add(plan_run, "A", "--due", "2025-03-31")
    errors: list[BaseException] = []

    def work(user: str) -> None:
        app = App.from_options(db=db_url, user=user)
        try:
            for i in range(5):
                actions.update_action(app, ref="1", title=f"{user} {i}")
                actions.add_note(app, ref="1", text=f"{user} note {i}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(u,)) for u in ("Priya", "Tom")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    assert action_db(db_url, "1")["version"] == 11
    app = App.from_options(db=db_url, user="reader")
    events = actions.history(app, ref="1")
    assert sum(e.what == "title" and e.old is not None for e in events) == 10
    assert sum(e.what == "note" for e in events) == 10
