"""`improveplan tui`: the service manager's screen over the command line's services.

Every read and write runs on one database thread (`_db`), so the screen never waits on
the database and SQLite sees one connection at a time; a change is the command line's
own service call, with its rules, audit events and error messages (shown as a
notification, never a traceback).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Header, TabbedContent, TabPane

from improveplan.domain.vocab import RAG_ORDER
from improveplan.errors import ChangedSince, ImproveplanError
from improveplan.tui import views
from improveplan.tui.data import Board, Filter, Shown
from improveplan.tui.detail import ActionScreen
from improveplan.tui.prompts import FILTERS, Ask, Choose, Keys, filter_values
from improveplan.tui.tables import ActionTable

if TYPE_CHECKING:
    from improveplan.tui.data import Detail

T = TypeVar("T")


def _failure(exc: Exception) -> str:
    """What a failed read or write says: the service's own one line, or the database's."""
    if isinstance(exc, ImproveplanError):
        return str(exc)
    from improveplan.store.errors import translate_db_error

    translated = translate_db_error(exc)
    if translated is not None:
        return str(translated)
    return f"unexpected failure ({type(exc).__name__}: {exc}) — the change was not made"


class PlanScreen(App[None]):
    """My actions, All actions, Overdue, Timeline and Status, with keys for the action."""

    CSS_PATH = Path(__file__).with_name("tui.tcss")
    TITLE = "improveplan"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "keys", "Keys"),
        Binding("tab", "next_view", "Next view", priority=True),
        Binding("shift+tab", "previous_view", "Previous view", show=False, priority=True),
        Binding("enter", "open", "Open", show=False),
        Binding("s", "status", "Status"),
        Binding("n", "note", "Note"),
        Binding("d", "done", "Done"),
        Binding("u", "move_due", "Due date"),
        Binding("r", "override_rag", "RAG"),
        Binding("slash", "search", "Search"),
        Binding("f", "filter", "Filter"),
        Binding("g", "reload", "Reload", show=False),
    ]

    def __init__(self, board: Board) -> None:
        super().__init__()
        self.board = board
        self.chosen = Filter()
        self.stale = {view for view, _ in views.VIEWS}
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="improveplan-db")
        # My actions is read while Textual starts (Board.first).
        self._opening = self._db.submit(board.first)
        self.opened = False
        self.said: list[str] = []  # every notice shown, oldest first (they fade on screen)
        self.failure: str | None = None  # why the screen closed at once (no such plan, ...)

    def notify(self, message: str, **kwargs: Any) -> None:
        self.said.append(message)
        super().notify(message, **kwargs)

    async def db(self, call: Callable[[], T]) -> T:
        """Run `call` on the database thread; the event loop goes on meanwhile."""
        return await asyncio.get_running_loop().run_in_executor(self._db, call)

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="views"):
            for view, title in views.VIEWS:
                with TabPane(title, id=view):
                    yield from views.compose_view(view)
        yield Footer()

    def on_mount(self) -> None:
        self.open_plan()

    @work(group="load")
    async def open_plan(self) -> None:
        """Fill My actions from the first read; a plan that cannot be opened closes the
        screen again (the command then prints why, as one line)."""
        try:
            name, mine, direct = await asyncio.wrap_future(self._opening)
            self.sub_title = f"{name} · as of {self.board.as_of.isoformat()}"
            self.stale.discard("mine")
            self._fill("mine", mine, None)
            self.opened = True
            if direct:  # then open the plan through the services, as every change will
                again = await self.db(lambda: (self.board.open(), self.board.mine())[1])
                if again != mine:  # changed in between: the services' reading wins
                    shown = self.query_one("#mine-table", ActionTable).highlighted
                    self._fill("mine", again, shown.ref if shown else None)
        except Exception as exc:
            self.failure = _failure(exc)
            self.exit(return_code=1)
            return
        if self.view != "mine":  # a tab pressed while it opened
            self.load(self.view)

    def on_unmount(self) -> None:
        self._db.shutdown(wait=False, cancel_futures=True)

    # -- reading ---------------------------------------------------------------------

    @property
    def view(self) -> str:
        return self.query_one("#views", TabbedContent).active or "mine"

    @work(group="load")
    async def load(self, view: str, keep: str | None = None) -> None:
        """Read one view afresh and fill it; the cursor stays on `keep` where listed."""
        try:
            found: Any = await self.db(self._reader(view))
        except Exception as exc:  # a failed read leaves the view as it was
            self.notify(_failure(exc), severity="error", timeout=8)
            return
        self.stale.discard(view)
        self._fill(view, found, keep)

    def _reader(self, view: str) -> Callable[[], Any]:
        board, chosen = self.board, self.chosen
        readers: dict[str, Callable[[], Any]] = {
            "mine": board.mine, "all": lambda: board.actions(chosen), "overdue": board.overdue,
            "timeline": board.timeline, "status": board.status,
        }  # fmt: skip
        return readers[view]

    def _fill(self, view: str, found: Any, keep: str | None) -> None:
        if view == "mine":
            views.fill_mine(self, found, keep)
        elif view == "all":
            views.fill_all(self, found, self.chosen, keep)
        elif view == "overdue":
            views.fill_overdue(self, found, keep)
        elif view == "timeline":
            views.fill_timeline(self, found)
        else:
            views.fill_status(self, found)
        if self.view == view and not isinstance(self.screen, ModalScreen):
            self._focus_list(view)

    def _focus_list(self, view: str) -> None:
        pane = self.query_one(f"#{view}", TabPane)
        tables = list(pane.query(DataTable))
        if tables and not any(t.has_focus for t in tables):
            tables[0].focus()

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        view = event.pane.id or "mine"
        if not self.opened:  # open_plan fills the first view
            return
        if view in self.stale:
            self.load(view)
        else:
            self._focus_list(view)

    def action_reload(self) -> None:
        self.stale = {view for view, _ in views.VIEWS}
        self._refresh_after(None)

    def _refresh_after(self, ref: str | None) -> None:
        """After a change every view is stale; the one on screen (and an open action)
        is read again at once."""
        self.stale = {view for view, _ in views.VIEWS}
        self.load(self.view, keep=ref)
        if isinstance(self.screen, ActionScreen) and ref is not None:
            self.open_detail(ref, push=False)

    # -- what the keys act on ----------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No view key acts while a question is open (its input has the keys)."""
        if isinstance(self.screen, ModalScreen):
            return action not in _VIEW_KEYS
        in_detail = isinstance(self.screen, ActionScreen)
        if action in {"search", "filter"}:
            return self.view == "all" and not in_detail
        if action in _ACTION_KEYS:  # the read-only views list no action to act on
            return in_detail or self.view not in {"timeline", "status"}
        return True

    def shown(self) -> Shown | None:
        """The action the keys act on: the open one, else the highlighted row."""
        if isinstance(self.screen, ActionScreen):
            return self.screen.detail.action
        focused = self.focused
        if isinstance(focused, ActionTable):
            return focused.highlighted
        tables = list(self.query_one(f"#{self.view}", TabPane).query(ActionTable))
        return tables[0].highlighted if tables else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if isinstance(event.data_table, ActionTable):
            event.stop()
            self.action_open()

    def action_open(self) -> None:
        shown = self.shown()
        if shown is not None and not isinstance(self.screen, ActionScreen):
            self.open_detail(shown.ref, push=True)

    @work(group="detail")
    async def open_detail(self, ref: str, push: bool) -> None:
        try:
            detail: Detail = await self.db(lambda: self.board.detail(ref))
        except Exception as exc:
            self.notify(_failure(exc), severity="error", timeout=8)
            return
        if push:
            self.push_screen(ActionScreen(detail))
        elif isinstance(self.screen, ActionScreen):
            self.screen.show(detail)

    def action_keys(self) -> None:
        if not isinstance(self.screen, Keys):
            self.push_screen(Keys())

    def action_next_view(self) -> None:
        self._step_view(1)

    def action_previous_view(self) -> None:
        self._step_view(-1)

    def _step_view(self, step: int) -> None:
        if isinstance(self.screen, ActionScreen):
            self.screen.dismiss(None)
        order = [view for view, _ in views.VIEWS]
        tabs = self.query_one("#views", TabbedContent)
        # Focus left in the hidden view would move to its next table, which brings that
        # view back: let go of it first; the view shown focuses its own list.
        self.set_focus(None)
        tabs.active = order[(order.index(self.view) + step) % len(order)]
        self.refresh_bindings()

    # -- changing ---------------------------------------------------------------------

    @work(group="change")
    async def change(self, shown: Shown, call: Callable[[], str]) -> None:
        """Make one change on the database thread and say how it went."""
        try:
            said = await self.db(call)
        except ChangedSince:
            self.notify(
                f"Action {shown.ref} changed since you opened it — reload", severity="error",
                timeout=8,
            )  # fmt: skip
        except Exception as exc:
            self.notify(_failure(exc), severity="error", timeout=8)
        else:
            self.notify(said)
        self._refresh_after(shown.ref)

    def _target(self) -> Shown | None:
        shown = self.shown()
        if shown is None:
            self.notify("No action is highlighted.", severity="warning")
        return shown

    @work(group="ask")
    async def action_status(self) -> None:
        from improveplan.domain.vocab import Status, spoken
        from improveplan.domain.workflow import status_needs_reason

        shown = self._target()
        if shown is None:
            return
        current = shown.status
        choices = [(s.value, spoken(s.value)) for s in Status if s != current]
        picked = await self.push_screen_wait(Choose(f"Action {shown.ref}: new status", choices))
        if picked is None:
            return
        reason: str | None = None
        if status_needs_reason(current, Status(picked)):
            reason = await self.push_screen_wait(Ask(f"Why is {shown.ref} {spoken(picked)}?"))
            if reason is None:
                return
        self.change(shown, lambda: self.board.set_status(shown, picked, reason))

    @work(group="ask")
    async def action_note(self) -> None:
        shown = self._target()
        if shown is None:
            return
        text = await self.push_screen_wait(Ask(f"Note on action {shown.ref}"))
        if text is not None:
            self.change(shown, lambda: self.board.note(shown, text))

    @work(group="ask")
    async def action_done(self) -> None:
        shown = self._target()
        if shown is None:
            return
        evidence = await self.push_screen_wait(
            Ask(f"Action {shown.ref} is done: the evidence", required=False,
                placeholder="where the board can see it (Enter with none: no evidence)")
        )  # fmt: skip
        if evidence is not None:
            self.change(shown, lambda: self.board.done(shown, evidence))

    @work(group="ask")
    async def action_move_due(self) -> None:
        shown = self._target()
        if shown is None:
            return
        when = await self.push_screen_wait(
            Ask(f"Action {shown.ref}: due on", placeholder="2025-05-30, +2w, eom, friday")
        )
        if when is None:
            return
        try:  # a date that is not one is told at once, before the reason is asked
            due = self.board.parse_date(when)
        except ImproveplanError as exc:
            self.notify(str(exc), severity="error", timeout=8)
            return
        reason = await self.push_screen_wait(
            Ask(f"Why does {shown.ref}'s due date move to {due.isoformat()}?")
        )
        if reason is not None:
            self.change(shown, lambda: self.board.move_due(shown, when, reason))

    @work(group="ask")
    async def action_override_rag(self) -> None:
        shown = self._target()
        if shown is None:
            return
        choices = [(rag.value, rag.value) for rag in RAG_ORDER]
        choices.append(("computed", "back to computed"))
        rag = await self.push_screen_wait(Choose(f"Action {shown.ref}: RAG", choices))
        if rag is None:
            return
        reason = ""
        if rag != "computed":
            asked = await self.push_screen_wait(Ask(f"Why is {shown.ref} {rag}?"))
            if asked is None:
                return
            reason = asked
        self.change(shown, lambda: self.board.override_rag(shown, rag, reason))

    @work(group="ask")
    async def action_search(self) -> None:
        words = await self.push_screen_wait(
            Ask("Search titles and notes", required=False, placeholder="Enter with none: all")
        )
        if words is not None:
            self.chosen = dataclasses.replace(self.chosen, text=words or None)
            self.load("all")

    @work(group="ask")
    async def action_filter(self) -> None:
        choices = await self.db(self.board.choices)
        picked = await self.push_screen_wait(Choose("Filter by", FILTERS))
        if picked is None:
            return
        if picked == "clear":
            self.chosen = Filter()
        else:
            value = await self.push_screen_wait(
                Choose(f"Filter by {picked}", filter_values(picked, choices))
            )
            if value is None:
                return
            self.chosen = dataclasses.replace(self.chosen, **{picked: value or None})
        self.load("all")


_ACTION_KEYS = frozenset({"status", "note", "done", "move_due", "override_rag", "open"})
_VIEW_KEYS = _ACTION_KEYS | {"search", "filter", "next_view", "previous_view", "reload", "keys",
                             "quit"}  # fmt: skip
