"""Status and RAG words as options take them: parsed by the domain, completed as typed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem


class _Choice(click.ParamType[str, Any]):
    """A status or RAG word, parsed by the domain (usage error, exit 2, when unknown)."""

    def __init__(self, name: str, auto: bool = False) -> None:
        self.name = name
        self.auto = auto

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from improveplan.domain import rag

        text = str(value).strip()
        if self.auto and text.lower() == "auto":
            return "auto"
        try:
            parsed = rag.parse_status(text) if self.name == "STATUS" else rag.parse_rag(text)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        return str(parsed.value)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        """The words as people type them: in-progress, signed-off, red, auto."""
        from click.shell_completion import CompletionItem

        from improveplan.domain.vocab import Rag, Status, normal_key

        kinds = Status if self.name == "STATUS" else Rag
        words = [str(kind.value).replace("_", "-") for kind in kinds]
        words += ["auto"] if self.auto else []
        typed = normal_key(incomplete)
        return [CompletionItem(word) for word in words if normal_key(word).startswith(typed)]


STATUS = _Choice("STATUS")
RAG = _Choice("RAG")
RAG_OR_AUTO = _Choice("RAG", auto=True)
