"""Bulk creation events are the very rows `audit.record` writes, as the database stores them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlmodel import Session

from improveplan.domain.vocab import Status
from improveplan.services import audit
from improveplan.store.engine import make_engine, to_url

AT = dt.datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)
FIELDS = {"ref": "1", "status": Status.blocked, "due": dt.date(2025, 3, 31), "start": None}


def _stored(url: str, entity: str) -> list[tuple[object, ...]]:
    """The rows as raw SQL reads them back (the `at` text exactly as stored)."""
    engine = make_engine(to_url(url))
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT plan_id, actor, CAST(at AS TEXT), entity, entity_id, field, old_value,"
                " new_value FROM audit_event WHERE entity = :e ORDER BY id"
            ),
            {"e": entity},
        ).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_record_creations_writes_what_record_writes(db_url: str) -> None:
    engine = make_engine(to_url(db_url))
    with Session(engine) as session:
        changes = {name: (None, value) for name, value in FIELDS.items()}
        audit.record(
            session, actor="Sam", plan_id=None, entity="one", entity_id=7, changes=changes, at=AT
        )
        session.flush()
        audit.record_creations(
            session, actor="Sam", plan_id=None, entity="bulk", created=[(7, FIELDS)], at=AT
        )
        session.commit()
    engine.dispose()
    one, bulk = _stored(db_url, "one"), _stored(db_url, "bulk")
    assert [r[5:] for r in one] == [("ref", None, "1"), ("status", None, "blocked"),
                                    ("due", None, "2025-03-31")]  # fmt: skip
    assert bulk == [(*r[:3], "bulk", *r[4:]) for r in one]


def test_record_creations_in_chunks_keeps_order(db_url: str) -> None:
    count = audit.CHUNK * 2 + 3
    engine = make_engine(to_url(db_url))
    with Session(engine) as session:
        created = ((n, {"name": f"person {n}", "role": None}) for n in range(count))
        audit.record_creations(session, actor="Sam", plan_id=None, entity="many", created=created)
        session.commit()
    engine.dispose()
    stored = _stored(db_url, "many")
    assert [(r[4], r[7]) for r in stored] == [(n, f"person {n}") for n in range(count)]
    assert len({r[2] for r in stored}) == 1  # one moment for the whole batch
