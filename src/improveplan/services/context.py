"""The application context every service receives: database, acting user, plan, clock.

Built once per command from flags and configuration; the engine is opened lazily so
commands that never touch the database stay fast.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from improveplan.config import Settings, default_db_path, load_settings
from improveplan.errors import DatabaseError, ImproveplanError, NotFound

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import URL
    from sqlmodel import Session

    from improveplan.domain.access import Need
    from improveplan.services.access import Identity
    from improveplan.store.models import Clock, Plan


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"


def _acting_user(name: str) -> str:
    """The name the audit trail records: checked like every stored name, so SQLite keeps
    only what PostgreSQL's actor column holds (one line, at most 200 characters)."""
    from improveplan.domain.inputs import clean_name

    try:
        return clean_name(name, what="the acting user (--user)")
    except ValueError as exc:
        raise ImproveplanError(str(exc), "give --user NAME or set IMPROVEPLAN_USER") from None


def _injected_today() -> dt.date | None:
    """`IMPROVEPLAN_TODAY` pins "today" (tests, back-dated runs); None means the clock."""
    value = os.environ.get("IMPROVEPLAN_TODAY")
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ImproveplanError(
            f"IMPROVEPLAN_TODAY={value!r} is not a date", "use YYYY-MM-DD or unset it"
        ) from exc


@dataclass
class App:
    """What a command runs against. Create with `App.from_options`."""

    db: str
    user: str  # the actor the audit trail records; settled when the database is opened
    plan_name: str | None
    settings: Settings
    login: str = field(default_factory=_login_name)  # the OS login
    asked_user: str | None = None  # --user, IMPROVEPLAN_USER or the config file's user
    need: Need | None = None  # what the command needs of its plan (None: an admin's)
    doing: str = "do this"  # the command, as a refusal names it: "add themes"
    identity: Identity | None = None
    _today: dt.date | None = None
    # None: the wall clock. An injected clock stamps every row and audit event written
    # through this App (and gives `today` when that is not pinned): the demo's story.
    clock: Clock | None = None
    _engine: Engine | None = field(default=None, repr=False)
    _schema_checked: bool = field(default=False, repr=False)
    _unit: Session | None = field(default=None, repr=False)

    @classmethod
    def from_options(
        cls, *, db: str | None = None, plan: str | None = None, user: str | None = None
    ) -> App:
        """Apply flag > environment > config file > default."""
        settings = load_settings()
        asked = user or settings.user
        login = _login_name()
        return cls(
            db=db or settings.db or str(default_db_path()),
            user=_acting_user(asked or login),
            plan_name=plan or settings.plan,
            settings=settings,
            login=login,
            asked_user=_acting_user(asked) if asked else None,
        )

    @property
    def today(self) -> dt.date:
        """Today in Europe/London, or the injected date; read once per command."""
        if self._today is None:
            self._today = resolve_today() if self.clock is None else _london_day(self.now())
        return self._today

    def now(self) -> dt.datetime:
        """Aware UTC now: the injected clock's, else the wall clock's."""
        from improveplan.store.models import wall_clock

        return wall_clock() if self.clock is None else self.clock()

    @property
    def url(self) -> URL:
        from improveplan.store.engine import to_url

        return to_url(self.db)

    @property
    def shown_db(self) -> str:
        """The database as it may be printed: a path, or a URL with the password masked."""
        from improveplan.store.engine import masked, sqlite_path

        path = sqlite_path(self.url)
        return str(path) if path is not None else masked(self.url)

    def raw_engine(self) -> Engine:
        """An engine with no schema check (init and db commands)."""
        if self._engine is None:
            from improveplan.store.engine import check_reachable, make_engine

            engine = make_engine(self.url)
            check_reachable(engine)
            self._engine = engine
        return self._engine

    def close(self) -> None:
        """Close the database connections now (on SQLite this checkpoints the WAL),
        rather than whenever the interpreter gets round to collecting them."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
            self._schema_checked = False

    def engine(self) -> Engine:
        """An engine on an existing database at this program's schema revision."""
        from improveplan.store.engine import sqlite_path
        from improveplan.store.migrate import require_current

        path = sqlite_path(self.url)
        if path is not None and not path.exists():
            raise DatabaseError(f"no database at {path}", "run improveplan init")
        engine = self.raw_engine()
        if not self._schema_checked:  # once per command, not per transaction
            require_current(engine)
            self._schema_checked = True
            self._settle_identity(engine)
        return engine

    def _settle_identity(self, engine: Engine) -> None:
        """Who is acting, from the database's grants and logins (services/access.py)."""
        from improveplan.services.access import resolve
        from improveplan.store.engine import read_session

        with read_session(engine) as session:
            self.identity = resolve(self, session)
        self.user = self.identity.actor

    def _tagged(self, session: Session) -> Session:
        """The session, told the login behind the actor for the audit trail."""
        from improveplan.services.audit import LOGIN

        if self.identity is not None:
            session.info[LOGIN] = self.identity.login
        return session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction for one command: all of it is written, or none."""
        from improveplan.store.engine import write_session
        from improveplan.store.models import stamped_by

        with stamped_by(self.clock):
            if self._unit is not None:
                yield self._unit
                return
            with write_session(self.engine()) as session:
                yield self._tagged(session)

    @contextmanager
    def read(self) -> Iterator[Session]:
        from improveplan.store.engine import read_session
        from improveplan.store.models import stamped_by

        with stamped_by(self.clock):
            if self._unit is not None:
                yield self._unit
                return
            with read_session(self.engine()) as session:
                yield self._tagged(session)

    @contextmanager
    def one_transaction(self) -> Iterator[App]:
        """An App whose every write() and read() share one transaction, committed when the
        block ends or rolled back if it raises: many service calls as one command (the demo
        plan is ~300 of them, and a failed `init --demo` must leave nothing behind).
        Copies made with dataclasses.replace share it too."""
        from improveplan.store.engine import write_session

        with write_session(self.engine()) as session:
            yield replace(self, _unit=self._tagged(session))

    def plan(self, session: Session) -> Plan:
        """The plan commands work in: `--plan`, or the only plan in the database."""
        from sqlmodel import func, select

        from improveplan.store.models import Plan

        if self.plan_name:  # as people type it: any case, spaces folded
            from improveplan.services.lookups import find_plan

            return self._entered(session, find_plan(session, self.plan_name))
        count = session.exec(select(func.count()).select_from(Plan)).one()
        if count == 0:
            raise NotFound(
                "no plan in the database",
                "create one with improveplan plan add NAME --authority TEXT",
            )
        if count > 1:
            raise ImproveplanError(
                f"{count} plans in the database", "choose one with --plan NAME or IMPROVEPLAN_PLAN"
            )
        return self._entered(session, session.exec(select(Plan)).one())

    def _entered(self, session: Session, plan: Plan) -> Plan:
        """The plan, once the acting person's roles there allow what the command needs."""
        from improveplan.services.access import enter_plan

        enter_plan(self, session, plan)
        return plan


def _london_day(moment: dt.datetime) -> dt.date:
    from zoneinfo import ZoneInfo

    from improveplan.domain.dates import LONDON

    return moment.astimezone(ZoneInfo(LONDON)).date()


def resolve_today() -> dt.date:
    """Today for parsing relative dates: `IMPROVEPLAN_TODAY` or the Europe/London clock."""
    today = _injected_today()
    if today is None:
        from improveplan.domain.dates import today_london

        today = today_london()
    return today
