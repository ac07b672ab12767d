"""What the screen reads and writes, through the same services as the command line.

Every call opens and closes its own transaction, so the screen holds no session between
key presses; the UI runs these in a worker thread (never on the event loop).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from improveplan.domain.access import Need
from improveplan.domain.records import ActionRow
from improveplan.domain.vocab import Status
from improveplan.errors import ImproveplanError

if TYPE_CHECKING:
    from improveplan.domain.records import OverdueReport
    from improveplan.domain.status import StatusReport
    from improveplan.domain.timeline import Timeline
    from improveplan.services.action_reads import ActionDetail, HistoryEvent
    from improveplan.services.context import App


class Shown(Protocol):
    """An action as the screen shows it: a list row or the detail pane's action."""

    @property
    def ref(self) -> str: ...

    @property
    def version(self) -> int: ...

    @property
    def status(self) -> Status: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Filter:
    """The All actions view's narrowing (None: any); `text` searches titles and notes."""

    owner: str | None = None
    theme: str | None = None
    status: str | None = None
    rag: str | None = None
    rec: str | None = None
    text: str | None = None

    def described(self) -> str:
        """The filter in words for the view's heading ("" when nothing narrows it)."""
        parts = [f"{name} {value}" for name, value in self.parts()]
        return ", ".join(parts)

    def parts(self) -> list[tuple[str, str]]:
        named = (("owner", self.owner), ("theme", self.theme), ("status", self.status),
                 ("RAG", self.rag), ("recommendation", self.rec))  # fmt: skip
        found = [(name, value) for name, value in named if value]
        if self.text:
            found.append(("search", f'"{self.text}"'))
        return found


@dataclass(frozen=True, slots=True, kw_only=True)
class Mine:
    """My actions, or why there are none to show (the acting user is nobody's owner)."""

    rows: list[ActionRow] = field(default_factory=list)
    problem: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Detail:
    """An action in full, its recommendations' texts and its history."""

    action: ActionDetail
    recommendations: list[tuple[str, str]]
    history: list[HistoryEvent]


@dataclass(frozen=True, slots=True, kw_only=True)
class Choices:
    """What the filter screen offers."""

    owners: list[str]
    themes: list[str]
    recommendations: list[tuple[str, str]]


