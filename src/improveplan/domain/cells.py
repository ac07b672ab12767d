"""A text cell a spreadsheet reads: one rule for every CSV and workbook the tool writes.

A text starting `=`, `+`, `-`, `@`, a tab or a CR gets a quote first, so a spreadsheet
shows it rather than running it as a formula; a CR becomes LF, because the csv module
quotes only the line terminator's characters and a bare CR would split the row.
render/csv_out.py writes cells by it, and store/direct_csv.py has PostgreSQL write the
same text itself (`sql_cell`): the two are held equal by tests/store/test_direct_csv.py.
"""

from __future__ import annotations

__all__ = ["FORMULA_PREFIXES", "RISKY", "sql_cell", "text_cell"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
RISKY = frozenset(FORMULA_PREFIXES)  # each prefix is one character: a first-character test


def text_cell(value: str | None) -> str | None:
    """A text as a CSV cell: None stays None (the csv writer writes it empty)."""
    if value is None or not (value[:1] in RISKY or "\r" in value):
        return value
    if value[:1] in RISKY:
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def sql_cell(column: str) -> str:
    """`text_cell` of a text column in PostgreSQL's SQL, an empty text as NULL (COPY
    quotes an empty text, the csv writer does not): the plain case first, as most are."""
    codes = ", ".join(str(ord(c)) for c in FORMULA_PREFIXES)
    risky = f"ascii({column}) IN ({codes})"
    cr = f"strpos({column}, E'\\r') > 0"
    fixed = (
        f"replace(replace(CASE WHEN {risky} THEN '''' || {column} ELSE {column} END,"
        f" E'\\r\\n', E'\\n'), E'\\r', E'\\n')"
    )
    return f"NULLIF(CASE WHEN {risky} OR {cr} THEN {fixed} ELSE {column} END, '')"
