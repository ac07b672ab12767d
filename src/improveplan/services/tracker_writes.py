"""Writing a tracker refresh (`import FILE --update`), in bulk and in the import's transaction.

Every action a row changes is written by an UPDATE conditional on the version the import
read (one executemany per set of columns changed, not a statement per action), its
version bumped once, and each changed field audited as `action update` audits it: names
for the owner, theme, milestone and recommendations, the reason once as field `reason`,
plus where the change came from (`import`: FILE row N). Notes are appended as
`action note` appends them (no version bump). The rows were locked when read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, update
from sqlmodel import Session

from improveplan.domain.inputs import folded
from improveplan.errors import Conflict
from improveplan.services import audit
from improveplan.services.new_actions import LINKS, Link
from improveplan.services.tracker_refresh import Refresh
from improveplan.store.models import Action

ACTIONS: Table = Action.__table__  # type: ignore[attr-defined]
REASON_FIELDS = ("status_reason", "rag_override_reason")  # audited once, as `reason`


def _link_name(link: Link | None) -> str | None:
    return link.name if link else None


def columns_and_trail(
    refresh: Refresh,
    people: Mapping[str, Link],
    themes: Mapping[str, Link],
    recs: Mapping[str, tuple[int, Link]],
    file: str,
) -> tuple[dict[str, Any], list[tuple[str, Any, Any]]]:
    """The columns to set and the trail's (field, old, new) lines, names resolved."""
    action = refresh.action
    sets: dict[str, Any] = {}
    trail: list[tuple[str, Any, Any]] = []
    for name, value in refresh.values.items():
        if name in ("owner", "theme"):
            link = (people if name == "owner" else themes)[folded(value)]
            sets[f"{name}_id"] = link.id
            trail.append((name, getattr(action, name), link.name))
        elif name == "milestone":
            sets["milestone_id"] = value.id
            trail.append((name, _link_name(action.milestone), value.name))
        elif name == "recommendations":
            links = sorted((recs[folded(r)] for r in value), key=lambda p: (p[0], p[1].name))
            trail.append(
                (
                    name,
                    ", ".join(action.recs) or None,
                    ", ".join(link.name for _, link in links) or None,
                )
            )
        else:
            sets[name] = value
            if name not in REASON_FIELDS or value is None:
                trail.append((name, getattr(action, name), value))
    if refresh.reason:
        trail.append(("reason", None, refresh.reason))
    if trail:
        trail.append(("import", None, f"{file} row {refresh.row.row}"))
    return sets, trail


def write_refreshes(
    session: Session,
    *,
    actor: str,
    plan_id: int,
    planned: Sequence[tuple[Refresh, dict[str, Any], list[tuple[str, Any, Any]]]],
    recs: Mapping[str, tuple[int, Link]],
    now: dt.datetime,
) -> None:
    """Apply the changed fields (conditional on the version read), relink, and audit."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for refresh, sets, _ in planned:
        if sets:
            row = {
                **sets,
                "b_id": refresh.action.id,
                "b_version": refresh.action.version,
                "version": refresh.action.version + 1,
                "updated_at": now,
            }
            groups.setdefault(tuple(sorted(sets)), []).append(row)
    connection = session.connection()
    stmt = update(ACTIONS).where(
        ACTIONS.c.id == bindparam("b_id"), ACTIONS.c.version == bindparam("b_version")
    )
    for rows in groups.values():
        if connection.execute(stmt, rows).rowcount != len(rows):
            raise Conflict(
                "an action changed while the tracker was being imported",
                "run the import again",
            )
    _relink(session, [(r, recs) for r, _, _ in planned if "recommendations" in r.values])
    _touch(session, [r.action.id for r, sets, _ in planned if not sets and r.notes], now)
    _audit(session, actor, plan_id, [(r.action.id, trail) for r, _, trail in planned], now)


def _relink(
    session: Session, relinked: list[tuple[Refresh, Mapping[str, tuple[int, Link]]]]
) -> None:
    """Replace the links of the actions whose recommendations the row sets."""
    if not relinked:
        return
    connection = session.connection()
    ids = [r.action.id for r, _ in relinked]
    for start in range(0, len(ids), 1000):
        connection.execute(delete(LINKS).where(LINKS.c.action_id.in_(ids[start : start + 1000])))
    links = [
        {"action_id": r.action.id, "recommendation_id": recs[folded(ref)][1].id}
        for r, recs in relinked
        for ref in r.values["recommendations"]
    ]
    if links:
        connection.execute(insert(LINKS), links)


def _touch(session: Session, ids: list[int], now: dt.datetime) -> None:
    """A note changes when an action was last updated, not its fields or version."""
    if ids:
        stmt = update(ACTIONS).where(ACTIONS.c.id == bindparam("b_id"))
        session.connection().execute(stmt, [{"b_id": i, "updated_at": now} for i in ids])


def _audit(
    session: Session,
    actor: str,
    plan_id: int,
    trails: list[tuple[int, list[tuple[str, Any, Any]]]],
    now: dt.datetime,
) -> None:
    """One event per changed field, as `audit.record` writes them, in one executemany."""
    events = [
        {
            "plan_id": plan_id,
            "actor": actor,
            "at": now,
            "entity": "action",
            "entity_id": i,
            "field": name,
            "old_value": audit.as_text(old),
            "new_value": audit.as_text(new),
        }
        for i, trail in trails
        for name, old, new in trail
        if audit.as_text(old) != audit.as_text(new)
    ]
    audit.append(session, events)
