"""The action workflow (domain/workflow.py): every move over every status, reasons, new refs."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from improveplan.domain.vocab import Rag, Status
from improveplan.domain.workflow import (
    CLOSED_STATUSES,
    Draft,
    DueStep,
    Flaw,
    Problem,
    RagStep,
    StatusStep,
    Step,
    change_status,
    check_new_actions,
    move_due,
    next_refs,
    override_rag,
    require_reason,
    take,
    usable_ref,
)
from improveplan.errors import ImproveplanError, InvalidState

S = Status
STATUSES = st.sampled_from(list(Status))
REASONS = st.one_of(st.none(), st.just(""), st.just("Board asked"))

# Where each move is allowed from, written out by hand (docs/design.md §2).
ALLOWED = {
    Step.done: {S.not_started, S.in_progress, S.blocked},
    Step.sign_off: {S.complete},
    Step.reopen: {S.complete, S.signed_off, S.cancelled},
}
LEADS_TO = {Step.done: S.complete, Step.sign_off: S.signed_off, Step.reopen: S.in_progress}
REFUSED = {
    (Step.done, S.complete): "action 7 is already complete — sign it off with improveplan"
    " action signoff 7",
    (Step.done, S.signed_off): "action 7 is already signed off — nothing to do",
    (Step.done, S.cancelled): "action 7 is cancelled — reopen it first: improveplan action"
    " reopen 7 --reason TEXT",
    (Step.sign_off, S.not_started): "action 7 is not complete — mark it done first: improveplan"
    " action done 7",
    (Step.sign_off, S.signed_off): "action 7 is already signed off — nothing to do",
    (Step.reopen, S.in_progress): "action 7 is in progress, not closed — there is nothing to"
    " reopen",
}


@given(st.sampled_from(list(Step)), STATUSES)
def test_every_move_from_every_status(step: Step, status: Status) -> None:
    if status in ALLOWED[step]:
        assert take(step, "7", status) is LEADS_TO[step]
    else:
        with pytest.raises(InvalidState):
            take(step, "7", status)


@pytest.mark.parametrize(("step", "status"), list(REFUSED))
def test_refusals_say_what_to_do(step: Step, status: Status) -> None:
    with pytest.raises(InvalidState) as caught:
        take(step, "7", status)
    assert str(caught.value) == REFUSED[(step, status)]


def test_closed_is_everything_not_open() -> None:
    assert {S.complete, S.signed_off, S.cancelled} == CLOSED_STATUSES


def _needs_reason(old: Status, new: Status) -> bool:
    """Cancelling, and leaving cancelled or done work other than for its sign-off."""
    if new == S.cancelled or old == S.cancelled:
        return True
    return old in (S.complete, S.signed_off) and new != S.signed_off


@given(STATUSES, STATUSES, REASONS)
def test_update_status_over_every_pair(old: Status, new: Status, reason: str | None) -> None:
    if old == new:
        assert change_status("7", old, new, reason) is None
    elif new == S.signed_off and old != S.complete:
        with pytest.raises(InvalidState):
            change_status("7", old, new, reason)
    elif _needs_reason(old, new) and not reason:
        with pytest.raises(ImproveplanError, match="needs a reason — add --reason TEXT"):
            change_status("7", old, new, reason)
    else:
        kept = reason if _needs_reason(old, new) else None
        assert change_status("7", old, new, reason) == StatusStep(new, kept)


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        (S.not_started, S.cancelled, "cancelling action 7 needs a reason"),
        (S.cancelled, S.in_progress, "moving action 7 from cancelled back to in_progress needs"
         " a reason"),
        (S.complete, S.blocked, "moving action 7 from complete back to blocked needs a reason"),
        (S.signed_off, S.complete, "moving action 7 from signed_off back to complete needs a"
         " reason"),
        (S.complete, S.cancelled, "cancelling action 7 needs a reason"),
    ],
)  # fmt: skip
def test_reason_errors_name_the_move(old: Status, new: Status, error: str) -> None:
    with pytest.raises(ImproveplanError) as caught:
        change_status("7", old, new, None)
    assert caught.value.what == error
    assert caught.value.todo == "add --reason TEXT"


def test_a_forward_move_clears_an_old_reason() -> None:
    assert change_status("7", S.in_progress, S.complete, "why") == StatusStep(S.complete, None)
    assert change_status("7", S.complete, S.signed_off, None) == StatusStep(S.signed_off, None)


DAYS = st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))


@given(st.one_of(st.none(), DAYS), st.one_of(st.none(), DAYS), DAYS, REASONS)
def test_due_dates(
    due: dt.date | None, original: dt.date | None, new: dt.date, reason: str | None
) -> None:
    later = due is not None and new > due
    if new == due:
        assert move_due("7", due, original, new, reason) is None
    elif later and not reason:
        with pytest.raises(ImproveplanError) as caught:
            move_due("7", due, original, new, reason)
        assert caught.value.what == (
            f"moving action 7's due date later ({due} → {new}) needs a reason"
        )
    elif later and original is None:  # the first slip keeps the date it slipped from
        assert move_due("7", due, original, new, reason) == DueStep(new, due)
    else:
        assert move_due("7", due, original, new, reason) == DueStep(new)


@given(st.one_of(st.none(), st.sampled_from(list(Rag))), REASONS)
def test_rag_by_hand_needs_a_reason_clearing_does_not(rag: Rag | None, reason: str | None) -> None:
    if rag is None:
        assert override_rag("7", rag, reason) == RagStep(None, None)
    elif not reason:
        with pytest.raises(ImproveplanError, match="setting action 7's RAG by hand needs"):
            override_rag("7", rag, reason)
    else:
        assert override_rag("7", rag, reason) == RagStep(rag, reason)


def test_require_reason_strips_and_refuses_blank() -> None:
    assert require_reason("  gaps  ", "reopening action 7") == "gaps"
    for blank in (None, "", "   "):
        with pytest.raises(ImproveplanError) as caught:
            require_reason(blank, "reopening action 7")
        assert str(caught.value) == "reopening action 7 needs a reason — add --reason TEXT"


# -- a new action ------------------------------------------------------------------------


def test_usable_refs() -> None:
    assert all(usable_ref(r) for r in ("1", "2.4", "R1", "x" * 20))
    assert not any(usable_ref(r) for r in ("", "2 4", "x" * 21, "a\tb"))


def test_check_new_actions_finds_every_problem_in_order() -> None:
    drafts = [
        Draft(ref="1"),
        Draft(ref="2 4"),
        Draft(ref="A1", start=dt.date(2025, 5, 1), due=dt.date(2025, 4, 1)),
        Draft(ref="a1"),
        Draft(ref=None, start=dt.date(2025, 4, 2), due=dt.date(2025, 4, 1)),
        Draft(ref="3"),
    ]
    assert check_new_actions(drafts, taken=["3", "1"]) == [
        Problem(index=0, flaw=Flaw.ref_taken, ref="1"),
        Problem(index=1, flaw=Flaw.unusable_ref, ref="2 4"),
        Problem(index=2, flaw=Flaw.start_after_due, ref="A1"),
        Problem(index=3, flaw=Flaw.duplicate_ref, ref="a1", first=2),
        Problem(index=4, flaw=Flaw.start_after_due, ref=None),
        Problem(index=5, flaw=Flaw.ref_taken, ref="3"),
    ]
    restored = check_new_actions(drafts, restore=True)
    assert Flaw.start_after_due not in {p.flaw for p in restored}


REFS = st.text(alphabet="0123456789.Rr", min_size=1, max_size=6)


@given(st.lists(st.one_of(st.none(), REFS), max_size=12), st.lists(REFS, max_size=12))
def test_blank_refs_number_on_from_the_highest(refs: list[str | None], existing: list[str]) -> None:
    result = next_refs(refs, existing)
    assert [r for r, given in zip(result, refs, strict=True) if given is not None] == [
        r for r in refs if r is not None
    ]
    numbered = [int(r) for r, given in zip(result, refs, strict=True) if given is None]
    top = max((int(r) for r in [*existing, *(r for r in refs if r)] if r.isdecimal()), default=0)
    assert numbered == list(range(top + 1, top + 1 + len(numbered)))


def test_dotted_refs_are_not_numbers() -> None:
    assert next_refs([None, "2.4", None], ["1", "10.1", "R12"]) == ["2", "2.4", "3"]


@given(st.lists(st.tuples(DAYS, DAYS), max_size=8), st.sets(REFS, max_size=8))
def test_a_clean_batch_has_no_problems(
    dates: list[tuple[dt.date, dt.date]], taken: set[str]
) -> None:
    drafts = [Draft(ref=f"N{n}", start=min(pair), due=max(pair)) for n, pair in enumerate(dates)]
    assert check_new_actions(drafts, taken=taken) == []
