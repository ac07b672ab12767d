"""The one rule for a text cell (domain/cells.py) is the CSV writer's (render/csv_out.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from improveplan.domain.cells import FORMULA_PREFIXES, text_cell
from improveplan.render.csv_out import csv_cell

# Texts that start as a formula would, hold CRs and line breaks, or are plain.
TEXTS = st.one_of(
    st.text(),
    st.builds(lambda p, t: p + t, st.sampled_from(FORMULA_PREFIXES), st.text()),
    st.text(alphabet="=+-@\t\r\n ,\"'a"),
)


@given(TEXTS)
def test_a_text_cell_is_the_csv_writers_cell(value: str) -> None:
    assert text_cell(value) == csv_cell(value)


def test_none_stays_none_for_the_writer_to_leave_empty() -> None:
    assert text_cell(None) is None


def test_the_cells_a_spreadsheet_would_run_get_a_quote() -> None:
    assert [text_cell(t) for t in ("=SUM(A1)", "+1", "-x", "@me", "\tx", "plain")] == [
        "'=SUM(A1)", "'+1", "'-x", "'@me", "'\tx", "plain",
    ]  # fmt: skip
    assert text_cell("\ra\r\nb\rc") == "'\na\nb\nc"
