"""Statuses as people spell them, and the RAG rating the board sees (docs/design.md §2)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from improveplan.domain.rag import (
    OPEN_STATUSES,
    Rag,
    RagThresholds,
    Status,
    compute_rag,
    days_overdue,
    effective_rag,
    parse_rag,
    parse_status,
)

AS_OF = date(2025, 3, 5)
DEFAULT = RagThresholds()


def days(n: int) -> date:
    return AS_OF + timedelta(days=n)


def rag(
    status: Status = Status.in_progress,
    due: date | None = None,
    original_due: date | None = None,
    thresholds: RagThresholds = DEFAULT,
) -> Rag | None:
    return compute_rag(
        status=status,
        due=due,
        original_due=original_due if original_due is not None else due,
        as_of=AS_OF,
        thresholds=thresholds,
    )


# parse_status --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("not_started", Status.not_started),
        ("Not started", Status.not_started),
        ("not-started", Status.not_started),
        ("NOT STARTED", Status.not_started),
        ("in_progress", Status.in_progress),
        ("in-progress", Status.in_progress),
        ("In progress", Status.in_progress),
        ("  in   progress ", Status.in_progress),
        ("In-Progress", Status.in_progress),
        ("Blocked", Status.blocked),
        ("On hold", Status.blocked),
        ("on-hold", Status.blocked),
        ("Complete", Status.complete),
        ("Completed", Status.complete),
        ("Done", Status.complete),
        ("signed_off", Status.signed_off),
        ("Signed off", Status.signed_off),
        ("signed-off", Status.signed_off),
        ("Cancelled", Status.cancelled),
        ("Canceled", Status.cancelled),
    ],
)
def test_parse_status_accepts_usual_spellings(text: str, expected: Status) -> None:
    assert parse_status(text) is expected


@pytest.mark.parametrize("text", ["", "open", "finished", "in progres", "red", "signed"])
def test_parse_status_refuses_others_listing_the_valid_ones(text: str) -> None:
    with pytest.raises(ValueError, match="is not a status") as caught:
        parse_status(text)
    for status in Status:
        assert status.value in str(caught.value)


def test_open_statuses_are_those_still_being_worked_on() -> None:
    assert {Status.not_started, Status.in_progress, Status.blocked} == OPEN_STATUSES


def test_statuses_compare_equal_to_their_stored_strings() -> None:
    assert Status.in_progress == "in_progress"
    assert "blocked" in OPEN_STATUSES


# parse_rag -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Red", Rag.red),
        ("R", Rag.red),
        ("red", Rag.red),
        ("AMBER", Rag.amber),
        ("a", Rag.amber),
        ("g", Rag.green),
        ("Green", Rag.green),
        ("b", Rag.blue),
        ("Blue", Rag.blue),
        (" amber ", Rag.amber),
    ],
)
def test_parse_rag_accepts_names_and_initials(text: str, expected: Rag) -> None:
    assert parse_rag(text) is expected


@pytest.mark.parametrize("text", ["", "Complete", "yellow", "rg", "x", "auto"])
def test_parse_rag_refuses_others_listing_the_valid_ones(text: str) -> None:
    with pytest.raises(ValueError, match="is not a RAG rating") as caught:
        parse_rag(text)
    for colour in Rag:
        assert colour.value in str(caught.value)


# compute_rag ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due_in", "expected"),
    [
        (-30, Rag.red),
        (-1, Rag.red),  # due yesterday: overdue
        (0, Rag.amber),  # due today: not yet overdue
        (1, Rag.amber),
        (14, Rag.amber),  # the last day of the amber window
        (15, Rag.green),
        (100, Rag.green),
    ],
)
def test_an_open_action_is_rated_by_its_due_date(due_in: int, expected: Rag) -> None:
    for status in OPEN_STATUSES - {Status.blocked}:
        assert rag(status, due=days(due_in)) is expected


@pytest.mark.parametrize(
    ("due_in", "expected"), [(-1, Rag.red), (0, Rag.amber), (15, Rag.amber), (None, Rag.amber)]
)
def test_a_blocked_action_is_at_least_amber(due_in: int | None, expected: Rag) -> None:
    due = None if due_in is None else days(due_in)
    assert rag(Status.blocked, due=due) is expected


def test_an_action_whose_due_date_slipped_is_amber_even_when_far_off() -> None:
    assert rag(due=days(60), original_due=days(30)) is Rag.amber


def test_a_due_date_brought_forward_is_not_slippage() -> None:
    assert rag(due=days(30), original_due=days(60)) is Rag.green


def test_a_slipped_action_past_its_new_date_is_red() -> None:
    assert rag(due=days(-1), original_due=days(-10)) is Rag.red


def test_an_open_action_without_a_due_date_is_green_unless_blocked() -> None:
    assert rag(Status.not_started, due=None) is Rag.green
    assert rag(Status.in_progress, due=None) is Rag.green


def test_without_an_original_due_date_there_is_no_slippage() -> None:
    result = compute_rag(status=Status.in_progress, due=days(60), original_due=None, as_of=AS_OF)
    assert result is Rag.green


@pytest.mark.parametrize("due_in", [-100, -1, 0, 100, None])
def test_closed_statuses_ignore_the_due_date(due_in: int | None) -> None:
    due = None if due_in is None else days(due_in)
    assert rag(Status.complete, due=due) is Rag.green
    assert rag(Status.signed_off, due=due) is Rag.blue
    assert rag(Status.cancelled, due=due) is None


@pytest.mark.parametrize(
    ("amber_days", "due_in", "expected"),
    [
        (7, 7, Rag.amber),
        (7, 8, Rag.green),
        (0, 0, Rag.amber),  # due today is still amber with no window
        (0, 1, Rag.green),
        (28, 28, Rag.amber),
        (28, 29, Rag.green),
    ],
)
def test_the_amber_window_is_configurable(amber_days: int, due_in: int, expected: Rag) -> None:
    thresholds = RagThresholds(amber_days=amber_days)
    assert rag(due=days(due_in), thresholds=thresholds) is expected


def test_compute_rag_accepts_stored_status_strings() -> None:
    assert compute_rag(status="blocked", due=None, original_due=None, as_of=AS_OF) is Rag.amber  # type: ignore[arg-type]
    assert compute_rag(status="signed_off", due=None, original_due=None, as_of=AS_OF) is Rag.blue  # type: ignore[arg-type]


@given(
    status=st.sampled_from(Status),
    due=st.none() | st.dates(),
    original_due=st.none() | st.dates(),
    as_of=st.dates(),
    amber_days=st.integers(0, 365),
)
def test_compute_rag_never_raises_and_red_means_overdue(
    status: Status, due: date | None, original_due: date | None, as_of: date, amber_days: int
) -> None:
    result = compute_rag(
        status=status,
        due=due,
        original_due=original_due,
        as_of=as_of,
        thresholds=RagThresholds(amber_days=amber_days),
    )
    overdue = days_overdue(status=status, due=due, as_of=as_of)
    assert (result is Rag.red) == (overdue > 0)
    assert (result is None) == (status is Status.cancelled)
    if status in OPEN_STATUSES:
        assert result in {Rag.red, Rag.amber, Rag.green}


# effective_rag -------------------------------------------------------------------------


def test_an_override_wins_over_the_computed_rating() -> None:
    assert effective_rag(Rag.red, Rag.green) is Rag.green
    assert effective_rag(Rag.green, Rag.red) is Rag.red
    assert effective_rag(Rag.blue, Rag.amber) is Rag.amber


def test_without_an_override_the_computed_rating_stands() -> None:
    for colour in Rag:
        assert effective_rag(colour, None) is colour


def test_a_cancelled_action_has_no_rating_even_when_overridden() -> None:
    assert effective_rag(None, Rag.red) is None
    assert effective_rag(None, None) is None


# days_overdue --------------------------------------------------------------------------


@pytest.mark.parametrize(("due_in", "expected"), [(-30, 30), (-1, 1), (0, 0), (1, 0), (None, 0)])
def test_days_overdue_counts_calendar_days_for_open_actions(
    due_in: int | None, expected: int
) -> None:
    due = None if due_in is None else days(due_in)
    for status in OPEN_STATUSES:
        assert days_overdue(status=status, due=due, as_of=AS_OF) == expected


@pytest.mark.parametrize("status", [Status.complete, Status.signed_off, Status.cancelled])
def test_closed_actions_are_never_overdue(status: Status) -> None:
    assert days_overdue(status=status, due=days(-30), as_of=AS_OF) == 0
