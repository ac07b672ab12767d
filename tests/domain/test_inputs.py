"""The checks every stored value passes (domain/inputs.py), on any text at all."""

from __future__ import annotations

import math
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from improveplan.domain.inputs import (
    EMAIL_LENGTH,
    NAME_LENGTH,
    Refused,
    clean_email,
    clean_key,
    clean_name,
    clean_ref,
    clean_text,
    finite,
    storable,
)


def _no_controls(text: str, allowed: str = "") -> bool:
    return all(c in allowed or unicodedata.category(c) not in {"Cc", "Cs"} for c in text)


@given(st.text(max_size=300))
def test_a_clean_name_is_one_line_bounded_and_unchanged_by_cleaning(text: str) -> None:
    try:
        name = clean_name(text)
    except ValueError as exc:
        assert str(exc).startswith("a name ")
        return
    assert name and name == name.strip() and "  " not in name
    assert len(name) <= NAME_LENGTH and _no_controls(name)
    assert clean_name(name) == name


@given(st.text(max_size=500))
def test_clean_text_keeps_lines_and_refuses_other_controls(text: str) -> None:
    try:
        cleaned = clean_text(text, what="title")
    except ValueError as exc:
        assert str(exc).startswith("the title ")
        return
    assert "\r" not in cleaned and "\x0b" not in cleaned and "\x00" not in cleaned
    assert _no_controls(cleaned, allowed="\n\t")
    assert clean_text(cleaned) == cleaned


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "a name cannot be empty"),
        ("   \t ", "a name cannot be empty"),
        ("Ann\nSmith", "a name must be one line"),
        ("Ann\r", "a name must be one line"),
        ("Ann\x00", "a name cannot hold control characters (U+0000)"),
        ("A" * 201, "a name can be at most 200 characters (this one has 201)"),
    ],
)
def test_bad_names_say_why(text: str, reason: str) -> None:
    with pytest.raises(ValueError) as raised:
        clean_name(text)
    assert str(raised.value) == reason


def test_names_fold_spaces_and_keep_what_people_write() -> None:
    assert clean_name("  Priya   Natarajan ") == "Priya Natarajan"
    assert clean_name("Siân O’Neill-Ahmed") == "Siân O’Neill-Ahmed"
    assert clean_name("\u200fنور\u200f") == "\u200fنور\u200f"  # RTL marks are not controls


def test_word_line_breaks_become_lines() -> None:
    assert clean_text("Recruit\x0bsix\r\nsocial workers\r") == "Recruit\nsix\nsocial workers"
    with pytest.raises(ValueError, match=r"cannot hold control characters \(U\+0007\)"):
        clean_text("bell\x07")


@pytest.mark.parametrize(
    "good", ["ann@example.org", "ann.o'neill+plans@children.peterborough.gov.uk"]
)
def test_good_emails(good: str) -> None:
    assert clean_email(f" {good} ") == good


@pytest.mark.parametrize(
    "bad",
    ["", "ann", "ann@", "@example.org", "ann@localhost", "ann@example.org\r\nBcc: x@y.org",
     "Ann <ann@example.org>", "ann @example.org", "ann@exa mple.org", "a@b.c\x00"],
)  # fmt: skip
def test_bad_emails_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="is not an email address"):
        clean_email(bad)


@given(st.text(max_size=80))
def test_any_text_is_an_email_or_a_value_error(text: str) -> None:
    try:
        address = clean_email(text)
    except ValueError:
        return
    assert "@" in address and len(address) <= EMAIL_LENGTH
    assert not any(c.isspace() for c in address) and _no_controls(address)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_only_finite_numbers(value: float) -> None:
    if math.isfinite(value):
        assert finite(value) == value
    else:
        with pytest.raises(ValueError, match="is not a number a measure can hold"):
            finite(value)


@pytest.mark.parametrize(
    ("text", "reason", "todo"),
    [
        ("A" * 201, "the person's name can be at most 200 characters (this one has 201)",
         "shorten it"),
        ("Ann\u2028Smith", "the person's name must be one line", "write it on one line"),
        ("Ann\udcff", "the person's name cannot hold control characters (U+DCFF)",
         "remove them (paste it as plain text)"),
        (" \u3000 ", "the person's name cannot be empty", "give one"),
    ],
)  # fmt: skip
def test_errors_name_the_field_and_say_what_to_do(text: str, reason: str, todo: str) -> None:
    with pytest.raises(Refused) as raised:
        clean_name(text, what="the person's name")
    assert (str(raised.value), raised.value.todo) == (reason, todo)


def test_every_line_break_people_paste_becomes_one() -> None:
    assert clean_text("a\rb\x0cc\x85d\u2028e\u2029f\r\ng") == "a\nb\nc\nd\ne\nf\ng"


def test_keys_are_trimmed_not_folded_and_one_line() -> None:
    assert clean_key("  Ann  Smith ") == "Ann  Smith"  # stored before names were folded
    assert clean_ref(" 2.4a ") == "2.4a"
    for bad in ("2\n4", "R\x001", "\udcff"):
        with pytest.raises(Refused):
            clean_ref(bad)


@given(st.text(max_size=60))
def test_a_key_never_spans_lines_or_holds_controls(text: str) -> None:
    try:
        key = clean_key(text)
    except Refused:
        return
    assert len(key.splitlines()) <= 1 and _no_controls(key, allowed="\t")


def test_restored_text_is_refused_only_for_what_no_database_holds() -> None:
    assert storable("Ann  Smith\x07\n", length=20) == "Ann  Smith\x07\n"
    with pytest.raises(Refused, match=r"the title holds U\+0000, which no database can store"):
        storable("a\x00", what="the title")
    with pytest.raises(Refused, match=r"can be at most 20 characters \(this one has 21\)"):
        storable("x" * 21, length=20)


def test_a_too_long_address_is_refused_without_echoing_it() -> None:
    with pytest.raises(Refused) as raised:
        clean_email("a" * 400 + "@example.org")
    assert str(raised.value) == "an email address can be at most 320 characters (this one has 412)"
    assert finite(2.5, what="the target") == 2.5
    with pytest.raises(Refused, match=r"^the target inf is not a number"):
        finite(float("inf"), what="the target")
