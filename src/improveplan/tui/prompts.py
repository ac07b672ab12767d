"""The small screens the keys open: a one-line answer, a choice from a list, the keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from improveplan.tui.data import Choices


class Ask(ModalScreen[str | None]):
    """One line of text: Enter saves, Escape cancels (None). An empty answer is refused
    when `required`, with the reason shown under the input."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, *, required: bool = True, placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.required = required
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label(self.question, classes="question")
            yield Input(placeholder=self.placeholder, id="answer")
            yield Label("Enter saves · Escape cancels", classes="hint", id="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        answer = event.value.strip()
        if self.required and not answer:
            self.query_one("#hint", Label).update("An answer is needed · Escape cancels")
            return
        self.dismiss(answer)

    def action_cancel(self) -> None:
        self.dismiss(None)


class Choose(ModalScreen[str | None]):
    """Pick one of `choices` (value, shown text): Enter picks, Escape cancels (None)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt"):
            yield Label(self.question, classes="question")
            # Options are told apart by position: a value may be "" (any) or repeat a word.
            options = (Option(text, id=f"o{i}") for i, (_, text) in enumerate(self.choices))
            yield OptionList(*options)
            yield Label("Enter picks · Escape cancels", classes="hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[event.option_index][0])

    def action_cancel(self) -> None:
        self.dismiss(None)


FILTERS: list[tuple[str, str]] = [
    ("owner", "owner"),
    ("theme", "theme"),
    ("status", "status"),
    ("rag", "RAG"),
    ("rec", "recommendation"),
    ("clear", "clear every filter and the search"),
]


def filter_values(field: str, choices: Choices) -> list[tuple[str, str]]:
    """What one filter may be set to; the first choice lifts it ("" means any)."""
    from improveplan.domain.vocab import RAG_ORDER, Status, spoken

    values: list[tuple[str, str]]
    if field == "owner":
        values = [(name, name) for name in choices.owners]
    elif field == "theme":
        values = [(name, name) for name in choices.themes]
    elif field == "status":
        values = [(s.value, spoken(s.value)) for s in Status]
    elif field == "rag":
        values = [(rag.value, rag.value) for rag in RAG_ORDER]
    else:
        values = [(ref, f"{ref}  {text}") for ref, text in choices.recommendations]
    return [("", "any"), *values]


KEYS: tuple[tuple[str, str], ...] = (
    ("enter", "open the highlighted action: details, notes, history"),
    ("s", "change its status"),
    ("n", "add a progress note (one line)"),
    ("d", "mark it done (asks for the evidence)"),
    ("u", "move its due date (asks the reason)"),
    ("r", "set its RAG by hand, or back to computed (asks the reason)"),
    ("/", "search titles and notes (All actions)"),
    ("f", "filter by owner, theme, status, RAG or recommendation (All actions)"),
    ("g", "reload from the database"),
    ("tab", "next view · shift+tab the one before"),
    ("escape", "back from an action, or cancel a question"),
    ("?", "this list"),
    ("q", "quit"),
)


class Keys(ModalScreen[None]):
    """What every key does (`?`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt keys"):
            yield Label("Keys", classes="question")
            for key, what in KEYS:
                yield Label(f"{key:>8}  {what}")
            yield Label("Escape closes", classes="hint")

    def action_close(self) -> None:
        self.dismiss(None)
