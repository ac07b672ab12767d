"""The audit trail's hash chain: canonical, sensitive to every field, and the walker
finds the first event altered, removed or inserted out of order."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from improveplan.domain.audit_chain import GENESIS, Event, Walker, chain, event_hash, utc_text

texts = st.text(max_size=20)
events = st.builds(
    Event,
    plan_id=st.none() | st.integers(1, 10**6),
    actor=texts,
    at=st.datetimes(timezones=st.just(dt.UTC)),
    entity=texts,
    entity_id=st.integers(1, 10**6),
    field=texts,
    old_value=st.none() | texts,
    new_value=st.none() | texts,
)


def _walk(rows: list[tuple[int, Event, str]]) -> tuple[int, str] | None:
    walker = Walker()
    for event_id, event, stored in rows:
        walker.add(event_id, event, stored)
    found = walker.finish()
    return None if found is None else (found.event_id, found.kind)


def _rows(trail: list[Event]) -> list[tuple[int, Event, str]]:
    return [(i, e, h) for i, (e, h) in enumerate(zip(trail, chain(trail), strict=True), 1)]


def test_the_hash_is_pinned() -> None:
    event = Event(
        plan_id=1,
        actor="priya",
        at=dt.datetime(2024, 2, 1, 8, tzinfo=dt.UTC),
        entity="action",
        entity_id=1,
        field="created",
        old_value=None,
        new_value="1",
    )
    assert event_hash(event, GENESIS) == (
        "7d43308881fc09f37f43c3086201ec2fb7afdc6c1883f296c696ab152cd502fd"
    )


def test_a_naive_time_is_utc_and_an_offset_is_converted() -> None:
    naive = dt.datetime(2024, 6, 1, 12, 30)
    assert utc_text(naive) == "2024-06-01T12:30:00.000000+00:00"
    bst = dt.datetime(2024, 6, 1, 13, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert utc_text(bst) == utc_text(naive)


@given(events, st.sampled_from([f.name for f in dataclasses.fields(Event)]), texts)
def test_every_field_changes_the_hash(event: Event, name: str, other: str) -> None:
    value = getattr(event, name)
    if name == "at":
        changed = value + dt.timedelta(microseconds=1)
    elif isinstance(value, int) or name == "plan_id":
        changed = (value or 0) + 1
    else:
        changed = None if value is not None else other
    altered = dataclasses.replace(event, **{name: changed})
    assert event_hash(altered, GENESIS) != event_hash(event, GENESIS)
    assert event_hash(event, GENESIS) != event_hash(event, "f" * 64)


@given(st.lists(events, min_size=1, max_size=8))
def test_an_untouched_chain_verifies(trail: list[Event]) -> None:
    hashes = list(chain(trail))
    assert all(len(h) == 64 and int(h, 16) >= 0 for h in hashes)
    assert _walk(_rows(trail)) is None


@given(st.lists(events, min_size=2, max_size=8), st.data())
def test_an_altered_event_is_found(trail: list[Event], data: st.DataObject) -> None:
    rows = _rows(trail)
    at = data.draw(st.integers(0, len(rows) - 1))
    event_id, event, stored = rows[at]
    rows[at] = (event_id, dataclasses.replace(event, actor=event.actor + "x"), stored)
    assert _walk(rows) == (event_id, "altered")


@given(st.lists(events, min_size=3, max_size=8), st.data())
def test_a_removed_event_breaks_the_one_after(trail: list[Event], data: st.DataObject) -> None:
    rows = _rows(trail)
    at = data.draw(st.integers(0, len(rows) - 2))
    del rows[at]
    assert _walk(rows) == (rows[at][0], "altered")


@given(st.lists(events, min_size=2, max_size=8), events, st.data())
def test_an_event_inserted_out_of_order_is_named(
    trail: list[Event], forged: Event, data: st.DataObject
) -> None:
    rows = _rows(trail)
    at = data.draw(st.integers(1, len(rows) - 1))
    rows.insert(at, (100, forged, event_hash(forged, GENESIS)))
    assert _walk(rows) == (100, "inserted")