class Board:
    """The plan as the screen sees it on one as-of date (None: today, read afresh)."""

    def __init__(self, app: App, *, as_of: dt.date | None = None) -> None:
        self.app = app
        self.fixed_as_of = as_of
        self._plan_name: str | None = None
        # The screen reads with any role; each change asks for its own need (_as_command).
        app.need, app.doing = Need.read, "run tui"

    @property
    def as_of(self) -> dt.date:
        return self.fixed_as_of or self.app.today

    def open(self) -> str:
        """Open the database and the plan (the engine, the schema check, the role): the
        plan's name. On the database thread, after the first read (`first`)."""
        if self._plan_name is None:
            with self.app.read() as session:
                self._plan_name = self.app.plan(session).name
        return self._plan_name

    def first(self) -> tuple[str, Mine, bool]:
        """The screen's first read: the plan's name, My actions, and whether they were
        read with the driver alone (services/direct.py), which fills the list before
        SQLModel is even imported; where that read does not apply (grants, another
        schema, a name that does not find one plan or person), through the services."""
        from improveplan.services.direct import my_open_actions

        found = my_open_actions(self.app, as_of=self.as_of)
        if found is not None:
            return found[0], Mine(rows=found[1]), True
        return self.open(), self.mine(), False

    def mine(self) -> Mine:
        from improveplan.domain.vocab import OPEN_STATUSES
        from improveplan.services.action_reads import list_actions, mine_filter
        from improveplan.store.queries import ActionFilter

        try:
            flt = mine_filter(self.app, ActionFilter(status=sorted(OPEN_STATUSES)))
        except ImproveplanError as exc:
            return Mine(problem=str(exc))
        return Mine(rows=list_actions(self.app, as_of=self.as_of, flt=flt))

    def actions(self, chosen: Filter) -> list[ActionRow]:
        from improveplan.domain.vocab import Rag
        from improveplan.services.action_reads import list_actions
        from improveplan.store.queries import ActionFilter

        flt = ActionFilter(
            owner=chosen.owner,
            theme=chosen.theme,
            status=[Status(chosen.status)] if chosen.status else None,
            rag=Rag(chosen.rag) if chosen.rag else None,
            rec=chosen.rec,
            text=chosen.text,
        )
        return list_actions(self.app, as_of=self.as_of, flt=flt)

    def overdue(self) -> OverdueReport:
        from improveplan.services.overdue import overdue_report

        return overdue_report(self.app, as_of=self.as_of)

    def timeline(self) -> Timeline:
        from improveplan.services.timeline import timeline

        return timeline(self.app, as_of=self.as_of)

    def status(self) -> StatusReport:
        from improveplan.services.status import plan_status

        return plan_status(self.app, as_of=self.as_of, by="theme")

    def detail(self, ref: str) -> Detail:
        from improveplan.services.action_reads import history, show_action
        from improveplan.services.recommendations import list_recommendations

        action = show_action(self.app, ref=ref, as_of=self.as_of)
        texts = {rec.ref: rec.text for rec in list_recommendations(self.app)}
        linked = [(r, texts.get(r, "")) for r in action.recommendations]
        return Detail(action=action, recommendations=linked, history=history(self.app, ref=ref))

    def choices(self) -> Choices:
        from improveplan.services.people import list_people
        from improveplan.services.recommendations import list_recommendations
        from improveplan.services.themes import list_themes

        return Choices(
            owners=[p.name for p in list_people(self.app)],
            themes=[t.name for t in list_themes(self.app)],
            recommendations=[(r.ref, r.text) for r in list_recommendations(self.app)],
        )

    # Changes: each the command line's own service call under the command's own need (so
    # roles refuse exactly what they refuse there), and refused when the action moved on
    # from the version the screen showed.

    @contextmanager
    def _as_command(self, doing: str) -> Iterator[None]:
        before = self.app.need, self.app.doing
        self.app.need, self.app.doing = Need.own_action, doing
        try:
            yield
        finally:
            self.app.need, self.app.doing = before

    def set_status(self, shown: Shown, status: str, reason: str | None) -> str:
        from improveplan.services.action_updates import update_action

        with self._as_command("run action update"):
            update_action(
                self.app, ref=shown.ref, status=status, reason=reason, if_version=shown.version
            )
        return f"Action {shown.ref} is now {_spoken(status)}."

    def note(self, shown: Shown, text: str) -> str:
        from improveplan.services.action_writes import add_note

        with self._as_command("run action note"):
            add_note(self.app, ref=shown.ref, text=text)
        return f"Noted on action {shown.ref}."

    def done(self, shown: Shown, evidence: str) -> str:
        from improveplan.services.action_updates import mark_done

        with self._as_command("run action done"):
            mark_done(self.app, ref=shown.ref, evidence=evidence or None, if_version=shown.version)
        return f"Action {shown.ref} is complete, awaiting sign-off."

    def move_due(self, shown: Shown, when: str, reason: str) -> str:
        from improveplan.services.action_updates import update_action

        due = self.parse_date(when)
        with self._as_command("run action update"):
            update_action(self.app, ref=shown.ref, due=due, reason=reason, if_version=shown.version)
        return f"Action {shown.ref} is now due {due.isoformat()}."

    def override_rag(self, shown: Shown, rag: str, reason: str) -> str:
        from improveplan.services.action_updates import update_action

        clear = rag == "computed"
        with self._as_command("run action update"):
            update_action(
                self.app, ref=shown.ref, rag=None if clear else rag, clear_rag=clear,
                reason=reason or None, if_version=shown.version,
            )  # fmt: skip
        return f"Action {shown.ref}: RAG {'back to computed' if clear else 'set to ' + rag}."

    def parse_date(self, text: str) -> dt.date:
        from improveplan.domain.dates import DateError, parse_date

        try:
            return parse_date(text, today=self.app.today)
        except DateError as exc:
            raise ImproveplanError(str(exc)) from None


def _spoken(value: str) -> str:
    from improveplan.domain.vocab import spoken

    return spoken(value)
