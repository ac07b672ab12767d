"""Build synthetic improveplan databases for the benchmarks, fast.

Rows go straight into a migrated database with SQLAlchemy core bulk inserts (COPY on
PostgreSQL), bypassing the services: the point is realistic *volume* and *spread*, not
an audit trail of the generation itself. Deterministic (seeded), so figures compare
between runs.

Scales:
  10k     one plan, 10,000 actions
  100k    one plan, 100,000 actions
  region  150 plans x 500 actions, 1,000,000 audit events

    python benchmarks/generate.py --scale 10k --db /tmp/bench-10k.db
    python benchmarks/generate.py --scale region --db postgresql://postgres@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import random
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported lazily: run.py imports this module for its constants only
    from sqlalchemy import Connection, Engine, Table

AS_OF = dt.date(2025, 6, 1)  # the benchmarks' "today" (IMPROVEPLAN_TODAY)
FIRST_OWNER = "Priya Natarajan"  # `action list --owner` target; owns ~1/50 of actions
CHUNK = 20_000


@dataclass(frozen=True)
class Scale:
    plans: int
    actions_per_plan: int
    audit_events: int  # in all; spread over the actions
    notes_per_action: float = 1.5


SCALES: dict[str, Scale] = {
    "500": Scale(plans=1, actions_per_plan=500, audit_events=2_500),  # benchmarks/tui_open.py
    "10k": Scale(plans=1, actions_per_plan=10_000, audit_events=50_000),
    "100k": Scale(plans=1, actions_per_plan=100_000, audit_events=500_000),
    "region": Scale(plans=150, actions_per_plan=500, audit_events=1_000_000),
}

FIRST = ["Priya", "Tom", "Aisha", "James", "Olu", "Grace", "Mohammed", "Sarah", "Dev", "Hannah"]
LAST = [
    "Natarajan",
    "Okafor",
    "Khan",
    "Smith",
    "Adeyemi",
    "Jones",
    "Patel",
    "Evans",
    "Murphy",
    "Brown",
]
THEMES = [
    "Front door and MASH",
    "Help and protection",
    "Children in care",
    "Care leavers",
    "Workforce",
    "Quality assurance",
    "Partnerships",
    "Leadership and governance",
]
VERBS = [
    "Review",
    "Embed",
    "Audit",
    "Deliver",
    "Recruit",
    "Train",
    "Improve",
    "Launch",
    "Agree",
    "Publish",
]
OBJECTS = [
    "threshold guidance",
    "supervision policy",
    "pathway plans",
    "return home interviews",
    "strategy meeting practice",
    "caseload model",
    "QA framework",
    "PLO tracker",
    "placement sufficiency strategy",
    "performance scorecard",
    "induction programme",
]
# Status mix of a plan a year in: (status, weight).
STATUSES = [
    ("not_started", 25),
    ("in_progress", 38),
    ("blocked", 5),
    ("complete", 12),
    ("signed_off", 17),
    ("cancelled", 3),
]
AUDIT_FIELDS = ["status", "due", "owner", "title", "rag_override", "evidence", "note"]


def people(count: int = 50) -> list[dict[str, Any]]:
    names = [FIRST_OWNER] + [
        f"{f} {ln}" for ln in LAST for f in FIRST if f"{f} {ln}" != FIRST_OWNER
    ]
    return [
        {
            "id": i + 1,
            "name": name,
            "email": name.lower().replace(" ", ".") + "@example.org",
            "role": "Service manager",
            "team": THEMES[i % len(THEMES)],
        }
        for i, name in enumerate(names[:count])
    ]


def _ts(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8, 0), dt.UTC) + dt.timedelta(
        seconds=rng.randrange(10 * 3600)
    )


def _action(
    rng: random.Random, ident: int, plan_id: int, seq: int, owners: int, themes: list[int]
) -> dict[str, Any]:
    """One action: due dates spread a year either side of AS_OF, some slipped."""
    status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
    if seq == 1:
        status = "in_progress"  # the `action update 1` benchmark needs an open action
    original = AS_OF + dt.timedelta(days=rng.randint(-240, 420))
    due = original + dt.timedelta(days=rng.choice([0, 0, 0, 0, 14, 30, 60]))
    start = original - dt.timedelta(days=rng.randint(30, 180))
    created = _ts(start - dt.timedelta(days=10), rng)
    override = rng.random() < 0.02
    return {
        "id": ident,
        "plan_id": plan_id,
        "ref": str(seq),
        "seq": seq,
        "title": f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} ({seq})",
        "start": start,
        "due": due,
        "original_due": original,
        "status": status,
        "rag_override": "red" if override else None,
        "rag_override_reason": "Board asked for escalation" if override else None,
        "status_reason": "Superseded" if status == "cancelled" else None,
        "success_measure": "Audit shows 80% good or better" if seq % 7 == 0 else None,
        "evidence": "Audit report on SharePoint" if status in ("complete", "signed_off") else None,
        "owner_id": rng.randint(1, owners),
        "theme_id": rng.choice(themes),
        "milestone_id": None,
        "version": rng.randint(1, 6),
        "created_at": created,
        "updated_at": created + dt.timedelta(days=rng.randint(0, 200)),
    }


class Loader:
    """Bulk inserts: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"

    def put(self, table: Table, rows: Iterable[dict[str, Any]]) -> int:
        count = 0
        for chunk in _chunks(rows, CHUNK):
            count += len(chunk)
            if self.postgres:
                self._copy(table, chunk)
            else:
                self.conn.execute(table.insert(), chunk)
        return count

    def _copy(self, table: Table, rows: list[dict[str, Any]]) -> None:
        names = list(rows[0])
        cols = ", ".join(f'"{n}"' for n in names)
        cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[n] for n in names])


