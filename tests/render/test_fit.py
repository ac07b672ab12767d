"""render.fit: widths that split no word, and titles cut at a space."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from improveplan.render.fit import LONG_TOKEN, fit_widths, longest_word, shortened, text_width


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("Publish a clear threshold", 40, "Publish a clear threshold"),
        ("Publish a clear threshold", 17, "Publish a clear…"),
        ("Publish a clear threshold", 16, "Publish a clear…"),
        ("Publish a clear threshold", 15, "Publish a…"),
        ("Assessment practice standards", 12, "Assessment…"),
        ("Assessment practice standards", 11, "Assessment…"),
        ("Assessment", 6, "Asses…"),  # one word longer than the room: cut, never wrapped
        ("Audit, all teams", 8, "Audit…"),  # no dangling comma before the …
        ("two\nlines", 20, "two lines"),
    ],
)
def test_shortened(text: str, width: int, expected: str) -> None:
    assert shortened(text, width) == expected


@given(st.text(st.sampled_from("ab c"), max_size=40), st.integers(2, 40))
def test_shortened_fits_and_keeps_whole_words(text: str, width: int) -> None:
    cut = shortened(text, width)
    assert text_width(cut) <= width
    words = text.split()
    if cut.endswith("…") and " " in cut:
        kept = cut[:-1].split()
        assert kept == words[: len(kept)]  # every word but a lone first one is whole


@given(st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60), st.integers(0, 50))
def test_plain_text_is_cut_by_index_where_cells_would_cut_it(text: str, width: int) -> None:
    """Printable ASCII takes a cell a character, so `shortened` cuts it by index: the
    same place as counting each character's cells."""
    from improveplan.render import fit

    flat = " ".join(text.split())
    if len(flat) > width:
        assert fit._cut(flat, width - 1) == max(width - 1, 0)
        assert shortened(text, width) == shortened(text + "é", width).removesuffix("é")


def test_widths_that_fit_are_left_alone() -> None:
    assert fit_widths([3, 10, 40], [3, 10, 9], 60, bendable=[False] * 3) == [3, 10, 40]


def test_the_widest_columns_narrow_first_and_no_column_below_its_longest_word() -> None:
    widths = fit_widths([16, 15, 15, 60, 100], [10, 9, 15, 13, 13], 64, bendable=[False] * 5)
    assert widths is not None and sum(widths) == 64
    assert all(w >= f for w, f in zip(widths, [10, 9, 15, 13, 13], strict=True))


def test_a_title_gives_way_when_nothing_else_can() -> None:
    widths = fit_widths(
        [3, 6, 10, 11, 15, 60], [3, 6, 10, 11, 15, 16], 50, bendable=[False] * 5 + [True]
    )
    assert widths == [3, 6, 10, 11, 15, 5]


def test_only_a_very_long_token_folds_and_too_many_columns_give_up() -> None:
    widths = fit_widths([40, 10], [40, 10], 40, bendable=[False, False])
    assert widths == [30, 10] and LONG_TOKEN <= 30
    assert fit_widths([10] * 9, [10] * 9, 40, bendable=[False] * 9) is None


@given(
    st.lists(
        st.tuples(st.integers(1, 60), st.integers(0, 60), st.booleans()), min_size=1, max_size=9
    ),
    st.integers(0, 200),
)
def test_fit_widths_stays_within_room_and_floors(
    columns: list[tuple[int, int, bool]], room: int
) -> None:
    natural = [n for n, _, _ in columns]
    floors = [min(f, n) for n, f, _ in columns]
    widths = fit_widths(natural, floors, room, bendable=[b for _, _, b in columns])
    if widths is None:
        return
    assert sum(widths) <= room or widths == natural
    assert all(w <= n for w, n in zip(widths, natural, strict=True))
    if sum(floors) <= room:
        assert all(w >= f for w, f in zip(widths, floors, strict=True))


def test_measures() -> None:
    assert longest_word("Sarah Whitfield") == 9
    assert longest_word("") == 0
    assert text_width("ab\nabcd") == 4
    assert text_width("界") == 2
