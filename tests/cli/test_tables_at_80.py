"""Every table of the demo plan at 80 columns (a terminal, or what cron mails): no word of
the data is split across lines, nothing is wider than the terminal, statuses read as words.

The checker needs no knowledge of the tables: the same command printed 400 columns wide
holds every word whole, so each word printed at 80 columns must be one of those words
(or the start of a title cut at a space and ended with "…").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import Invoke

AS_OF = "--as-of=2025-03-31"
TODAY = {"IMPROVEPLAN_TODAY": "2025-03-31"}
BOX = re.compile(r"[\u2500-\u257f]")  # rich's box-drawing characters

TABLE_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("action", "list", AS_OF),
    ("action", "list", "--all", AS_OF),
    ("action", "show", "3", AS_OF),
    ("action", "history", "3"),
    ("status", AS_OF),
    ("status", AS_OF, "--by", "owner"),
    ("status", AS_OF, "--by", "recommendation", "--since", "2024-01-01"),
    ("status", "--as-of=9999-12-31", "--since", "2000-01-01"),  # the demo's changes, built now
    ("overdue", AS_OF),
    ("check", AS_OF),
    ("notify", "--dry-run", AS_OF),
    ("rec", "list"),
    ("rec", "show", "R1", AS_OF),
    ("theme", "list", AS_OF),
    ("person", "list"),
    ("measure", "list"),
    ("milestone", "list"),
    ("timeline", AS_OF),
    ("inspection", "list"),
    ("inspection", "show", "1"),
    ("inspection", "history"),
    ("plan", "list"),
    ("plan", "show"),
    ("notice", "show"),
)


def words(text: str) -> list[str]:
    """The words a table prints: its text without borders, split at spaces."""
    return BOX.sub(" ", text).split()


def split_words(narrow: str, wide: str) -> list[str]:
    """Words of `narrow` that are not whole words of `wide`: pieces of a split word."""
    whole = set(words(wide))
    bad = []
    for word in words(narrow):
        stem = word[:-1] if word.endswith("…") else word
        if word not in whole and stem not in whole and stem:
            bad.append(word)
    return bad


def test_the_checker_finds_a_split_word_and_a_cut_header() -> None:
    wide = "│ Assessment practice │ Green │"
    assert split_words("│ Assessm │ Gre… │\n│ ent practice │ │", wide) == ["Assessm", "Gre…", "ent"]
    assert split_words("│ Assessment… │ Green │", wide) == []


@pytest.fixture
def demo(run: Invoke) -> Invoke:
    built = run("init", "--demo", env=TODAY)
    assert built.exit_code == 0, built.output
    return run


def printed(run: Invoke, args: tuple[str, ...], columns: int) -> str:
    result = run(*args, env={**TODAY, "COLUMNS": str(columns)})
    assert result.exit_code in (0, 3), result.output  # check: 3 when something is overdue
    return result.stdout


@pytest.mark.parametrize("args", TABLE_COMMANDS, ids=" ".join)
def test_no_table_splits_a_word_at_80_columns(demo: Invoke, args: tuple[str, ...]) -> None:
    narrow, wide = printed(demo, args, 80), printed(demo, args, 400)
    assert narrow.strip(), "the command printed no table"
    assert max(len(line) for line in narrow.splitlines()) <= 80
    assert split_words(narrow, wide) == []
    assert not re.search(r"\b(not_started|in_progress|signed_off)\b", narrow)


EXPECTED = Path(__file__).resolve().parents[1] / "fixtures" / "tables-at-80"


@pytest.mark.parametrize(
    ("args", "stored"),
    [
        (("action", "list", AS_OF), "action-list.txt"),
        (("check", AS_OF), "check.txt"),
        (("overdue", AS_OF), "overdue.txt"),
    ],
    ids=["action list", "check", "overdue"],
)
def test_the_main_tables_at_80_columns_exactly(
    demo: Invoke, args: tuple[str, ...], stored: str
) -> None:
    assert printed(demo, args, 80) == (EXPECTED / stored).read_text("utf-8")