def _chunks(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _plan_rows(scale: Scale) -> list[dict[str, Any]]:
    created = dt.datetime(2024, 4, 1, 9, 0, tzinfo=dt.UTC)
    if scale.plans == 1:
        return [
            {
                "id": 1,
                "name": "Peterborough",
                "authority": "Peterborough City Council",
                "la_code": "874",
                "created_at": created,
            }
        ]
    return [
        {
            "id": p,
            "name": f"Authority {p:03d}",
            "authority": f"Council {p:03d}",
            "la_code": str(800 + p),
            "created_at": created,
        }
        for p in range(1, scale.plans + 1)
    ]


def _plan_children(
    plan_id: int, theme_base: int, rec_base: int, ms_base: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    themes = [
        {"id": theme_base + i, "plan_id": plan_id, "name": name, "lead_id": i + 1}
        for i, name in enumerate(THEMES)
    ]
    recs = [
        {
            "id": rec_base + i,
            "plan_id": plan_id,
            "ref": f"R{i + 1}",
            "seq": i + 1,
            "text": f"Improve {OBJECTS[i % len(OBJECTS)]} so that children are safer.",
            "priority_action": i < 2,
            "inspection_id": None,
            "theme_id": theme_base + i % 8,
        }
        for i in range(12)
    ]
    milestones = [
        {
            "id": ms_base + i,
            "plan_id": plan_id,
            "name": f"Board review {i + 1}",
            "kind": "board",
            "date": AS_OF + dt.timedelta(days=42 * (i - 3)),
            "rule": "every 6 weeks",
            "source_date": None,
            "user_set": False,
            "expected": False,
            "done": None,
        }
        for i in range(8)
    ]
    return themes, recs, milestones


def generate(engine: Engine, scale: Scale, *, seed: int = 7, quiet: bool = False) -> None:
    """Fill a migrated, empty database (one transaction)."""
    from improveplan.store.models import (
        Action,
        ActionRecommendation,
        AuditEvent,
        Milestone,
        Person,
        Plan,
        ProgressNote,
        Recommendation,
        Theme,
    )

    rng = random.Random(seed)
    started = time.perf_counter()
    staff = people()
    plans = _plan_rows(scale)
    per_action_audit = scale.audit_events / (scale.plans * scale.actions_per_plan)
    with engine.begin() as conn:
        load = Loader(conn)
        load.put(Person.__table__, staff)  # type: ignore[attr-defined]
        load.put(Plan.__table__, plans)  # type: ignore[attr-defined]
        action_id = note_id = audit_id = 0
        for index, plan in enumerate(plans):
            themes, recs, milestones = _plan_children(
                plan["id"], index * 8 + 1, index * 12 + 1, index * 8 + 1
            )
            load.put(Theme.__table__, themes)  # type: ignore[attr-defined]
            load.put(Recommendation.__table__, recs)  # type: ignore[attr-defined]
            load.put(Milestone.__table__, milestones)  # type: ignore[attr-defined]
            actions = []
            for seq in range(1, scale.actions_per_plan + 1):
                action_id += 1
                row = _action(
                    rng, action_id, plan["id"], seq, len(staff), [t["id"] for t in themes]
                )
                if seq % 10 == 0:
                    row["milestone_id"] = rng.choice(milestones)["id"]
                actions.append(row)
            load.put(Action.__table__, actions)  # type: ignore[attr-defined]
            links = _links(rng, actions, recs)
            load.put(ActionRecommendation.__table__, links)  # type: ignore[attr-defined]
            notes = list(_notes(rng, actions, scale.notes_per_action, note_id, staff))
            note_id += load.put(ProgressNote.__table__, notes)  # type: ignore[attr-defined]
            events = _chained(_audit(rng, actions, per_action_audit, audit_id, staff))
            audit_id += load.put(AuditEvent.__table__, events)  # type: ignore[attr-defined]
            if not quiet and (index + 1) % 25 == 0:
                print(f"  {index + 1}/{len(plans)} plans", file=sys.stderr)
        if load.postgres:
            _realign_sequences(conn)
    if load.postgres:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")  # what autovacuum would have done by now
    if not quiet:
        took = time.perf_counter() - started
        print(
            f"  {action_id} actions, {note_id} notes, {audit_id} audit events in {took:.1f} s",
            file=sys.stderr,
        )


def _links(
    rng: random.Random, actions: list[dict[str, Any]], recs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    links = []
    for action in actions:
        for rec in rng.sample(recs, rng.choice([1, 1, 1, 2])):
            links.append({"action_id": action["id"], "recommendation_id": rec["id"]})
    return links


def _notes(
    rng: random.Random,
    actions: list[dict[str, Any]],
    per_action: float,
    first_id: int,
    staff: list[dict[str, Any]],
) -> Iterator[dict[str, Any]]:
    ident = first_id
    for action in actions:
        for _ in range(int(per_action) + (rng.random() < per_action % 1)):
            ident += 1
            yield {
                "id": ident,
                "action_id": action["id"],
                "author": staff[action["owner_id"] - 1]["name"],
                "created_at": action["updated_at"] - dt.timedelta(hours=rng.randint(0, 2000)),
                "text": "Met with partners; draft circulated for comment. Next step: sign-off.",
            }


def _audit(
    rng: random.Random,
    actions: list[dict[str, Any]],
    per_action: float,
    first_id: int,
    staff: list[dict[str, Any]],
) -> Iterator[dict[str, Any]]:
    ident = first_id
    for action in actions:
        actor = staff[action["owner_id"] - 1]["name"]
        for k in range(int(per_action) + (rng.random() < per_action % 1)):
            ident += 1
            field = "created" if k == 0 else rng.choice(AUDIT_FIELDS)
            yield {  # hashed by _chained, one chain per plan
                "id": ident,
                "plan_id": action["plan_id"],
                "actor": actor,
                "at": action["created_at"] + dt.timedelta(hours=k * 37),
                "entity": "action",
                "entity_id": action["id"],
                "field": field,
                "old_value": None if k == 0 else "in_progress",
                "new_value": action["ref"] if k == 0 else action["status"],
            }


def _chained(events: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The events with their hash chain (migration 0004): one chain per plan, in id order."""
    from improveplan.domain.audit_chain import GENESIS, Event, event_hash

    tails: dict[Any, str] = {}
    for row in events:
        event = Event(**{k: v for k, v in row.items() if k != "id"})
        row["hash"] = tails[row["plan_id"]] = event_hash(event, tails.get(row["plan_id"], GENESIS))
        yield row


def _realign_sequences(conn: Connection) -> None:
    """Explicit ids bypass PostgreSQL's sequences; move them past the data."""
    from sqlalchemy import text

    for table in (
        "person",
        "plan",
        "theme",
        "recommendation",
        "milestone",
        "action",
        "progress_note",
        "audit_event",
    ):
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'(SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"), false)'
            )
        )


def build(db: str, scale_name: str, *, quiet: bool = False) -> None:
    """Create (SQLite: a new file) and migrate the database, then fill it."""
    from improveplan.store.engine import create_sqlite_file, make_engine, sqlite_path, to_url
    from improveplan.store.migrate import upgrade

    url = to_url(db)
    path = sqlite_path(url)
    if path is not None:
        if path.exists():
            raise SystemExit(f"{path} exists; remove it first")
        create_sqlite_file(path)
    engine = make_engine(url)
    upgrade(engine)
    generate(engine, SCALES[scale_name], quiet=quiet)
    engine.dispose()


def pg_database(server: str, name: str, *, scale: str | None = None) -> str:
    """URL of database `name` on the server: kept when it holds the scale's actions,
    otherwise (re)created empty and, given a scale, built."""
    from sqlalchemy import create_engine, text

    from improveplan.store.engine import to_url

    url = to_url(server).set(database=name).render_as_string(hide_password=False)
    admin = create_engine(to_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
    if exists and scale is not None and _action_count(url) == _expected(scale):
        admin.dispose()
        _vacuumed(url)
        return url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    if scale is not None:
        print(f"building {name} ...", file=sys.stderr)
        build(url, scale)
        _vacuumed(url)
    return url


def _vacuumed(url: str) -> None:
    """VACUUM ANALYZE, as autovacuum keeps a database in use: a server with it off (as
    this machine's) would otherwise plan on no statistics, and visit the heap for
    every index-only row (no visibility map). Then a CHECKPOINT where the user may ask
    for one: the 200 MB a 100k build wrote are otherwise flushed during the first
    timings (the JSON export measured 7.4 s straight after a build, 4.7 s after it)."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import DBAPIError

    from improveplan.store.engine import to_url

    engine = create_engine(to_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
        # Superuser or pg_checkpoint only; without it the first timings wait on the flush.
        with contextlib.suppress(DBAPIError):
            conn.exec_driver_sql("CHECKPOINT")
    engine.dispose()


def _expected(scale: str) -> int:
    return SCALES[scale].plans * SCALES[scale].actions_per_plan


def _action_count(url: str) -> int:
    from sqlalchemy import create_engine
    from sqlalchemy.exc import SQLAlchemyError

    from improveplan.store.engine import to_url

    engine = create_engine(to_url(url))
    try:
        with engine.connect() as conn:
            return int(conn.exec_driver_sql('SELECT count(*) FROM "action"').scalar() or 0)
    except SQLAlchemyError:  # half-built: no schema yet
        return -1
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(SCALES))
    parser.add_argument("--db", help="new SQLite file or an empty database URL")
    parser.add_argument(
        "--pg-server", help="with --pg-name: ensure that database on this server; prints its URL"
    )
    parser.add_argument("--pg-name", help="database name on --pg-server")
    args = parser.parse_args(argv)
    if args.pg_server and args.pg_name:
        print(pg_database(args.pg_server, args.pg_name, scale=args.scale))
    elif args.db and args.scale:
        build(args.db, args.scale)
    else:
        parser.error("give --scale and --db, or --pg-server and --pg-name [--scale]")


if __name__ == "__main__":
    main()
